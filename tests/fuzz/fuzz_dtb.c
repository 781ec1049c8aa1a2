/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_dtb.c - libFuzzer target over what efikexec reads from files on
 * aarch64: the Image header parser, and the device tree checker and
 * fixups. A tree dtb_check() accepts must come out of dtb_prepare() as a
 * tree that dtb_check() accepts again, with the mmap placeholders fillable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../boot/arm64.h"
#include "../../boot/dtb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dtb_boot b = { .cmdline = "console=ttyAMA0 root=/dev/vda", .systab = 0x7fed0018,
				     .initrd_start = 0x42000000, .initrd_end = 0x42100000,
				     .rng_len = 32 };
	struct arm64_image_info ii;
	uint64_t uart;
	uint8_t *in, *out;
	size_t room;

	/* the same bytes as an Image, of their own size or claimed longer */
	if (arm64_image_parse("f", data, size, size, &ii) == RT_OK &&
	    (ii.image_size < size || (ii.pe_end && ii.pe_end > size)))
		abort();
	/* an exact-size copy: ASan sees any read past the input */
	in = malloc(size ? size : 1);
	memcpy(in, data, size);
	if (dtb_check("f", in, size) == RT_OK) {
		dtb_find_pl011(in, &uart);
		room = dtb_room(in, strlen(b.cmdline));
		out = malloc(room);
		if (dtb_prepare("f", in, out, room, &b) == RT_OK) {
			if (dtb_check("out", out, room) != RT_OK ||
			    dtb_set_mmap(out, 0x1000, 4800, 48, 1) != RT_OK)
				abort();
		}
		free(out);
		/* with modules for a payload without EFI (Xen): the tree
		 * comes out valid */
		{
			static const struct dtb_module mods[] = { { 0x40200000, 0x100000, "console=hvc0" },
								  { 0x40400000, 0x2000, NULL } };
			static const struct mem_span keep[] = { { 0xbc000000, 0xbc100000 } };
			struct dtb_boot m = b;
			m.mod = mods, m.nmod = 2, m.keep = keep, m.nkeep = 1;
			room = dtb_room(in, strlen(b.cmdline)) + dtb_room_modules(2, 16 + strlen(b.cmdline), 1);
			out = malloc(room);
			if (dtb_prepare("f", in, out, room, &m) == RT_OK && dtb_check("out", out, room) != RT_OK)
				abort();
			free(out);
		}
	}
	free(in);
	return 0;
}
