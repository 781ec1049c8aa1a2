# SPDX-License-Identifier: BSD-2-Clause-Patent
# stage.sh - boot-stage tests (app/stage.c): efikexec as the removable-media
# loader of a GPT disk, started by the firmware with no shell and no script;
# Boot Loader Specification entries on the ESP and XBOOTLDR; the menu over
# serial; one-shot; chainloaded by systemd-boot and GRUB. Sourced by
# run-all.sh after tests.sh.

VERSION=$(sed -n 's/^#define EFIKEXEC_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' "$HERE/../../include/efikexec.h" | paste -sd.)
boot_name() { case $1 in x86_64) echo BOOTX64.EFI ;; aarch64) echo BOOTAA64.EFI ;; esac; }
deb_kernel() { echo "$ASSETS/vmlinuz-$2-$(deb_arch "$1")"; }

# stage_dir ARCH NAME: $SD with esp/ (efikexec as the removable-media
# loader, \loader\entries) and xbl/, empty otherwise.
stage_dir() {
	SD=$WORK/stage-$2
	rm -rf "$SD"
	mkdir -p "$SD/esp/EFI/BOOT" "$SD/esp/loader/entries" "$SD/xbl/loader/entries"
	cp "$BUILD/$1/efikexec.efi" "$SD/esp/EFI/BOOT/$(boot_name "$1")"
}

# stage_tree ARCH NAME: $SD/esp and $SD/xbl, the two partitions' files:
#   ESP       \EFI\BOOT\BOOT*.EFI (efikexec), 6.1 kernel, initrd, loader.conf,
#             entries: debian-6.1 (good), old+0-2 (no tries left: never the
#             default though its version is highest), missing (no such
#             kernel), syntax (a key without a value; BOM and CRLF)
#   XBOOTLDR  6.12 kernel, initrd and an extra one; debian-6.12+3 (counted)
# Entry options get $OPTS_6_12 / $OPTS_6_1 (set by the caller).
stage_tree() {
	local arch=$1 name=$2
	stage_dir "$arch" "$name"
	cp "$(deb_kernel "$arch" 6.1)" "$SD/esp/vmlinuz-6.1"
	cp "$(deb_kernel "$arch" 6.12)" "$SD/xbl/vmlinuz-6.12"
	cp "$WORK/initrd-capture-$arch.img" "$SD/esp/initrd.img"
	cp "$WORK/initrd-6.12-$arch.img" "$SD/xbl/initrd.img"
	TOKEN=$RANDOM$RANDOM
	extra_initrd "$SD/xbl/extra.img" token "$TOKEN"
	local mid=0123456789abcdef0123456789abcdef
	printf '# efikexec boot-stage test\ntimeout %s\nfrobnicate yes\n' "${TIMEOUT:-0}" >"$SD/esp/loader/loader.conf"
	cat >"$SD/xbl/loader/entries/debian-6.12+3.conf" <<-EOF
		title Debian GNU/Linux
		version 6.12
		machine-id $mid
		sort-key debian
		linux /vmlinuz-6.12
		initrd /initrd.img
		initrd /extra.img
		options $OPTS_6_12
	EOF
	cat >"$SD/esp/loader/entries/debian-6.1.conf" <<-EOF
		title Debian GNU/Linux
		version 6.1
		machine-id $mid
		sort-key debian
		linux /vmlinuz-6.1
		initrd /initrd.img
		options $OPTS_6_1
	EOF
	cat >"$SD/esp/loader/entries/old+0-2.conf" <<-EOF
		title Debian GNU/Linux
		version 9.9
		machine-id $mid
		sort-key debian
		linux /vmlinuz-6.1
		options $OPTS_6_1
	EOF
	printf 'title Missing kernel\nlinux /vmlinuz-none\n' >"$SD/esp/loader/entries/missing.conf"
	printf '\xef\xbb\xbftitle Syntax error\r\nlinux\r\n' >"$SD/esp/loader/entries/syntax.conf"
	# a Type #2 entry: a UKI of the 6.1 kernel on XBOOTLDR, sorted by its
	# .osrel's ID after the entries whose sort key is "debian"
	mkdir -p "$SD/xbl/EFI/Linux"
	printf '%s\n' "console=$(console_of "$arch") efikexec.bli=1 efikexec.entry=uki panic=-1" >"$SD/uki.cmdline"
	printf 'PRETTY_NAME="Test UKI"\nID=zz\nVERSION_ID=1\n' >"$SD/uki.osrel"
	mkimage uki "$(stub_of "$arch")" "$(objcopy_of "$arch")" "$SD/xbl/EFI/Linux/test-uki.efi" \
		.osrel="$SD/uki.osrel" .cmdline="$SD/uki.cmdline" .initrd="$WORK/initrd-capture-$arch.img" \
		.linux="$(deb_kernel "$arch" 6.1)"
}

# stage_boot ARCH NAME [serial.py steps...]: the disk of $SD booted by the
# firmware; with steps, driven over the serial console.
stage_boot() {
	local arch=$1 name=$2
	shift 2
	gpt_disk "$WORK/disk-$name.img" "$SD/esp" "$SD/xbl"
	if [ $# = 0 ]; then
		QEMU_READY=${STAGE_READY:-boot stage} qemu_boot "$arch" "$name" "$WORK/disk-$name.img" 1G 240 ||
			{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	else
		qemu_cmd "$arch" "$name" "$WORK/disk-$name.img" 1G -serial stdio
		echo "${QEMU_CMD[*]}" >"$LOGDIR/$name.cmd"
		python3 "$HERE/serial.py" "$LOGDIR/$name.log" 200 "$@" -- "${QEMU_CMD[@]}" ||
			{ echo "serial.py exited with $?"; tail_log "$name"; return 1; }
	fi
}

# The firmware starts efikexec from the disk; efikexec boots the first
# entry by the specification's order (the counted 6.12 on XBOOTLDR: the
# bad entry's higher version does not count), renames it, and the OS reads
# the Boot Loader Interface. As a user has it (no log-level in an
# efikexec.conf): only its warnings are said, as systemd-boot says only
# its own - the firmware's boot line is the sign it arrived.
stage_default() {
	local arch=$1 name=stage-$1 con STARTUP_AS_IS=1 STAGE_READY="BdsDxe: starting"
	con=$(console_of "$arch")
	OPTS_6_12="console=$con efikexec.bli=1 efikexec.entry=xbl-6.12 efikexec.test=\"a b\" panic=-1"
	OPTS_6_1="console=$con efikexec.bli=1 efikexec.entry=esp-6.1 panic=-1"
	stage_tree "$arch" "$name"
	stage_boot "$arch" "$name"
	expect_line "$name" "EFIKEXEC-CMDLINE: $OPTS_6_12" "EFIKEXEC-EXTRA: token $TOKEN" \
		"EFIKEXEC-BLI: LoaderEntrySelected=debian-6.12.conf" \
		"EFIKEXEC-BLI: LoaderInfo=efikexec $VERSION" \
		"EFIKEXEC-BLI: LoaderDevicePartUUID=$ESP_UUID" \
		"EFIKEXEC-BLI: LoaderImageIdentifier=\\EFI\\BOOT\\$(boot_name "$arch")" \
		"EFIKEXEC-BLI: LoaderBootCountPath=\\loader\\entries\\debian-6.12+2-1.conf" \
		"EFIKEXEC-INIT: done"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" 6.12) " \
		"^EFIKEXEC-BLI: LoaderEntries=debian-6.12.conf debian-6.1.conf test-uki.efi old.conf (missing|syntax).conf (missing|syntax).conf" \
		"^EFIKEXEC-BLI: LoaderFirmwareType=UEFI [0-9]+\.[0-9]+" \
		"^EFIKEXEC-BLI: LoaderFeatures=0*3e[37]3f$" \
		"loader.conf:3: unknown key 'frobnicate'; ignored" \
		"missing.conf: broken: linux /vmlinuz-none is not on the ESP" \
		"syntax.conf: broken: line 2: key 'linux' has no value"
	local said
	said=$(clean_log "$name" | grep -E '^efikexec: (notice|info|debug): |boot stage' || true)
	[ -z "$said" ] || { echo "the stage said more than its warnings:"; echo "$said"; return 1; }
	local init exec
	init=$(clean_log "$name" | sed -n 's/^EFIKEXEC-BLI: LoaderTimeInitUSec=//p')
	exec=$(clean_log "$name" | sed -n 's/^EFIKEXEC-BLI: LoaderTimeExecUSec=//p')
	[ -n "$init" ] && [ -n "$exec" ] && [ "$exec" -gt "$init" ] ||
		{ echo "LoaderTimeExecUSec '$exec' is not after LoaderTimeInitUSec '$init'"; return 1; }
	# the rename is on the disk
	part_ls "$WORK/disk-$name.img" 2 /loader/entries | grep -qx 'debian-6.12+2-1.conf' ||
		{ echo "XBOOTLDR \\loader\\entries: $(part_ls "$WORK/disk-$name.img" 2 /loader/entries | tr '\n' ' ')"; return 1; }
}
t_stage_x86_64() { stage_default x86_64; }
t_stage_aarch64() { stage_default aarch64; }

# The menu over serial: the countdown stopped by a key (nothing boots
# while the timeout passes), Down twice to the third entry (the UKI), d to
# make it the default (LoaderEntryDefault), t for a second more
# (LoaderConfigTimeout), e to edit its command line (the UKI's .cmdline),
# Enter to boot it.
stage_menu() {
	local arch=$1 name=stage-menu-$1 con
	con=$(console_of "$arch")
	OPTS_6_12="console=$con efikexec.bli=1 efikexec.entry=xbl-6.12 panic=-1"
	OPTS_6_1="console=$con efikexec.bli=1 efikexec.entry=esp-6.1 panic=-1"
	TIMEOUT=4 stage_tree "$arch" "$name"
	stage_boot "$arch" "$name" 'wait:Boot in [0-9]+ s' 'send:x' 'quiet:8:EFIKEXEC-|Linux version' \
		'send:{down}' 'wait:=> 2 ' 'send:{down}' 'wait:=> 3 +Test UKI' 'send:d' 'wait:=> 3 +Test UKI \[default\]' \
		'send:t' 'wait:t/T: timeout \(5 s\)' \
		'send:e' 'wait:efikexec.entry=uki' 'send: efikexec.edited=yes' 'send:\r' \
		'wait:EFIKEXEC-INIT: done'
	expect_line "$name" "EFIKEXEC-CMDLINE: console=$con efikexec.bli=1 efikexec.entry=uki panic=-1 efikexec.edited=yes" \
		"EFIKEXEC-BLI: LoaderEntrySelected=test-uki.efi" \
		"EFIKEXEC-BLI: LoaderEntryDefault=test-uki.efi" "EFIKEXEC-BLI: LoaderConfigTimeout=5"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" 6.1) " "^EFIKEXEC-BLI: LoaderTimeMenuUSec=[0-9]+$"
	# not booted from the menu's first entry: its counter is untouched
	part_ls "$WORK/disk-$name.img" 2 /loader/entries | grep -qx 'debian-6.12+3.conf' ||
		{ echo "XBOOTLDR \\loader\\entries: $(part_ls "$WORK/disk-$name.img" 2 /loader/entries | tr '\n' ' ')"; return 1; }
}
t_stage_menu_x86_64() { stage_menu x86_64; }
t_stage_menu_aarch64() { stage_menu aarch64; }

# One-shot: the default entry's OS sets LoaderEntryOneShot to the other
# entry and reboots; that one boots once, then the default again.
stage_oneshot() {
	local arch=$1 name=stage-oneshot-$1 con
	con=$(console_of "$arch")
	OPTS_6_12="console=$con efikexec.bli=1 efikexec.entry=A efikexec.then=oneshot efikexec.oneshot=debian-6.1.conf panic=-1"
	OPTS_6_1="console=$con efikexec.bli=1 efikexec.entry=B efikexec.then=reboot panic=-1"
	stage_tree "$arch" "$name"
	QEMU_WARM_RESET=1 stage_boot "$arch" "$name"
	local seq
	seq=$(clean_log "$name" | sed -n 's/^EFIKEXEC-CMDLINE: .*efikexec.entry=\([AB]\) .*/\1/p' | tr -d '\n')
	[ "$seq" = ABA ] || { echo "entries booted: '$seq', want ABA"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-INIT: oneshot set to debian-6.1.conf, rebooting" "EFIKEXEC-INIT: oneshot done"
	# three boots of a counted entry would be +0-3; A was booted twice
	part_ls "$WORK/disk-$name.img" 2 /loader/entries | grep -qx 'debian-6.12+1-2.conf' ||
		{ echo "XBOOTLDR \\loader\\entries: $(part_ls "$WORK/disk-$name.img" 2 /loader/entries | tr '\n' ' ')"; return 1; }
}
t_stage_oneshot_x86_64() { stage_oneshot x86_64; }
t_stage_oneshot_aarch64() { stage_oneshot aarch64; }

# The primary GPT broken (a byte of its header changed, its CRC32 no longer
# holds) under U-Boot's UEFI, which uses the backup as it is (EDK II would
# rewrite the primary before any loader ran): the stage says why it does
# not trust LBA 1, takes the backup copy, as systemd-boot does, finds
# XBOOTLDR there, and boots its entry. (U-Boot's file system renames
# nothing: SetInfo with a new FileName is EFI_ACCESS_DENIED, so the count
# is said not made, and the boot goes on.)
t_stage_gpt_backup_aarch64() {
	local arch=aarch64 name=stage-gpt-backup-aarch64 opts
	stage_dir "$arch" "$name"
	opts="console=ttyAMA0 efikexec.bli=1 efikexec.entry=xbl-backup panic=-1"
	cp "$(deb_kernel "$arch" 6.12)" "$SD/xbl/vmlinuz-6.12"
	cp "$WORK/initrd-6.12-$arch.img" "$SD/xbl/initrd.img"
	printf 'timeout 0\n' >"$SD/esp/loader/loader.conf"
	printf 'title On XBOOTLDR\nlinux /vmlinuz-6.12\ninitrd /initrd.img\noptions %s\n' "$opts" \
		>"$SD/xbl/loader/entries/backup+2.conf"
	DISK_MB=64 gpt_disk "$WORK/disk-$name.img" "$SD/esp" "$SD/xbl"
	printf '\377' | dd of="$WORK/disk-$name.img" bs=1 seek=$((512 + 56)) conv=notrunc status=none
	QEMU_UBOOT=/usr/lib/u-boot/qemu_arm64/u-boot.bin QEMU_READY="U-Boot" \
		qemu_boot "$arch" "$name" "$WORK/disk-$name.img" 1G 240 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_grep "$name" \
		"the ESP's disk: its GPT at LBA 1 is not to be trusted \(.*CRC" \
		"the ESP's disk: the GPT's copy at LBA [0-9]+ is used"
	expect_grep "$name" "XBOOTLDR partition found" \
		"cannot rename \\\\loader\\\\entries\\\\backup\\+2.conf to backup\\+1-1.conf: EFI_ACCESS_DENIED; booting it anyway"
	expect_line "$name" "EFIKEXEC-CMDLINE: $opts" "EFIKEXEC-BLI: LoaderEntrySelected=backup.conf" "EFIKEXEC-INIT: done"
}

# Nothing bootable, a loader.conf with a NUL byte and an overlong line, an
# entry with an overlong line, 300 more entries: the menu says why, and
# offers the firmware's shell, which then starts.
t_stage_nothing_x86_64() {
	local arch=x86_64 name=stage-nothing-x86_64
	stage_dir "$arch" "$name"
	{ printf 'timeout 3\ndefault x\0y\n'; head -c 5000 /dev/zero | tr '\0' a; echo; } >"$SD/esp/loader/loader.conf"
	printf 'title Missing kernel\nlinux /vmlinuz-none\n' >"$SD/esp/loader/entries/missing.conf"
	printf 'title Too many\nlinux /v\ninitrd /1\n' >"$SD/esp/loader/entries/huge.conf"
	head -c 5000 /dev/zero | tr '\0' x >>"$SD/esp/loader/entries/huge.conf"
	# efikexec itself without options: not listed (it would only come back here)
	printf 'title Myself\nefi /EFI/BOOT/BOOTX64.EFI\n' >"$SD/esp/loader/entries/self.conf"
	# and hundreds of entries (none bootable): the menu scrolls to the end
	local i
	for i in $(seq 100 399); do
		printf 'title Entry %s\nversion %s\nlinux /none-%s\n' "$i" "$i" "$i" >"$SD/esp/loader/entries/many-$i.conf"
	done
	stage_boot "$arch" "$name" 'wait:Nothing configured can be booted' \
		'send:{end}' 'send:{up}' 'wait:=> +[0-9]* *EFI Internal Shell' 'send:\r' 'wait:Shell>' 'send:reset -s\r'
	expect_grep "$name" "loader.conf: line 2: a NUL byte" "huge.conf: broken: line 4: 5000 bytes, more than the limit of 4096" \
		"missing.conf: broken: linux /vmlinuz-none is not on the ESP" "boot stage, 302 entries on the ESP" \
		"many-399.conf: broken: linux /none-399 is not on the ESP" \
		"self.conf: 'efi /EFI/BOOT/BOOTX64.EFI' is efikexec itself, with no options: not listed"
}

# chain_esp ARCH NAME: an ESP folder with efikexec at \EFI\efikexec, a 6.1
# kernel, its initrd and an extra one ($TOKEN); in $SD.
chain_esp() {
	local arch=$1 name=$2
	SD=$(new_esp "$name")
	mkdir -p "$SD/EFI/BOOT" "$SD/EFI/efikexec" "$SD/loader/entries"
	cp "$BUILD/$arch/efikexec.efi" "$SD/EFI/efikexec/efikexec.efi"
	cp "$(deb_kernel "$arch" 6.1)" "$SD/vmlinuz"
	cp "$WORK/initrd-$arch.img" "$SD/initrd.img"
	TOKEN=$RANDOM$RANDOM
	extra_initrd "$SD/extra.img" token "$TOKEN"
}

sd_boot_efi() {
	case $1 in
	x86_64) echo /usr/lib/systemd/boot/efi/systemd-bootx64.efi ;;
	aarch64) echo "$BUILD/sysroot-arm64/usr/lib/systemd/boot/efi/systemd-bootaa64.efi" ;;
	esac
}

# Started by Debian's systemd-boot: an `efi` entry with options (efikexec
# reads them as from the shell), and an entry whose `linux` is efikexec,
# with `initrd` lines: systemd-boot serves those through LoadFile2 and
# puts initrd= first in the options; efikexec takes the LoadFile2 initrd.
chain_sdboot() {
	local arch=$1 kind=$2 name=chain-sdboot-$2-$1 con
	con=$(console_of "$arch")
	chain_esp "$arch" "$name"
	cp "$(sd_boot_efi "$arch")" "$SD/EFI/BOOT/$(boot_name "$arch")"
	printf 'timeout 0\ndefault %s.conf\n' "$kind" >"$SD/loader/loader.conf"
	local args="console=$con efikexec.entry=sd-$kind panic=-1"
	# -v: the plan, which says where the initrd came from
	printf 'title efikexec (efi)\nefi /EFI/efikexec/efikexec.efi\noptions -v \\vmlinuz initrd=\\initrd.img initrd=\\extra.img %s\n' \
		"${args/sd-$kind/sd-efi}" >"$SD/loader/entries/efi.conf"
	printf 'title efikexec (linux)\nlinux /EFI/efikexec/efikexec.efi\ninitrd /initrd.img\ninitrd /extra.img\noptions -v \\vmlinuz %s\n' \
		"${args/sd-$kind/sd-linux}" >"$SD/loader/entries/linux.conf"
	QEMU_READY="BdsDxe: starting" qemu_boot "$arch" "$name" "$SD" 1G 200 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-EXTRA: token $TOKEN" "EFIKEXEC-INIT: done"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" 6.1) "
	if [ "$kind" = linux ]; then
		expect_grep "$name" "the parent loader's initrd \(LoadFile2\), [0-9]+ bytes, comes first"
	fi
}
t_chain_sdboot_efi_x86_64() { chain_sdboot x86_64 efi; }
t_chain_sdboot_linux_x86_64() { chain_sdboot x86_64 linux; }
t_chain_sdboot_efi_aarch64() { chain_sdboot aarch64 efi; }
t_chain_sdboot_linux_aarch64() { chain_sdboot aarch64 linux; }

# Started by GRUB (grub-mkstandalone from Debian's grub-efi-*-bin) with
# `chainloader FILE ARGS`: the arguments become efikexec's options.
chain_grub() {
	local arch=$1 name=chain-grub-$1 con fmt dir=()
	con=$(console_of "$arch")
	chain_esp "$arch" "$name"
	case $arch in
	x86_64) fmt=x86_64-efi ;;
	aarch64) fmt=arm64-efi dir=(-d "$ASSETS/grub-arm64/usr/lib/grub/arm64-efi") ;;
	esac
	local args="console=$con efikexec.entry=grub panic=-1"
	cat >"$WORK/$name.cfg" <<-EOF
		set timeout=0
		search --no-floppy --file --set=root /EFI/efikexec/efikexec.efi
		menuentry efikexec {
			chainloader /EFI/efikexec/efikexec.efi /vmlinuz initrd=/initrd.img initrd=/extra.img $args
		}
	EOF
	grub-mkstandalone -O "$fmt" "${dir[@]}" -o "$SD/EFI/BOOT/$(boot_name "$arch")" \
		--modules="part_gpt part_msdos fat search chain normal" "boot/grub/grub.cfg=$WORK/$name.cfg"
	QEMU_READY="BdsDxe: starting" qemu_boot "$arch" "$name" "$SD" 1G 200 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-EXTRA: token $TOKEN" "EFIKEXEC-INIT: done"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" 6.1) "
}
t_chain_grub_x86_64() { chain_grub x86_64; }
t_chain_grub_aarch64() { chain_grub aarch64; }

# Beyond systemd-boot: crash capture armed from efikexec.conf; a counted
# entry's kernel panics before it was blessed. The next start marks that
# entry bad (+0-DONE), captures first (the capture kernel reboots), and the
# start after boots the next good entry.
# stage_capture NAME [sb]: with sb, under Secure Boot with a TPM
# (tests/qemu/trust.sh): efikexec and the kernel signed, both kernels
# verified, the capture kernel measured when it is entered.
# stage_capture NAME [sb] [net]: with net the capture kernel and its
# initrd are URLs (a server on 127.0.0.1, a NIC, the disk first)
stage_capture() {
	local arch=x86_64 name=$1 sb=${2:-} net=${3:-} con=ttyS0 rc=0 extra=() ck=/vmlinuz ci=/initrd.img
	stage_dir "$arch" "$name"
	cp "$(kernel_path "$arch" 6.1)" "$SD/esp/vmlinuz"
	if [ -n "$sb" ]; then
		sign "$BUILD/$arch/efikexec.efi" "$SD/esp/EFI/BOOT/$(boot_name "$arch")" &&
			sign "$(kernel_path "$arch" 6.1)" "$SD/esp/vmlinuz" || return 1
	fi
	cp "$WORK/initrd-capture-$arch.img" "$SD/esp/initrd.img"
	if [ -n "$net" ]; then
		mkdir -p "$SD/srv"
		cp "$SD/esp/vmlinuz" "$SD/esp/initrd.img" "$SD/srv/"
		serve_start "$SD/srv" "$name"
		ck=http://10.0.2.2:$NET_PORT/vmlinuz ci=http://10.0.2.2:$NET_PORT/initrd.img
		net_args "$SD/srv"
		extra+=("${NET_ARGS[@]}")
		CAPTURE_URL=$ck
	fi
	TOKEN=$RANDOM$RANDOM
	printf 'timeout 0\n' >"$SD/esp/loader/loader.conf"
	cat >"$SD/esp/EFI/BOOT/efikexec.conf" <<-EOF
		capture-kernel $ck
		capture-initrd $ci
		capture-options console=$con nr_cpus=1 panic=-1 efikexec.token=$TOKEN
		capture-options efikexec.capture_then=reboot
		capture-size $CAPTURE_SIZE
	EOF
	local e
	for e in A B; do
		{
			echo "title Entry $e"
			echo "sort-key test"
			echo "version $([ $e = A ] && echo 2 || echo 1)"
			echo "linux /vmlinuz"
			echo "initrd /initrd.img"
			echo "options console=$con panic=1 efikexec.token=$TOKEN efikexec.entry=$e$([ $e = A ] && echo ' efikexec.then=crash')"
		} >"$SD/esp/loader/entries/$([ $e = A ] && echo 'crashy+2.conf' || echo 'good.conf')"
	done
	gpt_disk "$WORK/disk-$name.img" "$SD/esp"
	if [ -n "$sb" ]; then
		sb_vars "$WORK/$name.vars" "$arch" || return 1
		tpm_start "$name" "$arch" || return 1
		extra+=("${TPM_ARGS[@]}")
		export FW_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd FW_VARS=$WORK/$name.vars
	fi
	QEMU_DISK_FIRST=$([ -n "$net" ] && echo 1 || echo 0) QEMU_WARM_RESET=1 QEMU_READY="boot stage" \
		qemu_boot "$arch" "$name" "$WORK/disk-$name.img" 1G 400 "${extra[@]}" || rc=$?
	[ -z "$net" ] || serve_stop
	[ -z "$sb" ] || tpm_stop "$name"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$name"; return 1; }
	local seq
	seq=$(clean_log "$name" | sed -n 's/^EFIKEXEC-CMDLINE: .*efikexec.entry=\([AB]\).*/\1/p' | tr -d '\n')
	[ "$seq" = AB ] || { echo "entries booted: '$seq', want AB"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-INIT: crashing" "EFIKEXEC-CAPTURE: done" "EFIKEXEC-INIT: done"
	expect_grep "$name" "crashy\+1-1.conf crashed before it was blessed: now crashy\+0-1.conf" \
		"^efikexec: info: capture: the main kernel crashed: efi-pstore record dump-type0-"
	part_ls "$WORK/disk-$name.img" 1 /loader/entries | grep -qx 'crashy+0-1.conf' ||
		{ echo "ESP \\loader\\entries: $(part_ls "$WORK/disk-$name.img" 1 /loader/entries | tr '\n' ' ')"; return 1; }
}
t_stage_capture_x86_64() { stage_capture stage-capture-x86_64; }

# A boot that fails returns to the menu: the default entry's kernel is
# garbage (the error names it); a key brings the menu back, without a
# countdown; the next entry is an `efi` one, efikexec itself with options,
# started with LoadImage/StartImage.
t_stage_return_x86_64() {
	local arch=x86_64 name=stage-return-x86_64
	stage_dir "$arch" "$name"
	cp "$(deb_kernel "$arch" 6.1)" "$SD/esp/vmlinuz"
	cp "$WORK/initrd-$arch.img" "$SD/esp/initrd.img"
	head -c 100000 /dev/urandom >"$SD/esp/garbage.bin"
	printf 'timeout 0\n' >"$SD/esp/loader/loader.conf"
	printf 'title Garbage\nsort-key a\nlinux /garbage.bin\n' >"$SD/esp/loader/entries/a.conf"
	printf 'title Chained\nsort-key b\nefi /EFI/BOOT/BOOTX64.EFI\noptions \\vmlinuz initrd=\\initrd.img console=ttyS0 efikexec.entry=efi panic=-1\n' \
		>"$SD/esp/loader/entries/b.conf"
	stage_boot "$arch" "$name" 'wait:Press a key to return to the menu' 'send:x' 'wait:boot menu' \
		'send:{down}' 'send:\r' 'wait:EFIKEXEC-INIT: done'
	expect_line "$name" "EFIKEXEC-CMDLINE: console=ttyS0 efikexec.entry=efi panic=-1"
	expect_grep "$name" "garbage\.bin" "efikexec: the entry did not boot"
}
