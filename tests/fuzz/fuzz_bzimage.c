/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_bzimage.c - libFuzzer target over the bzImage header parser and
 * the boot_params builder: any file start and size. When the parser
 * accepts, what it promises must hold, and boot_params must carry the
 * header without reading past it. The same bytes are a relocation table
 * (every place it names must lie in the kernel it is applied to), a
 * command line searched for nokaslr, and a KASLR seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../boot/bzimage.h"

#define KSIZE 0x10000

static rt_status patch(void *ctx, uint64_t off, unsigned width, uint64_t add)
{
	uint8_t *k = ctx;

	if (off > KSIZE || KSIZE - off < width || (width != 4 && width != 8))
		abort();
	k[off] += (uint8_t)add;
	return RT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t kernel[KSIZE];
	size_t n;
	uint64_t off;
	char *line;
	static struct bz_boot_params bp;
	struct bzimage_info bi;
	struct bz_load ld = { 0x1000000, 0x2000, 0x3000000, 0x1000, 0 };
	uint64_t file_size;
	uint8_t *copy;

	if (size < 8)
		return 0;
	memcpy(&file_size, data, 8); /* the claimed file size */
	file_size &= (1ull << 36) - 1;
	data += 8;
	size -= 8;
	/* an exact-size copy, so ASan sees any read past what was given */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (bzimage_parse("f", copy, size, file_size, &bi) == RT_OK) {
		if (bi.setup_size + bi.payload_size != file_size || bi.init_size < bi.payload_size ||
		    !bi.kernel_alignment || (bi.kernel_alignment & (bi.kernel_alignment - 1)) ||
		    bi.hdr_end > size || bi.version < BZ_MIN_VERSION || !bi.cmdline_size)
			abort();
		bzimage_boot_params(&bp, copy, bi.hdr_end, &ld);
		if (bp.header != BZ_HDR_MAGIC || bp.type_of_loader != BZ_LOADER_TYPE_UNDEFINED ||
		    bp.sentinel)
			abort();
	}
	bzimage_relocate("f", copy, size, 0x1000000, KSIZE, 0x200000, patch, kernel, &n);
	line = malloc(size + 1);
	memcpy(line, copy, size);
	line[size] = 0;
	bzimage_cmdline_has(line, "nokaslr");
	free(line);
	off = bzimage_kaslr_offset(0x1000000, file_size, 0x200000, (uint32_t)file_size);
	if (off % 0x200000 || (off && 0x1000000 + off + file_size > (1ull << 30)))
		abort();
	free(copy);
	return 0;
}
