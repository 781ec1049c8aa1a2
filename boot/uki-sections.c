/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * uki-sections.c - a UKI's section table as systemd-stub reads it, release
 * by release (uki.h): plain code over the bytes of a file's head, shared
 * by the loader table (uki.c), the boot stage's menu (through
 * efikexec_uki_section) and efikexec-install's list.
 */
#include "loader.h"
#include "pe.h"
#include "uki.h"

const char *const uki_section_name[UKI_NSECTIONS] = {
	[UKI_LINUX] = ".linux", [UKI_OSREL] = ".osrel", [UKI_CMDLINE] = ".cmdline",
	[UKI_INITRD] = ".initrd", [UKI_UCODE] = ".ucode", [UKI_SPLASH] = ".splash",
	[UKI_DTB] = ".dtb", [UKI_UNAME] = ".uname", [UKI_SBAT] = ".sbat",
	[UKI_PCRSIG] = ".pcrsig", [UKI_PCRPKEY] = ".pcrpkey", [UKI_PROFILE] = ".profile",
	[UKI_DTBAUTO] = ".dtbauto", [UKI_HWIDS] = ".hwids", [UKI_EFIFW] = ".efifw",
};

#define S(x) (1u << (x))
#define KNOWN_252 (S(UKI_LINUX) | S(UKI_OSREL) | S(UKI_CMDLINE) | S(UKI_INITRD) | S(UKI_SPLASH) | S(UKI_DTB) | \
		   S(UKI_PCRSIG) | S(UKI_PCRPKEY))
#define KNOWN_254 (KNOWN_252 | S(UKI_UNAME) | S(UKI_SBAT))
#define KNOWN_256 (KNOWN_254 | S(UKI_UCODE))

/*
 * systemd-stub by release, read from systemd's own sources (the v252-v256
 * tags of systemd-stable: src/boot/efi/stub.c, cpio.c, pe.c,
 * src/fundamental/tpm-pcr.{c,h}, uki.c; current: src/boot/stub.c); what
 * changed in each, docs/DESIGN.md "UKIs by their stub's version".
 */
static const struct uki_model models[] = {
	{ .version = 252, .known = KNOWN_252, .empty = UKI_EMPTY_MEASURED, .assign_ext = true, .features = 0x0f },
	{ .version = 253, .known = KNOWN_252, .empty = UKI_EMPTY_UNMEASURED, .assign_ext = true, .features = 0x1f },
	{ .version = 254, .known = KNOWN_254, .empty = UKI_EMPTY_UNMEASURED, .assign_ext = true, .stale_addons = true,
	  .addons_per_dir = true, .addons = UKI_ADDON_CMDLINE, .features = 0x7f },
	{ .version = 255, .known = KNOWN_254, .empty = UKI_EMPTY_UNMEASURED, .assign_ext = true, .stale_addons = true,
	  .dtb_addons_late = true, .addons = UKI_ADDON_CMDLINE | UKI_ADDON_DTB, .features = 0xff },
	{ .version = 256, .known = KNOWN_256, .empty = UKI_EMPTY_UNMEASURED, .assign_ext = true, .stale_addons = true,
	  .dtb_addons_late = true, .confext = true, .addons = UKI_ADDON_CMDLINE | UKI_ADDON_DTB, .features = 0x1ff },
	{ .version = 257, .known = S(UKI_NSECTIONS) - 1, .exact_names = true, .empty = UKI_EMPTY_SKIPPED, .confext = true,
	  .global_ext = true, .meta = true, .addons = UKI_ADDON_CMDLINE | UKI_ADDON_DTB | UKI_ADDON_INITRD,
	  .features = 0x7ff },
};

const struct uki_model *uki_model_for(unsigned version)
{
	const struct uki_model *m = &models[0];

	if (!version)
		return &models[RT_ARRAY_SIZE(models) - 1];
	for (size_t i = 0; i < RT_ARRAY_SIZE(models); i++)
		if (models[i].version <= version)
			m = &models[i];
	return m;
}

bool uki_sdmagic(const char *text, size_t len, unsigned *version, char *info, size_t size)
{
	static const char key[] = "systemd-stub ";
	size_t k = sizeof(key) - 1, i, end;
	uint64_t v = 0;

	for (i = 0; i + k <= len; i++)
		if (!RT_FN(memcmp)(text + i, key, k))
			break;
	if (i + k > len || i + k == len || text[i + k] < '0' || text[i + k] > '9')
		return false;
	for (end = i + k; end < len && text[end] >= '0' && text[end] <= '9'; end++)
		if ((v = v * 10 + (uint64_t)(text[end] - '0')) > 100000)
			return false;
	*version = (unsigned)v;
	/* the release as written: up to white space, a NUL or the end */
	while (end < len && text[end] > ' ' && text[end] < 0x7f)
		end++;
	rt_snprintf(info, size, "%.*s", (int)(end - i), text + i);
	return true;
}

/* systemd's pe_section_name_equal: up to 8 bytes, equal up to a NUL */
bool uki_name_is(const uint8_t *e, const char *name)
{
	for (size_t i = 0; i < 8; i++) {
		if (e[i] != (uint8_t)name[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

/* Entries [from, to) of the table: the first of each name, over `out`. */
static void locate(const uint8_t *head, uint32_t table, unsigned from, unsigned to, struct uki_sec *out)
{
	for (int s = 0; s < UKI_NSECTIONS; s++)
		for (unsigned i = from; i < to; i++) {
			const uint8_t *e = head + table + (size_t)i * PE_SECTION_SIZE;
			if (!uki_name_is(e, uki_section_name[s]))
				continue;
			uint64_t vsize = ld_rd32(e + 8), raw = ld_rd32(e + 16);
			out[s] = (struct uki_sec){ ld_rd32(e + 20), vsize, raw < vsize ? raw : vsize, vsize != 0 };
			break;
		}
}

/* Before 257 (pe.c locate_sections): every entry whose name starts with
 * a section's name sets it, so the last one wins - one with VirtualSize 0
 * too, which then counts as missing. */
static void locate_prefix(const uint8_t *head, uint32_t table, unsigned count, uint32_t known, struct uki_sec *out)
{
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = head + table + (size_t)i * PE_SECTION_SIZE;
		for (int s = 0; s < UKI_NSECTIONS; s++) {
			const char *name = uki_section_name[s];
			if (!(known & S(s)) || RT_FN(memcmp)(e, name, RT_FN(strlen)(name)))
				continue;
			uint64_t vsize = ld_rd32(e + 8), raw = ld_rd32(e + 16);
			out[s] = (struct uki_sec){ ld_rd32(e + 20), vsize, raw < vsize ? raw : vsize, vsize != 0 };
		}
	}
}

rt_status uki_layout(const uint8_t *head, size_t len, unsigned profile, struct uki_layout *out, char *why,
		     size_t whylen)
{
	return uki_layout_as(head, len, profile, uki_model_for(0), out, why, whylen);
}

rt_status uki_layout_as(const uint8_t *head, size_t len, unsigned profile, const struct uki_model *m,
			struct uki_layout *out, char *why, size_t whylen)
{
	uint32_t table;
	unsigned count, first = 0, start = 0, end, n = 0;

	*out = (struct uki_layout){ .profile = m->exact_names ? profile : 0 };
	if (!pe_table(head, len, &table, &count, why, whylen))
		return RT_ENOEXEC;
	if (!m->exact_names) {
		locate_prefix(head, table, count, m->known, out->sec);
		return RT_OK;
	}
	/* the .profile sections: where each profile starts */
	for (unsigned i = 0; i < count; i++)
		if (uki_name_is(head + table + (size_t)i * PE_SECTION_SIZE, ".profile")) {
			if (!n)
				first = i;
			if (n == profile)
				start = i;
			n++;
		}
	out->nprofiles = n;
	locate(head, table, 0, n ? first : count, out->sec);
	if (!n && !profile)
		return RT_OK;
	if (profile >= n) {
		rt_snprintf(why, whylen, "profile %u asked, the UKI has %u", profile, n ? n : 1);
		return RT_EINVAL;
	}
	for (end = start + 1; end < count; end++)
		if (uki_name_is(head + table + (size_t)end * PE_SECTION_SIZE, ".profile"))
			break;
	locate(head, table, start, end, out->sec);
	return RT_OK;
}

bool uki_profile_section(const uint8_t *head, size_t len, unsigned n, struct uki_sec *out)
{
	struct uki_layout l;
	char why[8];

	if (uki_layout(head, len, n, &l, why, sizeof(why)) != RT_OK || n >= l.nprofiles)
		return false;
	*out = l.sec[UKI_PROFILE];
	return out->set;
}

bool uki_profile_arg(const char *cmdline, unsigned *profile, const char **rest)
{
	uint64_t v = 0;
	const char *p = cmdline;

	if (!p || *p++ != '@' || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > 0xffffffffu)
			return false;
	}
	if (*p == ' ')
		p++;
	else if (*p)
		return false;
	*profile = (unsigned)v;
	*rest = p;
	return true;
}

/* The UKI's companion folder: "<path>.extra.d", the boot counter ("+N"
 * or "+N-M" before ".efi") taken out of the name first. */
void uki_companion(const char *uki, char *out, size_t size)
{
	size_t n = RT_FN(strlen)(uki), dot, plus, i;

	rt_snprintf(out, size, "%s.extra.d", uki);
	if (n < 4 || uki[n - 4] != '.' || (uki[n - 3] | 0x20) != 'e' || (uki[n - 2] | 0x20) != 'f' ||
	    (uki[n - 1] | 0x20) != 'i')
		return;
	dot = n - 4;
	for (plus = dot; plus && uki[plus - 1] != '+' && uki[plus - 1] != '\\'; plus--)
		;
	if (!plus || uki[plus - 1] != '+')
		return;
	/* "+" digits, maybe "-" digits, then ".efi" */
	for (i = plus; i < dot && uki[i] >= '0' && uki[i] <= '9'; i++)
		;
	if (i == plus)
		return;
	if (i < dot && uki[i] == '-') {
		size_t j = ++i;
		while (i < dot && uki[i] >= '0' && uki[i] <= '9')
			i++;
		if (i == j)
			return;
	}
	if (i == dot)
		rt_snprintf(out, size, "%.*s%s.extra.d", (int)(plus - 1), uki, uki + dot);
}

