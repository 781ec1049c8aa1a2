# SPDX-License-Identifier: BSD-2-Clause-Patent
# os.sh - a real Debian system installs efikexec and boots through it
# (sourced by suite.sh). The image: Debian 12 made with mmdebstrap from
# Debian's archive (systemd, udev, linux-image-amd64 with initramfs-tools,
# efibootmgr, systemd-boot for bootctl), the efikexec package of `make deb`
# installed with dpkg, the ESP prepared by the package's own installer
# (efikexec-install install) and the kernel's entry written by the
# package's kernel hook through systemd's kernel-install, all in a chroot;
# a GPT disk of an ESP (FAT32, mtools) and an ext4 root (mkfs.ext4 -d), no
# loop mounts. The ESP is a tmpfs mounted at /boot/efi while the chroot
# works, so that kernel-install sees a mount point there as it would on a
# machine (it names entry paths relative to the ESP's mount).
#
# Boot 1 (one QEMU run): firmware -> efikexec as \EFI\BOOT\BOOTX64.EFI (no shell) -> the
# counted entry -> Debian's kernel and initramfs -> systemd, where a unit
# prints `bootctl status` and `efikexec-install status`, lists the entries
# after systemd-bless-boot, runs `efikexec-install install` against the real
# efivarfs (a boot entry first in BootOrder), installs Debian's 6.12 kernel
# from bookworm-backports with dpkg (its entry comes from the hooks) and
# powers off. Boot 2 (the machine started again, disk and firmware
# variables kept): the firmware starts efikexec through that boot entry,
# which boots the newer kernel; `efikexec-install set-oneshot` names the
# first kernel's entry for the next boot (`list` shows it the default);
# `apt-get purge` removes the newer kernel and the hook its entry.

# the base system, once per package list (mmdebstrap, Debian's archive);
# python3, liblz4-1 and liblzo2-2 because the efikexec package depends on
# them (efikexec-vm; efikexec-plan reads lz4 and lzo kernels), and dpkg -i
# installs no dependencies
OS_ASSETS=$ASSETS/os-amd64
OS_PKGS="systemd systemd-sysv udev linux-image-amd64 initramfs-tools efibootmgr systemd-boot e2fsprogs kmod apt libfdt1 zstd python3 liblz4-1 liblzo2-2"
OS_MID=4e0a9d1c6f2b47e5a3c8d7b6e5f40312
OS_ROOT_UUID=6a1f3e2d-9c8b-4a7e-b5d4-c3e2f1a0b9c8
OS_ESP_UUID=2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901
# the second kernel: Debian's 6.12 from bookworm-backports, cloud flavour
# (34 MB installed, against the generic flavour's 400: less for TCG to unpack)
OS_NEW_KERNEL_META=linux-image-cloud-amd64/bookworm-backports

os_base() {
	local key tar
	# initramfs-tools' MODULES=list with what a QEMU disk needs: the
	# initramfs is made in seconds under TCG, not minutes
	key=$(echo "$OS_PKGS v1" | md5sum | cut -c1-8)
	tar=$OS_ASSETS/base-$key.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$OS_ASSETS"
		echo "os: building the base system with mmdebstrap (once)" >&2
		mmdebstrap --quiet --format=tar --variant=minbase --include="$(tr ' ' , <<<"$OS_PKGS")" \
			--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
			--essential-hook='echo MODULES=list >"$1/etc/initramfs-tools/conf.d/efikexec-test.conf"' \
			--essential-hook='printf "virtio_pci\nvirtio_blk\next4\n" >"$1/usr/share/initramfs-tools/modules.d/efikexec-test"' \
			bookworm "$tar.tmp" \
			"deb http://deb.debian.org/debian bookworm main" \
			"deb http://deb.debian.org/debian bookworm-updates main" \
			"deb http://deb.debian.org/debian-security bookworm-security main" >&2
		mv "$tar.tmp" "$tar"
	fi
	echo "$tar"
}

# the second kernel's package, kept whole
os_new_kernel() {
	local pkg dir=$OS_ASSETS/debs
	pkg=$(apt-cache depends "$OS_NEW_KERNEL_META" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n1)
	[ -n "$pkg" ] || { echo "os: no kernel package behind $OS_NEW_KERNEL_META" >&2; return 1; }
	mkdir -p "$dir"
	if ! ls "$dir/${pkg}_"*.deb >/dev/null 2>&1; then
		(cd "$dir" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
	fi
	ls "$dir/${pkg}_"*.deb
}

# os_image DISK LOG: the disk, prepared as described above; the chroot's
# output in LOG
os_image() {
	local disk=$1 log=$2 base newk deb R esp kver
	base=$(os_base)
	newk=$(os_new_kernel)
	deb=$(ls "$BUILD"/deb/efikexec_*_amd64.deb)
	R=$WORK/os-root
	esp=$WORK/os-esp
	# a mount left by an interrupted run is taken down before anything is removed
	umount "$R/boot/efi" 2>/dev/null || true
	umount "$R/proc" 2>/dev/null || true
	if mount | grep -F " $R/" >/dev/null; then
		echo "os: $R still has mounts; not removing it" >&2
		return 1
	fi
	rm -rf "$R" "$esp"
	mkdir -p "$R" "$esp"
	tar -C "$R" -xf "$base"
	kver=$(ls "$R"/boot/vmlinuz-* | sed 's|.*/vmlinuz-||' | head -n1)

	echo "$OS_MID" >"$R/etc/machine-id"
	echo efikexec-test >"$R/etc/hostname"
	printf 'PARTUUID=%s / ext4 errors=remount-ro 0 1\nPARTUUID=%s /boot/efi vfat umask=0077 0 0\n' \
		"$OS_ROOT_UUID" "$OS_ESP_UUID" >"$R/etc/fstab"
	# kernel-install's command line for every entry it writes
	echo "root=PARTUUID=$OS_ROOT_UUID rw console=ttyS0 panic=-1" >"$R/etc/kernel/cmdline"
	cp "$newk" "$R/root/"
	install -m 0755 "$SUITE/os-test" "$R/usr/local/sbin/efikexec-os-test"
	cat >"$R/etc/systemd/system/efikexec-os-test.service" <<'UNIT'
[Unit]
Description=efikexec's OS test: what the boot loader reported, seen from the OS
After=multi-user.target systemd-bless-boot.service

[Service]
Type=oneshot
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TTYVHangup=no
ExecStart=/usr/local/sbin/efikexec-os-test

[Install]
WantedBy=multi-user.target
UNIT
	ln -sf /etc/systemd/system/efikexec-os-test.service "$R/etc/systemd/system/multi-user.target.wants/"
	# no login prompt on the serial console: a getty starting there hangs
	# the test's output up (vhangup)
	ln -sf /dev/null "$R/etc/systemd/system/serial-getty@ttyS0.service"

	mkdir -p "$R/boot/efi"
	# /proc for the chroot's programs; /dev is the image's own (mmdebstrap
	# made its nodes), /sys is not needed
	mount -t tmpfs -o size=512m tmpfs "$R/boot/efi"
	mount -t proc proc "$R/proc"
	cp "$deb" "$R/tmp/"
	local rc=0
	{
		set -x
		chroot "$R" dpkg -i "/tmp/${deb##*/}" &&
			chroot "$R" env SYSTEMD_ESP_PATH=/boot/efi SYSTEMD_RELAX_ESP_CHECKS=1 \
				efikexec-install install --no-variables --install-conf --tries=3 &&
			chroot "$R" env SYSTEMD_ESP_PATH=/boot/efi SYSTEMD_RELAX_ESP_CHECKS=1 \
				/etc/kernel/postinst.d/zz-efikexec "$kver" "/boot/vmlinuz-$kver" &&
			sed -i 's/^timeout .*/timeout 0/' "$R/boot/efi/loader/loader.conf" &&
			cp -a "$R/boot/efi/." "$esp/" || rc=1
		set +x
	} >"$log" 2>&1
	rm -f "$R/tmp/${deb##*/}"
	umount "$R/boot/efi" "$R/proc" || { echo "os: cannot unmount $R/boot/efi or $R/proc" >&2; return 1; }
	[ "$rc" = 0 ] || { cat "$log"; return 1; }

	# the disk: ESP 256 MiB (FAT32), root 3 GiB (ext4)
	local tmp=$WORK/os-parts
	rm -rf "$tmp" && mkdir -p "$tmp"
	mkfs.vfat -F 32 -C "$tmp/esp" $((256 * 1024)) >/dev/null
	mcopy -s -Q -i "$tmp/esp" "$esp"/* ::/
	mkfs.ext4 -q -d "$R" -L root "$tmp/root" 3G
	rm -f "$disk"
	truncate -s $((1 + 256 + 3072 + 1))M "$disk"
	printf 'label: gpt\nstart=2048, size=256MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=%s, name=ESP\nsize=3GiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=%s, name=root\n' \
		"$OS_ESP_UUID" "$OS_ROOT_UUID" | sfdisk -q "$disk" >/dev/null
	dd if="$tmp/esp" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
	dd if="$tmp/root" of="$disk" bs=1M seek=257 conv=notrunc,sparse status=none
	rm -rf "$tmp" "$R" "$esp"
}

t_os_debian_x86_64() {
	local name=os-debian-x86_64 disk=$WORK/os-debian.img log mid=$OS_MID
	os_image "$disk" "$LOGDIR/$name-image.log"
	# which entry the hook wrote, and where
	grep -q "efikexec: adding kernel" "$LOGDIR/$name-image.log"
	# (QEMU_DONE: the checks are all made once the guest says done; its
	# power-off is the kernel's and the emulator's business)
	# Two machine starts, the disk and the firmware's variables kept: a
	# reboot from inside the guest hung 2 times in 4 under TCG (after
	# "reboot: machine restart", firmware and all; docs/TESTING.md), a
	# power-off never did. QEMU_DONE: the checks are all made once the
	# guest says so; its power-off is the kernel's and the emulator's.
	QEMU_READY="BdsDxe: starting" QEMU_DONE="EFIKEXEC-OS: powering off" \
		qemu_boot x86_64 "$name-1" "$disk" 2G 400 || {
		tail_log "$name-1"
		return 1
	}
	FW_VARS=$WORK/vars-$name-1.fd QEMU_READY="BdsDxe: starting" QEMU_DONE="EFIKEXEC-OS: done" \
		qemu_boot x86_64 "$name-2" "$disk" 2G 400 || {
		tail_log "$name-2"
		return 1
	}
	clean_log "$name-1" >"$LOGDIR/$name.log"
	clean_log "$name-2" >>"$LOGDIR/$name.log"
	log=$(cat "$LOGDIR/$name.log")
	# check REGEX WHAT: the log has it, or the test fails (fails=1)
	local fails=0
	check() {
		if grep -aqE -- "$1" <<<"$log"; then
			echo "ok: $2"
		else
			echo "FAILED: $2 (no /$1/ in $LOGDIR/$name.log)"
			fails=1
		fi
	}
	local kold knew
	kold=$(grep -ao 'EFIKEXEC-OS: boot 1: kernel [^ ]*' <<<"$log" | sed 's/.* //')
	knew=$(dpkg-deb -f "$(os_new_kernel)" Package | sed 's/^linux-image-//')
	local eo en
	# the versions as regular expressions (6.12.95+deb12-cloud-amd64)
	eo=$(sed 's/[.+*?^$()|{}]/\\&/g' <<<"$kold")
	en=$(sed 's/[.+*?^$()|{}]/\\&/g' <<<"$knew")
	# boot 1: the firmware's removable path, efikexec's stage, the counted entry
	check 'BdsDxe: starting Boot[0-9A-F]{4} "UEFI Misc Device' "boot 1: the firmware starts \\EFI\\BOOT\\BOOTX64.EFI from the disk"
	# (the OS's view: the stage says no more than its warnings)
	check "EISTATUS: +Boot counting: \\\\loader\\\\entries\\\\$mid-$eo\\+2-1\\.conf" "boot 1: efikexec counted the entry kernel-install wrote with tries 3 (+3 is now +2-1)"
	check "EFIKEXEC-OS: boot 1: kernel $eo" "boot 1: systemd runs on Debian's $kold"
	# what systemd's own tools read
	check "BOOTCTL: +Product: efikexec [0-9.]+" "bootctl status: the current boot loader is efikexec"
	check "BOOTCTL: .*Boot counting" "bootctl status: efikexec's features"
	check "BOOTCTL: +ESP: /dev/disk/by-partuuid/$OS_ESP_UUID" "bootctl status: the ESP efikexec booted from (LoaderDevicePartUUID)"
	check "EISTATUS: +Product: efikexec" "efikexec-install status: the running loader"
	check "EISTATUS: +Current Entry: $mid-$eo.conf" "efikexec-install status: the booted entry"
	check "EISTATUS: +File: /EFI/efikexec/efikexecx64.efi \\(efikexec [0-9.]+\\)" "efikexec-install status: what is installed on the ESP"
	check "EFIKEXEC-OS: bless: active" "systemd-bless-boot ran"
	check "ENTRY-1: $mid-$eo.conf\$" "boot 1: systemd-bless-boot renamed the entry without its counter"
	check "EFIBOOTMGR: Boot[0-9A-F]{4}\\* efikexec\\s+HD\\(1,GPT,$OS_ESP_UUID,0x800,0x80000\\)/File\\(\\\\EFI\\\\efikexec\\\\efikexecx64.efi\\)" \
		"efikexec-install install in the guest: efibootmgr shows its boot entry"
	check "DPKG: efikexec: adding kernel $en" "dpkg -i of $knew: efikexec's hooks ran"
	check "ENTRY-ADDED: $mid-$en\\+3.conf" "dpkg -i of $knew: kernel-install wrote its entry with tries 3"
	# boot 2: through the firmware boot entry, the newer kernel
	check 'BdsDxe: starting Boot[0-9A-F]{4} "efikexec"' "boot 2: the firmware starts efikexec through its boot entry"
	check "EFIKEXEC-OS: boot 2: kernel $en" "boot 2: efikexec booted the newer kernel, uname -r says $knew"
	check "ENTRY-2: $mid-$en.conf\$" "boot 2: its entry blessed"
	check "LIST: +title: .*\\($eo\\) \\(default\\)" "efikexec-install list: after set-oneshot, $kold's entry is the default"
	check "ONESHOT|LIST" "set-oneshot ran" >/dev/null
	if grep -aq "ENTRY-PURGED: $mid-$knew" <<<"$log" || ! grep -aq "EFIKEXEC-OS: purged" <<<"$log" ||
		! grep -aq "APT: efikexec: removing kernel $knew" <<<"$log"; then
		echo "FAILED: apt-get purge of $knew: its entry stays (or the purge or the hook did not run)"
		fails=1
	else
		echo "ok: apt-get purge of $knew: the hook removed its entry"
	fi
	check "EFIKEXEC-OS: done" "the guest's test ran to its end"
	[ "$fails" = 0 ]
}
