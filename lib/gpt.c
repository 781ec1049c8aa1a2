/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * gpt.c - a GUID Partition Table checked before it is believed; see gpt.h.
 * Field offsets: UEFI 2.10, table 5.5 (the header) and 5.6 (an entry).
 */
#include "gpt.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

uint32_t gpt_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* reflected, polynomial 0x04c11db7 (0xedb88320 reflected), the
	 * register starting and ending inverted */
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

bool gpt_header(const uint8_t *block, size_t bsz, uint64_t lba, struct gpt_header *out, char *why, size_t whylen)
{
	static const uint8_t zero[4];
	uint32_t hsize, crc;
	uint64_t bytes;

	if (bsz < GPT_HEADER_MIN || RT_FN(memcmp)(block, "EFI PART", 8)) {
		rt_snprintf(why, whylen, "no \"EFI PART\" header at LBA %llu", (unsigned long long)lba);
		return false;
	}
	hsize = rd32(block + 12);
	if (hsize < GPT_HEADER_MIN || hsize > bsz) {
		rt_snprintf(why, whylen, "header size %u, not from %u to the block's %zu bytes", hsize, GPT_HEADER_MIN,
			    bsz);
		return false;
	}
	crc = gpt_crc32(0, block, 16);
	crc = gpt_crc32(crc, zero, 4);
	crc = gpt_crc32(crc, block + 20, hsize - 20);
	if (crc != rd32(block + 16)) {
		rt_snprintf(why, whylen, "header CRC32 %#010x, its bytes give %#010x", rd32(block + 16), crc);
		return false;
	}
	*out = (struct gpt_header){
		.my_lba = rd64(block + 24), .first_usable = rd64(block + 40), .last_usable = rd64(block + 48),
		.entries_lba = rd64(block + 72), .count = rd32(block + 80), .entry_size = rd32(block + 84),
		.entries_crc = rd32(block + 88),
	};
	RT_FN(memcpy)(out->disk_guid, block + 56, 16);
	if (out->my_lba != lba) {
		rt_snprintf(why, whylen, "header at LBA %llu says it is at LBA %llu", (unsigned long long)lba,
			    (unsigned long long)out->my_lba);
		return false;
	}
	if (out->entry_size < GPT_ENTRY_MIN || out->entry_size > GPT_ENTRY_MAX ||
	    (out->entry_size & (out->entry_size - 1))) {
		rt_snprintf(why, whylen, "entry size %u, not 128 x 2^n up to %u", out->entry_size, GPT_ENTRY_MAX);
		return false;
	}
	bytes = (uint64_t)out->count * out->entry_size;
	if (bytes > GPT_ENTRIES_MAX) {
		rt_snprintf(why, whylen, "%u entries of %u bytes, more than the %u bytes efikexec reads", out->count,
			    out->entry_size, GPT_ENTRIES_MAX);
		return false;
	}
	if (out->first_usable > out->last_usable) {
		rt_snprintf(why, whylen, "first usable LBA %llu past the last, %llu",
			    (unsigned long long)out->first_usable, (unsigned long long)out->last_usable);
		return false;
	}
	return true;
}

uint64_t gpt_alternate(const uint8_t *block, size_t bsz)
{
	if (bsz < GPT_HEADER_MIN || RT_FN(memcmp)(block, "EFI PART", 8))
		return 0;
	return rd64(block + 32);
}

uint64_t gpt_copy_lba(unsigned copy, uint64_t alt, uint64_t last)
{
	uint64_t lba = copy == 0 ? 1 : copy == 1 ? alt : last;

	if (copy > 2 || lba < 1 || lba > last || (copy && lba == 1) || (copy == 2 && (lba == alt || last == UINT64_MAX)))
		return 0;
	return lba;
}

bool gpt_entries(const struct gpt_header *h, const uint8_t *buf, size_t len, char *why, size_t whylen)
{
	size_t bytes = (size_t)h->count * h->entry_size;
	uint32_t crc;

	if (len < bytes) {
		rt_snprintf(why, whylen, "entry array of %zu bytes, %zu read", bytes, len);
		return false;
	}
	crc = gpt_crc32(0, buf, bytes);
	if (crc != h->entries_crc) {
		rt_snprintf(why, whylen, "entry array CRC32 %#010x, its bytes give %#010x", h->entries_crc, crc);
		return false;
	}
	return true;
}

bool gpt_entry(const struct gpt_header *h, const uint8_t *buf, uint32_t i, struct gpt_entry *out, char *why,
	       size_t whylen)
{
	static const uint8_t unused[16];
	const uint8_t *e = buf + (size_t)i * h->entry_size;
	uint64_t last;

	if (i >= h->count) {
		rt_snprintf(why, whylen, "is not among the table's %u entries", h->count);
		return false;
	}
	if (!RT_FN(memcmp)(e, unused, 16)) {
		rt_snprintf(why, whylen, "is unused (its entry has no type)");
		return false;
	}
	RT_FN(memcpy)(out->type, e, 16);
	RT_FN(memcpy)(out->uuid, e + 16, 16);
	out->first = rd64(e + 32);
	last = rd64(e + 40);
	if (last < out->first || out->first < h->first_usable || last > h->last_usable) {
		rt_snprintf(why, whylen, "has LBAs %llu to %llu, not within the usable %llu to %llu",
			    (unsigned long long)out->first, (unsigned long long)last,
			    (unsigned long long)h->first_usable, (unsigned long long)h->last_usable);
		return false;
	}
	out->blocks = last - out->first + 1;
	return true;
}
