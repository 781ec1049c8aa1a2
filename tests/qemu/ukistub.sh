# SPDX-License-Identifier: BSD-2-Clause-Patent
# ukistub.sh - UKIs booted as their own systemd-stub release boots them
# (efi/ukistub.c): PCRs 11, 12 and 13, the /.extra archives, the stub's
# variables, add-ons, multi-profile UKIs. The UKIs are made here with
# objcopy from Debian's systemd 252 and 254 stubs; what the guest should
# see is computed here from the same files (tests/qemu/ukistub.py, each
# release's systemd-measure), and the x86_64 UKIs are also booted by their
# stub itself, started by the firmware, for the guest to compare. Sourced
# by run-all.sh after trust.sh (swtpm: tpm_start).

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

# systemd's two Debian 12 releases: 252 (bookworm: the stub of the
# installed systemd-boot-efi, the installed systemd-measure) and 254
# (bookworm-backports, unpacked by scripts/deps.sh into $US_BPO, never
# installed)
US_BPO=$ASSETS/systemd-254
us_efi() { case $1 in x86_64) echo x64 ;; aarch64) echo aa64 ;; esac; }
# us_stub RELEASE ARCH, us_addon_stub ARCH: the stubs
us_stub() {
	case $1 in
	252) stub_of "$2" ;;
	254) echo "$US_BPO/usr/lib/systemd/boot/efi/linux$(us_efi "$2").efi.stub" ;;
	esac
}
us_addon_stub() { echo "$US_BPO/usr/lib/systemd/boot/efi/addon$(us_efi "$1").efi.stub"; }
# us_measure RELEASE ARGS...: that release's systemd-measure
us_measure() {
	local v=$1
	shift
	case $v in
	252) "$MEASURE" "$@" ;;
	254) LD_LIBRARY_PATH=$US_BPO/usr/lib/x86_64-linux-gnu/systemd "$US_BPO/lib/systemd/systemd-measure" "$@" ;;
	esac
}
# us_sign RELEASE OUT ARGS...: a PCR 11 policy signed with $US/pcr.key, as
# ukify has systemd-measure sign it; 252's computes the policy on a TPM
# (a swtpm of its own, through libtss2's swtpm TCTI), 254's without one
us_sign() {
	local v=$1 out=$2 d port rc=0
	shift 2
	if [ "$v" = 252 ]; then
		d=$US/sign-tpm
		mkdir -p "$d"
		port=$((20000 + RANDOM % 20000))
		swtpm socket --tpm2 --tpmstate dir="$d" --flags not-need-init --daemon --pid file="$d/pid" \
			--server type=tcp,port=$port,bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 ||
			{ echo "swtpm did not start"; return 1; }
		us_measure "$v" sign "$@" --tpm2-device="swtpm:host=127.0.0.1,port=$port" >"$out" || rc=$?
		kill "$(cat "$d/pid")" 2>/dev/null
	else
		us_measure "$v" sign "$@" >"$out" || rc=$?
	fi
	[ $rc = 0 ] || { echo "systemd-measure $v sign failed ($rc)"; return 1; }
}

# A UKI of each of Debian's stub releases, built as the systemd-stub(7)
# recipe builds one (objcopy; the stub's own .sbat kept), with .osrel,
# .cmdline, .uname, .initrd, .linux (Debian's 6.12), a .pcrpkey and the
# .pcrsig that release's systemd-measure signs for its sections; on its
# ESP credentials, a system extension and three add-ons (254's add-on
# stub): \loader\addons\site.addon.efi, <UKI>.extra.d/debug.addon.efi and
# one whose .uname is another kernel's. Booted twice with a fresh swtpm:
# by efikexec's boot stage (a Type #2 entry) and by the stub itself,
# started by the firmware (Boot0000). Both ways the guest gets the same
# PCRs 8, 11, 12 and 13, /.extra tree, StubPcr* variables and command
# line (254: with the add-ons'; 252 knows none); PCR 11 is what that
# release's systemd-measure calculates, and the policy its .pcrsig signed
# is the one of the guest's PCR 11 (the signature checked with openssl).
us_release() {
	local v=$1 arch=x86_64 name=ukistub-$1-x86_64 a=ukistub-$1-x86_64-efikexec s=ukistub-$1-x86_64-stub rc=0
	local stub addon uki sect=() n
	stub=$(us_stub "$v" "$arch")
	addon=$(us_addon_stub "$arch")
	[ -s "$stub" ] && [ -s "$addon" ] || { echo "no $stub or $addon (scripts/deps.sh)"; return 1; }
	us_files "$arch" "$name" 6.12 "$WORK/initrd-6.12-$arch.img"
	uki=$US/esp/EFI/Linux/test.efi
	openssl genrsa -out "$US/pcr.key" 2048 2>/dev/null && openssl rsa -in "$US/pcr.key" -pubout -out "$US/pcrpkey" 2>/dev/null ||
		{ echo "openssl could not make a key"; return 1; }
	cat "$ASSETS/vmlinuz-6.12-amd64.version" >"$US/uname"
	objcopy -O binary --only-section=.sbat "$stub" "$US/sbat"
	# what the release measures: 254 added .uname and .sbat
	sect=(--linux="$US/linux" --osrel="$US/osrel" --cmdline="$US/cmdline" --initrd="$US/initrd" --pcrpkey="$US/pcrpkey")
	[ "$v" = 252 ] || sect+=(--uname="$US/uname" --sbat="$US/sbat")
	local p11
	p11=$(us_measure "$v" calculate "${sect[@]}" --bank=sha256 --phase= | sed -n 's/^11:sha256=//p')
	[ -n "$p11" ] || { echo "systemd-measure $v calculate gave no PCR 11"; return 1; }
	us_sign "$v" "$US/pcrsig" "${sect[@]}" --bank=sha256 --phase= --private-key="$US/pcr.key" \
		--public-key="$US/pcrpkey" || return 1
	mkimage uki "$stub" objcopy "$uki" .osrel="$US/osrel" .cmdline="$US/cmdline" .uname="$US/uname" \
		.initrd="$US/initrd" .linux="$US/linux" .pcrsig="$US/pcrsig" .pcrpkey="$US/pcrpkey"
	objdump -h "$uki" | grep -q ' \.sbat ' || { echo "the UKI lost its .sbat"; return 1; }
	# the add-ons
	mkdir -p "$US/esp/loader/addons"
	printf 'efikexec.addon=site\n' >"$US/addon-site"
	printf 'efikexec.addon=debug' >"$US/addon-debug"
	printf 'efikexec.addon=other' >"$US/addon-other"
	printf '0.0.0-other' >"$US/uname-other"
	mkimage uki "$addon" objcopy "$US/esp/loader/addons/site.addon.efi" .cmdline="$US/addon-site"
	mkimage uki "$addon" objcopy "$uki.extra.d/debug.addon.efi" .cmdline="$US/addon-debug"
	mkimage uki "$addon" objcopy "$uki.extra.d/other.addon.efi" .cmdline="$US/addon-other" .uname="$US/uname-other"
	cp "$BUILD/$arch/efikexec.efi" "$US/esp/EFI/BOOT/BOOTX64.EFI"
	printf 'timeout 0\n' >"$US/esp/loader/loader.conf"
	gpt_disk "$WORK/disk-$name.img" "$US/esp"
	# efikexec
	tpm_start "$a" "$arch" || return 1
	QEMU_READY="boot stage" qemu_boot "$arch" "$a" "$WORK/disk-$name.img" 1G 240 "${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$a"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$a"; return 1; }
	# the stub, started by the firmware from the same disk
	virt-fw-vars -i /usr/share/OVMF/OVMF_VARS_4M.fd -o "$WORK/$s.vars" \
		--append-boot-filepath '\EFI\Linux\test.efi' >/dev/null 2>&1 || { echo "virt-fw-vars failed"; return 1; }
	tpm_start "$s" "$arch" || return 1
	FW_VARS=$WORK/$s.vars QEMU_READY="Linux version" qemu_boot "$arch" "$s" "$WORK/disk-$name.img" 1G 240 \
		"${TPM_ARGS[@]}" || rc=$?
	tpm_stop "$s"
	[ $rc = 0 ] || { echo "qemu exited with $rc"; tail_log "$s"; return 1; }
	local cmdline
	cmdline=$(sed 's/ *$//' "$US/cmdline")
	[ "$v" = 252 ] || cmdline="$cmdline efikexec.addon=site efikexec.addon=debug"
	for n in "$a" "$s"; do
		expect_line "$n" "EFIKEXEC-CMDLINE: $cmdline" "EFIKEXEC-UKISTUB: done" \
			"EFIKEXEC-STUBVAR: StubPcrKernelImage=11" "EFIKEXEC-STUBVAR: StubPcrKernelParameters=12" \
			"EFIKEXEC-STUBVAR: StubPcrInitRDSysExts=13" \
			"EFIKEXEC-EXTRA-TREE: 400 $(us_sum "$uki.extra.d/a.cred") /.extra/credentials/a.cred" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/pcrsig") /.extra/tpm2-pcr-signature.json" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/pcrpkey") /.extra/tpm2-pcr-public-key.pem" \
			"EFIKEXEC-EXTRA-TREE: 555 dir /.extra/sysext" || return 1
	done
	expect_grep "$s" "^EFIKEXEC-STUBVAR: StubInfo=systemd-stub $v\\." || return 1
	expect_line "$a" "EFIKEXEC-STUBVAR: StubInfo=efikexec $VERSION" || return 1
	expect_grep "$a" "^efikexec: info: image: \\\\EFI\\\\Linux\\\\test\\.efi: UKI .*; measured as systemd-stub $v \\(the UKI's stub is \"systemd-stub $v\\." || return 1
	# the same PCRs, /.extra tree and StubPcr* variables both ways
	local what
	for what in "EFIKEXEC-PCR: " "EFIKEXEC-STUBVAR: StubPcr" "EFIKEXEC-EXTRA-TREE: "; do
		[ "$(us_lines "$a" "$what")" = "$(us_lines "$s" "$what")" ] ||
			{ echo "efikexec and systemd-stub $v differ in $what:"; diff <(us_lines "$a" "$what") <(us_lines "$s" "$what"); return 1; }
	done
	# and what they should be: PCR 11 the release's own calculation, 12
	# its add-ons (254: an event a folder) and credentials, 13 the sysext
	local p12 p13 addons=()
	[ "$v" = 252 ] || addons=(u:efikexec.addon=site u:efikexec.addon=debug)
	p12=$(US_PY replay "${addons[@]}" f:"$US/cred.cpio" f:"$US/gcred.cpio")
	p13=$(US_PY replay f:"$US/sysext.cpio")
	us_want "$a" 11 "$p11" && us_want "$a" 12 "$p12" && us_want "$a" 13 "$p13" || return 1
	# the signed policy is the guest's PCR 11's, the signature good
	US_PY policy "$US/pcrsig" "$(us_pcr "$a" 11)" "$US/pol" "$US/sig" &&
		openssl dgst -sha256 -verify "$US/pcrpkey" -signature "$US/sig" "$US/pol" >/dev/null ||
		{ echo "the .pcrsig does not sign the guest's PCR 11"; return 1; }
	if [ "$v" = 252 ]; then
		expect_line "$a" "EFIKEXEC-STUBVAR: StubFeatures=000000000000000f" \
			"efikexec: info: uki: \\loader\\addons: 1 add-on left out: systemd-stub 252 loads none (add-ons came with 254)" \
			"efikexec: info: uki: \\EFI\\Linux\\test.efi.extra.d: 2 add-ons left out: systemd-stub 252 loads none (add-ons came with 254)"
	else
		expect_line "$a" "EFIKEXEC-STUBVAR: StubFeatures=000000000000002f" \
			"efikexec: info: uki: add-on \\loader\\addons\\site.addon.efi: taken (.cmdline)" \
			"efikexec: warn: uki: add-on \\EFI\\Linux\\test.efi.extra.d\\other.addon.efi: its .uname is not the UKI's ($(cat "$US/uname")); left out"
	fi
}
t_ukistub_252_x86_64() { us_release 252; }
t_ukistub_254_x86_64() { us_release 254; }

# A multi-profile UKI (UAPI.5; sections added after each .profile):
# profile 0 "Default", profile 1 "Rescue" with its own .cmdline and
# .osrel. From the shell, "@1" and a command line of its own: profile 1,
# the given command line measured into PCR 12 after the profile's tagged
# event; a confext and the global extensions (\loader\extensions, current
# systemd's) join the credentials. From the menu, the default entry
# multi.efi@rescue: profile 1 with its own .cmdline. Both ways two add-ons
# of the kinds current systemd takes: \loader\addons\site.addon.efi with
# a .cmdline, an .initrd (and on aarch64 a .dtb, the device tree then),
# and the UKI's own ucode.addon.efi with a .ucode, each part measured into
# PCR 12 as a tagged event in the stub's order.
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
	# profiles, confexts and \loader\extensions are systemd 257's and no
	# Debian 12 stub has them: no .sdmagic, current rules (boot/uki.h)
	mkimage uki "$(us_stub 254 "$arch")" "$(objcopy_of "$arch")" "$US/esp/EFI/Linux/multi+3-0.efi" -.sdmagic \
		.osrel="$US/osrel" .cmdline="$US/cmdline" "${dtb[@]}" .initrd="$US/initrd" .linux="$US/linux" \
		.pcrsig="$US/pcrsig" .pcrpkey="$US/pcrpkey" .profile="$US/profile0" \
		.profile="$US/profile1" .cmdline="$US/cmdline1" .osrel="$US/osrel1"
	# the add-ons, of systemd 254's add-on stub
	mkdir -p "$US/esp/loader/addons" "$US/addon"
	printf 'site-%s' "$TOKEN" >"$US/addon/site.txt"
	printf 'ucode-%s' "$TOKEN" >"$US/addon/ucode.txt"
	US_PY newc .extra/addon 0555 0444 "$US/site.cpio" "$US/addon/site.txt"
	US_PY newc .extra/addon 0555 0444 "$US/ucode.cpio" "$US/addon/ucode.txt"
	printf 'efikexec.addon=site\n' >"$US/addon-site"
	mkimage uki "$(us_addon_stub "$arch")" "$(objcopy_of "$arch")" "$US/esp/loader/addons/site.addon.efi" \
		.cmdline="$US/addon-site" .initrd="$US/site.cpio" "${dtb[@]}"
	mkimage uki "$(us_addon_stub "$arch")" "$(objcopy_of "$arch")" "$d/ucode.addon.efi" .ucode="$US/ucode.cpio"
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
			"EFIKEXEC-STUBVAR: StubPcrInitRDSysExts=13" "EFIKEXEC-STUBVAR: StubPcrInitRDConfExts=12" \
			"EFIKEXEC-STUBVAR: StubFeatures=00000000000007af" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/addon/site.txt") /.extra/addon/site.txt" \
			"EFIKEXEC-EXTRA-TREE: 444 $(us_sum "$US/addon/ucode.txt") /.extra/addon/ucode.txt" \
			"efikexec: info: uki: add-on \\EFI\\Linux\\multi.efi.extra.d\\ucode.addon.efi: taken (.ucode)" || return 1
		if [ "$arch" = aarch64 ]; then
			expect_line "$n" "efikexec: info: uki: add-on \\loader\\addons\\site.addon.efi: taken (.cmdline .dtb .initrd)" &&
				expect_grep "$n" "measured devicetree add-on site\.addon\.efi \.dtb" || return 1
		else
			expect_line "$n" "efikexec: info: uki: add-on \\loader\\addons\\site.addon.efi: taken (.cmdline .initrd)" || return 1
		fi
		! clean_log "$n" | grep -aE "^EFIKEXEC-EXTRA-TREE: .*(hidden|notes|usr.raw.*confext)" ||
			{ echo "$n: the stub's left-out files were packed"; return 1; }
	done
	expect_line "$a" "EFIKEXEC-CMDLINE: $given efikexec.addon=site" || return 1
	expect_line "$m" "EFIKEXEC-CMDLINE: $(cat "$US/cmdline1") efikexec.addon=site" \
		"EFIKEXEC-BLI: LoaderEntrySelected=multi.efi@rescue" || return 1
	expect_grep "$m" "^EFIKEXEC-BLI: LoaderEntries=.*multi\.efi multi\.efi@rescue" || return 1
	[ "$arch" = x86_64 ] || return 0
	# the PCRs: 11 with profile 1's sections, 12 the profile's event, the
	# command line given (shell), the add-ons' command line, the archives,
	# the add-ons' .ucode and .initrd; 13 the sysexts
	local p11 p12 p13 parts
	p11=$(US_PY pcr11 "$US/esp/EFI/Linux/multi+3-0.efi" 1)
	p13=$(US_PY replay f:"$US/sysext.cpio" f:"$US/gsysext.cpio")
	parts=(f:"$US/cred.cpio" f:"$US/gcred.cpio" f:"$US/confext.cpio" f:"$US/gconfext.cpio" f:"$US/ucode.cpio" f:"$US/site.cpio")
	p12=$(US_PY replay u:1 u:"$given" u:efikexec.addon=site "${parts[@]}")
	us_want "$a" 11 "$p11" && us_want "$a" 12 "$p12" && us_want "$a" 13 "$p13" || return 1
	p12=$(US_PY replay u:1 u:efikexec.addon=site "${parts[@]}")
	us_want "$m" 11 "$p11" && us_want "$m" 12 "$p12" && us_want "$m" 13 "$p13" || return 1
	[ "$(US_PY pcr11 "$US/esp/EFI/Linux/multi+3-0.efi" 0)" != "$p11" ] || { echo "profiles 0 and 1 give one PCR 11"; return 1; }
}
t_ukistub_profiles_x86_64() { us_multi x86_64; }
# aarch64: Debian's arm64 kernels have no driver for QEMU's tpm-tis-device
# (its tpm_tis is not built), so the guest reads no PCRs; efikexec measures
# all the same (the firmware has the TPM: StubPcr* are set), and the tree
# and variables are checked as on x86_64.
t_ukistub_profiles_aarch64() { us_multi aarch64; }
