#!/bin/busybox sh
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
echo "EFIKEXEC-CMDLINE: $(cat /proc/cmdline)"
echo "EFIKEXEC-KERNEL: $(uname -r) $(uname -m)"
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
echo "EFIKEXEC-INIT: done"
poweroff -f
