#!/usr/bin/env bash
# boot-time.sh BUILD [ROUNDS] [ARCH] - from the firmware shell's prompt to the
# kernel's first console line, through efikexec and through the kernel's
# own EFI stub, same ESP, same kernel, initrd and command line, alternating
# so both see the same machine load. Serial lines are stamped on the host
# as they arrive; a shell `echo` just before the command is the start mark,
# the kernel's first "[    0.000000]" line (earlyprintk=serial on x86_64,
# earlycon on aarch64) the end.
# Prints each round and the ratio of the medians (efikexec / stub).
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
ROUNDS=${2:-3}
ARCH=${3:-x86_64}
export BUILD
. "$(dirname "$0")/../tests/qemu/lib.sh"

series=${BENCH_KERNEL:-6.1}
initramfs "$ARCH" "$WORK/initrd-$ARCH.img"
esp=$(new_esp bench-boot)
cp "$BUILD/$ARCH/efikexec.efi" "$esp/efikexec.efi"
cp "$(kernel_path "$ARCH" "$series")" "$esp/vmlinuz"
cp "$WORK/initrd-$ARCH.img" "$esp/initrd.img"
case $ARCH in
x86_64) args="initrd=\\initrd.img console=ttyS0 earlyprintk=serial" ;;
aarch64) args="initrd=\\initrd.img console=ttyAMA0 earlycon=pl011,0x9000000" ;;
esac

# one_boot HOW: seconds from the mark to the kernel's first line
one_boot() {
	local how=$1 cmd
	case $how in
	efikexec) cmd="efikexec.efi ${BENCH_OPTS:-} vmlinuz $args" ;;
	stub) cmd="\\vmlinuz $args" ;;
	esac
	startup_nsh "$esp" "echo BENCH-MARK" "$cmd"
	qemu_cmd "$ARCH" bench-boot "$esp" 1G -serial stdio
	timeout -k 5 120 "${QEMU_CMD[@]}" </dev/null 2>/dev/null |
		while IFS= read -r line; do
			printf '%s %s\n' "$(date +%s.%N)" "${line//$'\r'/}"
		done >"$LOGDIR/bench-boot-$ARCH-$how.log"
	awk '/BENCH-MARK/ && !m { m = $1 } m && /\[ *0\.000000\]/ { printf "%.3f\n", $1 - m; exit }' \
		"$LOGDIR/bench-boot-$ARCH-$how.log"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$WORK/bench-efikexec" && : >"$WORK/bench-stub"
for r in $(seq 1 "$ROUNDS"); do
	e=$(one_boot efikexec)
	s=$(one_boot stub)
	[ -n "$e" ] && [ -n "$s" ] || { echo "boot-time: a boot did not reach the kernel (logs in $LOGDIR/bench-boot-$ARCH-*.log)"; exit 1; }
	echo "round $r: efikexec ${e} s, EFI stub ${s} s"
	echo "$e" >>"$WORK/bench-efikexec"
	echo "$s" >>"$WORK/bench-stub"
done
me=$(median <"$WORK/bench-efikexec")
ms=$(median <"$WORK/bench-stub")
copy=$(grep -o 'relocation copies [0-9]* bytes for [0-9]* bytes loaded ([0-9.]* per byte)' "$LOGDIR/bench-boot-$ARCH-efikexec.log" || true)
echo "$ARCH: shell prompt to first kernel line, median of $ROUNDS: efikexec $me s, EFI stub $ms s, ratio $(awk -v a="$me" -v b="$ms" 'BEGIN { printf "%.2f", a / b }')"
echo "efikexec: $copy"
