#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# tpm-soak.sh BUILD ROUNDS [CONFIG...] - boots one kernel many times, two at
# a time, through efikexec and through the kernel's own EFI stub (the
# control), with and without a TPM, and counts the boots whose kernel
# crashed. Issue 23's soak: a crash that shows in one boot of five needs
# tens of boots to be seen or ruled out.
#
# A CONFIG is LOADER:TPM:MACHINE:FRONT[:MEM], e.g. efikexec:tpm:q35:shell
#   LOADER  efikexec | stub        (stub: the firmware's shell starts the kernel)
#   TPM     tpm | none             (swtpm, tpm-crb)
#   MACHINE q35 | pc
#   FRONT   shell | stage          (stage: efikexec as BOOTX64.EFI from a disk,
#                                   one Boot Loader Specification entry)
#   MEM     guest memory (default 1G)
# SOAK_KERNEL (default: the 6.12 cloud kernel, else the generic 6.12)
# chooses the kernel, QEMU_X86_CPU the guest CPU (lib.sh: "max" brings
# back QEMU 7.2's cmpxchg16b bug). The log of every boot that did not end
# well is kept as $LOGDIR/soak-CONFIG-N.log (colons as dashes), its verdict
# printed with the first crash lines; the last lines are "soak: N boots,
# N failed" and "soak: N passed, N failed" for make check's runner.
set -uo pipefail
BUILD=$(cd "${1:?BUILD}" && pwd)
ROUNDS=${2:?ROUNDS}
shift 2
export BUILD
. "$(dirname "$0")/suite.sh"

# what shows a boot went the way it was asked to
declare -A want=([efikexec-shell]='efikexec: info: plan: image' [efikexec-stage]='efikexec .*: boot stage'
	[stub-shell]='EFI stub: ')

# judge NAME LOADER FRONT: the verdict on boot NAME's log. Each grep reads
# the whole log (no -q: under pipefail, a grep that stops at its first match
# fails the pipeline with SIGPIPE when much follows, as a TPM log does).
judge() {
	local log crash='Kernel panic|BUG: |double fault|WARNING: CPU|general protection|Oops'
	log=$(clean_log "$1")
	if grep -E "$crash" <<<"$log" >/dev/null; then
		# the first report, where it was and the flags it had
		echo "CRASH $(grep -E "$crash|RIP: 0010|EFLAGS" <<<"$log" | head -n 5 |
			sed 's/^\[ *[0-9.]*\] //' | tr '\n' '|')"
	elif ! grep -e "${want[$2-$3]}" <<<"$log" >/dev/null; then
		# the boot went another way than the one asked for
		echo "FAILED (no '${want[$2-$3]}' in the log: not booted the way asked)"
	elif grep -F 'EFIKEXEC-INIT: done' <<<"$log" >/dev/null; then
		echo OK
	else
		echo "FAILED (no crash seen, /init never finished)"
	fi
}

# tpm-soak.sh BUILD --judge NAME LOADER FRONT: judge one kept log again
if [ "$ROUNDS" = --judge ]; then
	judge "$@"
	exit
fi

[ $# -gt 0 ] || set -- efikexec:tpm:q35:shell stub:tpm:q35:shell
KERNEL=${SOAK_KERNEL:-$ASSETS/vmlinuz-6.12-cloud-amd64}
[ -e "$KERNEL" ] || KERNEL=$ASSETS/vmlinuz-6.12-amd64
JOBS=${QEMU_JOBS:-2}
# the verdicts and the token initrd of this run alone: make check runs two
# of these at once (tests/qemu/suite.sh soak_one), and a shared folder,
# emptied by each at its start, lost the other's verdicts ("0 boots")
RES=$WORK/soak.$$
rm -rf "$RES"
mkdir -p "$RES"
trap 'rm -rf "$RES"' EXIT
initramfs x86_64 "$WORK/initrd-x86_64.img"
extra_initrd "$RES/extra.img" token soak
OPTS="console=ttyS0 efikexec.trust panic=-1"

# soak_esp CONFIG NAME: the ESP (a folder) or, for the boot stage, a GPT
# disk with it, of boot NAME; its path printed
soak_esp() {
	local loader front esp
	IFS=: read -r loader _ _ front _ <<<"$1"
	esp=$WORK/soak-esp-$2
	rm -rf "$esp"
	mkdir -p "$esp"
	cp "$KERNEL" "$esp/vmlinuz"
	cp "$WORK/initrd-x86_64.img" "$esp/one.img"
	cp "$RES/extra.img" "$esp/two.img"
	if [ "$front" = stage ]; then
		mkdir -p "$esp/EFI/BOOT" "$esp/loader/entries"
		cp "$BUILD/x86_64/efikexec.efi" "$esp/EFI/BOOT/BOOTX64.EFI"
		printf 'timeout 0\n' >"$esp/loader/loader.conf"
		printf 'title soak\nlinux /vmlinuz\ninitrd /one.img\ninitrd /two.img\noptions %s\n' "$OPTS" \
			>"$esp/loader/entries/soak.conf"
		gpt_disk "$WORK/soak-disk-$2.img" "$esp" >/dev/null
		echo "$WORK/soak-disk-$2.img"
		return
	fi
	if [ "$loader" = efikexec ]; then
		cp "$BUILD/x86_64/efikexec.efi" "$esp/efikexec.efi"
		startup_nsh "$esp" "efikexec.efi vmlinuz initrd=\\one.img initrd=\\two.img $OPTS"
	else
		startup_nsh "$esp" "vmlinuz initrd=\\one.img initrd=\\two.img $OPTS"
	fi
	echo "$esp"
}

# soak_one CONFIG N: round N's boot of CONFIG; its verdict in $RES/CONFIG@N
soak_one() {
	local cfg=$1 n=$2 loader tpm machine front mem name esp verdict extra=()
	IFS=: read -r loader tpm machine front mem <<<"$cfg"
	name=soak-${cfg//:/-}-$n
	esp=$(soak_esp "$cfg" "$name")
	if [ "$tpm" = tpm ]; then
		tpm_start "$name" x86_64 || return 1
		extra+=("${TPM_ARGS[@]}")
	fi
	# pc: the machine type alone differs (same firmware and CPU)
	[ "$machine" = pc ] && extra+=(-machine pc)
	local ready="UEFI Interactive Shell"
	[ "$front" = stage ] && ready="boot stage"
	QEMU_READY=$ready qemu_boot x86_64 "$name" "$esp" "${mem:-1G}" 300 "${extra[@]}"
	[ "$tpm" = tpm ] && tpm_stop "$name"
	verdict=$(judge "$name" "$loader" "$front")
	[ "$verdict" = OK ] && rm -f "$LOGDIR/$name.log" "$LOGDIR/$name.qemu" "$LOGDIR/$name.cmd" "$LOGDIR/$name.vm"
	rm -rf "$esp" "$WORK/soak-disk-$name.img" "$WORK/vars-$name.fd" "$WORK/tpm-$name"
	echo "$verdict" >"$RES/${cfg//:/-}@$n"
	echo "$name: $verdict"
}

# the whole run in one function: bash has read all of it before it starts
main() {
	local total=0 bad=0 cfg c n f v r
	for ((r = 1; r <= ROUNDS; r++)); do
		for cfg in "$@"; do
			while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
			soak_one "$cfg" "$r" &
		done
	done
	wait

	for cfg in "$@"; do
		c=${cfg//:/-} n=0 f=0
		for v in "$RES/$c"@*; do
			[ -e "$v" ] || continue
			n=$((n + 1))
			grep -q '^OK' "$v" || f=$((f + 1))
		done
		echo "soak: $cfg: $n boots, $f failed"
		total=$((total + n)) bad=$((bad + f))
	done
	echo "soak: $total boots, $bad failed"
	echo "soak: $((total - bad)) passed, $bad failed"
	[ "$bad" = 0 ]
}
main "$@"
