/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_gpt.c - libFuzzer target over the GPT checks (lib/gpt.c) the boot
 * stage and efikexec-install trust a disk's partitions by: the input's
 * first 512 bytes are a header block, the rest its entry array. Every
 * refusal says why; an accepted header has sane sizes; an accepted entry
 * lies within the usable range.
 */
#include <stdlib.h>
#include <string.h>

#include "../../lib/gpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpt_header h;
	struct gpt_entry e;
	char why[160];
	uint8_t block[512] = { 0 };
	size_t n = size < sizeof(block) ? size : sizeof(block);

	memcpy(block, data, n);
	/* the CRC made right half the time, so the checks past it run too */
	if (size && (data[0] & 1) && n >= 20) {
		memcpy(block, "EFI PART", 8);
		uint32_t hs = block[12] | (uint32_t)block[13] << 8;
		if (hs >= GPT_HEADER_MIN && hs <= sizeof(block)) {
			memset(block + 16, 0, 4);
			uint32_t crc = gpt_crc32(0, block, hs);
			memcpy(block + 16, &crc, 4);
		}
	}
	/* where the other copy is: read from any block, "EFI PART" or not */
	if (gpt_alternate(block, sizeof(block)) && memcmp(block, "EFI PART", 8))
		abort();
	why[0] = 0;
	if (!gpt_header(block, sizeof(block), 1, &h, why, sizeof(why))) {
		if (!why[0])
			abort();
		return 0;
	}
	if (h.entry_size < GPT_ENTRY_MIN || h.entry_size > GPT_ENTRY_MAX || (h.entry_size & (h.entry_size - 1)) ||
	    (uint64_t)h.count * h.entry_size > GPT_ENTRIES_MAX || h.first_usable > h.last_usable)
		abort();
	const uint8_t *ents = data + n;
	size_t len = size - n;
	why[0] = 0;
	if (!gpt_entries(&h, ents, len, why, sizeof(why))) {
		if (!why[0])
			abort();
		return 0;
	}
	for (uint32_t i = 0; i < h.count && i < 64; i++)
		if (gpt_entry(&h, ents, i, &e, why, sizeof(why)) &&
		    (e.first < h.first_usable || e.first + e.blocks - 1 > h.last_usable || !e.blocks))
			abort();
	return 0;
}
