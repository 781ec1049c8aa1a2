/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_bunzip2.c - libFuzzer target for boot/bunzip2.c: any bytes as a
 * bzip2 stream (behind "BZh9" when they do not begin with a header, so the
 * blocks are reached), read in pieces of changing size, up to 4 MiB of
 * output. No read past the input or the block (ASan), no undefined
 * operation (UBSan); an error always says what; no piece overfilled.
 */
#include <stdlib.h>
#include <string.h>

#include "../../boot/bunzip2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t tt[9 * 100000];
	static struct bz2 b;
	static uint8_t out[8192];
	bool header = bz2_level(data, size) != 0;
	size_t n = size + (header ? 0 : 4), total = 0, got;
	uint8_t *in = malloc(n ? n : 1);
	enum bz2_ret r;

	/* exact size: ASan sees any read past it */
	if (!header)
		memcpy(in, "BZh9", 4);
	memcpy(in + (header ? 0 : 4), data, size);
	bz2_init(&b, in, n, tt);
	do {
		size_t want = 1 + (total * 7 + size) % sizeof(out);
		r = bz2_read(&b, out, want, &got);
		if (got > want)
			abort();
		total += got;
	} while (r == BZ2_MORE && total < (4u << 20));
	if (r == BZ2_ERROR && (!b.err || !*b.err || b.err_at > n))
		abort();
	free(in);
	return 0;
}
