/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * faults.c - fault injection for the test builds (make testhooks): the
 * Nth firmware call of the kinds one boot makes fails, so a test can walk
 * every N from 1 to the last call before ExitBootServices and check that
 * each failure is reported, returns to the caller, and leaves the
 * firmware's memory as it was (tests/qemu/tests.sh, faults_*).
 *
 * Boot and runtime services are reached through efi_bs and efi_rs only
 * (efi.h), so copies of the firmware's tables with these entries replaced
 * stand in front of the real ones; file calls ask efi_fault() first.
 */
#ifdef EFIKEXEC_TEST_HOOKS
#include "efi.h"

static EFI_BOOT_SERVICES shadow_bs, *real_bs;
static EFI_RUNTIME_SERVICES shadow_rs, *real_rs;
static uint32_t fail_at, counted;
/* what efikexec holds of the firmware's memory: pages and pool blocks */
static int64_t held_pages, held_pool;

bool efi_fault(const char *call)
{
	if (++counted != fail_at)
		return false;
	rt_log(RT_LOG_ERR, "test", "firmware call %u, %s, fails (injected)", counted, call);
	return true;
}

void efi_faults_set(uint32_t n)
{
	fail_at = n;
	counted = 0;
}

uint32_t efi_faults_counted(void)
{
	return counted;
}

bool efi_faults_hit(void)
{
	return fail_at && counted >= fail_at;
}

void efi_faults_held(int64_t *pages, int64_t *pool)
{
	*pages = held_pages;
	*pool = held_pool;
}

static EFI_STATUS EFIAPI allocate_pages(EFI_ALLOCATE_TYPE type, EFI_MEMORY_TYPE mt, UINTN pages,
					EFI_PHYSICAL_ADDRESS *a)
{
	EFI_STATUS st;

	if (efi_fault("AllocatePages"))
		return EFI_OUT_OF_RESOURCES;
	st = real_bs->AllocatePages(type, mt, pages, a);
	if (!EFI_ERROR(st))
		held_pages += (int64_t)pages;
	return st;
}

static EFI_STATUS EFIAPI free_pages(EFI_PHYSICAL_ADDRESS a, UINTN pages)
{
	EFI_STATUS st = real_bs->FreePages(a, pages);

	if (!EFI_ERROR(st))
		held_pages -= (int64_t)pages;
	return st;
}

static EFI_STATUS EFIAPI allocate_pool(EFI_MEMORY_TYPE mt, UINTN size, void **p)
{
	EFI_STATUS st;

	if (efi_fault("AllocatePool"))
		return EFI_OUT_OF_RESOURCES;
	st = real_bs->AllocatePool(mt, size, p);
	if (!EFI_ERROR(st))
		held_pool++;
	return st;
}

static EFI_STATUS EFIAPI free_pool(void *p)
{
	EFI_STATUS st = real_bs->FreePool(p);

	if (!EFI_ERROR(st))
		held_pool--;
	return st;
}

/* the firmware allocates the handle buffer; efikexec frees it */
static EFI_STATUS EFIAPI locate_handle_buffer(EFI_LOCATE_SEARCH_TYPE type, EFI_GUID *guid, void *key, UINTN *n,
					      EFI_HANDLE **buf)
{
	EFI_STATUS st = real_bs->LocateHandleBuffer(type, guid, key, n, buf);

	if (!EFI_ERROR(st))
		held_pool++;
	return st;
}

void efi_faults_adopted(int64_t n)
{
	held_pool += n;
}

static EFI_STATUS EFIAPI get_memory_map(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
					UINTN *desc_size, UINT32 *version)
{
	return efi_fault("GetMemoryMap") ? EFI_DEVICE_ERROR
					 : real_bs->GetMemoryMap(size, map, key, desc_size, version);
}

static EFI_STATUS EFIAPI locate_protocol(EFI_GUID *guid, void *reg, void **iface)
{
	return efi_fault("LocateProtocol") ? EFI_NOT_FOUND : real_bs->LocateProtocol(guid, reg, iface);
}

static EFI_STATUS EFIAPI set_variable(CHAR16 *name, EFI_GUID *guid, UINT32 attrs, UINTN size, void *data)
{
	return efi_fault("SetVariable") ? EFI_DEVICE_ERROR : real_rs->SetVariable(name, guid, attrs, size, data);
}

void efi_faults_install(void)
{
	if (efi_bs == &shadow_bs)
		return;
	real_bs = efi_bs;
	real_rs = efi_rs;
	shadow_bs = *real_bs;
	shadow_rs = *real_rs;
	shadow_bs.AllocatePages = allocate_pages;
	shadow_bs.AllocatePool = allocate_pool;
	shadow_bs.FreePages = free_pages;
	shadow_bs.FreePool = free_pool;
	shadow_bs.GetMemoryMap = get_memory_map;
	shadow_bs.LocateProtocol = locate_protocol;
	shadow_bs.LocateHandleBuffer = locate_handle_buffer;
	shadow_rs.SetVariable = set_variable;
	efi_bs = &shadow_bs;
	efi_rs = &shadow_rs;
}
#endif
