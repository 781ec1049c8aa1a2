/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage-vars.c - the boot stage: the firmware variables it reads and the Boot Loader Interface it exports (stage-int.h).
 */
#include "stage-int.h"

/* --- variables ------------------------------------------------------------------------------ */

CHAR16 *wide(const char *s, CHAR16 *buf, size_t units)
{
	utf8_to_ucs2(s, (uint16_t *)buf, units);
	return buf;
}

EFI_STATUS set_var(const char *name, EFI_GUID *g, UINT32 attrs, const char *value)
{
	static CHAR16 w[BLS_OPTIONS_MAX];
	CHAR16 n[64];
	size_t units = value ? utf8_to_ucs2(value, (uint16_t *)w, RT_ARRAY_SIZE(w)) : 0;
	EFI_STATUS s;

	wide(name, n, RT_ARRAY_SIZE(n));
	s = rs->SetVariable(n, g, attrs, value ? (units + 1) * 2 : 0, value ? w : NULL);
	if (EFI_ERROR(s) && value)
		say(EFIKEXEC_LOG_WARN, "bli", "cannot set %s: %s", name, efikexec_status_name(s));
	return s;
}

/* A string variable as UTF-8; false when unset, empty or not a string. */
bool get_var(const char *name, EFI_GUID *g, char *out, size_t size)
{
	static CHAR16 w[1024];
	CHAR16 n[64];
	UINTN bytes = sizeof(w) - 2;
	UINT32 attrs;

	out[0] = 0;
	if (rs->GetVariable(wide(name, n, RT_ARRAY_SIZE(n)), g, &attrs, &bytes, w) != EFI_SUCCESS || bytes < 2)
		return false;
	w[bytes / 2] = 0;
	ucs2_to_utf8((const uint16_t *)w, bytes / 2, out, size);
	return out[0] != 0;
}

static bool var_set(const char *name, EFI_GUID *g)
{
	CHAR16 n[64];
	UINTN bytes = 0;
	UINT32 attrs;

	return rs->GetVariable(wide(name, n, RT_ARRAY_SIZE(n)), g, &attrs, &bytes, NULL) == EFI_BUFFER_TOO_SMALL;
}

void del_var(const char *name, EFI_GUID *g)
{
	CHAR16 n[64];
	rs->SetVariable(wide(name, n, RT_ARRAY_SIZE(n)), g, 0, 0, NULL);
}

/* --- the Boot Loader Interface ------------------------------------------------------------------ */

void set_usec(const char *name, uint64_t ticks)
{
	char v[32];
	rt_snprintf(v, sizeof(v), "%llu", (unsigned long long)efikexec_counter_usec(ticks));
	set_var(name, &bli_guid, BLI_VOLATILE, v);
}

void export_bli(void)
{
	char v[256];
	const uint8_t *hd;
	/* what the stage does (lib/bls.h names each bit) */
	UINT64 features = BLS_F_TIMEOUT | BLS_F_TIMEOUT_ONESHOT | BLS_F_ENTRY_DEFAULT | BLS_F_ENTRY_ONESHOT |
			  BLS_F_BOOT_COUNTING | BLS_F_XBOOTLDR | BLS_F_SORT_KEY | BLS_F_SAVED_ENTRY | BLS_F_MENU_DISABLE |
			  BLS_F_MULTI_PROFILE_UKI | BLS_F_REPORT_URL | BLS_F_TYPE1_UKI | BLS_F_TYPE1_UKI_URL;
	static CHAR16 ids[MAX_ENTRIES * 64];
	size_t at = 0;

#if defined(__aarch64__)
	features |= BLS_F_DEVICETREE;
#endif
	set_usec("LoaderTimeInitUSec", t_start);
	rt_snprintf(v, sizeof(v), "efikexec %s", efikexec_version());
	set_var("LoaderInfo", &bli_guid, BLI_VOLATILE, v);
	/* "only if unset": a parent loader's values stand (export-vars.c) */
	if (!var_set("LoaderFirmwareInfo", &bli_guid)) {
		char vendor[128] = "";
		if (st->FirmwareVendor) {
			size_t u = 0;
			while (st->FirmwareVendor[u] && u < 60)
				u++;
			ucs2_to_utf8((const uint16_t *)st->FirmwareVendor, u, vendor, sizeof(vendor));
		}
		rt_snprintf(v, sizeof(v), "%s %u.%02u", vendor, st->FirmwareRevision >> 16, st->FirmwareRevision & 0xffff);
		set_var("LoaderFirmwareInfo", &bli_guid, BLI_VOLATILE, v);
	}
	if (!var_set("LoaderFirmwareType", &bli_guid)) {
		rt_snprintf(v, sizeof(v), "UEFI %u.%02u", st->Hdr.Revision >> 16, st->Hdr.Revision & 0xffff);
		set_var("LoaderFirmwareType", &bli_guid, BLI_VOLATILE, v);
	}
	if (!var_set("LoaderDevicePartUUID", &bli_guid) && (hd = hd_node(part[BLS_ESP], NULL))) {
		guid_text(hd + 24, v, sizeof(v));
		set_var("LoaderDevicePartUUID", &bli_guid, BLI_VOLATILE, v);
	}
	if (net.origin[0] && !var_set("LoaderDeviceURL", &bli_guid))
		set_var("LoaderDeviceURL", &bli_guid, BLI_VOLATILE, net.origin);
	if (!var_set("LoaderImageIdentifier", &bli_guid) && image_path[0])
		set_var("LoaderImageIdentifier", &bli_guid, BLI_VOLATILE, image_path);
	rs->SetVariable((CHAR16 *)u"LoaderFeatures", &bli_guid, BLI_VOLATILE, sizeof(features), &features);
	for (size_t i = 0; i < nlist; i++) {
		size_t n = utf8_to_ucs2(list[i]->id, (uint16_t *)ids + at, RT_ARRAY_SIZE(ids) - at);
		if (at + n + 1 >= RT_ARRAY_SIZE(ids))
			break;
		at += n + 1;
	}
	if (at)
		rs->SetVariable((CHAR16 *)u"LoaderEntries", &bli_guid, BLI_VOLATILE, at * 2, ids);
}
