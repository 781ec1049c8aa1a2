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
	local slow='^(os_.*|capture_.*_crash|faults_.*|stage_capture_.*|trust_capture_.*|trust_sb_refuse_.*|capture_.*_clean_reboot|xen_.*|stage_menu_.*)$'
	local all
	all=$(declare -F | awk '{print $3}' | sed -n 's/^t_//p')
	grep -E "$slow" <<<"$all"
	grep -vE "$slow" <<<"$all"
}
