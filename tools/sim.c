/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* sim.c - see sim.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim.h"

#define PAGE KIMAGE_PAGE_SIZE

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

static struct sim *S(void *ctx)
{
	return ctx;
}

static uint64_t run_len(struct sim *s, uint64_t max)
{
	uint64_t n = max < s->max_run ? max : s->max_run;
	if (s->mode == SIM_RANDOM && n > 1)
		n = 1 + rnd(&s->seed) % n;
	return n;
}

static rt_status sim_alloc(void *ctx, uint64_t max, uint64_t *phys, uint64_t *got)
{
	struct sim *s = S(ctx);
	uint64_t want = run_len(s, max), p = 0;

	s->calls++;
	while (s->calls > s->hot_after && s->hot_pos < s->nhot) {
		p = (s->hot[s->hot_pos++] - s->base) / PAGE;
		if (s->state[p] == SP_FREE) {
			s->state[p] = SP_ALLOC;
			*phys = s->base + p * PAGE;
			*got = 1;
			return RT_OK;
		}
	}
	switch (s->mode) {
	case SIM_TOP_DOWN:
		while (s->hi_cursor > 0 && s->state[s->hi_cursor - 1] != SP_FREE)
			s->hi_cursor--;
		if (!s->hi_cursor)
			return RT_ENOMEM;
		p = s->hi_cursor - 1;
		uint64_t n = 1;
		while (n < want && p > 0 && s->state[p - 1] == SP_FREE) {
			p--;
			n++;
		}
		for (uint64_t i = 0; i < n; i++)
			s->state[p + i] = SP_ALLOC;
		*phys = s->base + p * PAGE;
		*got = n;
		return RT_OK;
	case SIM_RANDOM: {
		uint64_t start = rnd(&s->seed) % s->npages;
		for (uint64_t k = 0; k < s->npages; k++) {
			p = (start + k) % s->npages;
			if (s->state[p] == SP_FREE)
				break;
		}
		if (s->state[p] != SP_FREE)
			return RT_ENOMEM;
		uint64_t m = 0;
		while (m < want && p + m < s->npages && s->state[p + m] == SP_FREE)
			s->state[p + m++] = SP_ALLOC;
		*phys = s->base + p * PAGE;
		*got = m;
		return RT_OK;
	}
	default: {
		while (s->lo_cursor < s->npages && s->state[s->lo_cursor] != SP_FREE)
			s->lo_cursor++;
		if (s->lo_cursor == s->npages)
			return RT_ENOMEM;
		p = s->lo_cursor;
		uint64_t m = 0;
		while (m < want && p + m < s->npages && s->state[p + m] == SP_FREE)
			s->state[p + m++] = SP_ALLOC;
		*phys = s->base + p * PAGE;
		*got = m;
		return RT_OK;
	}
	}
}

static rt_status sim_claim(void *ctx, uint64_t phys, uint64_t pages)
{
	struct sim *s = S(ctx);
	uint64_t p = (phys - s->base) / PAGE;

	if (s->claims_fail || phys < s->base || (phys - s->base) % PAGE || p + pages > s->npages)
		return RT_ENOSPC;
	for (uint64_t i = 0; i < pages; i++)
		if (s->state[p + i] != SP_FREE)
			return RT_ENOSPC;
	for (uint64_t i = 0; i < pages; i++)
		s->state[p + i] = SP_CLAIM;
	return RT_OK;
}

static void sim_free(void *ctx, uint64_t phys, uint64_t pages)
{
	struct sim *s = S(ctx);
	uint64_t p = (phys - s->base) / PAGE;

	if (phys < s->base || p + pages > s->npages) {
		s->errors++;
		return;
	}
	for (uint64_t i = 0; i < pages; i++) {
		if (s->state[p + i] != SP_ALLOC && s->state[p + i] != SP_CLAIM)
			s->errors++;
		s->state[p + i] = SP_FREE;
	}
	if (p < s->lo_cursor)
		s->lo_cursor = p;
	if (p + pages > s->hi_cursor)
		s->hi_cursor = p + pages;
}

static void *sim_p2v(void *ctx, uint64_t phys)
{
	struct sim *s = S(ctx);

	if (phys < s->base || phys - s->base >= s->size) {
		fprintf(stderr, "sim: access to %#llx outside simulated RAM\n", (unsigned long long)phys);
		abort();
	}
	return s->ram + (phys - s->base);
}

static void *sim_meta_alloc(void *ctx, size_t size)
{
	S(ctx)->meta_live += (long long)size;
	return calloc(1, size);
}

static void sim_meta_free(void *ctx, void *p, size_t size)
{
	S(ctx)->meta_live -= (long long)size;
	free(p);
}

/* Everything but the RAM, its page states and sim_run's copy of it. */
static void setup(struct sim *s, uint64_t base, uint64_t size, enum sim_mode mode, uint64_t seed)
{
	s->base = base;
	s->size = size;
	s->npages = size / PAGE;
	s->mode = mode;
	s->seed = seed | 1;
	s->max_run = 64;
	s->hi_cursor = s->npages;
	memmap_init(&s->map);
	s->plat = (struct kimage_platform){ s, sim_alloc, sim_claim, sim_free, sim_p2v,
					    sim_meta_alloc, sim_meta_free };
}

bool sim_init(struct sim *s, uint64_t base, uint64_t size, enum sim_mode mode, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	setup(s, base, size, mode, seed);
	s->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (s->ram == MAP_FAILED)
		return false;
	s->room = size;
	s->state = calloc(s->npages, 1);
	return s->state != NULL;
}

bool sim_reuse(struct sim *s, uint64_t base, uint64_t size, enum sim_mode mode, uint64_t seed)
{
	uint8_t *ram = s->ram, *state = s->state, *before = s->before;
	uint64_t room = s->room;

	if (!ram || room < size) {
		if (ram)
			sim_destroy(s);
		return sim_init(s, base, size, mode, seed);
	}
	free(s->hot);
	memset(s, 0, sizeof(*s));
	setup(s, base, size, mode, seed);
	s->ram = ram;
	s->room = room;
	s->before = before;
	s->state = state;
	memset(s->state, 0, s->npages);
	return true;
}

void sim_destroy(struct sim *s)
{
	munmap(s->ram, s->room);
	free(s->state);
	free(s->hot);
	free(s->before);
	s->ram = NULL;
	s->state = NULL;
	s->hot = NULL;
	s->before = NULL;
}

/* Types are kept per page until sim_finish_map builds the map. */
void sim_set_type(struct sim *s, uint64_t start, uint64_t end, enum mem_type type)
{
	for (uint64_t a = start; a < end; a += PAGE) {
		uint64_t p = (a - s->base) / PAGE;
		s->state[p] = type == MEM_FREE ? SP_FREE : SP_FIRMWARE;
		/* remember the type in the high bits */
		s->state[p] |= (uint8_t)(type << 4);
	}
}

bool sim_finish_map(struct sim *s)
{
	for (uint64_t p = 0; p < s->npages;) {
		uint8_t t = s->state[p] >> 4;
		uint64_t q = p;
		while (q < s->npages && (s->state[q] >> 4) == t)
			q++;
		if (memmap_add(&s->map, s->base + p * PAGE, s->base + q * PAGE, t) != RT_OK)
			return false;
		p = q;
	}
	for (uint64_t p = 0; p < s->npages; p++)
		s->state[p] &= 0x0f;
	return memmap_normalize(&s->map) == RT_OK;
}

void sim_make_hot(struct sim *s, const struct kimage *img, unsigned stride, uint64_t after)
{
	size_t cap = 0;

	for (unsigned i = 0; i < img->nr_segments; i++)
		cap += (img->segment[i].memsz + PAGE - 1) / PAGE;
	free(s->hot);
	s->hot = calloc(cap + 1, sizeof(uint64_t));
	s->nhot = s->hot_pos = 0;
	s->hot_after = after;
	for (unsigned i = img->nr_segments; i-- > 0;) {
		const struct kimage_segment *g = &img->segment[i];
		for (uint64_t a = g->mem + g->memsz; a > g->mem;) {
			a -= PAGE;
			if (((a - g->mem) / PAGE) % (stride ? stride : 1) == 0)
				s->hot[s->nhot++] = a;
		}
	}
}

uint64_t sim_pages_held(const struct sim *s)
{
	uint64_t n = 0;
	for (uint64_t p = 0; p < s->npages; p++)
		n += s->state[p] == SP_ALLOC || s->state[p] == SP_CLAIM;
	return n;
}

/* --- the whole model, checked ------------------------------------------------ */

static int which_seg(const struct kimage *img, uint64_t a)
{
	for (unsigned i = 0; i < img->nr_segments; i++)
		if (a >= img->segment[i].mem && a < img->segment[i].mem + img->segment[i].memsz)
			return (int)i;
	return -1;
}

/* A page some copy writes: in a segment that is not scratch. */
static bool copy_target(const struct kimage *img, uint64_t a)
{
	int i = which_seg(img, a);

	return i >= 0 && !img->segment[i].scratch;
}

#define FAIL(msg)                  \
	do {                       \
		*why = msg;        \
		st = RT_EDIGEST;   \
		goto out;          \
	} while (0)

rt_status sim_run(struct sim *s, struct kimage *img, uint64_t control_pages, const char **why)
{
	uint8_t *before, *touched = calloc(s->npages, 1);
	uint8_t digest[KIMAGE_MAX_SEGMENTS][32];
	rt_status st;

	*why = NULL;
	if (!s->before)
		s->before = malloc(s->room);
	before = s->before;
	/* what lies at the destinations before the load is not theirs: a
	 * pattern, so no stale byte of an earlier run can pass for a copy */
	for (unsigned i = 0; i < img->nr_segments; i++) {
		uint64_t a = img->segment[i].mem, e = a + img->segment[i].memsz;
		if (a < s->base)
			a = s->base;
		if (e > s->base + s->size)
			e = s->base + s->size;
		if (a < e && !img->segment[i].scratch)
			memset(s->ram + (a - s->base), 0xa5, e - a);
	}
	memcpy(before, s->ram, s->size);
	st = kimage_plan(img, control_pages);
	if (st)
		goto out;
	/* Every page the plan uses: none may be another page's destination. */
	for (unsigned i = 0; i < img->nr_segments; i++) {
		const struct kimage_seg_plan *pl = &img->plan[i];
		for (uint64_t p = 0; img->kind == KIMAGE_NORMAL && p < pl->npages; p++) {
			uint64_t src = pl->stage[p] & KIMAGE_PAGE_MASK, dst = img->segment[i].mem + p * PAGE;
			if (!(pl->stage[p] & 1))
				FAIL("a destination page has no staging page");
			if (img->segment[i].scratch) {
				/* kept where it is: owned (claimed) or left to firmware */
				if (src != dst)
					FAIL("a scratch page was staged");
				touched[(src - s->base) / PAGE] = 1;
				continue;
			}
			if (src != dst && copy_target(img, src))
				FAIL("a staging page is another page's destination");
			if (src < s->base || src >= s->base + s->size ||
			    (s->state[(src - s->base) / PAGE] != SP_ALLOC &&
			     s->state[(src - s->base) / PAGE] != SP_CLAIM))
				FAIL("a staging page is not held from the allocator");
			touched[(src - s->base) / PAGE] = 1;
		}
	}
	for (uint64_t k = 0; k < img->nind; k++) {
		if (copy_target(img, img->ind_pages[k]))
			FAIL("an indirection page is a destination");
		touched[(img->ind_pages[k] - s->base) / PAGE] = 1;
	}
	for (uint64_t k = 0; k < img->control_pages; k++) {
		uint64_t a = img->control_page + k * PAGE;
		if (which_seg(img, a) >= 0)
			FAIL("a control page is a destination");
		touched[(a - s->base) / PAGE] = 1;
	}
	if (control_pages && img->kind == KIMAGE_NORMAL && img->control_pages != control_pages)
		FAIL("control pages missing");
	for (unsigned i = 0; i < img->nr_segments; i++)
		for (uint64_t a = img->segment[i].mem; a < img->segment[i].mem + img->segment[i].memsz; a += PAGE)
			touched[(a - s->base) / PAGE] = 1;
	st = kimage_load(img);
	if (st)
		goto out;
	/* one digest per non-empty segment, in address order, each of what
	 * its destination must hold after relocation (checked below) */
	struct kimage_digest_region regions[KIMAGE_MAX_SEGMENTS];
	unsigned nreg = 0;
	if (kimage_digest_regions(img, regions, &nreg) != RT_OK)
		FAIL("digest regions failed");
	unsigned nonempty = 0;
	for (unsigned i = 0; i < img->nr_segments; i++)
		nonempty += img->segment[i].memsz != 0 && !img->segment[i].scratch;
	if (nreg != nonempty)
		FAIL("not one digest region per non-empty segment");
	for (unsigned k = 0; k < nreg; k++) {
		int i = which_seg(img, regions[k].mem);
		if (i < 0 || (k && regions[k].mem < regions[k - 1].mem + regions[k - 1].memsz) ||
		    regions[k].memsz != img->segment[i].memsz)
			FAIL("digest regions do not match the segments");
		memcpy(digest[i], regions[k].sha256, 32);
	}
	uint64_t copied = kimage_relocate_ref(img->head, img->plat->phys_to_virt, img->plat->ctx,
					      (img->nind + 1) * KIMAGE_ENTRIES_PER_PAGE);
	if (copied != img->pages_staged)
		FAIL("relocation copied a different number of pages than were staged");
	for (unsigned i = 0; i < img->nr_segments; i++) {
		const struct kimage_segment *g = &img->segment[i];
		uint8_t h[32];
		if (!g->memsz || g->scratch)
			continue;
		const uint8_t *d = s->ram + (g->mem - s->base);
		if (g->bufsz && memcmp(d, g->buf, g->bufsz) != 0)
			FAIL("a destination does not hold its segment's data");
		static const uint8_t zeros[PAGE];
		for (uint64_t k = g->bufsz; k < g->memsz; k += PAGE) {
			uint64_t n = g->memsz - k < PAGE ? g->memsz - k : PAGE;
			if (memcmp(d + k, zeros, n))
				FAIL("a destination's tail is not zero");
		}
		sha256(d, g->memsz, h);
		if (memcmp(h, digest[i], 32) != 0)
			FAIL("the digest before relocation differs from the destination after it");
	}
	for (uint64_t p = 0; p < s->npages; p++)
		if (!touched[p] && memcmp(s->ram + p * PAGE, before + p * PAGE, PAGE) != 0)
			FAIL("a page outside destinations, staging, indirection and control changed");
out:
	free(touched);
	return st;
}
