/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * sim.h - simulated physical memory for the host tests, the fuzzer and the
 * benchmarks: a host buffer standing for RAM at a physical base, a memory
 * map over it, and a page allocator with the behaviours the planner must
 * survive (bottom-up, top-down, random, and adversarial: destination pages
 * first). Implements struct kimage_platform.
 */
#ifndef EFIKEXEC_SIM_H
#define EFIKEXEC_SIM_H

#include "../lib/kimage.h"

enum sim_mode { SIM_BOTTOM_UP, SIM_TOP_DOWN, SIM_RANDOM, SIM_MODES };

enum sim_page { SP_FREE, SP_FIRMWARE, SP_ALLOC, SP_CLAIM };

struct sim {
	uint64_t base, size, npages;
	uint64_t room;       /* bytes mapped at ram (sim_reuse keeps them) */
	uint8_t *before;     /* sim_run's copy of RAM, kept with the mapping */
	uint8_t *ram;
	uint8_t *state;      /* enum sim_page per page */
	struct memmap map;
	enum sim_mode mode;
	uint64_t seed;
	uint64_t max_run;    /* longest run alloc_pages returns */
	bool claims_fail;    /* firmware that refuses AllocateAddress */
	/* Adversarial: these pages are handed out first, one at a time, once
	 * `hot_after` allocator calls have passed. */
	uint64_t *hot;
	size_t nhot, hot_pos;
	uint64_t hot_after, calls;
	uint64_t lo_cursor, hi_cursor;
	uint64_t errors;     /* frees of pages not held, out-of-range accesses */
	long long meta_live; /* bookkeeping bytes not yet freed */
	struct kimage_platform plat;
};

/* RAM of `size` bytes at `base` (page-aligned); all of it free RAM. */
bool sim_init(struct sim *s, uint64_t base, uint64_t size, enum sim_mode mode, uint64_t seed);
/* The same on a sim made before (sim_init, or sim_reuse): its RAM mapping
 * and page states are kept when they are big enough, so a fuzzer's runs
 * cost no mapping and no page faults; RAM keeps what the last run left
 * (sim_run fills every destination with a pattern before it loads). Ends
 * with sim_destroy as usual. */
bool sim_reuse(struct sim *s, uint64_t base, uint64_t size, enum sim_mode mode, uint64_t seed);
void sim_destroy(struct sim *s);
/* Marks [start, end) as `type` in the map; non-free types are occupied. */
void sim_set_type(struct sim *s, uint64_t start, uint64_t end, enum mem_type type);
/* Finishes the map (after the sim_set_type calls). */
bool sim_finish_map(struct sim *s);
/* Destination pages of `img` that are free, every `stride`-th, as the
 * adversarial allocator's first answers (highest first). */
void sim_make_hot(struct sim *s, const struct kimage *img, unsigned stride, uint64_t after);
uint64_t sim_pages_held(const struct sim *s);

/*
 * Runs the whole model on `img` (segments added, buf filled): plan, load,
 * digest, reference relocation, and checks
 *  - every destination byte is the segment's data or zero;
 *  - nothing outside destinations, staging, indirection and control pages
 *    changed;
 *  - staging, indirection and control pages are nobody's destination but
 *    their own;
 *  - the digest taken before relocation matches the destination after it.
 * Returns RT_OK or the planner's status; *why gets a reason on a check
 * failure (returned as RT_EDIGEST).
 */
rt_status sim_run(struct sim *s, struct kimage *img, uint64_t control_pages, const char **why);

#endif
