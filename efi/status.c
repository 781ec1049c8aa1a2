/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * status.c - the one place where lib/'s rt_status becomes an EFI_STATUS,
 * and EFI_STATUS values get names for messages (UEFI 2.10, Appendix D).
 */
#include "efi.h"

const char *efi_status_name(EFI_STATUS st)
{
	return rt_uefi_status_name(st);
}

EFI_STATUS efi_status_from_rt(rt_status st)
{
	return rt_status_uefi(st);
}

/* lib/status.c spells the numbers out: they must be the firmware's. */
_Static_assert(RT_UEFI_ERROR == EFI_ERROR_MASK, "EFI error bit");
