#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check.sh BUILD [--quick] - everything `make check` runs, in order: the
# header alone, the layout's include rules, the rooms' sizes (files and functions), the man pages, host unit and API
# tests, the installer, efikexec-vm's checks and the /.extra archives (tests/tools), bounded fuzzing, the Debian packages
# (tests/deb), the QEMU boot tests (a Debian system among them; `make demo`
# and `make capture-demo` among them, run as a user runs them), one round
# of the soak's efikexec configurations. Each part ends in "N passed, N failed"; this adds them
# up into the last line, "check: N passed, N failed".
# --quick (make check-quick): the host parts, 5 s of each fuzz target and one
# boot per arch, for the edit-build-test loop.
set -uo pipefail
BUILD=${1:-build}
QUICK=0
[ "${2:-}" = --quick ] && QUICK=1
total_pass=0 total_fail=0

# tally NAME FILE RC: a part's result line, added up
tally() {
	local name=$1 out=$2 rc=$3 line p f
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: no result line (exit $rc)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

part() {
	local name=$1
	shift
	echo "=== $name: $*"
	local out rc
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	tally "$name" "$out" "$rc"
	rm -f "$out"
}

# part_bg NAME CMD...: a part that runs beside the parts after it, until
# part_wait prints its output and adds up its result. The unit tests are
# one process on one core for a minute and a half (the random kimage
# layouts under the sanitizers): the single-threaded parts after them
# take the other core meanwhile.
part_bg() {
	BG_NAME=$1
	shift
	BG_CMD="$*"
	BG_OUT=$(mktemp)
	"$@" >"$BG_OUT" 2>&1 &
	BG_PID=$!
}
part_wait() {
	local rc=0
	wait "$BG_PID" || rc=$?
	echo "=== $BG_NAME: $BG_CMD (run beside the parts above)"
	cat "$BG_OUT"
	tally "$BG_NAME" "$BG_OUT" "$rc"
	rm -f "$BG_OUT"
}

part header scripts/check-header.sh
part layout scripts/check-layout.sh
part size scripts/check-size.sh
part docs scripts/check-docs.sh
part license scripts/check-license.sh
# (make check and check-quick built the test programs before: the unit
# tests' binary runs by itself, no make beside the others)
part_bg unit "$BUILD/host/unit"
part api make --no-print-directory unit-api BUILD="$BUILD"
part tools tests/tools/test-install.sh "$BUILD"
part vm tests/tools/test-vm.sh "$BUILD"
part cpio tests/tools/test-cpio.sh "$BUILD"
part tlsca tests/tools/test-tlsca.sh "$BUILD"
part_wait
if [ "$QUICK" = 1 ]; then
	part fuzz make --no-print-directory fuzz-smoke BUILD="$BUILD" FUZZ_SMOKE_SECONDS=5
	part qemu tests/qemu/run-all.sh "$BUILD" kexec_x86_64_6.12_512M kexec_aarch64_6.12_el2_acpi make_demo
	echo "check: $total_pass passed, $total_fail failed"
	[ "$total_fail" = 0 ]
	exit
fi
part fuzz make --no-print-directory fuzz-smoke BUILD="$BUILD"
part deb tests/deb/test-deb.sh "$BUILD"
# the boot tests; among them one round of two of the soak's configurations
# (t_soak_*: Debian's 6.12 cloud kernel through efikexec with a TPM on q35
# from the shell, without one on pc as the boot stage; `make soak-tpm` runs
# all six, the kernel's own EFI stub as the control among them). The
# benchmarks are not run here (the 25-minute budget): `make bench-boot`,
# `make bench-net`.
part qemu tests/qemu/run-all.sh "$BUILD"
echo "check: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
