/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * zboot.c - compressed kernels: EFI zboot images (the kernel's
 * CONFIG_EFI_ZBOOT, Fedora's aarch64 vmlinuz) and gzip files (Ubuntu's
 * arm64 vmlinuz is Image.gz). Both unwrap into a stream (stream.h) that
 * goes through the loader table again, as kexec-tools' slurp_decompress_file
 * and kexec-pe-zboot.c do. The zboot image's own EFI entry (a decompressor
 * that needs boot services) is never run.
 *
 * zboot header (drivers/firmware/efi/libstub/zboot-header.S):
 *   0x00 "MZ"   0x04 "zimg"   0x08 LE32 payload offset   0x0c LE32 payload size
 *   0x18 compression name, NUL-terminated (Makefile.zboot: gzip, lz4, lzma,
 *        lzo, xzkern, zstd22)   0x38 LE32 LINUX_PE_MAGIC   0x3c PE header offset
 * The payload is the Image zero-padded to its image_size. Its size: for
 * gzip the member's ISIZE trailer; for the others a LE32 the Makefile
 * appends after the payload (zboot.c reads it at _gzdata_end - 4).
 */
#include "stream.h"

#define ZBOOT_NAME_OFF 0x18
#define ZBOOT_NAME_END 0x38
#define LINUX_PE_MAGIC 0x818223cdu
/* Nothing efikexec boots inflates to more (arm64 image_size has the same
 * bound in boot/arm64.c). */
#define INFLATED_MAX (1ull << 34)

static bool zboot_probe(const struct ld_src *s, char *why, size_t whylen)
{
	if (s->head_len >= 0x40 && s->head[0] == 'M' && s->head[1] == 'Z' &&
	    !RT_FN(memcmp)(s->head + 4, "zimg", 4))
		return true;
	rt_snprintf(why, whylen, "no \"MZ\" and \"zimg\" at 0 and 4");
	return false;
}

/* The LE32 at `off` of s. */
static rt_status le32_at(struct ld_src *s, uint64_t off, uint32_t *v)
{
	uint8_t b[4];
	rt_status rs = s->read(s, off, b, 4);

	*v = ld_rd32(b);
	return rs;
}

/* A new source for the decompression of [off, off + len) of s, expected to
 * be `size` bytes; then through the table. */
static rt_status unwrap(struct ld_ctx *c, struct ld_src *s, uint64_t off, uint64_t len,
			enum ld_comp comp, uint64_t size, const char *what)
{
	struct ld_src *inner = ld_new_src(c);
	rt_status rs;

	if (!inner)
		return rt_fail(RT_E2BIG, "image", "%s: images nested more than %d deep", s->name, LD_MAX_DEPTH);
	if (!size || size > INFLATED_MAX)
		return rt_fail(RT_ENOEXEC, "image", "%s: %s says it inflates to %llu bytes (want 1 to %llu)",
			       s->name, what, (unsigned long long)size, (unsigned long long)INFLATED_MAX);
	*inner = (struct ld_src){ 0 };
	rt_snprintf(inner->name, sizeof(inner->name), "%s (%s)", s->name, what);
	rs = ld_stream_open(inner, s, off, len, comp, size);
	if (rs != RT_OK)
		return rs;
	return ld_load_inner(c, inner);
}

/* Makefile.zboot's compressions other than gzip, which append the size:
 * "zstd22" (any zstd* is zstd), "xzkern", "lzma", "lz4", "lzo". */
static bool sized_comp(const char *name, enum ld_comp *comp)
{
	static const struct {
		const char *name;
		enum ld_comp comp;
	} names[] = { { "xzkern", LD_COMP_XZ }, { "lzma", LD_COMP_LZMA }, { "lz4", LD_COMP_LZ4 }, { "lzo", LD_COMP_LZO } };

	if (!RT_FN(strncmp)(name, "zstd", 4)) {
		*comp = LD_COMP_ZSTD;
		return true;
	}
	for (unsigned i = 0; i < RT_ARRAY_SIZE(names); i++)
		if (!RT_FN(strcmp)(name, names[i].name)) {
			*comp = names[i].comp;
			return true;
		}
	return false;
}

static rt_status zboot_load(struct ld_ctx *c, struct ld_src *s)
{
	const uint8_t *h = s->head;
	uint64_t off = ld_rd32(h + 8), len = ld_rd32(h + 12);
	char name[ZBOOT_NAME_END - ZBOOT_NAME_OFF + 1];
	uint32_t size;
	enum ld_comp comp;
	rt_status rs;

	RT_FN(memcpy)(name, h + ZBOOT_NAME_OFF, ZBOOT_NAME_END - ZBOOT_NAME_OFF);
	name[sizeof(name) - 1] = 0;
	for (char *p = name; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	if (ld_rd32(h + 0x38) != LINUX_PE_MAGIC)
		return rt_fail(RT_ENOEXEC, "zboot", "%s: %#x at 0x38, not LINUX_PE_MAGIC %#x", s->name,
			       ld_rd32(h + 0x38), LINUX_PE_MAGIC);
	if (off > s->size || len > s->size - off || len < 4)
		return rt_fail(RT_ETRUNC, "zboot",
			       "%s: payload at %#llx, %llu bytes, does not lie within the file's %llu bytes",
			       s->name, (unsigned long long)off, (unsigned long long)len,
			       (unsigned long long)s->size);
	if (!RT_FN(strcmp)(name, "gzip")) {
		comp = LD_COMP_GZIP;
		rs = le32_at(s, off + len - 4, &size); /* ISIZE */
	} else if (sized_comp(name, &comp)) {
		if (off + len + 4 > s->size)
			return rt_fail(RT_ETRUNC, "zboot", "%s: no size after the payload at %#llx", s->name,
				       (unsigned long long)(off + len));
		rs = le32_at(s, off + len, &size);
	} else {
		return rt_fail(RT_ENOTSUP, "zboot",
			       "%s: compression \"%s\" is not supported (efikexec inflates gzip, zstd22, xzkern, lzma, lz4 and lzo)",
			       s->name, name);
	}
	if (rs != RT_OK)
		return rs;
	ld_desc(c, "EFI zboot (%s, %llu KiB: ", name, (unsigned long long)(len >> 10));
	rs = unwrap(c, s, off, len, comp, size, name);
	if (rs == RT_OK)
		ld_desc(c, ")");
	return rs;
}

const struct ld_loader ld_zboot = { "EFI zboot", zboot_probe, zboot_load };

/* --- gzip (RFC 1952): ID1 0x1f, ID2 0x8b, CM 8 (deflate) --------------------------- */

static bool gzip_probe(const struct ld_src *s, char *why, size_t whylen)
{
	if (s->head_len >= 18 && s->head[0] == 0x1f && s->head[1] == 0x8b && s->head[2] == 8)
		return true;
	rt_snprintf(why, whylen, "no gzip magic 1f 8b 08 at 0");
	return false;
}

static rt_status gzip_load(struct ld_ctx *c, struct ld_src *s)
{
	uint32_t size;
	rt_status rs;

	/* ISIZE, the last 4 bytes: the size modulo 2^32 (RFC 1952, 2.3.1);
	 * a single member is the whole file */
	rs = le32_at(s, s->size - 4, &size);
	if (rs != RT_OK)
		return rs;
	ld_desc(c, "gzip (%llu KiB: ", (unsigned long long)(s->size >> 10));
	rs = unwrap(c, s, 0, s->size, LD_COMP_GZIP, size, "gzip");
	if (rs == RT_OK)
		ld_desc(c, ")");
	return rs;
}

const struct ld_loader ld_gzip = { "gzip", gzip_probe, gzip_load };
