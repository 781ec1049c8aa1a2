# SPDX-License-Identifier: BSD-2-Clause-Patent
# ukistub.sh - UKIs booted as systemd-stub boots them (efi/ukistub.c):
# PCRs 11, 12 and 13, the /.extra archives, the stub's variables,
# multi-profile UKIs. The UKIs are made here from Debian's systemd 252 stub
# with objcopy; what the guest should see is computed here from the same
# files (tests/qemu/ukistub.py, systemd-measure), and the x86_64 UKI is
# also booted by the stub itself, started by the firmware, for the guest to
# compare. Sourced by run-all.sh after trust.sh (swtpm: tpm_start).

US_PY() { python3 "$HERE/ukistub.py" "$@"; }
MEASURE=/usr/lib/systemd/systemd-measure

# us_files ARCH NAME SERIES INITRD: $US with the section files (cmdline,
# osrel, pcrsig, pcrpkey, linux, initrd) and an ESP (esp/) holding the
# companion files: <UKI>.extra.d with two credentials, a system extension,
# and files the stub leaves out (a dot file, another suffix); a global
# credential in \loader\credentials. TOKEN is in a.cred.
us_files() {
	local arch=$1 name=$2 series=$3 initrd=$4 d
	US=$WORK/ukistub-$name
	rm -rf "$US"
	d=$US/esp/EFI/Linux/test.efi.extra.d
	mkdir -p "$US/esp/EFI/BOOT" "$d" "$US/esp/loader/credentials"
	TOKEN=$RANDOM$RANDOM
	printf 'console=%s efikexec.ukistub=1 panic=-1\n' "$(console_of "$arch")" >"$US/cmdline"
	printf 'NAME="Debian GNU/Linux"\nPRETTY_NAME="UKI stub test"\nID=debian\nVERSION_ID=12\n' >"$US/osrel"
	printf '{"sha256":[{"pcrs":[11],"pkfp":"%s","pol":"00","sig":"dGVzdA=="}]}\n' "$TOKEN" >"$US/pcrsig"
	printf -- '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA%s=\n-----END PUBLIC KEY-----\n' "$TOKEN" >"$US/pcrpkey"
	cp "$(kernel_path "$arch" "$series")" "$US/linux"
	cp "$initrd" "$US/initrd"
	printf 'secret-%s' "$TOKEN" >"$d/a.cred"
	printf 'second' >"$d/B.cred"
	printf 'hidden' >"$d/.hidden.cred"
	printf 'not a credential' >"$d/notes.txt"
	head -c 5001 /dev/urandom >"$d/usr.raw"
	printf 'global-%s' "$TOKEN" >"$US/esp/loader/credentials/g.cred"
	# the archives the stub packs of them, by the independent writer
	US_PY newc .extra/credentials 0500 0400 "$US/cred.cpio" "$d/a.cred" "$d/B.cred"
	US_PY newc .extra/global_credentials 0500 0400 "$US/gcred.cpio" "$US/esp/loader/credentials/g.cred"
	US_PY newc .extra/sysext 0555 0444 "$US/sysext.cpio" "$d/usr.raw"
}

# us_sum FILE: its SHA-256, hex
us_sum() { sha256sum <"$1" | cut -c1-64; }
# us_pcr NAME N: PCR N as the guest read it, lower case
us_pcr() { clean_log "$1" | sed -n "s/^EFIKEXEC-PCR: $2 //p" | head -n1 | tr 'A-F' 'a-f'; }
# us_want NAME N VALUE: PCR N is VALUE
us_want() {
	[ "$(us_pcr "$1" "$2")" = "$3" ] || { echo "$1: PCR $2 is '$(us_pcr "$1" "$2")', want $3"; return 1; }
}
# us_lines NAME PREFIX: a boot's lines that start with PREFIX, sorted
us_lines() { clean_log "$1" | grep -a "^$2" | sort; }
# us_value NAME PREFIX: the rest of the one line that starts with PREFIX
us_value() { clean_log "$1" | sed -n "s/^$2//p" | head -n1; }

# The same UKI (systemd 252's sections: the stub's own .sbat removed) from
# the same ESP, booted twice with a fresh swtpm: by efikexec's boot stage
# (a Type #2 entry) and by Debian's systemd-stub 252 started by the
# firmware (Boot0000 = \EFI\Linux\test.efi). The guest gets the same PCRs
# 11, 12 and 13, the same /.extra tree (efikexec adds os-release, as
# systemd 257 does) and the same StubPcr* variables; PCR 11 is what
# systemd-measure computes for the section files, PCR 12 and 13 replay the
# archives the independent writer made of the companion files.
t_ukistub_sidebyside_x86_64() {
	local arch=x86_64 name=ukistub-x86_64 a=ukistub-x86_64-efikexec s=ukistub-x86_64-stub rc=0
	us_files "$arch" "$name" 6.1 "$WORK/initrd-capture-x86_64.img"
	mkimage uki "$(stub_of "$arch")" objcopy "$US/esp/EFI/Linux/test.efi" -.sbat .osrel="$US/osrel" \
		.cmdline="$US/cmdline" .initrd="$US/initrd" .linux="$US/linux" .pcrsig="$US/pcrsig" \
		.pcrpkey="$US/pcrpkey"
	cp "$BUILD/$arch/efikexec.efi" "$US/esp/EFI/BOOT/BOOTX64.EFI"
	printf 'timeout 0\n' >"$US/esp/loader/loader.conf"
	gpt_disk "$WORK/disk-$name.img" "$US/esp"
	# efikexec
	tpm_start "$a" "$arch" || return 1
	QEMU_READY="boot stage" qemu_boot "$arch" "$a" "$WORK/disk-$name.img" 1G 240 "${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$a"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$a"; return 1; }
	# systemd-stub, started by the firmware from the same disk
	virt-fw-vars -i /usr/share/OVMF/OVMF_VARS_4M.fd -o "$WORK/$s.vars" \
		--append-boot-filepath '\EFI\Linux\test.efi' >/dev/null 2>&1 || { echo "virt-fw-vars failed"; return 1; }
	tpm_start "$s" "$arch" || return 1
	FW_VARS=$WORK/$s.vars QEMU_READY="Linux version" qemu_boot "$arch" "$s" "$WORK/disk-$name.img" 1G 240 \
		"${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$s"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$s"; return 1; }
	local n
	for n in "$a" "$s"; do
		expect_line "$n" "EFIKEXEC-CMDLINE: $(cat "$US/cmdline")" "EFIKEXEC-UKISTUB: done" \
			"EFIKEXEC-STUBVAR: StubPcrKernelImage=11" "EFIKEXEC-STUBVAR: StubPcrKernelParameters=12" \
			"EFIKEXEC-STUBVAR: StubPcrInitRDSysExts=13" \
			"EFIKEXEC-EXTRA-TREE: 555 dir /.extra" "EFIKEXEC-EXTRA-TREE: 500 dir /.extra/credentials" \
			"EFIKEXEC-EXTRA-TREE: 400 $(us_sum "$US/esp/EFI/Linux/test.efi.extra.d/a.cred") /.extra/credentials/a.cred" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/pcrsig") /.extra/tpm2-pcr-signature.json" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/pcrpkey") /.extra/tpm2-pcr-public-key.pem" \
			"EFIKEXEC-EXTRA-TREE: 555 dir /.extra/sysext" || return 1
	done
	expect_grep "$s" "^EFIKEXEC-STUBVAR: StubInfo=systemd-stub 252" || return 1
	expect_line "$a" "EFIKEXEC-STUBVAR: StubInfo=efikexec $VERSION" "EFIKEXEC-STUBVAR: StubProfile=0" \
		"EFIKEXEC-STUBVAR: StubImageIdentifier=\\EFI\\Linux\\test.efi" \
		"EFIKEXEC-STUBVAR: StubDevicePartUUID=$ESP_UUID" \
		"EFIKEXEC-STUBVAR: StubFeatures=000000000000070f" \
		"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/osrel") /.extra/os-release" || return 1
	# the same PCRs, /.extra tree and StubPcr* variables
	local what
	for what in "EFIKEXEC-PCR: " "EFIKEXEC-STUBVAR: StubPcr"; do
		[ "$(us_lines "$a" "$what")" = "$(us_lines "$s" "$what")" ] ||
			{ echo "efikexec and systemd-stub differ in $what:"; diff <(us_lines "$a" "$what") <(us_lines "$s" "$what"); return 1; }
	done
	[ "$(us_lines "$a" "EFIKEXEC-EXTRA-TREE: " | grep -v ' /.extra/os-release$')" = "$(us_lines "$s" "EFIKEXEC-EXTRA-TREE: ")" ] ||
		{ echo "the /.extra trees differ:"; diff <(us_lines "$a" "EFIKEXEC-EXTRA-TREE: ") <(us_lines "$s" "EFIKEXEC-EXTRA-TREE: "); return 1; }
	# and what they should be
	local p11 p12 p13
	p11=$("$MEASURE" calculate --linux="$US/linux" --osrel="$US/osrel" --cmdline="$US/cmdline" \
		--initrd="$US/initrd" --pcrpkey="$US/pcrpkey" --bank=sha256 --phase= 2>/dev/null | sed -n 's/^11:sha256=//p')
	p12=$(US_PY replay f:"$US/cred.cpio" f:"$US/gcred.cpio")
	p13=$(US_PY replay f:"$US/sysext.cpio")
	[ "$(US_PY pcr11 "$US/esp/EFI/Linux/test.efi")" = "$p11" ] || { echo "ukistub.py pcr11 disagrees with systemd-measure"; return 1; }
	us_want "$a" 11 "$p11" && us_want "$a" 12 "$p12" && us_want "$a" 13 "$p13" || return 1
	expect_grep "$a" '^efikexec: info: uki: /\.extra/credentials: 2 files, [0-9]+ bytes$' \
		'^efikexec: info: tpm: measured section \.linux \([0-9]+ bytes\) into PCR 11$' \
		'^efikexec: info: tpm: measured /\.extra/sysext \([0-9]+ bytes\) into PCR 13$' \
		'^efikexec: info: plan: segment [0-9] initrd .* from \.initrd \+ /\.extra \(credentials, global_credentials, sysext, tpm2-pcr-signature\.json, tpm2-pcr-public-key\.pem, os-release\)$'
}

# A multi-profile UKI (UAPI.5; sections added after each .profile):
# profile 0 "Default", profile 1 "Rescue" with its own .cmdline and
# .osrel. From the shell, "@1" and a command line of its own: profile 1,
# the given command line measured into PCR 12 after the profile's tagged
# event; a confext and the global extensions (\loader\extensions, current
# systemd's) join the credentials. From the menu, the default entry
# multi.efi@rescue: profile 1 with its own .cmdline.
us_multi() {
	local arch=$1 name=ukistub-profiles-$1 con d
	con=$(console_of "$arch")
	us_files "$arch" "$name" 6.12 "$WORK/initrd-6.12-$arch.img"
	# the companion folder of multi+3-0.efi: its name without the counter
	d=$US/esp/EFI/Linux/multi.efi.extra.d
	mv "$US/esp/EFI/Linux/test.efi.extra.d" "$d"
	head -c 3001 /dev/urandom >"$d/etc.confext.raw"
	mkdir -p "$US/esp/loader/extensions"
	head -c 2001 /dev/urandom >"$US/esp/loader/extensions/tools.raw"
	head -c 1001 /dev/urandom >"$US/esp/loader/extensions/site.confext.raw"
	US_PY newc .extra/confext 0555 0444 "$US/confext.cpio" "$d/etc.confext.raw"
	US_PY newc .extra/global_sysext 0555 0444 "$US/gsysext.cpio" "$US/esp/loader/extensions/tools.raw"
	US_PY newc .extra/global_confext 0555 0444 "$US/gconfext.cpio" "$US/esp/loader/extensions/site.confext.raw"
	printf 'ID=default\nTITLE=Default\n' >"$US/profile0"
	printf 'ID=rescue\nTITLE=Rescue\n' >"$US/profile1"
	printf 'console=%s efikexec.ukistub=rescue efikexec.bli=1 panic=-1' "$con" >"$US/cmdline1"
	printf 'NAME="Debian GNU/Linux"\nPRETTY_NAME="UKI rescue"\nID=debian\n' >"$US/osrel1"
	local dtb=()
	if [ "$arch" = aarch64 ]; then
		qemu_dumpdtb "$name" "$US/esp" 1G "$US/dtb" || { echo "dumpdtb failed"; return 1; }
		dtb=(.dtb="$US/dtb")
	fi
	mkimage uki "$(stub_of "$arch")" "$(objcopy_of "$arch")" "$US/esp/EFI/Linux/multi+3-0.efi" \
		.osrel="$US/osrel" .cmdline="$US/cmdline" "${dtb[@]}" .initrd="$US/initrd" .linux="$US/linux" \
		.pcrsig="$US/pcrsig" .pcrpkey="$US/pcrpkey" .profile="$US/profile0" \
		.profile="$US/profile1" .cmdline="$US/cmdline1" .osrel="$US/osrel1"
	cp "$BUILD/$arch/efikexec.efi" "$US/esp/efikexec.efi"
	printf 'timeout 0\ndefault multi.efi@rescue\n' >"$US/esp/loader/loader.conf"
	local given="console=$con efikexec.ukistub=given panic=-1" a=$name-shell m=$name-menu rc=0
	startup_nsh "$US/esp" "efikexec.efi \\EFI\\Linux\\multi+3-0.efi @1 $given"
	tpm_start "$a" "$arch" || return 1
	qemu_boot "$arch" "$a" "$US/esp" 1G 240 "${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$a"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$a"; return 1; }
	# the disk: efikexec as the removable-media loader, its boot stage
	rm -f "$US/esp/startup.nsh"
	cp "$BUILD/$arch/efikexec.efi" "$US/esp/EFI/BOOT/$(boot_name "$arch")"
	gpt_disk "$WORK/disk-$name.img" "$US/esp"
	tpm_start "$m" "$arch" || return 1
	QEMU_READY="boot stage" qemu_boot "$arch" "$m" "$WORK/disk-$name.img" 1G 240 "${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$m"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$m"; return 1; }
	local rescue_osrel n
	rescue_osrel=$(us_sum "$US/osrel1")
	for n in "$a" "$m"; do
		expect_line "$n" "EFIKEXEC-STUBVAR: StubProfile=1" "EFIKEXEC-UKISTUB: done" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/profile1") /.extra/profile" \
			"EFIKEXEC-EXTRA-TREE: 444 $rescue_osrel /.extra/os-release" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$d/etc.confext.raw") /.extra/confext/etc.confext.raw" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/esp/loader/extensions/tools.raw") /.extra/global_sysext/tools.raw" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/esp/loader/extensions/site.confext.raw") /.extra/global_confext/site.confext.raw" \
			"EFIKEXEC-EXTRA-TREE: 400 $(us_sum "$d/a.cred") /.extra/credentials/a.cred" \
			"EFIKEXEC-STUBVAR: StubPcrKernelImage=11" "EFIKEXEC-STUBVAR: StubPcrKernelParameters=12" \
			"EFIKEXEC-STUBVAR: StubPcrInitRDSysExts=13" "EFIKEXEC-STUBVAR: StubPcrInitRDConfExts=12" || return 1
		! clean_log "$n" | grep -aE "^EFIKEXEC-EXTRA-TREE: .*(hidden|notes|usr.raw.*confext)" ||
			{ echo "$n: the stub's left-out files were packed"; return 1; }
	done
	expect_line "$a" "EFIKEXEC-CMDLINE: $given" || return 1
	expect_line "$m" "EFIKEXEC-CMDLINE: $(cat "$US/cmdline1")" "EFIKEXEC-BLI: LoaderEntrySelected=multi.efi@rescue" || return 1
	expect_grep "$m" "^EFIKEXEC-BLI: LoaderEntries=.*multi\.efi multi\.efi@rescue" || return 1
	[ "$arch" = x86_64 ] || return 0
	# the PCRs: 11 with profile 1's sections, 12 the profile's event, the
	# command line given (shell) and the archives, 13 the sysexts
	local p11 p12 p13
	p11=$(US_PY pcr11 "$US/esp/EFI/Linux/multi+3-0.efi" 1)
	p13=$(US_PY replay f:"$US/sysext.cpio" f:"$US/gsysext.cpio")
	p12=$(US_PY replay u:1 u:"$given" f:"$US/cred.cpio" f:"$US/gcred.cpio" f:"$US/confext.cpio" f:"$US/gconfext.cpio")
	us_want "$a" 11 "$p11" && us_want "$a" 12 "$p12" && us_want "$a" 13 "$p13" || return 1
	p12=$(US_PY replay u:1 f:"$US/cred.cpio" f:"$US/gcred.cpio" f:"$US/confext.cpio" f:"$US/gconfext.cpio")
	us_want "$m" 11 "$p11" && us_want "$m" 12 "$p12" && us_want "$m" 13 "$p13" || return 1
	[ "$(US_PY pcr11 "$US/esp/EFI/Linux/multi+3-0.efi" 0)" != "$p11" ] || { echo "profiles 0 and 1 give one PCR 11"; return 1; }
}
t_ukistub_profiles_x86_64() { us_multi x86_64; }
# aarch64: Debian's arm64 kernels have no driver for QEMU's tpm-tis-device
# (its tpm_tis is not built), so the guest reads no PCRs; efikexec measures
# all the same (the firmware has the TPM: StubPcr* are set), and the tree
# and variables are checked as on x86_64.
t_ukistub_profiles_aarch64() { us_multi aarch64; }
