/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_bzimage.c - libFuzzer target over the bzImage header parser and
 * the boot_params builder: any file start and size. When the parser
 * accepts, what it promises must hold, and boot_params must carry the
 * header without reading past it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../boot/bzimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
	free(copy);
	return 0;
}
