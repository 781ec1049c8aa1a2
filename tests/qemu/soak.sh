#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# soak.sh BUILD ROUNDS [TEST...] - the boot tests (run-all.sh's, or the ones
# named) round-robin ROUNDS times, two at a time, never the same test twice
# at once (a test's ESP, disks and logs are named after it). The serial log
# of every boot of a test run that failed is kept under
# $LOGDIR/soak-failed/TEST@ROUND/ with the test's output; the last lines are
# "soak: N boots in N test runs, N failed" and "soak: N passed, N failed".
set -uo pipefail
BUILD=$(cd "${1:?BUILD}" && pwd)
ROUNDS=${2:?ROUNDS}
shift 2
export BUILD
. "$(dirname "$0")/suite.sh"

JOBS=${QEMU_JOBS:-2}
RES=$WORK/soak-runs
FAILED=$LOGDIR/soak-failed
rm -rf "$RES" "$FAILED"
mkdir -p "$RES/running" "$FAILED"

suite_initramfs

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(suite_tests)
fi

# soak_run TEST ROUND: one run; TEST@ROUND.rc, .out and .boots (its boots)
soak_run() {
	local t=$1 r=$2 id=$1@$2 rc start
	start=$(date +%s)
	export EFIKEXEC_BOOT_LIST=$RES/$id.boots
	: >"$EFIKEXEC_BOOT_LIST"
	( set -e; "t_$t" ) >"$RES/$id.out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		echo "PASS $id ($(( $(date +%s) - start ))s, $(wc -l <"$RES/$id.boots") boots)"
	else
		echo "FAIL $id ($(( $(date +%s) - start ))s): logs in $FAILED/$id/"
		mkdir -p "$FAILED/$id"
		cp "$RES/$id.out" "$FAILED/$id/test.out"
		local b
		sort -u "$RES/$id.boots" | while read -r b; do
			cp "$LOGDIR/$b".* "$FAILED/$id/" 2>/dev/null
		done
		tail -n 15 "$RES/$id.out" | sed 's/^/    /'
	fi
	echo $rc >"$RES/$id.rc"
	rm -f "$RES/running/$t"
}

# the whole run in one function: bash has read all of it before it starts
main() {
	local queue=() r t i picked total=0 bad=0 boots=0 f
	for ((r = 1; r <= ROUNDS; r++)); do
		for t in "${tests[@]}"; do queue+=("$t@$r"); done
	done
	while [ ${#queue[@]} -gt 0 ]; do
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
		picked=-1
		for i in "${!queue[@]}"; do
			[ -e "$RES/running/${queue[$i]%@*}" ] || { picked=$i; break; }
		done
		if [ "$picked" = -1 ]; then
			wait -n || true
			continue
		fi
		t=${queue[$picked]%@*}
		r=${queue[$picked]#*@}
		touch "$RES/running/$t"
		soak_run "$t" "$r" &
		queue=("${queue[@]:0:$picked}" "${queue[@]:$((picked + 1))}")
	done
	wait
	for f in "$RES"/*.rc; do
		[ -e "$f" ] || continue
		total=$((total + 1))
		[ "$(cat "$f")" = 0 ] || bad=$((bad + 1))
		boots=$((boots + $(wc -l <"${f%.rc}.boots")))
	done
	echo "soak: $boots boots in $total test runs, $bad failed"
	echo "soak: $((total - bad)) passed, $bad failed"
	[ "$bad" = 0 ]
}
main
