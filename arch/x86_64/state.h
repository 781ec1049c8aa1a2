/*
 * state.h - what x86_64's plan.c works out and handoff.c uses: the
 * hand-off segment's layout, the page tables' root, the paging depth.
 */
#ifndef EFIKEXEC_X86_STATE_H
#define EFIKEXEC_X86_STATE_H

#include "../../boot/bzimage.h"

#define RNG_SEED_BYTES 32
#define ALIGN16(x) (((x) + 15) & ~15ull)

struct x86_state {
	uint64_t rng_off, e820_off, mm_off, e820_room;
	uint64_t cr3;
	bool la57;
};
extern struct x86_state x86;

/* The end of memory the identity map must cover. */
uint64_t x86_map_end(const struct boot_plan *bp);

/* A Multiboot2 payload's information request from the plan (plan.c); the
 * map is filled at the exit (handoff.c). */
struct mb2_info_req;
void x86_mb2_req(const struct boot_plan *bp, struct mb2_info_req *r, const struct memmap *map);
#define X86_MB2_LOADER_NAME "efikexec"

#endif
