/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * kimage.h - the kernel's kexec model, for firmware.
 *
 * Why it looks like this. A kernel image is a list of segments, each some
 * bytes (buf, bufsz) that must end up at a physical address (mem, memsz;
 * the tail past bufsz zero). While efikexec runs, many destinations are
 * still in use - by firmware, by efikexec itself - so their bytes are put
 * aside in staging pages and copied into place only after ExitBootServices,
 * by a trampoline that runs in control pages. What to copy where is told by
 * the kernel's entry list: page addresses ORed with one flag each
 *
 *   DESTINATION  set the copy cursor         INDIRECTION  the list goes on
 *   SOURCE       copy one page to the        DONE         the end
 *                cursor, advance it a page
 *
 * in indirection pages of 511 entries and a link slot, exactly as the
 * kernel's kexec_core.c encodes it (and its relocate_kernel walks it).
 *
 * The invariant that makes the copy safe: every staging page, indirection
 * page and control page is either its own destination or nobody's. Then no
 * copy can overwrite a page that is still to be read. The kernel keeps it in
 * kimage_alloc_page() with a search of the whole list for each page that
 * collides with a destination (quadratic). Here every destination page has
 * a slot in a per-segment array, so a colliding page is put to use in O(1):
 * it becomes its own destination, loaded in place. With at most 16 sorted
 * segments, classifying a page is a binary search: O(n log 16) in all.
 *
 * Firmware adds what the kernel never has: destinations that are free
 * memory right now. Those parts are claimed (AllocatePages at the address)
 * and loaded in place, no staging, no entries, no copy - for a normal boot
 * that is usually all of them. A crash-style image (KIMAGE_CRASH) goes
 * further: everything lies inside a region the caller owns, head is DONE.
 *
 * No firmware calls here: what the planner needs comes through struct
 * kimage_platform, which efi/ implements with boot services and the tests
 * over a host buffer standing for physical memory.
 */
#ifndef EFIKEXEC_KIMAGE_H
#define EFIKEXEC_KIMAGE_H

#include "memmap.h"
#include "sha256.h"

#define KIMAGE_PAGE_SIZE 4096ull
#define KIMAGE_PAGE_MASK (~(KIMAGE_PAGE_SIZE - 1))
#define KIMAGE_MAX_SEGMENTS 16 /* the kernel's KEXEC_SEGMENT_MAX */

/* Entry flags, the kernel's IND_* values (include/linux/kexec.h). */
#define IND_DESTINATION 0x1ull
#define IND_INDIRECTION 0x2ull
#define IND_DONE 0x4ull
#define IND_SOURCE 0x8ull
/* Entries per indirection page, and the slot that links to the next. */
#define KIMAGE_ENTRIES_PER_PAGE (KIMAGE_PAGE_SIZE / sizeof(uint64_t))
#define KIMAGE_LINK_SLOT (KIMAGE_ENTRIES_PER_PAGE - 1)

typedef uint64_t kimage_entry_t;

struct kimage_segment {
	const void *buf; /* may be NULL: data is written later (kimage_write) */
	size_t bufsz;
	uint64_t mem;
	uint64_t memsz;
	/*
	 * Scratch: room the next kernel needs free at entry, whose contents do
	 * not matter (an x86 kernel's init_size beyond its file: it builds its
	 * bss and tables there). Kept clear of the control pages, which are
	 * still in use at entry; free parts are claimed; busy parts are left
	 * as they are (free once boot services exit) - never staged, never
	 * copied, not digested. bufsz must be 0.
	 */
	bool scratch;
};

/* What the planner needs from the platform. Physical addresses throughout. */
struct kimage_platform {
	void *ctx;
	/* Allocate up to `max` (>= 1) contiguous pages anywhere; *got >= 1 on
	 * success. Pages handed out are not handed out again until freed. */
	rt_status (*alloc_pages)(void *ctx, uint64_t max, uint64_t *phys, uint64_t *got);
	/* Allocate exactly [phys, phys + pages pages) if all of it is free now. */
	rt_status (*claim)(void *ctx, uint64_t phys, uint64_t pages);
	void (*free_pages)(void *ctx, uint64_t phys, uint64_t pages);
	/* Where the CPU reaches a physical page now (identity in firmware). */
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	/* Zeroed bookkeeping memory (pool), and its release. */
	void *(*meta_alloc)(void *ctx, size_t size);
	void (*meta_free)(void *ctx, void *p, size_t size);
};

enum kimage_kind {
	KIMAGE_NORMAL, /* destinations anywhere in RAM; staged when busy */
	KIMAGE_CRASH,  /* all segments inside [crash_base, crash_end), in place */
};

/* Per segment: where each destination page's bytes live until relocation. */
struct kimage_seg_plan {
	uint64_t *stage;   /* per page: staging page | 1, or 0 before planning;
			    * a page equal to its destination is loaded in place */
	uint64_t npages;
	uint64_t in_place; /* pages loaded at their destination */
};

struct kimage_run {
	uint64_t phys, pages;
};

struct kimage {
	enum kimage_kind kind;
	const struct kimage_platform *plat;
	const struct memmap *map;
	uint64_t crash_base, crash_end;

	unsigned nr_segments;
	struct kimage_segment segment[KIMAGE_MAX_SEGMENTS];
	unsigned order[KIMAGE_MAX_SEGMENTS]; /* non-empty segments by address, then empty */
	unsigned nr_active;                  /* how many are non-empty */

	/* Results of kimage_plan(). */
	kimage_entry_t head;       /* first entry: INDIRECTION | page, or DONE */
	uint64_t control_page;     /* first of control_pages contiguous pages */
	uint64_t control_pages;
	struct kimage_seg_plan plan[KIMAGE_MAX_SEGMENTS];
	uint64_t pages_staged, pages_in_place, entries, indirection_pages;
	uint64_t pages_scratch;    /* scratch pages left busy (not ours, not copied) */
	uint64_t alloc_calls;

	/* Bookkeeping. What the image holds is found, to release it, in the
	 * stage[] arrays, the pool, ind_pages and the control run. */
	struct kimage_run *pool;    /* safe pages not yet given a use */
	size_t npool, pool_cap;
	uint64_t pool_pages;
	uint64_t *ind_pages;        /* indirection pages, in list order */
	uint64_t nind;
	size_t ind_cap;
	uint64_t need;              /* destination pages still without a home */
	bool planned;
};

void kimage_init(struct kimage *img, enum kimage_kind kind, const struct kimage_platform *plat,
		 const struct memmap *map);
/* For KIMAGE_CRASH: the region every segment must lie in. */
void kimage_set_crash_region(struct kimage *img, uint64_t base, uint64_t end);
/* Appends a segment; RT_ESEG_COUNT past KIMAGE_MAX_SEGMENTS. Returns its index. */
rt_status kimage_add_segment(struct kimage *img, const struct kimage_segment *seg, unsigned *index);

/*
 * The kernel's sanity_check_segment_list() rules, each with its own status
 * and a message with the addresses: at most 16 segments; mem and mem+memsz
 * page-aligned; no wrap-around; no overlap; bufsz <= memsz; destination in
 * RAM of the memory map (free or busy); for KIMAGE_CRASH, inside the region.
 */
rt_status kimage_check_segments(struct kimage *img);

/*
 * Plans the image: claims the free parts of every destination (in place),
 * gives every other destination page a staging page that is nobody's
 * destination, allocates `control_pages` contiguous control pages that no
 * destination touches, and writes the entry list into indirection pages.
 * Runs kimage_check_segments() first. On failure everything allocated so
 * far is released.
 */
rt_status kimage_plan(struct kimage *img, uint64_t control_pages);

/*
 * Where the bytes at `offset` of segment `seg` go now (staging page or
 * destination), and how many bytes from there are contiguous in both the
 * segment and memory (up to the end of memsz). For reading files straight
 * into place. Only after kimage_plan().
 */
rt_status kimage_span(const struct kimage *img, unsigned seg, uint64_t offset, void **ptr,
		      uint64_t *len);
/* Copies `len` bytes to segment `seg` at `offset` (must be within memsz). */
rt_status kimage_write(const struct kimage *img, unsigned seg, uint64_t offset, const void *src,
		       uint64_t len);
/* Zero-fills segment `seg` from `offset` to memsz. */
rt_status kimage_zero(const struct kimage *img, unsigned seg, uint64_t offset);
/* Adds `add` to the little-endian `width`-byte (1 to 8) value at `offset`
 * of segment `seg` where its bytes lie now (a relocation), modulo 2^(8 *
 * width): O(1), however the segment's pages are staged. */
rt_status kimage_add_le(const struct kimage *img, unsigned seg, uint64_t offset, unsigned width, uint64_t add);
/* For every segment with a buf: writes buf and zero-fills the tail. */
rt_status kimage_load(const struct kimage *img);

/* SHA-256 of what segment `seg` will hold at its destination (all memsz). */
rt_status kimage_digest(const struct kimage *img, unsigned seg, uint8_t out[SHA256_DIGEST_SIZE]);
/* The same as XXH64 (seed 0, lib/xxh64.h): purgatory's default check. */
rt_status kimage_digest_xxh64(const struct kimage *img, unsigned seg, uint64_t *out);

/* What purgatory checks before it enters the kernel: one region per
 * non-empty segment but scratch ones, its whole destination (zero tail
 * included). */
struct kimage_digest_region {
	uint64_t mem, memsz;
	uint8_t sha256[SHA256_DIGEST_SIZE];
};
/* Fills out[] (room for KIMAGE_MAX_SEGMENTS) in address order; *n regions. */
rt_status kimage_digest_regions(const struct kimage *img, struct kimage_digest_region *out,
				unsigned *n);

/* Releases every page and all bookkeeping the image holds. */
void kimage_release(struct kimage *img);
/* Releases bookkeeping only, keeping the pages (they are to be used). */
void kimage_forget(struct kimage *img);

/*
 * The C reference of the relocation trampoline: walks the entry list from
 * `head` and copies each SOURCE page to the cursor, through p2v. Returns the
 * number of pages copied, or UINT64_MAX for a malformed list (a SOURCE
 * before any DESTINATION, an unknown flag, more than `max_entries`).
 */
uint64_t kimage_relocate_ref(kimage_entry_t head, void *(*p2v)(void *ctx, uint64_t phys),
			     void *ctx, uint64_t max_entries);

#endif
