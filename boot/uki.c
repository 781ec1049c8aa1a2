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
#include "../lib/osrel.h"

/* The section table of a source's head (boot/pe.c). */
static bool pe_sections(const struct ld_src *s, uint32_t *table, unsigned *count, char *why, size_t whylen)
{
	return pe_table(s->head, s->head_len, table, count, why, whylen);
}

static bool find(const struct ld_src *s, uint32_t table, unsigned count, const char *name,
		 struct pe_section *out)
{
	return pe_find(s->head, table, count, name, out);
}

static bool uki_probe(const struct ld_src *s, char *why, size_t whylen)
{
	uint32_t table;
	unsigned count;
	struct pe_section sec;

	if (!pe_sections(s, &table, &count, why, whylen))
		return false;
	if (find(s, table, count, ".linux", &sec))
		return true;
	rt_snprintf(why, whylen, "a PE file with no .linux section");
	return false;
}

/* A section that must lie in the file: its bytes, as a blob. */
static rt_status section(struct ld_src *s, uint32_t table, unsigned count, const char *name,
			 struct pe_section *sec)
{
	if (!find(s, table, count, name, sec))
		return RT_OK;
	if (sec->off > s->size || sec->len > s->size - sec->off)
		return rt_fail(RT_ETRUNC, "uki",
			       "%s: section %s at %#llx, %llu bytes, ends past the file's %llu bytes",
			       s->name, name, (unsigned long long)sec->off, (unsigned long long)sec->len,
			       (unsigned long long)s->size);
	return RT_OK;
}

/* Reads a small text section into out (size bytes with the NUL); cuts
 * trailing NULs and white space. */
static rt_status text(struct ld_src *s, const struct pe_section *sec, const char *name, char *out,
		      size_t size)
{
	size_t n;
	rt_status rs;

	if (sec->len >= size)
		return rt_fail(RT_E2BIG, "uki", "%s: section %s of %llu bytes, more than the %zu efikexec takes",
			       s->name, name, (unsigned long long)sec->len, size - 1);
	rs = s->read(s, sec->off, out, sec->len);
	if (rs != RT_OK)
		return rs;
	n = (size_t)sec->len;
	out[n] = 0;
	n = RT_FN(strnlen)(out, n);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == '\t'))
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

static rt_status uki_load(struct ld_ctx *c, struct ld_src *s)
{
	struct ld_kernel *k = &c->k;
	struct pe_section lx, initrd, ucode, cmdline, dtb, osrel, uname;
	uint32_t table;
	unsigned count;
	char why[LD_DESC_MAX], words[32];
	struct ld_src *inner;
	rt_status rs;

	if (!pe_sections(s, &table, &count, why, sizeof(why)))
		return rt_fail(RT_ENOEXEC, "uki", "%s: %s", s->name, why);
	if ((rs = section(s, table, count, ".linux", &lx)) != RT_OK ||
	    (rs = section(s, table, count, ".initrd", &initrd)) != RT_OK ||
	    (rs = section(s, table, count, ".ucode", &ucode)) != RT_OK ||
	    (rs = section(s, table, count, ".cmdline", &cmdline)) != RT_OK ||
	    (rs = section(s, table, count, ".dtb", &dtb)) != RT_OK ||
	    (rs = section(s, table, count, ".osrel", &osrel)) != RT_OK ||
	    (rs = section(s, table, count, ".uname", &uname)) != RT_OK)
		return rs;
	if (!lx.len)
		return rt_fail(RT_ENOEXEC, "uki", "%s: section .linux is empty", s->name);
	if (osrel.found) {
		static char text_buf[4096];
		if (osrel.len < sizeof(text_buf) && text(s, &osrel, ".osrel", text_buf, sizeof(text_buf)) == RT_OK)
			pretty_name(text_buf, k->osrel, sizeof(k->osrel));
	}
	if (uname.found && (rs = text(s, &uname, ".uname", k->uname, sizeof(k->uname))) != RT_OK)
		return rs;
	if (cmdline.found) {
		if ((rs = text(s, &cmdline, ".cmdline", k->cmdline, sizeof(k->cmdline))) != RT_OK)
			return rs;
		k->has_cmdline = true;
	}

	inner = ld_new_src(c);
	if (!inner)
		return rt_fail(RT_E2BIG, "uki", "%s: images nested more than %d deep", s->name, LD_MAX_DEPTH);
	ld_src_slice(inner, s, lx.off, lx.len, "%s .linux", s->name);
	ld_desc(c, "UKI (.linux: ");
	rs = ld_load_inner(c, inner);
	if (rs != RT_OK)
		return rs;
	/* after the inner load: what the UKI adds, the inner kernel's
	 * fields stay */
	k->ninitrd = 0;
	if (ucode.len)
		k->initrd[k->ninitrd++] = (struct ld_blob){ s, ucode.off, ucode.len, ".ucode" };
	if (initrd.len)
		k->initrd[k->ninitrd++] = (struct ld_blob){ s, initrd.off, initrd.len, ".initrd" };
	if (dtb.len)
		k->dtb = (struct ld_blob){ s, dtb.off, dtb.len, ".dtb" };
	for (unsigned i = 0; i < k->ninitrd; i++) {
		size_words(words, sizeof(words), k->initrd[i].len);
		ld_desc(c, ", %s %s", k->initrd[i].what, words);
	}
	if (k->has_cmdline)
		ld_desc(c, ", .cmdline");
	if (dtb.len)
		ld_desc(c, ", .dtb");
	if (k->osrel[0])
		ld_desc(c, ", .osrel \"%s\"", k->osrel);
	if (k->uname[0])
		ld_desc(c, ", .uname %s", k->uname);
	ld_desc(c, ")");
	return RT_OK;
}

const struct ld_loader ld_uki = { "PE", uki_probe, uki_load };
