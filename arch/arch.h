/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * arch.h - the one contract between efi/ and the architecture code. Each
 * of arch/x86_64/ and arch/aarch64/ implements all of it; nothing outside
 * arch/ tests which architecture it is built for.
 *
 * The order the engine calls it in, after the loader table (boot/loader.h)
 * found the kernel and efi/ gathered the firmware's facts (bp->fw):
 *   bp->arch->inputs    what only the architecture checks of the inputs
 *                       (aarch64: the device tree to start from)
 *   ->params_size       bytes of the hand-off segment (boot_params / DTB)
 *   arch_avoid          memory destinations must keep clear of
 *   ->control_pages     control pages the trampoline needs
 *   arch_prepare        before ExitBootServices: hand-off data that does not
 *                       depend on the final memory map, page tables, the
 *                       trampoline in the control pages
 *   arch_finish         after ExitBootServices, from the final memory map
 *   arch_enter          relocate, purgatory, kernel: never returns
 * arch/ makes no firmware call at all and includes nothing from efi/:
 * everything it needs of the firmware is in the plan (boot/plan.h). After
 * ExitBootServices it reports only through arch_serial_write() and
 * arch_halt().
 */
#ifndef EFIKEXEC_ARCH_H
#define EFIKEXEC_ARCH_H

#include "../boot/plan.h"

/* What planning needs of an architecture: plain code (arch/<arch>/plan.c),
 * built for the host too, where efikexec-plan plans for either. */
struct arch_plan_ops {
	enum ld_machine machine;        /* the kernels it enters */
	const char *name;
	/* After the loader table filled bp->k and efi/ chose bp->dtb: checks
	 * what only this architecture knows. Errors name the file and value. */
	rt_status (*inputs)(struct boot_plan *bp);
	/* Bytes the hand-off segment needs, for a command line of
	 * bp->cmdline_len and a final memory map of at most bp->mm_room bytes. */
	uint64_t (*params_size)(const struct boot_plan *bp);
	uint64_t (*control_pages)(const struct boot_plan *bp);
};
extern const struct arch_plan_ops arch_plan_x86_64, arch_plan_aarch64;
/* This build's (the firmware applications'). */
#if defined(__x86_64__)
#define ARCH_PLAN (&arch_plan_x86_64)
#elif defined(__aarch64__)
#define ARCH_PLAN (&arch_plan_aarch64)
#endif
/* Whether paging has five levels now (x86 CR4.LA57; false elsewhere). */
bool arch_la57(void);
/* Memory no destination may cover, because the relocation still runs on
 * it (aarch64: the firmware's page tables, efikexec's own image): fills
 * out[] (room for `max`), returns how many; more than max is an error the
 * caller reports. */
size_t arch_avoid(const struct boot_plan *bp, struct mem_span *out, size_t max);
rt_status arch_prepare(struct boot_plan *bp);
/* Completes the hand-off data (bp->params_shadow) from the final memory
 * map in bp->mm. No firmware calls; failures report on the serial port. */
rt_status arch_finish(struct boot_plan *bp);
__attribute__((noreturn)) void arch_enter(struct boot_plan *bp);
/*
 * A payload entered with the firmware's boot services still running (a
 * Multiboot2 image with an EFI amd64 entry, boot/multiboot2.h mb2_efi64):
 * arch_firmware_info writes its hand-off data into bp->params_shadow from
 * `map`, the memory map as it is now; arch_firmware_enter enters it from
 * C on the firmware's page tables and stack, and returns only if the
 * payload does. Where no such payload exists they return RT_ENOTSUP.
 */
rt_status arch_firmware_info(struct boot_plan *bp, const struct memmap *map, size_t *len);
rt_status arch_firmware_enter(struct boot_plan *bp, uint64_t info);
/* Forgets what ->inputs/arch_prepare kept (a boot that fails before
 * the exit). */
void arch_release(struct boot_plan *bp);

/* Crash capture. The window a default capture region is chosen in, away
 * from what this platform's firmware rewrites on a warm reset; while a
 * region is armed the main kernel is loaded at or above `lo` too. */
void arch_capture_window(const struct memmap *m, uint64_t *lo, uint64_t *hi);
/* What this platform's firmware rewrites on a warm reset at fixed places,
 * as measured (efi/capture.c adds the firmware's top zone): while a region
 * is armed the main kernel gets none of it. Fills out[] (room for max),
 * returns how many. */
size_t arch_capture_rewritten(const struct memmap *m, struct mem_span *out, size_t max);
/* The ELF machine of a dump of this architecture. */
uint16_t arch_elf_machine(void);
/* p_vaddr - p_paddr of the crashed kernel's linear map, from its VMCOREINFO
 * note and, where needed, its page tables in `ram`; false: not found. */
bool arch_dump_vaddr(const void *note, size_t len, const struct mem_span *ram, size_t nram,
		     uint64_t *delta);

/* Once, at start: CPU features the runtime may use (aarch64: the SHA2
 * instructions for lib/sha256.c), what prebuilt libraries expect of the
 * CPU (x86_64: a stack canary at %fs:0x28). arch_fini undoes it before
 * efikexec returns to its caller. */
void arch_init(void);
void arch_fini(void);

/* Where purgatory reports (x86: I/O port; arm64: UART MMIO base), 0: none. */
uint64_t arch_uart(const struct boot_plan *bp);
/* The purgatory blob for this architecture. */
extern const uint8_t purgatory_blob[] __attribute__((visibility("hidden")));
extern const uint8_t purgatory_blob_end[] __attribute__((visibility("hidden")));

/* Polled output on the platform's serial port; usable after ExitBootServices. */
void arch_serial_write(const char *s);
__attribute__((noreturn)) void arch_halt(void);

#endif
