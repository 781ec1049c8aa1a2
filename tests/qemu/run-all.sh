#!/usr/bin/env bash
# run-all.sh BUILD [TEST...] - the QEMU boot tests. Each test boots a
# firmware (OVMF or AAVMF, TCG), lets its shell run a startup.nsh, and
# decides pass or fail from the serial log alone. At most two QEMUs run at
# once (the machine has two cores). The last line is "qemu: N passed, N failed".
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
shift || true
export BUILD
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tests.sh"
. "$(dirname "$0")/stage.sh"
. "$(dirname "$0")/trust.sh"
. "$(dirname "$0")/multiboot.sh"

JOBS=${QEMU_JOBS:-2}
RESULTS=$WORK/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

initramfs x86_64 "$WORK/initrd-x86_64.img"
initramfs aarch64 "$WORK/initrd-aarch64.img"
initramfs x86_64 "$WORK/initrd-capture-x86_64.img" "$ASSETS/modules-6.1-amd64"
initramfs aarch64 "$WORK/initrd-capture-aarch64.img" "$ASSETS/modules-6.1-arm64"
# the boot-stage tests' 6.12 kernels read efivarfs with their own module
initramfs x86_64 "$WORK/initrd-6.12-x86_64.img" "$ASSETS/modules-6.12-amd64"
initramfs aarch64 "$WORK/initrd-6.12-aarch64.img" "$ASSETS/modules-6.12-arm64"

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(declare -F | awk '{print $3}' | sed -n 's/^t_//p')
	# the longest boots first (2-4 minutes each: crash captures, the fault
	# loops, the boot stage's capture fallback, Secure Boot's refusals),
	# so the two slots do not end with one of them alone on a long test
	slow='^(capture_.*_crash|faults_.*|stage_capture_.*|trust_capture_.*|trust_sb_refuse_.*|capture_.*_clean_reboot|xen_.*|stage_menu_.*)$'
	mapfile -t tests < <(printf '%s\n' "${tests[@]}" | grep -E "$slow"; printf '%s\n' "${tests[@]}" | grep -vE "$slow")
fi

run_one() {
	local t=$1 start rc
	start=$(date +%s)
	( set -e; "t_$t" ) >"$RESULTS/$t.out" 2>&1
	rc=$?
	local secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		echo "PASS $t (${secs}s)"
	else
		echo "FAIL $t (${secs}s)"
		sed 's/^/    /' "$RESULTS/$t.out"
	fi
	echo $rc >"$RESULTS/$t.rc"
}

for t in "${tests[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	run_one "$t" &
done
wait

pass=0 fail=0
for t in "${tests[@]}"; do
	if [ "$(cat "$RESULTS/$t.rc" 2>/dev/null)" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "qemu: $pass passed, $fail failed"
[ "$fail" = 0 ]
