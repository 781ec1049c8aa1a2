/*
 * memmap.c - the firmware's memory map (GetMemoryMap, UEFI 2.10 7.2), as
 * lib/'s planner sees it. The descriptor stride is DescriptorSize, never
 * sizeof(EFI_MEMORY_DESCRIPTOR): firmware may append fields (spec 7.2,
 * "GetMemoryMap ... DescriptorSize").
 */
#include "efi.h"

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
