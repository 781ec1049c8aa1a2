/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * uki.c - Unified Kernel Images (UAPI group, specs/unified_kernel_image.md):
 * a PE/COFF EFI program (systemd's stub) with the kernel in a `.linux`
 * section and, optionally, `.initrd`, `.ucode`, `.cmdline`, `.dtb`,
 * `.osrel`, `.uname`. efikexec never runs the stub: it takes the sections
 * and boots `.linux` through the loader table again, as kexec-tools'
 * kexec/kexec-uki.c does, and uses the other sections the way systemd's
 * stub does (src/boot/stub.c):
 *   - initrds in the order `.ucode`, `.initrd`, then the user's (each
 *     4-byte aligned: the stub's combine_initrds pads every part);
 *   - the user's command line when one is given, else `.cmdline`;
 *   - `.dtb` as the device tree (arm64) unless the user names one.
 * Section data is PointerToRawData for VirtualSize bytes: objcopy sets
 * VirtualSize to the exact size and rounds SizeOfRawData up to the file
 * alignment. Names are 8 bytes, NUL-padded only when shorter (".cmdline"
 * fills all 8), so they are compared as 8 bytes. The first section of a
 * name wins, as in systemd's pe.c.
 */
#include "loader.h"
#include "pe.h"
#include "uki.h"
#include "../lib/osrel.h"

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
static bool name_is(const uint8_t *e, const char *name)
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
			if (!name_is(e, uki_section_name[s]))
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
		if (name_is(head + table + (size_t)i * PE_SECTION_SIZE, ".profile")) {
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
		if (name_is(head + table + (size_t)end * PE_SECTION_SIZE, ".profile"))
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

static bool uki_probe(const struct ld_src *s, char *why, size_t whylen)
{
	struct uki_layout l;

	/* a PE file with a .linux among its base sections */
	if (uki_layout(s->head, s->head_len, 0, &l, why, whylen) == RT_ENOEXEC)
		return false;
	if (l.sec[UKI_LINUX].set)
		return true;
	rt_snprintf(why, whylen, "a PE file with no .linux section");
	return false;
}

/* A section whose bytes are handed on as they lie in the file. */
static rt_status in_file(const struct ld_src *s, const struct uki_sec *sec, const char *name)
{
	if (!sec->set)
		return RT_OK;
	if (sec->off > s->size || sec->raw > s->size - sec->off)
		return rt_fail(RT_ETRUNC, "uki",
			       "%s: section %s at %#llx, %llu bytes, ends past the file's %llu bytes",
			       s->name, name, (unsigned long long)sec->off, (unsigned long long)sec->raw,
			       (unsigned long long)s->size);
	if (sec->raw < sec->size)
		return rt_fail(RT_ENOTSUP, "uki",
			       "%s: section %s: VirtualSize %llu is larger than the %llu bytes it has in the file (SizeOfRawData); efikexec hands sections on as they lie in the file",
			       s->name, name, (unsigned long long)sec->size, (unsigned long long)sec->raw);
	return RT_OK;
}

/* Reads a small text section into out (size bytes with the NUL), as the
 * stub turns one into a string: up to its first NUL; `cmdline` mangles as
 * its mangle_stub_cmdline does (control characters become spaces,
 * trailing spaces go), else trailing white space is cut. */
static rt_status text(struct ld_src *s, const struct uki_sec *sec, const char *name, char *out, size_t size,
		      bool cmdline)
{
	size_t n;
	rt_status rs;

	if (sec->raw >= size)
		return rt_fail(RT_E2BIG, "uki", "%s: section %s of %llu bytes, more than the %zu efikexec takes",
			       s->name, name, (unsigned long long)sec->raw, size - 1);
	rs = s->read(s, sec->off, out, sec->raw);
	if (rs != RT_OK)
		return rs;
	out[sec->raw] = 0;
	n = RT_FN(strnlen)(out, (size_t)sec->raw);
	if (cmdline)
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)out[i] <= 0x1f)
				out[i] = ' ';
	while (n && (out[n - 1] == ' ' || (!cmdline && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == '\t'))))
		n--;
	out[n] = 0;
	return RT_OK;
}

/* PRETTY_NAME= of os-release text, else NAME= (os-release(5)). */
static void pretty_name(const char *osrel, char *out, size_t size)
{
	if (!osrel_value(osrel, "PRETTY_NAME", out, size))
		osrel_value(osrel, "NAME", out, size);
}

static void size_words(char *out, size_t size, uint64_t bytes)
{
	if (bytes >= (1ull << 20))
		rt_snprintf(out, size, "%llu MiB", (unsigned long long)((bytes + (1 << 19)) >> 20));
	else
		rt_snprintf(out, size, "%llu KiB", (unsigned long long)((bytes + 1023) >> 10));
}

static struct ld_blob blob(struct ld_src *s, const struct uki_sec *sec, const char *what)
{
	return (struct ld_blob){ s, sec->off, sec->size, what };
}

#define MAGIC "#### LoaderInfo: systemd-stub "
#define SCAN_MAX (1u << 20) /* bytes of a stub's own sections searched for it */

/* Searches [off, off + len) of s for the stub's magic text; its version. */
static unsigned scan(struct ld_src *s, uint64_t off, uint64_t len, char *info, size_t size, uint64_t *budget)
{
	static char buf[4096 + 128];
	const size_t keep = 128, k = sizeof(MAGIC) - 1;
	uint64_t at = 0;
	unsigned version = 0;

	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = s->size - off;
	while (at < len && *budget) {
		size_t n = len - at < sizeof(buf) ? (size_t)(len - at) : sizeof(buf);
		if (n > *budget)
			n = (size_t)*budget;
		if (s->read(s, off + at, buf, n) != RT_OK)
			return 0;
		*budget -= n;
		for (size_t i = 0; i + k <= n; i++)
			if (buf[i] == '#' && !RT_FN(memcmp)(buf + i, MAGIC, k) &&
			    uki_sdmagic(buf + i, n - i, &version, info, size))
				return version;
		if (n < sizeof(buf))
			break;
		at += n - keep; /* the text may straddle two reads */
	}
	return 0;
}

/*
 * The release of systemd-stub the UKI was made from: its .sdmagic section
 * ("#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####"); a stub built
 * with gnu-efi's objcopy (Debian's arm64 stub of 252) has none, its text
 * lies in .data, so then the stub's own sections (none a UKI section) are
 * searched for it, as bootctl searches a file for it (get_file_version).
 * 0: no release named. The stub's sections lie past the head.
 */
static unsigned stub_release(struct ld_src *s, char *info, size_t size)
{
	struct pe_section sec;
	char why[8];
	uint32_t table;
	unsigned count, version;
	uint64_t budget = SCAN_MAX;

	info[0] = 0;
	if (!pe_table(s->head, s->head_len, &table, &count, why, sizeof(why)))
		return 0;
	if (pe_find(s->head, table, count, ".sdmagic", &sec))
		return scan(s, sec.off, sec.len < 256 ? sec.len : 256, info, size, &budget);
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = s->head + table + (size_t)i * PE_SECTION_SIZE;
		bool ours = false;
		for (int j = 0; j < UKI_NSECTIONS && !ours; j++)
			ours = name_is(e, uki_section_name[j]);
		if (ours || RT_FN(memcmp)(e, ".sbat", 5) == 0 || RT_FN(memcmp)(e, ".reloc", 6) == 0)
			continue;
		version = scan(s, ld_rd32(e + 20), ld_rd32(e + 16), info, size, &budget);
		if (version)
			return version;
	}
	return 0;
}

static rt_status uki_load(struct ld_ctx *c, struct ld_src *s)
{
	struct ld_kernel *k = &c->k;
	struct uki_layout l;
	const struct uki_sec *sec = l.sec;
	char why[LD_DESC_MAX], words[32], title[96] = "", info[64];
	static char text_buf[4096];
	const struct uki_model *m;
	unsigned stub;
	struct ld_src *inner;
	rt_status rs;

	stub = stub_release(s, info, sizeof(info));
	m = uki_model_for(stub);
	rs = uki_layout_as(s->head, s->head_len, c->profile, m, &l, why, sizeof(why));
	if (rs != RT_OK)
		return rt_fail(rs, "uki", "%s: %s", s->name, why);
	for (int i = 0; i < UKI_NSECTIONS; i++) {
		/* what is handed on as it lies in the file; the rest is read
		 * (and measured, efi/ukistub.c) zero-filled as the stub sees it */
		bool handed = i == UKI_LINUX || i == UKI_INITRD || i == UKI_UCODE || i == UKI_DTB;
		if (sec[i].set && (sec[i].off > s->size || sec[i].raw > s->size - sec[i].off))
			return in_file(s, &sec[i], uki_section_name[i]);
		if (handed && (rs = in_file(s, &sec[i], uki_section_name[i])) != RT_OK)
			return rs;
	}
	if (sec[UKI_OSREL].set && sec[UKI_OSREL].raw < sizeof(text_buf) &&
	    text(s, &sec[UKI_OSREL], ".osrel", text_buf, sizeof(text_buf), false) == RT_OK)
		pretty_name(text_buf, k->osrel, sizeof(k->osrel));
	if (sec[UKI_PROFILE].set && sec[UKI_PROFILE].raw < sizeof(text_buf) &&
	    text(s, &sec[UKI_PROFILE], ".profile", text_buf, sizeof(text_buf), false) == RT_OK &&
	    !osrel_value(text_buf, "TITLE", title, sizeof(title)))
		osrel_value(text_buf, "ID", title, sizeof(title));
	if (sec[UKI_UNAME].set && (rs = text(s, &sec[UKI_UNAME], ".uname", k->uname, sizeof(k->uname), false)) != RT_OK)
		return rs;
	if (sec[UKI_CMDLINE].set) {
		if ((rs = text(s, &sec[UKI_CMDLINE], ".cmdline", k->cmdline, sizeof(k->cmdline), true)) != RT_OK)
			return rs;
		k->has_cmdline = true;
	}

	inner = ld_new_src(c);
	if (!inner)
		return rt_fail(RT_E2BIG, "uki", "%s: images nested more than %d deep", s->name, LD_MAX_DEPTH);
	ld_src_slice(inner, s, sec[UKI_LINUX].off, sec[UKI_LINUX].size, "%s .linux", s->name);
	ld_desc(c, "UKI (.linux: ");
	rs = ld_load_inner(c, inner);
	if (rs != RT_OK)
		return rs;
	/* after the inner load: what the UKI adds, the inner kernel's
	 * fields stay */
	k->uki = (struct ld_uki){ true, s, l, m, stub, "" };
	rt_snprintf(k->uki.stub_info, sizeof(k->uki.stub_info), "%s", info);
	k->ninitrd = 0;
	if (sec[UKI_UCODE].set)
		k->initrd[k->ninitrd++] = blob(s, &sec[UKI_UCODE], ".ucode");
	if (sec[UKI_INITRD].set)
		k->initrd[k->ninitrd++] = blob(s, &sec[UKI_INITRD], ".initrd");
	if (sec[UKI_DTB].set)
		k->dtb = blob(s, &sec[UKI_DTB], ".dtb");
	for (unsigned i = 0; i < k->ninitrd; i++) {
		size_words(words, sizeof(words), k->initrd[i].len);
		ld_desc(c, ", %s %s", k->initrd[i].what, words);
	}
	if (k->has_cmdline)
		ld_desc(c, ", .cmdline");
	if (sec[UKI_DTB].set)
		ld_desc(c, ", .dtb");
	if (k->osrel[0])
		ld_desc(c, ", .osrel \"%s\"", k->osrel);
	if (k->uname[0])
		ld_desc(c, ", .uname %s", k->uname);
	if (l.nprofiles)
		ld_desc(c, ", profile %u of %u%s%s%s", l.profile, l.nprofiles, title[0] ? " \"" : "", title,
			title[0] ? "\"" : "");
	/* whose rules it is measured and booted by */
	if (!stub)
		ld_desc(c, "; measured as current systemd-stub (the UKI names no stub release)");
	else if (stub < UKI_STUB_OLDEST)
		ld_desc(c, "; measured as systemd-stub %u, the oldest modelled (the UKI's stub is \"%s\")", m->version,
			info);
	else if (m->exact_names)
		ld_desc(c, "; measured as current systemd-stub (the UKI's stub is \"%s\")", info);
	else
		ld_desc(c, "; measured as systemd-stub %u (the UKI's stub is \"%s\")", m->version, info);
	ld_desc(c, ")");
	return RT_OK;
}

const struct ld_loader ld_uki = { "PE", uki_probe, uki_load };
