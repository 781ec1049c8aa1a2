#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# demo.sh BUILD - the main job, for a person to watch: boots a Debian
# kernel in QEMU (OVMF, TCG) through efikexec from the firmware's shell -
# plan, purgatory's check, the kernel's console - as it happens.
# DEMO_KERNEL=6.12 picks the backports kernel, DEMO_ARCH=aarch64 boots arm64
# in AAVMF.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
. "$(dirname "$0")/lib.sh"

arch=${DEMO_ARCH:-x86_64}
series=${DEMO_KERNEL:-6.1}
initramfs "$arch" "$WORK/initrd-$arch.img"
esp=$(new_esp demo)
cp "$BUILD/$arch/efikexec.efi" "$esp/efikexec.efi"
cp "$(kernel_path "$arch" "$series")" "$esp/vmlinuz"
cp "$WORK/initrd-$arch.img" "$esp/initrd.img"
con=ttyS0
[ "$arch" = aarch64 ] && con=ttyAMA0
startup_nsh "$esp" \
	'efikexec.efi --version' \
	"efikexec.efi --verbose vmlinuz initrd=\\initrd.img console=$con"

echo "demo: booting Debian $(cat "$ASSETS/vmlinuz-$series-$(deb_arch "$arch").version") on $arch (QEMU TCG; about 20 s)"
echo "demo: serial log in $LOGDIR/demo.log"
: >"$LOGDIR/demo.log"
qemu_boot "$arch" demo "$esp" 1G 180 &
pid=$!
# Show the console as it comes, without terminal escapes.
tail -s 0.2 -F --pid=$pid "$LOGDIR/demo.log" 2>/dev/null | tr -d '\r' | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^\s*$' || true
rc=0
wait $pid || rc=$?
[ "$rc" = 0 ] || { echo "demo: QEMU failed or timed out (status $rc)"; tail_log demo; exit 1; }
grep -q '^EFIKEXEC-INIT: done' < <(clean_log demo) || { echo "demo: the kernel did not reach its init"; exit 1; }
echo "demo: done - the kernel reached its init and powered off"
