/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * kexec.h - the engine of one boot, from the request to the point of no
 * return: efi/kexec.c builds the plan (boot/plan.h), the arch code
 * (arch/arch.h) completes it. Front ends - efi/api.c, efi/capture.c -
 * drive it in this order:
 *   kexec_plan          the one plan, cleared (bp->ld, bp->fw set)
 *   kexec_open_inputs   the kernel through the loader table, the initrd
 *                       parts, the command line, the device tree
 *   kexec_place         destinations, kimage plan
 *   boot_print_plan     the plan lines (boot/place.h; --dry-run stops here)
 *   kexec_load_and_enter  load, ExitBootServices, enter: returns only on
 *                       a failure before the exit
 *   kexec_release       gives back what a failed or dry boot took
 */
#ifndef EFIKEXEC_KEXEC_H
#define EFIKEXEC_KEXEC_H

#include "efi.h"
#include "../boot/place.h"

/* The firmware's facts, gathered once per plan (efi/api.c). */
extern struct fw_facts efi_facts;

/* What a front end adds at the engine's points (all optional). */
struct kexec_hooks {
	/* placement: spans the segments keep clear of (fills out[], room for
	 * max, returns how many) and the lowest load address for the kernel */
	size_t (*avoid)(struct boot_plan *bp, struct mem_span *out, size_t max, uint64_t *kmin);
	/* just before ExitBootServices: the last firmware calls */
	EFI_STATUS (*before_exit)(struct boot_plan *bp);
	/* after it, on the raw final map (bp->mm), before it is read */
	rt_status (*after_exit)(struct boot_plan *bp);
	/* after the final map was read (bp->final_map) */
	rt_status (*final_map)(struct boot_plan *bp);
};

struct boot_plan *kexec_plan(void);
EFI_STATUS kexec_check_purgatory(void);
EFI_STATUS kexec_open_inputs(struct boot_plan *bp);
/* Inputs fetched by URL: the bytes no segment took received, each URL's
 * #sha256= pin checked (efi/net.h); a no-op for files. */
EFI_STATUS kexec_finish_inputs(struct boot_plan *bp);
EFI_STATUS kexec_place(struct boot_plan *bp);
EFI_STATUS kexec_load_and_enter(struct boot_plan *bp);
void kexec_release(struct boot_plan *bp);
/* Enters the capture kernel the descriptor describes (already verified),
 * in place in its region; returns only on a failure before the exit. */
EFI_STATUS kexec_capture(const struct boot_req *o, const struct capture_desc *d,
			 const struct kexec_hooks *hooks);

#endif
