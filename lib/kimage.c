/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * kimage.c - segments, staging, control pages and the entry list.
 * kimage.h says why; this file says how.
 *
 * Planning a normal image, in order:
 *  1. check the segments (the kernel's rules);
 *  2. claim the free parts of every destination: those pages are loaded in
 *     place and need no entry;
 *  3. allocate the control pages, contiguous, clear of every destination;
 *  4. collect safe pages until every other destination page has one;
 *  5. give them out in destination order, count the entries, get the
 *     indirection pages they need, write the list.
 * Every page the allocator returns goes through absorb(): a page that is a
 * destination becomes that destination's own page (in place, O(1) through
 * the segment's stage[] array); any other page is safe and joins the pool.
 */
#include "kimage.h"
#include "xxh64.h"

#define PAGE KIMAGE_PAGE_SIZE
#define STAGED 1ull /* low bit of a stage[] entry: assigned */
#define UNOWNED 2ull /* scratch page left busy: not the image's to free */

static const char SUB[] = "kimage";

void kimage_init(struct kimage *img, enum kimage_kind kind, const struct kimage_platform *plat,
		 const struct memmap *map)
{
	RT_FN(memset)(img, 0, sizeof(*img));
	img->kind = kind;
	img->plat = plat;
	img->map = map;
	img->head = IND_DONE;
}

void kimage_set_crash_region(struct kimage *img, uint64_t base, uint64_t end)
{
	img->crash_base = base;
	img->crash_end = end;
}

rt_status kimage_add_segment(struct kimage *img, const struct kimage_segment *seg, unsigned *index)
{
	if (img->nr_segments >= KIMAGE_MAX_SEGMENTS)
		return rt_fail(RT_ESEG_COUNT, SUB, "segment %u at %#llx: more than the limit of %u segments",
			       img->nr_segments, (unsigned long long)seg->mem, KIMAGE_MAX_SEGMENTS);
	if (index)
		*index = img->nr_segments;
	img->segment[img->nr_segments++] = *seg;
	return RT_OK;
}

static uint64_t seg_end(const struct kimage_segment *s)
{
	return s->mem + s->memsz;
}

rt_status kimage_check_segments(struct kimage *img)
{
	unsigned n = img->nr_segments;

	if (n > KIMAGE_MAX_SEGMENTS)
		return rt_fail(RT_ESEG_COUNT, SUB, "%u segments, more than the limit of %u", n,
			       KIMAGE_MAX_SEGMENTS);
	for (unsigned i = 0; i < n; i++) {
		const struct kimage_segment *s = &img->segment[i];
		if (seg_end(s) < s->mem)
			return rt_fail(RT_ESEG_WRAP, SUB, "segment %u at %#llx, memsz %#llx: wraps around",
				       i, (unsigned long long)s->mem, (unsigned long long)s->memsz);
		if ((s->mem | s->memsz) & (PAGE - 1))
			return rt_fail(RT_ESEG_ALIGN, SUB,
				       "segment %u [%#llx, %#llx): start and end must be %llu-byte aligned",
				       i, (unsigned long long)s->mem, (unsigned long long)seg_end(s), PAGE);
		if (s->bufsz > s->memsz || (s->scratch && s->bufsz))
			return rt_fail(RT_ESEG_BUFSZ, SUB,
				       "segment %u [%#llx, %#llx): bufsz %#zx larger than memsz %#llx", i,
				       (unsigned long long)s->mem, (unsigned long long)seg_end(s), s->bufsz,
				       (unsigned long long)s->memsz);
	}
	/*
	 * Sort the non-empty segments by address (insertion sort: n <= 16);
	 * empty ones go last. They hold nothing, and leaving them out keeps the
	 * ends sorted too, which the binary search in seg_from() relies on.
	 */
	img->nr_active = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned j, v = i;
		if (!img->segment[i].memsz)
			continue;
		j = img->nr_active++;
		while (j > 0 && img->segment[img->order[j - 1]].mem > img->segment[v].mem) {
			img->order[j] = img->order[j - 1];
			j--;
		}
		img->order[j] = v;
	}
	for (unsigned i = 0, k = img->nr_active; i < n; i++)
		if (!img->segment[i].memsz)
			img->order[k++] = i;
	for (unsigned k = 1; k < img->nr_active; k++) {
		unsigned a = img->order[k - 1], b = img->order[k];
		const struct kimage_segment *x = &img->segment[a], *y = &img->segment[b];
		if (y->mem < seg_end(x))
			return rt_fail(RT_ESEG_OVERLAP, SUB,
				       "segment %u [%#llx, %#llx) overlaps segment %u [%#llx, %#llx)", b,
				       (unsigned long long)y->mem, (unsigned long long)seg_end(y), a,
				       (unsigned long long)x->mem, (unsigned long long)seg_end(x));
	}
	for (unsigned i = 0; i < n; i++) {
		const struct kimage_segment *s = &img->segment[i];
		if (!s->memsz)
			continue;
		if (img->kind == KIMAGE_CRASH &&
		    (s->mem < img->crash_base || seg_end(s) > img->crash_end))
			return rt_fail(RT_ESEG_REGION, SUB,
				       "segment %u [%#llx, %#llx) lies outside the capture region [%#llx, %#llx)",
				       i, (unsigned long long)s->mem, (unsigned long long)seg_end(s),
				       (unsigned long long)img->crash_base,
				       (unsigned long long)img->crash_end);
		if (img->map && !memmap_covers(img->map, s->mem, seg_end(s),
					       img->kind == KIMAGE_CRASH ? ~0u : MEM_MASK_RAM))
			return rt_fail(RT_ESEG_NOT_RAM, SUB,
				       "segment %u [%#llx, %#llx): destination is not usable RAM", i,
				       (unsigned long long)s->mem, (unsigned long long)seg_end(s));
	}
	return RT_OK;
}

/* --- bookkeeping arrays ------------------------------------------------------ */

/* Makes room for at least `want` elements in a bookkeeping array. */
static bool reserve(struct kimage *img, void **arr, size_t *cap, size_t elem, size_t want)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (want <= *cap)
		return true;
	while (ncap < want)
		ncap *= 2;
	p = img->plat->meta_alloc(img->plat->ctx, ncap * elem);
	if (!p)
		return false;
	if (*arr) {
		RT_FN(memcpy)(p, *arr, *cap * elem);
		img->plat->meta_free(img->plat->ctx, *arr, *cap * elem);
	}
	*arr = p;
	*cap = ncap;
	return true;
}

static rt_status pool_push(struct kimage *img, uint64_t phys, uint64_t pages)
{
	if (!pages)
		return RT_OK;
	if (img->npool && img->pool[img->npool - 1].phys + img->pool[img->npool - 1].pages * PAGE == phys) {
		img->pool[img->npool - 1].pages += pages;
	} else {
		if (!reserve(img, (void **)&img->pool, &img->pool_cap, sizeof(*img->pool),
			     img->npool + 1))
			return rt_fail(RT_ENOMEM, SUB, "no memory for the page pool");
		img->pool[img->npool++] = (struct kimage_run){ phys, pages };
	}
	img->pool_pages += pages;
	return RT_OK;
}

static uint64_t pool_take(struct kimage *img)
{
	struct kimage_run *r = &img->pool[img->npool - 1];
	uint64_t p = r->phys;

	r->phys += PAGE;
	if (--r->pages == 0)
		img->npool--;
	img->pool_pages--;
	return p;
}

/* The segment (sorted position) whose destination holds `phys`, or the
 * first one above it; returns n when there is none above. */
static unsigned seg_from(const struct kimage *img, uint64_t phys)
{
	unsigned lo = 0, hi = img->nr_active;

	/* First sorted segment whose end is above phys (ends are sorted too). */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (seg_end(&img->segment[img->order[mid]]) <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Puts pages [phys, phys + pages) from the allocator to use (see top). */
static rt_status absorb(struct kimage *img, uint64_t phys, uint64_t pages)
{
	uint64_t p = phys, end = phys + pages * PAGE;
	rt_status st;

	while (p < end) {
		unsigned k = seg_from(img, p);
		const struct kimage_segment *s;
		if (k == img->nr_active || img->segment[img->order[k]].mem >= end)
			return pool_push(img, p, (end - p) / PAGE);
		s = &img->segment[img->order[k]];
		if (s->mem > p) {
			st = pool_push(img, p, (s->mem - p) / PAGE);
			if (st)
				return st;
			p = s->mem;
		}
		struct kimage_seg_plan *pl = &img->plan[img->order[k]];
		uint64_t e = seg_end(s) < end ? seg_end(s) : end;
		if (s->scratch) {
			/* No copy writes a scratch page: safe for staging and
			 * indirection (alloc_control keeps control runs out). */
			st = pool_push(img, p, (e - p) / PAGE);
			if (st)
				return st;
			p = e;
			continue;
		}
		for (; p < e; p += PAGE) {
			uint64_t *slot = &pl->stage[(p - s->mem) / PAGE];
			uint64_t old = *slot & KIMAGE_PAGE_MASK;
			if (!*slot) {
				img->need--;
			} else if (old == p) {
				return rt_fail(RT_EALLOC, SUB, "allocator returned page %#llx, which is in use",
					       (unsigned long long)p);
			} else {
				/* It had a staging page: that one is free again. */
				st = pool_push(img, old, 1);
				if (st)
					return st;
				img->pages_staged--;
			}
			*slot = p | STAGED;
			pl->in_place++;
			img->pages_in_place++;
		}
	}
	return RT_OK;
}

static rt_status alloc_absorb(struct kimage *img, uint64_t want, uint64_t *phys, uint64_t *got)
{
	rt_status st;

	img->alloc_calls++;
	st = img->plat->alloc_pages(img->plat->ctx, want, phys, got);
	if (st != RT_OK || *got == 0 || *got > want)
		return rt_fail(RT_ENOMEM, SUB, "out of memory: wanted %llu pages",
			       (unsigned long long)want);
	return RT_OK;
}

static bool hits_destination(const struct kimage *img, uint64_t phys, uint64_t pages)
{
	unsigned k = seg_from(img, phys);

	return k < img->nr_active && img->segment[img->order[k]].mem < phys + pages * PAGE;
}

static rt_status claim_free_parts(struct kimage *img)
{
	const struct memmap *m = img->map;

	for (unsigned i = 0; i < img->nr_segments; i++) {
		const struct kimage_segment *s = &img->segment[i];
		struct kimage_seg_plan *pl = &img->plan[i];
		for (size_t r = 0; m && r < m->n; r++) {
			uint64_t lo = m->r[r].start > s->mem ? m->r[r].start : s->mem;
			uint64_t hi = m->r[r].end < seg_end(s) ? m->r[r].end : seg_end(s);
			if (m->r[r].type != MEM_FREE)
				continue;
			lo = rt_align_up(lo, PAGE);
			hi = rt_align_down(hi, PAGE);
			if (hi <= lo)
				continue;
			if (img->plat->claim(img->plat->ctx, lo, (hi - lo) / PAGE) != RT_OK) {
				rt_debug(SUB, "segment %u: [%#llx, %#llx) not claimable, will be staged", i,
					 (unsigned long long)lo, (unsigned long long)hi);
				continue;
			}
			for (uint64_t p = lo; p < hi; p += PAGE)
				pl->stage[(p - s->mem) / PAGE] = p | STAGED;
			pl->in_place += (hi - lo) / PAGE;
			img->pages_in_place += (hi - lo) / PAGE;
			img->need -= (hi - lo) / PAGE;
		}
	}
	return RT_OK;
}

static rt_status alloc_control(struct kimage *img, uint64_t pages)
{
	rt_status st;

	while (pages) {
		uint64_t phys, got;
		st = alloc_absorb(img, pages, &phys, &got);
		if (st)
			return st;
		if (got == pages && !hits_destination(img, phys, pages)) {
			img->control_page = phys;
			img->control_pages = pages;
			return RT_OK;
		}
		st = absorb(img, phys, got);
		if (st)
			return st;
	}
	return RT_OK;
}

/*
 * Writes the entry list, or with w->page == NULL only counts it: for each
 * run of staged pages, DESTINATION where the cursor jumps, then a SOURCE a
 * page; pages loaded in place need no entry but break the run.
 */
struct writer {
	const struct kimage *img;
	uint64_t *page;  /* current indirection page; NULL: count only */
	uint64_t index;  /* which indirection page */
	uint64_t slot;
	uint64_t count;
};

static void emit(struct writer *w, kimage_entry_t e)
{
	const struct kimage_platform *pl = w->img->plat;

	w->count++;
	if (!w->page)
		return;
	if (w->slot == KIMAGE_LINK_SLOT) {
		uint64_t next = w->img->ind_pages[++w->index];
		w->page[KIMAGE_LINK_SLOT] = next | IND_INDIRECTION;
		w->page = pl->phys_to_virt(pl->ctx, next);
		RT_FN(memset)(w->page, 0, PAGE);
		w->slot = 0;
	}
	w->page[w->slot++] = e;
}

static uint64_t walk_entries(const struct kimage *img, uint64_t *first_page)
{
	struct writer w = { img, first_page, 0, 0, 0 };

	for (unsigned k = 0; k < img->nr_active; k++) {
		unsigned i = img->order[k];
		const struct kimage_seg_plan *sp = &img->plan[i];
		uint64_t mem = img->segment[i].mem;
		bool cursor = false;
		for (uint64_t p = 0; p < sp->npages; p++) {
			uint64_t src = sp->stage[p] & KIMAGE_PAGE_MASK, dst = mem + p * PAGE;
			if (src == dst) {
				cursor = false;
				continue;
			}
			if (!cursor)
				emit(&w, dst | IND_DESTINATION);
			emit(&w, src | IND_SOURCE);
			cursor = true;
		}
	}
	/* The slot after the last entry is free: at worst the link slot. */
	if (w.page)
		w.page[w.slot] = IND_DONE;
	return w.count;
}

static uint64_t count_entries(const struct kimage *img)
{
	return walk_entries(img, NULL);
}

static void write_entries(struct kimage *img)
{
	const struct kimage_platform *pl = img->plat;
	uint64_t *first;

	if (!img->entries) {
		img->head = IND_DONE;
		return;
	}
	img->head = img->ind_pages[0] | IND_INDIRECTION;
	first = pl->phys_to_virt(pl->ctx, img->ind_pages[0]);
	RT_FN(memset)(first, 0, PAGE);
	walk_entries(img, first);
}

/* A crash image: everything is written in place, inside the caller's
 * region; the control pages go in its lowest gap no segment covers (the
 * kernel's kimage_alloc_crash_control_pages searches it too). */
static rt_status plan_crash(struct kimage *img, uint64_t control_pages)
{
	uint64_t at = img->crash_base, need = control_pages * PAGE;
	img->head = IND_DONE;
	for (unsigned i = 0; i < img->nr_segments; i++) {
		img->plan[i].npages = img->plan[i].in_place = img->segment[i].memsz / PAGE;
		img->pages_in_place += img->segment[i].memsz / PAGE;
	}
	for (unsigned k = 0; need && k < img->nr_active; k++) {
		const struct kimage_segment *s = &img->segment[img->order[k]];
		if (s->mem >= at && s->mem - at >= need)
			break;
		if (seg_end(s) > at)
			at = seg_end(s);
	}
	if (need && (at > img->crash_end || img->crash_end - at < need)) {
		img->planned = false;
		return rt_fail(RT_ENOSPC, SUB, "no room for %llu control pages in the crash region [%#llx, %#llx)",
			       (unsigned long long)control_pages,
			       (unsigned long long)img->crash_base,
			       (unsigned long long)img->crash_end);
	}
	img->control_page = need ? at : 0;
	img->control_pages = control_pages;
	return RT_OK;
}

static rt_status plan_indirection(struct kimage *img)
{
	rt_status st;

	/*
	 * Indirection pages. Getting one from the allocator may turn a staged
	 * page into an in-place one, which changes the entry count; so count,
	 * get all the pages that count needs, and count again, until it holds.
	 * A round only repeats for pages the allocator handed out in the round
	 * before, so this ends after a few rounds, each linear.
	 */
	for (;;) {
		uint64_t pages;
		img->entries = count_entries(img);
		pages = (img->entries + KIMAGE_LINK_SLOT - 1) / KIMAGE_LINK_SLOT;
		if (img->nind >= pages) {
			while (img->nind > pages) {
				st = pool_push(img, img->ind_pages[--img->nind], 1);
				if (st)
					return st;
			}
			break;
		}
		if (!reserve(img, (void **)&img->ind_pages, &img->ind_cap, sizeof(uint64_t), pages))
			return rt_fail(RT_ENOMEM, SUB, "no memory for %llu indirection pages",
				       (unsigned long long)pages);
		while (img->nind < pages) {
			if (!img->pool_pages) {
				uint64_t phys, got;
				st = alloc_absorb(img, pages - img->nind, &phys, &got);
				if (!st)
					st = absorb(img, phys, got);
				if (st)
					return st;
				continue;
			}
			img->ind_pages[img->nind++] = pool_take(img);
		}
	}
	return RT_OK;
}

rt_status kimage_plan(struct kimage *img, uint64_t control_pages)
{
	rt_status st;

	if (img->planned)
		return rt_fail(RT_EINVAL, SUB, "image planned twice");
	st = kimage_check_segments(img);
	if (st)
		return st;
	img->planned = true;
	if (img->kind == KIMAGE_CRASH)
		return plan_crash(img, control_pages);
	for (unsigned i = 0; i < img->nr_segments; i++) {
		struct kimage_seg_plan *pl = &img->plan[i];
		pl->npages = img->segment[i].memsz / PAGE;
		img->need += pl->npages;
		if (!pl->npages)
			continue;
		pl->stage = img->plat->meta_alloc(img->plat->ctx, pl->npages * sizeof(uint64_t));
		if (!pl->stage) {
			st = rt_fail(RT_ENOMEM, SUB, "no memory to plan segment %u (%llu pages)", i,
				     (unsigned long long)pl->npages);
			goto fail;
		}
	}
	st = claim_free_parts(img);
	if (st)
		goto fail;
	/* Scratch pages not claimed stay where they are, busy until the exit:
	 * their own page, no entry, not ours to free. */
	for (unsigned i = 0; i < img->nr_segments; i++) {
		struct kimage_seg_plan *pl = &img->plan[i];
		if (!img->segment[i].scratch)
			continue;
		for (uint64_t p = 0; p < pl->npages; p++)
			if (!pl->stage[p]) {
				pl->stage[p] = (img->segment[i].mem + p * PAGE) | STAGED | UNOWNED;
				img->need--;
				img->pages_scratch++;
			}
	}
	st = alloc_control(img, control_pages);
	if (st)
		goto fail;
	/* Collect safe pages until every destination page has a home. */
	while (img->pool_pages < img->need) {
		uint64_t phys, got;
		st = alloc_absorb(img, img->need - img->pool_pages, &phys, &got);
		if (st)
			goto fail;
		st = absorb(img, phys, got);
		if (st)
			goto fail;
	}
	for (unsigned k = 0; k < img->nr_segments; k++) {
		struct kimage_seg_plan *pl = &img->plan[img->order[k]];
		for (uint64_t p = 0; p < pl->npages; p++)
			if (!pl->stage[p]) {
				pl->stage[p] = pool_take(img) | STAGED;
				img->pages_staged++;
			}
	}
	img->need = 0;
	st = plan_indirection(img);
	if (st)
		goto fail;
	img->indirection_pages = img->nind;
	write_entries(img);
	/* Give back what was collected and not used. */
	for (size_t r = 0; r < img->npool; r++)
		img->plat->free_pages(img->plat->ctx, img->pool[r].phys, img->pool[r].pages);
	img->npool = 0;
	img->pool_pages = 0;
	rt_debug(SUB, "planned %u segments: %llu pages in place, %llu staged, %llu entries in %llu indirection pages, %llu allocator calls",
		 img->nr_segments, (unsigned long long)img->pages_in_place,
		 (unsigned long long)img->pages_staged, (unsigned long long)img->entries,
		 (unsigned long long)img->indirection_pages, (unsigned long long)img->alloc_calls);
	return RT_OK;
fail:
	kimage_release(img);
	return st;
}

/* --- loading ---------------------------------------------------------------------- */

rt_status kimage_span(const struct kimage *img, unsigned seg, uint64_t offset, void **ptr,
		      uint64_t *len)
{
	const struct kimage_platform *pl = img->plat;
	const struct kimage_segment *s = &img->segment[seg];

	if (seg >= img->nr_segments || !img->planned || offset >= s->memsz)
		return RT_EINVAL;
	if (img->kind == KIMAGE_CRASH) {
		*ptr = (uint8_t *)pl->phys_to_virt(pl->ctx, s->mem) + offset;
		*len = s->memsz - offset;
		return RT_OK;
	}
	const struct kimage_seg_plan *sp = &img->plan[seg];
	uint64_t idx = offset / PAGE, first = sp->stage[idx] & KIMAGE_PAGE_MASK;
	uint8_t *base = pl->phys_to_virt(pl->ctx, first);
	uint64_t n = 1;

	while (idx + n < sp->npages && (sp->stage[idx + n] & KIMAGE_PAGE_MASK) == first + n * PAGE &&
	       pl->phys_to_virt(pl->ctx, first + n * PAGE) == base + n * PAGE)
		n++;
	*ptr = base + offset % PAGE;
	*len = n * PAGE - offset % PAGE;
	return RT_OK;
}

/* The byte at `offset` of a planned segment, where it lies now. */
static uint8_t *byte_at(const struct kimage *img, unsigned seg, uint64_t offset)
{
	const struct kimage_platform *pl = img->plat;

	if (img->kind == KIMAGE_CRASH)
		return (uint8_t *)pl->phys_to_virt(pl->ctx, img->segment[seg].mem) + offset;
	return (uint8_t *)pl->phys_to_virt(pl->ctx, img->plan[seg].stage[offset / PAGE] & KIMAGE_PAGE_MASK) +
	       offset % PAGE;
}

rt_status kimage_add_le(const struct kimage *img, unsigned seg, uint64_t offset, unsigned width, uint64_t add)
{
	uint8_t *b[8];
	uint64_t v = 0;

	if (seg >= img->nr_segments || !img->planned || !width || width > 8 ||
	    offset > img->segment[seg].memsz || img->segment[seg].memsz - offset < width)
		return rt_fail(RT_ERANGE, SUB, "segment %u: %u bytes at %#llx are outside its %#llx bytes", seg, width,
			       (unsigned long long)offset,
			       (unsigned long long)(seg < img->nr_segments ? img->segment[seg].memsz : 0));
	b[0] = byte_at(img, seg, offset);
	for (unsigned i = 1; i < width; i++)
		b[i] = (offset + i) % PAGE ? b[i - 1] + 1 : byte_at(img, seg, offset + i);
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)*b[i] << (8 * i);
	v += add;
	for (unsigned i = 0; i < width; i++)
		*b[i] = (uint8_t)(v >> (8 * i));
	return RT_OK;
}

static rt_status each_span(const struct kimage *img, unsigned seg, uint64_t offset, uint64_t len,
			   const uint8_t *src, bool zero)
{
	if (seg >= img->nr_segments || offset > img->segment[seg].memsz ||
	    len > img->segment[seg].memsz - offset)
		return rt_fail(RT_ERANGE, SUB, "segment %u: [%#llx, +%#llx) is outside its %#llx bytes",
			       seg, (unsigned long long)offset, (unsigned long long)len,
			       (unsigned long long)(seg < img->nr_segments ? img->segment[seg].memsz : 0));
	while (len) {
		void *p;
		uint64_t n;
		rt_status st = kimage_span(img, seg, offset, &p, &n);
		if (st)
			return st;
		if (n > len)
			n = len;
		if (zero) {
			RT_FN(memset)(p, 0, n);
		} else {
			RT_FN(memcpy)(p, src, n);
			src += n;
		}
		offset += n;
		len -= n;
	}
	return RT_OK;
}

rt_status kimage_write(const struct kimage *img, unsigned seg, uint64_t offset, const void *src,
		       uint64_t len)
{
	return each_span(img, seg, offset, len, src, false);
}

rt_status kimage_zero(const struct kimage *img, unsigned seg, uint64_t offset)
{
	if (seg >= img->nr_segments || offset > img->segment[seg].memsz)
		return RT_ERANGE;
	return each_span(img, seg, offset, img->segment[seg].memsz - offset, NULL, true);
}

rt_status kimage_load(const struct kimage *img)
{
	for (unsigned i = 0; i < img->nr_segments; i++) {
		const struct kimage_segment *s = &img->segment[i];
		rt_status st;
		if (!s->buf || !s->memsz || s->scratch)
			continue;
		st = kimage_write(img, i, 0, s->buf, s->bufsz);
		if (!st)
			st = kimage_zero(img, i, s->bufsz);
		if (st)
			return st;
	}
	return RT_OK;
}

/* Feeds every byte segment `seg` will hold at its destination (all
 * memsz), span by span, to `update`. */
static rt_status sweep(const struct kimage *img, unsigned seg, void (*update)(void *ctx, const void *p, size_t n),
		       void *ctx)
{
	uint64_t off = 0;

	if (seg >= img->nr_segments)
		return RT_EINVAL;
	while (off < img->segment[seg].memsz) {
		void *p;
		uint64_t n;
		rt_status st = kimage_span(img, seg, off, &p, &n);
		if (st)
			return st;
		update(ctx, p, (size_t)n);
		off += n;
	}
	return RT_OK;
}

static void sha256_feed(void *ctx, const void *p, size_t n)
{
	sha256_update(ctx, p, n);
}

static void xxh64_feed(void *ctx, const void *p, size_t n)
{
	xxh64_update(ctx, p, n);
}

rt_status kimage_digest(const struct kimage *img, unsigned seg, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;
	rt_status st;

	sha256_init(&c);
	st = sweep(img, seg, sha256_feed, &c);
	if (st == RT_OK)
		sha256_final(&c, out);
	return st;
}

rt_status kimage_digest_xxh64(const struct kimage *img, unsigned seg, uint64_t *out)
{
	struct xxh64_ctx c;
	rt_status st;

	xxh64_init(&c, 0);
	st = sweep(img, seg, xxh64_feed, &c);
	*out = xxh64_final(&c);
	return st;
}

rt_status kimage_digest_regions(const struct kimage *img, struct kimage_digest_region *out,
				unsigned *n)
{
	*n = 0;
	if (!img->planned)
		return rt_fail(RT_EINVAL, SUB, "digests of an image not planned");
	for (unsigned k = 0; k < img->nr_active; k++) {
		unsigned i = img->order[k];
		struct kimage_digest_region *r;
		rt_status st;
		if (img->segment[i].scratch)
			continue;
		r = &out[(*n)++];
		r->mem = img->segment[i].mem;
		r->memsz = img->segment[i].memsz;
		st = kimage_digest(img, i, r->sha256);
		if (st)
			return st;
	}
	return RT_OK;
}

/* --- release -------------------------------------------------------------------------- */

static void free_meta(struct kimage *img)
{
	const struct kimage_platform *pl = img->plat;

	for (unsigned i = 0; i < KIMAGE_MAX_SEGMENTS; i++) {
		if (img->plan[i].stage)
			pl->meta_free(pl->ctx, img->plan[i].stage, img->plan[i].npages * sizeof(uint64_t));
		img->plan[i].stage = NULL;
	}
	if (img->pool)
		pl->meta_free(pl->ctx, img->pool, img->pool_cap * sizeof(*img->pool));
	if (img->ind_pages)
		pl->meta_free(pl->ctx, img->ind_pages, img->ind_cap * sizeof(uint64_t));
	img->pool = NULL;
	img->ind_pages = NULL;
	img->npool = img->pool_cap = 0;
	img->nind = img->ind_cap = 0;
}

void kimage_release(struct kimage *img)
{
	const struct kimage_platform *pl = img->plat;

	if (img->kind == KIMAGE_NORMAL) {
		for (unsigned i = 0; i < KIMAGE_MAX_SEGMENTS; i++) {
			const struct kimage_seg_plan *sp = &img->plan[i];
			uint64_t run = 0, n = 0;
			for (uint64_t p = 0; sp->stage && p < sp->npages; p++) {
				uint64_t a = sp->stage[p] & KIMAGE_PAGE_MASK;
				if (!sp->stage[p] || (sp->stage[p] & UNOWNED)) {
					if (n)
						pl->free_pages(pl->ctx, run, n);
					n = 0;
					continue;
				}
				if (n && a == run + n * PAGE) {
					n++;
					continue;
				}
				if (n)
					pl->free_pages(pl->ctx, run, n);
				run = a;
				n = 1;
			}
			if (n)
				pl->free_pages(pl->ctx, run, n);
		}
		for (size_t r = 0; r < img->npool; r++)
			pl->free_pages(pl->ctx, img->pool[r].phys, img->pool[r].pages);
		for (uint64_t k = 0; k < img->nind; k++)
			pl->free_pages(pl->ctx, img->ind_pages[k], 1);
		if (img->control_pages)
			pl->free_pages(pl->ctx, img->control_page, img->control_pages);
	}
	free_meta(img);
	img->control_pages = 0;
	img->head = IND_DONE;
	img->planned = false;
}

void kimage_forget(struct kimage *img)
{
	free_meta(img);
}

/* --- the reference trampoline ------------------------------------------------------ */

uint64_t kimage_relocate_ref(kimage_entry_t head, void *(*p2v)(void *ctx, uint64_t phys),
			     void *ctx, uint64_t max_entries)
{
	const kimage_entry_t *ptr = &head;
	uint64_t dest = 0, copied = 0, seen = 0;
	bool have_dest = false;

	/* for (entry = head; entry && !(entry & DONE); entry = next) */
	for (;;) {
		kimage_entry_t e = *ptr;
		uint64_t addr = e & KIMAGE_PAGE_MASK;
		if (!e || (e & IND_DONE))
			return copied;
		if (++seen > max_entries)
			return UINT64_MAX;
		switch (e & ~KIMAGE_PAGE_MASK) {
		case IND_DESTINATION:
			dest = addr;
			have_dest = true;
			ptr++;
			break;
		case IND_INDIRECTION:
			ptr = p2v(ctx, addr);
			break;
		case IND_SOURCE:
			if (!have_dest)
				return UINT64_MAX;
			RT_FN(memcpy)(p2v(ctx, dest), p2v(ctx, addr), PAGE);
			dest += PAGE;
			copied++;
			ptr++;
			break;
		default:
			return UINT64_MAX;
		}
	}
}
