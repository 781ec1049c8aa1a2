#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# run-all.sh BUILD [TEST...] - the QEMU boot tests. Each test boots a
# firmware (OVMF or AAVMF, TCG), lets its shell run a startup.nsh, and
# decides pass or fail from the serial log alone. At most two QEMUs run at
# once (the machine has two cores). The last line is "qemu: N passed, N failed".
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
shift || true
export BUILD
. "$(dirname "$0")/suite.sh"

JOBS=${QEMU_JOBS:-2}
RESULTS=$WORK/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

suite_initramfs

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(suite_tests)
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
