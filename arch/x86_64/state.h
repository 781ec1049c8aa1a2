/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * state.h - what x86_64's plan.c works out and handoff.c uses: the
 * hand-off segment's layout, the page tables' root, the paging depth.
 */
#ifndef EFIKEXEC_X86_STATE_H
#define EFIKEXEC_X86_STATE_H

#include "../../boot/bzimage.h"
#include "../../boot/multiboot2.h"

#define RNG_SEED_BYTES 32
#define ALIGN16(x) (((x) + 15) & ~15ull)

struct x86_state {
	uint64_t rng_off, e820_off, mm_off, e820_room;
	uint64_t cr3;
	bool la57;
	struct mb2_info_req mb2; /* a Multiboot2 payload's information request */
};
extern struct x86_state x86;

/* The end of memory the identity map must cover. */
uint64_t x86_map_end(const struct boot_plan *bp);

/* A Multiboot2 payload's information request, x86.mb2: made once, from
 * what the plan knows before placement (plan.c: its size bounds the hand-off
 * segment); x86_mb2_final adds where the modules and the image went and the
 * final maps (handoff.c, after the exit). */
void x86_mb2_req(const struct boot_plan *bp);
void x86_mb2_final(const struct boot_plan *bp, const struct memmap *map);
#define X86_MB2_LOADER_NAME "efikexec"

#endif
