#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-efi.sh SO EFI ARCH NM - checks a linked EFI application:
#  - the ELF it was made from has no undefined symbols (an EFI image has no
#    dynamic linker to resolve them; a stray one would be a jump to 0);
#  - the PE file's machine type is the one of ARCH (PE/COFF spec, 3.3.1:
#    0x8664 x86-64, 0xaa64 ARM64) and its subsystem is EFI application (10).
set -euo pipefail
so=$1 efi=$2 arch=$3 nm=$4
undef=$("$nm" -u "$so" | grep -v ' w ' || true)
if [ -n "$undef" ]; then
	echo "check-efi: $so has undefined symbols:" >&2
	echo "$undef" >&2
	exit 1
fi
case $arch in
x86_64) want=8664 ;;
aarch64) want=aa64 ;;
*) echo "check-efi: unknown arch $arch" >&2; exit 1 ;;
esac
# e_lfanew at 0x3c; then "PE\0\0", then Machine (2 bytes, little endian).
pe=$(od -An -tu4 -j 60 -N 4 "$efi" | tr -d ' ')
sig=$(od -An -c -j "$pe" -N 2 "$efi" | tr -d ' ')
machine=$(od -An -tx2 -j $((pe + 4)) -N 2 "$efi" | tr -d ' ')
# Optional header starts at pe+24; Subsystem is at offset 68 in PE32+.
subsys=$(od -An -tu2 -j $((pe + 24 + 68)) -N 2 "$efi" | tr -d ' ')
if [ "$sig" != "PE" ] || [ "$machine" != "$want" ] || [ "$subsys" != 10 ]; then
	echo "check-efi: $efi: signature '$sig', machine 0x$machine (want 0x$want), subsystem $subsys (want 10)" >&2
	exit 1
fi
