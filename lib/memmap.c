/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * memmap.c - memory map model: normalising, coverage queries and hole
 * finding. See memmap.h for why it is separate from the EFI map.
 */
#include "memmap.h"

const char *mem_type_name(enum mem_type t)
{
	static const char *const names[MEM_TYPE_COUNT] = {
		[MEM_FREE] = "free", [MEM_BUSY] = "busy", [MEM_RESERVED] = "reserved",
		[MEM_RUNTIME] = "runtime", [MEM_ACPI] = "acpi", [MEM_NVS] = "nvs",
		[MEM_PERSISTENT] = "persistent",
	};
	return (unsigned)t < MEM_TYPE_COUNT ? names[t] : "?";
}

void memmap_init(struct memmap *m)
{
	m->n = 0;
}

rt_status memmap_add(struct memmap *m, uint64_t start, uint64_t end, enum mem_type type)
{
	if (end <= start || (unsigned)type >= MEM_TYPE_COUNT)
		return rt_fail(RT_EINVAL, "memmap", "bad range [%#llx, %#llx) type %u",
			       (unsigned long long)start, (unsigned long long)end, (unsigned)type);
	if (m->n == MEMMAP_MAX)
		return rt_fail(RT_E2BIG, "memmap", "more than %u ranges", MEMMAP_MAX);
	m->r[m->n++] = (struct mem_range){ start, end, type };
	return RT_OK;
}

rt_status memmap_normalize(struct memmap *m)
{
	size_t out = 0;

	/* Insertion sort: maps are a few hundred entries and mostly sorted. */
	for (size_t i = 1; i < m->n; i++) {
		struct mem_range r = m->r[i];
		size_t j = i;
		while (j > 0 && m->r[j - 1].start > r.start) {
			m->r[j] = m->r[j - 1];
			j--;
		}
		m->r[j] = r;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct mem_range *prev = out ? &m->r[out - 1] : NULL;
		if (prev && m->r[i].start < prev->end)
			return rt_fail(RT_EINVAL, "memmap",
				       "ranges [%#llx, %#llx) %s and [%#llx, %#llx) %s overlap",
				       (unsigned long long)prev->start, (unsigned long long)prev->end,
				       mem_type_name(prev->type), (unsigned long long)m->r[i].start,
				       (unsigned long long)m->r[i].end, mem_type_name(m->r[i].type));
		if (prev && prev->end == m->r[i].start && prev->type == m->r[i].type)
			prev->end = m->r[i].end;
		else
			m->r[out++] = m->r[i];
	}
	m->n = out;
	return RT_OK;
}

/* Index of the last range starting at or below addr, or -1. */
static long range_at_or_below(const struct memmap *m, uint64_t addr)
{
	long lo = 0, hi = (long)m->n - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (m->r[mid].start <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

uint64_t memmap_run_end(const struct memmap *m, uint64_t start, unsigned mask)
{
	uint64_t end = start;

	for (size_t i = 0; i < m->n; i++)
		if ((MEM_MASK(m->r[i].type) & mask) && m->r[i].start <= end && m->r[i].end > end)
			end = m->r[i].end;
	return end;
}

bool memmap_covers(const struct memmap *m, uint64_t start, uint64_t end, unsigned mask)
{
	long i = range_at_or_below(m, start);

	if (end <= start)
		return true;
	if (i < 0)
		return false;
	for (uint64_t at = start; (size_t)i < m->n; i++) {
		const struct mem_range *r = &m->r[i];
		if (r->start > at || !(mask & MEM_MASK(r->type)))
			return false;
		if (r->end >= end)
			return true;
		at = r->end;
	}
	return false;
}

/* The avoided span overlapping [s, s+size), or NULL. */
static const struct mem_span *hits(const struct hole_req *q, uint64_t s)
{
	for (size_t i = 0; i < q->navoid; i++)
		if (s < q->avoid[i].end && q->avoid[i].start < s + q->size)
			return &q->avoid[i];
	return NULL;
}

rt_status memmap_find_hole(const struct memmap *m, const struct hole_req *q, uint64_t *out)
{
	uint64_t max = q->max ? q->max : UINT64_MAX;

	if (!q->size || !rt_is_pow2(q->align))
		return rt_fail(RT_EINVAL, "memmap", "hole of %#llx bytes, alignment %#llx",
			       (unsigned long long)q->size, (unsigned long long)q->align);
	for (size_t k = 0; k < m->n; k++) {
		const struct mem_range *r = &m->r[q->top_down ? m->n - 1 - k : k];
		uint64_t lo = r->start > q->min ? r->start : q->min;
		uint64_t hi = r->end < max ? r->end : max;

		if (!(q->mask & MEM_MASK(r->type)) || hi <= lo || hi - lo < q->size)
			continue;
		if (q->top_down) {
			uint64_t s = rt_align_down(hi - q->size, q->align);
			/* Each step moves below one avoided span: at most navoid+1 steps. */
			while (s >= lo) {
				const struct mem_span *h = hits(q, s);
				if (!h) {
					*out = s;
					return RT_OK;
				}
				if (h->start < q->size + lo)
					break;
				s = rt_align_down(h->start - q->size, q->align);
			}
		} else {
			uint64_t s = rt_align_up(lo, q->align);
			while (s >= lo && s <= hi - q->size) {
				const struct mem_span *h = hits(q, s);
				if (!h) {
					*out = s;
					return RT_OK;
				}
				s = rt_align_up(h->end, q->align);
				if (s < h->end) /* wrapped */
					break;
			}
		}
	}
	return RT_ENOSPC;
}

/*
 * The aligned starts in [lo, hi) of one range where a hole fits, in runs:
 * a run is a stretch of consecutive slots clear of every avoided span.
 * Adds their number to *count; with `left` given, stops at the slot *left
 * slots on (true, *out that slot) or takes *left down by the range's.
 */
static bool range_slots(const struct hole_req *q, uint64_t lo, uint64_t hi, uint64_t *left, uint64_t *out,
			uint64_t *count)
{
	uint64_t s = rt_align_up(lo, q->align);

	while (s >= lo && s <= hi - q->size) {
		const struct mem_span *h = hits(q, s);
		uint64_t end = hi, last, c;

		if (h) {
			s = rt_align_up(h->end, q->align);
			if (s < h->end) /* wrapped */
				break;
			continue;
		}
		/* s is clear, so every span still ahead starts at s + size
		 * or later: the run ends before the nearest */
		for (size_t i = 0; i < q->navoid; i++)
			if (q->avoid[i].start >= s && q->avoid[i].start < end)
				end = q->avoid[i].start;
		last = rt_align_down(end - q->size, q->align);
		c = (last - s) / q->align + 1;
		*count += c;
		if (left && *left < c) {
			*out = s + *left * q->align;
			return true;
		}
		if (left)
			*left -= c;
		if (end >= hi || last + q->align < last)
			break;
		s = last + q->align; /* the span at `end` hits it: skipped above */
	}
	return false;
}

rt_status memmap_random_hole(const struct memmap *m, const struct hole_req *q, uint32_t seed, uint64_t *out,
			     uint64_t *nslots)
{
	uint64_t max = q->max ? q->max : UINT64_MAX, total = 0, seen = 0, left = 0;

	*nslots = 0;
	if (!q->size || !rt_is_pow2(q->align))
		return rt_fail(RT_EINVAL, "memmap", "hole of %#llx bytes, alignment %#llx",
			       (unsigned long long)q->size, (unsigned long long)q->align);
	/* counted, then walked to slot (total * seed) >> 32 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < m->n; k++) {
			const struct mem_range *r = &m->r[k];
			uint64_t lo = r->start > q->min ? r->start : q->min;
			uint64_t hi = r->end < max ? r->end : max;

			if (!(q->mask & MEM_MASK(r->type)) || hi <= lo || hi - lo < q->size)
				continue;
			if (range_slots(q, lo, hi, pass ? &left : NULL, out, pass ? &seen : &total)) {
				*nslots = total;
				return RT_OK;
			}
		}
		if (!total)
			return RT_ENOSPC;
		left = (uint64_t)(((unsigned __int128)total * seed) >> 32);
	}
	return rt_fail(RT_EINVAL, "memmap", "slot %llu of %llu not found", (unsigned long long)left,
		       (unsigned long long)total);
}

rt_status memmap_set_type(struct memmap *m, uint64_t start, uint64_t end, enum mem_type type)
{
	static struct memmap out;
	rt_status st = RT_OK;

	memmap_init(&out);
	for (size_t i = 0; i < m->n && st == RT_OK; i++) {
		struct mem_range r = m->r[i];
		uint64_t a = r.start > start ? r.start : start, b = r.end < end ? r.end : end;
		if (a >= b) {
			st = memmap_add(&out, r.start, r.end, r.type);
			continue;
		}
		if (r.start < a)
			st = memmap_add(&out, r.start, a, r.type);
		if (st == RT_OK)
			st = memmap_add(&out, a, b, type);
		if (st == RT_OK && b < r.end)
			st = memmap_add(&out, b, r.end, r.type);
	}
	if (st == RT_OK)
		st = memmap_normalize(&out);
	if (st == RT_OK)
		*m = out;
	return st;
}
