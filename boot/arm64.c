/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * arm64.c - validating an arm64 Image header (booting.rst).
 */
#include "arm64.h"
#include "loader.h"

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Where the file's data ends by its PE header (an Image with the EFI stub
 * is also a PE/COFF file: sections' PointerToRawData + SizeOfRawData, PE
 * format, "Section Table"), or 0 when there is no PE header in buf.
 */
static uint64_t pe_end(const uint8_t *b, size_t len)
{
	uint32_t pe, sect;
	unsigned nsec;
	uint64_t end = 0;

	if (len < 0x40 || b[0] != 'M' || b[1] != 'Z')
		return 0;
	pe = rd32(b + 0x3c);
	if (pe > len - 24 || rd32(b + pe) != 0x00004550) /* "PE\0\0" */
		return 0;
	nsec = (unsigned)(b[pe + 6] | b[pe + 7] << 8);
	sect = pe + 24 + (uint32_t)(b[pe + 20] | b[pe + 21] << 8);
	for (unsigned i = 0; i < nsec && sect + 40 * (i + 1) <= len; i++) {
		const uint8_t *s = b + sect + 40 * i;
		uint64_t e = (uint64_t)rd32(s + 20) + rd32(s + 16);
		if (rd32(s + 16) && e > end)
			end = e;
	}
	return end;
}

rt_status arm64_image_parse(const char *name, const uint8_t *b, size_t len, uint64_t file_size,
			    struct arm64_image_info *ii)
{
	uint32_t magic;

	*ii = (struct arm64_image_info){ 0 };
	if (len > file_size)
		len = (size_t)file_size;
	if (len < ARM64_HEADER_SIZE)
		return rt_fail(RT_ETRUNC, "image",
			       "%s: %llu bytes, too short for an arm64 Image header (needs %u)", name,
			       (unsigned long long)file_size, ARM64_HEADER_SIZE);
	magic = (uint32_t)rd64(b + 0x38);
	if (magic != ARM64_IMAGE_MAGIC)
		return rt_fail(RT_ENOEXEC, "image",
			       "%s: not an arm64 Image: magic %#x at 0x38 (want %#x, \"ARM\\x64\")", name,
			       magic, ARM64_IMAGE_MAGIC);
	ii->text_offset = rd64(b + 0x08);
	ii->image_size = rd64(b + 0x10);
	ii->flags = rd64(b + 0x18);
	ii->page_kib = (unsigned[]){ 0, 4, 16, 64 }[(ii->flags >> 1) & 3];
	ii->anywhere = ii->flags & ARM64_FLAG_ANYWHERE;
	if (ii->flags & ARM64_FLAG_BE)
		return rt_fail(RT_ENOTSUP, "image", "%s: flags %#llx: a big-endian kernel", name,
			       (unsigned long long)ii->flags);
	if (!ii->image_size)
		return rt_fail(RT_ENOTSUP, "image",
			       "%s: image_size is 0: a kernel older than 3.17, which efikexec does not load",
			       name);
	if (ii->image_size < file_size)
		return rt_fail(RT_ENOEXEC, "image",
			       "%s: image_size %#llx is smaller than the file's %#llx bytes", name,
			       (unsigned long long)ii->image_size, (unsigned long long)file_size);
	if (ii->image_size > (1ull << 34))
		return rt_fail(RT_ENOEXEC, "image", "%s: image_size %#llx is beyond reason (16 GiB)", name,
			       (unsigned long long)ii->image_size);
	ii->pe_end = pe_end(b, len);
	if (ii->pe_end > file_size)
		return rt_fail(RT_ETRUNC, "image",
			       "%s: truncated: %llu bytes, its PE section table says %llu", name,
			       (unsigned long long)file_size, (unsigned long long)ii->pe_end);
	if (ii->text_offset & 4095 || ii->text_offset >= ARM64_BASE_ALIGN)
		return rt_fail(RT_ENOEXEC, "image",
			       "%s: text_offset %#llx is not page-aligned below 2 MiB", name,
			       (unsigned long long)ii->text_offset);
	return RT_OK;
}

/* --- as a loader (boot/loader.h) --------------------------------------------------- */

/* arch/arm64/include/uapi/asm/setup.h: COMMAND_LINE_SIZE 2048, with the NUL */
#define ARM64_CMDLINE_MAX 2047

static bool a64_probe(const struct ld_src *s, char *why, size_t whylen)
{
	if (s->head_len < ARM64_HEADER_SIZE) {
		rt_snprintf(why, whylen, "%llu bytes, shorter than an Image header", (unsigned long long)s->size);
		return false;
	}
	if (ld_rd32(s->head + 0x38) == ARM64_IMAGE_MAGIC)
		return true;
	rt_snprintf(why, whylen, "magic 0x%08x at 0x38 (want %#x)", ld_rd32(s->head + 0x38), ARM64_IMAGE_MAGIC);
	return false;
}

static rt_status a64_load(struct ld_ctx *c, struct ld_src *s)
{
	struct ld_kernel *k = &c->k;
	struct arm64_image_info ii;
	rt_status rs;

	/* a decompressed Image whose wrapper claims more bytes than the Image
	 * says it has: a gzip trailer read from a file cut short, or garbage */
	if (s->stream && s->head_len >= ARM64_HEADER_SIZE && ld_rd32(s->head + 0x38) == ARM64_IMAGE_MAGIC &&
	    ld_rd64(s->head + 0x10) && ld_rd64(s->head + 0x10) < s->size)
		return rt_fail(RT_ETRUNC, "image",
			       "%s: inflates to %llu bytes by its wrapper's size field, more than the Image's image_size %#llx: the file is cut short or corrupt",
			       s->name, (unsigned long long)s->size, (unsigned long long)ld_rd64(s->head + 0x10));
	rs = arm64_image_parse(s->name, s->head, s->head_len, s->size, &ii);
	if (rs != RT_OK)
		return rs;
	k->machine = LD_MACHINE_AARCH64;
	k->format = "arm64 Image";
	k->src = s;
	/* past the file the kernel needs room, not zeros: it clears its own
	 * bss (head.S __primary_switched) */
	k->piece[0] = (struct ld_piece){ 0, s->size, 0, ii.image_size, true };
	k->npieces = 1;
	k->memsz = ii.image_size;
	k->align = ARM64_BASE_ALIGN;
	k->load_offset = ii.text_offset;
	/* flags bit 3 clear: "as close as possible to the base of DRAM" -
	 * placement is lowest-first anyway */
	k->cmdline_max = ARM64_CMDLINE_MAX;
	k->initrd_window = ARM64_INITRD_WINDOW;
	k->initrd_window_align = ARM64_INITRD_WINDOW_ALIGN;
	k->takes_dtb = true;
	ld_desc(c, "arm64 Image, %llu KiB, image_size %llu KiB", (unsigned long long)(s->size >> 10),
		(unsigned long long)(ii.image_size >> 10));
	rt_log(RT_LOG_DEBUG, "image", "%s: text_offset %#llx, image_size %#llx, flags %#llx (%u KiB pages, %s)",
	       s->name, (unsigned long long)ii.text_offset, (unsigned long long)ii.image_size,
	       (unsigned long long)ii.flags, ii.page_kib, ii.anywhere ? "anywhere" : "low");
	return RT_OK;
}

const struct ld_loader ld_arm64 = { "arm64 Image", a64_probe, a64_load };
