# SPDX-License-Identifier: BSD-2-Clause-Patent
# multiboot.sh - Multiboot2 boot tests (boot/multiboot2.c, purgatory's
# 32-bit exit): the project's own payload (mb2-payload.c) prints every tag
# it gets and mb2img.py checks them; Debian's Xen boots Debian's kernel as
# its dom0; bad images and inputs return with their messages. Sourced by
# run-all.sh.

MB2_PAYLOAD=$BUILD/tests/mb2-payload.elf
MB2_PY=$HERE/mb2img.py
XEN_X86=$ASSETS/xen/xen-4.17-amd64.gz

# mb2_esp NAME: an ESP with efikexec, the payload and two modules of random
# bytes (one not a whole number of pages), in $ESP
mb2_esp() {
	ESP=$(new_esp "$1")
	cp "$BUILD/x86_64/efikexec.efi" "$MB2_PAYLOAD" "$ESP/"
	head -c 300001 /dev/urandom >"$ESP/mod1.bin"
	head -c 5000 /dev/urandom >"$ESP/mod2.bin"
}

# The payload, with a framebuffer (-device VGA: OVMF's GOP), relocated
# (preference high), two modules with and without a command line.
t_multiboot_payload_x86_64() {
	local name=mb2-payload-x86_64
	mb2_esp "$name"
	startup_nsh "$ESP" \
		'efikexec.efi --dry-run --module="mod1.bin alpha beta=1" --module=mod2.bin mb2-payload.elf one two' \
		'efikexec.efi --verbose --module="mod1.bin alpha beta=1" --module=mod2.bin mb2-payload.elf one two'
	qemu_boot x86_64 "$name" "$ESP" 1G 120 -device VGA || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_grep "$name" \
		'^efikexec: info: plan: image \\mb2-payload\.elf: Multiboot2 \(ELF32 i386, 1 piece at \[0x2000000, 0x2006000\), entry 0x2000080; relocatable within \[0x1000000, 0x40000000\), align 0x200000, preference high; i386 entry after ExitBootServices \(no EFI boot services tag\)\)$' \
		'^efikexec: info: plan: segment 1 initrd +\[0x[0-9a-f]+, 0x[0-9a-f]+\) +308104 bytes, in place, from \\mod1\.bin \+ \\mod2\.bin$' \
		'^efikexec: info: plan: segment 4 room +\[0x000009f000, 0x00000a0000\) .*an EBDA purgatory makes' \
		'^efikexec: info: plan: module 0 \[0x[0-9a-f]+, 0x[0-9a-f]+\) +300001 bytes, \\mod1\.bin alpha beta=1$' \
		'^efikexec: info: plan: module 1 \[0x[0-9a-f]+, 0x[0-9a-f]+\) +5000 bytes, \\mod2\.bin$' \
		'^purgatory: 3 segments verified \(XXH64\)$' \
		'^MB2-PAYLOAD: magic=0x36d76289 mbi=0x[0-9a-f]+ image=0x[0-9a-f]*[02468ace]00000$' \
		'^MB2-STATE: cr0=0x[0-9a-f]+ pe=1 pg=0 cr4=0x0 efer\.lme=0 if=0 cs=0x8 ds=0x18 ss=0x18$' \
		'^MB2-FB: addr=0x[0-9a-f]+ pitch=5120 width=1280 height=800 bpp=32 type=1$' \
		'^MB2-EFI-MMAP: descr_size=[0-9]+ descr_vers=1 descriptors=[1-9][0-9]*$' \
		'^MB2-ACPI-OLD: oem=BOCHS  rev=2 rsdt=0x[0-9a-f]+ sum20=ok$' \
		'^MB2-ACPI-NEW: oem=BOCHS  rev=2 rsdt=0x[0-9a-f]+ sum20=ok xsdt=0x[0-9a-f]+ sum=ok$' \
		'^MB2-EBDA-RSDP: at=0x9f010 same as the tag$'
	expect_line "$name" \
		'MB2-CMDLINE: \mb2-payload.elf one two' 'MB2-LOADER: efikexec' \
		'MB2-MMAP-HEAD: entry_size=24 version=0' \
		'MB2-TAG: type=0 size=8' 'MB2-DONE'
	expect_grep "$name" '^MB2-INFO: total_size=[0-9]+ reserved=0$' '^MB2-MODULE: .* string=\\mod1\.bin alpha beta=1$' '^MB2-MODULE: .* string=\\mod2\.bin$' \
		'^MB2-EFI64: systab=0x[0-9a-f]+ signature=0x5453595320494249$'
	# the tags in the specification's order of GRUB's, and nothing asked
	# for that efikexec cannot give
	local order
	order=$(clean_log "$name" | sed -n 's/^MB2-TAG: type=\([0-9]*\) .*/\1/p' | tr '\n' ' ')
	[ "$order" = "21 1 2 3 3 4 6 8 12 14 15 17 0 " ] || { echo "tags in the order $order"; return 1; }
	python3 "$MB2_PY" check "$LOGDIR/$name.log" $((1 << 30)) "$ESP/mod1.bin" "$ESP/mod2.bin"
	# the payload finds each module where the plan (and --dry-run) said
	local planned got
	planned=$(clean_log "$name" | sed -n 's/^efikexec: info: plan: module [0-9]* \[0x0*\([0-9a-f]*\), 0x0*\([0-9a-f]*\)).*/\1 \2/p' | tail -n 2)
	got=$(clean_log "$name" | sed -n 's/^MB2-MODULE: start=0x\([0-9a-f]*\) end=0x\([0-9a-f]*\) .*/\1 \2/p')
	[ "$planned" = "$got" ] || { echo "modules planned at $planned, found at $got"; return 1; }
}

# The payload's x86_64 build with the EFI tags (7 and 9): entered in long
# mode with boot services running, relocated, with the same modules. It
# sees the EFI system table, "boot services not terminated" and an image
# handle the firmware's HandleProtocol answers for; no EFI memory map and
# no EBDA; its modules where the plan said, byte for byte.
t_multiboot_efi_payload_x86_64() {
	local name=mb2-efi-payload-x86_64
	mb2_esp "$name"
	cp "$BUILD/tests/mb2-payload-efi.elf" "$ESP/"
	startup_nsh "$ESP" \
		'efikexec.efi --verbose --module="mod1.bin alpha beta=1" --module=mod2.bin mb2-payload-efi.elf one two'
	qemu_boot x86_64 "$name" "$ESP" 1G 120 -device VGA || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_grep "$name" \
		'^efikexec: info: plan: image \\mb2-payload-efi\.elf: Multiboot2 \(ELF64, 1 piece at \[0x2000000, 0x[0-9a-f]+\), entry 0x2000[0-9a-f]+; relocatable within \[0x1000000, 0x40000000\), align 0x200000, preference high; EFI amd64 entry with boot services running \(header tags 7 and 9\)\)$' \
		'^efikexec: info: boot: 3 regions verified \(XXH64\) before the entry$' \
		'^MB2-PAYLOAD: magic=0x36d76289 mbi=0x[0-9a-f]+ image=0x[0-9a-f]*[02468ace]00000$' \
		'^MB2-STATE: cr0=0x[0-9a-f]+ pe=1 pg=1 cr4=0x[0-9a-f]+ efer\.lme=1 ' \
		'^MB2-EFI64: systab=0x[0-9a-f]+ signature=0x5453595320494249$' \
		'^MB2-EFI64-IH: handle=0x[0-9a-f]+ loaded-image=ok$' \
		'^MB2-ACPI-NEW: oem=BOCHS  rev=2 rsdt=0x[0-9a-f]+ sum20=ok xsdt=0x[0-9a-f]+ sum=ok$' \
		'^MB2-MODULE: .* string=\\mod1\.bin alpha beta=1$'
	expect_line "$name" 'MB2-CMDLINE: \mb2-payload-efi.elf one two' 'MB2-LOADER: efikexec' \
		'MB2-EFI-BS: not terminated' 'MB2-EBDA-RSDP: none' 'MB2-DONE'
	local order
	order=$(clean_log "$name" | sed -n 's/^MB2-TAG: type=\([0-9]*\) .*/\1/p' | tr '\n' ' ')
	[ "$order" = "21 1 2 3 3 4 6 8 12 14 15 18 20 0 " ] || { echo "tags in the order $order"; return 1; }
	python3 "$MB2_PY" check "$LOGDIR/$name.log" $((1 << 30)) --efi "$ESP/mod1.bin" "$ESP/mod2.bin"
	local planned got
	planned=$(clean_log "$name" | sed -n 's/^efikexec: info: plan: module [0-9]* \[0x0*\([0-9a-f]*\), 0x0*\([0-9a-f]*\)).*/\1 \2/p' | tail -n 2)
	got=$(clean_log "$name" | sed -n 's/^MB2-MODULE: start=0x\([0-9a-f]*\) end=0x\([0-9a-f]*\) .*/\1 \2/p')
	[ "$planned" = "$got" ] || { echo "modules planned at $planned, found at $got"; return 1; }
}

# As a boot loader, no shell: a Boot Loader Specification entry whose
# modules are efikexec's own key, `efikexec-module PATH [ARGS]`.
t_multiboot_entry_x86_64() {
	local name=mb2-entry-x86_64
	mb2_esp "$name"
	mkdir -p "$ESP/EFI/BOOT" "$ESP/loader/entries"
	mv "$ESP/efikexec.efi" "$ESP/EFI/BOOT/BOOTX64.EFI"
	printf 'timeout 0\ndefault mb2.conf\n' >"$ESP/loader/loader.conf"
	printf 'title payload\nlinux /mb2-payload.elf\nefikexec-module /mod2.bin from=entry\nefikexec-module /mod1.bin\noptions three four\n' \
		>"$ESP/loader/entries/mb2.conf"
	QEMU_READY="BdsDxe: starting" qemu_boot x86_64 "$name" "$ESP" 1G 120 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	# (paths as efikexec names files: from the volume root, backslashes)
	expect_line "$name" 'MB2-CMDLINE: \mb2-payload.elf three four' 'MB2-DONE'
	expect_grep "$name" '^MB2-MODULE: .* string=\\mod2\.bin from=entry$' '^MB2-MODULE: .* string=\\mod1\.bin$'
	python3 "$MB2_PY" check "$LOGDIR/$name.log" $((1 << 30)) "$ESP/mod2.bin" "$ESP/mod1.bin"
}

# Bad images and inputs: each returns to the shell with its message and
# status, the firmware still usable: the last command boots the payload.
t_multiboot_bad_x86_64() {
	local name=mb2-bad-x86_64
	mb2_esp "$name"
	python3 "$MB2_PY" badsum "$MB2_PAYLOAD" "$ESP/badsum.elf"
	python3 "$MB2_PY" late "$ESP/late.bin"
	python3 "$MB2_PY" unknown "$ESP/unknown.bin"
	python3 "$MB2_PY" noinfo "$ESP/noinfo.bin"
	python3 "$MB2_PY" at 0xe0000000 "$ESP/outside.bin"
	cp "$(kernel_path x86_64 6.1)" "$ESP/vmlinuz"
	startup_nsh "$ESP" \
		'efikexec.efi badsum.elf' 'echo "EFIKEXEC-STEP: badsum rc %lasterror%"' \
		'efikexec.efi late.bin' 'echo "EFIKEXEC-STEP: late rc %lasterror%"' \
		'efikexec.efi unknown.bin' 'echo "EFIKEXEC-STEP: unknown rc %lasterror%"' \
		'efikexec.efi noinfo.bin' 'echo "EFIKEXEC-STEP: noinfo rc %lasterror%"' \
		'efikexec.efi outside.bin' 'echo "EFIKEXEC-STEP: outside rc %lasterror%"' \
		'efikexec.efi --module=mod1.bin --module=nothere.bin mb2-payload.elf' \
		'echo "EFIKEXEC-STEP: module-missing rc %lasterror%"' \
		'efikexec.efi mb2-payload.elf initrd=mod1.bin' 'echo "EFIKEXEC-STEP: initrd rc %lasterror%"' \
		'efikexec.efi --module=mod1.bin vmlinuz console=ttyS0' 'echo "EFIKEXEC-STEP: linux-modules rc %lasterror%"' \
		'efikexec.efi --module=mod1.bin mb2-payload.elf after'
	qemu_boot x86_64 "$name" "$ESP" 1G 120 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_grep "$name" \
		'^efikexec: error: multiboot2: \\badsum\.elf: Multiboot2 header at 0x1000: checksum 0x[0-9a-f]{8} is wrong \(magic \+ architecture \+ length \+ checksum must be 0 mod 2\^32; want 0x[0-9a-f]{8}\)$' \
		'^EFIKEXEC-STEP: badsum rc 0x1$' \
		'^efikexec: error: multiboot2: \\late\.bin: Multiboot2 header at 0x9000, past the first 32768 bytes where the specification puts it$' \
		'^EFIKEXEC-STEP: late rc 0x1$' \
		'^efikexec: error: multiboot2: \\unknown\.bin: Multiboot2 header tag 42 at 0x38 is required \(flags 0\) and efikexec does not know it \(it knows 1 to 10\)$' \
		'^EFIKEXEC-STEP: unknown rc 0x3$' \
		'^efikexec: error: multiboot2: \\noinfo\.bin: requires the boot information tag 5 \(BIOS boot device\), which efikexec cannot give' \
		'^EFIKEXEC-STEP: noinfo rc 0x3$' \
		'^efikexec: error: boot: \\outside\.bin: Multiboot2 at \[0xe0000000, 0xe0002000\) is not RAM the kernel may have \(.*\): EFI_LOAD_ERROR$' \
		'^EFIKEXEC-STEP: outside rc 0x1$' \
		'^efikexec: error: file: \\nothere\.bin: cannot open: EFI_NOT_FOUND$' \
		'^EFIKEXEC-STEP: module-missing rc 0xE$' \
		'^efikexec: error: boot: \\mb2-payload\.elf: a Multiboot2 kernel takes modules \(--module="PATH ARGS"\), not an initrd \(\\mod1\.bin\): EFI_INVALID_PARAMETER$' \
		'^EFIKEXEC-STEP: initrd rc 0x2$' \
		'^efikexec: error: boot: \\vmlinuz: a bzImage takes no Multiboot2 modules \(\\mod1\.bin\); give it an initrd instead: EFI_INVALID_PARAMETER$' \
		'^EFIKEXEC-STEP: linux-modules rc 0x2$'
	expect_line "$name" 'MB2-CMDLINE: \mb2-payload.elf after' 'MB2-DONE'
}

# xen_esp ARCH NAME XEN XEN-NAME KERNEL-NAME: an ESP with efikexec, Xen,
# Debian's 6.1 kernel and the test initramfs (initrd.img); printed
xen_esp() {
	local esp
	esp=$(new_esp "$2")
	cp "$BUILD/$1/efikexec.efi" "$esp/"
	cp "$3" "$esp/$4"
	cp "$(kernel_path "$1" "${6:-6.1}")" "$esp/$5"
	cp "$WORK/initrd-$1.img" "$esp/initrd.img"
	echo "$esp"
}

# Debian's Xen 4.17 (xen.gz: gzip of an ELF32 with a Multiboot2 header
# that asks for EFI boot services and has an EFI amd64 entry) with Debian's
# kernel SERIES as dom0 and the test initramfs as its initrd, entered as
# GRUB 2.06 enters it: boot services running, Xen calls ExitBootServices
# and hands dom0 the EFI system table and ACPI. Xen runs on the serial
# port; dom0's console is Xen's (hvc0). Xen's lines show its EFI memory
# map and the firmware's RSDP, dom0's that it has EFI and ACPI (PnP finds
# devices) and a console (init's lines come through hvc0). One TCG
# workaround, the machine's (GRUB's multiboot2 needs it too): -cpu max
# without SMAP/SMEP (QEMU 7.2's TCG faults Xen's PV dom0 entry with them
# on). Xen halts when dom0 powers off, so the boot ends at dom0's last line.
XEN_XARGS="console=com1 com1=115200,8n1 dom0_mem=512M no-real-mode edd=off noreboot"
# xen_dom0_facts NAME DARGS: what dom0 and Xen say on the EFI path
xen_dom0_facts() {
	local name=$1 dargs=$2
	expect_grep "$name" \
		"^\\(XEN\\) Command line: $XEN_XARGS\$" \
		'^\(XEN\) EFI RAM map:$' \
		'^\(XEN\) ACPI: RSDP [0-9A-F]{8}, 0024 \(r2 BOCHS \)$' \
		'^\(XEN\)  Dom0 kernel: 64-bit, PAE, lsb, ' \
		'^\(XEN\)  Init\. ramdisk: [0-9a-f]+->[0-9a-f]+$' \
		'^\[ *[0-9.]+\] efi: EFI v2\.[0-9]+ by EDK II$' \
		'^\[ *[0-9.]+\] ACPI: RSDP 0x[0-9A-F]+ 000024 \(v02 BOCHS \)$' \
		'^\[ *[0-9.]+\] pnp: PnP ACPI: found [1-9][0-9]* devices$' || return 1
	expect_line "$name" "EFIKEXEC-CMDLINE: $dargs" 'EFIKEXEC-HYPERVISOR: xen' 'EFIKEXEC-EFI: yes' \
		'EFIKEXEC-INIT: done' || return 1
	! clean_log "$name" | grep -aE '(XEN\) ACPI: RSDP 0009F010|A valid RSDP was not found|unable to open an initial console' ||
		{ echo "$name: dom0 or Xen missed the firmware's ACPI, or dom0 its console"; return 1; }
}
xen_x86() {
	local series=$1 name=xen-x86_64-$1 rd=$WORK/initrd-x86_64.img
	local dargs="console=hvc0 earlyprintk=xen panic=-1 efikexec.token=$RANDOM"
	# one command: efikexec-vm (tests/qemu/vm.sh) puts Xen, the modules and
	# efikexec on an ESP, the CPU without SMAP/SMEP, and ends when Xen
	# powers the machine off after dom0
	vm_run "$name" 0 --memory 2G --timeout 400 --xen "$XEN_X86" --module "$(kernel_path x86_64 "$series")=$dargs" \
		--module "$rd" -- "$XEN_XARGS" || { tail_log "$name"; return 1; }
	expect_grep "$name" \
		'^efikexec: info: image: \\xen\.gz: gzip \([0-9]+ KiB: Multiboot2 \(ELF32 i386, 1 piece at \[0x200000, 0x5a7000\), entry 0x[0-9a-f]+; relocatable within \[0x200000, 0xffffffff\), align 0x200000, preference high; EFI amd64 entry with boot services running \(header tags 7 and 9\)\)\)$' \
		'^efikexec: info: boot: [0-9]+ regions verified \(XXH64\) before the entry$' \
		'^efikexec: info: boot: \\xen\.gz: its EFI amd64 entry 0x[0-9a-f]+, boot services running \(boot information at 0x[0-9a-f]+, [0-9]+ bytes\)$' \
		'^efikexec: notice: boot: entering \\xen\.gz \(' \
		"^EFIKEXEC-KERNEL: $(kernel_version_re x86_64 "$series") " || return 1
	xen_dom0_facts "$name" "$dargs" || return 1
	# the initrd Xen handed dom0 is the module's, byte for byte: its size
	local r
	r=$(clean_log "$name" | sed -n 's/^(XEN)  Init\. ramdisk: \([0-9a-f]*\)->\([0-9a-f]*\)$/\1 \2/p')
	set -- $r
	[ "$((16#$2 - 16#$1))" = "$(stat -c %s "$rd")" ] ||
		{ echo "Xen's ramdisk [$1, $2) is not the $(stat -c %s "$rd") bytes of the initrd"; return 1; }
}
t_xen_x86_64() { xen_x86 6.1; }
t_xen_x86_64_6.12() { xen_x86 6.12; }

# The peer: GRUB 2.06 (Debian's grub-efi-amd64-bin, grub-mkstandalone)
# booting the same files with `multiboot2` and `module2` on the same
# machine: the same dom0 facts.
t_xen_grub_x86_64() {
	local name=xen-grub-x86_64 esp
	esp=$(xen_esp x86_64 "$name" "$XEN_X86" xen.gz vmlinuz 6.1)
	local dargs="console=hvc0 earlyprintk=xen panic=-1 efikexec.token=$RANDOM"
	mkdir -p "$esp/EFI/BOOT"
	cat >"$WORK/$name.cfg" <<-EOF
		set timeout=0
		search --no-floppy --file --set=root /xen.gz
		menuentry xen {
			multiboot2 /xen.gz $XEN_XARGS
			module2 /vmlinuz $dargs
			module2 /initrd.img
		}
	EOF
	grub-mkstandalone -O x86_64-efi -o "$esp/EFI/BOOT/BOOTX64.EFI" \
		--modules="part_gpt part_msdos fat search normal multiboot2 gzio" "boot/grub/grub.cfg=$WORK/$name.cfg"
	QEMU_READY="BdsDxe: starting" QEMU_DONE="EFIKEXEC-INIT: done" qemu_boot x86_64 "$name" "$esp" 2G 400 \
		-cpu "$QEMU_X86_CPU,-smap,-smep" || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_grep "$name" '^\(XEN\) Bootloader: GRUB 2\.06' || return 1
	xen_dom0_facts "$name" "$dargs"
}

# Debian's Xen 4.17 for arm64 (an Image) with Debian's 6.1 arm64 kernel as
# dom0: the modules are /chosen/module@ADDR nodes of the device tree
# (Xen's docs/misc/arm/device-tree/booting.txt), entered at EL2
# (virtualization=on), the tree from the firmware (acpi=off). Xen's lines
# show it loaded dom0's kernel and ramdisk from the modules' addresses the
# plan gave, and a ramdisk of exactly the initrd's size.
t_xen_aarch64() {
	local name=xen-aarch64 rd=$WORK/initrd-aarch64.img
	local xargs="console=dtuart dom0_mem=512M"
	local dargs="console=hvc0 earlycon=xenboot panic=-1 efikexec.token=$RANDOM"
	# one command: efikexec-vm, the machine at EL2 without ACPI
	vm_run "$name" 0 --memory 2G --timeout 400 --xen "$ASSETS/xen/xen-4.17-arm64" \
		--module "$(kernel_path aarch64 6.1)=$dargs" --module "$rd" -- "$xargs" || { tail_log "$name"; return 1; }
	local k r
	k=$(clean_log "$name" | sed -n 's/^efikexec: info: plan: segment [0-9]* initrd *\[0x0*\([0-9a-f]*\),.*/\1/p')
	[ -n "$k" ] || { echo "no modules segment in the plan"; tail_log "$name"; return 1; }
	expect_grep "$name" \
		'^efikexec: info: image: \\xen: arm64 Image, ' \
		"^\\(XEN\\) Loading d0 kernel from boot module @ 0*$k\$" \
		'^\(XEN\) Loading ramdisk from boot module @ [0-9a-f]+$' \
		"^EFIKEXEC-KERNEL: $(kernel_version_re aarch64 6.1) "
	expect_line "$name" "EFIKEXEC-CMDLINE: $dargs" 'EFIKEXEC-HYPERVISOR: xen' 'EFIKEXEC-INIT: done'
	grep -q "^efikexec-vm: dom0 powered off and Xen halted the machine;" "$LOGDIR/$name.vm" ||
		{ tail -n 3 "$LOGDIR/$name.vm"; return 1; }
	r=$(clean_log "$name" | sed -n 's/^(XEN) Loading d0 initrd from [0-9a-f]* to 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)$/\1 \2/p')
	set -- $r
	[ "$((16#$2 - 16#$1))" = "$(stat -c %s "$rd")" ] ||
		{ echo "Xen's dom0 initrd [$1, $2) is not the $(stat -c %s "$rd") bytes of the initrd"; return 1; }
}

# Xen on arm64 is an EFI application too (Debian's `xen` is a PE file with
# an Image header): started by efikexec's boot stage from an `efi` entry,
# it reads xen.cfg beside it, loads dom0's kernel and ramdisk itself and
# boots it with the firmware's device tree (AAVMF with acpi=off: Debian's
# arm64 Xen 4.17 is built without ACPI, so AAVMF's ACPI tables are
# nothing it can use - no "acpi" string in the binary).
t_xen_efi_aarch64() {
	local name=xen-efi-aarch64 esp
	esp=$(xen_esp aarch64 "$name" "$ASSETS/xen/xen-4.17-arm64" xen.efi Image)
	local dargs="console=hvc0 earlycon=xenboot panic=-1 efikexec.token=$RANDOM"
	mkdir -p "$esp/EFI/BOOT" "$esp/loader/entries"
	cp "$esp/efikexec.efi" "$esp/EFI/BOOT/BOOTAA64.EFI"
	printf 'timeout 0\n' >"$esp/loader/loader.conf"
	printf 'title Xen\nefi /xen.efi\n' >"$esp/loader/entries/xen.conf"
	printf '[global]\ndefault=xen\n\n[xen]\noptions=console=dtuart dom0_mem=512M\nkernel=Image %s\nramdisk=initrd.img\n' \
		"$dargs" >"$esp/xen.cfg"
	QEMU_MACHINE=virt,acpi=off,virtualization=on QEMU_READY="boot stage" QEMU_DONE="EFIKEXEC-INIT: done" \
		qemu_boot aarch64 "$name" "$esp" 2G 400 ||
		{ echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_grep "$name" '^efikexec: info: stage: booting Xen \(xen\.conf\)$' \
		'^Xen 4\.17\.[0-9]+ .*EFI loader$' "^Using configuration file 'xen\\.cfg'\$" \
		'^\(XEN\) Xen version 4\.17' '^\(XEN\) Loading d0 initrd from ' \
		"^EFIKEXEC-KERNEL: $(kernel_version_re aarch64 6.1) "
	expect_line "$name" "EFIKEXEC-CMDLINE: $dargs" 'EFIKEXEC-HYPERVISOR: xen' 'EFIKEXEC-INIT: done'
}
