/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_multiboot2.c - libFuzzer target over boot/multiboot2.c: the header
 * parser on an image's first bytes, then, for a header it accepts, the
 * boot information built from a memory map, modules and strings the rest
 * of the input describes. The input is copied to a buffer of its exact
 * size, so ASan catches any read past it. Invariants: a parsed header lies
 * within the first 32 KiB and asks for nothing required that efikexec
 * cannot give; the information always fits the room mb2_info_bound gives,
 * its total_size is what was written, and its tags walk to the end tag in
 * bounds and 8-byte aligned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../boot/multiboot2.h"

static uint32_t take32(const uint8_t **p, size_t *n)
{
	uint32_t v = 0;

	if (*n >= 4) {
		memcpy(&v, *p, 4);
		*p += 4;
		*n -= 4;
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memmap m;
	static struct mb2_module mods[8];
	static char strs[8][24];
	struct mb2_header h;
	uint8_t *b, *info;
	uint32_t off;
	size_t head, rest, bound, len;
	const uint8_t *p;

	if (size < 2)
		return 0;
	/* the first two bytes: how much of the input is the image */
	head = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	b = malloc(head ? head : 1);
	memcpy(b, data + 2, head);
	if (!mb2_probe(b, head, &off) || mb2_parse(b, head, off, "fuzz", &h) != RT_OK) {
		free(b);
		return 0;
	}
	/* what it requires is given on its path (the EFI entry, or i386) */
	if (off + h.length > MB2_SEARCH || (h.required & ~(mb2_efi64(&h) ? MB2_GIVES_EFI : MB2_GIVES)))
		abort();
	free(b);

	p = data + 2 + head;
	rest = size - 2 - head;
	memmap_init(&m);
	for (unsigned i = 0; i < 24 && rest >= 9; i++) {
		uint64_t s = (uint64_t)take32(&p, &rest) << 8, l = take32(&p, &rest) + 1;
		enum mem_type t = (enum mem_type)(*p % MEM_TYPE_COUNT);
		p++, rest--;
		memmap_add(&m, s, s + l, t);
	}
	if (memmap_normalize(&m) != RT_OK)
		return 0;
	unsigned nmod = rest ? *p % 9 : 0;
	for (unsigned i = 0; i < nmod; i++) {
		uint32_t s = take32(&p, &rest), e = s + (take32(&p, &rest) & 0xffffff);
		snprintf(strs[i], sizeof(strs[i]), "\\m%u", take32(&p, &rest) % 100000);
		mods[i] = (struct mb2_module){ s, e < s ? s : e, strs[i], (i & 1) ? "a b" : NULL };
	}
	uint8_t rsdp[36] = "RSD PTR ";
	struct mb2_fb fb = { 0xc0000000, 4096, 1024, 768, 32, 0xff0000, 0xff00, take32(&p, &rest) };
	struct mb2_info_req r = {
		.h = &h, .path = "\\k", .cmdline = "x y", .loader_name = "efikexec", .mod = mods,
		.nmod = nmod, .map = &m, .rsdp = rest & 1 ? rsdp : NULL, .rsdp_len = 20 + (rest & 2 ? 16 : 0),
		.fb = rest & 4 ? &fb : NULL, .efi_systab = 0x7f000000, .efi_mmap = rsdp, .efi_mmap_size = 32,
		.efi_desc_size = 16, .efi_desc_version = 1, .relocated = rest & 8, .load_base = 0x200000,
		.efi_bs = mb2_efi64(&h), .efi_image_handle = 0x7e000000,
	};
	bound = mb2_info_bound(&r, m.n, 32);
	info = malloc(bound);
	if (mb2_info_build(info, bound, &r, &len) != RT_OK) {
		free(info);
		return 0; /* only a module past 4 GiB may fail */
	}
	if (len > bound || len % 8)
		abort();
	{
		uint32_t total;
		size_t o = 8;
		bool ended = false;
		memcpy(&total, info, 4);
		if (total != len)
			abort();
		while (o + 8 <= len) {
			uint32_t t, s;
			memcpy(&t, info + o, 4);
			memcpy(&s, info + o + 4, 4);
			if (s < 8 || o + s > len)
				abort();
			if (t == MB2_IT_END) {
				ended = o + 8 == len;
				break;
			}
			o += (s + 7) & ~(size_t)7;
		}
		if (!ended)
			abort();
	}
	free(info);
	return 0;
}
