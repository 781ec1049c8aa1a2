# SPDX-License-Identifier: BSD-2-Clause-Patent
# trust.sh - Secure Boot and measured-boot tests (efi/trust.c): swtpm as
# the guest's TPM 2.0, OVMF/AAVMF with Debian's snakeoil keys (and with
# Microsoft's plus shim), images signed here with sbsign. Under Secure Boot
# the firmware refuses its own shell, so those boots start efikexec from a
# disk's removable-media path and go by its entries (the boot stage).
# Sourced by run-all.sh after stage.sh.

SNAKEOIL_CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
# snakeoil_key: the key, decrypted (README.Debian: "The password for the
# key is 'snakeoil'"; sbsign cannot ask for it without a terminal)
snakeoil_key() {
	local k=$WORK/snakeoil.key
	if [ ! -s "$k" ]; then
		openssl pkey -in /usr/share/ovmf/PkKek-1-snakeoil.key -passin pass:snakeoil -out "$k.$BASHPID"
		mv "$k.$BASHPID" "$k"
	fi
	echo "$k"
}
# sign IN OUT: OUT is IN signed with the snakeoil key
sign() { sbsign --key "$(snakeoil_key)" --cert "$SNAKEOIL_CERT" --output "$2" "$1" >/dev/null 2>&1 || { echo "sbsign $1 failed"; return 1; }; }

# tpm_start NAME ARCH: a fresh swtpm for boot NAME; QEMU's arguments for it
# in TPM_ARGS (tpm-crb on x86, tpm-tis-device on arm: all QEMU 7.2 has)
tpm_start() {
	local d=$WORK/tpm-$1 dev=tpm-crb
	tpm_stop "$1"
	rm -rf "$d"
	mkdir -p "$d"
	swtpm socket --tpm2 --tpmstate dir="$d" --ctrl type=unixio,path="$d/sock" --daemon \
		--pid file="$d/pid" --log file="$d/swtpm.log" || { echo "swtpm did not start"; return 1; }
	[ "$2" = aarch64 ] && dev=tpm-tis-device
	TPM_ARGS=(-chardev "socket,id=chrtpm,path=$d/sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
		-device "$dev,tpmdev=tpm0")
}
tpm_stop() {
	local p=$WORK/tpm-$1/pid
	[ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null
	rm -f "$p"
}

# sb_vars OUT ARCH [dbx HASH]: the snakeoil variable store (PK, KEK, db: the
# snakeoil certificate; Secure Boot on), with HASH added to dbx
sb_vars() {
	local out=$1 src=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
	[ "${2:-}" = aarch64 ] && src=/usr/share/AAVMF/AAVMF_VARS.snakeoil.fd
	if [ "${3:-}" = dbx ]; then
		virt-fw-vars -i "$src" --output-json "$out.json" >/dev/null 2>&1 &&
			python3 "$HERE/trust.py" dbx "$out.json" "$4" "$out.dbx.json" &&
			virt-fw-vars -i "$src" --set-json "$out.dbx.json" -o "$out" >/dev/null 2>&1 ||
			{ echo "virt-fw-vars could not add to dbx"; return 1; }
	else
		cp "$src" "$out"
	fi
}

# --- measured boot, no Secure Boot --------------------------------------------------

# tpm_esp ARCH NAME: an ESP with efikexec, Debian's 6.12 kernel and the
# initramfs with its modules; in $ESP
tpm_esp() {
	ESP=$(new_esp "$2")
	cp "$BUILD/$1/efikexec.efi" "$ESP/efikexec.efi"
	cp "$(deb_kernel "$1" 6.12)" "$ESP/vmlinuz"
	cp "$WORK/initrd-6.12-$1.img" "$ESP/initrd.img"
}
# tpm_boot ARCH NAME: $ESP booted with a fresh swtpm
tpm_boot() {
	local rc=0
	tpm_start "$2" "$1" || return 1
	qemu_boot "$1" "$2" "$ESP" 1G 240 "${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$2"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$2"; return 1; }
}

# From the shell, a TPM: the guest's PCRs 0-9 equal the replay of the
# event log it was handed, PCR 9 holds the initrds and the command line as
# the EFI stub measures them (digests computed here from the same bytes),
# PCR 4 the kernel's PE image; the kernel says Secure Boot is disabled.
trust_tpm_x86_64() {
	local arch=x86_64 name=trust-tpm-x86_64 esp args
	tpm_esp "$arch" "$name"
	esp=$ESP
	TOKEN=$RANDOM$RANDOM
	extra_initrd "$esp/extra.img" token "$TOKEN"
	args="console=ttyS0 efikexec.trust=1 efikexec.test=\"a b\" panic=-1"
	startup_nsh "$esp" "efikexec.efi vmlinuz initrd=initrd.img initrd=extra.img $args"
	tpm_boot "$arch" "$name" || return 1
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-EXTRA: token $TOKEN" \
		"EFIKEXEC-SB: secureboot: Secure boot disabled" \
		"EFIKEXEC-LOCKDOWN: [none] integrity confidentiality" "EFIKEXEC-TRUST: done"
	expect_grep "$name" "^efikexec: info: tpm: measured vmlinuz \(PE image\) \([0-9]+ bytes\) into PCR 4$" \
		"^efikexec: info: tpm: measured the initrd \([0-9]+ bytes\) into PCR 9$" \
		"^efikexec: info: tpm: measured the command line \([0-9]+ bytes\) into PCR 9$" \
		"^efikexec: info: tpm: event log handed on: [0-9]+ bytes \(format 2\)" \
		"^EFIKEXEC-TPMTABLE: TPMEventLog=0x"
	python3 "$HERE/trust.py" check "$LOGDIR/$name.log" --cmdline "$args" \
		--initrd "$esp/initrd.img" --initrd "$esp/extra.img" --kernel "$esp/vmlinuz"
}
t_trust_tpm_x86_64() { trust_tpm_x86_64; }

# aarch64: Debian's arm64 kernels have no TPM TIS driver (facts/trust.md),
# so the guest sees no PCRs; the test log shows what efikexec measured and
# handed on, the device tree given with --dtb among it.
t_trust_tpm_aarch64() {
	local arch=aarch64 name=trust-tpm-aarch64 esp args
	tpm_esp "$arch" "$name"
	esp=$ESP
	qemu_dumpdtb "$name" "$esp" 1G "$esp/virt.dtb" || { echo "dumpdtb failed"; return 1; }
	args="console=ttyAMA0 efikexec.trust=1 panic=-1"
	startup_nsh "$esp" "efikexec.efi --dtb=virt.dtb vmlinuz initrd=initrd.img $args"
	tpm_boot "$arch" "$name" || return 1
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-PCR: none" "EFIKEXEC-TRUST: done" \
		"EFIKEXEC-LOCKDOWN: [none] integrity confidentiality"
	expect_grep "$name" "^efikexec: info: tpm: measured vmlinuz \(PE image\) \([0-9]+ bytes\) into PCR 4$" \
		"^efikexec: info: tpm: measured devicetree \\\\virt.dtb \([0-9]+ bytes\) into PCR 9$" \
		"^efikexec: info: tpm: measured the initrd \($(stat -c %s "$esp/initrd.img") bytes\) into PCR 9$" \
		"^efikexec: info: tpm: measured the command line \($(( 2 * (${#args} + 1) )) bytes\) into PCR 9$" \
		"^efikexec: info: tpm: event log handed on: [0-9]+ bytes \(format 2\)"
	clean_log "$name" | grep -E "^efikexec: info: tpm: "
}

# --- Secure Boot with the snakeoil keys --------------------------------------------------

# sb_esp ARCH NAME: $SD/esp with efikexec signed as the removable-media
# loader, Debian's 6.12 kernel signed with the snakeoil key as /vmlinuz-signed
sb_esp() {
	local arch=$1 name=$2
	SD=$WORK/trust-$name
	rm -rf "$SD"
	mkdir -p "$SD/esp/EFI/BOOT" "$SD/esp/loader/entries"
	sign "$BUILD/$arch/efikexec.efi" "$SD/esp/EFI/BOOT/$(boot_name "$arch")" &&
		sign "$(deb_kernel "$arch" 6.12)" "$SD/esp/vmlinuz-signed" &&
		cp "$WORK/initrd-6.12-$arch.img" "$SD/esp/initrd.img"
}

# A snakeoil-signed kernel boots, verified by the firmware's db, locked
# down; with a TPM, the firmware's own measurement of it (its LoadImage)
# is the one in PCR 4, and PCR 9 has the initrd and command line. On
# x86_64 the stage enters it as the EFI stub does (x86-entry direct). On
# aarch64 a device tree from a file is refused first (the entry's
# `devicetree`), from the menu then the entry without it boots.
trust_sb() {
	local arch=$1 name=trust-sb-$1 con args rc=0 code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
	con=$(console_of "$arch")
	[ "$arch" = aarch64 ] && code=/usr/share/AAVMF/AAVMF_CODE.snakeoil.fd
	sb_esp "$arch" "$name" || return 1
	args="console=$con efikexec.trust=1 panic=-1"
	printf 'timeout 0\n' >"$SD/esp/loader/loader.conf"
	printf 'title Signed\nsort-key b\nlinux /vmlinuz-signed\ninitrd /initrd.img\noptions %s\n' "$args" \
		>"$SD/esp/loader/entries/signed.conf"
	# x86_64: the stage enters the bzImage as the EFI stub does (its
	# payload decompressed by efikexec); what is verified and measured is
	# the bzImage as signed all the same
	[ "$arch" != x86_64 ] || printf 'x86-entry direct\n' >"$SD/esp/EFI/BOOT/efikexec.conf"
	gpt_disk "$WORK/disk-$name.img" "$SD/esp"
	sb_vars "$WORK/$name.vars" "$arch" || return 1
	tpm_start "$name" "$arch" || return 1
	if [ "$arch" = x86_64 ]; then
		FW_CODE=$code FW_VARS=$WORK/$name.vars QEMU_READY="boot stage" \
			qemu_boot "$arch" "$name" "$WORK/disk-$name.img" 1G 300 "${TPM_ARGS[@]}" || rc=$?
	else
		# first the default: the same kernel with a device tree from a
		# file, which Secure Boot refuses; then the entry without
		qemu_dumpdtb "$name" "$SD/esp" 1G "$SD/esp/virt.dtb" || { echo "dumpdtb failed"; return 1; }
		printf 'default dtb.conf\n' >>"$SD/esp/loader/loader.conf"
		printf 'title Dtb\nsort-key a\nlinux /vmlinuz-signed\ndevicetree /virt.dtb\noptions %s\n' "$args" \
			>"$SD/esp/loader/entries/dtb.conf"
		gpt_disk "$WORK/disk-$name.img" "$SD/esp"
		FW_CODE=$code FW_VARS=$WORK/$name.vars qemu_cmd "$arch" "$name" "$WORK/disk-$name.img" 1G \
			-serial stdio "${TPM_ARGS[@]}"
		echo "${QEMU_CMD[*]}" >"$LOGDIR/$name.cmd"
		python3 "$HERE/serial.py" "$LOGDIR/$name.log" 300 'wait:device tree /virt.dtb: Secure Boot is on' \
			'wait:Press a key to return to the menu' 'send: ' 'wait:timeout \(menu-force\)' 'send:2' \
			'wait:EFIKEXEC-TRUST: done' -- "${QEMU_CMD[@]}" || rc=$?
		expect_line "$name" "efikexec: error: secureboot: device tree /virt.dtb: Secure Boot is on, and a device tree from a file is not verified; refused (as the kernel's EFI stub refuses dtb= then): EFI_SECURITY_VIOLATION" || rc=1
	fi
	tpm_stop "$name"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-SB: secureboot: Secure boot enabled" \
		"EFIKEXEC-LOCKDOWN: none [integrity] confidentiality" "EFIKEXEC-TRUST: done" \
		"efikexec: info: secureboot: /vmlinuz-signed: verified by the firmware (db, dbx)"
	expect_grep "$name" "Kernel is locked down from EFI Secure Boot"
	if [ "$arch" = x86_64 ]; then
		expect_grep "$name" '^efikexec: info: plan: entry: the vmlinux inside, decompressed by efikexec \([a-z]+, [0-9]+ MiB\), at startup_64 0x[0-9a-f]+; KASLR on, ' || return 1
		python3 "$HERE/trust.py" check "$LOGDIR/$name.log" --cmdline "$args" \
			--initrd "$SD/esp/initrd.img" --kernel "$SD/esp/vmlinuz-signed"
	fi
}
t_trust_sb_x86_64() { trust_sb x86_64; }
t_trust_sb_aarch64() { trust_sb aarch64; }

# Refusals under Secure Boot, each from the menu (its number key), each
# back to the menu: Debian's own kernel (not signed by a key in this db),
# the signed kernel with one byte flipped, an ELF vmlinux, a signed kernel
# whose hash was added to dbx, an unsigned kernel, an unsigned EFI program;
# the editor is off; then a signed UKI boots with its own .cmdline though
# the entry gives another, and its signed add-ons' command lines after it
# (an unsigned add-on refused).
t_trust_sb_refuse_x86_64() {
	local arch=x86_64 name=trust-sb-refuse-x86_64 e size uki_args hash
	sb_esp "$arch" "$name" || return 1
	e=$SD/esp
	cp "$(deb_kernel "$arch" 6.12)" "$e/vmlinuz-debian"
	cp "$e/vmlinuz-signed" "$e/vmlinuz-flipped"
	size=$(stat -c %s "$e/vmlinuz-flipped")
	printf '\x5a' | dd of="$e/vmlinuz-flipped" bs=1 seek=$((size / 2)) conv=notrunc status=none
	[ -s "$WORK/vmlinux-6.1" ] || mkimage vmlinux "$(deb_kernel "$arch" 6.1)" "$WORK/vmlinux-6.1"
	cp "$WORK/vmlinux-6.1" "$e/vmlinux"
	sign "$(deb_kernel "$arch" 6.1)" "$e/vmlinuz-dbx" || return 1
	hash=$(python3 "$HERE/trust.py" authenticode "$e/vmlinuz-dbx")
	cp "$(deb_kernel "$arch" 6.12)" "$e/vmlinuz-unsigned"
	sbattach --remove "$e/vmlinuz-unsigned" >/dev/null || { echo "sbattach --remove failed"; return 1; }
	cp "$BUILD/$arch/efikexec.efi" "$e/unsigned.efi"
	# the UKI: Debian's 6.1 kernel, the test initramfs, its own command
	# line; systemd 254's stub, which takes add-ons: two signed (one in
	# \loader\addons, one its own) and an unsigned one, refused
	uki_args="console=ttyS0 efikexec.trust=1 efikexec.entry=uki-sb panic=-1"
	printf '%s\n' "$uki_args" >"$SD/uki.cmdline"
	printf 'PRETTY_NAME="Signed UKI"\nID=debian\n' >"$SD/uki.osrel"
	mkimage uki "$(us_stub 254 "$arch")" "$(objcopy_of "$arch")" "$SD/uki.efi" \
		.osrel="$SD/uki.osrel" .cmdline="$SD/uki.cmdline" .initrd="$WORK/initrd-capture-$arch.img" \
		.linux="$(deb_kernel "$arch" 6.1)"
	sign "$SD/uki.efi" "$e/uki-signed.efi" || return 1
	mkdir -p "$e/loader/addons" "$e/uki-signed.efi.extra.d"
	for f in site signed unsigned; do
		printf 'efikexec.addon=%s' "$f" >"$SD/addon-$f"
		mkimage uki "$(us_addon_stub "$arch")" "$(objcopy_of "$arch")" "$SD/$f.addon.efi" .cmdline="$SD/addon-$f"
	done
	sign "$SD/site.addon.efi" "$e/loader/addons/site.addon.efi" &&
		sign "$SD/signed.addon.efi" "$e/uki-signed.efi.extra.d/signed.addon.efi" || return 1
	cp "$SD/unsigned.addon.efi" "$e/uki-signed.efi.extra.d/"
	printf 'timeout 30\n' >"$e/loader/loader.conf"
	local n=1 f
	for f in "Debian:linux /vmlinuz-debian" "Flipped:linux /vmlinuz-flipped" "ELF:linux /vmlinux" \
		"Dbx:linux /vmlinuz-dbx" "Unsigned:linux /vmlinuz-unsigned" "Program:efi /unsigned.efi" \
		"UKI:linux /uki-signed.efi"; do
		printf 'title %s\nsort-key k%s\n%s\noptions console=ttyS0 efikexec.trust=1 efikexec.typed=yes panic=-1\n' \
			"${f%%:*}" "$n" "${f#*:}" >"$e/loader/entries/e$n.conf"
		n=$((n + 1))
	done
	printf 'options --version\n' >>"$e/loader/entries/e6.conf"
	sed -i '/^options console/d' "$e/loader/entries/e6.conf"
	DISK_MB=256 gpt_disk "$WORK/disk-$name.img" "$e"
	sb_vars "$WORK/$name.vars" "$arch" dbx "$hash" || return 1
	FW_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd FW_VARS=$WORK/$name.vars \
		qemu_cmd "$arch" "$name" "$WORK/disk-$name.img" 1G -serial stdio
	echo "${QEMU_CMD[*]}" >"$LOGDIR/$name.cmd"
	# after a refusal: a key back to the menu
	local back=('wait:Press a key to return to the menu' 'send: ' 'wait:timeout \(menu-force\)')
	python3 "$HERE/serial.py" "$LOGDIR/$name.log" 400 'wait:Boot in [0-9]+ s' \
		'send:e' 'wait:The editor is off' \
		'send:1' 'wait:vmlinuz-debian: signed by' "${back[@]}" 'send:2' 'wait:vmlinuz-flipped: its bytes' "${back[@]}" \
		'send:3' 'wait:vmlinux: an ELF file' "${back[@]}" 'send:4' 'wait:vmlinuz-dbx: hash in dbx' "${back[@]}" \
		'send:5' 'wait:vmlinuz-unsigned: not signed' "${back[@]}" 'send:6' 'wait:unsigned.efi' "${back[@]}" \
		'send:7' 'wait:EFIKEXEC-TRUST: done' \
		-- "${QEMU_CMD[@]}" || { echo "serial.py exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" \
		"efikexec: error: secureboot: /vmlinuz-debian: signed by a key not in db (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: error: secureboot: /vmlinuz-flipped: its bytes are not the ones it was signed over: changed after signing (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: error: secureboot: /vmlinux: an ELF file cannot carry a signature, and Secure Boot is on: only signed PE images are booted (a bzImage or arm64 Image with its EFI stub, an EFI zboot image, a UKI); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: error: secureboot: /vmlinuz-dbx: hash in dbx (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: error: secureboot: /vmlinuz-unsigned: not signed (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"EFIKEXEC-CMDLINE: $uki_args efikexec.addon=site efikexec.addon=signed" \
		"EFIKEXEC-SB: secureboot: Secure boot enabled" "EFIKEXEC-LOCKDOWN: none [integrity] confidentiality" \
		"efikexec: info: secureboot: \\loader\\addons\\site.addon.efi: verified by the firmware (db, dbx)" \
		"efikexec: info: secureboot: \\uki-signed.efi.extra.d\\signed.addon.efi: verified by the firmware (db, dbx)" \
		"efikexec: error: secureboot: \\uki-signed.efi.extra.d\\unsigned.addon.efi: not signed (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: warn: uki: add-on \\uki-signed.efi.extra.d\\unsigned.addon.efi: refused under Secure Boot (above); the boot goes on without it, as with systemd-stub"
	expect_line "$name" "efikexec: error: stage: cannot load /unsigned.efi: EFI_ACCESS_DENIED (Secure Boot is on: the firmware does not trust it)" \
		"efikexec: info: boot: /uki-signed.efi: Secure Boot is on: its own signed .cmdline is used, not the one given (\"console=ttyS0 efikexec.trust=1 efikexec.typed=yes panic=-1\")"
	# nothing refused ran: no kernel started before the UKI's
	[ "$(clean_log "$name" | grep -c '^EFIKEXEC-CMDLINE: ')" = 1 ] ||
		{ echo "more than one kernel ran"; return 1; }
}

# --- the Debian chain: shim, then efikexec, then Debian's own kernel ------------------

# OVMF with Microsoft's keys (OVMF_VARS_4M.ms.fd) and the snakeoil
# certificate added to db; Debian's signed shim as BOOTX64.EFI starts
# efikexec (snakeoil-signed, as \EFI\BOOT\grubx64.efi, shim's second stage);
# efikexec verifies Debian's own signed kernel through shim's SHIM_LOCK.
t_trust_shim_x86_64() {
	local arch=x86_64 name=trust-shim-x86_64 args rc=0 shim=$ASSETS/shim/usr/lib/shim/shimx64.efi.signed
	[ -s "$shim" ] || { echo "no $shim (scripts/deps.sh unpacks shim-signed)"; return 1; }
	sb_esp "$arch" "$name" || return 1
	mv "$SD/esp/EFI/BOOT/BOOTX64.EFI" "$SD/esp/EFI/BOOT/grubx64.efi"
	cp "$shim" "$SD/esp/EFI/BOOT/BOOTX64.EFI"
	cp "$(deb_kernel "$arch" 6.12)" "$SD/esp/vmlinuz"
	args="console=ttyS0 efikexec.trust=1 panic=-1"
	printf 'timeout 0\n' >"$SD/esp/loader/loader.conf"
	printf 'title Debian\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$args" >"$SD/esp/loader/entries/debian.conf"
	gpt_disk "$WORK/disk-$name.img" "$SD/esp"
	virt-fw-vars -i /usr/share/OVMF/OVMF_VARS_4M.ms.fd --add-db 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d "$SNAKEOIL_CERT" \
		-o "$WORK/$name.vars" >/dev/null 2>&1 || { echo "virt-fw-vars could not add to db"; return 1; }
	FW_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd FW_VARS=$WORK/$name.vars QEMU_READY="boot stage" \
		qemu_boot "$arch" "$name" "$WORK/disk-$name.img" 1G 300 || rc=$?
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-SB: secureboot: Secure boot enabled" \
		"EFIKEXEC-LOCKDOWN: none [integrity] confidentiality" \
		"efikexec: info: secureboot: /vmlinuz: verified by shim (db, MokList, dbx, MokListX, SBAT)"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" 6.12) "
}

# --- crash capture under Secure Boot, with a TPM -----------------------------------------

# The boot stage's capture test (stage.sh) under Secure Boot, the capture
# kernel and its initrd by URL (efikexec.conf's capture-kernel and
# capture-initrd are http:// URLs): the main and the capture kernel
# (signed) are verified when the region is armed; after
# the crash the capture kernel, its initrd and command line are measured
# as they lie in the region, when it is entered.
t_trust_capture_x86_64() {
	local name=trust-capture-x86_64
	stage_capture "$name" sb net || return 1
	expect_grep "$name" "^efikexec: info: secureboot: /vmlinuz: verified by the firmware \(db, dbx\)$" \
		"^efikexec: info: secureboot: $CAPTURE_URL: verified by the firmware \(db, dbx\)$" \
		"^efikexec: info: tpm: measured capture kernel $CAPTURE_URL \([0-9]+ bytes\) into PCR 9$" \
		"\] secureboot: Secure boot enabled$"
	# after the capture kernel's measurement: its initrd and command line
	# (grep -c reads to the end: grep -q would stop early and, under
	# pipefail, fail the pipeline with sed's SIGPIPE)
	clean_log "$name" | sed -n '/measured capture kernel/,$p' | grep -c "tpm: measured the command line" >/dev/null ||
		{ echo "no command line measured at capture time"; return 1; }
	clean_log "$name" | grep -E "^efikexec: info: (tpm|secureboot|capture): "
}
