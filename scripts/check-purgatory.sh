#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-purgatory.sh ARCH OBJ... - purgatory runs wherever its segment was
# placed, with nobody to apply relocations: every relocation in its objects
# must be PC-relative, resolved by the static link. An absolute one (an
# address stored in data, a non-PIC access) would point into the link
# address 0 and is refused here, before it can fault at boot.
#
# It also checks that the assembly's copy of lib/purgatory.h's offsets agrees.
set -euo pipefail
arch=$1
shift
case $arch in
x86_64) ok='R_X86_64_(PC32|PLT32|PC64|GOTPCREL|GOTPCRELX|REX_GOTPCRELX)' readelf=readelf ;;
aarch64) ok='R_AARCH64_(ADR_PREL_PG_HI21|ADD_ABS_LO12_NC|LDST(8|16|32|64|128)_ABS_LO12_NC|CALL26|JUMP26|CONDBR19|PREL32|PREL64|ADR_PREL_LO21|LD_PREL_LO19)' readelf=aarch64-linux-gnu-readelf ;;
*) echo "check-purgatory: unknown arch $arch" >&2; exit 1 ;;
esac
bad=$("$readelf" -rW "$@" | awk '$3 ~ /^R_/ {print $3}' | grep -Ev "^($ok)\$" | sort -u || true)
if [ -n "$bad" ]; then
	echo "check-purgatory: position-dependent relocations in the purgatory: $bad" >&2
	exit 1
fi
# same NAME... : each #define NAME in the C header equals %define NAME in the
# nasm include
same() {
	local h=$1 inc=$2 name c a
	shift 2
	for name in "$@"; do
		c=$(awk -v n="$name" '$1 == "#define" && $2 == n {sub(/[uU]?[lL]*$/, "", $3); print $3}' "$h")
		a=$(awk -v n="$name" '$1 == "%define" && $2 == n {print $3}' "$inc")
		if [ -z "$c" ] || [ "$((c))" != "$((a))" ]; then
			echo "check-purgatory: $name is '$c' in $h but '$a' in $inc" >&2
			exit 1
		fi
	done
}
same lib/purgatory.h purgatory/purgatory-asm.inc PURGATORY_MAGIC PURG_OFF_ENTRY PURG_OFF_ARG0 PURG_OFF_FLAGS PURGATORY_F_MULTIBOOT2
same arch/x86_64/handoff.h arch/x86_64/handoff.inc X86_CTRL_GDT X86_CTRL_GDTR X86_CTRL_STACK_TOP
