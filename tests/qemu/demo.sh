#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# demo.sh BUILD - the main job, for a person to watch: boots a Debian
# kernel in QEMU (OVMF, TCG) through efikexec from the firmware's shell -
# plan, purgatory's check, the kernel's console - as it happens, with one
# call of efikexec-vm (tools/efikexec-vm, efikexec-vm(1)), as a user would.
# DEMO_KERNEL=6.12 picks the backports kernel, DEMO_ARCH=aarch64 boots arm64
# in AAVMF.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
. "$(dirname "$0")/lib.sh"

arch=${DEMO_ARCH:-x86_64}
series=${DEMO_KERNEL:-6.1}
initramfs "$arch" "$WORK/initrd-$arch.img"
con=ttyS0
[ "$arch" = aarch64 ] && con=ttyAMA0
echo "demo: booting Debian $(cat "$ASSETS/vmlinuz-$series-$(deb_arch "$arch").version") on $arch (QEMU; about 20 s under TCG)"
rc=0
"$HERE/../../tools/efikexec-vm" --efikexec "$BUILD/$arch/efikexec.efi" --timeout 180 --time \
	--log "$LOGDIR/demo.log" "$ASSETS/vmlinuz-$series-$(deb_arch "$arch")" --initrd "$WORK/initrd-$arch.img" \
	-- "console=$con" || rc=$?
[ "$rc" = 0 ] || { echo "demo: efikexec-vm ended with status $rc (efikexec-vm(1), EXIT STATUS)"; exit 1; }
grep -q '^EFIKEXEC-INIT: done' < <(clean_log demo) || { echo "demo: the kernel did not reach its init"; exit 1; }
echo "demo: done - the kernel reached its init and powered off"
