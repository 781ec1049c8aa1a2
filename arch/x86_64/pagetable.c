/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pagetable.c - identity map with 2 MiB pages (Intel SDM vol. 3A, 4.5:
 * PML4E -> PDPTE -> PDE with PS=1). 2 MiB rather than 1 GiB pages because
 * every x86_64 CPU has them (1 GiB pages need CPUID pdpe1gb).
 */
#include "pagetable.h"

#define GIB (1ull << 30)
#define TABLE_BYTES 4096ull

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

uint64_t x86_pt_pages(uint64_t end, bool la57)
{
	uint64_t pd = div_up(end, GIB); /* one PD per GiB */
	uint64_t pdpt = div_up(pd, 512); /* one PDPT per 512 GiB */

	return pd + pdpt + 1 + (la57 ? 1 : 0);
}

static uint64_t *table(void *virt, uint64_t phys, uint64_t at)
{
	return (uint64_t *)((uint8_t *)virt + (at - phys));
}

uint64_t x86_pt_build(void *virt, uint64_t phys, uint64_t pages, uint64_t end, bool la57)
{
	uint64_t pd = div_up(end, GIB), pdpt = div_up(pd, 512);
	uint64_t pml4 = phys, next = phys + TABLE_BYTES;
	uint64_t pdpt0, pd0, cr3 = pml4;

	if (la57) {
		/* PML5[0] -> PML4: the low 256 TiB, all an identity map needs */
		table(virt, phys, pml4)[0] = (next) | X86_PT_PRESENT | X86_PT_WRITE;
		pml4 = next;
		next += TABLE_BYTES;
	}
	pdpt0 = next;
	pd0 = pdpt0 + pdpt * TABLE_BYTES;
	if ((pd0 - phys) / TABLE_BYTES + pd > pages)
		return 0;
	for (uint64_t i = 0; i < pdpt; i++)
		table(virt, phys, pml4)[i] = (pdpt0 + i * TABLE_BYTES) | X86_PT_PRESENT | X86_PT_WRITE;
	for (uint64_t g = 0; g < pd; g++) {
		uint64_t *dir = table(virt, phys, pd0 + g * TABLE_BYTES);
		table(virt, phys, pdpt0 + (g / 512) * TABLE_BYTES)[g % 512] =
			(pd0 + g * TABLE_BYTES) | X86_PT_PRESENT | X86_PT_WRITE;
		for (uint64_t m = 0; m < 512; m++)
			dir[m] = (g * GIB + (m << 21)) | X86_PT_PRESENT | X86_PT_WRITE | X86_PT_LARGE;
	}
	return cr3;
}

uint64_t x86_pt_walk(const void *virt, uint64_t phys, uint64_t cr3, uint64_t va, bool la57)
{
	uint64_t t = cr3 & X86_PT_ADDR, e;
	int level = la57 ? 5 : 4;

	for (; level >= 2; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		e = ((const uint64_t *)((const uint8_t *)virt + (t - phys)))[(va >> shift) & 511];
		if (!(e & X86_PT_PRESENT))
			return UINT64_MAX;
		if (level == 2 && (e & X86_PT_LARGE))
			return (e & X86_PT_ADDR & ~((1ull << 21) - 1)) | (va & ((1ull << 21) - 1));
		t = e & X86_PT_ADDR;
	}
	return UINT64_MAX;
}
