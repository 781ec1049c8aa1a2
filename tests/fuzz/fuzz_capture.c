/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_capture.c - libFuzzer target over what efikexec reads from the
 * crashed system's memory and from variables after a reset: the VMCOREINFO
 * note and its values, an x86 page-table walk over the input as physical
 * memory, efi-pstore variable names, and an EFI memory map split by
 * capture_hide_in_efi_map. Checks what each promises, not just "no crash".
 */
#include <stdlib.h>
#include <string.h>

#include "../../lib/capture.h"

static const uint8_t *mem;
static size_t mem_size;

static bool read_mem(void *ctx, uint64_t pa, uint64_t *val)
{
	(void)ctx;
	if (pa > mem_size || mem_size - pa < 8)
		return false;
	memcpy(val, mem + pa, 8);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t map[64 * 48 + 48 * 64];
	char name[64];
	uint64_t v;
	int64_t t;

	/* the note: its length stays inside the input, its values parse */
	size_t len = capture_vmcoreinfo_note(data, size);
	if (len > size + 3)
		abort();
	if (len) {
		char rel[65];
		capture_vmcoreinfo_value(data, len, "SYMBOL(init_top_pgt)", &v);
		capture_vmcoreinfo_value(data, len, "NUMBER(phys_base)", &v);
		if (!capture_vmcoreinfo_release(data, len, rel, sizeof(rel)) || strlen(rel) >= sizeof(rel))
			abort();
	}

	/* page tables: the input is physical memory, the root its first page */
	mem = data;
	mem_size = size;
	bool la57 = size & 1;
	if (capture_x86_page_offset(read_mem, NULL, 0, la57, 0, &v) &&
	    (la57 ? (v >> 56) != 0xff : (v >> 47) != 0x1ffff))
		abort(); /* not a canonical kernel-half address */

	/* a pstore name */
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = 0;
	if (capture_pstore_time(name, &t) && strncmp(name, "dump-type0-", 11) != 0)
		abort();

	/* an EFI map of the input's descriptors, with two spans hidden: every
	 * page of the original stays described exactly once */
	size_t dsz = 48, nd = size / dsz > 64 ? 64 : size / dsz;
	if (nd) {
		uint64_t before = 0, after = 0;
		struct mem_span hide[2] = { { 0x100000, 0x300000 }, { 0x40000000, 0x40200000 } };
		memcpy(map, data, nd * dsz);
		for (size_t i = 0; i < nd; i++) {
			uint64_t pages, phys;
			memcpy(&phys, map + i * dsz + 8, 8);
			memcpy(&pages, map + i * dsz + 24, 8);
			pages &= 0xffff; /* keep [phys, +pages) from wrapping */
			phys &= 0xffffffffffull & ~0xfffull;
			memcpy(map + i * dsz + 8, &phys, 8);
			memcpy(map + i * dsz + 24, &pages, 8);
			before += pages;
		}
		size_t out = capture_hide_in_efi_map(map, nd * dsz, sizeof(map), dsz, hide, 2,
						     CAPTURE_HIDE_TYPES);
		if (out) {
			if (out % dsz || out < nd * dsz)
				abort();
			for (size_t off = 0; off < out; off += dsz) {
				uint64_t pages;
				memcpy(&pages, map + off + 24, 8);
				after += pages;
			}
			if (after != before)
				abort();
		}
	}
	return 0;
}
