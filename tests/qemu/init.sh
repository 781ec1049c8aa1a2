#!/bin/busybox sh
# SPDX-License-Identifier: BSD-2-Clause-Patent
# /init of the test initramfs. It reports what the kernel gave it as
# EFIKEXEC-* markers on the console, then powers off; the harness on the
# host decides pass or fail from those lines.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "EFIKEXEC-INIT: started"
# arg NAME: the value of NAME= on the kernel command line
arg() { for w in $(cat /proc/cmdline); do case $w in "$1"=*) echo "${w#*=}"; return ;; esac; done; }
# Crash-capture tests (tests/qemu/tests.sh, capture_*): the modules they
# need, when this initramfs carries them.
load_modules() {
	for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk efi-pstore; do
		[ -e /modules/$m.ko ] && insmod /modules/$m.ko 2>/dev/null
	done
}
if [ -e /proc/vmcore ]; then
	# the capture kernel: the crashed system's memory is /proc/vmcore
	load_modules
	echo "EFIKEXEC-CAPTURE: cmdline $(cat /proc/cmdline)"
	echo "EFIKEXEC-CAPTURE: vmcore $(ls -l /proc/vmcore | awk '{print $5}') bytes"
	echo "EFIKEXEC-CAPTURE: elf $(head -c 20 /proc/vmcore | od -A n -t x1 | tr -s ' ' | head -n1 | sed 's/^ //')"
	echo "EFIKEXEC-CAPTURE: mem $(grep MemTotal /proc/meminfo)"
	# a capture kernel that is a UKI: the files efikexec packed for it
	[ -d /.extra ] && find /.extra -type f | sort | while read -r f; do
		echo "EFIKEXEC-CAPTURE: extra $(stat -c %a "$f") $f $(head -c 64 "$f" | tr '\n' ' ' | sed 's/ *$//')"
	done
	# (the pattern the main kernel wrote is counted in the saved dump, on
	# the host: reading /proc/vmcore here under TCG takes a minute)
	if [ -b /dev/vdb ]; then
		dd if=/proc/vmcore of=/dev/vdb bs=1M 2>/dev/null && sync
		echo "EFIKEXEC-CAPTURE: saved to /dev/vdb"
	fi
	echo "EFIKEXEC-CAPTURE: done"
	[ "$(arg efikexec.capture_then)" = reboot ] && reboot -f
	poweroff -f
fi
echo "EFIKEXEC-CMDLINE: $(cat /proc/cmdline)"
echo "EFIKEXEC-KERNEL: $(uname -r) $(uname -m)"
# under a hypervisor that says so (Xen's dom0: "xen")
[ -r /sys/hypervisor/type ] && echo "EFIKEXEC-HYPERVISOR: $(cat /sys/hypervisor/type)"
for f in /extra/*; do
	[ -f "$f" ] && echo "EFIKEXEC-EXTRA: ${f#/extra/} $(cat "$f")"
done
if [ -d /sys/firmware/efi ]; then echo "EFIKEXEC-EFI: yes"; else echo "EFIKEXEC-EFI: no"; fi
if [ -e /sys/firmware/efi/runtime ] || [ -d /sys/firmware/efi/efivars ]; then
	echo "EFIKEXEC-EFI-RUNTIME: yes"
else
	echo "EFIKEXEC-EFI-RUNTIME: no"
fi
[ -e /sys/firmware/efi/runtime ] && echo "EFIKEXEC-EFI-RUNTIME-FILE: yes"
# x86: the setup_data types the loader passed (9: RNG seed), and where KASLR
# put the kernel (virtual _text, physical "Kernel code")
if [ -d /sys/kernel/boot_params/setup_data ]; then
	echo "EFIKEXEC-SETUP-DATA: $(cat /sys/kernel/boot_params/setup_data/*/type 2>/dev/null | tr '\n' ' ')"
fi
echo "EFIKEXEC-KTEXT: $(grep -m1 ' _text$' /proc/kallsyms | cut -d' ' -f1)"
echo "EFIKEXEC-KCODE: $(grep -m1 'Kernel code' /proc/iomem | sed 's/^ *//; s/-.*//')"
# arm64: the /chosen the kernel was handed (a tree it unflattened)
if [ -d /proc/device-tree/chosen ]; then
	echo "EFIKEXEC-CHOSEN: $(ls /proc/device-tree/chosen | sort | tr '\n' ' ')"
	echo "EFIKEXEC-DT-MEMORY-NODES: $(ls /proc/device-tree | grep -c '^memory')"
fi
echo "EFIKEXEC-CPUS: $(grep -c ^processor /proc/cpuinfo)"
echo "EFIKEXEC-MEM: $(grep MemTotal /proc/meminfo)"
if [ -d /sys/firmware/memmap ]; then
	for d in /sys/firmware/memmap/*; do
		echo "EFIKEXEC-MEMMAP: $(cat $d/start) $(cat $d/end) $(cat $d/type)"
	done
fi
grep -v '^ ' /proc/iomem | sed 's/^/EFIKEXEC-IOMEM: /'
[ -e /sys/kernel/vmcoreinfo ] && echo "EFIKEXEC-VMCOREINFO: $(cat /sys/kernel/vmcoreinfo)"
# Boot-stage tests (efikexec.bli on the command line): the Boot Loader
# Interface variables as the OS reads them, through efivarfs.
BLI=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
VARS=/sys/firmware/efi/efivars
# utf16 FILE: an efivarfs string variable's text (attributes skipped; the
# NULs between the strings of a list become spaces)
utf16() { tail -c +5 "$1" | od -An -v -tu2 | awk '{for (i = 1; i <= NF; i++) if ($i) printf "%c", $i; else printf " "}' | sed 's/ *$//'; }
# setvar NAME TEXT: a non-volatile string variable under the BLI's GUID,
# attributes and UTF-16 data in one write, as efivarfs wants
setvar() {
	local f=/tmp/var.$$ c
	printf '\007\000\000\000' >$f
	printf '%s' "$2" | od -An -v -tu1 | tr -s ' ' '\n' | while read -r c; do
		[ -n "$c" ] && printf "\\$(printf %03o "$c")\\000"
	done >>$f
	printf '\000\000' >>$f
	cat $f >$VARS/$1-$BLI
}
if [ -n "$(arg efikexec.bli)" ]; then
	load_modules
	[ -e /modules/efivarfs.ko ] && insmod /modules/efivarfs.ko 2>/dev/null
	mount -t efivarfs efivarfs $VARS 2>/dev/null
	mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
	for v in LoaderInfo LoaderEntrySelected LoaderEntries LoaderTimeInitUSec LoaderTimeMenuUSec \
		LoaderTimeExecUSec LoaderDevicePartUUID LoaderImageIdentifier LoaderFirmwareInfo \
		LoaderFirmwareType LoaderBootCountPath LoaderConfigTimeout LoaderEntryDefault LoaderDeviceURL; do
		[ -e $VARS/$v-$BLI ] && echo "EFIKEXEC-BLI: $v=$(utf16 $VARS/$v-$BLI)"
	done
	[ -e $VARS/LoaderFeatures-$BLI ] &&
		echo "EFIKEXEC-BLI: LoaderFeatures=$(tail -c +5 $VARS/LoaderFeatures-$BLI | od -An -tx8 | tr -d ' ')"
	echo "EFIKEXEC-BLI: done"
fi
# Trust tests (efikexec.trust on the command line): the Secure Boot state
# and lockdown the kernel took, and with a TPM every PCR 0-9 (SHA-256 bank)
# and the event log the kernel was handed, base64, for the host to replay.
if [ -n "$(arg efikexec.trust)" ]; then
	mkdir -p /sys/kernel/security
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
	dmesg | grep -E 'secureboot: |Kernel is locked down|Lockdown: ' | sed 's/^\[[ 0-9.]*\] //; s/^/EFIKEXEC-SB: /'
	[ -e /sys/kernel/security/lockdown ] && echo "EFIKEXEC-LOCKDOWN: $(cat /sys/kernel/security/lockdown)"
	dmesg | grep -oE 'TPMEventLog=0x[0-9a-f]+|TPMFinalLog=0x[0-9a-f]+' | sed 's/^/EFIKEXEC-TPMTABLE: /'
	if [ -d /sys/class/tpm/tpm0/pcr-sha256 ]; then
		for i in 0 1 2 3 4 5 6 7 8 9; do
			echo "EFIKEXEC-PCR: $i $(cat /sys/class/tpm/tpm0/pcr-sha256/$i)"
		done
		log=/sys/kernel/security/tpm0/binary_bios_measurements
		if [ -e $log ]; then
			mkdir -p /tmp && mount -t tmpfs tmpfs /tmp 2>/dev/null
			cat $log >/tmp/tpmlog
			echo "EFIKEXEC-TPMLOG-SIZE: $(wc -c </tmp/tpmlog)"
			base64 /tmp/tpmlog | sed 's/^/EFIKEXEC-TPMLOG: /'
		fi
	else
		echo "EFIKEXEC-PCR: none"
	fi
	echo "EFIKEXEC-TRUST: done"
fi
# UKI tests (efikexec.ukistub on the command line): what systemd-stub
# gives the OS - PCRs 8 and 11-13, the /.extra tree (mode, digest, path), the
# stub's variables.
if [ -n "$(arg efikexec.ukistub)" ]; then
	[ -e /modules/efivarfs.ko ] && insmod /modules/efivarfs.ko 2>/dev/null
	mount -t efivarfs efivarfs $VARS 2>/dev/null
	if [ -d /sys/class/tpm/tpm0/pcr-sha256 ]; then
		# (8: where a 252 stub built with efi-tpm-pcr-compat copied PCR 12's)
		for i in 8 11 12 13; do echo "EFIKEXEC-PCR: $i $(cat /sys/class/tpm/tpm0/pcr-sha256/$i)"; done
	else
		echo "EFIKEXEC-PCR: none"
	fi
	if [ -d /.extra ]; then
		find /.extra | sort | while read -r f; do
			if [ -d "$f" ]; then d=dir; else d=$(sha256sum "$f" | cut -c1-64); fi
			echo "EFIKEXEC-EXTRA-TREE: $(stat -c %a "$f") $d $f"
		done
	else
		echo "EFIKEXEC-EXTRA-TREE: none"
	fi
	for v in StubInfo StubPcrKernelImage StubPcrKernelParameters StubPcrInitRDSysExts StubPcrInitRDConfExts \
		StubProfile StubDevicePartUUID StubImageIdentifier LoaderDevicePartUUID LoaderImageIdentifier; do
		[ -e $VARS/$v-$BLI ] && echo "EFIKEXEC-STUBVAR: $v=$(utf16 $VARS/$v-$BLI)"
	done
	[ -e $VARS/StubFeatures-$BLI ] &&
		echo "EFIKEXEC-STUBVAR: StubFeatures=$(tail -c +5 $VARS/StubFeatures-$BLI | od -An -tx8 | tr -d ' ')"
	echo "EFIKEXEC-UKISTUB: done"
fi
[ -d /proc/device-tree/reserved-memory ] &&
	echo "EFIKEXEC-RESERVED-MEMORY: $(ls /proc/device-tree/reserved-memory | tr '\n' ' ')"
case $(arg efikexec.then) in
crash)
	# a known pattern in memory (8 MiB of page cache), then a panic: the
	# efi-pstore record tells efikexec after the reset that this crashed
	load_modules
	mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
	yes "EFIKEXEC-PATTERN-$(arg efikexec.token)" | head -c 8388608 >/tmp/pattern
	echo "EFIKEXEC-INIT: crashing"
	echo c >/proc/sysrq-trigger
	;;
reboot)
	echo "EFIKEXEC-INIT: rebooting"
	reboot -f
	;;
oneshot)
	# `bootctl set-oneshot ID` (LoaderEntryOneShot), then a reboot; the
	# second time here (the marker variable set) the test is over
	if [ -e $VARS/EfikexecTestOneShot-$BLI ]; then
		echo "EFIKEXEC-INIT: oneshot done"
	else
		setvar EfikexecTestOneShot 1
		setvar LoaderEntryOneShot "$(arg efikexec.oneshot)"
		echo "EFIKEXEC-INIT: oneshot set to $(utf16 $VARS/LoaderEntryOneShot-$BLI), rebooting"
		reboot -f
	fi
	;;
esac
echo "EFIKEXEC-INIT: done"
poweroff -f
