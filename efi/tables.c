/*
 * tables.c - what firmware offers beyond boot services proper: the
 * configuration table (UEFI 2.10, 4.6) and EFI_RNG_PROTOCOL (37.5). One
 * place for both arches' hand-off code to ask.
 */
#include "efi.h"

void *efi_config_table(const EFI_GUID *guid)
{
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++)
		if (!RT_FN(memcmp)(&efi_st->ConfigurationTable[i].VendorGuid, guid, sizeof(*guid)))
			return efi_st->ConfigurationTable[i].VendorTable;
	return NULL;
}

bool efi_rng(void *out, size_t n)
{
	static EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
	EFI_RNG_PROTOCOL *rng = NULL;

	if (efi_bs->LocateProtocol(&rng_guid, NULL, (void **)&rng) != EFI_SUCCESS || !rng)
		return false;
	return rng->GetRNG(rng, NULL, n, out) == EFI_SUCCESS;
}
