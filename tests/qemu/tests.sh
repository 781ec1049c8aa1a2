# SPDX-License-Identifier: BSD-2-Clause-Patent
# tests.sh - the boot tests, one function t_NAME each; run-all.sh runs them.
# A test fails by returning non-zero (set -e is on) after saying why.

# expect GREP-FLAGS NAME PATTERN...: every PATTERN matches some line of the log.
expect() {
	local flags=$1 name=$2
	shift 2
	local want
	for want in "$@"; do
		# not `clean_log | grep -q`: grep quits at the first match, and
		# under pipefail the writer's SIGPIPE would fail the pipeline
		if ! grep -q"$flags" -- "$want" < <(clean_log "$name"); then
			echo "no line matches ($flags): $want"
			tail_log "$name"
			return 1
		fi
	done
}
# expect_line NAME TEXT...: each TEXT is a whole line; expect_grep: a regex.
expect_line() { expect xF "$@"; }
expect_grep() { expect E "$@"; }

console_of() { case $1 in x86_64) echo ttyS0 ;; aarch64) echo ttyAMA0 ;; esac; }

# (The kernels through their own EFI stubs, the harness's proof of itself:
# tests/qemu/vm.sh, efikexec-vm --loader stub.)

# The application in the firmware's shell: --version, a file read checked
# against the host's sha256sum (absolute and relative paths, both slashes),
# and errors that return to the shell, which then runs the next line.
app_basics() {
	local arch=$1 name=app-$1 esp
	esp=$(new_esp "$name")
	mkdir -p "$esp/EFI/efikexec" "$esp/data"
	cp "$BUILD/$arch/efikexec.efi" "$esp/EFI/efikexec/efikexec.efi"
	# 3 MiB and a few odd bytes: more than one page, not a page multiple.
	head -c $((3 * 1024 * 1024 + 4093)) /dev/urandom >"$esp/data/blob.bin"
	printf 'beside the app\n' >"$esp/EFI/efikexec/near.txt"
	local blob near
	blob=$(sha256sum "$esp/data/blob.bin" | cut -d' ' -f1)
	near=$(sha256sum "$esp/EFI/efikexec/near.txt" | cut -d' ' -f1)
	startup_nsh "$esp" \
		'\EFI\efikexec\efikexec.efi --version' \
		'echo "EFIKEXEC-STEP: version rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --sha256=\data\blob.bin' \
		'echo "EFIKEXEC-STEP: sha256 rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --sha256=/data/./x/../blob.bin' \
		'\EFI\efikexec\efikexec.efi --sha256=near.txt' \
		'\EFI\efikexec\efikexec.efi --sha256=\data\missing.bin' \
		'echo "EFIKEXEC-STEP: missing rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --sha256=\data' \
		'echo "EFIKEXEC-STEP: directory rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --memmap' \
		'echo "EFIKEXEC-STEP: memmap rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --selftest' \
		'echo "EFIKEXEC-STEP: selftest rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --no-such-option' \
		'echo "EFIKEXEC-STEP: badopt rc %lasterror%"' \
		'echo "EFIKEXEC-STEP: shell still runs"'
	qemu_boot "$arch" "$name" "$esp" 512M 120 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" \
		"efikexec $(sed -n 's/^#define EFIKEXEC_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' "$HERE/../../include/efikexec.h" | paste -sd.)" \
		"EFIKEXEC-STEP: version rc 0x0" \
		"sha256 $blob size $((3 * 1024 * 1024 + 4093)) path \\data\\blob.bin" \
		"EFIKEXEC-STEP: sha256 rc 0x0" \
		"sha256 $blob size $((3 * 1024 * 1024 + 4093)) path /data/./x/../blob.bin" \
		"sha256 $near size 15 path near.txt" \
		"efikexec: error: file: \\data\\missing.bin: cannot open: EFI_NOT_FOUND" \
		"EFIKEXEC-STEP: missing rc 0xE" \
		"efikexec: error: file: \\data: is a directory, not a file: EFI_INVALID_PARAMETER" \
		"EFIKEXEC-STEP: directory rc 0x2" \
		"efikexec: error: options: unknown option '--no-such-option' (try --help)" \
		"EFIKEXEC-STEP: memmap rc 0x0" \
		"selftest: ok" \
		"EFIKEXEC-STEP: selftest rc 0x0" \
		"EFIKEXEC-STEP: badopt rc 0x2" \
		"EFIKEXEC-STEP: shell still runs"
	# The memory map: RAM (free + busy) close to the 512 MiB QEMU was given.
	local free busy
	read -r free busy < <(clean_log "$name" | sed -n 's/^memmap: [0-9]* ranges, \([0-9]*\) MiB free now, \([0-9]*\) MiB busy.*/\1 \2/p')
	if [ -z "$free" ] || [ $((free + busy)) -lt 400 ] || [ $((free + busy)) -gt 512 ] || [ "$free" -lt 100 ]; then
		echo "memory map summary wrong: free=$free busy=$busy (QEMU has 512 MiB)"
		tail_log "$name"
		return 1
	fi
	expect_grep "$name" '^selftest: segment 0 \[0x[0-9a-f]+, \+2 MiB\) busy, segment 1 \[0x[0-9a-f]+, \+1 MiB\) free; 512 pages staged, 256 in place, 513 entries in 2 indirection pages' \
		'^memmap \[0x[0-9a-f]{12}, 0x[0-9a-f]{12}\) free +[0-9]+ KiB$' \
		'^memmap \[0x[0-9a-f]{12}, 0x[0-9a-f]{12}\) busy +[0-9]+ KiB$'
}
t_app_x86_64() { app_basics x86_64; }
t_app_aarch64() { app_basics aarch64; }

# --- embedding: a program that is not efikexec boots through libefikexec ----
# examples/boot-buffer.efi, built from the installed header and archive
# only, reads the kernel and initrd into pages of its own, builds its own
# command line, prints the plan from the plan's data, and boots. With
# --handover it gives efikexec the kernel's pages, its code at a 2 MiB
# boundary: the kernel runs where it lies, loaded in place at that address.
example_boot() {
	local arch=$1 series=$2 mode=${3:-} name=example-$1${3:+-handover} esp
	esp=$(new_esp "$name")
	cp "$BUILD/examples/$arch/boot-buffer.efi" "$esp/boot-buffer.efi"
	cp "$(kernel_path "$arch" "$series")" "$esp/vmlinuz"
	cp "$WORK/initrd-$arch.img" "$esp/initrd.img"
	startup_nsh "$esp" "\\boot-buffer.efi ${mode:+--$mode }\\vmlinuz \\initrd.img efikexec.test=example panic=-1"
	qemu_boot "$arch" "$name" "$esp" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" \
		"EFIKEXEC-CMDLINE: console=$(console_of "$arch") example.loader=boot-buffer efikexec.test=example panic=-1" \
		"EFIKEXEC-EFI: yes" "EFIKEXEC-INIT: done"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" "$series") " \
		'^example: read \\vmlinuz \([0-9]+ bytes\) and \\initrd.img \([0-9]+ bytes\) into pages of mine$' \
		'^example: kernel buffer: ' \
		'^example: segment 0 kernel \[[0-9A-F]+, [0-9A-F]+\) in place from ' \
		'^example: segment [0-9] initrd \[[0-9A-F]+, [0-9A-F]+\) in place from initrd buffer$' \
		'^example: segment [0-9] purgatory ' \
		'^example: entry [0-9A-F]+, 0 of [0-9]+ bytes copied' \
		'^efikexec: notice: boot: entering kernel buffer \(.*\), loaded in [0-9]+ ms$'
	[ -z "$mode" ] && return 0
	# handed over: run at the address it was read to, nothing copied
	local at seg
	at=$(clean_log "$name" | sed -n 's/^efikexec: info: boot: kernel buffer: handed over at 0x[0-9a-f]*; runs where it lies, at 0x\([0-9a-f]*\)$/\1/p')
	seg=$(clean_log "$name" | sed -n 's/^example: segment 0 kernel \[\([0-9A-F]*\),.*/\1/p')
	if [ -z "$at" ] || [ "$((16#$at))" != "$((16#$seg))" ] || [ $((16#$at % 0x200000)) != 0 ]; then
		echo "the handed-over kernel does not run where it lies: at '$at', segment 0 at '$seg'"
		tail_log "$name"
		return 1
	fi
}
t_example_x86_64() { example_boot x86_64 6.12; }
t_example_aarch64() { example_boot aarch64 6.12; }
t_example_x86_64_handover() { example_boot x86_64 6.12 handover; }
t_example_aarch64_handover() { example_boot aarch64 6.12 handover; }

# The host planner: efikexec-plan, given the memory map efikexec.efi
# --memmap printed in the guest and the same files, prints the segment
# lines --dry-run printed there, one right after the other.
plan_host() {
	local arch=$1 name=plan-host-$1 cl
	kexec_esp "$arch" "$name" 6.12
	cl="console=$(console_of "$arch") panic=-1"
	startup_nsh "$ESP" "\\efikexec.efi --memmap" \
		"\\efikexec.efi --dry-run \\vmlinuz initrd=\\initrd.img initrd=\\extra.img $cl"
	qemu_boot "$arch" "$name" "$ESP" 1G 120 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	clean_log "$name" | grep '^memmap' >"$WORK/$name.map"
	"$BUILD/host/efikexec-plan" --memmap="$WORK/$name.map" --esp="$ESP" --cmdline="$cl" \
		'\vmlinuz' '\initrd.img' '\extra.img' >"$WORK/$name.host" 2>&1 ||
		{ echo "efikexec-plan failed:"; cat "$WORK/$name.host"; return 1; }
	local guest host
	guest=$(plan_lines "$name" 1)
	host=$(grep '^efikexec: info: plan: segment ' "$WORK/$name.host" |
		sed 's/\( params *\[[^)]*)\) *[0-9]* bytes/\1 N bytes/')
	if [ -z "$guest" ] || [ "$guest" != "$host" ]; then
		echo "the host's plan differs from the guest's --dry-run:"
		diff <(echo "$guest") <(echo "$host")
		return 1
	fi
	echo "$host"
	# a UKI of each of Debian's stub releases: the planner names the
	# release it is booted and measured as. Debian's arm64 stub of 252
	# keeps its .sdmagic and .sbat text past its section table, where
	# objcopy does not copy it: a UKI of it names no release
	local v out want
	echo "$cl" >"$WORK/$name.cmdline"
	for v in 252 254; do
		mkimage uki "$(us_stub "$v" "$arch")" "$(objcopy_of "$arch")" "$ESP/uki-$v.efi" \
			.cmdline="$WORK/$name.cmdline" .linux="$ESP/vmlinuz"
		out=$("$BUILD/host/efikexec-plan" --memmap="$WORK/$name.map" --esp="$ESP" "\\uki-$v.efi" 2>&1) ||
			{ echo "efikexec-plan failed on a $v UKI:"; echo "$out"; return 1; }
		want="measured as systemd-stub $v (the UKI's stub is \"systemd-stub $v\."
		[ "$arch-$v" != aarch64-252 ] || want="measured as current systemd-stub (the UKI names no stub release))\$"
		grep -q "^efikexec: info: plan: image \\\\uki-$v\.efi: UKI (.*; $want" <<<"$out" ||
			{ echo "efikexec-plan does not say: $want"; echo "$out" | grep 'plan: image'; return 1; }
	done
}
t_plan_host_x86_64() { plan_host x86_64; }
t_plan_host_aarch64() { plan_host aarch64; }

# Fault injection (test builds): the Nth firmware call of the kinds a boot
# makes fails, for every N from 1 to the last call before
# ExitBootServices, in one shell `for` loop. Each failure must be named,
# return to the shell with an error status, leave nothing of efikexec's
# allocated (its own count of pages and pool blocks, printed on return),
# and leave exactly as many free pages as before (--memmap). The failing
# boot runs twice per N and the pages are compared around the second: the
# firmware keeps pages in its own pool caches after some allocation
# patterns (one page of AAVMF's after a fully staged plan), once, so the
# second run shows what a leak would. A failure the boot survives (no RNG
# protocol, a smaller allocation) stops the test build just before the
# exit; the loop ends when N passes the last call and the kernel boots.
faults() {
	local arch=$1 name=faults-$1${2:+-$2} cl covered=0 survived=0 total boot cap=
	kexec_esp "$arch" "$name" 6.12 "$arch-testhooks"
	cl="console=$(console_of "$arch") panic=-1"
	# with a capture kernel armed alongside: its reads, the region, the
	# arming variable (SetVariable) too
	[ "${2:-}" = capture ] && cap="--capture-kernel=\\vmlinuz --capture-initrd=\\initrd.img --capture-size=256M "
	boot="\\efikexec.efi --test-fail-call=%n $cap\\vmlinuz initrd=\\initrd.img initrd=\\extra.img $cl"
	startup_nsh "$ESP" "for %n run (1 600)" \
		'  echo "EFIKEXEC-FAULT: %n start"' \
		"  $boot" \
		'  \efikexec.efi --memmap' \
		"  $boot" \
		'  echo "EFIKEXEC-FAULT: %n rc %lasterror%"' \
		'  \efikexec.efi --memmap' \
		'endfor'
	qemu_boot "$arch" "$name" "$ESP" 1G 1500 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	# one line per N: "N RC PAGES-BEFORE PAGES-AFTER INJECTED-CALL ERRORS SURVIVED HELD"
	clean_log "$name" | awk '
		/^EFIKEXEC-FAULT: [0-9]+ start$/ { n = $2; rc = ""; pb = ""; pa = ""; inj = ""; errs = 0; surv = 0; held = 0; next }
		/^test: efikexec holds / { if ($4 != 0 || $7 != 0) held = $4 "+" $7; next }
		/^memmap: .* pages free$/ { if (rc == "") pb = $(NF - 2); else pa = $(NF - 2); if (pa != "") print n, rc, pb, pa, inj, errs, surv, held; next }
		/^efikexec: error: test: firmware call [0-9]+, [A-Za-z]+, fails \(injected\)$/ { inj = $7; sub(",", "", inj); next }
		/^efikexec: error: test: the boot survived/ { surv = 1; next }
		/^efikexec: error: / { errs++; next }
		/^EFIKEXEC-FAULT: [0-9]+ rc / { rc = $4 }' >"$WORK/$name.faults"
	local n rc pb pa inj errs surv held want=1
	while read -r n rc pb pa inj errs surv held; do
		if [ "$n" != "$want" ] || [ -z "$inj" ] || [ "$rc" = 0x0 ] || [ "$errs$surv" = 00 ] ||
			[ "$pb" != "$pa" ] || [ "$held" != 0 ]; then
			echo "fault $n: injected '$inj', status $rc, $errs error lines after it, survived $surv, free pages $pb before and $pa after, efikexec holds '$held' (pages+pool)"
			tail_log "$name"
			return 1
		fi
		want=$((n + 1))
		if [ "$surv" = 1 ]; then survived=$((survived + 1)); else covered=$((covered + 1)); fi
	done <"$WORK/$name.faults"
	expect_line "$name" "EFIKEXEC-FAULT: $want start" "EFIKEXEC-INIT: done" || return 1
	total=$(clean_log "$name" | sed -n 's/^efikexec: info: test: \([0-9]*\) firmware calls counted before ExitBootServices$/\1/p')
	if [ -z "$total" ] || [ $((want - 1)) != "$total" ] || [ "$total" -lt 10 ]; then
		echo "the boot at N = $want counted '$total' calls; $((want - 1)) were failed in turn"
		return 1
	fi
	if [ -n "$cap" ]; then
		expect_grep "$name" '^efikexec: error: test: firmware call [0-9]+, SetVariable, fails \(injected\)$' \
			'^efikexec: error: capture: cannot write the arming variable: EFI_DEVICE_ERROR$' || return 1
	fi
	echo "fault points: $total firmware calls before ExitBootServices, each failed in turn: $covered stopped the boot with an error, $survived were survived (the test build stops before the exit); nothing held and free memory unchanged after each"
}
t_faults_x86_64() { faults x86_64; }
t_faults_x86_64_capture() { faults x86_64 capture; }
t_faults_aarch64() { faults aarch64; }

# --- the kexec path on x86_64 ------------------------------------------------
# kexec_esp ARCH NAME SERIES [EFI]: an ESP with efikexec (or its test
# build), the kernel, the test initramfs and a second initrd carrying a
# random token ($TOKEN, for the caller to expect). Sets ESP.
kexec_esp() {
	local arch=$1 name=$2 series=$3 efi=${4:-$1} esp
	esp=$(new_esp "$name")
	cp "$BUILD/$efi/efikexec.efi" "$esp/efikexec.efi"
	cp "$(kernel_path "$arch" "$series")" "$esp/vmlinuz"
	cp "$WORK/initrd-$arch.img" "$esp/initrd.img"
	TOKEN=$RANDOM$RANDOM
	extra_initrd "$esp/extra.img" token "$TOKEN"
	ESP=$esp
}

kernel_version_re() { sed 's/[.+]/\\&/g' "$ASSETS/vmlinuz-$2-$(deb_arch "$1").version"; }

# kexec_booted NAME ARCH SERIES CMDLINE: the kernel ran /init with exactly
# CMDLINE, both initrds arrived, EFI runtime services work.
kexec_booted() {
	local name=$1 arch=$2 series=$3 cmdline=$4
	expect_line "$name" "EFIKEXEC-CMDLINE: $cmdline" "EFIKEXEC-EXTRA: token $TOKEN" \
		"EFIKEXEC-EFI: yes" "EFIKEXEC-INIT: done"
	# runtime services work: the kernel registered its variable operations
	# (only done when the runtime services survived the hand-off)
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" "$series") " 'Registered efivars operations'
	# told the Secure Boot state (off here): boot_params.secure_boot on
	# x86, /chosen linux,uefi-secure-boot on arm64
	expect_grep "$name" '\] secureboot: Secure boot disabled$'
	if [ "$arch" = aarch64 ]; then
		# and called GetTime through them
		expect_grep "$name" 'rtc-efi rtc-efi.0: setting system clock to '
		return
	fi
	expect_line "$name" "EFIKEXEC-EFI-RUNTIME-FILE: yes"
	local ktext kcode load
	ktext=$(clean_log "$name" | sed -n 's/^EFIKEXEC-KTEXT: //p')
	kcode=$(clean_log "$name" | sed -n 's/^EFIKEXEC-KCODE: //p')
	load=$(clean_log "$name" | sed -n 's/^efikexec: info: plan: segment 0 kernel *\[\(0x[0-9a-f]*\),.*/\1/p' | tail -n1)
	if [ -n "${KEXEC_AT:-}" ]; then
		# a kernel that cannot move (an ELF vmlinux): it runs where it was
		# linked, at the address the plan loaded it at
		if [ "$((16#$kcode))" != "$((KEXEC_AT))" ] || [ "$((load))" != "$((KEXEC_AT))" ]; then
			echo "the kernel's code is at $kcode, loaded at $load; want $KEXEC_AT"
			return 1
		fi
		return 0
	fi
	# KASLR stays on: the kernel did not report it disabled, and it moved
	# (either its virtual base from the default or its physical one from
	# where efikexec loaded it; both staying put by chance is ~1 in 10^5)
	if grep -q "KASLR disabled" < <(clean_log "$name"); then
		echo "KASLR was disabled"
		return 1
	fi
	if [ -z "$ktext" ] || [ -z "$kcode" ] || [ -z "$load" ]; then
		echo "no kernel placement to check KASLR with: _text '$ktext', code '$kcode', load '$load'"
		return 1
	fi
	if [ "$ktext" = ffffffff81000000 ] && [ $((16#$kcode)) = $((load)) ]; then
		echo "KASLR did not move the kernel: _text $ktext, code at $kcode = load address $load"
		return 1
	fi
}

# plan_lines NAME N: the N-th group of "plan: segment" lines (one per run).
# The boot parameters' byte count is left out: it holds room for the final
# memory map, sized from the map at the time, which the shell changes
# between two runs; their destination, like every other segment's, may not.
plan_lines() {
	clean_log "$1" | grep '^efikexec: info: plan: segment ' | awk -v n="$2" '
		/segment 0 / { g++ } g == n' | sed 's/\( params *\[[^)]*)\) *[0-9]* bytes/\1 N bytes/'
}

# dry_run_matches NAME: the log holds a --dry-run's plan and then a boot's,
# five segments each, the same.
dry_run_matches() {
	local dry real
	dry=$(plan_lines "$1" 1)
	real=$(plan_lines "$1" 2)
	if [ "$(echo "$dry" | wc -l)" != 5 ] || [ "$dry" != "$real" ]; then
		echo "the dry run's plan differs from the boot's:"
		echo "--- dry run"; echo "$dry"; echo "--- boot"; echo "$real"
		return 1
	fi
}

# 6.1, shell conventions: initrd= twice, quotes kept, no program name or
# kernel path in the command line. First a --dry-run of the same request,
# whose plan must be the one the real boot then prints.
kexec_shell() {
	local series=$1 mem=$2 name=kexec-x86_64-$1-$2
	shift 2
	kexec_esp x86_64 "$name" "$series"
	local args='console=ttyS0 efikexec.test="a b" panic=-1 efikexec.end=1'
	startup_nsh "$ESP" \
		"efikexec.efi --dry-run vmlinuz initrd=initrd.img initrd=\\extra.img $args" \
		'echo "EFIKEXEC-STEP: dry-run rc %lasterror%"' \
		"efikexec.efi --verbose vmlinuz initrd=initrd.img initrd=\\extra.img $args"
	qemu_boot x86_64 "$name" "$ESP" "$mem" 180 "$@" || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-STEP: dry-run rc 0x0" "purgatory: 3 segments verified (XXH64)"
	kexec_booted "$name" x86_64 "$series" "$args"
	dry_run_matches "$name"
}
# With a display and a RNG device: screen_info from GOP (the kernel's efifb
# takes the framebuffer) and a SETUP_RNG_SEED from EFI_RNG_PROTOCOL.
t_kexec_x86_64_6.1_2G() {
	kexec_shell 6.1 2G -device VGA -device virtio-rng-pci
	expect_grep kexec-x86_64-6.1-2G '^efikexec: debug: boot: framebuffer [0-9]+x[0-9]+ at 0x' \
		'efifb: framebuffer at 0x[0-9a-f]+, using [0-9]+k' \
		'^efikexec: debug: boot: 32 bytes of EFI_RNG_PROTOCOL seed as SETUP_RNG_SEED' \
		'^EFIKEXEC-SETUP-DATA: .*0x9'
}
t_kexec_x86_64_6.12_512M() { kexec_shell 6.12 512M; }

# 6.12, kexec-tools style options; 6 GiB with every segment forced above
# 4 GiB: the kernel finds its initrd there.
t_kexec_x86_64_6.12_6G_above_4G() {
	local name=kexec-x86_64-6.12-6G
	kexec_esp x86_64 "$name" 6.12
	startup_nsh "$ESP" \
		"efikexec.efi --mem-min=4G --initrd=\\initrd.img --initrd=extra.img --append=\"console=ttyS0 panic=-1\" vmlinuz"
	qemu_boot x86_64 "$name" "$ESP" 6G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	kexec_booted "$name" x86_64 6.12 "console=ttyS0 panic=-1"
	expect_grep "$name" '^efikexec: info: plan: segment 0 kernel +\[0x01[0-9a-f]{8}, ' \
		'^efikexec: info: plan: segment 2 initrd +\[0x01[0-9a-f]{8}, ' \
		'RAMDISK: \[mem 0x1[0-9a-f]{8}-0x1[0-9a-f]{8}\]' \
		'^EFIKEXEC-MEM: MemTotal: +(5|6)[0-9]{6} kB'
}

# Every destination occupied (as firmware data there would be): all of it is
# staged, the trampoline copies every byte, purgatory checks, the kernel runs.
t_kexec_x86_64_6.1_staged() {
	local name=kexec-x86_64-6.1-staged
	kexec_esp x86_64 "$name" 6.1 x86_64-testhooks
	startup_nsh "$ESP" "efikexec.efi --verbose --verify=sha256 --test-occupy vmlinuz initrd=initrd.img initrd=extra.img console=ttyS0"
	qemu_boot x86_64 "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "purgatory: 3 segments verified (SHA-256)"
	expect_grep "$name" '^efikexec: info: plan: relocation copies [1-9][0-9]* bytes for [0-9]+ bytes loaded \([1-9][0-9]*\.[0-9]{3} per byte\)' \
		'^efikexec: info: plan: entry 0x[0-9a-f]+ via purgatory 0x[0-9a-f]+; [0-9]+ control pages at 0x[0-9a-f]+; [1-9][0-9]* entries in [1-9][0-9]* indirection pages'
	kexec_booted "$name" x86_64 6.1 "console=ttyS0"
}

# corrupt_caught ARCH REGION CONSOLE TIMEOUT: one bit of a staged page of
# checked region REGION flipped after its digest was taken: purgatory
# reports it on the UART and halts; the kernel never prints.
# corrupt_caught ARCH REGION CONSOLE TIMEOUT [in-place]: one bit of checked
# region REGION flipped after its digest was taken - in a staged page (every
# destination occupied), or with in-place where the file was read straight
# to its destination (its digest taken as it was read) - and purgatory
# halts before the kernel.
corrupt_caught() {
	local arch=$1 region=$2 con=$3 tmo=$4 where=${5:-staged} name=kexec-$1-corrupt occupy=--test-occupy
	[ "$where" = in-place ] && name=$name-in-place occupy=
	kexec_esp "$arch" "$name" 6.1 "$arch-testhooks"
	startup_nsh "$ESP" "efikexec.efi $occupy --test-corrupt=$region vmlinuz initrd=initrd.img console=$con"
	local rc=0
	QEMU_HALTED="digest mismatch" qemu_boot "$arch" "$name" "$ESP" 1G "$tmo" || rc=$?
	if [ "$rc" != 124 ]; then
		echo "qemu exited with $rc; a halted machine runs on (5 s after the mismatch, or until the timeout)"
		tail_log "$name"
		return 1
	fi
	expect_grep "$name" "^efikexec: warn: test: flipped one bit at offset (0x[0-9a-f]+|0) of segment [0-9] \\(checked as $region\\), ${where/-/ }\$"
	expect_line "$name" "purgatory: segment $region digest mismatch"
	if clean_log "$name" | sed -n "/purgatory: segment $region digest mismatch/,\$p" | grep 'Linux version' >/dev/null; then
		echo "the kernel ran after the mismatch"
		return 1
	fi
}
# the kernel's first page on x86_64, the initrd's on aarch64
t_kexec_x86_64_corrupt() { corrupt_caught x86_64 0 ttyS0 35; }
t_kexec_x86_64_corrupt_in_place() { corrupt_caught x86_64 0 ttyS0 35 in-place; }

# Bad input: each line returns to the shell with a message naming the file
# and the limit, the shell runs the next line, and a good boot still follows.
t_kexec_x86_64_bad_input() {
	local name=kexec-x86_64-bad esp
	kexec_esp x86_64 "$name" 6.1
	esp=$ESP
	head -c 1000000 "$esp/vmlinuz" >"$esp/trunc.img"
	head -c 300 "$esp/vmlinuz" >"$esp/tiny.img"
	# 200 MiB, named three times: more than the 512 MiB machine has free
	truncate -s 200M "$esp/big.img"
	local long
	long=$(printf 'x%.0s' $(seq 1 2100))
	startup_nsh "$esp" \
		'efikexec.efi missing.img console=ttyS0' \
		'echo "EFIKEXEC-STEP: missing rc %lasterror%"' \
		'efikexec.efi initrd.img console=ttyS0' \
		'echo "EFIKEXEC-STEP: foreign rc %lasterror%"' \
		'efikexec.efi trunc.img console=ttyS0' \
		'echo "EFIKEXEC-STEP: truncated rc %lasterror%"' \
		'efikexec.efi tiny.img console=ttyS0' \
		'echo "EFIKEXEC-STEP: tiny rc %lasterror%"' \
		'efikexec.efi vmlinuz initrd=big.img initrd=big.img initrd=big.img console=ttyS0' \
		'echo "EFIKEXEC-STEP: initrd-too-big rc %lasterror%"' \
		'efikexec.efi vmlinuz initrd=nothere.img console=ttyS0' \
		'echo "EFIKEXEC-STEP: initrd-missing rc %lasterror%"' \
		"efikexec.efi vmlinuz console=ttyS0 $long" \
		'echo "EFIKEXEC-STEP: cmdline rc %lasterror%"' \
		'efikexec.efi --mem-min=0x1000 --mem-max=0x1000 vmlinuz' \
		'echo "EFIKEXEC-STEP: memrange rc %lasterror%"' \
		"efikexec.efi vmlinuz initrd=initrd.img initrd=extra.img console=ttyS0"
	qemu_boot x86_64 "$name" "$esp" 512M 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" \
		'efikexec: error: file: \missing.img: cannot open: EFI_NOT_FOUND' \
		'EFIKEXEC-STEP: missing rc 0xE' \
		'EFIKEXEC-STEP: foreign rc 0x1' \
		'efikexec: error: bzimage: \trunc.img: truncated: 1000000 bytes, the header declares '"$(( ($(od -An -tu1 -j $((0x1f1)) -N1 "$esp/vmlinuz") + 1) * 512 ))"' of setup and '"$(( $(od -An -tu4 -j $((0x1f4)) -N4 "$esp/vmlinuz") * 16 ))"' of kernel (syssize '"$(printf '%#x' "$(od -An -tu4 -j $((0x1f4)) -N4 "$esp/vmlinuz")")"')' \
		'EFIKEXEC-STEP: truncated rc 0x1F' \
		'EFIKEXEC-STEP: tiny rc 0x1' \
		'EFIKEXEC-STEP: initrd-too-big rc 0x9' \
		'efikexec: error: file: \nothere.img: cannot open: EFI_NOT_FOUND' \
		'EFIKEXEC-STEP: initrd-missing rc 0xE' \
		'efikexec: error: boot: \vmlinuz: command line of 2114 bytes is longer than the kernel accepts (cmdline_size 2047): EFI_INVALID_PARAMETER' \
		'EFIKEXEC-STEP: cmdline rc 0x2' \
		"efikexec: error: options: --mem-max=0x1000 is not above --mem-min=0x1000" \
		'EFIKEXEC-STEP: memrange rc 0x2'
	expect_grep "$name" '^efikexec: error: image: \\initrd\.img: not a kernel image: bzImage: no "HdrS" at 0x202 \(0x[0-9a-f]+\); arm64 Image: magic 0x[0-9a-f]+ at 0x38 \(want 0x644d5241\); EFI zboot: [^;]+; PE: no "MZ" at 0; gzip: no gzip magic 1f 8b 08 at 0; Multiboot2: no Multiboot2 magic 0xe85250d6 in the first 32768 bytes; ELF: no "\\177ELF" at 0$' \
		'^efikexec: error: image: \\tiny\.img: not a kernel image: bzImage: 300 bytes, shorter than a setup header; arm64 Image: magic ' \
		'^efikexec: error: boot: \\big\.img: no room for 629145600 bytes \(600 MiB, alignment 0x1000\) in RAM within \[0x100000, '
	kexec_booted "$name" x86_64 6.1 "console=ttyS0"
}

# --- the kexec path on aarch64 -----------------------------------------------
# a64_boot NAME MEM TIMEOUT [qemu args]: boots, two CPUs; fails on a QEMU error
a64_boot() {
	local name=$1 mem=$2 tmo=$3
	shift 3
	qemu_boot aarch64 "$name" "$ESP" "$mem" "$tmo" -smp 2 "$@" ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
}

# 6.1 at EL1 with the firmware's own device tree (ACPI off) and a RNG,
# shell conventions, 512 MiB; first a --dry-run whose plan the boot must
# repeat. The kernel's /chosen has what efikexec put there, and no memory
# node is left (RAM comes from the UEFI map).
t_kexec_aarch64_6.1_el1_dt() {
	local name=kexec-aarch64-6.1-el1
	kexec_esp aarch64 "$name" 6.1
	local args='console=ttyAMA0 efikexec.test="a b" panic=-1'
	startup_nsh "$ESP" \
		"efikexec.efi --dry-run vmlinuz initrd=initrd.img initrd=\\extra.img $args" \
		'echo "EFIKEXEC-STEP: dry-run rc %lasterror%"' \
		"efikexec.efi --verbose vmlinuz initrd=initrd.img initrd=\\extra.img $args"
	QEMU_MACHINE=virt,acpi=off a64_boot "$name" 512M 240 -device virtio-rng-pci
	expect_line "$name" "EFIKEXEC-STEP: dry-run rc 0x0" \
		"purgatory: 3 segments verified (XXH64) at EL1, SCTLR_EL1.M=1 .C=1 (MMU and caches on)" \
		"EFIKEXEC-CPUS: 2" "EFIKEXEC-DT-MEMORY-NODES: 0" \
		"efikexec: debug: boot: kaslr-seed and 32 bytes of rng-seed from EFI_RNG_PROTOCOL"
	expect_grep "$name" '^EFIKEXEC-CHOSEN: bootargs kaslr-seed linux,initrd-end linux,initrd-start linux,uefi-mmap-desc-size linux,uefi-mmap-desc-ver linux,uefi-mmap-size linux,uefi-mmap-start linux,uefi-secure-boot linux,uefi-system-table '
	expect_grep "$name" 'CPU: All CPU\(s\) started at EL1' 'Machine model: linux,dummy-virt'
	kexec_booted "$name" aarch64 6.1 "$args"
	dry_run_matches "$name"
}

# 6.12 at EL2 (virtualization=on), ACPI (the firmware has no tree: an empty
# one goes to the kernel, purgatory's UART from SPCR), kexec-tools options, 3 GiB.
t_kexec_aarch64_6.12_el2_acpi() {
	local name=kexec-aarch64-6.12-el2
	kexec_esp aarch64 "$name" 6.12
	startup_nsh "$ESP" \
		"efikexec.efi --verbose --initrd=\\initrd.img --initrd=extra.img --append=\"console=ttyAMA0 panic=-1\" vmlinuz"
	QEMU_MACHINE=virt,virtualization=on a64_boot "$name" 3G 240
	expect_line "$name" "purgatory: 3 segments verified (XXH64) at EL2, SCTLR_EL2.M=1 .C=1 (MMU and caches on)" "EFIKEXEC-CPUS: 2" \
		"efikexec: debug: dtb: the firmware has no device tree: handing over an empty device tree (ACPI)"
	expect_grep "$name" 'CPU: All CPU\(s\) started at EL2' 'ACPI: SPCR: console: pl011' \
		'^EFIKEXEC-MEM: MemTotal: +(2|3)[0-9]{6} kB'
	kexec_booted "$name" aarch64 6.12 "console=ttyAMA0 panic=-1"
}

# --dtb with the tree QEMU makes for this very machine (-machine dumpdtb=)
t_kexec_aarch64_6.1_dtb() {
	local name=kexec-aarch64-6.1-dtb
	kexec_esp aarch64 "$name" 6.1
	qemu_dumpdtb "$name" "$ESP" 1G "$ESP/virt.dtb" -smp 2 || { echo "dumpdtb failed"; return 1; }
	startup_nsh "$ESP" "efikexec.efi --dtb=virt.dtb vmlinuz initrd=initrd.img initrd=extra.img console=ttyAMA0"
	a64_boot "$name" 1G 240
	expect_line "$name" "EFIKEXEC-CPUS: 2" "EFIKEXEC-DT-MEMORY-NODES: 0"
	expect_grep "$name" 'Machine model: linux,dummy-virt' 'CPU: All CPU\(s\) started at EL1'
	kexec_booted "$name" aarch64 6.1 "console=ttyAMA0"
}

# Every destination occupied: all of it copied with the MMU and caches on;
# purgatory reports how long the copy took.
t_kexec_aarch64_staged() {
	local name=kexec-aarch64-staged
	kexec_esp aarch64 "$name" 6.1 aarch64-testhooks
	startup_nsh "$ESP" "efikexec.efi --verbose --verify=sha256 --test-occupy vmlinuz initrd=initrd.img initrd=extra.img console=ttyAMA0"
	a64_boot "$name" 1G 240
	expect_grep "$name" '^purgatory: 3 segments verified \(SHA-256 instructions\) at EL[12], SCTLR_EL[12]\.M=1 \.C=1 \(MMU and caches on\)$'
	expect_grep "$name" '^efikexec: info: plan: relocation copies [1-9][0-9]* bytes for [0-9]+ bytes loaded \(1\.[0-9]{3} per byte\)' \
		'^purgatory: relocation copied [1-9][0-9]* pages in [0-9]+ us \(counter at [0-9]+ kHz\)'
	kexec_booted "$name" aarch64 6.1 "console=ttyAMA0"
}

t_kexec_aarch64_corrupt() { corrupt_caught aarch64 1 ttyAMA0 45; }
t_kexec_aarch64_corrupt_in_place() { corrupt_caught aarch64 1 ttyAMA0 45 in-place; }

t_kexec_aarch64_bad_input() {
	local name=kexec-aarch64-bad esp
	kexec_esp aarch64 "$name" 6.1
	esp=$ESP
	head -c 1000000 "$esp/vmlinuz" >"$esp/trunc.img"
	head -c 40 "$esp/vmlinuz" >"$esp/tiny.img"
	qemu_dumpdtb "$name" "$esp" 512M "$esp/good.dtb" -smp 2 || { echo "dumpdtb failed"; return 1; }
	head -c 2000 "$esp/good.dtb" >"$esp/cut.dtb"
	head -c 4096 /dev/urandom >"$esp/noise.dtb"
	startup_nsh "$esp" \
		'efikexec.efi missing.img console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: missing rc %lasterror%"' \
		'efikexec.efi initrd.img console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: foreign rc %lasterror%"' \
		'efikexec.efi trunc.img console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: truncated rc %lasterror%"' \
		'efikexec.efi tiny.img console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: tiny rc %lasterror%"' \
		'efikexec.efi --dtb=cut.dtb vmlinuz console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: cut-dtb rc %lasterror%"' \
		'efikexec.efi --dtb=noise.dtb vmlinuz console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: noise-dtb rc %lasterror%"' \
		'efikexec.efi --dtb=nothere.dtb vmlinuz console=ttyAMA0' \
		'echo "EFIKEXEC-STEP: missing-dtb rc %lasterror%"' \
		"efikexec.efi vmlinuz initrd=initrd.img initrd=extra.img console=ttyAMA0"
	a64_boot "$name" 512M 240
	expect_line "$name" \
		'efikexec: error: file: \missing.img: cannot open: EFI_NOT_FOUND' \
		'EFIKEXEC-STEP: missing rc 0xE' \
		'EFIKEXEC-STEP: foreign rc 0x1' \
		'EFIKEXEC-STEP: truncated rc 0x1F' \
		'efikexec: error: image: \tiny.img: not a kernel image: bzImage: 40 bytes, shorter than a setup header; arm64 Image: 40 bytes, shorter than an Image header; EFI zboot: no "MZ" and "zimg" at 0 and 4; PE: no "MZ" at 0; gzip: no gzip magic 1f 8b 08 at 0; Multiboot2: no Multiboot2 magic 0xe85250d6 in the first 32768 bytes; ELF: no "\177ELF" at 0' \
		'EFIKEXEC-STEP: tiny rc 0x1' \
		'efikexec: error: dtb: \cut.dtb: truncated: totalsize 1048576, 2000 bytes there' \
		'EFIKEXEC-STEP: cut-dtb rc 0x1F' \
		'EFIKEXEC-STEP: noise-dtb rc 0x2' \
		'efikexec: error: file: \nothere.dtb: cannot open: EFI_NOT_FOUND' \
		'EFIKEXEC-STEP: missing-dtb rc 0xE'
	expect_grep "$name" '^efikexec: error: image: \\trunc\.img: truncated: 1000000 bytes, its PE section table says [0-9]+$' \
		'^efikexec: error: dtb: \\noise\.dtb: not a device tree: FDT_ERR_' \
		'^efikexec: error: image: \\initrd\.img: not a kernel image: bzImage: no "HdrS" at 0x202 \(0x[0-9a-f]+\); arm64 Image: magic 0x[0-9a-f]+ at 0x38 \(want 0x644d5241\); '
	kexec_booted "$name" aarch64 6.1 "console=ttyAMA0"
}

# --- kernel formats (boot/loader.h) ------------------------------------------
# mkimage ARGS...: tests/qemu/mkimage.py
mkimage() { python3 "$HERE/mkimage.py" "$@"; }
stub_of() {
	case $1 in
	x86_64) echo /usr/lib/systemd/boot/efi/linuxx64.efi.stub ;;
	aarch64) echo "$BUILD/sysroot-arm64/usr/lib/systemd/boot/efi/linuxaa64.efi.stub" ;;
	esac
}
objcopy_of() { case $1 in x86_64) echo objcopy ;; aarch64) echo aarch64-linux-gnu-objcopy ;; esac; }

# uki_esp ARCH NAME: an ESP with a UKI of Debian's 6.1 kernel, made with
# objcopy: .osrel, .cmdline (UKI_CMDLINE), .ucode (the archive with
# $TOKEN: it must come first) and .initrd (the test initramfs). Sets ESP,
# TOKEN. A .ucode is read by stubs since 256, and Debian 12 has none that
# new: the UKI is made of systemd 254's stub without its .sdmagic (the one
# place that stub names its release), so it names no release and efikexec
# boots it by current systemd's rules (boot/uki.h), as any such UKI.
UKI_CMDLINE_x86_64='console=ttyS0 efikexec.uki=builtin panic=-1'
UKI_CMDLINE_aarch64='console=ttyAMA0 efikexec.uki=builtin panic=-1'
uki_esp() {
	local arch=$1 name=$2 v dtb=()
	kexec_esp "$arch" "$name" 6.1
	if [ "$arch" = aarch64 ]; then
		# the tree of this very machine: the kernel boots by it (not ACPI)
		qemu_dumpdtb "$name" "$ESP" 1G "$WORK/$name.dtb" -smp 2 || { echo "dumpdtb failed"; return 1; }
		dtb=(.dtb="$WORK/$name.dtb")
	fi
	v=UKI_CMDLINE_$arch
	printf '%s\n' "${!v}" >"$WORK/$name.cmdline"
	printf 'NAME="Debian GNU/Linux"\nPRETTY_NAME="efikexec test (bookworm)"\nID=debian\n' >"$WORK/$name.osrel"
	mkdir -p "$ESP/EFI/Linux"
	mkimage uki "$(us_stub 254 "$arch")" "$(objcopy_of "$arch")" "$ESP/EFI/Linux/test.efi" -.sdmagic \
		.osrel="$WORK/$name.osrel" .cmdline="$WORK/$name.cmdline" "${dtb[@]}" .ucode="$ESP/extra.img" \
		.initrd="$ESP/initrd.img" .linux="$ESP/vmlinuz"
}

# A UKI booted with its own .cmdline: nothing typed after it. Its .ucode
# and .initrd arrive (the token is in .ucode), the chain is in the plan.
uki_builtin() {
	local arch=$1 name=uki-$1-builtin v=UKI_CMDLINE_$1
	uki_esp "$arch" "$name"
	startup_nsh "$ESP" "efikexec.efi \\EFI\\Linux\\test.efi"
	if [ "$arch" = aarch64 ]; then a64_boot "$name" 1G 240; else
		qemu_boot x86_64 "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	fi
	kexec_booted "$name" "$arch" 6.1 "${!v}"
	[ "$arch" = x86_64 ] || expect_grep "$name" 'Machine model: linux,dummy-virt' '\.dtb, \.osrel'
	expect_grep "$name" '^efikexec: info: plan: image \\EFI\\Linux\\test\.efi: UKI \(\.linux: (bzImage 6\.1\.|arm64 Image, )[^)]*, \.ucode [0-9]+ KiB, \.initrd [0-9]+ MiB, \.cmdline, (\.dtb, )?\.osrel "efikexec test \(bookworm\)"; measured as current systemd-stub \(the UKI names no stub release\)\)$' \
		'^efikexec: info: plan: segment 0 kernel +\[0x[0-9a-f]+, 0x[0-9a-f]+\) +[0-9]+ bytes, in place, from \\EFI\\Linux\\test\.efi \.linux\+(0|0x[0-9a-f]+)$' \
		'^efikexec: info: plan: segment [0-9] initrd .* from \.ucode \+ \.initrd \+ /\.extra \(os-release\)$'
}
t_uki_x86_64_builtin() { uki_builtin x86_64; }
t_uki_aarch64_builtin() { uki_builtin aarch64; }

# A UKI with a command line typed after it: the typed one wins; an
# initrd= given too comes after the UKI's own.
t_uki_x86_64_typed() {
	local name=uki-x86_64-typed tok2=$RANDOM$RANDOM
	uki_esp x86_64 "$name"
	extra_initrd "$ESP/typed.img" typed "$tok2"
	local args='console=ttyS0 efikexec.uki=typed efikexec.test="a b"'
	startup_nsh "$ESP" "efikexec.efi \\EFI\\Linux\\test.efi initrd=typed.img $args"
	qemu_boot x86_64 "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	kexec_booted "$name" x86_64 6.1 "$args"
	expect_line "$name" "EFIKEXEC-EXTRA: typed $tok2"
	# the stub's order: .ucode, the loader's initrds, .initrd, /.extra
	expect_grep "$name" '^efikexec: info: plan: segment [0-9] initrd .* from \.ucode \+ \\typed\.img \+ \.initrd \+ /\.extra \(os-release\)$'
}

# arm64 Image.gz (Ubuntu's vmlinuz) and EFI zboot images (Fedora's) made
# here from Debian's Image: inflated straight into the kernel's pages.
# compressed_boot NAME FILE CHAIN-REGEX [efikexec options]
compressed_boot() {
	local name=$1 file=$2 chain=$3 opts=${4:-}
	startup_nsh "$ESP" "efikexec.efi --verbose $opts $file initrd=initrd.img initrd=extra.img console=ttyAMA0 efikexec.test=$file"
	a64_boot "$name" 1G 300
	kexec_booted "$name" aarch64 6.1 "console=ttyAMA0 efikexec.test=$file"
	expect_grep "$name" '^purgatory: [3-9] segments verified \(XXH64\)( at EL[12], SCTLR_EL[12]\.M=1 \.C=1 \(MMU and caches on\))?$' \
		"^efikexec: info: plan: image \\\\$file: $chain"
}
t_image_gz_aarch64() {
	kexec_esp aarch64 image-gz 6.1
	gzip -9 -c "$ESP/vmlinuz" >"$ESP/vmlinuz.gz"
	rm "$ESP/vmlinuz"
	compressed_boot image-gz vmlinuz.gz 'gzip \([0-9]+ KiB: arm64 Image, [0-9]+ KiB, image_size [0-9]+ KiB\)$'
}
# ... with every destination occupied: inflated into staging pages, span by
# span, and copied by the trampoline
t_zboot_aarch64_gzip_staged() {
	kexec_esp aarch64 zboot-gzip 6.1 aarch64-testhooks
	mkimage zboot gzip "$ESP/vmlinuz" "$ESP/vmlinuz.efi"
	rm "$ESP/vmlinuz"
	compressed_boot zboot-gzip vmlinuz.efi 'EFI zboot \(gzip, [0-9]+ KiB: arm64 Image, ' --test-occupy
	expect_grep zboot-gzip '^efikexec: info: plan: segment 0 kernel .* staged [0-9]+ of [0-9]+ pages, from \\vmlinuz\.efi \(gzip\)\+0$' \
		'^efikexec: info: plan: relocation copies [1-9][0-9]* bytes for [0-9]+ bytes loaded \(1\.[0-9]{3} per byte\)'
}
t_zboot_aarch64_zstd() {
	kexec_esp aarch64 zboot-zstd 6.12
	mkimage zboot zstd22 "$ESP/vmlinuz" "$ESP/vmlinuz.efi"
	rm "$ESP/vmlinuz"
	startup_nsh "$ESP" "efikexec.efi vmlinuz.efi initrd=initrd.img initrd=extra.img console=ttyAMA0"
	QEMU_MACHINE=virt,virtualization=on a64_boot zboot-zstd 1G 300
	kexec_booted zboot-zstd aarch64 6.12 "console=ttyAMA0"
	expect_grep zboot-zstd '^efikexec: info: plan: image \\vmlinuz\.efi: EFI zboot \(zstd22, [0-9]+ KiB: arm64 Image, '
}

# ... lz4 (Makefile.zboot's lz4: lz4's legacy frame, the size appended):
# Debian's arm64 liblz4 in the firmware
t_zboot_aarch64_lz4() {
	kexec_esp aarch64 zboot-lz4 6.1
	mkimage zboot lz4 "$ESP/vmlinuz" "$ESP/vmlinuz.efi"
	rm "$ESP/vmlinuz"
	compressed_boot zboot-lz4 vmlinuz.efi 'EFI zboot \(lz4, [0-9]+ KiB: arm64 Image, '
}

# The ELF vmlinux inside Debian's bzImage, at its p_paddr, entered at
# startup_64 with boot_params; no KASLR (the plan says so).
t_elf_x86_64() {
	local name=elf-x86_64
	kexec_esp x86_64 "$name" 6.1
	[ -s "$WORK/vmlinux-6.1" ] || mkimage vmlinux "$ESP/vmlinuz" "$WORK/vmlinux-6.1"
	cp "$WORK/vmlinux-6.1" "$ESP/vmlinux"
	startup_nsh "$ESP" "efikexec.efi --verbose vmlinux initrd=initrd.img initrd=extra.img console=ttyS0 panic=-1"
	qemu_boot x86_64 "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "purgatory: 6 segments verified (XXH64)"
	expect_grep "$name" '^efikexec: info: plan: image \\vmlinux: ELF vmlinux, [0-9] PT_LOAD at \[0x1000000, 0x[0-9a-f]+\), entry 0x1000000; no relocation table: not moved by KASLR$'
	KEXEC_AT=0x1000000 kexec_booted "$name" x86_64 6.1 "console=ttyS0 panic=-1"
}

# --direct-entry: the bzImage's payload decompressed by efikexec (6.12:
# zstd, 6.1: xz), relocated by a KASLR offset, entered at startup_64. Two
# boots of 6.12 run at two offsets, each the plan's (the kernel's _text in
# /proc/kallsyms), and at physical addresses drawn, each the plan's (Kernel
# code in /proc/iomem); with nokaslr, 6.1 runs at its link address, at the
# lowest place.
t_direct_x86_64() {
	local name i series cl off=() text load phys=()
	for i in 1 2 3; do
		name=direct-x86_64-$i series=6.12 cl="console=ttyS0 panic=-1"
		[ "$i" = 3 ] && series=6.1 cl="console=ttyS0 panic=-1 nokaslr"
		kexec_esp x86_64 "$name" "$series"
		startup_nsh "$ESP" "efikexec.efi --direct-entry vmlinuz initrd=initrd.img initrd=extra.img $cl"
		qemu_boot x86_64 "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
		# physically where the plan put it; KEXEC_AT: kexec_booted
		# checks that, not a move
		load=$(clean_log "$name" | sed -n 's/^efikexec: info: plan: segment 0 kernel *\[\(0x[0-9a-f]*\),.*/\1/p' | tail -n1)
		if [ "$i" = 3 ]; then
			KEXEC_AT=$load kexec_booted "$name" x86_64 "$series" "$cl"
		else
			kexec_booted "$name" x86_64 "$series" "$cl"
			expect_line "$name" "EFIKEXEC-KCODE: $(printf '%08x' "$load")"
		fi
		if [ "$i" = 3 ]; then
			expect_grep "$name" '^efikexec: info: plan: entry: the vmlinux inside, decompressed by efikexec \(xz, [0-9]+ MiB\), at startup_64 0x[0-9a-f]+; KASLR off: nokaslr on the command line$'
			expect_line "$name" "EFIKEXEC-KTEXT: ffffffff81000000"
			continue
		fi
		expect_grep "$name" "^efikexec: info: plan: entry: the vmlinux inside, decompressed by efikexec \\(zstd, [0-9]+ MiB\\), at startup_64 0x[0-9a-f]+; KASLR on, virtual offset 0x[0-9a-f]+ from .*; physical address 0x[0-9a-f]+ drawn among [1-9][0-9]+ places\$" \
			'^efikexec: info: boot: \\vmlinuz: [0-9]+ relocations applied for a virtual offset of 0x[0-9a-f]+$'
		off[i]=$(clean_log "$name" | sed -n 's/.*relocations applied for a virtual offset of \(0x[0-9a-f]*\)$/\1/p' | head -n1)
		phys[i]=$(clean_log "$name" | sed -n 's/.*; physical address \(0x[0-9a-f]*\) drawn among.*/\1/p' | head -n1)
		[ $((phys[i])) = $((load)) ] || { echo "drawn ${phys[i]}, placed at $load"; return 1; }
		text=$(printf '%x' $((0xffffffff81000000 + off[i])))
		expect_line "$name" "EFIKEXEC-KTEXT: $text"
	done
	# each is one of some 470 places: both the same twice is a broken draw
	[ "${off[1]}/${phys[1]}" != "${off[2]}/${phys[2]}" ] ||
		{ echo "two boots, one offset and one place: ${off[1]} at ${phys[1]}"; return 1; }
}

# The kernel's other payload compressions (CONFIG_KERNEL_LZ4, _LZO,
# _BZIP2), decompressed by efikexec and entered at startup_64: Debian's
# 6.12 bzImage with its payload compressed again as the kernel's Makefile
# would (mkimage.py bzimage-payload; no Debian kernel ships these). Each is
# made once per work folder (lzop -9 takes a while).
t_direct_x86_64_lz4_lzo_bzip2() {
	local name comp cl="console=ttyS0 panic=-1" img
	for comp in lz4 lzo bzip2; do
		name=direct-x86_64-$comp
		kexec_esp x86_64 "$name" 6.12
		img=$WORK/vmlinuz-6.12-$comp
		[ -s "$img" ] || { mkimage bzimage-payload "$comp" "$ESP/vmlinuz" "$img.tmp" && mv "$img.tmp" "$img"; } || return 1
		cp "$img" "$ESP/vmlinuz"
		startup_nsh "$ESP" "efikexec.efi --direct-entry vmlinuz initrd=initrd.img initrd=extra.img $cl"
		qemu_boot x86_64 "$name" "$ESP" 1G 240 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
		kexec_booted "$name" x86_64 6.12 "$cl"
		expect_grep "$name" "^efikexec: info: plan: entry: the vmlinux inside, decompressed by efikexec \\($comp, [0-9]+ MiB\\), at startup_64 0x[0-9a-f]+; KASLR on, " \
			'^efikexec: info: boot: \\vmlinuz: [0-9]+ relocations applied for a virtual offset of 0x[0-9a-f]+$'
	done
}

# efikexec's default output: a boot says one line - what, from where, how
# long its load took - and nothing else of efikexec's reaches the console.
t_quiet_x86_64() {
	local name=quiet-x86_64 cl="console=ttyS0 panic=-1" said
	kexec_esp x86_64 "$name" 6.1
	STARTUP_AS_IS=1 startup_nsh "$ESP" "efikexec.efi vmlinuz initrd=initrd.img initrd=extra.img $cl"
	STARTUP_AS_IS=1 qemu_boot x86_64 "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "EFIKEXEC-CMDLINE: $cl" "EFIKEXEC-EXTRA: token $TOKEN" "EFIKEXEC-INIT: done"
	said=$(clean_log "$name" | grep -E '^efikexec: ' || true)
	grep -Eqx 'efikexec: notice: boot: entering \\vmlinuz \(bzImage 6\.1\.[^)]*\), loaded in [0-9]+ ms' <<<"$said" &&
		[ "$(wc -l <<<"$said")" = 1 ] || { echo "efikexec said, not one line:"; echo "$said"; return 1; }
}

# An arm64 ELF vmlinux (made here around Debian's Image as the kernel's link
# lays it out): placed and entered as its Image would be.
t_elf_aarch64() {
	kexec_esp aarch64 elf-aarch64 6.1
	mkimage arm64-vmlinux "$ESP/vmlinuz" "$ESP/vmlinux"
	rm "$ESP/vmlinuz"
	compressed_boot elf-aarch64 vmlinux 'arm64 ELF vmlinux, 2 PT_LOAD, image_size [0-9]+ KiB$'
}

# Bad images of each format: each returns to the shell with its message,
# and a good boot follows in the same firmware session.
t_formats_x86_64_bad_input() {
	local name=formats-x86_64-bad esp stub
	kexec_esp x86_64 "$name" 6.1
	esp=$ESP stub=$(stub_of x86_64)
	printf 'ID=x\n' >"$WORK/$name.osrel"
	mkimage uki "$stub" objcopy "$esp/nolinux.efi" .osrel="$WORK/$name.osrel"
	mkimage uki "$stub" objcopy "$esp/cut.efi" .osrel="$WORK/$name.osrel" .linux="$esp/vmlinuz"
	truncate -s 4000000 "$esp/cut.efi"
	mkimage elf32 "$esp/elf32"
	mkimage elf-overlap "$esp/overlap"
	mkimage elf-mmio "$esp/mmio"
	cp "$(kernel_path aarch64 6.1)" "$esp/arm64.img"
	# the good boot at the end: a gzip'd vmlinux (zlib on x86_64 too)
	[ -s "$WORK/vmlinux-6.1" ] || mkimage vmlinux "$esp/vmlinuz" "$WORK/vmlinux-6.1"
	gzip -1 -c "$WORK/vmlinux-6.1" >"$esp/vmlinux.gz"
	startup_nsh "$esp" \
		'efikexec.efi nolinux.efi' 'echo "EFIKEXEC-STEP: nolinux rc %lasterror%"' \
		'efikexec.efi cut.efi' 'echo "EFIKEXEC-STEP: cut rc %lasterror%"' \
		'efikexec.efi elf32' 'echo "EFIKEXEC-STEP: elf32 rc %lasterror%"' \
		'efikexec.efi overlap' 'echo "EFIKEXEC-STEP: overlap rc %lasterror%"' \
		'efikexec.efi mmio' 'echo "EFIKEXEC-STEP: mmio rc %lasterror%"' \
		'efikexec.efi arm64.img' 'echo "EFIKEXEC-STEP: arm64 rc %lasterror%"' \
		"efikexec.efi vmlinux.gz initrd=initrd.img initrd=extra.img console=ttyS0"
	qemu_boot x86_64 "$name" "$esp" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" \
		'efikexec: error: elf: \elf32: ELF class 1 (ELF32, i386): efikexec loads 64-bit ELF kernels, and 32-bit ones with a Multiboot2 header' \
		'efikexec: error: elf: \overlap: PT_LOAD 1 [0x1002000, 0x1003000) overlaps another PT_LOAD [0x1000000, 0x1003000)' \
		'EFIKEXEC-STEP: nolinux rc 0x1' 'EFIKEXEC-STEP: cut rc 0x1F' 'EFIKEXEC-STEP: elf32 rc 0x3' \
		'EFIKEXEC-STEP: overlap rc 0x1' 'EFIKEXEC-STEP: mmio rc 0x1' 'EFIKEXEC-STEP: arm64 rc 0x3'
	expect_grep "$name" '^efikexec: error: image: \\nolinux\.efi: not a kernel image: .*; PE: a PE file with no \.linux section; ' \
		'^efikexec: error: uki: \\cut\.efi: section \.linux at 0x[0-9a-f]+, [0-9]+ bytes, ends past the file.s 4000000 bytes$' \
		'^efikexec: error: image: \\arm64\.img: arm64 Image, [0-9]+ KiB, image_size [0-9]+ KiB is a kernel for aarch64; this efikexec enters x86_64 kernels$' \
		'^efikexec: error: boot: \\mmio: ELF vmlinux at \[0xfe000000, 0xfe001000\) is not RAM the kernel may have \((reserved|no memory) there\): EFI_LOAD_ERROR$' \
		'^efikexec: info: plan: image \\vmlinux\.gz: gzip \([0-9]+ KiB: ELF vmlinux, 4 PT_LOAD at \[0x1000000, '
	KEXEC_AT=0x1000000 kexec_booted "$name" x86_64 6.1 "console=ttyS0"
}

t_formats_aarch64_bad_input() {
	local name=formats-aarch64-bad esp
	kexec_esp aarch64 "$name" 6.1
	esp=$ESP
	gzip -1 -c "$esp/vmlinuz" >"$esp/cut.gz"
	truncate -s 6000000 "$esp/cut.gz"
	# (Makefile.zboot has no bzip2)
	mkimage zboot bzip2 "$esp/vmlinuz" "$esp/bz2.efi"
	startup_nsh "$esp" \
		'efikexec.efi cut.gz console=ttyAMA0' 'echo "EFIKEXEC-STEP: cut rc %lasterror%"' \
		'efikexec.efi bz2.efi console=ttyAMA0' 'echo "EFIKEXEC-STEP: bz2 rc %lasterror%"' \
		"efikexec.efi vmlinuz initrd=initrd.img initrd=extra.img console=ttyAMA0"
	a64_boot "$name" 1G 300
	expect_line "$name" \
		'efikexec: error: zboot: \bz2.efi: compression "bzip2" is not supported (efikexec inflates gzip, zstd22, xzkern, lzma, lz4 and lzo)' \
		'EFIKEXEC-STEP: bz2 rc 0x3'
	expect_grep "$name" '^efikexec: error: (inflate|image): \\cut\.gz \(gzip\): .*(ends early|cut short or corrupt|corrupt gzip data)' \
		'^EFIKEXEC-STEP: cut rc 0x(1|1F|4)$'
	kexec_booted "$name" aarch64 6.1 "console=ttyAMA0"
}

# --- crash capture -------------------------------------------------------------
# One QEMU, two boots, RAM kept across the reset (QEMU_WARM_RESET=1). The
# first start of efikexec arms a capture region and boots the main kernel,
# whose /init does what efikexec.then= says; the reset starts the firmware
# and efikexec again (the shell's non-volatile variable efikexec_boot tells
# startup.nsh which start it is), which enters the capture kernel after a
# crash and boots normally otherwise. The capture kernel is the same Debian
# 6.1 kernel; its /init reports /proc/vmcore (tests/qemu/init.sh).
CAPTURE_SIZE=192M

# capture_esp ARCH NAME [EFI]: an ESP for the capture tests. Sets ESP, TOKEN.
capture_esp() {
	local arch=$1 name=$2 efi=${3:-$1}
	ESP=$(new_esp "$name")
	cp "$BUILD/$efi/efikexec.efi" "$ESP/efikexec.efi"
	cp "$(kernel_path "$arch" 6.1)" "$ESP/vmlinuz"
	cp "$WORK/initrd-capture-$arch.img" "$ESP/initrd.img"
	TOKEN=$RANDOM$RANDOM
}

# capture_nsh ARCH THEN [FIRST-OPTS]: startup.nsh for the two starts; the
# second asks --capture-status first.
capture_nsh() {
	local arch=$1 then=$2 first=${3:-} con
	con=$(console_of "$arch")
	local cap="--capture-kernel=vmlinuz --capture-initrd=initrd.img --capture-append=\"console=$con nr_cpus=1 panic=-1 efikexec.token=$TOKEN\" --capture-size=$CAPTURE_SIZE"
	# a UKI as the capture kernel (capture_crash x86_64): its profile 1, its
	# own .initrd and a credential beside it
	[ -n "${CAP_UKI:-}" ] &&
		cap="--capture-kernel=$CAP_UKI --capture-append=\"@1 console=$con nr_cpus=1 panic=-1 efikexec.token=$TOKEN\" --capture-size=$CAPTURE_SIZE"
	local main="vmlinuz initrd=initrd.img console=$con panic=1 efikexec.token=$TOKEN"
	startup_nsh "$ESP" \
		'if "%efikexec_boot%" == "2" then' \
		"  efikexec.efi --capture-status" \
		"  efikexec.efi --verbose $cap $main efikexec.boot=2" \
		'  echo "EFIKEXEC-STEP: second start rc %lasterror%"' \
		'  reset -s' \
		'endif' \
		'set efikexec_boot 2' \
		"efikexec.efi $first $cap $main efikexec.boot=1 efikexec.then=$then" \
		'echo "EFIKEXEC-STEP: first start rc %lasterror%"'
}

# capture_armed NAME: the first start armed a region the main kernel kept
# out of its RAM: a reserved e820 range (x86) or a reserved-memory node
# (arm64) exactly there. Sets REGION_BASE, REGION_END.
capture_armed() {
	local name=$1 arch=$2 line
	line=$(clean_log "$name" | sed -n 's/^efikexec: info: capture: region \[\(0x[0-9a-f]*\), \(0x[0-9a-f]*\)).*reserved.*/\1 \2/p' | head -n1)
	read -r REGION_BASE REGION_END <<<"$line"
	if [ -z "$REGION_BASE" ]; then
		echo "no capture region reserved"
		tail_log "$name"
		return 1
	fi
	expect_line "$name" "efikexec: info: capture: armed: a crash of this boot enters the capture kernel on the next start of efikexec"
	if [ "$arch" = x86_64 ]; then
		expect_line "$name" "EFIKEXEC-MEMMAP: $(printf '0x%x 0x%x' "$REGION_BASE" $((REGION_END - 1))) Reserved"
	elif [ -n "${CAPTURE_DT:-}" ]; then
		# the firmware's device tree: a reserved-memory node, no-map
		expect_grep "$name" "^EFIKEXEC-RESERVED-MEMORY: .*efikexec-capture@$(printf '%x' "$REGION_BASE") "
	else
		# ACPI: a reserved range of the EFI memory map, outside the linear
		# map (it may run on into what firmware rewrites, kept out too)
		local a b ok=0
		while read -r a b; do
			[ $((16#$a)) -le $((REGION_BASE)) ] && [ $((16#$b)) -ge $((REGION_END - 1)) ] && ok=1
		done < <(clean_log "$name" | sed -n 's/^EFIKEXEC-IOMEM: \([0-9a-f]*\)-\([0-9a-f]*\) : reserved$/\1 \2/p')
		if [ $ok = 0 ]; then
			echo "the main kernel's /proc/iomem has no reserved range over the region"
			clean_log "$name" | grep EFIKEXEC-IOMEM
			return 1
		fi
	fi
}

# capture_crash ARCH: arm, crash, capture; the pattern must be in the dump.
# On x86_64 the main kernel gets the direct entry, and the capture kernel is a UKI with two profiles, booted as its
# profile 1 ("@1"), with a credential in its companion folder: the same
# path as any UKI (efi/ukistub.c), into the capture region.
capture_crash() {
	local arch=$1 name=capture-$1-crash qemu_extra=() dump CAP_UKI=
	capture_esp "$arch" "$name"
	if [ "$arch" = x86_64 ]; then
		mkdir -p "$ESP/EFI/Linux/cap.efi.extra.d"
		printf 'capture-%s' "$TOKEN" >"$ESP/EFI/Linux/cap.efi.extra.d/dump.cred"
		printf 'ID=full\n' >"$WORK/$name.p0"
		printf 'ID=capture\nTITLE=Capture\n' >"$WORK/$name.p1"
		# profiles came with systemd 257: no .sdmagic, current rules (uki_esp)
		mkimage uki "$(us_stub 254 "$arch")" objcopy "$ESP/EFI/Linux/cap.efi" -.sdmagic .linux="$ESP/vmlinuz" \
			.initrd="$ESP/initrd.img" .profile="$WORK/$name.p0" .profile="$WORK/$name.p1"
		CAP_UKI='\EFI\Linux\cap.efi'
	fi
	# on x86_64 the main kernel is entered as the EFI stub enters it
	# (--direct-entry: decompressed by efikexec, KASLR offsets drawn): the
	# capture works as well from a kernel started that way
	capture_nsh "$arch" crash "$([ "$arch" = x86_64 ] && echo --direct-entry)"
	local capre=vmlinuz
	[ -n "$CAP_UKI" ] && capre='EFI\\Linux\\cap\.efi'
	# the capture kernel's /init writes /proc/vmcore to this disk; the
	# machine has 512 MiB, as efikexec-vm's capture tests: copying the
	# dump is most of the test's time under TCG (at 1 GiB, 152 s against
	# 83 on aarch64)
	dump=$WORK/$name-dump.img
	rm -f "$dump"
	truncate -s 1G "$dump"
	qemu_extra=(-drive "if=virtio,format=raw,file=$dump")
	QEMU_WARM_RESET=1 qemu_boot "$arch" "$name" "$ESP" 512M 600 "${qemu_extra[@]}" ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	capture_armed "$name" "$arch"
	expect_line "$name" "EFIKEXEC-INIT: crashing"
	[ "$arch" != x86_64 ] ||
		expect_grep "$name" '^efikexec: info: plan: entry: the vmlinux inside, decompressed by efikexec \(xz, [0-9]+ MiB\), at startup_64 0x[0-9a-f]+; KASLR on, virtual offset 0x[0-9a-f]+ from .*; physical address 0x[0-9a-f]+ drawn among [1-9][0-9]* places$'
	expect_grep "$name" "Kernel panic - not syncing: sysrq triggered crash" \
		"^efikexec: info: capture: the main kernel crashed: efi-pstore record dump-type0-" \
		"^efikexec: info: capture: region \\[$REGION_BASE, $REGION_END\\) intact: entering \\\\$capre" \
		"^efikexec: info: capture: VMCOREINFO of the crashed kernel $(kernel_version_re "$arch" 6.1) at 0x[0-9a-f]+ \\([0-9]+ bytes\\); linear map at phys \\+ 0xff[0-9a-f]{14}$" \
		"^efikexec: info: capture: ELF core header at 0x[0-9a-f]*: [0-9]* PT_LOAD" \
		"^purgatory: 4 segments verified" \
		"^EFIKEXEC-CAPTURE: cmdline .*elfcorehdr=0x" \
		"^EFIKEXEC-CAPTURE: elf 7f 45 4c 46 02 01 01 00 00 00 00 00 00 00 00 00$" \
		"^EFIKEXEC-CAPTURE: saved to /dev/vdb" "^EFIKEXEC-CAPTURE: done"
	if [ -n "$CAP_UKI" ]; then
		expect_line "$name" "EFIKEXEC-CAPTURE: extra 400 /.extra/credentials/dump.cred capture-$TOKEN" \
			"EFIKEXEC-CAPTURE: extra 444 /.extra/profile ID=capture TITLE=Capture"
		expect_grep "$name" '^efikexec: info: image: \\EFI\\Linux\\cap\.efi: UKI \(\.linux: bzImage .*, profile 1 of 2 "Capture"; measured as current systemd-stub \(the UKI names no stub release\)\)$'
	fi
	# the capture kernel ran in the region alone
	local mem
	mem=$(clean_log "$name" | sed -n 's/^EFIKEXEC-CAPTURE: mem MemTotal: *\([0-9]*\) kB/\1/p')
	if [ -z "$mem" ] || [ "$mem" -gt $((192 * 1024)) ]; then
		echo "the capture kernel had $mem kB, more than the 192 MiB region"
		return 1
	fi
	# 8 MiB of pattern lines were written: nearly all of them are in the dump
	local lines
	lines=$(LC_ALL=C grep -a -c -x "EFIKEXEC-PATTERN-$TOKEN" "$dump" || true)
	echo "pattern lines in /proc/vmcore: $lines of 299593"
	if [ -z "$lines" ] || [ "$lines" -lt 250000 ]; then
		echo "the pattern is not in /proc/vmcore"
		return 1
	fi
	[ "$arch" = x86_64 ] || { rm -f "$dump"; return 0; }
	# the saved dump, read on the host by makedumpfile with the VMCOREINFO
	# efikexec found: the crashed kernel's log
	rm -f "$WORK/$name-dmesg.txt"
	makedumpfile --dump-dmesg "$dump" "$WORK/$name-dmesg.txt" >"$WORK/$name-makedumpfile.log" 2>&1 ||
		{ echo "makedumpfile failed:"; cat "$WORK/$name-makedumpfile.log"; return 1; }
	grep -q "sysrq triggered crash" "$WORK/$name-dmesg.txt" ||
		{ echo "no 'sysrq triggered crash' in the dump's log"; tail -n 5 "$WORK/$name-dmesg.txt"; return 1; }
	rm -f "$dump"
}
t_capture_x86_64_crash() { capture_crash x86_64; }
t_capture_aarch64_crash() { capture_crash aarch64; }

# capture_second_boot NAME: the second start booted the main kernel again
# (re-armed), and no capture kernel ran.
capture_second_boot() {
	local name=$1
	expect_grep "$name" "^EFIKEXEC-CMDLINE: .* efikexec\.boot=2$" "^EFIKEXEC-INIT: done"
	if grep -q "^EFIKEXEC-CAPTURE" < <(clean_log "$name"); then
		echo "a capture kernel ran"
		return 1
	fi
}

# A clean reboot of the main kernel: the region is left, nothing captured.
t_capture_x86_64_clean_reboot() {
	local name=capture-x86_64-reboot
	capture_esp x86_64 "$name"
	capture_nsh x86_64 reboot
	QEMU_WARM_RESET=1 qemu_boot x86_64 "$name" "$ESP" 1G 300 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	capture_armed "$name" x86_64
	expect_line "$name" "EFIKEXEC-INIT: rebooting" "capture: no crash since arming" \
		"efikexec: info: capture: no crash record since the region [$REGION_BASE, $REGION_END) was armed: a clean restart; disarmed"
	expect_grep "$name" "^capture: armed, region \\[$REGION_BASE, $REGION_END\\) 192 MiB" \
		"^capture: region intact, capture kernel "
	capture_second_boot "$name"
}

# The same on aarch64 with the firmware's device tree (virt,acpi=off): the
# main kernel sees the region as a /reserved-memory node.
t_capture_aarch64_dt_clean_reboot() {
	local name=capture-aarch64-dt-reboot
	capture_esp aarch64 "$name"
	capture_nsh aarch64 reboot
	CAPTURE_DT=1 QEMU_MACHINE=virt,acpi=off QEMU_WARM_RESET=1 qemu_boot aarch64 "$name" "$ESP" 1G 300 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	CAPTURE_DT=1 capture_armed "$name" aarch64
	expect_line "$name" "EFIKEXEC-INIT: rebooting" "capture: no crash since arming" \
		"efikexec: info: capture: no crash record since the region [$REGION_BASE, $REGION_END) was armed: a clean restart; disarmed"
	capture_second_boot "$name"
}

# A stray write into the region after arming (the test build flips a bit
# of the capture kernel): after the crash efikexec says so, disarms and
# boots normally.
capture_corrupt() {
	local arch=$1 name=capture-$1-corrupt
	capture_esp "$arch" "$name" "$arch-testhooks"
	capture_nsh "$arch" crash --test-corrupt-capture
	QEMU_WARM_RESET=1 qemu_boot "$arch" "$name" "$ESP" 1G 300 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	capture_armed "$name" "$arch"
	expect_grep "$name" "^efikexec: warn: test: flipped a bit of the capture kernel at 0x" \
		"Kernel panic - not syncing: sysrq triggered crash" \
		"^capture: region overwritten: the capture kernel's SHA-256 at \\[0x[0-9a-f]*, 0x[0-9a-f]*\\) does not match its arming" \
		"^capture: crashed since arming: dump-type0-" \
		"^efikexec: error: capture: capture region \\[$REGION_BASE, $REGION_END\\) was overwritten: the capture kernel's SHA-256 .* does not match its arming; disarmed, continuing the normal boot$"
	capture_second_boot "$name"
}
t_capture_x86_64_corrupt() { capture_corrupt x86_64; }
t_capture_aarch64_corrupt() { capture_corrupt aarch64; }

# Bad capture requests fail with what is wrong and leave the shell usable.
capture_bad() {
	local arch=$1 name=capture-$1-bad not_ram overlap
	case $arch in
	x86_64) not_ram=0x80000000 overlap=0x806000 ;;  # a hole; OVMF's ACPI NVS
	aarch64) not_ram=0x10000000 overlap=0x44000000 ;; # PCI MMIO; firmware data
	esac
	capture_esp "$arch" "$name"
	local k="vmlinuz initrd=initrd.img console=$(console_of "$arch")"
	startup_nsh "$ESP" \
		'efikexec.efi --capture-status' \
		'efikexec.efi --capture-disarm' \
		"efikexec.efi --capture-kernel=vmlinuz --capture-size=16M $k" \
		'echo "EFIKEXEC-STEP: small rc %lasterror%"' \
		"efikexec.efi --capture-kernel=vmlinuz --capture-size=192M@$not_ram $k" \
		'echo "EFIKEXEC-STEP: not-ram rc %lasterror%"' \
		"efikexec.efi --capture-kernel=vmlinuz --capture-size=192M@$overlap $k" \
		'echo "EFIKEXEC-STEP: overlap rc %lasterror%"' \
		"efikexec.efi --capture-kernel=missing.img --capture-size=192M $k" \
		'echo "EFIKEXEC-STEP: missing rc %lasterror%"' \
		"efikexec.efi --capture-kernel=initrd.img --capture-size=192M $k" \
		'echo "EFIKEXEC-STEP: foreign rc %lasterror%"' \
		"efikexec.efi --capture-kernel=vmlinuz --capture-size=192M --dry-run $k" \
		'echo "EFIKEXEC-STEP: dry-run rc %lasterror%"' \
		'efikexec.efi --capture-status' \
		'echo "EFIKEXEC-STEP: shell still runs"'
	qemu_boot "$arch" "$name" "$ESP" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" "capture: nothing armed" \
		"EFIKEXEC-STEP: small rc 0x5" "EFIKEXEC-STEP: not-ram rc 0x2" "EFIKEXEC-STEP: overlap rc 0xF" \
		"EFIKEXEC-STEP: missing rc 0xE" "EFIKEXEC-STEP: foreign rc 0x1" "EFIKEXEC-STEP: dry-run rc 0x0" \
		"EFIKEXEC-STEP: shell still runs"
	expect_grep "$name" \
		"^capture: not armed; newest crash record: none$" \
		"^efikexec: error: capture: --capture-size=16 MiB is too small for \\\\vmlinuz: .*: at least [0-9]+ MiB: EFI_BUFFER_TOO_SMALL$" \
		"^efikexec: error: capture: --capture-size: region \\[$not_ram, 0x[0-9a-f]*\\): \\[$not_ram, 0x[0-9a-f]*\\) is not RAM \\(no memory there\\): EFI_INVALID_PARAMETER$" \
		"^efikexec: error: capture: --capture-size: region \\[$overlap, 0x[0-9a-f]*\\) overlaps the firmware's \\[0x[0-9a-f]*, 0x[0-9a-f]*\\) \\(.*\\): EFI_ACCESS_DENIED$" \
		"^efikexec: error: file: \\\\missing.img: cannot open: EFI_NOT_FOUND$" \
		"^efikexec: info: capture: region \\[0x[0-9a-f]*, 0x[0-9a-f]*\\) 192 MiB reserved: "
	# the dry run armed nothing
	if [ "$(clean_log "$name" | grep -c '^capture: not armed')" != 2 ]; then
		echo "--capture-status after the dry run does not say 'not armed'"
		return 1
	fi
}
t_capture_x86_64_bad_input() { capture_bad x86_64; }
t_capture_aarch64_bad_input() { capture_bad aarch64; }
