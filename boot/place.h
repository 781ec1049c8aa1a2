/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * place.h - one boot's plan from its inputs, as plain code: the loader
 * table's walk, the initrd parts, the command line, the device tree, each
 * segment's destination, the kimage plan, and the plan's lines. The
 * firmware application (efi/kexec.c) and the host planner (tools/efikexec-plan.c,
 * build/host/efikexec-plan) run this same code, so for the same files and
 * the same memory map they print the same segment lines.
 *
 * Order (efi/kexec.c):
 *   the caller opens the inputs: bp->kernel_src, bp->initrd_src[0..
 *   ninitrd_file), and bp->dtb when it was given one
 *   boot_inputs        the kernel through the loader table, the initrd
 *                      parts, the command line, the device tree, the arch
 *   the caller reads the map: bp->map, bp->mm_room, bp->mm.desc_size, and
 *   what must stay intact: bp->avoid[0..navoid)
 *   boot_place         a destination for each segment
 *   boot_plan_image    the kimage: segments, claims, staging, entry list
 *   boot_print_plan    the plan lines
 *   boot_relocate_kernel  a directly entered x86 kernel moved by its KASLR offset
 * Errors are logged with the file, the value and the limit, and end with
 * the UEFI status the front end returns (rt_fail_uefi).
 */
#ifndef EFIKEXEC_PLACE_H
#define EFIKEXEC_PLACE_H

#include "plan.h"

rt_status boot_inputs(struct boot_plan *bp);
/* kmin: the lowest address the kernel may have (0: its own rules);
 * kernel_at: where the kernel (its load_offset included) goes, checked by
 * the caller already (a kernel handed over where it lies); 0: placed here. */
rt_status boot_place(struct boot_plan *bp, const struct purgatory_header *ph, uint64_t kmin,
		     uint64_t kernel_at);
rt_status boot_plan_image(struct boot_plan *bp, const struct purgatory_header *ph,
			  const struct kimage_platform *plat);
/* The device tree to start from (part of boot_inputs): bp->dtb when the
 * caller set it (--dtb), else a UKI's .dtb, else the firmware's. */
rt_status boot_choose_dtb(struct boot_plan *bp);
/* Frees what boot_inputs allocated (the command line, a device tree). */
void boot_inputs_release(struct boot_plan *bp);

/* The kernel's pieces as segments (a capture boot adds the rest itself). */
rt_status boot_add_kernel_segments(struct boot_plan *bp);
rt_status boot_add_segment(struct boot_plan *bp, uint64_t bufsz, uint64_t mem, uint64_t memsz,
			   unsigned *index);

/* What a segment of the plan is (include/efikexec.h's enum efikexec_role). */
enum boot_role {
	BOOT_SEG_KERNEL, BOOT_SEG_ROOM, BOOT_SEG_INITRD, BOOT_SEG_PARAMS, BOOT_SEG_COREHDR,
	BOOT_SEG_PURGATORY,
};
/* Segment seg's role, and where its bytes come from in src (n bytes). */
enum boot_role boot_segment_role(const struct boot_plan *bp, unsigned seg, char *src, size_t n);
/* "plan: image ...", a "plan: segment ..." line per segment, the entry and
 * the copy ratio, at info level. */
void boot_print_plan(const struct boot_plan *bp);
/* x86, a vmlinux entered at startup_64 and moved by KASLR: its relocation
 * table (after its PT_LOADs in the decompressed payload, so read after its
 * pieces were loaded, the stream going on forwards) applied to the loaded
 * pages for bp->kaslr_offset; those pages' digests are then swept, not
 * taken as they arrived. */
rt_status boot_relocate_kernel(struct boot_plan *bp);

#define BOOT_PAGE_ALIGN(x) (((x) + KIMAGE_PAGE_SIZE - 1) & KIMAGE_PAGE_MASK)

#endif
