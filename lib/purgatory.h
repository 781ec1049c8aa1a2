/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * purgatory.h - the contract between efikexec and its purgatory, the small
 * position-independent program that runs after relocation, at its final
 * address, before the kernel: it checks the SHA-256 of every segment and
 * then enters the kernel with the boot protocol's registers.
 *
 * The blob starts with struct purgatory_header, which says where the entry
 * point and the parameter block are; efikexec fills the parameter block in
 * the loaded copy. The offsets the assembly uses are pinned with
 * _Static_assert below (PURG_OFF_*).
 *
 * The purgatory's own segment is not among the checked regions: it holds
 * the digests, so it cannot hold its own (the kernel's kexec_file excludes
 * its purgatory the same way).
 */
#ifndef EFIKEXEC_PURGATORY_H
#define EFIKEXEC_PURGATORY_H

#define PURGATORY_MAGIC 0x3147525550454b45 /* "EKEPURG1" little-endian */
#define PURGATORY_MAX_REGIONS 16

/* Offsets used from assembly. */
#define PURG_OFF_ENTRY 0x08       /* params: kernel entry */
#define PURG_OFF_ARG0 0x10        /* params: boot_params (x86) / DTB (arm64) */
#define PURG_OFF_FLAGS 0x24       /* params: PURGATORY_F_* */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct purgatory_header {
	uint64_t magic;          /* PURGATORY_MAGIC */
	uint32_t entry;          /* offset of the entry point */
	uint32_t params;         /* offset of struct purgatory_params */
	uint32_t memsz;          /* bytes the blob needs loaded (file + bss + stack) */
	uint32_t filesz;         /* bytes of the blob file */
};

struct purgatory_region {
	uint64_t mem, len;
	uint8_t digest[32];      /* SHA-256, or XXH64 (seed 0) in the first 8 bytes, little-endian */
};

struct purgatory_params {
	uint64_t magic;          /* PURGATORY_MAGIC once filled */
	uint64_t entry;          /* kernel entry point (physical) */
	uint64_t arg0;           /* x86: boot_params (RSI); arm64: DTB (x0) */
	uint64_t uart;           /* x86: I/O port (0x3f8); arm64: PL011 MMIO base; 0: none */
	uint32_t nr_regions;
	uint32_t flags;          /* PURGATORY_F_* */
	struct purgatory_region region[PURGATORY_MAX_REGIONS];
	/* Written by the relocation trampoline after its copy, when it can:
	 * the counter before and after it (arm64: CNTVCT_EL0). */
	uint64_t reloc_ticks[2];
	uint64_t reloc_pages;    /* pages the trampoline copies */
	/* x86 Multiboot2: the BIOS data purgatory makes after its check, for
	 * payloads that look for ACPI the BIOS way (boot/place.c choose_ebda):
	 * the RSDP copied to `ebda`, ebda >> 4 into the BDA's EBDA segment
	 * word (0x40E), ebda >> 10 into its base memory KiB (0x413). */
	uint64_t ebda;           /* 0: none */
	uint32_t rsdp_len;
	uint8_t rsdp[64];
};

#define PURGATORY_F_VERIFY 1u   /* check the digests (off: --no-verify) */
#define PURGATORY_F_VERBOSE 2u  /* say on the UART that the check passed */
#define PURGATORY_F_SHA256 4u   /* the digests are SHA-256 (else XXH64) */
#define PURGATORY_F_CHECKED 8u  /* arm64: checked already, MMU and caches on (arch/aarch64/check.c) */
#define PURGATORY_F_MULTIBOOT2 16u /* x86: enter in 32-bit protected mode, paging off,
				    * EAX = 0x36D76289, EBX = arg0 (Multiboot2 3.3) */

_Static_assert(__builtin_offsetof(struct purgatory_params, entry) == PURG_OFF_ENTRY, "entry");
_Static_assert(__builtin_offsetof(struct purgatory_params, arg0) == PURG_OFF_ARG0, "arg0");
_Static_assert(__builtin_offsetof(struct purgatory_params, flags) == PURG_OFF_FLAGS, "flags");
_Static_assert(sizeof(struct purgatory_header) == 24, "header");

/* Arch hooks the purgatory's C part calls (purgatory/<arch>.c). */
void purgatory_putc(uint64_t uart, char c);
/* The frequency of the counter reloc_ticks are in; 0: no timing. */
uint64_t purgatory_counter_hz(void);
void purgatory_halt(void) __attribute__((noreturn));
/* CPU features purgatory may use (aarch64: the SHA2 instructions). */
void purgatory_arch_init(void);
/* After the check, before the kernel (x86: the Multiboot2 BIOS data). */
void purgatory_arch_exit(const struct purgatory_params *p);
/* The C part: returns when the kernel may be entered; halts otherwise. */
void purgatory_main(void);
extern struct purgatory_params purgatory_params;
#endif

#endif
