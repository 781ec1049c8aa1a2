/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_bunzip2.c - boot/bunzip2.c against libbz2, the reference encoder:
 * every stream libbz2 makes (block sizes 1 and 9; empty, tiny, runs at the
 * edges of the run-length stage, every byte value, noise, several blocks)
 * decodes to its input, read in pieces of random sizes; every prefix of a
 * stream and every single bit flipped is an error or the same output
 * (checked by the CRCs), never other bytes.
 */
#include <bzlib.h>

#include "../../boot/bunzip2.h"
#include "test.h"

static uint8_t *bz(const uint8_t *in, size_t len, int level, size_t *out_len)
{
	unsigned cap = (unsigned)(len + len / 100 + 600);
	uint8_t *out = malloc(cap);

	CHECK(BZ2_bzBuffToBuffCompress((char *)out, &cap, (char *)(uintptr_t)in, (unsigned)len, level, 0, 30) == BZ_OK);
	*out_len = cap;
	return out;
}

/* Decodes c (n bytes) in pieces of up to `piece` bytes (random sizes when
 * seed is given) into a buffer of cap; *len: the bytes made. */
static enum bz2_ret decode(const uint8_t *c, size_t n, uint8_t *out, size_t cap, size_t piece, uint64_t *seed,
			   size_t *len, struct bz2 *b)
{
	static uint32_t tt[9 * 100000];
	enum bz2_ret r = BZ2_MORE;

	*len = 0;
	bz2_init(b, c, n, tt);
	if (b->err)
		r = BZ2_ERROR;
	while (r == BZ2_MORE) {
		size_t want = seed ? 1 + rnd_below(seed, piece) : piece, got;
		if (want > cap - *len)
			want = cap - *len;
		r = bz2_read(b, out + *len, want, &got);
		*len += got;
		if (r == BZ2_MORE && *len == cap) { /* full: more is an error (the stream's "inflates past") */
			r = BZ2_ERROR;
			break;
		}
	}
	return r;
}

static void round_trip(const uint8_t *in, size_t len, int level, uint64_t *seed)
{
	size_t n, got;
	uint8_t *c = bz(in, len, level, &n), *out = malloc(len + 1);
	struct bz2 *b = malloc(sizeof(*b));

	CHECK(decode(c, n, out, len + 1, 1 + rnd_below(seed, 70000), seed, &got, b) == BZ2_END);
	CHECK_EQ_U64(got, len);
	CHECK(!memcmp(out, in, len));
	free(b);
	free(out);
	free(c);
}

TEST(bunzip2_decodes_what_libbz2_encodes)
{
	uint64_t seed = test_seed();
	size_t n = 350000;
	uint8_t *in = malloc(n);

	/* empty, one byte */
	round_trip(in, 0, 9, &seed);
	in[0] = 'x';
	round_trip(in, 1, 1, &seed);
	/* runs around the run-length stage's edges: 4 + 0..255 */
	for (size_t k = 1; k < 600; k += k < 8 ? 1 : 37) {
		memset(in, 'a', k);
		in[k] = 'b';
		memset(in + k + 1, 'a', k / 2 + 3);
		round_trip(in, k + 1 + k / 2 + 3, 9, &seed);
	}
	memset(in, 0, 259);
	round_trip(in, 259, 9, &seed);
	round_trip(in, 260, 9, &seed);
	/* every byte value, in order and mixed */
	for (size_t i = 0; i < 256 * 8; i++)
		in[i] = (uint8_t)(i % 7 ? i : rnd_next(&seed));
	round_trip(in, 256 * 8, 9, &seed);
	/* noise, text-like data with runs, several blocks at level 1 */
	for (size_t i = 0; i < n; i++)
		in[i] = (uint8_t)rnd_next(&seed);
	round_trip(in, 120000, 9, &seed);
	for (size_t i = 0; i < n; i++)
		in[i] = i % 1000 < 40 ? 'z' : "the kernel's payload "[rnd_below(&seed, 21)];
	round_trip(in, n, 1, &seed);
	round_trip(in, n, 9, &seed);
	free(in);
}

TEST(bunzip2_refuses_what_is_wrong)
{
	uint64_t seed = test_seed();
	size_t len = 3000, n, got;
	uint8_t *in = malloc(len), *c, *out = malloc(len + 1);
	struct bz2 *b = malloc(sizeof(*b));

	for (size_t i = 0; i < len; i++)
		in[i] = "abcabd  "[rnd_below(&seed, 8)];
	c = bz(in, len, 9, &n);
	/* every prefix: the stream ends early */
	for (size_t k = 0; k < n; k++) {
		enum bz2_ret r = decode(c, k, out, len + 1, len + 1, NULL, &got, b);
		CHECK(r == BZ2_ERROR);
		if (k >= 4)
			CHECK(!strcmp(b->err, "the stream ends early"));
	}
	/* every bit flipped: an error, or the same bytes (a flip that changes
	 * nothing they decode to: the block size digit, the padding after the
	 * end, the code length of a symbol its group never uses) */
	for (size_t bit = 0; bit < n * 8; bit++) {
		enum bz2_ret r;
		c[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
		r = decode(c, n, out, len + 1, 1 + bit % 4000, NULL, &got, b);
		if (r != BZ2_ERROR) {
			CHECK(r == BZ2_END);
			CHECK(got == len && !memcmp(out, in, len));
		}
		c[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
	}
	/* the randomised bit: after "BZh9", the block magic and its CRC */
	c[14] |= 0x80;
	CHECK(decode(c, n, out, len + 1, len + 1, NULL, &got, b) == BZ2_ERROR);
	CHECK_CONTAINS(b->err, "a randomised block");
	c[14] &= 0x7f;
	/* no header; a block size of 0 */
	CHECK_EQ_U64(bz2_level(c, n), 9);
	c[3] = '0';
	CHECK_EQ_U64(bz2_level(c, n), 0);
	CHECK(decode(c, n, out, len + 1, len + 1, NULL, &got, b) == BZ2_ERROR);
	CHECK_CONTAINS(b->err, "no \"BZh\" header");
	/* a block longer than the stream's block size: the same data under
	 * a header naming 100000 bytes, the data more than that */
	free(c);
	{
		size_t big = 150000;
		uint8_t *x = malloc(big), *y = malloc(big + 1);
		for (size_t i = 0; i < big; i++)
			x[i] = (uint8_t)rnd_next(&seed);
		c = bz(x, big, 2, &n);
		c[3] = '1';
		CHECK(decode(c, n, y, big + 1, big + 1, NULL, &got, b) == BZ2_ERROR);
		CHECK_CONTAINS(b->err, "a block longer than the stream's block size");
		free(x);
		free(y);
	}
	free(c);
	free(b);
	free(out);
	free(in);
}
