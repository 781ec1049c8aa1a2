#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# boot-time.sh BUILD [ROUNDS] [ARCH...] - the time from the firmware shell to
# the kernel's first console line through each loader: efikexec, the
# kernel's own EFI stub, systemd-boot (Debian's systemd-boot-efi, timeout 0)
# and GRUB (Debian's grub-efi-*-bin, grub-mkstandalone, timeout 0); on
# x86_64 efikexec twice, as it enters a bzImage by default (through the
# bzImage's own decompressor) and with --direct-entry (its payload
# decompressed by efikexec, entered at startup_64); efikexec's boot stage
# (efikexec.efi with no arguments: loader.conf's default entry); and on
# request (BENCH_LOADERS) efikexec-v, efikexec saying its plan (-v), as it
# did by default before its one line.
#
# All four are on one ESP with the same kernel, initrd and command line, and
# all are started by the firmware's shell, so one start mark serves them
# all: the shell `echo`s a mark and runs the loader. Serial lines are
# stamped on the host as they arrive; the end is the kernel's first
# "[    0.000000]" line (earlyprintk=serial on x86_64, earlycon on aarch64).
# Rounds alternate the loaders, so each sees the same machine load.
# Prints each round, then each loader's median and its ratio to the stub,
# and last "bench-boot: N passed, N failed" (a boot that reached the kernel
# passes).
#
# BENCH_KERNEL: the Debian kernel series (default 6.12); BENCH_LOADERS: the
# loaders (default: all but efikexec-v); BENCH_OPTS: efikexec's options (e.g.
# --verify=sha256); BENCH_TABLE: also write the summary there (Markdown).
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
ROUNDS=${2:-3}
shift $(($# < 2 ? $# : 2))
ARCHES=("$@")
[ ${#ARCHES[@]} -gt 0 ] || ARCHES=(x86_64 aarch64)
export BUILD
# efikexec as a user runs it: its default output (tests/qemu/lib.sh adds -v
# and log-level info otherwise)
export STARTUP_AS_IS=1
. "$(dirname "$0")/../tests/qemu/lib.sh"

series=${BENCH_KERNEL:-6.12}
read -r -a all_loaders <<<"${BENCH_LOADERS:-efikexec efikexec-direct efikexec-stage stub systemd-boot grub}"

# setup ARCH: the ESP, in $esp; the command lines in $args (the stub's and
# efikexec's, with initrd=) and $opts (the others', whose initrd is a line
# of their configuration)
setup() {
	local arch=$1 sdb fmt dir=() name sfx
	case $arch in
	x86_64) opts="console=ttyS0 earlyprintk=serial" sfx=x64 fmt=x86_64-efi ;;
	aarch64)
		opts="console=ttyAMA0 earlycon=pl011,0x9000000" sfx=aa64 fmt=arm64-efi
		dir=(-d "$ASSETS/grub-arm64/usr/lib/grub/arm64-efi")
		;;
	*) echo "boot-time: unknown architecture '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
	esac
	opts="$opts panic=-1"
	args="initrd=\\initrd.img $opts"
	initramfs "$arch" "$WORK/initrd-$arch.img"
	esp=$(new_esp "bench-boot-$arch")
	mkdir -p "$esp/EFI/systemd" "$esp/EFI/grub" "$esp/loader/entries"
	cp "$BUILD/$arch/efikexec.efi" "$esp/efikexec.efi"
	cp "$(kernel_path "$arch" "$series")" "$esp/vmlinuz"
	cp "$WORK/initrd-$arch.img" "$esp/initrd.img"
	case $arch in
	x86_64) sdb=/usr/lib/systemd/boot/efi/systemd-bootx64.efi ;;
	aarch64) sdb=$BUILD/sysroot-arm64/usr/lib/systemd/boot/efi/systemd-bootaa64.efi ;;
	esac
	cp "$sdb" "$esp/EFI/systemd/systemd-boot$sfx.efi"
	printf 'timeout 0\ndefault bench.conf\n' >"$esp/loader/loader.conf"
	printf 'title bench\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$opts" \
		>"$esp/loader/entries/bench.conf"
	name=$WORK/bench-grub-$arch.cfg
	cat >"$name" <<-EOF
		set timeout=0
		search --no-floppy --file --set=root /vmlinuz
		menuentry bench {
			linux /vmlinuz $opts
			initrd /initrd.img
		}
	EOF
	grub-mkstandalone -O "$fmt" "${dir[@]}" -o "$esp/EFI/grub/grub$sfx.efi" \
		--modules="part_gpt part_msdos fat search linux normal" "boot/grub/grub.cfg=$name"
	sdboot_path="\\EFI\\systemd\\systemd-boot$sfx.efi"
	grub_path="\\EFI\\grub\\grub$sfx.efi"
}

# one_boot ARCH LOADER: seconds from the mark to the kernel's first line,
# or nothing when the kernel was not reached
one_boot() {
	local arch=$1 how=$2 cmd log
	case $how in
	efikexec) cmd="efikexec.efi ${BENCH_OPTS:-} vmlinuz $args" ;;
	efikexec-v) cmd="efikexec.efi -v ${BENCH_OPTS:-} vmlinuz $args" ;; # the plan said, as before the quiet default
	efikexec-direct) cmd="efikexec.efi ${BENCH_OPTS:-} --direct-entry vmlinuz $args" ;;
	efikexec-stage) cmd="efikexec.efi" ;; # the stage: loader.conf's default entry, as systemd-boot
	stub) cmd="\\vmlinuz $args" ;;
	systemd-boot) cmd=$sdboot_path ;;
	grub) cmd=$grub_path ;;
	*) echo "boot-time: unknown loader '$how' (efikexec, efikexec-v, efikexec-direct, efikexec-stage, stub, systemd-boot, grub)" >&2; exit 2 ;;
	esac
	log=$LOGDIR/bench-boot-$arch-$how.log
	startup_nsh "$esp" "echo BENCH-MARK" "$cmd"
	qemu_cmd "$arch" "bench-boot-$arch" "$esp" 1G -serial stdio
	# QEMU writes into a pipe read here; once the kernel's first line is in,
	# the machine is stopped (what follows is the kernel's, not the loader's)
	local fifo=$WORK/bench-$arch.fifo
	rm -f "$fifo" && mkfifo "$fifo"
	"${QEMU_CMD[@]}" </dev/null 2>/dev/null >"$fifo" &
	local pid=$!
	timeout 120 python3 "$(dirname "$0")/stamp.py" '\[ *0\.000000\]' <"$fifo" >"$log" || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$fifo"
	awk '/BENCH-MARK/ && !m { m = $1 } m && /\[ *0\.000000\]/ { printf "%.3f\n", $1 - m; exit }' "$log"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# stages LOG: where an efikexec boot's time went, from the mark, as
# "NAME SECONDS" lines: to efikexec's last line before ExitBootServices
# ("entering"), from there to the kernel's first line (the hand-off:
# ExitBootServices, purgatory's check, the relocation copy, and what the
# kernel does before its first line); and on the legacy entry the
# decompressor's own messages (earlyprintk=serial prints them):
# "Decompressing Linux..." after it moved itself and built its page
# tables, "Parsing ELF..." after the decompression, "Performing
# relocations..." after it placed the segments, "done." after those
stages() {
	awk '
		/BENCH-MARK/ && !m { m = $1; next }
		!m { next }
		/efikexec: notice: boot: entering/ { e = $1 }
		/Decompressing Linux\.\.\./ { d = $1 }
		/Parsing ELF\.\.\./ { p = $1 }
		/Performing relocations\.\.\./ { r = $1 }
		/done\.$/ && d && !x { x = $1 }
		/\[ *0\.000000\]/ { k = $1; exit }
		END {
			if (!k || !e) exit
			printf "to-entering %.3f\nentering-to-kernel %.3f\n", e - m, k - e
			if (d) printf "entering-to-decompressor-start %.3f\ndecompress %.3f\nplace-ELF %.3f\nrelocate %.3f\ndone-to-kernel %.3f\n", d - e, p - d, (r ? r : x) - p, r ? x - r : 0, k - x
		}' "$1"
}

# BENCH_PARALLEL=1 (make check's one round): each architecture in a run of
# its own, the two at once - they only check that every loader reaches the
# kernel, and times taken side by side with another boot are not figures
# to quote
if [ -n "${BENCH_PARALLEL:-}" ] && [ ${#ARCHES[@]} -gt 1 ]; then
	for a in "${ARCHES[@]}"; do
		BENCH_PARALLEL= "$0" "$BUILD" "$ROUNDS" "$a" >"$WORK/bench-run-$a.out" 2>&1 &
	done
	wait
	passed=0 failed=0
	for a in "${ARCHES[@]}"; do
		grep -v '^bench-boot: [0-9]* passed' "$WORK/bench-run-$a.out"
		r=$(sed -n 's/^bench-boot: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$WORK/bench-run-$a.out")
		[ -n "$r" ] || r="0 1"
		passed=$((passed + ${r% *})) failed=$((failed + ${r#* }))
	done
	echo "bench-boot: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
fi

table=() passed=0 failed=0
for arch in "${ARCHES[@]}"; do
	setup "$arch"
	# efikexec-direct: a bzImage decompressed by efikexec (x86_64 only)
	loaders=()
	for l in "${all_loaders[@]}"; do
		[ "$l" = efikexec-direct ] && [ "$arch" != x86_64 ] && continue
		loaders+=("$l")
	done
	for l in "${loaders[@]}"; do : >"$WORK/bench-$arch-$l" >"$WORK/bench-$arch-$l-stages"; done
	for r in $(seq 1 "$ROUNDS"); do
		line="$arch round $r:"
		for l in "${loaders[@]}"; do
			t=$(one_boot "$arch" "$l")
			if [ -z "$t" ]; then
				echo "boot-time: $arch: $l did not reach the kernel's first line (log: $LOGDIR/bench-boot-$arch-$l.log)" >&2
				failed=$((failed + 1))
				line="$line $l FAILED,"
				continue
			fi
			passed=$((passed + 1))
			echo "$t" >>"$WORK/bench-$arch-$l"
			case $l in efikexec*) stages "$LOGDIR/bench-boot-$arch-$l.log" >>"$WORK/bench-$arch-$l-stages" ;; esac
			line="$line $l $t s,"
		done
		echo "${line%,}"
	done
	# the ratios are to the stub's median (to the first loader's without it)
	ms=""
	for l in stub "${loaders[@]}"; do
		[[ " ${loaders[*]} " == *" $l "* ]] || continue
		[ -s "$WORK/bench-$arch-$l" ] && { ms=$(median <"$WORK/bench-$arch-$l"); break; }
	done
	table+=("" "$arch, Debian $series, median of $ROUNDS, shell to first kernel line:" ""
		"| loader | time | / EFI stub |" "|---|---|---|")
	for l in "${loaders[@]}"; do
		[ -s "$WORK/bench-$arch-$l" ] || { table+=("| $l | failed | |"); continue; }
		m=$(median <"$WORK/bench-$arch-$l")
		table+=("| $l${BENCH_OPTS:+ ($BENCH_OPTS)} | $m s | $(awk -v a="$m" -v b="$ms" 'BEGIN { printf "%.2f", a / b }') |")
	done
	for l in "${loaders[@]}"; do
		[ -s "$WORK/bench-$arch-$l-stages" ] || continue
		table+=("" "$l, where the time went (median of $ROUNDS):")
		for st in $(awk '{ print $1 }' "$WORK/bench-$arch-$l-stages" | awk '!s[$0]++'); do
			table+=("- $st: $(awk -v n="$st" '$1 == n { print $2 }' "$WORK/bench-$arch-$l-stages" | median) s")
		done
	done
	copy=$(grep -o 'relocation copies [0-9]* bytes for [0-9]* bytes loaded ([0-9.]* per byte)' \
		"$LOGDIR/bench-boot-$arch-efikexec.log" 2>/dev/null || true)
	[ -z "$copy" ] || table+=("" "efikexec's $copy")
done
printf '%s\n' "${table[@]}"
[ -z "${BENCH_TABLE:-}" ] || printf '%s\n' "${table[@]}" >"$BENCH_TABLE"
# one check per loader and round that reached the kernel (make check runs
# one round, so no loader's setup rots unseen; it asserts no time)
echo "bench-boot: $passed passed, $failed failed"
[ "$failed" = 0 ]
