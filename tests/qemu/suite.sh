# SPDX-License-Identifier: BSD-2-Clause-Patent
# suite.sh - every boot test's definitions and what the runners share
# (run-all.sh, soak.sh, tpm-soak.sh). Sourced, with BUILD set and exported.
SUITE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$SUITE/lib.sh"
. "$SUITE/tests.sh"
. "$SUITE/stage.sh"
. "$SUITE/trust.sh"
. "$SUITE/ukistub.sh"
. "$SUITE/multiboot.sh"
. "$SUITE/os.sh"
. "$SUITE/net.sh"
. "$SUITE/vm.sh"

# suite_initramfs: the initramfs images the tests boot (made when missing
# or older than what they are made of)
suite_initramfs() {
	initramfs x86_64 "$WORK/initrd-x86_64.img"
	initramfs aarch64 "$WORK/initrd-aarch64.img"
	initramfs x86_64 "$WORK/initrd-capture-x86_64.img" "$ASSETS/modules-6.1-amd64"
	initramfs aarch64 "$WORK/initrd-capture-aarch64.img" "$ASSETS/modules-6.1-arm64"
	# the boot-stage tests' 6.12 kernels read efivarfs with their own module
	initramfs x86_64 "$WORK/initrd-6.12-x86_64.img" "$ASSETS/modules-6.12-amd64"
	initramfs aarch64 "$WORK/initrd-6.12-aarch64.img" "$ASSETS/modules-6.12-arm64"
}

# suite_tests: every test's name (the functions t_NAME), the longest boots
# first (2-4 minutes each: crash captures, the fault loops, the boot
# stage's capture fallback, Secure Boot's refusals, Xen), so two slots do
# not end with one of them alone on a long test
suite_tests() {
	local slow='^(os_.*|capture_.*_crash|faults_.*|stage_capture_.*|trust_capture_.*|trust_sb_refuse_.*|capture_.*_clean_reboot|xen_.*|stage_menu_.*|make_capture_demo|net_https_.*|net_disk_entry_.*)$'
	local all
	all=$(declare -F | awk '{print $3}' | sed -n 's/^t_//p')
	grep -E "$slow" <<<"$all"
	grep -vE "$slow" <<<"$all"
}

# The README's first command and the dump demo, as a user runs them: `make
# demo` and `make capture-demo` in the checkout, no terminal, standard
# input closed. Their scripts run under `set -euo pipefail` (the tests'
# own functions here run under errexit only where no `||` is around them),
# so this is where the shared helpers are held to it. Each passes when
# make succeeds and its last line is the demo's own success line; its
# whole output is in $LOGDIR/make-NAME.out.
make_target() {
	local t=$1 out=$LOGDIR/make-$1.out rc=0
	make --no-print-directory -C "$SUITE/../.." "$t" BUILD="$BUILD" </dev/null >"$out" 2>&1 || rc=$?
	if [ "$rc" != 0 ] || ! tail -n 1 "$out" | grep -q "^$t: done"; then
		echo "make $t: exit $rc, the last lines:"
		tail -n 30 "$out"
		return 1
	fi
	tail -n 3 "$out"
}
t_make_demo() { make_target demo; }
t_make_capture_demo() { make_target capture-demo; }

# One round of two of tests/qemu/tpm-soak.sh's configurations, as boot
# tests (so they share the two slots): its own verdict line decides.
soak_one() {
	local out
	out=$("$SUITE/tpm-soak.sh" "$BUILD" 1 "$1" 2>&1)
	echo "$out" | tail -n 4
	echo "$out" | grep -q '^soak: 1 boots, 0 failed$'
}
t_soak_tpm_q35_shell() { soak_one efikexec:tpm:q35:shell; }
t_soak_none_pc_stage() { soak_one efikexec:none:pc:stage:5G; }
