/*
 * boot.h - one boot, from the request to the point of no return: the plan
 * efi/boot.c builds and the arch code (arch/arch.h) completes.
 */
#ifndef EFIKEXEC_BOOT_H
#define EFIKEXEC_BOOT_H

#include "efi.h"
#include "options.h"

/* The firmware's facts, gathered once per start (efi_boot, capture). */
extern struct fw_facts efi_facts;

EFI_STATUS efi_boot(const struct efikexec_opts *o);

/* boot.c, for capture.c: the kernel through the loader table (bp->ld set
 * by the caller), the initrd parts, the command line, the device tree. */
EFI_STATUS boot_open_inputs(struct boot_plan *bp);
void boot_release(struct boot_plan *bp);
/* Enters the capture kernel the descriptor describes (already verified);
 * returns only on a failure before ExitBootServices. */
EFI_STATUS boot_capture(const struct efikexec_opts *o, const struct capture_desc *d);

/* capture.c: the firmware-assisted dump (lib/capture.h has the flow). */
/* At the start of a boot: when a region is armed and the main kernel
 * crashed since, checks it and enters the capture kernel (no return);
 * otherwise disarms it and returns EFI_SUCCESS for the normal boot. */
EFI_STATUS capture_at_start(const struct efikexec_opts *o);
/* Reserves the region, loads the capture kernel into it (bp->o's
 * --capture-* options), fills bp->cap_base/cap_end. */
EFI_STATUS capture_arm(struct boot_plan *bp);
/* Writes the arming variable (just before ExitBootServices). */
EFI_STATUS capture_commit(struct boot_plan *bp);
/* After the exit, arming: the final map without what firmware rewrites on
 * a reset (those parts reserved), so the main kernel keeps out of it. */
rt_status capture_hide(struct boot_plan *bp);
/* Arming: those parts, for the main boot's segments to keep clear of. */
size_t capture_avoid(struct mem_span *out, size_t max);
/* Gives the region back (a boot that stopped before the exit, or --dry-run). */
void capture_abort(struct boot_plan *bp);
/* Capturing, before the exit: finds the crashed kernel's VMCOREINFO. */
void capture_prepare_core(struct boot_plan *bp);
/* Capturing, after the exit: what the capture kernel may use (bp->cap_map)
 * and the ELF core header in its segment, from the final map. */
rt_status capture_finish_core(struct boot_plan *bp);
EFI_STATUS capture_status(void);
EFI_STATUS capture_disarm(void);

#endif
