/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * memmap.c - the firmware's memory map (GetMemoryMap, UEFI 2.10 7.2), as
 * lib/'s planner sees it. The descriptor stride is DescriptorSize, never
 * sizeof(EFI_MEMORY_DESCRIPTOR): firmware may append fields (spec 7.2,
 * "GetMemoryMap ... DescriptorSize").
 */
#include "efi.h"
#include "../arch/arch.h"

enum mem_type efi_mem_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
		return MEM_FREE;
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return MEM_BUSY; /* the kernel's once boot services exit */
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return MEM_RUNTIME;
	case EfiACPIReclaimMemory:
		return MEM_ACPI;
	case EfiACPIMemoryNVS:
		return MEM_NVS;
	case 14: /* EfiPersistentMemory (UEFI 2.5) */
		return MEM_PERSISTENT;
	default:
		/* reserved, unusable, MMIO, PAL code, unaccepted, OEM/OS types */
		return MEM_RESERVED;
	}
}

EFI_STATUS efi_get_memmap(struct efi_memmap *em)
{
	EFI_STATUS st;
	UINTN size = 0;

	em->buf = NULL;
	st = efi_bs->GetMemoryMap(&size, NULL, &em->key, &em->desc_size, &em->desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return efi_fail(st, "memmap", "GetMemoryMap did not report its size");
	for (int tries = 0; tries < 8; tries++) {
		/* Allocating the buffer may itself add descriptors: leave room. */
		size += 8 * em->desc_size;
		st = efi_bs->AllocatePool(EfiLoaderData, size, (void **)&em->buf);
		if (EFI_ERROR(st))
			return efi_fail(st, "memmap", "no pool for a memory map of %llu bytes",
					(unsigned long long)size);
		em->size = size;
		st = efi_bs->GetMemoryMap(&em->size, em->buf, &em->key, &em->desc_size,
					  &em->desc_version);
		if (st == EFI_SUCCESS)
			return EFI_SUCCESS;
		efi_bs->FreePool(em->buf);
		em->buf = NULL;
		if (st != EFI_BUFFER_TOO_SMALL)
			return efi_fail(st, "memmap", "GetMemoryMap failed");
		size = em->size;
	}
	return efi_fail(EFI_BUFFER_TOO_SMALL, "memmap", "the memory map kept growing");
}

void efi_put_memmap(struct efi_memmap *em)
{
	if (em->buf)
		efi_bs->FreePool(em->buf);
	em->buf = NULL;
}

EFI_STATUS efi_memmap_to_model(const struct efi_memmap *em, struct memmap *m)
{
	memmap_init(m);
	for (UINTN off = 0; off + em->desc_size <= em->size; off += em->desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)((const uint8_t *)em->buf + off);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
		if (!d->NumberOfPages)
			continue;
		if (memmap_add(m, d->PhysicalStart, end, efi_mem_type(d->Type)) != RT_OK)
			return EFI_BUFFER_TOO_SMALL;
	}
	if (memmap_normalize(m) != RT_OK)
		return efi_fail(EFI_INVALID_PARAMETER, "memmap", "the firmware's memory map is inconsistent");
	return EFI_SUCCESS;
}

EFI_STATUS efi_memmap_now(struct memmap *m)
{
	struct efi_memmap em;
	EFI_STATUS st = efi_get_memmap(&em);

	if (EFI_ERROR(st))
		return st;
	st = efi_memmap_to_model(&em, m);
	efi_put_memmap(&em);
	return st;
}

EFI_STATUS efi_print_memmap(void)
{
	static struct memmap m;
	static struct boot_plan bp;
	static struct fw_facts fw;
	uint64_t bytes[MEM_TYPE_COUNT] = { 0 };
	struct efi_memmap em;
	EFI_STATUS st;
	size_t n;

	/* the raw map's size first: what the hand-off data keeps room for */
	st = efi_get_memmap(&em);
	if (EFI_ERROR(st))
		return st;
	st = efi_memmap_to_model(&em, &m);
	efi_put_memmap(&em);
	if (EFI_ERROR(st))
		return st;
	for (size_t i = 0; i < m.n; i++) {
		efi_print("memmap [%#014llx, %#014llx) %-10s %llu KiB\n",
			  (unsigned long long)m.r[i].start, (unsigned long long)m.r[i].end,
			  mem_type_name(m.r[i].type),
			  (unsigned long long)((m.r[i].end - m.r[i].start) >> 10));
		bytes[m.r[i].type] += m.r[i].end - m.r[i].start;
	}
	efi_print("memmap: %zu ranges, %llu MiB free now, %llu MiB busy until exit, %llu MiB runtime; %llu pages free\n",
		  m.n, (unsigned long long)(bytes[MEM_FREE] >> 20),
		  (unsigned long long)(bytes[MEM_BUSY] >> 20),
		  (unsigned long long)(bytes[MEM_RUNTIME] >> 20),
		  (unsigned long long)(bytes[MEM_FREE] >> 12));
	/* what a plan made elsewhere needs besides (efikexec-plan reads it) */
	efi_gather_facts(&fw, 0);
	efi_print("memmap: machine %s\n", ARCH_PLAN->name);
	efi_print("memmap: descriptors %llu of %llu bytes\n",
		  (unsigned long long)(em.size / em.desc_size), (unsigned long long)em.desc_size);
	if (fw.fdt) {
		/* the flattened tree's header: magic, then totalsize, big-endian */
		const uint8_t *h = fw.fdt;
		efi_print("memmap: firmware device tree %u bytes\n",
			  (unsigned)h[4] << 24 | (unsigned)h[5] << 16 | (unsigned)h[6] << 8 | h[7]);
	}
	else
		efi_print("memmap: firmware device tree none\n");
	bp.fw = &fw;
	n = arch_avoid(&bp, bp.avoid, BOOT_MAX_AVOID);
	for (size_t i = 0; i < n && i < BOOT_MAX_AVOID; i++)
		efi_print("memmap: keep clear [%#014llx, %#014llx)\n", (unsigned long long)bp.avoid[i].start,
			  (unsigned long long)bp.avoid[i].end);
	return EFI_SUCCESS;
}
