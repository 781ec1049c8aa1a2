/*
 * arm64.c - validating an arm64 Image header (booting.rst).
 */
#include "arm64.h"

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
