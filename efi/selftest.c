/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * selftest.c - `efikexec.efi --selftest`: the kimage model against this
 * firmware's real allocator and memory map, without booting anything.
 *
 * It builds an image of two segments: one whose destination is free memory
 * (the planner must claim it and load it in place) and one whose
 * destination is memory efikexec itself holds - busy in the map, as
 * firmware memory would be - so it must be staged and relocated. Because
 * efikexec owns that destination, the reference relocation may run here,
 * with boot services still up, and every byte is checked afterwards. Then
 * everything is released and the free memory must be what it was.
 */
#include "efi.h"
#include "../lib/kimage.h"

#define SELFTEST_STAGED (2ull << 20)
#define SELFTEST_IN_PLACE (1ull << 20)

static uint64_t free_bytes(const struct memmap *m)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == MEM_FREE)
			n += m->r[i].end - m->r[i].start;
	return n;
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 11);
}

EFI_STATUS efi_selftest(void)
{
	static struct memmap m;
	static struct kimage img;
	EFI_PHYSICAL_ADDRESS busy = 0;
	uint64_t hole, before, after;
	uint8_t *data;
	EFI_STATUS st;
	rt_status rs;

	st = efi_memmap_now(&m);
	if (EFI_ERROR(st))
		return st;
	before = free_bytes(&m);
	st = efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, SELFTEST_STAGED / EFI_PAGE_SIZE, &busy);
	if (EFI_ERROR(st))
		return efi_fail(st, "selftest", "no memory for the busy destination");
	st = efi_bs->AllocatePool(EfiLoaderData, SELFTEST_STAGED, (void **)&data);
	if (EFI_ERROR(st)) {
		efi_bs->FreePages(busy, SELFTEST_STAGED / EFI_PAGE_SIZE);
		return efi_fail(st, "selftest", "no pool for the segment data");
	}
	for (uint64_t i = 0; i < SELFTEST_STAGED; i++)
		data[i] = pattern(i);
	RT_FN(memset)((void *)(uintptr_t)busy, 0xee, SELFTEST_STAGED);
	st = efi_memmap_now(&m);
	if (EFI_ERROR(st))
		goto out;
	struct hole_req q = { .size = SELFTEST_IN_PLACE, .align = 2ull << 20, .min = 1ull << 20,
			      .max = 4ull << 30, .top_down = true, .mask = MEM_MASK(MEM_FREE) };
	if (memmap_find_hole(&m, &q, &hole) != RT_OK) {
		st = efi_fail(EFI_OUT_OF_RESOURCES, "selftest", "no free 1 MiB hole below 4 GiB");
		goto out;
	}
	kimage_init(&img, KIMAGE_NORMAL, &efi_platform, &m);
	/* bufsz short of memsz: the tails must come out zero */
	struct kimage_segment s0 = { data, SELFTEST_STAGED - 5000, busy, SELFTEST_STAGED, false };
	struct kimage_segment s1 = { data, SELFTEST_IN_PLACE / 2 + 3, hole, SELFTEST_IN_PLACE, false };
	kimage_add_segment(&img, &s0, NULL);
	kimage_add_segment(&img, &s1, NULL);
	rs = kimage_plan(&img, 2);
	if (!rs)
		rs = kimage_load(&img);
	if (rs) {
		st = efi_status_from_rt(rs);
		goto out_release;
	}
	uint8_t d0[SHA256_DIGEST_SIZE], d1[SHA256_DIGEST_SIZE], h[SHA256_DIGEST_SIZE];
	kimage_digest(&img, 0, d0);
	kimage_digest(&img, 1, d1);
	efi_print("selftest: segment 0 [%#llx, +2 MiB) busy, segment 1 [%#llx, +1 MiB) free; "
		  "%llu pages staged, %llu in place, %llu entries in %llu indirection pages, "
		  "control page %#llx\n",
		  (unsigned long long)busy, (unsigned long long)hole,
		  (unsigned long long)img.pages_staged, (unsigned long long)img.pages_in_place,
		  (unsigned long long)img.entries, (unsigned long long)img.indirection_pages,
		  (unsigned long long)img.control_page);
	uint64_t copied = kimage_relocate_ref(img.head, efi_platform.phys_to_virt, NULL,
					      (img.indirection_pages + 1) * KIMAGE_ENTRIES_PER_PAGE);
	const uint8_t *b = (const uint8_t *)(uintptr_t)busy, *f = (const uint8_t *)(uintptr_t)hole;
	bool ok = copied == SELFTEST_STAGED / EFI_PAGE_SIZE && img.pages_staged == copied &&
		  img.pages_in_place == SELFTEST_IN_PLACE / EFI_PAGE_SIZE;
	for (uint64_t i = 0; ok && i < SELFTEST_STAGED; i++)
		ok = b[i] == (i < s0.bufsz ? pattern(i) : 0);
	for (uint64_t i = 0; ok && i < SELFTEST_IN_PLACE; i++)
		ok = f[i] == (i < s1.bufsz ? pattern(i) : 0);
	sha256(b, SELFTEST_STAGED, h);
	ok = ok && RT_FN(memcmp)(h, d0, sizeof(h)) == 0;
	sha256(f, SELFTEST_IN_PLACE, h);
	ok = ok && RT_FN(memcmp)(h, d1, sizeof(h)) == 0;
	if (!ok)
		st = efi_fail(EFI_COMPROMISED_DATA, "selftest",
			      "relocation copied %llu pages, or a destination byte or digest is wrong",
			      (unsigned long long)copied);
out_release:
	/* The busy destination's staging and control pages go; `busy` is ours. */
	kimage_release(&img);
out:
	efi_bs->FreePool(data);
	efi_bs->FreePages(busy, SELFTEST_STAGED / EFI_PAGE_SIZE);
	if (EFI_ERROR(st))
		return st;
	st = efi_memmap_now(&m);
	if (EFI_ERROR(st))
		return st;
	after = free_bytes(&m);
	efi_print("selftest: free memory %llu KiB before, %llu KiB after\n",
		  (unsigned long long)(before >> 10), (unsigned long long)(after >> 10));
	/* Pool pages may stay with the firmware's pool; pages may not. */
	if (after + (64 << 10) < before)
		return efi_fail(EFI_OUT_OF_RESOURCES, "selftest", "%llu KiB not given back",
				(unsigned long long)((before - after) >> 10));
	efi_print("selftest: ok\n");
	return EFI_SUCCESS;
}
