/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * capture.h - the firmware-assisted dump (lib/capture.h has the flow), as
 * efi/api.c uses it around a boot. It drives the engine (efi/kexec.h)
 * itself for the capture boot.
 */
#ifndef EFIKEXEC_EFI_CAPTURE_H
#define EFIKEXEC_EFI_CAPTURE_H

#include "kexec.h"

/* At the start of a boot: when a region is armed and the main kernel
 * crashed since, checks it and enters the capture kernel (no return);
 * otherwise disarms it and returns EFI_SUCCESS for the normal boot. */
EFI_STATUS capture_at_start(const struct boot_req *o);
/* Reserves the region, loads the capture kernel into it (bp->o's
 * --capture-* options), fills bp->cap_base/cap_end and sets bp->hooks to
 * what arming adds to the main boot: its segments kept clear of what
 * firmware rewrites on a reset, the arming variable written just before
 * the exit, and that memory reserved in the final map after it. */
EFI_STATUS capture_arm(struct boot_plan *bp);
/* Gives the region back (a boot that stopped before the exit, or --dry-run). */
void capture_abort(struct boot_plan *bp);
/* Whether a region is armed (the arming variable exists). */
bool capture_armed(void);
struct capture_state {
	bool armed, checked, intact, crashed;
	uint64_t base, end, armed_at;
	char kernel[256], record[80], why[160];
};
/* What is armed, whether it is intact, whether the kernel crashed since. */
void capture_state(struct capture_state *cs);
/* Forgets the armed region; false when none was. */
bool capture_disarm(uint64_t *base, uint64_t *end);

#endif
