# SPDX-License-Identifier: BSD-2-Clause-Patent
# efikexec - load and enter a Linux kernel from UEFI firmware, the kexec way.
#
#   make            build build/x86_64/efikexec.efi and build/aarch64/efikexec.efi
#   make demo       build, fetch a Debian kernel, boot it in QEMU, show its console
#   make capture-demo  arm a capture kernel, crash the main one, read the dump
#   make check      unit tests and QEMU boot tests
#   make check-quick  the host tests, a short fuzz, one boot per arch
#   make check-fresh  the two commands above in a clean Debian 12 root (mmdebstrap)
#   make unit       host unit tests of lib/ (ASan + UBSan)
#   make unit-api   the public API's edges on the host, against a fake firmware
#   make qemu-test  boot tests under QEMU (TCG)
#   make fuzz       longer fuzzing runs
#   make bench      benchmarks of the kimage model
#   make bench-boot boot time against the EFI stub, systemd-boot and GRUB (both arches)
#   make soak       the boot tests round-robin SOAK_ROUNDS times, the logs of failures kept
#   make soak-tpm   many boots of one kernel with and without a TPM, efikexec and the EFI stub
#   make install    the public header and both archives, under PREFIX
#   make deb        the Debian packages efikexec and libefikexec-dev, amd64 and arm64
#   make examples   the example loaders, built against `make install`'s output
#   make deps       install Debian packages and fetch test assets (idempotent)

# the version is the public header's
VERSION := $(shell sed -n 's/^\#define EFIKEXEC_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/efikexec.h | paste -sd.)
BUILD   := build
SYSROOT_ARM64 := $(BUILD)/sysroot-arm64
ARCHES  := x86_64 aarch64

.DEFAULT_GOAL := all
# V=1 shows every command
Q := $(if $(V),,@)
.DELETE_ON_ERROR:
.PHONY: all testhooks deps tools demo capture-demo check check-quick check-fresh check-build check-build-all unit qemu-test fuzz fuzz-smoke bench bench-boot bench-net soak soak-tpm clean \
	install examples header-test unit-api dist dist-build deb tools-test

# --- sources ------------------------------------------------------------------
# The house: app/ is efikexec.efi (the shell dialect, the boot stage, the
# menu, config parsing), a client of include/efikexec.h and lib/ helpers
# only; efi/ is the library's firmware layer; boot/ the image formats and
# placement, arch/<arch>/ what each architecture adds, lib/ the freestanding
# runtime, the kimage model and what purgatory shares; tools/ the host
# programs (efikexec-plan). lib/, boot/, arch/ and app/'s parsers are plain
# code, also built for the host tests.
LIB_SRCS := lib/string.c lib/fmt.c lib/log.c lib/stack_chk.c lib/cmdline.c lib/path.c lib/osrel.c \
            lib/sha256.c lib/memmap.c lib/kimage.c lib/capture.c lib/heap.c lib/status.c lib/trust.c lib/xxh64.c lib/cpio.c \
            lib/url.c lib/tlsca.c
# boot/: the loader table (every format, on both arches: an image for the
# other architecture is named and refused), decompression
BOOT_SRCS := boot/pe.c boot/loader.c boot/bzimage.c boot/arm64.c boot/uki.c boot/uki-sections.c boot/elf.c boot/zboot.c \
             boot/stream.c boot/stream-blocks.c boot/bunzip2.c boot/place.c boot/multiboot2.c
# efi/: what talks to firmware, and the public API over it (efi/api.c)
EFI_SRCS := efi/api.c efi/api-tools.c efi/api-files.c efi/faults.c efi/console.c efi/file.c efi/status.c \
            efi/memmap.c efi/platform.c efi/selftest.c efi/kexec.c efi/tables.c efi/capture.c efi/trust.c \
            efi/ukistub.c efi/net.c efi/net-nic.c efi/net-http.c efi/net-tftp.c
# libefikexec.a: all of the above; every global but efikexec_* hidden
LIBRARY_SRCS := $(LIB_SRCS) $(BOOT_SRCS) $(EFI_SRCS)
# efikexec.efi (app/): a client of include/efikexec.h, with its own
# copy of the string functions, printer, log and command-line splitter
FRONT_SRCS := app/main.c app/options.c app/stage.c app/stage-vars.c app/stage-files.c app/stage-entries.c app/stage-boot.c app/menu.c lib/bls.c lib/bli.c lib/gpt.c lib/cmdline.c lib/osrel.c \
              lib/string.c lib/fmt.c lib/log.c lib/url.c
# boot/ and arch/<arch>/: what each architecture adds (C and assembly)
x86_64_SRCS  := arch/x86_64/handoff.c arch/x86_64/plan.c arch/x86_64/pagetable.c
x86_64_ASM   := arch/x86_64/relocate.asm arch/x86_64/purgatory-blob.asm arch/x86_64/sha256-ni.asm
aarch64_SRCS := boot/dtb.c arch/aarch64/handoff.c arch/aarch64/plan.c arch/aarch64/check.c
aarch64_ASM  := arch/aarch64/relocate.S arch/aarch64/purgatory-blob.S arch/aarch64/sha256-ce.S
# purgatory/: its own freestanding blob per architecture
PURGATORY_SRCS := purgatory/purgatory.c lib/sha256.c lib/xxh64.c lib/string.c
x86_64_PURGATORY_SRCS := purgatory/x86_64.c
x86_64_PURGATORY_ASM  := purgatory/entry-x86_64.asm arch/x86_64/sha256-ni.asm
aarch64_PURGATORY_SRCS := purgatory/aarch64.c
aarch64_PURGATORY_ASM  := purgatory/entry-aarch64.S arch/aarch64/sha256-ce.S

# --- flags shared by both firmware builds ---------------------------------------
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
EFI_CFLAGS := -std=gnu11 $(WARN) -O2 -g -DEFIKEXEC_VERSION='"$(VERSION)"'
# no libc: lib/ provides the string functions and the printer
EFI_CFLAGS += -ffreestanding
# GNU-EFI links a shared object that relocates itself at start-up
EFI_CFLAGS += -fpic
# CHAR16 strings are 16 bits wide
EFI_CFLAGS += -fshort-wchar
# no TLS canary in firmware (lib/stack_chk.c serves the prebuilt libfdt)
EFI_CFLAGS += -fno-stack-protector
# no .eh_frame: nothing unwinds
EFI_CFLAGS += -fno-asynchronous-unwind-tables
# firmware tables are read through casts
EFI_CFLAGS += -fno-strict-aliasing

EFI_LDFLAGS := -nostdlib -shared -Bsymbolic
# keep .rela.* apart, as GNU-EFI's _relocate expects
EFI_LDFLAGS += -znocombreloc
# an EFI image has no dynamic linker to resolve anything later
EFI_LDFLAGS += --no-undefined
# GNU-EFI's linker script makes one RWX load segment by design
EFI_LDFLAGS += --no-warn-rwx-segments

# x86_64: GNU-EFI from the installed gnu-efi package.
x86_64_CC      := gcc
x86_64_LD      := ld
x86_64_OBJCOPY := objcopy
x86_64_NM      := nm
x86_64_PREFIX  :=
x86_64_EFIINC  := /usr/include/efi
x86_64_EFILIB  := /usr/lib
# EFI does not promise a red zone: an interrupt handler may clobber it
x86_64_CFLAGS  := -mno-red-zone
# no SSE/x87 code: that state belongs to the firmware
x86_64_CFLAGS  += -mgeneral-regs-only
# firmware function pointers are ms_abi; call them directly
x86_64_CFLAGS  += -DGNU_EFI_USE_MS_ABI
# Debian's zlib, libzstd, liblzma, liblz4 and liblzo2 (only the objects
# inflate and decompression pull in); they read the stack canary at
# %fs:0x28 (arch_init sets FS)
x86_64_LIBS    := /usr/lib/x86_64-linux-gnu/libz.a /usr/lib/x86_64-linux-gnu/libzstd.a \
	/usr/lib/x86_64-linux-gnu/liblzma.a /usr/lib/x86_64-linux-gnu/liblz4.a /usr/lib/x86_64-linux-gnu/liblzo2.a
x86_64_LDFLAGS :=
# objcopy writes the PE header
x86_64_PE      := --target efi-app-x86_64 --subsystem=10

# aarch64: GNU-EFI and libfdt from the arm64 packages, unpacked under build/.
aarch64_CC      := aarch64-linux-gnu-gcc
aarch64_LD      := aarch64-linux-gnu-ld
aarch64_OBJCOPY := aarch64-linux-gnu-objcopy
aarch64_NM      := aarch64-linux-gnu-nm
aarch64_PREFIX  := aarch64-linux-gnu-
aarch64_EFIINC  := $(SYSROOT_ARM64)/usr/include/efi
aarch64_EFILIB  := $(SYSROOT_ARM64)/usr/lib
# no FP/SIMD code in firmware context
aarch64_CFLAGS  := -mgeneral-regs-only -I$(SYSROOT_ARM64)/usr/include
# libfdt whole: every symbol it references must resolve against lib/ now,
# not when a later change first calls into the part that needs it
aarch64_LIBS    := --whole-archive $(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu/libfdt.a --no-whole-archive \
	$(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu/libz.a $(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu/libzstd.a \
	$(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu/liblzma.a $(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu/liblz4.a \
	$(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu/liblzo2.a
# GNU-EFI's aarch64 crt0 reads the PE subsystem from this symbol (10: EFI application)
aarch64_LDFLAGS := --defsym=EFI_SUBSYSTEM=0xa
# GNU-EFI's aarch64 crt0 carries a hand-made PE header: copy the sections raw
aarch64_PE      := -O binary

# x86_64 adds .sbat (app/main.c), which shim requires of a second stage
x86_64_SECTIONS := -j .sbat
# Sections an EFI application is made of (GNU-EFI's apps/Makefile).
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
	-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc

# the test builds (--test-occupy, --test-corrupt), see ARCH_RULES below
TESTHOOKS := $(BUILD)/x86_64-testhooks/efikexec.efi $(BUILD)/aarch64-testhooks/efikexec.efi
LIBS := $(foreach a,$(ARCHES),$(BUILD)/$(a)/libefikexec.a)
all: $(foreach a,$(ARCHES),$(BUILD)/$(a)/efikexec.efi) $(TESTHOOKS) $(LIBS) $(BUILD)/host/efikexec-plan \
	$(BUILD)/host/efikexec-install

# --- the tools: one step before every other rule -----------------------------------
# scripts/deps.sh --tools installs every package a rule or a test runs (the
# compilers, nasm, the arm64 cross toolchain, mtools, sbsigntool,
# dpkg-buildpackage, lintian, mmdebstrap, QEMU, swtpm, python3...) and
# unpacks the arm64 sysroot. It runs as the remaking of an included
# makefile: GNU make remakes those before it considers any goal, and
# restarts, so whatever -j is, no rule runs before the tools are there and
# no rule has to name them. NO_DEPS=1 (the package build, debian/rules)
# skips it: a package build installs nothing.
TOOLS_DONE := $(BUILD)/.tools.mk
ifeq ($(NO_DEPS)$(filter clean deps tools,$(MAKECMDGOALS)),)
$(TOOLS_DONE): scripts/deps.sh
	@mkdir -p $(@D)
	scripts/deps.sh --tools $(BUILD)
	@echo '# scripts/deps.sh --tools has run for this build tree' >$@
include $(TOOLS_DONE)
endif
tools:
	scripts/deps.sh --tools $(BUILD)
	@echo '# scripts/deps.sh --tools has run for this build tree' >$(TOOLS_DONE)

deps:
	scripts/deps.sh $(BUILD)
# what the boot tests need (scripts/deps.sh fetches all of it); set before
# any rule names it, since a rule's prerequisites are expanded as it is read
ASSETS_STAMP := $(BUILD)/assets/vmlinuz-6.12-arm64 $(BUILD)/assets/modules-6.1-arm64/.done \
	$(BUILD)/assets/vmlinuz-6.12-cloud-amd64
# the Multiboot2 test payload (its rule is with the boot tests)
MB2_PAYLOAD := $(BUILD)/tests/mb2-payload.elf

# --- purgatory ------------------------------------------------------------------
# Position independent by construction: -fpie, hidden symbols, no absolute
# relocation allowed in any object (scripts/check-purgatory.sh), linked at 0.
PURG_CFLAGS := -std=gnu11 $(WARN) -O2 -ffreestanding -fpie -fvisibility=hidden \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-DEFIKEXEC_PURGATORY
x86_64_PURG_CFLAGS := -mno-red-zone -mgeneral-regs-only -fcf-protection=none
# purgatory runs with the MMU off: memory is Device, no unaligned access
aarch64_PURG_CFLAGS := -mgeneral-regs-only -mstrict-align

# PURG_RULES arch: build/<arch>/purgatory.bin
define PURG_RULES
$(1)_PURG_OBJS := $$(patsubst %.c,$(BUILD)/$(1)/purgatory/%.o,$$(PURGATORY_SRCS) $$($(1)_PURGATORY_SRCS)) \
	$$(patsubst %.asm,$(BUILD)/$(1)/purgatory/%.o,$$(filter %.asm,$$($(1)_PURGATORY_ASM))) \
	$$(patsubst %.S,$(BUILD)/$(1)/purgatory/%.o,$$(filter %.S,$$($(1)_PURGATORY_ASM)))

$(BUILD)/$(1)/purgatory/%.o: %.c Makefile
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC [purgatory $(1)] $$<")
	$(Q)$$($(1)_CC) $$(PURG_CFLAGS) $$($(1)_PURG_CFLAGS) -MMD -MP -c $$< -o $$@
$(BUILD)/$(1)/purgatory/%.o: %.S Makefile
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  AS [purgatory $(1)] $$<")
	$(Q)$$($(1)_CC) $$(PURG_CFLAGS) $$($(1)_PURG_CFLAGS) -Ipurgatory -MMD -MP -c $$< -o $$@
$(BUILD)/$(1)/purgatory/%.o: %.asm purgatory/purgatory-asm.inc arch/x86_64/segments.inc Makefile
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  AS [purgatory $(1)] $$<")
	$(Q)nasm -f elf64 -I. $$< -o $$@
$(BUILD)/$(1)/purgatory.bin: $$($(1)_PURG_OBJS) linker/purgatory-$(1).lds scripts/check-purgatory.sh
	@$(if $(Q),echo "  LD [purgatory $(1)] $$@")
	$(Q)scripts/check-purgatory.sh $(1) $$($(1)_PURG_OBJS)
	$(Q)$$($(1)_LD) -nostdlib -static --no-dynamic-linker -z noexecstack --no-warn-rwx-segments \
		-T linker/purgatory-$(1).lds $$($(1)_PURG_OBJS) -o $$(@:.bin=.elf)
	$(Q)$$($(1)_OBJCOPY) -O binary $$(@:.bin=.elf) $$@
-include $$($(1)_PURG_OBJS:.o=.d)
endef
$(foreach a,$(ARCHES),$(eval $(call PURG_RULES,$(a))))

# --- per-architecture rules ------------------------------------------------------
# ARCH_RULES arch, output folder, extra CFLAGS: one EFI application.
define ARCH_RULES
$(2)_OBJS := $$(patsubst %.c,$(BUILD)/$(2)/%.o,$$(LIBRARY_SRCS) $$($(1)_SRCS)) \
	$$(patsubst %.asm,$(BUILD)/$(2)/%.o,$$(filter %.asm,$$($(1)_ASM))) \
	$$(patsubst %.S,$(BUILD)/$(2)/%.o,$$(filter %.S,$$($(1)_ASM)))
$(2)_FRONT_OBJS := $$(patsubst %.c,$(BUILD)/$(2)/front/%.o,$$(FRONT_SRCS))

$(BUILD)/$(2)/%.o: %.c Makefile
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC [$(2)] $$<")
	$(Q)$$($(1)_CC) $$(EFI_CFLAGS) $$($(1)_CFLAGS) $(3) -I$$($(1)_EFIINC) -I$$($(1)_EFIINC)/$(1) \
		-I$$($(1)_EFIINC)/protocol -MMD -MP -c $$< -o $$@

$(BUILD)/$(2)/%.o: %.asm Makefile $(BUILD)/$(1)/purgatory.bin arch/x86_64/handoff.inc arch/x86_64/segments.inc
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  AS [$(2)] $$<")
	$(Q)nasm -f elf64 -I. -DPURGATORY_BIN='"$(BUILD)/$(1)/purgatory.bin"' $$< -o $$@

$(BUILD)/$(2)/%.o: %.S Makefile $(BUILD)/$(1)/purgatory.bin
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  AS [$(2)] $$<")
	$(Q)$$($(1)_CC) -I. -DPURGATORY_BIN='"$(BUILD)/$(1)/purgatory.bin"' -MMD -MP -c $$< -o $$@

# string.c must not have its loops turned back into calls to itself.
$(BUILD)/$(2)/lib/string.o $(BUILD)/$(2)/front/lib/string.o: $(1)_CFLAGS += -fno-tree-loop-distribute-patterns

# The library: one relocatable object of everything it is made of (the
# prebuilt libraries' objects it uses included), every global symbol but
# the public ones made local, in an archive. scripts/check-lib.sh fails
# the build when anything unprefixed is still global or undefined.
$(BUILD)/$(2)/libefikexec.a: $$($(2)_OBJS) scripts/make-lib.sh scripts/check-lib.sh
	@$(if $(Q),echo "  AR [$(2)] $$@")
	$(Q)scripts/make-lib.sh "$$($(1)_PREFIX)" $$@ $$($(2)_OBJS) $$($(1)_LIBS)

# The front end: its own objects, then the library, as any client links.
$(BUILD)/$(2)/front/%.o: %.c Makefile
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC [$(2) front end] $$<")
	$(Q)$$($(1)_CC) $$(EFI_CFLAGS) $$($(1)_CFLAGS) $(3) -I$$($(1)_EFIINC) -I$$($(1)_EFIINC)/$(1) \
		-I$$($(1)_EFIINC)/protocol -MMD -MP -c $$< -o $$@

$(BUILD)/$(2)/efikexec.so: $$($(2)_FRONT_OBJS) $(BUILD)/$(2)/libefikexec.a
	@$(if $(Q),echo "  LD [$(2)] $$@")
	$(Q)$$($(1)_LD) $$(EFI_LDFLAGS) $$($(1)_LDFLAGS) -T $$($(1)_EFILIB)/elf_$(1)_efi.lds \
		$$($(1)_EFILIB)/crt0-efi-$(1).o $$^ $$($(1)_EFILIB)/libgnuefi.a -o $$@

$(BUILD)/$(2)/efikexec.efi: $(BUILD)/$(2)/efikexec.so scripts/check-efi.sh
	@$(if $(Q),echo "  EFI [$(2)] $$@")
	$(Q)$$($(1)_OBJCOPY) $$(EFI_SECTIONS) $$($(1)_SECTIONS) $$($(1)_PE) $$< $$@
	$(Q)scripts/check-efi.sh $$< $$@ $(1) $$($(1)_NM)

-include $$($(2)_OBJS:.o=.d) $$($(2)_FRONT_OBJS:.o=.d)
endef
$(foreach a,$(ARCHES),$(eval $(call ARCH_RULES,$(a),$(a),)))
# The test build: --test-corrupt=N flips one byte of a segment after its
# digest was taken (tests/qemu checks that purgatory catches it).
$(eval $(call ARCH_RULES,x86_64,x86_64-testhooks,-DEFIKEXEC_TEST_HOOKS))
$(eval $(call ARCH_RULES,aarch64,aarch64-testhooks,-DEFIKEXEC_TEST_HOOKS))
testhooks: $(TESTHOOKS)

# --- the library for other programs -------------------------------------------------
# install: what a program embedding efikexec needs, and nothing else
PREFIX ?= $(BUILD)/install
# the man pages (docs/*.N) under share/man/manN
MANPAGES := $(wildcard docs/*.[1-9])
INSTALLED := $(PREFIX)/include/efikexec.h $(foreach a,$(ARCHES),$(PREFIX)/lib/$(a)/libefikexec.a) \
	$(foreach m,$(MANPAGES),$(PREFIX)/share/man/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
$(PREFIX)/include/efikexec.h: include/efikexec.h
	@mkdir -p $(@D)
	cp $< $@
$(PREFIX)/lib/%/libefikexec.a: $(BUILD)/%/libefikexec.a
	@mkdir -p $(@D)
	cp $< $@
define MAN_RULE
$(PREFIX)/share/man/man$(subst .,,$(suffix $(1)))/$(notdir $(1)): $(1)
	@mkdir -p $$(@D)
	cp $$< $$@
endef
$(foreach m,$(MANPAGES),$(eval $(call MAN_RULE,$(m))))
install: $(INSTALLED)

# --- what the Debian packages hold (debian/rules): one architecture's files --------------
# `make dist DIST_ARCH=x86_64|aarch64 DESTDIR=DIR`: the application as
# /usr/lib/efikexec/efikexec<x64|aa64>.efi, the host programs built for
# that architecture (CC, CPPFLAGS, CFLAGS, LDFLAGS from dpkg-buildflags;
# aarch64 cross-built against the cross toolchain's C library and the arm64
# shared libraries unpacked in the sysroot), the header, the archive and
# efikexec.pc, the man
# pages, the kernel hooks. The hooks: tools/kernel-hook, one script under
# three names.
DIST_ARCH ?= x86_64
DESTDIR ?= $(BUILD)/dist-root
x86_64_TRIPLET := x86_64-linux-gnu
aarch64_TRIPLET := aarch64-linux-gnu
x86_64_EFINAME := x64
aarch64_EFINAME := aa64
x86_64_TOOL_CC := $(or $(filter-out cc,$(CC)),gcc)
aarch64_TOOL_CC := aarch64-linux-gnu-gcc
x86_64_TOOL_LDFLAGS :=
aarch64_TOOL_LDFLAGS := -L$(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu -L$(SYSROOT_ARM64)/lib/aarch64-linux-gnu \
	-Wl,-rpath-link,$(SYSROOT_ARM64)/usr/lib/aarch64-linux-gnu
x86_64_TOOL_INC :=
aarch64_TOOL_INC := -I$(SYSROOT_ARM64)/usr/include
x86_64_TOOL_LIBS := -lfdt -lz -lzstd -llzma -llz4 -llzo2
# (zlib's and liblzo2's .so are absolute links to /lib, dangling in the
# sysroot: the libraries by their sonames)
aarch64_TOOL_LIBS := -lfdt -l:libz.so.1 -lzstd -l:liblzma.so.5 -llz4 -l:liblzo2.so.2
TOOL_CFLAGS = -std=gnu11 $(WARN) -O2 -g -DRT_HOST_TEST -DEFIKEXEC_VERSION='"$(VERSION)"' $(CPPFLAGS) $(CFLAGS)
DIST := $(BUILD)/dist-$(DIST_ARCH)
$(DIST)/efikexec-install: $(INSTALLER_SRCS) Makefile
	@mkdir -p $(@D)
	$($(DIST_ARCH)_TOOL_CC) $(TOOL_CFLAGS) $(INSTALLER_SRCS) $(LDFLAGS) $($(DIST_ARCH)_TOOL_LDFLAGS) -o $@
$(DIST)/efikexec-plan: $(PLAN_SRCS) $(DIST)/purgatories.o Makefile
	@mkdir -p $(@D)
	$($(DIST_ARCH)_TOOL_CC) $(TOOL_CFLAGS) $($(DIST_ARCH)_TOOL_INC) $(PLAN_SRCS) $(DIST)/purgatories.o \
		$(LDFLAGS) $($(DIST_ARCH)_TOOL_LDFLAGS) $($(DIST_ARCH)_TOOL_LIBS) -o $@
$(DIST)/purgatories.o: $(BUILD)/host/purgatories.o
	$($(DIST_ARCH)_TOOL_CC) -c $(BUILD)/host/purgatories.S -o $@
$(DIST)/efikexec.pc: tools/efikexec.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@TRIPLET@|$($(DIST_ARCH)_TRIPLET)|' $< > $@
DIST_FILES := $(foreach a,$(ARCHES),$(BUILD)/$(a)/efikexec.efi) $(BUILD)/$(DIST_ARCH)/libefikexec.a \
	$(DIST)/efikexec-install $(DIST)/efikexec-plan $(DIST)/efikexec.pc
dist-build: $(DIST_FILES)
VM_MODULES := $(wildcard tools/efikexec_vm/*.py)
dist: $(DIST_FILES) $(MANPAGES) tools/kernel-hook tools/efikexec-vm $(VM_MODULES) include/efikexec.h
	# both applications: this machine's, and the other one efikexec-vm
	# boots the other architecture's kernels with
	for a in $(ARCHES); do install -D -m 0644 $(BUILD)/$$a/efikexec.efi \
		$(DESTDIR)/usr/lib/efikexec/efikexec$$(case $$a in x86_64) echo x64 ;; aarch64) echo aa64 ;; esac).efi; done
	install -D -m 0755 tools/efikexec-vm $(DESTDIR)/usr/bin/efikexec-vm
	for m in $(VM_MODULES); do install -D -m 0644 $$m $(DESTDIR)/usr/lib/efikexec/efikexec_vm/$${m##*/}; done
	install -D -m 0755 $(DIST)/efikexec-install $(DESTDIR)/usr/sbin/efikexec-install
	install -D -m 0755 $(DIST)/efikexec-plan $(DESTDIR)/usr/bin/efikexec-plan
	install -D -m 0644 include/efikexec.h $(DESTDIR)/usr/include/efikexec.h
	install -D -m 0644 $(BUILD)/$(DIST_ARCH)/libefikexec.a $(DESTDIR)/usr/lib/$($(DIST_ARCH)_TRIPLET)/libefikexec.a
	install -D -m 0644 $(DIST)/efikexec.pc $(DESTDIR)/usr/lib/$($(DIST_ARCH)_TRIPLET)/pkgconfig/efikexec.pc
	for m in $(MANPAGES); do install -D -m 0644 $$m $(DESTDIR)/usr/share/man/man$${m##*.}/$${m##*/}; done
	for d in kernel/postinst.d kernel/postrm.d initramfs/post-update.d; do \
		install -D -m 0755 tools/kernel-hook $(DESTDIR)/etc/$$d/zz-efikexec; done

# `make deb`: both packages for amd64 and arm64 (scripts/make-deb.sh: a copy
# of the tree, dpkg-buildpackage -b natively and with -aarm64), in build/deb/
deb:
	scripts/make-deb.sh $(BUILD)

# examples/: built by their own Makefile from the installed files alone
EXAMPLES := $(foreach a,$(ARCHES),$(BUILD)/examples/$(a)/boot-buffer.efi)
$(BUILD)/examples/x86_64/%.efi: examples/%.c examples/Makefile $(INSTALLED)
	$(MAKE) --no-print-directory -C examples ARCH=x86_64 EFIKEXEC=$(abspath $(PREFIX)) \
		GNUEFI=/usr OUT=$(abspath $(@D))
$(BUILD)/examples/aarch64/%.efi: examples/%.c examples/Makefile $(INSTALLED)
	$(MAKE) --no-print-directory -C examples ARCH=aarch64 EFIKEXEC=$(abspath $(PREFIX)) \
		GNUEFI=$(abspath $(SYSROOT_ARM64))/usr OUT=$(abspath $(@D))
examples: $(EXAMPLES)

# the header alone, as C11 and C++ (scripts/check-header.sh)
header-test:
	scripts/check-header.sh

# --- host tests ------------------------------------------------------------------
HOST_CC := gcc
HOST_CFLAGS := -std=gnu11 $(WARN) -O1 -g -Wshadow -DRT_HOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_LIB_SRCS := $(LIB_SRCS) $(BOOT_SRCS) lib/bls.c lib/bli.c lib/gpt.c app/options.c tools/sim.c \
	boot/dtb.c arch/x86_64/pagetable.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(HOST_LIB_SRCS) $(UNIT_SRCS))
# the SHA-NI blocks, checked against the portable code when the host has them
HOST_ASM_OBJS := $(BUILD)/host/arch/x86_64/sha256-ni.o
$(BUILD)/host/%.o: %.asm Makefile
	@mkdir -p $(@D)
	$(Q)nasm -f elf64 -I. $< -o $@

$(BUILD)/host/%.o: %.c Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [host] $<")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
-include $(HOST_OBJS:.o=.d)

$(BUILD)/host/unit: $(HOST_OBJS) $(HOST_ASM_OBJS)
	$(HOST_CC) $(HOST_CFLAGS) $^ -lfdt -lz -lzstd -llzma -llz4 -llzo2 -lbz2 -o $@

unit: $(BUILD)/host/unit
	$(BUILD)/host/unit

unit-api: $(BUILD)/host/unit-api
	$(BUILD)/host/unit-api

# --- the host planner: build/host/efikexec-plan ------------------------------------------
# boot/place.c and both architectures' planning rules on a saved memory map
# (tools/efikexec-plan.c), each purgatory's header built in.
PLAN_SRCS := tools/efikexec-plan.c tools/mapfile.c tools/sim.c $(LIB_SRCS) $(BOOT_SRCS) boot/dtb.c \
	arch/x86_64/plan.c arch/x86_64/pagetable.c arch/aarch64/plan.c
PLAN_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(PLAN_SRCS))
-include $(PLAN_OBJS:.o=.d)
$(BUILD)/host/purgatories.o: $(foreach a,$(ARCHES),$(BUILD)/$(a)/purgatory.bin)
	@mkdir -p $(@D)
	@{ echo '.section .rodata'; for a in $(ARCHES); do \
		echo ".globl _binary_purgatory_$${a}_bin_start, _binary_purgatory_$${a}_bin_end"; \
		echo ".balign 8"; \
		echo "_binary_purgatory_$${a}_bin_start: .incbin \"$(BUILD)/$$a/purgatory.bin\""; \
		echo "_binary_purgatory_$${a}_bin_end:"; done; \
		echo '.section .note.GNU-stack,"",@progbits'; } > $(@:.o=.S)
	$(HOST_CC) -c $(@:.o=.S) -o $@
$(BUILD)/host/efikexec-plan: $(PLAN_OBJS) $(BUILD)/host/purgatories.o
	$(HOST_CC) $(HOST_CFLAGS) $^ -lfdt -lz -lzstd -llzma -llz4 -llzo2 -o $@

# --- the installer: efikexec-install (tools/install/) ---------------------------------
# the ESP, the boot entry, the menu's variables; `list` sorts with lib/bls.c.
# build/host/efikexec-install is the tests' build (ASan, UBSan), the
# packages get build/dist-<arch>/ (below)
INSTALLER_SRCS := $(wildcard tools/install/*.c) lib/bls.c lib/bli.c lib/gpt.c lib/url.c boot/pe.c boot/uki-sections.c lib/cmdline.c lib/string.c lib/fmt.c \
	lib/osrel.c lib/log.c lib/status.c
$(BUILD)/host/tools/install/main.o $(BUILD)/host/tools/install/install.o: HOST_CFLAGS += -DEFIKEXEC_VERSION='"$(VERSION)"'
$(BUILD)/host/efikexec-install: $(patsubst %.c,$(BUILD)/host/%.o,$(INSTALLER_SRCS))
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
-include $(patsubst %.c,$(BUILD)/host/%.d,$(filter tools/install/%,$(INSTALLER_SRCS)))
# the full-disk test's write(2) that fails with ENOSPC (tests/tools/enospc.c)
$(BUILD)/host/enospc.so: tests/tools/enospc.c Makefile
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu11 $(WARN) -O2 -shared -fPIC $< -o $@ -ldl
# lib/cpio.c as a host program, against tests/qemu/ukistub.py's writer
$(BUILD)/host/cpio_pack: $(patsubst %.c,$(BUILD)/host/%.o,tests/tools/cpio_pack.c lib/cpio.c lib/string.c lib/fmt.c lib/log.c lib/status.c)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
# lib/tlsca.c as a host program, against virt-fw-sigdb
$(BUILD)/host/tlsca_pack: $(patsubst %.c,$(BUILD)/host/%.o,tests/tools/tlsca_pack.c lib/tlsca.c lib/string.c lib/fmt.c lib/log.c lib/status.c)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
tools-test: $(BUILD)/host/efikexec-install $(BUILD)/host/enospc.so $(BUILD)/host/cpio_pack $(BUILD)/host/tlsca_pack \
	$(BUILD)/x86_64/efikexec.efi
	tests/tools/test-install.sh $(BUILD)
	tests/tools/test-cpio.sh $(BUILD)
	tests/tools/test-vm.sh $(BUILD)
	tests/tools/test-tlsca.sh $(BUILD)

# --- the API's edges on the host: build/host/unit-api --------------------------------------
# efi/ built for the host against tests/api/fakefw.c (a firmware whose
# services are host functions, and the arch's entering half as a test
# double), ASan and UBSan as the unit tests.
API_EFI_SRCS := efi/api.c efi/api-tools.c efi/api-files.c efi/console.c efi/file.c efi/status.c efi/memmap.c efi/platform.c \
	efi/selftest.c efi/kexec.c efi/tables.c efi/capture.c efi/trust.c efi/ukistub.c efi/net.c efi/net-nic.c efi/net-http.c efi/net-tftp.c tests/api/fakefw.c tests/api/fakefs.c
API_OTHER_SRCS := $(LIB_SRCS) $(BOOT_SRCS) arch/x86_64/plan.c arch/x86_64/pagetable.c \
	tests/api/test_api.c tests/unit/main.c
API_OBJS := $(patsubst %.c,$(BUILD)/host-efi/%.o,$(API_EFI_SRCS)) \
	$(patsubst %.c,$(BUILD)/host/%.o,$(API_OTHER_SRCS))
-include $(API_OBJS:.o=.d)
$(BUILD)/host-efi/%.o: %.c Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [host efi] $<")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -fshort-wchar -DGNU_EFI_USE_MS_ABI -DEFIKEXEC_VERSION='"$(VERSION)"' \
		-I/usr/include/efi -I/usr/include/efi/x86_64 -I/usr/include/efi/protocol -MMD -MP -c $< -o $@
$(BUILD)/host/tests/api/test_api.o: HOST_CFLAGS += -DEFIKEXEC_VERSION_TEST='"$(VERSION)"'
$(BUILD)/host-efi/purgatory.o: $(BUILD)/x86_64/purgatory.bin
	@mkdir -p $(@D)
	@{ echo '.section .rodata'; echo '.globl purgatory_blob, purgatory_blob_end'; echo '.balign 8'; \
		echo 'purgatory_blob: .incbin "$<"'; echo 'purgatory_blob_end:'; \
		echo '.section .note.GNU-stack,"",@progbits'; } > $(@:.o=.S)
	$(HOST_CC) -c $(@:.o=.S) -o $@
$(BUILD)/host/unit-api: $(API_OBJS) $(BUILD)/host-efi/purgatory.o
	$(HOST_CC) $(HOST_CFLAGS) $^ -lz -lzstd -llzma -llz4 -llzo2 -o $@

# --- fuzzing (libFuzzer, clang) ------------------------------------------------------
comma := ,
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -DRT_HOST_TEST -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt
FUZZ_TARGETS := kimage cmdline bzimage dtb capture loader mapfile bls trust multiboot2 install uki url tlsca gpt bunzip2
FUZZ_LIB_SRCS := $(LIB_SRCS) $(BOOT_SRCS) lib/bls.c lib/bli.c lib/gpt.c app/options.c tools/sim.c boot/dtb.c \
	tools/mapfile.c arch/x86_64/plan.c arch/x86_64/pagetable.c arch/aarch64/plan.c
# bounded run in `make check`, a longer one in `make fuzz`
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_SECONDS ?= 300

# The hash functions, built optimised and without instrumentation: every
# load hashes its segments, they are not parsers, and the unit tests check
# them (ASan and UBSan on) against reference values; the SHA-NI blocks are
# installed when the host has them (tests/fuzz/fast_hash.c).
FUZZ_FAST_SRCS := lib/sha256.c lib/xxh64.c tests/fuzz/fast_hash.c
FUZZ_FAST_OBJS := $(patsubst %.c,$(BUILD)/fuzz/fast/%.o,$(FUZZ_FAST_SRCS)) $(BUILD)/host/arch/x86_64/sha256-ni.o
$(BUILD)/fuzz/fast/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -std=gnu11 -O2 -g -DRT_HOST_TEST -c $< -o $@
# The code under test, instrumented once for every target (fuzzer-no-link:
# the coverage and sanitizers, not libFuzzer's main), then each target's own
# file linked with it.
FUZZ_LIB_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(filter-out $(FUZZ_FAST_SRCS),$(FUZZ_LIB_SRCS)))
$(BUILD)/fuzz/obj/%.o: %.c Makefile tests/fuzz/coverage-ignore.txt
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $<")
	$(Q)$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_CFLAGS)) -MMD -MP -c $< -o $@
-include $(FUZZ_LIB_OBJS:.o=.d)
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_FAST_OBJS)
$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS) $(FUZZ_FAST_OBJS) Makefile tests/fuzz/coverage-ignore.txt
	@mkdir -p $(@D) $(BUILD)/fuzz/corpus-$*
	@$(if $(Q),echo "  FUZZ $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_LIB_OBJS) $(FUZZ_FAST_OBJS) -lfdt -lz -lzstd -llzma -llz4 -llzo2 -o $@

# the installer's target builds its files in (tests/fuzz/fuzz_install.c)
$(BUILD)/fuzz/install: $(wildcard tools/install/*.c tools/install/*.h)
fuzz-smoke: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@scripts/fuzz.sh $(BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)
fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@scripts/fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# --- benchmarks (optimised, no sanitizers: they measure) ---------------------------------
BENCH_CFLAGS := -std=gnu11 $(WARN) -O2 -g -DRT_HOST_TEST
$(BUILD)/bench/bench_kimage: bench/bench_kimage.c $(LIB_SRCS) tools/sim.c Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  BENCH $@")
	$(Q)$(HOST_CC) $(BENCH_CFLAGS) $< $(LIB_SRCS) tools/sim.c -o $@

bench: $(BUILD)/bench/bench_kimage
	$(BUILD)/bench/bench_kimage

# boot time against the kernel's EFI stub, systemd-boot and GRUB, both arches
# (bench/boot-time.sh; BENCH_ROUNDS rounds, median of each)
BENCH_ROUNDS ?= 3
bench-boot: all $(ASSETS_STAMP)
	bench/boot-time.sh $(BUILD) $(BENCH_ROUNDS)

# the same 60 MiB fetched over HTTP by efikexec and by the firmware's own
# HTTP boot (LoadFile), both arches (bench/net-fetch.sh)
bench-net: all
	bench/net-fetch.sh $(BUILD) $(BENCH_ROUNDS)

# --- boot tests and demo --------------------------------------------------------------
$(ASSETS_STAMP) &:
	scripts/deps.sh $(BUILD)

# many boots of Debian's 6.12 cloud kernel (tests/qemu/tpm-soak.sh): through
# efikexec with and without a TPM, on q35 and pc, from the shell and as the
# boot stage, and through the kernel's own EFI stub as the control; SOAK_ROUNDS
# rounds of every configuration (SOAK_CONFIGS), two boots at a time
SOAK_ROUNDS ?= 2
SOAK_CONFIGS ?= efikexec:tpm:q35:shell efikexec:tpm:pc:stage:5G efikexec:none:pc:shell:5G \
	efikexec:none:q35:stage stub:tpm:q35:shell stub:none:pc:shell:5G
soak-tpm: all $(ASSETS_STAMP)
	tests/qemu/tpm-soak.sh $(BUILD) $(SOAK_ROUNDS) $(SOAK_CONFIGS)

# the boot tests (all, or SOAK_TESTS) round-robin SOAK_ROUNDS times, two at a
# time, the logs of every failed run kept (tests/qemu/soak.sh)
SOAK_TESTS ?=
soak: all $(ASSETS_STAMP) testhooks $(MB2_PAYLOAD) $(MB2_PAYLOAD_EFI) $(EXAMPLES)
	tests/qemu/soak.sh $(BUILD) $(SOAK_ROUNDS) $(SOAK_TESTS)

# the Multiboot2 test payload (tests/qemu/mb2-payload.c): i386, the host's
# gcc -m32 and ld, no libc
$(MB2_PAYLOAD): tests/qemu/mb2-payload.c tests/qemu/mb2-payload.ld arch/x86_64/io.h Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  PAYLOAD $@")
	$(Q)$(HOST_CC) -m32 -ffreestanding -fPIE -fvisibility=hidden -O2 $(WARN) -fno-stack-protector \
		-fno-asynchronous-unwind-tables -c $< -o $(@:.elf=.o)
	$(Q)ld -m elf_i386 -static -nostdlib -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T tests/qemu/mb2-payload.ld $(@:.elf=.o) -o $@

# ... and its x86_64 build with an EFI amd64 entry (MB2_EFI): entered with
# boot services running
MB2_PAYLOAD_EFI := $(BUILD)/tests/mb2-payload-efi.elf
$(MB2_PAYLOAD_EFI): tests/qemu/mb2-payload.c tests/qemu/mb2-payload.ld arch/x86_64/io.h Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  PAYLOAD $@")
	$(Q)$(HOST_CC) -m64 -DMB2_EFI -ffreestanding -fPIE -fvisibility=hidden -O2 $(WARN) -fno-stack-protector \
		-mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables -c $< -o $(@:.elf=.o)
	$(Q)ld -m elf_x86_64 -static -nostdlib -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T tests/qemu/mb2-payload.ld $(@:.elf=.o) -o $@

qemu-test: all $(ASSETS_STAMP) $(MB2_PAYLOAD) $(MB2_PAYLOAD_EFI)
	tests/qemu/run-all.sh $(BUILD)

demo: all $(ASSETS_STAMP)
	tests/qemu/demo.sh $(BUILD)

capture-demo: all $(ASSETS_STAMP)
	tests/qemu/capture-demo.sh $(BUILD)

# every target is built here, so none rots unseen: the applications and
# the archives (all), the examples, the fuzzers (fuzz-smoke runs them), the
# benchmarks (bench-boot runs one round: every loader must reach the kernel)
# what check builds, two jobs at a time (this machine has two cores); the
# apt-using rules are ordered so two apt-get never run at once
CHECK_BUILD := all $(ASSETS_STAMP) tools $(BUILD)/bench/bench_kimage $(EXAMPLES) $(MB2_PAYLOAD) $(MB2_PAYLOAD_EFI) \
	$(BUILD)/host/unit $(BUILD)/host/unit-api $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
CHECK_BUILD += $(BUILD)/host/efikexec-install $(BUILD)/host/enospc.so $(BUILD)/host/cpio_pack $(BUILD)/host/tlsca_pack
check-build: $(CHECK_BUILD)
# and the Debian packages (the OS boot test installs them)
check-build-all: $(CHECK_BUILD) deb
check:
	$(MAKE) --no-print-directory -j2 check-build-all
	scripts/check.sh $(BUILD)

# the edit-build-test loop: the host tests, 5 s of each fuzz target, one boot
# per arch
check-quick:
	$(MAKE) --no-print-directory -j2 check-build
	scripts/check.sh $(BUILD) --quick

# the README's two commands' first runs on a machine that has nothing yet:
# a clean Debian 12 root (mmdebstrap), a clone of HEAD, `make demo` and
# `make check-build` in a chroot, each timed (scripts/check-fresh.sh;
# CHECK_FRESH=full runs the whole `make check`). Not part of `make check`.
check-fresh:
	scripts/check-fresh.sh $(BUILD)

clean:
	rm -rf $(BUILD)/x86_64 $(BUILD)/x86_64-testhooks $(BUILD)/aarch64 $(BUILD)/aarch64-testhooks $(BUILD)/host $(BUILD)/test-logs $(BUILD)/qemu $(BUILD)/fuzz $(BUILD)/bench \
		$(BUILD)/install $(BUILD)/examples $(BUILD)/host-efi $(BUILD)/deb $(BUILD)/dist-x86_64 $(BUILD)/dist-aarch64 $(BUILD)/dist-root
