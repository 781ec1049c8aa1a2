/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_kimage.c - the kimage model over simulated RAM: the segment rules,
 * the memory map, the exact entry encoding, and randomised layouts with
 * every allocator behaviour, each checked end to end by sim_run(). */
#include "test.h"
#include "../../tools/sim.h"
#include "../../lib/xxh64.h"

#define PG KIMAGE_PAGE_SIZE
#define MiB (1ull << 20)

static struct sim sim;
static struct kimage img;

static void setup(uint64_t size, enum sim_mode mode, uint64_t seed)
{
	CHECK(sim_init(&sim, 0x100000, size, mode, seed));
}

static void teardown(void)
{
	kimage_release(&img);
	CHECK_EQ_U64(sim.meta_live, 0);
	CHECK_EQ_U64(sim.errors, 0);
	sim_destroy(&sim);
}

static unsigned add(uint64_t mem, uint64_t memsz, const void *buf, size_t bufsz)
{
	struct kimage_segment s = { buf, bufsz, mem, memsz, false };
	unsigned i = 0;
	CHECK(kimage_add_segment(&img, &s, &i) == RT_OK);
	return i;
}

TEST(kimage_segment_rules_each_have_their_error)
{
	setup(16 * MiB, SIM_BOTTOM_UP, 1);
	sim_set_type(&sim, 0x100000 + 12 * MiB, 0x100000 + 13 * MiB, MEM_RESERVED);
	CHECK(sim_finish_map(&sim));

	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x200800, 0x1000, NULL, 0);
	CHECK(kimage_check_segments(&img) == RT_ESEG_ALIGN);
	CHECK_CONTAINS(test_log(), "segment 0 [0x200800, 0x201800): start and end must be 4096-byte aligned");

	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0xfffffffffffff000ull, 0x2000, NULL, 0);
	CHECK(kimage_check_segments(&img) == RT_ESEG_WRAP);
	CHECK_CONTAINS(test_log(), "segment 0 at 0xfffffffffffff000, memsz 0x2000: wraps around");

	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x400000, 0x4000, NULL, 0);
	add(0x300000, 0x102000, NULL, 0);
	CHECK(kimage_check_segments(&img) == RT_ESEG_OVERLAP);
	CHECK_CONTAINS(test_log(), "segment 0 [0x400000, 0x404000) overlaps segment 1 [0x300000, 0x402000)");

	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x400000, 0x1000, "x", 0x1001);
	CHECK(kimage_check_segments(&img) == RT_ESEG_BUFSZ);
	CHECK_CONTAINS(test_log(), "bufsz 0x1001 larger than memsz 0x1000");

	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x100000 + 12 * MiB - 0x1000, 0x2000, NULL, 0);
	CHECK(kimage_check_segments(&img) == RT_ESEG_NOT_RAM);
	CHECK_CONTAINS(test_log(), "segment 0 [0xcff000, 0xd01000): destination is not usable RAM");
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x1000000 + 0x100000, 0x1000, NULL, 0); /* past the end of RAM */
	CHECK(kimage_check_segments(&img) == RT_ESEG_NOT_RAM);

	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	for (unsigned i = 0; i < KIMAGE_MAX_SEGMENTS; i++)
		add(0x200000 + i * PG, PG, NULL, 0);
	struct kimage_segment extra = { NULL, 0, 0x300000, PG, false };
	CHECK(kimage_add_segment(&img, &extra, NULL) == RT_ESEG_COUNT);
	CHECK_CONTAINS(test_log(), "more than the limit of 16 segments");
	CHECK(kimage_check_segments(&img) == RT_OK);

	kimage_init(&img, KIMAGE_CRASH, &sim.plat, &sim.map);
	kimage_set_crash_region(&img, 0x800000, 0xa00000);
	add(0x9ff000, 0x2000, NULL, 0);
	CHECK(kimage_check_segments(&img) == RT_ESEG_REGION);
	CHECK_CONTAINS(test_log(), "[0x9ff000, 0xa01000) lies outside the capture region [0x800000, 0xa00000)");
	teardown();
}

TEST(memmap_normalise_cover_and_holes)
{
	static struct memmap m;
	uint64_t at = 0;

	memmap_init(&m);
	CHECK(memmap_add(&m, 0x200000, 0x300000, MEM_FREE) == RT_OK);
	CHECK(memmap_add(&m, 0x100000, 0x200000, MEM_FREE) == RT_OK);
	CHECK(memmap_add(&m, 0x300000, 0x380000, MEM_BUSY) == RT_OK);
	CHECK(memmap_add(&m, 0x380000, 0x400000, MEM_RESERVED) == RT_OK);
	CHECK(memmap_add(&m, 0x1000000, 0x2000000, MEM_FREE) == RT_OK);
	CHECK(memmap_normalize(&m) == RT_OK);
	CHECK_EQ_U64(m.n, 4);
	CHECK(memmap_covers(&m, 0x100000, 0x380000, MEM_MASK_RAM));
	CHECK(!memmap_covers(&m, 0x100000, 0x380000, MEM_MASK(MEM_FREE)));
	CHECK(!memmap_covers(&m, 0x300000, 0x390000, MEM_MASK_RAM));
	CHECK(!memmap_covers(&m, 0x3ff000, 0x1001000, ~0u)); /* a hole in the map */
	CHECK(!memmap_covers(&m, 0x0, 0x1000, ~0u));

	struct hole_req q = { .size = 0x100000, .align = 0x200000, .mask = MEM_MASK(MEM_FREE),
			      .top_down = true };
	CHECK(memmap_find_hole(&m, &q, &at) == RT_OK);
	CHECK_EQ_U64(at, 0x1e00000);
	q.top_down = false;
	CHECK(memmap_find_hole(&m, &q, &at) == RT_OK);
	CHECK_EQ_U64(at, 0x200000);
	q.min = 0x200001;
	CHECK(memmap_find_hole(&m, &q, &at) == RT_OK);
	CHECK_EQ_U64(at, 0x1000000);
	struct mem_span avoid[2] = { { 0x1000000, 0x1100000 }, { 0x1200000, 0x1300000 } };
	q.avoid = avoid;
	q.navoid = 2;
	CHECK(memmap_find_hole(&m, &q, &at) == RT_OK);
	CHECK_EQ_U64(at, 0x1400000);
	q.top_down = true;
	q.max = 0x1400000;
	CHECK(memmap_find_hole(&m, &q, &at) == RT_ENOSPC);
	q.align = 0x1000;
	CHECK(memmap_find_hole(&m, &q, &at) == RT_OK);
	CHECK_EQ_U64(at, 0x1300000);
	q.size = 0x2000000;
	CHECK(memmap_find_hole(&m, &q, &at) == RT_ENOSPC);

	memmap_init(&m);
	memmap_add(&m, 0x1000, 0x3000, MEM_FREE);
	memmap_add(&m, 0x2000, 0x4000, MEM_BUSY);
	CHECK(memmap_normalize(&m) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "ranges [0x1000, 0x3000) free and [0x2000, 0x4000) busy overlap");
}

/* Physical KASLR's draw: every aligned start that fits is a slot, counted
 * from the lowest; the seed takes slot (count * seed) >> 32. */
TEST(memmap_random_hole_draws_among_all_slots)
{
	static struct memmap m;
	struct mem_span avoid[3] = { { 0x1200000, 0x1300000 } };
	struct hole_req q = { .size = 0x100000, .align = 0x200000, .mask = MEM_MASK(MEM_FREE), .avoid = avoid,
			      .navoid = 1 };
	uint64_t at = 0, n = 0;

	memmap_init(&m);
	CHECK(memmap_add(&m, 0x100000, 0x300000, MEM_FREE) == RT_OK);
	CHECK(memmap_add(&m, 0x300000, 0x1000000, MEM_BUSY) == RT_OK);
	CHECK(memmap_add(&m, 0x1000000, 0x2000000, MEM_FREE) == RT_OK);
	CHECK(memmap_normalize(&m) == RT_OK);
	/* slots: 0x200000; 0x1000000, (0x1200000 avoided), 0x1400000 .. 0x1e00000 */
	CHECK(memmap_random_hole(&m, &q, 0, &at, &n) == RT_OK);
	CHECK_EQ_U64(n, 8);
	CHECK_EQ_U64(at, 0x200000);
	CHECK(memmap_random_hole(&m, &q, 0x20000000, &at, &n) == RT_OK); /* slot 1 */
	CHECK_EQ_U64(at, 0x1000000);
	CHECK(memmap_random_hole(&m, &q, 0x40000000, &at, &n) == RT_OK); /* slot 2 */
	CHECK_EQ_U64(at, 0x1400000);
	CHECK(memmap_random_hole(&m, &q, 0xffffffff, &at, &n) == RT_OK); /* slot 7 */
	CHECK_EQ_U64(at, 0x1e00000);
	q.min = 0x1500000;
	CHECK(memmap_random_hole(&m, &q, 0, &at, &n) == RT_OK);
	CHECK_EQ_U64(n, 5);
	CHECK_EQ_U64(at, 0x1600000);
	q.max = 0x1700000; /* 0x1600000 still fits, alone */
	CHECK(memmap_random_hole(&m, &q, 0xffffffff, &at, &n) == RT_OK);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(at, 0x1600000);
	q.max = 0x16ff000;
	CHECK(memmap_random_hole(&m, &q, 0xffffffff, &at, &n) == RT_ENOSPC);
	CHECK_EQ_U64(n, 0);
	q.min = 0, q.max = 0;
	q.size = 0x2000000;
	CHECK(memmap_random_hole(&m, &q, 0, &at, &n) == RT_ENOSPC);

	/* against counting every aligned start, on random maps and spans */
	uint64_t rnd = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 300; round++) {
		memmap_init(&m);
		uint64_t a = 0;
		for (int i = 0; i < 6; i++) {
			rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
			uint64_t len = ((rnd >> 33) % 64 + 1) << 16;
			CHECK(memmap_add(&m, a, a + len, (rnd >> 20) & 1 ? MEM_FREE : MEM_BUSY) == RT_OK);
			a += len + ((rnd >> 40) % 3 << 16);
		}
		CHECK(memmap_normalize(&m) == RT_OK);
		for (int i = 0; i < 3; i++) {
			rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
			avoid[i].start = (rnd >> 30) % a;
			avoid[i].end = avoid[i].start + ((rnd >> 12) % 16 + 1) * 0x8000;
		}
		rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
		q = (struct hole_req){ .size = ((rnd >> 50) % 8 + 1) << 15, .align = 0x10000ull << ((rnd >> 45) % 3),
				       .min = (rnd >> 20) % 0x100000, .mask = MEM_MASK(MEM_FREE), .avoid = avoid,
				       .navoid = 3 };
		uint64_t want = 0, nth[4096];
		for (size_t k = 0; k < m.n; k++) {
			if (m.r[k].type != MEM_FREE)
				continue;
			for (uint64_t s = (m.r[k].start + q.align - 1) & ~(q.align - 1); s + q.size <= m.r[k].end; s += q.align) {
				bool hit = s < q.min;
				for (int i = 0; i < 3; i++)
					hit |= s < avoid[i].end && avoid[i].start < s + q.size;
				if (!hit && want < 4096)
					nth[want++] = s;
			}
		}
		uint32_t seed = (uint32_t)(rnd >> 7);
		rt_status rs = memmap_random_hole(&m, &q, seed, &at, &n);
		CHECK_EQ_U64(n, want);
		if (!want) {
			CHECK(rs == RT_ENOSPC);
			continue;
		}
		CHECK(rs == RT_OK);
		CHECK_EQ_U64(at, nth[(uint64_t)(((unsigned __int128)want * seed) >> 32)]);
	}
}

TEST(kimage_free_destinations_load_in_place)
{
	static uint8_t data[3 * 4096 + 100];
	const char *why;

	setup(32 * MiB, SIM_TOP_DOWN, 2);
	CHECK(sim_finish_map(&sim));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x400000, 0x8000, data, sizeof(data));
	add(0x1000000, 0x2000, data, 10);
	CHECK(sim_run(&sim, &img, 2, &why) == RT_OK);
	if (why)
		test_fail(__FILE__, __LINE__, "%s", why);
	CHECK_EQ_U64(img.pages_staged, 0);
	CHECK_EQ_U64(img.pages_in_place, 10);
	CHECK_EQ_U64(img.head, IND_DONE);
	CHECK_EQ_U64(img.control_pages, 2);
	teardown();
}

/* One busy segment of 600 pages: 601 entries in two indirection pages,
 * exactly as the kernel lays them out. */
TEST(kimage_entry_list_encoding)
{
	static uint8_t data[600 * 4096];
	const char *why;

	setup(16 * MiB, SIM_BOTTOM_UP, 3);
	sim_set_type(&sim, 0x800000, 0x800000 + 600 * PG, MEM_BUSY);
	CHECK(sim_finish_map(&sim));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i >> 12) ^ (uint8_t)i;
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x800000, sizeof(data), data, sizeof(data));
	CHECK(sim_run(&sim, &img, 1, &why) == RT_OK);
	if (why)
		test_fail(__FILE__, __LINE__, "%s", why);
	CHECK_EQ_U64(img.pages_staged, 600);
	CHECK_EQ_U64(img.entries, 601);
	CHECK_EQ_U64(img.indirection_pages, 2);
	CHECK_EQ_U64(img.head & ~KIMAGE_PAGE_MASK, IND_INDIRECTION);
	const uint64_t *p0 = sim.plat.phys_to_virt(&sim, img.head & KIMAGE_PAGE_MASK);
	CHECK_EQ_U64(p0[0], 0x800000 | IND_DESTINATION);
	for (int k = 1; k < 511; k++)
		CHECK_EQ_U64(p0[k] & ~KIMAGE_PAGE_MASK, IND_SOURCE);
	CHECK_EQ_U64(p0[511], img.ind_pages[1] | IND_INDIRECTION);
	const uint64_t *p1 = sim.plat.phys_to_virt(&sim, img.ind_pages[1]);
	for (int k = 0; k < 90; k++)
		CHECK_EQ_U64(p1[k] & ~KIMAGE_PAGE_MASK, IND_SOURCE);
	CHECK_EQ_U64(p1[90], IND_DONE);
	CHECK_EQ_U64(p1[91], 0);
	teardown();
}

TEST(kimage_crash_image_is_in_place)
{
	static uint8_t data[5000];
	const char *why;

	setup(16 * MiB, SIM_BOTTOM_UP, 4);
	sim_set_type(&sim, 0x800000, 0xc00000, MEM_RESERVED);
	CHECK(sim_finish_map(&sim));
	memset(data, 0xab, sizeof(data));
	kimage_init(&img, KIMAGE_CRASH, &sim.plat, &sim.map);
	kimage_set_crash_region(&img, 0x800000, 0xc00000);
	add(0x900000, 0x3000, data, sizeof(data));
	add(0x800000, 0x1000, data, 1);
	CHECK(sim_run(&sim, &img, 0, &why) == RT_OK);
	if (why)
		test_fail(__FILE__, __LINE__, "%s", why);
	CHECK_EQ_U64(img.head, IND_DONE);
	CHECK_EQ_U64(sim_pages_held(&sim), 0);
	teardown();
}

TEST(kimage_crash_control_pages_in_the_region_gap)
{
	setup(16 * MiB, SIM_BOTTOM_UP, 6);
	CHECK(sim_finish_map(&sim));
	kimage_init(&img, KIMAGE_CRASH, &sim.plat, &sim.map);
	kimage_set_crash_region(&img, 0x800000, 0xc00000);
	add(0x800000, 0x2000, NULL, 0);
	add(0x804000, 0x1000, NULL, 0); /* a 2-page gap before it: too small */
	add(0x900000, 0x1000, NULL, 0);
	CHECK(kimage_plan(&img, 3) == RT_OK);
	CHECK_EQ_U64(img.control_page, 0x805000);
	CHECK_EQ_U64(img.control_pages, 3);
	CHECK_EQ_U64(img.plan[0].in_place, img.plan[0].npages);
	kimage_release(&img);
	CHECK_EQ_U64(sim_pages_held(&sim), 0);

	/* no gap big enough: a clear error, nothing taken */
	kimage_init(&img, KIMAGE_CRASH, &sim.plat, &sim.map);
	kimage_set_crash_region(&img, 0x800000, 0x804000);
	add(0x800000, 0x3000, NULL, 0);
	test_log_clear();
	CHECK(kimage_plan(&img, 2) == RT_ENOSPC);
	CHECK_CONTAINS(test_log(), "no room for 2 control pages in the crash region [0x800000, 0x804000)");
	teardown();
}

TEST(kimage_out_of_memory_releases_everything)
{
	static uint8_t data[64 * 4096];

	setup(1 * MiB, SIM_RANDOM, 5);
	sim_set_type(&sim, 0x100000, 0x100000 + 64 * PG, MEM_BUSY);
	CHECK(sim_finish_map(&sim));
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	add(0x100000, sizeof(data), data, sizeof(data));
	/* 192 free pages: enough for staging (64), not for 200 control pages. */
	CHECK(kimage_plan(&img, 200) == RT_ENOMEM);
	CHECK_CONTAINS(test_log(), "out of memory");
	CHECK_EQ_U64(sim_pages_held(&sim), 0);
	teardown();
}

/* Random layouts: map, segments, allocator behaviour. */
static uint64_t stat_staged, stat_in_place, stat_ind;
static bool one_layout(uint64_t seed, const char **why)
{
	uint64_t r = seed * 0x9e3779b97f4a7c15ull + 1;
	uint64_t size = (1 + rnd_below(&r, 3)) * MiB;
	static uint8_t bufs[KIMAGE_MAX_SEGMENTS][48 * 4096];
	rt_status st;

	setup(size, (enum sim_mode)rnd_below(&r, SIM_MODES), seed);
	sim.max_run = 1 + rnd_below(&r, 40);
	sim.claims_fail = rnd_below(&r, 3) == 0;
	/* Some busy and reserved ranges. */
	for (unsigned k = rnd_below(&r, 6); k; k--) {
		uint64_t a = 0x100000 + rnd_below(&r, size / PG) * PG;
		uint64_t n = (1 + rnd_below(&r, 200)) * PG;
		if (a + n > 0x100000 + size)
			n = 0x100000 + size - a;
		sim_set_type(&sim, a, a + n, rnd_below(&r, 3) ? MEM_BUSY : MEM_RESERVED);
	}
	if (!sim_finish_map(&sim))
		return false;
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	unsigned nseg = 1 + rnd_below(&r, KIMAGE_MAX_SEGMENTS);
	for (unsigned tries = 0; img.nr_segments < nseg && tries < 200; tries++) {
		uint64_t pages = 1 + rnd_below(&r, 48);
		uint64_t mem = 0x100000 + rnd_below(&r, size / PG - pages) * PG;
		bool clash = !memmap_covers(&sim.map, mem, mem + pages * PG, MEM_MASK_RAM);
		for (unsigned i = 0; i < img.nr_segments && !clash; i++)
			clash = mem < img.segment[i].mem + img.segment[i].memsz &&
				img.segment[i].mem < mem + pages * PG;
		if (clash)
			continue;
		unsigned i = img.nr_segments;
		if (rnd_below(&r, 8) == 0) { /* scratch: room kept free, no data */
			struct kimage_segment sc = { NULL, 0, mem, pages * PG, true };
			CHECK(kimage_add_segment(&img, &sc, NULL) == RT_OK);
			continue;
		}
		size_t bufsz = rnd_below(&r, pages * PG + 1);
		for (size_t b = 0; b < bufsz; b++)
			bufs[i][b] = (uint8_t)rnd_next(&r);
		add(mem, pages * PG, bufs[i], bufsz);
	}
	/* Fill RAM with a pattern, so "unchanged" means something. */
	for (uint64_t o = 0; o < size; o += 8)
		*(uint64_t *)(sim.ram + o) = o * 0x100000001b3ull ^ seed;
	if (rnd_below(&r, 2))
		sim_make_hot(&sim, &img, 1 + (unsigned)rnd_below(&r, 3), rnd_below(&r, 4));
	st = sim_run(&sim, &img, rnd_below(&r, 4), why);
	stat_staged += img.pages_staged;
	stat_in_place += img.pages_in_place;
	stat_ind += img.indirection_pages;
	if (st == RT_ENOMEM && !*why) /* a full machine is a fair answer */
		st = RT_OK;
	kimage_release(&img);
	bool ok = st == RT_OK && sim_pages_held(&sim) == 0 && sim.errors == 0 && sim.meta_live == 0;
	if (!*why && sim_pages_held(&sim))
		*why = "pages still held after kimage_release";
	if (!*why && sim.errors)
		*why = "the allocator saw a bad free";
	if (!*why && st)
		*why = rt_status_name(st);
	sim_destroy(&sim);
	return ok;
}

TEST(kimage_random_layouts_relocate_exactly)
{
	uint64_t base = test_seed();
	unsigned n = getenv("EFIKEXEC_LAYOUTS") ? (unsigned)atoi(getenv("EFIKEXEC_LAYOUTS")) : 2000;

	for (unsigned i = 0; i < n; i++) {
		const char *why = NULL;
		if (!one_layout(base + i, &why)) {
			test_fail(__FILE__, __LINE__, "layout seed %#llx failed: %s (rerun: EFIKEXEC_SEED=%#llx EFIKEXEC_LAYOUTS=1)",
				  (unsigned long long)(base + i), why ? why : "?",
				  (unsigned long long)(base + i));
			break;
		}
	}
	printf("  %u layouts: %llu pages staged, %llu in place, %llu indirection pages\n", n,
	       (unsigned long long)stat_staged, (unsigned long long)stat_in_place,
	       (unsigned long long)stat_ind);
	/* The layouts must exercise both paths, or they prove little. */
	CHECK(stat_staged > n && stat_in_place > n);
}

/* Scratch: room the kernel needs free at entry. Free parts are claimed,
 * busy parts left alone (never staged, never freed by us), no entry is
 * written for it, no control page lies in it, no digest covers it - with
 * claims refused too, when its free pages come back from the allocator. */
TEST(kimage_scratch_segment_is_kept_free_not_loaded)
{
	static uint8_t data[3 * 4096];

	for (int refuse = 0; refuse <= 1; refuse++) {
		struct kimage_digest_region r[KIMAGE_MAX_SEGMENTS];
		unsigned n, ks;
		struct kimage_segment s = { NULL, 0, 0x400000, 4 * MiB, true };

		setup(16 * MiB, refuse ? SIM_BOTTOM_UP : SIM_TOP_DOWN, 7);
		sim_set_type(&sim, 0x300000, 0x600000, MEM_BUSY); /* kernel and half the room */
		CHECK(sim_finish_map(&sim));
		sim.claims_fail = refuse;
		memset(data, 0x5a, sizeof(data));
		kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
		add(0x3fd000, sizeof(data), data, sizeof(data));
		CHECK(kimage_add_segment(&img, &s, &ks) == RT_OK);
		CHECK(kimage_plan(&img, 4) == RT_OK);
		CHECK(kimage_load(&img) == RT_OK);
		/* 3 kernel pages staged: DESTINATION + 3 SOURCE, nothing for the room */
		CHECK_EQ_U64(img.entries, 4);
		CHECK_EQ_U64(img.pages_staged, 3);
		CHECK_EQ_U64(img.pages_scratch, refuse ? 1024 : 512);
		CHECK(img.control_page + img.control_pages * PG <= 0x400000 ||
		      img.control_page >= 0x800000);
		CHECK(kimage_digest_regions(&img, r, &n) == RT_OK);
		CHECK_EQ_U64(n, 1);
		CHECK_EQ_U64(r[0].mem, 0x3fd000);
		/* both digests sweep what the destination will hold, staged
		 * pages included: the bytes loaded */
		{
			uint64_t x = 0;
			uint8_t want[32];
			CHECK(kimage_digest_xxh64(&img, 0, &x) == RT_OK);
			CHECK_EQ_U64(x, xxh64(data, sizeof(data), 0));
			sha256(data, sizeof(data), want);
			CHECK(memcmp(r[0].sha256, want, 32) == 0);
			CHECK(kimage_digest_xxh64(&img, KIMAGE_MAX_SEGMENTS, &x) == RT_EINVAL);
		}
		/* the busy part of the room is not ours: never written */
		CHECK_EQ_U64(sim.state[(0x500000 - sim.base) / PG], SP_FIRMWARE);
		CHECK(kimage_relocate_ref(img.head, sim.plat.phys_to_virt, &sim, 100) == 3);
		CHECK(memcmp(sim.plat.phys_to_virt(&sim, 0x3fd000), data, sizeof(data)) == 0);
		teardown(); /* release frees only what the image owns: no errors */
	}
	/* a scratch segment carries no data */
	setup(16 * MiB, SIM_BOTTOM_UP, 1);
	CHECK(sim_finish_map(&sim));
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	struct kimage_segment bad = { NULL, 1, 0x400000, PG, true };
	CHECK(kimage_add_segment(&img, &bad, NULL) == RT_OK);
	CHECK(kimage_check_segments(&img) == RT_ESEG_BUFSZ);
	teardown();
}
