/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pe.c - PE section tables and os-release values; see pe.h.
 */
#include "pe.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }

bool pe_table(const uint8_t *b, size_t len, uint32_t *table, unsigned *count, char *why, size_t whylen)
{
	uint32_t pe;

	if (len < 0x40 || b[0] != 'M' || b[1] != 'Z') {
		rt_snprintf(why, whylen, "no \"MZ\" at 0");
		return false;
	}
	pe = rd32(b + 0x3c);
	if (len < 24 || pe > len - 24 || rd32(b + pe) != 0x00004550) {
		rt_snprintf(why, whylen, "no \"PE\" signature at %#x", pe);
		return false;
	}
	*count = rd16(b + pe + 6);
	*table = pe + 24 + rd16(b + pe + 20);
	if (*table > len || (uint64_t)*count * PE_SECTION_SIZE > len - *table) {
		rt_snprintf(why, whylen, "section table of %u sections at %#x is past the first %zu bytes",
			    *count, *table, len);
		return false;
	}
	return true;
}

bool pe_find(const uint8_t *head, uint32_t table, unsigned count, const char *name, struct pe_section *out)
{
	char want[8] = { 0 };

	RT_FN(memcpy)(want, name, RT_FN(strnlen)(name, 8));
	*out = (struct pe_section){ 0 };
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = head + table + i * PE_SECTION_SIZE;
		if (RT_FN(memcmp)(e, want, 8))
			continue;
		out->len = rd32(e + 8) ? rd32(e + 8) : rd32(e + 16);
		out->off = rd32(e + 20);
		out->found = true;
		return true;
	}
	return false;
}

