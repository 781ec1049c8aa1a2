#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# capture-demo.sh BUILD - the firmware-assisted dump, for a person to watch,
# on x86_64 with Debian's 6.1 kernel in QEMU (OVMF, TCG), one machine, two
# starts of the firmware:
#   1. efikexec arms a 192 MiB capture region with the same kernel as the
#      capture kernel, and boots the main kernel; its /init loads efi_pstore,
#      writes 8 MiB of a known pattern into memory, and panics
#      (echo c > /proc/sysrq-trigger; panic=1 resets the machine, RAM kept)
#   2. efikexec sees the kernel's efi-pstore record, checks the region and
#      enters the capture kernel, whose /init copies /proc/vmcore to a disk
# Then, on the host: makedumpfile --dump-dmesg of that disk image (the
# crashed kernel's log) and the pattern, counted in the dump.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tests.sh"

initramfs x86_64 "$WORK/initrd-capture-x86_64.img" "$ASSETS/modules-6.1-amd64"
name=capture-demo
capture_esp x86_64 "$name"
capture_nsh x86_64 crash
dump=$WORK/capture-demo-vmcore.img
rm -f "$dump"
truncate -s 1G "$dump"

echo "capture-demo: Debian $(cat "$ASSETS/vmlinuz-6.1-amd64.version"), QEMU TCG, 1 GiB; about a minute"
echo "capture-demo: serial log in $LOGDIR/$name.log, the dump in $dump"
: >"$LOGDIR/$name.log"
QEMU_WARM_RESET=1 qemu_boot x86_64 "$name" "$ESP" 1G 400 -drive "if=virtio,format=raw,file=$dump" &
pid=$!
tail -s 0.2 -F --pid=$pid "$LOGDIR/$name.log" 2>/dev/null | tr -d '\r' | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^\s*$' || true
rc=0
wait $pid || rc=$?
[ "$rc" = 0 ] || { echo "capture-demo: QEMU failed or timed out (status $rc)"; tail_log "$name"; exit 1; }
grep -q '^EFIKEXEC-CAPTURE: saved to /dev/vdb' < <(clean_log "$name") ||
	{ echo "capture-demo: the capture kernel did not save /proc/vmcore"; exit 1; }

echo
echo "capture-demo: on the host: makedumpfile --dump-dmesg $dump"
rm -f "$WORK/$name-dmesg.txt"
makedumpfile --dump-dmesg "$dump" "$WORK/$name-dmesg.txt" >/dev/null ||
	{ echo "capture-demo: makedumpfile failed"; exit 1; }
echo "capture-demo: the crashed kernel's log, last lines:"
{ grep -B 2 -A 8 'sysrq triggered crash' "$WORK/$name-dmesg.txt" || :; } | head -n 12 | sed 's/^/    /'
grep -q 'sysrq triggered crash' "$WORK/$name-dmesg.txt" ||
	{ echo "capture-demo: no 'sysrq triggered crash' in the dump's log"; exit 1; }
lines=$(LC_ALL=C grep -a -c -x "EFIKEXEC-PATTERN-$TOKEN" "$dump" || true)
echo "capture-demo: pattern EFIKEXEC-PATTERN-$TOKEN: $lines lines in the dump (8 MiB written: 299593 lines)"
[ "$lines" -ge 250000 ] || { echo "capture-demo: the pattern is not in the dump"; exit 1; }
echo "capture-demo: done"
