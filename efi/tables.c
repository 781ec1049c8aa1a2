/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * tables.c - what firmware offers beyond boot services proper: the
 * configuration table (UEFI 2.10, 4.6) and EFI_RNG_PROTOCOL (37.5). One
 * place to ask, for efi_gather_facts.
 */
#include "efi.h"
#include "../arch/arch.h"
#include "../arch/counter.h"
#include "trust.h"

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

/* The current GOP mode as a linear framebuffer; false: none (no GOP, or
 * PixelBltOnly). */
static bool gop_fb(struct fw_fb *fb)
{
	static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi;

	if (efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS || !gop ||
	    !gop->Mode || !gop->Mode->Info)
		return false;
	mi = gop->Mode->Info;
	switch (mi->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->red = 0xff, fb->green = 0xff00, fb->blue = 0xff0000, fb->rsvd = 0xff000000;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->red = 0xff0000, fb->green = 0xff00, fb->blue = 0xff, fb->rsvd = 0xff000000;
		break;
	case PixelBitMask:
		fb->red = mi->PixelInformation.RedMask;
		fb->green = mi->PixelInformation.GreenMask;
		fb->blue = mi->PixelInformation.BlueMask;
		fb->rsvd = mi->PixelInformation.ReservedMask;
		break;
	default:
		return false; /* PixelBltOnly: no linear framebuffer to hand over */
	}
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = mi->HorizontalResolution;
	fb->height = mi->VerticalResolution;
	fb->stride_pixels = mi->PixelsPerScanLine;
	return true;
}

/* The SecureBoot and SetupMode variables (UEFI 2.10, 3.3) as the kernel's
 * efi_secureboot_mode, the way its EFI stub reads them. */
static enum fw_secure_boot secure_boot_mode(void)
{
	static EFI_GUID global = EFI_GLOBAL_VARIABLE;
	uint8_t sb = 0, setup = 0;
	UINTN n = 1;

	if (efi_rs->GetVariable(L"SecureBoot", &global, NULL, &n, &sb) != EFI_SUCCESS)
		return FW_SB_UNKNOWN;
	n = 1;
	if (efi_rs->GetVariable(L"SetupMode", &global, NULL, &n, &setup) != EFI_SUCCESS)
		return FW_SB_UNKNOWN;
	if (sb != 1 || setup != 0)
		return FW_SB_DISABLED;
	/* shim told by its user not to validate: MokSBStateRT = 1, volatile
	 * (libstub/secureboot.c efi_get_secureboot; a non-volatile one was not
	 * made by shim this boot and counts for nothing) */
	{
		uint8_t moksb = 0;
		UINT32 attrs = 0;
		n = 1;
		if (efi_rs->GetVariable(L"MokSBStateRT", &trust_shim_guid, &attrs, &n, &moksb) == EFI_SUCCESS &&
		    moksb == 1 && !(attrs & EFI_VARIABLE_NON_VOLATILE))
			return FW_SB_DISABLED;
	}
	return FW_SB_ENABLED;
}

void efi_gather_facts(struct fw_facts *f, size_t rng_len)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	static EFI_GUID dtb_guid = EFI_DTB_TABLE_GUID;
	void *rsdp = efi_config_table(&acpi20);

	RT_FN(memset)(f, 0, sizeof(*f));
	f->systab = (uint64_t)(uintptr_t)efi_st;
	f->image_handle = (uint64_t)(uintptr_t)efi_image;
	f->acpi_rsdp = (uint64_t)(uintptr_t)(rsdp ? rsdp : efi_config_table(&acpi10));
	if (f->acpi_rsdp) {
		/* a copy, for payloads given the RSDP itself (Multiboot2): 20
		 * bytes in ACPI 1.0, `length` (offset 20) from revision 2 on
		 * (ACPI 6.5, 5.2.5.3) */
		const uint8_t *p = (const uint8_t *)(uintptr_t)f->acpi_rsdp;
		uint32_t len = 20;
		if (p[15] >= 2) {
			RT_FN(memcpy)(&len, p + 20, 4);
			if (len < 36 || len > sizeof(f->rsdp))
				len = 36;
		}
		RT_FN(memcpy)(f->rsdp, p, len);
		f->rsdp_len = len;
	}
	f->fdt = efi_config_table(&dtb_guid);
	f->has_fb = gop_fb(&f->fb);
	if (rng_len > FW_RNG_MAX)
		rng_len = FW_RNG_MAX;
	if (rng_len && efi_rng(f->rng, rng_len))
		f->rng_len = rng_len;
	if (rng_len) {
		uint64_t v;
		/* 8 bytes: the virtual offset's 4, the physical address's 4 */
		if (f->rng_len >= 40) {
			RT_FN(memcpy)(&v, f->rng + 32, 8);
			f->kaslr_seed_from = "EFI_RNG_PROTOCOL";
		} else if (arch_cpu_random(&v)) {
			f->kaslr_seed_from = "the CPU's random number instruction (no EFI_RNG_PROTOCOL)";
		} else {
			/* the counter's low bits vary most from boot to boot:
			 * mixed, with where the firmware put efikexec */
			uint64_t c[2] = { arch_counter(), (uint64_t)(uintptr_t)efi_loaded_image->ImageBase };
			v = xxh64(c, sizeof(c), 0);
			f->kaslr_seed_from = "the CPU's counter (no EFI_RNG_PROTOCOL, no random number instruction)";
		}
		f->kaslr_seed = (uint32_t)v;
		f->kaslr_phys_seed = (uint32_t)(v >> 32);
	}
	f->secure_boot = secure_boot_mode();
	f->image_base = (uint64_t)(uintptr_t)efi_loaded_image->ImageBase;
	f->image_size = efi_loaded_image->ImageSize;
	f->la57 = arch_la57();
	f->tpm = trust_tpm_find();
	rt_log(RT_LOG_DEBUG, "efi", "ACPI RSDP %#llx, device tree %p, framebuffer %s, %zu bytes of RNG seed, Secure Boot %s",
	       (unsigned long long)f->acpi_rsdp, f->fdt, f->has_fb ? "yes" : "no", f->rng_len,
	       f->secure_boot == FW_SB_ENABLED ? "on" : f->secure_boot == FW_SB_DISABLED ? "off" : "unknown");
}
