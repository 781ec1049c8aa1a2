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
# A boot says one line by default; the tests read its plan, so every
# efikexec.efi with arguments gets -v (unless it has --verbose or
# --quiet) - but not with STARTUP_AS_IS=1, which the checks of the
# default itself and the benchmark set.
startup_nsh() {
	local esp=$1 l
	shift
	{
		echo "@echo -off"
		echo "fs0:"
		for l in "$@"; do
			if [ -z "${STARTUP_AS_IS:-}" ] && ! grep -Eq -- '(--verbose|--quiet|[[:space:]]-v)([[:space:]]|$)' <<<"$l"; then
				l=$(sed -E 's/(^|[[:space:]\\])efikexec\.efi[[:space:]]+([^[:space:]])/\1efikexec.efi -v \2/' <<<"$l")
			fi
			echo "$l"
		done
		echo "reset -s"
	} | sed 's/$/\r/' >"$esp/startup.nsh"
}

# stage_verbose DIR (qemu_boot, qemu_cmd and gpt_disk call it on a test's
# ESP folder): efikexec.conf beside each efikexec in DIR (by any name) says
# `log-level info` (unless it names a level), so a boot stage's plan is
# there to check - the stage says only warnings and errors by default, as
# systemd-boot. Not with STARTUP_AS_IS=1.
stage_verbose() {
	local f d
	[ -n "${STARTUP_AS_IS:-}" ] && return 0
	while IFS= read -r -d '' f; do
		# efikexec, signed or not, by a string of its stage's
		grep -qaF 'boot stage, %zu entries' "$f" || continue
		d=$(dirname "$f")
		grep -qs '^log-level' "$d/efikexec.conf" || printf 'log-level info\n' >>"$d/efikexec.conf"
	done < <(find "$1" -iname '*.efi' -size +1M -print0)
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
# The aarch64 guest CPU: pointer authentication with QEMU's own algorithm
# (pauth-impdef), not QARMA5, as efikexec-vm runs it. Debian's arm64
# kernels sign return addresses in every function (pac-ret); emulating
# QARMA5 for each made the 6.1 kernel take 8.1 s to /init under TCG against
# 2.8 s. Not a workaround: nothing fails with QARMA5, it is slower.
QEMU_A64_CPU=${QEMU_A64_CPU:-max,pauth-impdef=on}

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
			QEMU_CMD=(qemu-system-aarch64 -machine virt -cpu "$QEMU_A64_CPU" -m "$mem" -bios "$QEMU_UBOOT")
		else
			cp "${FW_VARS:-/usr/share/AAVMF/AAVMF_VARS.fd}" "$vars"
			QEMU_CMD=(qemu-system-aarch64 -machine "${QEMU_MACHINE:-virt}" -cpu "$QEMU_A64_CPU" -m "$mem"
				-drive if=pflash,format=raw,unit=0,readonly=on,file="${FW_CODE:-/usr/share/AAVMF/AAVMF_CODE.fd}"
				-drive if=pflash,format=raw,unit=1,file="$vars")
		fi
		;;
	esac
	# ESP: a folder (QEMU's FAT emulation), or a whole disk image (*.img);
	# "none": no disk at all (a machine that boots from the network)
	local drive=fat:rw:$esp
	case $esp in *.img) drive=$esp ;; none) ;; *) stage_verbose "$esp" ;; esac
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
	# no front-page wait in EDK II (tools/efikexec_vm/machine.py says why)
	[ -n "${QEMU_UBOOT:-}" ] || QEMU_CMD+=(-boot menu=on,splash-time=0)
	QEMU_CMD+=(-nodefaults -display none -monitor none "${reboot[@]}" -net none "$@")
}

# fw_descriptor ARCH NAME: a QEMU firmware descriptor for a boot, printed:
# the default firmware, or FW_CODE (and its variable store FW_VARS; an
# x86_64 *secboot* build needs SMM), or QEMU_UBOOT (U-Boot's UEFI, loaded
# into memory with -bios: its variables a file on the ESP)
fw_descriptor() {
	local arch=$1 name=$2 out=$WORK/fw-$2.json code vars feats='[]' qarch=$1
	if [ -n "${QEMU_UBOOT:-}" ]; then
		printf '{ "interface-types": ["uefi"], "mapping": { "device": "memory", "filename": "%s" }, "targets": [ { "architecture": "%s", "machines": ["virt-*"] } ], "features": [] }\n' \
			"$QEMU_UBOOT" "$qarch" >"$out"
		echo "$out"
		return
	fi
	case $arch in
	x86_64) code=${FW_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd} vars=${FW_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd} ;;
	aarch64) code=${FW_CODE:-/usr/share/AAVMF/AAVMF_CODE.fd} vars=${FW_VARS:-/usr/share/AAVMF/AAVMF_VARS.fd} ;;
	esac
	case $code in *secboot*) feats='["requires-smm"]' ;; esac
	printf '{ "interface-types": ["uefi"], "mapping": { "device": "flash", "executable": { "filename": "%s", "format": "raw" }, "nvram-template": { "filename": "%s", "format": "raw" } }, "targets": [ { "architecture": "%s", "machines": ["*"] } ], "features": %s }\n' \
		"$code" "$vars" "$qarch" "$feats" >"$out"
	echo "$out"
}

# qemu_boot ARCH NAME ESP MEM TIMEOUT [extra qemu args...]
# Boots firmware with ESP (a folder, a disk image, or "none") through
# efikexec-vm (tools/efikexec-vm, efikexec-vm(1)) - the same QEMU, serial
# console, shell countdown key and endings a user's runs have - with the
# serial log in $LOGDIR/NAME.log and QEMU's own messages in NAME.qemu.
# QEMU_MACHINE picks the aarch64 machine (default virt); QEMU_WARM_RESET=1:
# a reset restarts the firmware, RAM kept (--reboot); with QEMU_DONE set the
# boot ends (status 0) when the log has that text (--end-on); with
# QEMU_HALTED set, a machine still running 5 s after the log has that text
# is taken as halted and stopped, with the status a timeout gives (124;
# --halted-on). Returns 0 when the guest ended (powered off, reset, a
# kernel panic stopped), 124 on a timeout, 1 when QEMU or the call failed.
qemu_boot() {
	local arch=$1 name=$2 esp=$3 mem=$4 tmo=$5
	shift 5
	local log=$LOGDIR/$name.log rc try fw a args
	# the soak (soak.sh) counts the boots and keeps a failed test's logs
	[ -z "${EFIKEXEC_BOOT_LIST:-}" ] || echo "$name" >>"$EFIKEXEC_BOOT_LIST"
	for try in 1 2; do
		fw=$(fw_descriptor "$arch" "$name")
		args=(--arch "$arch" --tcg --quiet --memory "$mem" --timeout "$tmo" --log "$log"
			--qemu-log "$LOGDIR/$name.qemu" --firmware "$fw")
		# fresh firmware variables for each boot (U-Boot keeps its own)
		if [ -z "${QEMU_UBOOT:-}" ]; then
			rm -f "$WORK/vars-$name.fd"
			args+=(--vars "$WORK/vars-$name.fd")
		fi
		if [ "$esp" = none ]; then args+=(--no-disk); else args+=(--image "$esp"); fi
		[ -d "$esp" ] && stage_verbose "$esp"
		[ "${QEMU_WARM_RESET:-0}" = 1 ] && args+=(--reboot)
		[ -n "${QEMU_DONE:-}" ] && args+=(--end-on "$QEMU_DONE")
		[ -n "${QEMU_HALTED:-}" ] && args+=(--halted-on "$QEMU_HALTED")
		[ -n "${QEMU_MACHINE:-}" ] && [ "$arch" = aarch64 ] && args+=("--qemu-arg=-machine $QEMU_MACHINE")
		[ "$arch" = x86_64 ] && [ "$QEMU_X86_CPU" != "max,-cx16" ] && args+=("--qemu-arg=-cpu $QEMU_X86_CPU")
		[ "$arch" = aarch64 ] && [ "$QEMU_A64_CPU" != "max,pauth-impdef=on" ] && args+=("--qemu-arg=-cpu $QEMU_A64_CPU")
		# Under TCG the firmware now and then hangs before its shell
		# (seen on AAVMF, about 1 boot in 50): nothing of ours has run
		# then, so that boot alone is tried once more, and said so. A
		# first boot that shows nothing of the firmware's arrival
		# (QEMU_READY, default its shell's banner) in QEMU_FW_DEADLINE
		# seconds (it takes 5-30 under TCG) is not waited for to its
		# whole timeout.
		[ "$try" = 1 ] && args+=(--ready "${QEMU_READY:-UEFI Interactive Shell}" --ready-within "${QEMU_FW_DEADLINE:-90}")
		for a in "$@"; do args+=("--qemu-arg=$(printf '%q' "$a")"); done
		echo "efikexec-vm ${args[*]}" >"$LOGDIR/$name.cmd"
		rc=0
		/usr/bin/python3 "$HERE/../../tools/efikexec-vm" "${args[@]}" </dev/null >"$LOGDIR/$name.vm" 2>&1 || rc=$?
		if [ "$rc" = 6 ]; then
			echo "qemu_boot: $name: the firmware never reached its shell; booting once more" >&2
			cp "$log" "$LOGDIR/$name.hung.log"
			# a swtpm ends with the QEMU that used it: a fresh one at the
			# same socket (tests/qemu/trust.sh tpm_start)
			local t
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
		# how the guest ended (efikexec-vm(1), EXIT STATUS): the tests
		# read the log; a halt (--halted-on) is reported as a timeout
		case $rc in
		0 | 2 | 3 | 4) return 0 ;;
		5 | 124) return 124 ;;
		*) tail -n 5 "$LOGDIR/$name.vm" >&2; return 1 ;;
		esac
	done
	return 124
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
	stage_verbose "$esp"
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
