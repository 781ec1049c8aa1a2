#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# test-vm.sh BUILD - efikexec-vm's checks before QEMU starts, on the host
# (--dry-run: what would run, nothing run): the architecture from each
# kernel format's own headers, bad inputs named with exit status 1, and
# the firmware chosen through QEMU's firmware descriptors, from a folder of
# the test's own ($XDG_CONFIG_HOME/qemu/firmware) that adds one and hides
# others by name. The boots themselves: tests/qemu/vm.sh.
# Last line: "vm: N passed, N failed".
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VM=$TOP/tools/efikexec-vm
A=$BUILD/assets
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS vm $1"; }
bad() { fail=$((fail + 1)); echo "FAIL vm $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"; }
export XDG_CONFIG_HOME=$W/config
FW=$XDG_CONFIG_HOME/qemu/firmware
mkdir -p "$FW"

# expect NAME STATUS TEXT... -- ARGS...: efikexec-vm ARGS ends with STATUS
# and says every TEXT (grep -E)
expect() {
	local name=$1 want=$2 texts=() out rc=0 t
	shift 2
	while [ "$1" != -- ]; do texts+=("$1"); shift; done
	shift
	out=$("$VM" "$@" </dev/null 2>&1) || rc=$?
	for t in "${texts[@]}"; do
		grep -qE -- "$t" <<<"$out" || { bad "$name: no line matches: $t (status $rc)" "$out"; return; }
	done
	[ "$rc" = "$want" ] || { bad "$name: status $rc, not $want" "$out"; return; }
	ok "$name"
}

# the architecture and the format, from the files' own headers
gunzip -c "$A/vmlinuz-6.12-arm64" >"$W/Image" 2>/dev/null || cp "$A/vmlinuz-6.12-arm64" "$W/Image"
gzip -c "$W/Image" >"$W/Image.gz"
expect "a bzImage: x86_64, efikexec's shell line" 0 "x86_64 bzImage through efikexec in .*60-edk2-x86_64.json" \
	'the shell runs: \\efikexec.efi \\vmlinuz initrd=\\initrd-1.img initrd=\\initrd-2.img console=ttyS0 quiet$' \
	"qemu: qemu-system-x86_64 .*-cpu max,-cx16 .*OVMF_CODE_4M.fd" \
	-- --dry-run --tcg "$A/vmlinuz-6.12-amd64" --initrd /etc/hostname --initrd /etc/hostname -- console=ttyS0 quiet
expect "a gzip'd arm64 Image: aarch64" 0 "aarch64 gzip'd arm64 Image through efikexec in .*60-edk2-aarch64.json" \
	"qemu: qemu-system-aarch64 .*AAVMF_CODE.fd.* -boot menu=on,splash-time=0 " -- --dry-run "$W/Image.gz"
expect "an arm64 Image through its stub: --dtb as the stub takes it" 0 "aarch64 arm64 Image through stub" \
	'the shell runs: \\linux.efi initrd=\\initrd-1.img dtb=\\board.dtb console=ttyAMA0$' \
	-- --dry-run --loader stub "$W/Image" --initrd /etc/hostname --dtb /etc/hostname -- console=ttyAMA0
objcopy -O binary -j .text /bin/true "$W/notpe" 2>/dev/null || head -c 4096 /dev/urandom >"$W/notpe"
printf '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\xb7\0' >"$W/vmlinux-arm64"
head -c 4096 /dev/zero >>"$W/vmlinux-arm64"
expect "an ELF vmlinux by its machine (183: aarch64); no stub in it" 1 \
	"vmlinux-arm64: an ELF kernel without an EFI stub: nothing for --loader stub to start" \
	-- --dry-run --loader stub "$W/vmlinux-arm64"
expect "--arch checks the headers" 1 "vmlinuz-6.12-amd64: an x86_64 bzImage, not for --arch aarch64" \
	-- --dry-run --arch aarch64 "$A/vmlinuz-6.12-amd64"

# Xen: the architecture from the hypervisor's image, modules with their
# command lines, # escaped for the shell
expect "--xen: x86_64's xen.gz, dom0's kernel and initrd as modules" 0 "x86_64 Xen through efikexec" \
	'the shell runs: \\efikexec.efi --module="\\module-1 console=hvc0 a\^#b" --module="\\module-2" \\xen.gz dom0_mem=512M$' \
	"-cpu max,-cx16,-smap,-smep" \
	-- --dry-run --tcg --xen "$A/xen/xen-4.17-amd64.gz" --module "$A/vmlinuz-6.1-amd64=console=hvc0 a#b" \
	--module /etc/hostname -- dom0_mem=512M
expect "--xen: arm64's Image, EL2 and no ACPI" 0 "aarch64 Xen through efikexec" "-machine virt,acpi=off,virtualization=on" \
	-- --dry-run --xen "$A/xen/xen-4.17-arm64" --module "$W/Image"
expect "--xen of a kernel" 1 "not a Xen image" -- --dry-run --xen "$A/vmlinuz-6.12-amd64" --module /etc/hostname
expect "--xen without modules" 1 "--xen XEN takes --module files" -- --dry-run --xen "$A/xen/xen-4.17-arm64"
expect "--module without --xen" 1 "--module is --xen's" -- --dry-run --module /etc/hostname "$A/vmlinuz-6.12-amd64"
expect "a module's command line with a double quote" 1 "a double quote inside a module's command line cannot reach" \
	-- --dry-run --xen "$A/xen/xen-4.17-arm64" --module "$W/Image=x=\"a b\""

# bad inputs: named, status 1, before QEMU
expect "no kernel" 1 "one of KERNEL, --uki FILE, --xen XEN, --image DISK" -- --dry-run
expect "no such file" 1 "the kernel $W/none: no such file" -- --dry-run "$W/none"
expect "not a kernel" 1 "README.md: not a kernel" -- --dry-run "$TOP/README.md"
gzip -c "$TOP/README.md" >"$W/readme.gz"
expect "a gzip file of something else" 1 "readme.gz: a gzip file, but not of an arm64 Image" -- --dry-run "$W/readme.gz"
expect "an initrd that is not there" 1 "--initrd $W/none: no such file" -- --dry-run "$A/vmlinuz-6.12-amd64" --initrd "$W/none"
expect "--uki of a bzImage" 1 "a bzImage, not a UKI" -- --dry-run --uki "$A/vmlinuz-6.12-amd64"
expect "--image without --arch" 1 "say which machine boots it" -- --dry-run --image /etc/hostname
expect "--memory that is no size" 1 "--memory lots: a size" -- --dry-run --memory lots "$A/vmlinuz-6.12-amd64"
printf 'MZ' >"$W/fake.efi"
expect "--efikexec that is no EFI application" 1 "fake.efi: not a kernel" \
	-- --dry-run --efikexec "$W/fake.efi" "$A/vmlinuz-6.12-amd64"
expect "--efikexec of the other architecture" 1 "efikexec.efi: not an EFI application for x86_64" \
	-- --dry-run --efikexec "$BUILD/aarch64/efikexec.efi" "$A/vmlinuz-6.12-amd64"
mkdir -p "$W/bin"
out=$(PATH=$W/bin /usr/bin/python3 "$VM" --dry-run "$A/vmlinuz-6.12-amd64" 2>&1)
rc=$?
if [ $rc = 1 ] && grep -q "qemu-system-x86_64 is not installed" <<<"$out"; then
	ok "no QEMU for the architecture: named"
else
	bad "no QEMU: status $rc" "$out"
fi

# --loader systemd-boot and grub: the loader on the ESP, one entry with
# the kernel, its initrds and command line (GRUB's words quoted for its
# parser)
expect "--loader systemd-boot: Debian's systemd-boot, a Type #1 entry" 0 \
	'the shell runs: \\EFI\\systemd-boot\\systemd-bootx64.efi \(from /usr/lib/systemd/boot/efi/systemd-bootx64.efi; the entry linux /vmlinuz; initrd /initrd-1.img; options console=ttyS0 a="b c"\)$' \
	-- --dry-run --loader systemd-boot "$A/vmlinuz-6.12-amd64" --initrd /etc/hostname -- 'console=ttyS0 a="b c"'
expect "--loader grub: GRUB built by grub-mkstandalone, one menuentry" 0 \
	"the shell runs: \\\\EFI\\\\grub\\\\grubx64.efi \(from /usr/lib/grub/x86_64-efi; the entry linux /vmlinuz 'console=ttyS0' 'a=b c' 'd'\\\\''e'; initrd /initrd-1.img\)$" \
	-- --dry-run --loader grub "$A/vmlinuz-6.12-amd64" --initrd /etc/hostname -- "console=ttyS0 a=\"b c\" d'e"
expect "--loader grub for arm64 without GRUB's arm64 modules" 1 "--loader grub: no GRUB modules for aarch64 in $W" \
	-- --dry-run --loader grub --loader-from "$W" "$W/Image"
expect "--loader-from that is no EFI application" 1 "--loader-from /etc/hostname: not an EFI application|/etc/hostname: not a kernel" \
	-- --dry-run --loader systemd-boot --loader-from /etc/hostname "$A/vmlinuz-6.12-amd64"
expect "--loader systemd-boot with an ELF kernel" 1 "an ELF kernel without an EFI stub: systemd-boot starts only EFI images" \
	-- --dry-run --loader systemd-boot --loader-from "$BUILD/aarch64/efikexec.efi" "$W/vmlinux-arm64"
expect "--loader grub with --secure-boot" 1 "GRUB verifies kernels through shim" -- --dry-run --loader grub --secure-boot "$A/vmlinuz-6.12-amd64"
expect "--loader-from with efikexec" 1 "--loader-from is --loader systemd-boot's or grub's" \
	-- --dry-run --loader-from /etc/hostname "$A/vmlinuz-6.12-amd64"

# the machine as it is: a folder as the ESP, no disk, a firmware loaded
# into memory (U-Boot), resets that restart it
mkdir -p "$W/esp"
expect "--image DIR: the folder as the ESP (QEMU's FAT emulation)" 0 "aarch64 the loader on the disk in" \
	"-drive if=none,id=disk0,format=raw,file=fat:rw:$W/esp -device virtio-blk-pci,drive=disk0,bootindex=0" \
	-- --dry-run --arch aarch64 --image "$W/esp"
out=$("$VM" --dry-run --arch x86_64 --no-disk "--qemu-arg=-device virtio-net-pci,netdev=n0" 2>&1)
if grep -q "x86_64 a machine with no disk in" <<<"$out" && ! grep -q "id=disk0" <<<"$out" && grep -q -- "-no-reboot" <<<"$out"; then
	ok "--no-disk: no drive; a reset ends the run"
else
	bad "--no-disk" "$out"
fi
printf '{ "interface-types": ["uefi"], "mapping": { "device": "memory", "filename": "/usr/lib/u-boot/qemu_arm64/u-boot.bin" }, "targets": [ { "architecture": "aarch64", "machines": ["virt-*"] } ], "features": [] }\n' >"$W/uboot.json"
out=$("$VM" --dry-run --arch aarch64 --reboot --firmware "$W/uboot.json" --image "$W/esp" 2>&1)
if grep -q -- "-bios /usr/lib/u-boot/qemu_arm64/u-boot.bin" <<<"$out" && ! grep -q -- "if=pflash\|-no-reboot" <<<"$out"; then
	ok "a memory mapping: -bios, no flash; --reboot: no -no-reboot"
else
	bad "memory mapping, --reboot" "$out"
fi
expect "--ready without --ready-within" 1 "--ready TEXT is --ready-within's" -- --dry-run --ready x "$A/vmlinuz-6.12-amd64"
expect "--no-disk without --arch" 1 "--no-disk: say which machine boots it" -- --dry-run --no-disk
expect "--image with a command line" 1 "--image and --no-disk boot the machine as it is" -- --dry-run --arch x86_64 --image "$W/esp" -- quiet

# --net: the files by URL, each pinned; --serve DIR: the files must lie in it
k=$A/vmlinuz-6.12-amd64
expect "--net: kernel and initrd by URL, pinned, a NIC on the user network" 0 \
	"the shell runs: \\\\efikexec.efi http://10.0.2.2:[0-9]+/vmlinuz\\^#sha256=$(sha256sum <"$k" | cut -c1-64) initrd=http://10.0.2.2:[0-9]+/initrd-1.img\\^#sha256=[0-9a-f]{64} console=ttyS0$" \
	"-netdev user,id=n0,ipv6=off -device virtio-net-pci,netdev=n0,romfile= " \
	-- --dry-run --net "$k" --initrd /etc/hostname -- console=ttyS0
expect "--net --serve DIR: the files' places in DIR" 0 "http://10.0.2.2:[0-9]+/vmlinuz-6.12-amd64\\^#sha256=" \
	-- --dry-run --net --serve "$A" "$k"
expect "--serve DIR with a file outside it" 1 "/etc/hostname: not in --serve $A, which the server serves" \
	-- --dry-run --net --serve "$A" "$k" --initrd /etc/hostname
expect "--net through the kernel's stub" 1 "the kernel's stub and a disk's loader read no URLs" \
	-- --dry-run --net --loader stub "$k"
expect "--serve without --net" 1 "--serve DIR is --net's" -- --dry-run --serve "$A" "$k"
expect "--net --secure-boot: a signed copy served, the entry's URLs pinned to it" 0 \
	"the entry linux http://10.0.2.2:[0-9]+/vmlinuz#sha256=[0-9a-f]{64}; initrd http://10.0.2.2:[0-9]+/initrd-1.img#sha256=$(sha256sum </etc/hostname | cut -c1-64); options console=ttyS0$" \
	-- --dry-run --net --secure-boot "$k" --initrd /etc/hostname -- console=ttyS0
if grep -q "vmlinuz#sha256=$(sha256sum <"$k" | cut -c1-64)" <<<"$("$VM" --dry-run --net --secure-boot "$k" 2>&1)"; then
	bad "--net --secure-boot: the kernel pinned as it is, not as signed"
else
	ok "--net --secure-boot: the pin is the signed copy's"
fi
expect "--net --secure-boot --serve DIR with a kernel not signed with the key" 1 \
	"not signed with .*, and --serve serves it as it is" -- --dry-run --net --secure-boot --serve "$A" "$k"

# --capture: efikexec's --capture-* words, the capture kernel and the
# initramfs efikexec-vm builds (busybox, the modules of the kernel's
# release from a folder or a modules tree in modules.dep's order), a dump
# disk, no -no-reboot (the crash's reset runs the capture kernel)
k61=$A/vmlinuz-6.1-amd64
rel=$(cat "$k61.version")
expect "--capture --crash: the capture words, the main kernel's panic=1 and SysRq, the dump disk" 0 \
	"initramfs for $rel: busybox $A/busybox-amd64, modules virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk efi_pstore$" \
	'the shell runs: \\efikexec.efi --capture-kernel=\\capture-kernel --capture-initrd=\\capture-1.img --capture-append="console=ttyS0 nr_cpus=1 panic=-1" --capture-size=192M \\vmlinuz initrd=\\initrd-1.img console=ttyS0 panic=1 sysrq_always_enabled$' \
	"-drive if=none,id=dump,format=raw,file=$W/d.vmcore -device virtio-blk-pci,drive=dump,serial=efikexec-vm-dump " \
	-- --dry-run --capture --crash --capture-size 192M --dump "$W/d.vmcore" --busybox "$A/busybox-amd64" \
	--modules "$A/modules-6.1-amd64" "$k61" -- console=ttyS0
out=$("$VM" --dry-run --capture --busybox "$A/busybox-amd64" --modules "$A/modules-6.1-amd64" --dump "$W/d.vmcore" "$k61" 2>&1)
if grep -q -- "-no-reboot" <<<"$out" || [ -e "$W/d.vmcore" ]; then
	bad "--capture: no -no-reboot, no dump file left by a dry run" "$out"
else
	ok "--capture: a reset restarts the firmware; a dry run leaves no dump file"
fi
# a modules tree: each module after what modules.dep says it needs, .ko.xz unpacked
T=$W/lib/modules/$rel
mkdir -p "$T/kernel"
for m in virtio virtio_ring virtio_pci_modern_dev virtio_pci virtio_blk efi-pstore; do
	cp "$A/modules-6.1-amd64/$m.ko" "$T/kernel/$m.ko" 2>/dev/null || printf 'x' >"$T/kernel/$m.ko"
	xz -f "$T/kernel/$m.ko"
done
cat >"$T/modules.dep" <<-DEP
	kernel/efi-pstore.ko.xz:
	kernel/virtio_blk.ko.xz: kernel/virtio.ko.xz kernel/virtio_ring.ko.xz
	kernel/virtio_pci.ko.xz: kernel/virtio_pci_modern_dev.ko.xz kernel/virtio.ko.xz kernel/virtio_ring.ko.xz
	kernel/virtio_ring.ko.xz:
	kernel/virtio.ko.xz: kernel/virtio_ring.ko.xz
	kernel/virtio_pci_modern_dev.ko.xz:
DEP
expect "--modules a tree: modules.dep's order" 0 \
	"initramfs for $rel: .*modules virtio_ring virtio virtio_pci_modern_dev virtio_pci virtio_blk efi_pstore$" \
	-- --dry-run --capture --busybox "$A/busybox-amd64" --modules "$T" "$k61"
expect "--capture: modules missing, named" 0 "$rel: virtio_pci, virtio_blk, efi_pstore not found as modules \($W\); the kernel must have them built in" \
	-- --dry-run --capture --busybox "$A/busybox-amd64" --modules "$W" "$k61"
expect "--busybox of the other architecture" 1 "--busybox $A/busybox-arm64: not for x86_64" \
	-- --dry-run --capture --busybox "$A/busybox-arm64" "$k61"
if [ -x /bin/busybox ] && ! file -L /bin/busybox | grep -q static; then
	expect "a dynamic busybox" 1 "--busybox /bin/busybox: linked dynamically" -- --dry-run --capture --busybox /bin/busybox "$k61"
fi
expect "--capture-kernel of the other architecture" 1 "--capture-kernel $W/Image: an aarch64 arm64 Image, not for x86_64" \
	-- --dry-run --capture --capture-kernel "$W/Image" --capture-initrd /etc/hostname "$k61"
expect "--crash without --crash-on and an initrd of the user's" 1 "--crash without --crash-on waits for the line of efikexec-vm's own initramfs" \
	-- --dry-run --capture --crash "$k61" --initrd /etc/hostname
expect "--capture through the stub" 1 "--capture: efikexec arms the capture kernel" -- --dry-run --capture --loader stub "$k61"
expect "--dump without --capture" 1 "are --capture's" -- --dry-run --dump "$W/x" "$k61"
expect "--crash-on: a line of the user's system, SysRq on" 0 "console=ttyS0 panic=1 sysrq_always_enabled$" \
	-- --dry-run --capture --crash --crash-on "login:" --capture-initrd /etc/hostname "$k61" --initrd /etc/hostname -- console=ttyS0
expect "--crash-on without --crash" 1 "--crash-on TEXT is --crash's" -- --dry-run --crash-on x "$k61"
expect "--capture-size that is no size" 1 "--capture-size 100: a size such as 256M" -- --dry-run --capture --capture-size 100 "$k61"
expect "--capture under Secure Boot: efikexec.conf beside the signed efikexec" 0 "efikexec, signed, is the disk's loader" \
	-- --dry-run --capture --secure-boot --busybox "$A/busybox-amd64" --capture-initrd /etc/hostname --initrd /etc/hostname "$k61"
# the initramfs writer against GNU cpio, and the dump's size from its ELF headers
/usr/bin/python3 - "$TOP/tools" "$W" <<-'PY' && ok "cpio newc as GNU cpio reads it; a vmcore's end from its program headers" || bad "cpio or vmcore_end"
	import struct, subprocess, sys
	sys.dont_write_bytecode = True
	sys.path.insert(0, sys.argv[1])
	from efikexec_vm import capture, tpm
	w = sys.argv[2]
	open(f"{w}/t.cpio", "wb").write(capture.cpio_newc([("bin", 0o40755, b""), ("bin/a", 0o100755, b"hello"), ("c", 0o100644, b"")]))
	names = subprocess.run(["cpio", "-it", "--quiet"], stdin=open(f"{w}/t.cpio", "rb"), capture_output=True, text=True).stdout.split()
	got = subprocess.run(["cpio", "-i", "--quiet", "--to-stdout", "bin/a"], stdin=open(f"{w}/t.cpio", "rb"), capture_output=True).stdout
	assert names == ["bin", "bin/a", "c"] and got == b"hello", (names, got)
	# an ELF core: header, two PT_LOAD, the second ending at 0x5000; then zeros
	eh = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, 2, 0, 0, 0)
	ph = struct.pack("<IIQQQQQQ", 1, 0, 0x1000, 0, 0, 0x2000, 0x2000, 0) + struct.pack("<IIQQQQQQ", 1, 0, 0x3000, 0, 0, 0x2000, 0x2000, 0)
	open(f"{w}/core", "wb").write(eh + ph + b"\0" * 0x8000)
	assert capture.vmcore_end(f"{w}/core") == 0x5000
	open(f"{w}/nocore", "wb").write(b"\0" * 4096)
	assert capture.vmcore_end(f"{w}/nocore") is None
PY
# --pcrs: a crypto-agile event log found in memory and replayed; the PCRs
# read from a real swtpm through its control channel, after an extend
/usr/bin/python3 - "$TOP/tools" "$W" <<-'PY' && ok "--pcrs: an event log found and replayed; PCRs read from swtpm as extended" || bad "--pcrs's reading"
	import hashlib, os, struct, subprocess, sys, time
	sys.dont_write_bytecode = True
	sys.path.insert(0, sys.argv[1])
	from efikexec_vm import capture, tpm
	w = sys.argv[2]
	# the Spec ID event (SHA-1 format), two algorithms; then events for PCR 4 and 9, one EV_NO_ACTION
	specdata = tpm.SPEC_ID + struct.pack("<IBBBBI", 0, 0, 2, 0, 2, 2) + struct.pack("<HHHH", 4, 20, 11, 32) + b"\0"
	log = struct.pack("<II", 0, 3) + bytes(20) + struct.pack("<I", len(specdata)) + specdata
	d4, d9 = hashlib.sha256(b"kernel").digest(), hashlib.sha256(b"initrd").digest()
	def ev(pcr, etype, d256, data):
	    return struct.pack("<III", pcr, etype, 2) + struct.pack("<H", 4) + bytes(20) + struct.pack("<H", 11) + d256 + struct.pack("<I", len(data)) + data
	body = ev(4, 0x80000003, d4, b"x" * 10) + ev(9, 0xD, d9, b"y") + ev(4, 3, bytes(32), b"")
	mem = b"\xff" * 4096 + log + body + b"\0" * 64
	open(f"{w}/ram", "wb").write(mem)
	off, events, nbytes, replay = tpm.find_event_log(f"{w}/ram")
	assert (off, events, nbytes) == (4096, 4, len(log + body)), (off, events, nbytes)
	assert replay[4] == hashlib.sha256(bytes(32) + d4).hexdigest() and replay[9] == hashlib.sha256(bytes(32) + d9).hexdigest()
	os.makedirs(f"{w}/tpm", exist_ok=True)
	sw = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={w}/tpm", "--ctrl", f"type=unixio,path={w}/ctl",
	                       "--flags", "not-need-init,startup-clear"],
	                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	try:
	    for _ in range(100):
	        if os.path.exists(f"{w}/ctl"):
	            break
	        time.sleep(0.05)
	    # TPM2_PCR_Extend (0x182) of PCR 9, password session, one SHA-256 digest
	    auth = struct.pack(">IHBH", 0x40000009, 0, 0, 0)
	    tpm.tpm_command(f"{w}/ctl", struct.pack(">II", 9, len(auth)) + auth + struct.pack(">IH", 1, 11) + d9, 0x182, tag=0x8002)
	    pcrs = tpm.read_pcrs(f"{w}/ctl")
	    assert pcrs[9] == replay[9] and pcrs[4] == "0" * 64, pcrs
	finally:
	    sw.kill()
PY

# the firmware, as the descriptors say: one of the test's own, named
# first, is taken; one of the same name as a system one hides it
cat >"$FW/10-test-x86_64.json" <<-JSON
	{ "description": "the test's own", "interface-types": ["uefi"],
	  "mapping": { "device": "flash",
	    "executable": { "filename": "/usr/share/OVMF/OVMF_CODE_4M.fd", "format": "raw" },
	    "nvram-template": { "filename": "/usr/share/OVMF/OVMF_VARS_4M.fd", "format": "raw" } },
	  "targets": [ { "architecture": "x86_64", "machines": ["pc-q35-*"] } ], "features": [], "tags": [] }
JSON
printf '{ "interface-types": ["bios"], "mapping": { "device": "flash" } }\n' >"$FW/05-bios.json"
expect "a descriptor of the user's own, first by name (a BIOS one before it passed over)" 0 \
	"through efikexec in $FW/10-test-x86_64.json" -- --dry-run "$A/vmlinuz-6.12-amd64"
expect "--secure-boot: a descriptor with enrolled keys, SMM as it asks, a private store" 0 \
	"in /usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json" "-machine q35,smm=on" \
	"driver=cfi.pflash01,property=secure,value=on" "unit=1,file=$W/sb.vars" \
	-- --dry-run --secure-boot --vars "$W/sb.vars" "$A/vmlinuz-6.12-amd64"
# the run's certificate is in the store's db (virt-fw-vars' view of it)
db=$(virt-fw-vars -i "$W/sb.vars" -p -v 2>&1)
if grep -q "subject CN=efikexec-vm run key" <<<"$db"; then
	ok "--secure-boot: the run's certificate added to db"
else
	bad "--secure-boot: no certificate of the run in db" "$(tail -20 <<<"$db")"
fi
expect "--sign-key without --sign-cert" 1 "--sign-key and --sign-cert go together" \
	-- --dry-run --secure-boot --sign-key /etc/hostname "$A/vmlinuz-6.12-amd64"
expect "--sign-cert without --secure-boot" 1 "--sign-key and --sign-cert are --secure-boot's" \
	-- --dry-run --sign-cert /etc/hostname "$A/vmlinuz-6.12-amd64"
# a descriptor with SMM, picked by --firmware: the machine and flash as it asks
expect "--firmware with requires-smm: SMM on, the flash secure" 0 \
	"in /usr/share/qemu/firmware/50-edk2-x86_64-secure.json" "-machine q35,smm=on" \
	"driver=cfi.pflash01,property=secure,value=on" \
	-- --dry-run --firmware /usr/share/qemu/firmware/50-edk2-x86_64-secure.json "$A/vmlinuz-6.12-amd64"
for n in 40-edk2-x86_64-secure-enrolled 50-edk2-x86_64-secure; do
	printf '{ "interface-types": ["uefi"], "mapping": { "device": "memory" }, "targets": [] }\n' >"$FW/$n.json"
done
expect "--secure-boot with every such descriptor hidden: no firmware, named" 1 \
	"no firmware descriptor offers UEFI for x86_64 with Secure Boot and enrolled keys" \
	-- --dry-run --secure-boot "$A/vmlinuz-6.12-amd64"
# every descriptor for the architecture hidden by one of the same name
for n in "$(ls /usr/share/qemu/firmware | grep aarch64)"; do
	for f in $n; do printf '{ "interface-types": ["uefi"], "mapping": { "device": "memory" }, "targets": [] }\n' >"$FW/$f"; done
done
expect "every aarch64 descriptor hidden: no firmware, named" 1 \
	"no firmware descriptor offers UEFI for aarch64 \(looked in .*60-edk2-aarch64.json: not for aarch64" \
	-- --dry-run "$W/Image"
echo '{ not json' >"$W/bad.json"
expect "--firmware that is not a descriptor" 1 "bad.json: not a firmware descriptor \(JSON" \
	-- --dry-run --firmware "$W/bad.json" "$A/vmlinuz-6.12-amd64"
expect "--firmware for the other architecture" 1 "60-edk2-aarch64.json: not for x86_64" \
	-- --dry-run --firmware /usr/share/qemu/firmware/60-edk2-aarch64.json "$A/vmlinuz-6.12-amd64"
# --vars: kept, made from the template when missing
expect "--vars: made from the template, used in place" 0 "unit=1,file=$W/my.vars" \
	-- --dry-run --vars "$W/my.vars" "$A/vmlinuz-6.12-amd64"
# the store made holds the template's variables and the shell's ShellOpt
# "-delay 0" (tools/efikexec_vm/varstore.py): byte for byte what
# virt-fw-vars writes into the template, an independent writer
shellopt=$(printf 'Shell -delay 0\0' | iconv -t UTF-16LE | od -An -v -tx1 | tr -d ' \n')
printf '{"version": 2, "variables": [{"name": "ShellOpt", "guid": "158def5a-f656-419c-b027-7a3192c079d2", "attr": 3, "data": "%s"}]}\n' \
	"$shellopt" >"$W/shellopt.json"
virt-fw-vars -i /usr/share/OVMF/OVMF_VARS_4M.fd --set-json "$W/shellopt.json" -o "$W/want.vars" >/dev/null 2>&1
if cmp -s "$W/my.vars" "$W/want.vars"; then ok "--vars: the template's copy with ShellOpt, as virt-fw-vars writes it"
else bad "--vars: not the template with ShellOpt" "$(cmp "$W/my.vars" "$W/want.vars" 2>&1)"; fi
cp "$W/my.vars" "$W/kept.vars"
"$VM" --dry-run --vars "$W/my.vars" "$A/vmlinuz-6.12-amd64" </dev/null >/dev/null 2>&1
if cmp -s "$W/my.vars" "$W/kept.vars"; then ok "--vars: a store that exists is used as it is"; else bad "--vars: a kept store changed"; fi
# AAVMF's template is all zeros: the store formatted as its flash driver
# formats it, then the variable; virt-fw-vars reads it back
expect "--vars on aarch64: made from AAVMF's template" 0 "unit=1,file=$W/a64.vars" \
	-- --dry-run --firmware /usr/share/qemu/firmware/60-edk2-aarch64.json --vars "$W/a64.vars" "$W/Image"
got=$(virt-fw-vars -i "$W/a64.vars" --output-json "$W/a64.json" >/dev/null 2>&1 &&
	python3 -c 'import json, sys; print([v["data"] for v in json.load(open(sys.argv[1]))["variables"] if v["name"] == "ShellOpt"])' "$W/a64.json")
want="['$shellopt']"
if [ "$got" = "$want" ]; then ok "--vars on aarch64: a formatted store holding ShellOpt"; else bad "--vars on aarch64: ShellOpt $got, not $want"; fi
# stores that cannot take it are left as they were, with the reason
vs() { (cd "$TOP/tools" && python3 -c 'import sys; from efikexec_vm.varstore import shell_without_countdown as s; print(s(sys.argv[1], sys.argv[2]))' "$@"); }
head -c 4096 /dev/urandom >"$W/junk.vars"
cp "$W/junk.vars" "$W/junk0.vars"
out=$(vs "$W/junk.vars" x86_64)
if [ "$out" = "no variable store's firmware volume header" ] && cmp -s "$W/junk.vars" "$W/junk0.vars"; then ok "varstore: not a store: refused, untouched"
else bad "varstore: not a store" "$out"; fi
out=$(vs "$W/my.vars" x86_64)
if [ "$out" = "it holds ShellOpt already" ] && cmp -s "$W/my.vars" "$W/kept.vars"; then ok "varstore: ShellOpt there already: untouched"
else bad "varstore: ShellOpt twice" "$out"; fi
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$W/full.vars"
# the variable area (0x64 to the store's end at 0x40000) written to its end
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(0x64); f.write(b"\0" * (0x40000 - 0x64))' "$W/full.vars"
cp "$W/full.vars" "$W/full0.vars"
out=$(vs "$W/full.vars" x86_64)
if [ "$out" = "no room for ShellOpt in its variable store" ] && cmp -s "$W/full.vars" "$W/full0.vars"; then ok "varstore: a full store: refused, untouched"
else bad "varstore: a full store" "$out"; fi
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$W/sum.vars"
printf '\x01' | dd of="$W/sum.vars" bs=1 seek=60 conv=notrunc status=none
out=$(vs "$W/sum.vars" x86_64)
if [ "$out" = "its firmware volume header's checksum is wrong" ]; then ok "varstore: a header whose checksum is wrong: refused"
else bad "varstore: a wrong checksum" "$out"; fi

echo "vm: $pass passed, $fail failed"
[ "$fail" = 0 ]
