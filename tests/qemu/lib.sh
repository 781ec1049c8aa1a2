# SPDX-License-Identifier: BSD-2-Clause-Patent
# lib.sh - shared by the boot tests and the demo: initramfs building, ESP
# layout, QEMU invocation. Sourced, not run.
#
# Every boot has a timeout, keeps its serial log in $LOGDIR/NAME.log, and on
# failure prints the log's last lines. QEMU runs under TCG (no KVM here)
# with -no-reboot, so a kernel crash or a reset ends the run instead of
# looping (but for the crash-capture tests, which need the warm reset).

: "${BUILD:?BUILD must be set}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ASSETS=$BUILD/assets
WORK=$BUILD/qemu
LOGDIR=$BUILD/test-logs
mkdir -p "$WORK" "$LOGDIR"

# deb_arch ARCH: x86_64 -> amd64, aarch64 -> arm64
deb_arch() { case $1 in x86_64) echo amd64 ;; aarch64) echo arm64 ;; esac; }

# kernel_path ARCH SERIES: a kernel image the firmware can start (the EFI stub
# in it). Debian's arm64 vmlinuz is a gzip-compressed Image; unpack it.
kernel_path() {
	local arch=$1 series=$2 da
	da=$(deb_arch "$arch")
	local src=$ASSETS/vmlinuz-$series-$da
	if [ "$arch" = aarch64 ] && gzip -t "$src" 2>/dev/null; then
		local out=$WORK/Image-$series-$da
		[ "$out" -nt "$src" ] || gunzip -c "$src" >"$out"
		echo "$out"
	else
		echo "$src"
	fi
}

# initramfs ARCH OUT [MODULES]: busybox + tests/qemu/init.sh as /init (newc
# cpio); with MODULES (a folder of .ko files), those as /modules/.
initramfs() {
	local arch=$1 out=$2 mods=${3:-} da tmp
	da=$(deb_arch "$arch")
	[ "$out" -nt "$HERE/init.sh" ] && [ "$out" -nt "$ASSETS/busybox-$da" ] &&
		{ [ -z "$mods" ] || [ "$out" -nt "$mods" ]; } && return 0
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/proc" "$tmp/sys" "$tmp/extra"
	[ -n "$mods" ] && mkdir -p "$tmp/modules" && cp "$mods"/*.ko "$tmp/modules/"
	cp "$ASSETS/busybox-$da" "$tmp/bin/busybox"
	install -m 0755 "$HERE/init.sh" "$tmp/init"
	(cd "$tmp" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$tmp"
}

# extra_initrd OUT NAME CONTENT: a second archive adding /extra/NAME.
extra_initrd() {
	local out=$1 name=$2 content=$3 tmp
	tmp=$(mktemp -d)
	mkdir -p "$tmp/extra"
	printf '%s\n' "$content" >"$tmp/extra/$name"
	(cd "$tmp" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$out"
	rm -rf "$tmp"
}

# new_esp NAME: an empty ESP folder for one boot, printed.
new_esp() {
	local d=$WORK/esp-$1
	rm -rf "$d"
	mkdir -p "$d"
	echo "$d"
}

# startup_nsh ESP LINE...: the shell script the firmware's shell runs.
# "@echo -off" first, so no command line is echoed: only what the commands
# print can satisfy a marker. "reset -s" powers the machine off at the end.
startup_nsh() {
	local esp=$1
	shift
	{
		echo "@echo -off"
		echo "fs0:"
		for l in "$@"; do echo "$l"; done
		echo "reset -s"
	} | sed 's/$/\r/' >"$esp/startup.nsh"
}

# The x86_64 guest CPU: QEMU's "max" without CMPXCHG16B. QEMU 7.2's TCG
# computes the flags of cmpxchg16b from a stale condition-code state: its
# helper (target/i386/tcg/mem_helper.c, helper_cmpxchg16b{,_unlocked})
# starts with cpu_cc_compute_all(env, CC_OP), and the translator calls it
# without storing the lazily tracked cc_op first (gen_cmpxchg16b in
# translate.c; QEMU 8.0 replaced both by inline TCG that computes the flags
# in the translator). When env->cc_op is stale at CC_OP_EFLAGS, RFLAGS
# becomes the low half of whatever CC_SRC last held - in SLUB's fast path
# (kmem_cache_alloc_noprof: add %rdi,%rax ... cmpxchg16b %gs:(%rsi)) a
# kernel pointer - and the kernel takes a stray single-step #DB or a double
# fault. Seen in about one boot in eight of Debian's 6.12 cloud kernel with
# a TPM, through efikexec and through the kernel's own EFI stub alike
# (tests/qemu/tpm-soak.sh; QEMU_X86_CPU=max shows it). Without CX16 the
# kernel uses its own cmpxchg16b emulation and the emulator's bug is not
# reached. A finding about the emulator, not a fix of efikexec's.
QEMU_X86_CPU=${QEMU_X86_CPU:-max,-cx16}

# qemu_cmd ARCH NAME ESP MEM [extra qemu args...]: the QEMU command line of
# a boot, in the array QEMU_CMD (fresh firmware variables for NAME).
qemu_cmd() {
	local arch=$1 name=$2 esp=$3 mem=$4
	shift 4
	local vars=$WORK/vars-$name.fd reboot=(-no-reboot)
	# the soak (soak.sh) counts the boots and keeps a failed test's logs
	[ -z "${EFIKEXEC_BOOT_LIST:-}" ] || echo "$name" >>"$EFIKEXEC_BOOT_LIST"
	# QEMU_WARM_RESET=1: a reset restarts the firmware, RAM kept (capture tests)
	[ "${QEMU_WARM_RESET:-0}" = 1 ] && reboot=()
	case $arch in
	x86_64)
		# FW_CODE, FW_VARS: other firmware builds and variable stores (the
		# Secure Boot tests: OVMF_CODE_4M.secboot.fd needs SMM)
		cp "${FW_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$vars"
		local machine=q35
		case ${FW_CODE:-} in *secboot*) machine=q35,smm=on ;; esac
		# One CPU: Debian 6.12 kernels double-fault intermittently under
		# TCG with -smp 2, even through their own EFI stub.
		QEMU_CMD=(qemu-system-x86_64 -machine "$machine" -cpu "$QEMU_X86_CPU" -smp 1 -m "$mem"
			-drive if=pflash,format=raw,unit=0,readonly=on,file="${FW_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
			-drive if=pflash,format=raw,unit=1,file="$vars")
		case ${FW_CODE:-} in *secboot*) QEMU_CMD+=(-global ICH9-LPC.disable_s3=1) ;; esac
		;;
	aarch64)
		if [ -n "${QEMU_UBOOT:-}" ]; then
			# U-Boot's UEFI (u-boot-qemu's qemu_arm64): no pflash, its
			# variables in ubootefi.var on the ESP, virtio on the MMIO bus
			QEMU_CMD=(qemu-system-aarch64 -machine virt -cpu max -m "$mem" -bios "$QEMU_UBOOT")
		else
			cp "${FW_VARS:-/usr/share/AAVMF/AAVMF_VARS.fd}" "$vars"
			QEMU_CMD=(qemu-system-aarch64 -machine "${QEMU_MACHINE:-virt}" -cpu max -m "$mem"
				-drive if=pflash,format=raw,unit=0,readonly=on,file="${FW_CODE:-/usr/share/AAVMF/AAVMF_CODE.fd}"
				-drive if=pflash,format=raw,unit=1,file="$vars")
		fi
		;;
	esac
	# ESP: a folder (QEMU's FAT emulation), or a whole disk image (*.img);
	# "none": no disk at all (a machine that boots from the network)
	local drive=fat:rw:$esp
	case $esp in *.img) drive=$esp ;; esac
	# QEMU_DISK_FIRST=1: the disk first in the boot order (bootindex), so
	# the firmware tries no network boot before its shell
	if [ "$esp" = none ]; then
		:
	elif [ -n "${QEMU_UBOOT:-}" ]; then
		QEMU_CMD+=(-drive "if=none,id=disk0,format=raw,file=$drive" -device virtio-blk-device,drive=disk0)
	elif [ "${QEMU_DISK_FIRST:-0}" = 1 ]; then
		QEMU_CMD+=(-drive "if=none,id=disk0,format=raw,file=$drive" -device virtio-blk-pci,drive=disk0,bootindex=0)
	else
		QEMU_CMD+=(-drive "if=virtio,format=raw,file=$drive")
	fi
	QEMU_CMD+=(-nodefaults -display none -monitor none "${reboot[@]}" -net none "$@")
}

# count_in FILE TEXT: how many times TEXT occurs in FILE (0 when none).
# Every helper here is called both under `set -euo pipefail` (the demos,
# whose qemu_boot runs in the background, where errexit holds) and without
# it (run-all.sh): a grep that finds nothing must not end the caller.
count_in() {
	{ grep -aoF -- "$2" "$1" || :; } | wc -l
}

# qemu_boot ARCH NAME ESP MEM TIMEOUT [extra qemu args...]
# Boots firmware with ESP as a FAT drive; serial log to $LOGDIR/NAME.log.
# QEMU_MACHINE picks the aarch64 machine (default virt); with QEMU_DONE set,
# the boot ends (status 0) when the log has that text; with QEMU_HALTED
# set, a machine still running 5 s after the log has that text is taken
# as halted and stopped, with the status a timeout gives (124). Returns
# QEMU's exit status (124 on timeout).
#
# The serial port is a pair of FIFOs (QEMU's pipe chardev, NAME.in and
# NAME.out): what the guest writes is copied into the log as it comes, and
# each time the firmware's shell starts and says "Press ESC in 5 seconds to
# skip startup.nsh or any other key to continue", one key goes the other
# way, so startup.nsh runs at once instead of after the countdown (5 s of
# every shell boot). One key per shell start, sent once its prompt is seen:
# nothing else ever gets a stray key.
qemu_boot() {
	local arch=$1 name=$2 esp=$3 mem=$4 tmo=$5
	shift 5
	local log=$LOGDIR/$name.log fifo=$WORK/serial-$name
	local rc try qpid cpid keyfd keys shells prompts done halted_at started
	for try in 1 2; do
		rm -f "$fifo.in" "$fifo.out"
		mkfifo "$fifo.in" "$fifo.out"
		qemu_cmd "$arch" "$name" "$esp" "$mem" -chardev "pipe,id=ser0,path=$fifo" -serial chardev:ser0 "$@"
		echo "${QEMU_CMD[*]}" >"$LOGDIR/$name.cmd"
		: >"$log"
		rc=0 done=0 keys=0 halted_at= started=$SECONDS
		timeout --foreground -k 5 "$tmo" "${QEMU_CMD[@]}" </dev/null >"$LOGDIR/$name.qemu" 2>&1 &
		qpid=$!
		cat <"$fifo.out" >"$log" &
		cpid=$!
		# read-write: opening never waits for QEMU, which may fail first
		exec {keyfd}<>"$fifo.in"
		while kill -0 "$qpid" 2>/dev/null; do
			shells=$(count_in "$log" 'UEFI Interactive Shell')
			prompts=$(count_in "$log" 'seconds to skip')
			[ "$prompts" -lt "$shells" ] && shells=$prompts
			while [ "$keys" -lt "$shells" ]; do
				printf ' ' >&"$keyfd"
				keys=$((keys + 1))
			done
			# a guest that cannot power the machine off (Xen halts it
			# when its dom0 powers off): stopped once QEMU_DONE is logged
			if [ -n "${QEMU_DONE:-}" ] && grep -aqF -- "$QEMU_DONE" "$log"; then
				done=1
				kill "$qpid" 2>/dev/null || :
				break
			fi
			# a guest that halts on purpose (purgatory after a digest
			# mismatch): still running 5 s after saying so is halted
			if [ -n "${QEMU_HALTED:-}" ] && [ -z "$halted_at" ] && grep -aqF -- "$QEMU_HALTED" "$log"; then
				halted_at=$SECONDS
			fi
			if [ -n "$halted_at" ] && [ $((SECONDS - halted_at)) -ge 5 ]; then
				done=2
				kill "$qpid" 2>/dev/null || :
				break
			fi
			# the firmware's hang before its shell (below), seen early: a
			# first boot that shows nothing of the firmware's arrival in
			# QEMU_FW_DEADLINE seconds (it takes 5-30 under TCG) is not
			# waited for to its whole timeout, and is booted once more
			if [ "$try" = 1 ] && [ $((SECONDS - started)) -ge "${QEMU_FW_DEADLINE:-90}" ] &&
				! grep -aq "${QEMU_READY:-UEFI Interactive Shell}" "$log"; then
				kill "$qpid" 2>/dev/null || :
				break
			fi
			sleep 0.2
		done
		wait "$qpid" || rc=$?
		[ "$done" = 1 ] && rc=0
		[ "$done" = 2 ] && rc=124
		exec {keyfd}>&-
		# the copy ends at the pipe's end; a QEMU that never opened it
		# is stood in for by a writer of our own, opened and closed
		exec {keyfd}<>"$fifo.out"
		exec {keyfd}>&-
		wait "$cpid"
		rm -f "$fifo.in" "$fifo.out"
		# Under TCG the firmware now and then hangs before its shell
		# (seen on AAVMF, about 1 boot in 50): nothing of ours has run
		# then, so that boot alone is tried once more, and said so.
		# (QEMU_READY: what shows the firmware got that far, when no
		# shell runs)
		if [ "$try" = 1 ] && ! grep -aq "${QEMU_READY:-UEFI Interactive Shell}" "$log"; then
			echo "qemu_boot: $name: the firmware never reached its shell; booting once more" >&2
			cp "$log" "$LOGDIR/$name.hung.log"
			# a swtpm ends with the QEMU that used it: a fresh one at the
			# same socket (tests/qemu/trust.sh tpm_start)
			local a t
			for a in "$@"; do
				case $a in socket,id=chrtpm,path=*/tpm-*/sock)
					t=${a#socket,id=chrtpm,path=}
					t=${t%/sock}
					t=${t##*/tpm-}
					declare -F tpm_start >/dev/null && tpm_start "$t" "$arch" >/dev/null
					;;
				esac
			done
			continue
		fi
		return $rc
	done
}

# gpt_disk OUT ESP-DIR [XBOOTLDR-DIR]: a GPT disk image with an ESP (and an
# XBOOTLDR partition) of $DISK_MB MiB each, FAT32, filled from the folders
# with mtools; partition UUIDs $ESP_UUID and $XBL_UUID.
DISK_MB=${DISK_MB:-128}
ESP_UUID=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
XBL_UUID=1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6
gpt_disk() {
	local out=$1 esp=$2 xbl=${3:-} tmp
	tmp=$(mktemp -d)
	rm -f "$out"
	truncate -s $((2 * DISK_MB + 2))M "$out"
	{
		echo "label: gpt"
		echo "start=2048, size=${DISK_MB}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$ESP_UUID, name=ESP"
		[ -z "$xbl" ] || echo "size=${DISK_MB}MiB, type=BC13C2FF-59E6-4262-A352-B275FD6F7172, uuid=$XBL_UUID, name=XBOOTLDR"
	} | sfdisk -q "$out" >/dev/null
	local n=1 dir
	for dir in "$esp" $xbl; do
		mkfs.vfat -F 32 -C "$tmp/p" $((DISK_MB * 1024)) >/dev/null
		[ -z "$(ls -A "$dir")" ] || mcopy -s -Q -i "$tmp/p" "$dir"/* ::/
		dd if="$tmp/p" of="$out" bs=1M seek=$((1 + (n - 1) * DISK_MB)) conv=notrunc,sparse status=none
		rm -f "$tmp/p"
		n=$((n + 1))
	done
	rmdir "$tmp"
}
# part_ls DISK N DIR: the names in DIR of partition N (1 ESP, 2 XBOOTLDR)
part_ls() {
	mdir -b -i "$1@@$((1048576 * (1 + ($2 - 1) * DISK_MB)))" "::$3" 2>/dev/null | sed 's|.*/||'
}

# qemu_dumpdtb NAME ESP MEM OUT [extra qemu args...]: the device tree QEMU
# builds for exactly that aarch64 boot (same machine, memory, CPUs, drives).
qemu_dumpdtb() {
	local name=$1 esp=$2 mem=$3 out=$4
	shift 4
	qemu_cmd aarch64 "$name-dump" "$esp" "$mem" "$@"
	QEMU_CMD[2]="${QEMU_CMD[2]},dumpdtb=$out"
	"${QEMU_CMD[@]}" </dev/null >/dev/null 2>&1
	[ -s "$out" ]
}

# tail_log NAME: the last lines of a boot's serial log, for a failure report.
tail_log() {
	echo "----- last lines of $LOGDIR/$1.log -----"
	tr -d '\r' <"$LOGDIR/$1.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | tail -n 25
	echo "----- qemu: $(tail -n 3 "$LOGDIR/$1.qemu" 2>/dev/null)"
}

# clean_log NAME: the serial log without CRs and terminal escapes.
# The kernel's console messages and /init's output share the serial line,
# so a late printk ("[    2.807956] tsc: Refined TSC clocksource
# calibration") can land right after a marker /init is writing, on the same
# line; a kernel timestamp after other text goes back on a line of its own.
clean_log() {
	tr -d '\r' <"$LOGDIR/$1.log" | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' \
		-e 's/\([^[:space:]]\)\(\[ *[0-9][0-9]*\.[0-9]\{6\}\] \)/\1\n\2/g'
}
