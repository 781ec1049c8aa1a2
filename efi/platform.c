/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * platform.c - struct kimage_platform over boot services: the one place
 * the planner's page allocator meets the firmware's.
 *
 * Pages are EfiLoaderData: they become the kernel's RAM again after the
 * hand-off (the kernel treats loader data as usable), which is right for
 * staging, indirection and control pages that are dead once it runs.
 * Physical equals virtual: UEFI identity-maps all memory (spec 2.3.4 for
 * x86_64, 2.3.6 for AArch64).
 */
#include "efi.h"

static rt_status alloc_pages(void *ctx, uint64_t max, uint64_t *phys, uint64_t *got)
{
	/* A run as long as asked for, else halve: AllocatePages has no "up to". */
	for (uint64_t n = max; n; n /= 2) {
		EFI_PHYSICAL_ADDRESS a = 0;
		if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, n, &a) == EFI_SUCCESS) {
			*phys = a;
			*got = n;
			return RT_OK;
		}
	}
	return RT_ENOMEM;
}

/* Pages efikexec holds already (a kernel handed over): claimed without
 * the firmware, never freed here (the request frees them whole). */
static uint64_t held_start, held_end;

void efi_platform_hold(uint64_t start, uint64_t end)
{
	held_start = start;
	held_end = end;
}

static rt_status claim_fw(uint64_t phys, uint64_t pages)
{
	EFI_PHYSICAL_ADDRESS a = phys;

	return !pages || efi_bs->AllocatePages(AllocateAddress, EfiLoaderData, pages, &a) == EFI_SUCCESS
		       ? RT_OK
		       : RT_ENOSPC;
}

static rt_status claim(void *ctx, uint64_t phys, uint64_t pages)
{
	uint64_t end = phys + pages * KIMAGE_PAGE_SIZE;
	uint64_t a = phys > held_start ? phys : held_start, b = end < held_end ? end : held_end;

	if (a >= b)
		return claim_fw(phys, pages);
	/* the held part is ours; what lies before and after it from firmware */
	if (claim_fw(phys, (a - phys) / KIMAGE_PAGE_SIZE) != RT_OK)
		return RT_ENOSPC;
	if (claim_fw(b, (end - b) / KIMAGE_PAGE_SIZE) != RT_OK) {
		if (a > phys)
			efi_bs->FreePages(phys, (a - phys) / KIMAGE_PAGE_SIZE);
		return RT_ENOSPC;
	}
	return RT_OK;
}

static void free_fw(uint64_t phys, uint64_t pages)
{
	EFI_STATUS st;

	if (!pages)
		return;
	st = efi_bs->FreePages(phys, pages);

	if (EFI_ERROR(st))
		efi_fail(st, "platform", "FreePages(%#llx, %llu pages)", (unsigned long long)phys,
			 (unsigned long long)pages);
}

static void free_pages(void *ctx, uint64_t phys, uint64_t pages)
{
	uint64_t end = phys + pages * KIMAGE_PAGE_SIZE;
	uint64_t a = phys > held_start ? phys : held_start, b = end < held_end ? end : held_end;

	if (a >= b) {
		free_fw(phys, pages);
		return;
	}
	free_fw(phys, (a - phys) / KIMAGE_PAGE_SIZE);
	free_fw(b, (end - b) / KIMAGE_PAGE_SIZE);
}

static void *phys_to_virt(void *ctx, uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

static void *meta_alloc(void *ctx, size_t size)
{
	void *p = NULL;

	if (efi_bs->AllocatePool(EfiLoaderData, size, &p) != EFI_SUCCESS)
		return NULL;
	RT_FN(memset)(p, 0, size);
	return p;
}

static void meta_free(void *ctx, void *p, size_t size)
{
	efi_bs->FreePool(p);
}

const struct kimage_platform efi_platform = {
	NULL, alloc_pages, claim, free_pages, phys_to_virt, meta_alloc, meta_free,
};
