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
			ours = uki_name_is(e, uki_section_name[j]);
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
