#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# capture-demo.sh BUILD - the firmware-assisted dump, for a person to watch:
# one call of `efikexec-vm --capture` (tools/efikexec-vm, efikexec-vm(1)),
# x86_64, Debian's 6.1 kernel, QEMU (OVMF, TCG), one machine, two starts of
# the firmware:
#   1. efikexec arms a capture region with the same kernel as the capture
#      kernel, and boots the main kernel; its /init (tests/qemu/init.sh)
#      loads efi_pstore, writes 8 MiB of a known pattern into memory, and
#      panics (echo c > /proc/sysrq-trigger; panic=1 resets, RAM kept)
#   2. efikexec sees the kernel's efi-pstore record, checks the region and
#      enters the capture kernel, whose initramfs (efikexec-vm's own)
#      writes /proc/vmcore to a disk that is a file on the host
# Then efikexec-vm cuts that file to the vmcore and prints the crashed
# kernel's log (makedumpfile --dump-dmesg); here the pattern is counted in
# the dump too.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
. "$(dirname "$0")/lib.sh"

initramfs x86_64 "$WORK/initrd-capture-x86_64.img" "$ASSETS/modules-6.1-amd64"
name=capture-demo
dump=$WORK/capture-demo.vmcore
token=$RANDOM$RANDOM
echo "capture-demo: Debian $(cat "$ASSETS/vmlinuz-6.1-amd64.version"), QEMU TCG, 1 GiB; about a minute"
rc=0
"$HERE/../../tools/efikexec-vm" --efikexec "$BUILD/x86_64/efikexec.efi" --timeout 400 --log "$LOGDIR/$name.log" \
	--capture --capture-size 192M --dump "$dump" --busybox "$ASSETS/busybox-amd64" --modules "$ASSETS/modules-6.1-amd64" \
	"$ASSETS/vmlinuz-6.1-amd64" --initrd "$WORK/initrd-capture-x86_64.img" \
	-- console=ttyS0 efikexec.then=crash "efikexec.token=$token" || rc=$?
[ "$rc" = 0 ] || { echo "capture-demo: efikexec-vm ended with status $rc (efikexec-vm(1), EXIT STATUS)"; exit 1; }
grep -q 'sysrq triggered crash' "$dump.dmesg" ||
	{ echo "capture-demo: no 'sysrq triggered crash' in the dump's log ($dump.dmesg)"; exit 1; }
lines=$(LC_ALL=C grep -a -c -x "EFIKEXEC-PATTERN-$token" "$dump" || true)
echo "capture-demo: pattern EFIKEXEC-PATTERN-$token: $lines lines in the dump (8 MiB written: 299593 lines)"
[ "$lines" -ge 250000 ] || { echo "capture-demo: the pattern is not in the dump"; exit 1; }
echo "capture-demo: done"
