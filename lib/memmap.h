/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * memmap.h - the physical memory map as the planner sees it.
 *
 * Why a model of its own: the EFI memory map speaks of a dozen types, the
 * kernel's kexec of "System RAM" and everything else, and placement needs
 * one more distinction that neither has: RAM that is free *now* (where a
 * segment can be loaded in place, no copy later) versus RAM that becomes
 * the kernel's only after ExitBootServices (boot-services and loader
 * memory: a destination there must be staged and relocated). efi/ builds
 * this from GetMemoryMap; the tests build it over simulated RAM.
 */
#ifndef EFIKEXEC_MEMMAP_H
#define EFIKEXEC_MEMMAP_H

#include "rt.h"

enum mem_type {
	MEM_FREE,       /* RAM, free now (EfiConventionalMemory) */
	MEM_BUSY,       /* RAM once boot services exit (loader, boot services) */
	MEM_RESERVED,   /* never RAM for the kernel (reserved, unusable, MMIO) */
	MEM_RUNTIME,    /* runtime services code/data: the kernel keeps them */
	MEM_ACPI,       /* ACPI reclaimable */
	MEM_NVS,        /* ACPI NVS */
	MEM_PERSISTENT, /* persistent memory */
	MEM_TYPE_COUNT
};

#define MEM_MASK(t) (1u << (t))
/* Memory the next kernel may be loaded into. */
#define MEM_MASK_RAM (MEM_MASK(MEM_FREE) | MEM_MASK(MEM_BUSY))

#define MEMMAP_MAX 512

struct mem_range {
	uint64_t start;
	uint64_t end; /* exclusive */
	enum mem_type type;
};

struct memmap {
	size_t n;
	struct mem_range r[MEMMAP_MAX];
};

/* A span to keep clear of: a segment already placed, a reserved window. */
struct mem_span {
	uint64_t start;
	uint64_t end; /* exclusive */
};

const char *mem_type_name(enum mem_type t);

void memmap_init(struct memmap *m);
/* Appends [start, end); RT_E2BIG when full, RT_EINVAL when empty or wrapped. */
rt_status memmap_add(struct memmap *m, uint64_t start, uint64_t end, enum mem_type type);
/* Sorts by address and merges touching ranges of one type. Overlapping
 * ranges are an error (RT_EINVAL, logged with both ranges). */
rt_status memmap_normalize(struct memmap *m);
/* Gives the mapped part of [start, end) the type `type` (a normalised
 * map, normalised again); the map is unchanged on failure. */
rt_status memmap_set_type(struct memmap *m, uint64_t start, uint64_t end, enum mem_type type);
/* True when every byte of [start, end) lies in ranges whose types are in
 * `mask`. The map must be normalised. O(log n). */
bool memmap_covers(const struct memmap *m, uint64_t start, uint64_t end, unsigned mask);
/* The end of the run of ranges whose types are in `mask` that covers
 * `start` without a hole (ranges of different types in the mask may
 * touch); `start` itself when none covers it. The map must be sorted. */
uint64_t memmap_run_end(const struct memmap *m, uint64_t start, unsigned mask);

struct hole_req {
	uint64_t size;      /* bytes, > 0 */
	uint64_t align;     /* power of two, >= 1 */
	uint64_t min;       /* lowest acceptable start */
	uint64_t max;       /* highest acceptable end (exclusive); 0: no limit */
	bool top_down;      /* highest fit first (kexec_file's default), else lowest */
	unsigned mask;      /* acceptable types: MEM_MASK(...) | ... */
	const struct mem_span *avoid; /* spans to keep clear of (any order) */
	size_t navoid;
};

/*
 * Finds an aligned hole of req->size bytes inside one range of an allowed
 * type, within [min, max), overlapping none of the avoided spans - as the
 * kernel's kexec_locate_mem_hole() does for kexec_file. RT_ENOSPC when none.
 */
rt_status memmap_find_hole(const struct memmap *m, const struct hole_req *req, uint64_t *out);
/*
 * As memmap_find_hole, but the hole is one of all that fit, drawn: every
 * aligned start in every allowed range is a slot, counted from the lowest,
 * and the one taken is slot (count * seed) >> 32 - how the kernel's EFI
 * stub places a kernel for physical KASLR (drivers/firmware/efi/libstub/
 * randomalloc.c efi_random_alloc). top_down is not read; *nslots is the
 * count. A seed of 0 takes the lowest fit.
 */
rt_status memmap_random_hole(const struct memmap *m, const struct hole_req *req, uint32_t seed, uint64_t *out,
			     uint64_t *nslots);

#endif
