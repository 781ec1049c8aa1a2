/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_xxh64.c - lib/xxh64.c against the reference tool (`xxhsum -H64`,
 * Debian's xxhash 0.8.1, seed 0) on inputs around the 32-byte stripe and
 * the 8- and 4-byte tails, and the streaming forms (any split, zero tails)
 * agreeing with the one-shot form. */
#include "test.h"
#include "../../lib/xxh64.h"

TEST(xxh64_reference_values)
{
	static uint8_t b[1000];
	uint8_t x[32];

	CHECK_EQ_U64(xxh64("", 0, 0), 0xef46db3751d8e999ull);
	CHECK_EQ_U64(xxh64("a", 1, 0), 0xd24ec4f1a98c6e5bull);
	CHECK_EQ_U64(xxh64("abc", 3, 0), 0x44bc2cf5ad770999ull);
	memset(x, 'x', 31);
	CHECK_EQ_U64(xxh64(x, 31, 0), 0x60dd0d01083b99f0ull);
	memset(x, 'y', 32);
	CHECK_EQ_U64(xxh64(x, 32, 0), 0x64da1f1d3495ce66ull);
	for (int i = 0; i < 1000; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ_U64(xxh64(b, 1000, 0), 0x5f235fa033f1a3fbull);
}

TEST(xxh64_streaming_and_zero_tail_agree)
{
	static uint8_t b[5000];
	uint64_t s = test_seed();

	for (size_t i = 0; i < sizeof(b); i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(s >> 56);
	}
	for (size_t len = 0; len < 200; len += 7) {
		uint64_t want = xxh64(b, len, 42);
		for (size_t cut = 0; cut <= len; cut += 5) {
			struct xxh64_ctx c;
			xxh64_init(&c, 42);
			xxh64_update(&c, b, cut);
			xxh64_update(&c, b + cut, len - cut);
			CHECK_EQ_U64(xxh64_final(&c), want);
		}
	}
	/* data then zeros, as a segment's tail */
	memset(b + 3000, 0, 2000);
	struct xxh64_ctx c;
	xxh64_init(&c, 0);
	xxh64_update(&c, b, 3000);
	xxh64_update_zeros(&c, 2000);
	CHECK_EQ_U64(xxh64_final(&c), xxh64(b, 5000, 0));
}
