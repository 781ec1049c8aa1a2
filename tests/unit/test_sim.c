/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_sim.c - tools/sim.c, the simulated physical memory efikexec-plan,
 * the unit tests, the fuzzers and the benchmark plan against: its page
 * allocator's orders, claims, the map it builds, and the errors it counts.
 */
#include "../../tools/sim.h"
#include "test.h"

#define BASE 0x100000ull
#define PAGES 64ull

TEST(sim_allocates_bottom_up_and_top_down)
{
	struct sim s;
	uint64_t p, got;

	CHECK(sim_init(&s, BASE, PAGES * 4096, SIM_BOTTOM_UP, 1));
	CHECK(sim_finish_map(&s));
	CHECK_EQ_U64(s.plat.alloc_pages(s.plat.ctx, 3, &p, &got), RT_OK);
	CHECK_EQ_U64(p, BASE);
	CHECK(got >= 1 && got <= 3);
	CHECK_EQ_U64(sim_pages_held(&s), got);
	s.plat.free_pages(s.plat.ctx, p, got);
	CHECK_EQ_U64(sim_pages_held(&s), 0);
	sim_destroy(&s);

	CHECK(sim_init(&s, BASE, PAGES * 4096, SIM_TOP_DOWN, 1));
	CHECK(sim_finish_map(&s));
	CHECK_EQ_U64(s.plat.alloc_pages(s.plat.ctx, 1, &p, &got), RT_OK);
	CHECK_EQ_U64(p, BASE + (PAGES - 1) * 4096);
	CHECK_EQ_U64(s.errors, 0);
	sim_destroy(&s);
}

TEST(sim_claims_only_free_pages_and_counts_bad_frees)
{
	struct sim s;

	CHECK(sim_init(&s, BASE, PAGES * 4096, SIM_RANDOM, 7));
	/* the first 4 pages are the firmware's */
	sim_set_type(&s, BASE, BASE + 4 * 4096, MEM_RESERVED);
	CHECK(sim_finish_map(&s));
	CHECK(s.plat.claim(s.plat.ctx, BASE, 1) != RT_OK);
	CHECK_EQ_U64(s.plat.claim(s.plat.ctx, BASE + 8 * 4096, 2), RT_OK);
	/* claimed pages are not claimed, nor handed out, twice */
	CHECK(s.plat.claim(s.plat.ctx, BASE + 9 * 4096, 1) != RT_OK);
	for (int i = 0; i < 40; i++) {
		uint64_t p, got;
		if (s.plat.alloc_pages(s.plat.ctx, 1, &p, &got) != RT_OK)
			break;
		CHECK(p >= BASE + 4 * 4096);
		CHECK(p != BASE + 8 * 4096 && p != BASE + 9 * 4096);
	}
	CHECK_EQ_U64(s.errors, 0);
	/* a page never handed out, given back: an error the tests see */
	s.plat.free_pages(s.plat.ctx, BASE + 2 * 4096, 1);
	CHECK(s.errors > 0);
	/* physical addresses reach the host buffer, and nothing else */
	CHECK(s.plat.phys_to_virt(s.plat.ctx, BASE + 5 * 4096) == s.ram + 5 * 4096);
	sim_destroy(&s);
}

TEST(sim_map_says_what_is_occupied)
{
	struct sim s;
	bool saw_reserved = false, saw_free = false;

	CHECK(sim_init(&s, BASE, PAGES * 4096, SIM_BOTTOM_UP, 1));
	sim_set_type(&s, BASE + 16 * 4096, BASE + 20 * 4096, MEM_RESERVED);
	CHECK(sim_finish_map(&s));
	for (size_t i = 0; i < s.map.n; i++) {
		const struct mem_range *r = &s.map.r[i];
		if (r->type == MEM_RESERVED) {
			CHECK_EQ_U64(r->start, BASE + 16 * 4096);
			CHECK_EQ_U64(r->end, BASE + 20 * 4096);
			saw_reserved = true;
		} else {
			saw_free = true;
		}
	}
	CHECK(saw_reserved && saw_free);
	sim_destroy(&s);
}
