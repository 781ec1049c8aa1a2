# SPDX-License-Identifier: BSD-2-Clause-Patent
# vm.sh - efikexec-vm (tools/efikexec-vm, efikexec-vm(1)) booting real
# firmware, as a user runs it: no terminal (the serial output on standard
# output and in its log), then one run in a pseudo-terminal quit with
# Ctrl-A X. Each checks the exit status that says how the guest ended.
# (Its checks before QEMU starts, bad inputs and the firmware descriptors:
# tests/tools/test-vm.sh; `make demo` is a call of it too.) Sourced by
# suite.sh.

VM=$SUITE/../../tools/efikexec-vm

# vm_run NAME WANT [efikexec-vm args...]: efikexec-vm with the log in
# $LOGDIR/NAME.log, its own output in NAME.vm; its status must be WANT.
vm_run() {
	local name=$1 want=$2 rc=0
	shift 2
	# --plan: efikexec's plan and steps, which the tests read (not with
	# STARTUP_AS_IS=1: efikexec's output as a user has it)
	local plan=(--plan)
	[ -n "${STARTUP_AS_IS:-}" ] && plan=()
	"$VM" "${plan[@]}" --log "$LOGDIR/$name.log" "$@" </dev/null >"$LOGDIR/$name.vm" 2>&1 || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "efikexec-vm $*: status $rc, not $want"
		tail -n 15 "$LOGDIR/$name.vm"
		return 1
	fi
}

# The kernels through efikexec and through their own EFI stubs (the
# harness's proof of itself: the same initrds and exact command line
# reach the kernel either way), each with one command, the architecture
# from the kernel file (arm64: Debian's gzip'd vmlinuz as it is), --time's
# four stages seen in order.
vm_boot() {
	local arch=$1 loader=$2 name=vm-$2-$1 token args con out from=()
	shift 2 # the rest: more efikexec-vm options
	token=$RANDOM$RANDOM
	con=$(console_of "$arch")
	extra_initrd "$WORK/extra-$name.img" token "$token"
	args="console=$con efikexec.test=\"a b\" panic=-1"
	# the arm64 peers as deps.sh unpacked them (this host is x86_64)
	if [ "$arch" = aarch64 ]; then
		case $loader in
		systemd-boot) from=(--loader-from "$BUILD/sysroot-arm64/usr/lib/systemd/boot/efi/systemd-bootaa64.efi") ;;
		grub) from=(--loader-from "$ASSETS/grub-arm64/usr/lib/grub/arm64-efi") ;;
		esac
	fi
	vm_run "$name" 0 --loader "$loader" "${from[@]}" "$@" --timeout 240 --time "$ASSETS/vmlinuz-6.12-$(deb_arch "$arch")" \
		--initrd "$WORK/initrd-$arch.img" --initrd "$WORK/extra-$name.img" -- "$args" || return 1
	# the stub keeps the shell's program path and its initrd= words;
	# systemd-boot names the initrds with initrd= words; GRUB adds
	# BOOT_IMAGE= and quotes an argument with a space whole
	local want=$args
	case $loader in
	stub) want="\\linux.efi initrd=\\initrd-1.img initrd=\\initrd-2.img $args" ;;
	systemd-boot) want="initrd=\\initrd-1.img initrd=\\initrd-2.img $args" ;;
	grub) want="BOOT_IMAGE=/vmlinuz console=$con \"efikexec.test=a b\" panic=-1" ;;
	esac
	expect_line "$name" "EFIKEXEC-CMDLINE: $want" "EFIKEXEC-EXTRA: token $token" "EFIKEXEC-EFI: yes" \
		"EFIKEXEC-INIT: done"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(kernel_version_re "$arch" 6.12) "
	out=$(cat "$LOGDIR/$name.vm")
	grep -q "^efikexec-vm: $arch .* through $loader in /usr/share/qemu/firmware/60-edk2-$arch.json (" <<<"$out" &&
		grep -q "^efikexec-vm: the guest powered off; serial log $LOGDIR/$name.log" <<<"$out" &&
		grep -q "^EFIKEXEC-INIT: done" <<<"$out" ||
		{ echo "efikexec-vm's own lines:"; tail -n 12 "$LOGDIR/$name.vm"; return 1; }
	# the store efikexec-vm made holds the shell's ShellOpt "-delay 0": the
	# shell ran startup.nsh without counting down
	! grep -q "seconds to skip" "$LOGDIR/$name.log" ||
		{ echo "the shell counted down before startup.nsh (ShellOpt not in the store?)"; return 1; }
	local s t last=0
	for s in firmware loader kernel init; do
		t=$(sed -n "s/^efikexec-vm: time: $s *\([0-9.]*\) s after QEMU started/\1/p" <<<"$out")
		[ -n "$t" ] && awk -v a="$last" -v b="$t" 'BEGIN { exit !(b >= a) }' ||
			{ echo "--time: $s '$t' not after $last"; grep 'time:' <<<"$out"; return 1; }
		last=$t
	done
}
# (efikexec through efikexec-vm on arm64: the Xen and Secure Boot tests;
# on x86_64: make demo)
t_vm_stub_x86_64() { vm_boot x86_64 stub; }
t_vm_stub_aarch64() { vm_boot aarch64 stub; }
# --loader systemd-boot and grub: the same kernel, initrds and command
# line through Debian's systemd-boot and GRUB (grub-mkstandalone)
t_vm_sdboot_x86_64() { vm_boot x86_64 systemd-boot; }
t_vm_grub_aarch64() {
	vm_boot aarch64 grub --pcrs || return 1
	# --pcrs on arm64: GRUB's measurements (PCR 8, 9) in a log that replays
	grep -q "^efikexec-vm: the event log: [0-9]* events, [0-9]* bytes (at 0x[0-9a-f]*); replayed, it gives PCR 4, 9, 11, 12 as the TPM has them$" \
		"$LOGDIR/vm-grub-aarch64.vm" || { grep "PCR\|event log" "$LOGDIR/vm-grub-aarch64.vm"; return 1; }
}

# --tpm: the guest has a TPM whose PCRs the firmware extended; the state
# kept in --tpm-state; --pcrs prints at the end the PCRs the guest itself
# read, and the event log of the length the guest's kernel has, replayed to
# them; a kernel that finds no init panics: status 2.
t_vm_tpm_panic_x86_64() {
	local name=vm-tpm-panic-x86_64 st=$WORK/vm-tpm-state p v
	rm -rf "$st"
	vm_run "$name" 0 --tpm-state "$st" --pcrs --timeout 240 "$ASSETS/vmlinuz-6.12-amd64" \
		--initrd "$WORK/initrd-x86_64.img" -- console=ttyS0 efikexec.trust=1 panic=-1 || return 1
	expect_grep "$name" "^EFIKEXEC-PCR: 4 [0-9A-Fa-f]{64}$" "^EFIKEXEC-TPMLOG-SIZE: [1-9][0-9]*$"
	if grep -qx "EFIKEXEC-PCR: 4 0000000000000000000000000000000000000000000000000000000000000000" < <(clean_log "$name"); then
		echo "PCR 4 was never extended"
		return 1
	fi
	for p in 4 9; do
		v=$(clean_log "$name" | sed -n "s/^EFIKEXEC-PCR: $p //p" | tr A-F a-f)
		grep -qx "efikexec-vm: PCR  $p sha256 $v" "$LOGDIR/$name.vm" ||
			{ echo "--pcrs: PCR $p not as the guest read it ($v)"; grep PCR "$LOGDIR/$name.vm"; return 1; }
	done
	v=$(clean_log "$name" | sed -n 's/^EFIKEXEC-TPMLOG-SIZE: //p')
	grep -q "^efikexec-vm: the event log: [0-9]* events, $v bytes (at 0x[0-9a-f]*); replayed, it gives PCR 4, 9, 11, 12 as the TPM has them$" \
		"$LOGDIR/$name.vm" || { echo "--pcrs: no event log of $v bytes that replays"; grep "event log" "$LOGDIR/$name.vm"; return 1; }
	[ -n "$(ls "$st")" ] || { echo "--tpm-state $st is empty"; return 1; }
	vm_run "$name-panic" 2 --timeout 240 "$ASSETS/vmlinuz-6.12-amd64" -- console=ttyS0 rdinit=/none init=/none || return 1
	grep -q "^efikexec-vm: the guest's kernel panicked" "$LOGDIR/$name-panic.vm" ||
		{ tail -n 5 "$LOGDIR/$name-panic.vm"; return 1; }
}

# --image: a disk with efikexec as the removable-media loader and one
# Boot Loader Specification entry, booted as it is; --timeout: a run cut
# short says so (124); --ready-within: a firmware that never says it is
# ready (6); in a terminal, Ctrl-A X quits (130). (--image DIR, --no-disk,
# --reboot, --end-on and --halted-on: every boot test's qemu_boot.)
t_vm_image_x86_64() {
	local name=vm-image-x86_64 d=$WORK/vm-image
	rm -rf "$d"
	mkdir -p "$d/EFI/BOOT" "$d/loader/entries"
	cp "$BUILD/x86_64/efikexec.efi" "$d/EFI/BOOT/BOOTX64.EFI"
	cp "$ASSETS/vmlinuz-6.12-amd64" "$d/vmlinuz"
	cp "$WORK/initrd-x86_64.img" "$d/initrd.img"
	printf 'timeout 0\n' >"$d/loader/loader.conf"
	printf 'title VM\nlinux /vmlinuz\ninitrd /initrd.img\noptions console=ttyS0 efikexec.entry=vm panic=-1\n' \
		>"$d/loader/entries/vm.conf"
	DISK_MB=64 gpt_disk "$WORK/disk-$name.img" "$d"
	vm_run "$name" 0 --arch x86_64 --timeout 240 --image "$WORK/disk-$name.img" || return 1
	expect_line "$name" "EFIKEXEC-CMDLINE: console=ttyS0 efikexec.entry=vm panic=-1" "EFIKEXEC-INIT: done"
	vm_run "$name-timeout" 124 --arch x86_64 --timeout 3 --image "$WORK/disk-$name.img" || return 1
	grep -q "^efikexec-vm: timed out" "$LOGDIR/$name-timeout.vm" || { cat "$LOGDIR/$name-timeout.vm"; return 1; }
	# --ready-within: a text that never comes (a hung firmware): status 6
	vm_run "$name-ready" 6 --arch x86_64 --no-disk --ready "no such line" --ready-within 4 --timeout 60 || return 1
	local rc=0
	{ sleep 6; printf '\001x'; sleep 5; } |
		script -qfec "$VM --log $LOGDIR/$name-quit.log --timeout 60 --arch x86_64 --image $WORK/disk-$name.img" \
			/dev/null >"$LOGDIR/$name-quit.vm" 2>&1 || rc=$?
	grep -aq "efikexec-vm: quit (Ctrl-A X)" "$LOGDIR/$name-quit.vm" &&
		grep -aq "the console is this terminal; Ctrl-A X quits" "$LOGDIR/$name-quit.vm" ||
		{ echo "in a terminal: status $rc"; tail -n 5 "$LOGDIR/$name-quit.vm"; return 1; }
}

# --secure-boot: the firmware with enrolled keys its descriptor names, the
# run's own key added to its db, efikexec and the kernel signed with it
# (Debian's signature taken off first; arm64's gzip'd Image unpacked and
# signed), efikexec the disk's loader with one entry (the firmware's shell
# is not signed with the enrolled keys); the kernel finds Secure Boot on
# and locks itself down. Through the stub too on arm64 (an `efi` entry):
# the firmware itself verifies the kernel then.
vm_sb() {
	local arch=$1 loader=$2 name=vm-sb-$2-$1 args
	args="console=$(console_of "$arch") efikexec.trust=1 panic=-1"
	vm_run "$name" 0 --secure-boot --loader "$loader" --timeout 240 "$ASSETS/vmlinuz-6.12-$(deb_arch "$arch")" \
		--initrd "$WORK/initrd-$arch.img" -- "$args" || return 1
	grep -q "through $loader in /usr/share/qemu/firmware/40-edk2-$arch-secure-enrolled.json" "$LOGDIR/$name.vm" ||
		{ head -n 3 "$LOGDIR/$name.vm"; return 1; }
	expect_line "$name" "EFIKEXEC-SB: secureboot: Secure boot enabled" \
		"EFIKEXEC-LOCKDOWN: none [integrity] confidentiality" "EFIKEXEC-INIT: done"
}
t_vm_sb_stub_aarch64() { vm_sb aarch64 stub; }

# --secure-boot --tpm --capture on x86_64: as above through efikexec, with
# a TPM and a capture kernel armed (the boot stage arms it from
# efikexec.conf, the capture kernel signed too); the test's /init loads
# efi_pstore and panics (efikexec.then=crash), the capture kernel (its
# initramfs efikexec-vm's own) saves /proc/vmcore to the host, and
# makedumpfile reads the crashed kernel's log out of it.
t_vm_sb_x86_64() {
	local name=vm-sb-capture-x86_64 dump=$WORK/vm-sb-capture.vmcore args
	args="console=ttyS0 efikexec.trust=1 efikexec.then=crash"
	rm -f "$dump" "$dump.dmesg"
	vm_run "$name" 0 --secure-boot --tpm --capture --memory 768M --capture-size 192M --dump "$dump" \
		--busybox "$ASSETS/busybox-amd64" --modules "$ASSETS/modules-6.12-amd64" --timeout 300 \
		"$ASSETS/vmlinuz-6.12-amd64" --initrd "$WORK/initrd-6.12-x86_64.img" -- "$args" || return 1
	grep -q "through efikexec in /usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json" "$LOGDIR/$name.vm" ||
		{ head -n 3 "$LOGDIR/$name.vm"; return 1; }
	expect_line "$name" "EFIKEXEC-SB: secureboot: Secure boot enabled" \
		"EFIKEXEC-LOCKDOWN: none [integrity] confidentiality" "EFIKEXEC-INIT: crashing"
	expect_grep "$name" "^EFIKEXEC-PCR: 4 [0-9A-Fa-f]{64}$" \
		"^efikexec: info: capture: region \\[0x[0-9a-f]+, 0x[0-9a-f]+\\) intact: entering " \
		"^efikexec-vm: capture kernel .*: /proc/vmcore has [0-9]+ bytes" \
		"^efikexec-vm: capture kernel: saved /proc/vmcore to /dev/vd"
	grep -q "^efikexec-vm: the main kernel crashed, and the capture kernel saved its memory" "$LOGDIR/$name.vm" &&
		grep -q "^efikexec-vm: the dump: $dump ([0-9]* MiB" "$LOGDIR/$name.vm" &&
		grep -q "Kernel panic - not syncing: sysrq triggered crash" "$dump.dmesg" ||
		{ tail -n 20 "$LOGDIR/$name.vm"; return 1; }
	# the file is the vmcore alone: an ELF core, cut to its size
	[ "$(head -c 4 "$dump" | od -An -c | tr -d ' ')" = "177ELF" ] || { echo "$dump: not an ELF core"; return 1; }
	rm -f "$dump"
}

# --capture --crash on arm64: the main kernel runs efikexec-vm's own
# initramfs too, which loads efi_pstore and says it is up; efikexec-vm
# then crashes it with SysRq C on the serial line (a break, then the key),
# and the capture kernel saves the dump. makedumpfile here reads x86_64
# dumps only: said, not run.
t_vm_capture_aarch64() {
	local name=vm-capture-aarch64 dump=$WORK/vm-capture-aarch64.vmcore
	rm -f "$dump"
	vm_run "$name" 0 --capture --crash --memory 512M --capture-size 192M --dump "$dump" \
		--busybox "$ASSETS/busybox-arm64" --modules "$ASSETS/modules-6.1-arm64" --timeout 400 \
		"$ASSETS/vmlinuz-6.1-arm64" -- console=ttyAMA0 || return 1
	expect_grep "$name" "^efikexec-vm: the main kernel is up \\($(kernel_version_re aarch64 6.1); efi_pstore: yes\\)" \
		"sysrq: Trigger a crash" "Kernel panic - not syncing: sysrq triggered crash" \
		"^efikexec: notice: boot: entering the capture kernel \\\\" \
		"^efikexec-vm: capture kernel: saved /proc/vmcore to /dev/vd"
	grep -q "^efikexec-vm: the dump is of an ELF machine 183; makedumpfile and crash here read only x86_64's" \
		"$LOGDIR/$name.vm" || { tail -n 8 "$LOGDIR/$name.vm"; return 1; }
	rm -f "$dump"
}

# --net: the kernel and initrd from a server on 127.0.0.1 that efikexec-vm
# starts, by URL, each pinned to its SHA-256; efikexec fetches and checks
# them, the kernel boots with the same command line. With --secure-boot
# (x86_64) the server serves a signed copy of the kernel, pinned to its
# bytes, and efikexec, the disk's loader, boots an entry of URLs.
vm_net() {
	local arch=$1 name=vm-net-$1 args
	shift
	args="console=$(console_of "$arch") efikexec.entry=net efikexec.trust=1 panic=-1"
	vm_run "$name" 0 --net "$@" --timeout 240 "$ASSETS/vmlinuz-6.12-$(deb_arch "$arch")" \
		--initrd "$WORK/initrd-$arch.img" -- "$args" || return 1
	expect_grep "$name" "net: http://10.0.2.2:[0-9]+/vmlinuz: SHA-256 matches the pin" \
		"net: http://10.0.2.2:[0-9]+/initrd-1.img: SHA-256 matches the pin"
	expect_line "$name" "EFIKEXEC-CMDLINE: $args" "EFIKEXEC-INIT: done"
	grep -q "^efikexec-vm: the server on 127.0.0.1:[0-9]* answered [1-9][0-9]* requests" "$LOGDIR/$name.vm" ||
		{ tail -n 4 "$LOGDIR/$name.vm"; return 1; }
}
t_vm_net_aarch64() { vm_net aarch64; }
t_vm_net_x86_64() {
	vm_net x86_64 --secure-boot || return 1
	expect_line vm-net-x86_64 "EFIKEXEC-SB: secureboot: Secure boot enabled"
}

# --xen: the Xen tests boot through efikexec-vm (tests/qemu/multiboot.sh,
# t_xen_x86_64, t_xen_x86_64_6.12, t_xen_aarch64).
