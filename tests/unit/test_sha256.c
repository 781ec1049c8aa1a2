/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_sha256.c - FIPS 180-4 / NIST CSRC example vectors, plus the
 * streaming and zero-tail forms agreeing with the one-shot form. */
#include "test.h"
#include "../../lib/sha256.h"
#include "../../arch/x86_64/sha256-ni.h"

static void check_hex(const void *data, size_t len, const char *want)
{
	uint8_t d[32];
	char hex[65];

	sha256(data, len, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, want);
}

TEST(sha256_nist_vectors)
{
	check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	static uint8_t million[1000000];
	memset(million, 'a', sizeof(million));
	check_hex(million, sizeof(million),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_streaming_and_zero_tail_agree)
{
	uint64_t seed = test_seed();
	static uint8_t buf[5000];

	for (int round = 0; round < 200; round++) {
		size_t len = rnd_below(&seed, 3000), tail = rnd_below(&seed, 2000);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd_next(&seed);
		memset(buf + len, 0, tail);
		uint8_t one[32], two[32];
		sha256(buf, len + tail, one);
		struct sha256_ctx c;
		sha256_init(&c);
		size_t pos = 0;
		while (pos < len) {
			size_t n = rnd_below(&seed, 130) + 1;
			if (n > len - pos)
				n = len - pos;
			sha256_update(&c, buf + pos, n);
			pos += n;
		}
		sha256_update_zeros(&c, tail);
		sha256_final(&c, two);
		CHECK(memcmp(one, two, 32) == 0);
	}
}

/* sha256_same_state (efi/net.c's check across a pinned URL's transfers):
 * the same bytes fed in other pieces reach the same state at every length;
 * one byte changed anywhere before that length, or another length, does
 * not. */
TEST(sha256_same_state_across_pieces)
{
	uint64_t seed = test_seed();
	static uint8_t buf[3000];

	for (int round = 0; round < 200; round++) {
		size_t len = rnd_below(&seed, sizeof(buf)) + 1;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd_next(&seed);
		struct sha256_ctx a, b, c, d;
		sha256_init(&a);
		sha256_update(&a, buf, len);
		sha256_init(&b);
		for (size_t pos = 0; pos < len;) {
			size_t n = rnd_below(&seed, 200) + 1;
			if (n > len - pos)
				n = len - pos;
			sha256_update(&b, buf + pos, n);
			pos += n;
		}
		CHECK(sha256_same_state(&a, &b));
		size_t at = rnd_below(&seed, len);
		buf[at] ^= (uint8_t)(1u << rnd_below(&seed, 8));
		sha256_init(&c);
		sha256_update(&c, buf, len);
		CHECK(!sha256_same_state(&a, &c));
		sha256_init(&d);
		sha256_update(&d, buf, len - 1);
		CHECK(!sha256_same_state(&a, &d));
	}
}

/* x86_64: the SHA-NI blocks (arch/x86_64/sha256-ni.asm) against the
 * portable code, on every length around the block boundaries and on
 * multi-block runs, when this host's CPU has the instructions. */
#if defined(__x86_64__)

TEST(sha256_ni_agrees_with_portable)
{
	static uint8_t b[4096 + 64];
	uint8_t want[32], got[32];
	uint64_t s = test_seed();

	if (!x86_sha256_ni_usable()) {
		printf("  (this CPU has no SHA-NI: skipped)\n");
		return;
	}
	for (size_t i = 0; i < sizeof(b); i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(s >> 56);
	}
	CHECK(sha256_set_blocks(x86_sha256_ni_blocks));
	CHECK(sha256_accelerated());
	for (size_t len = 0; len <= sizeof(b); len += len < 200 ? 1 : 61) {
		sha256_set_blocks(NULL);
		sha256(b, len, want);
		sha256_set_blocks(x86_sha256_ni_blocks);
		sha256(b, len, got);
		if (memcmp(want, got, 32)) {
			test_fail(__FILE__, __LINE__, "SHA-NI differs at %zu bytes", len);
			break;
		}
	}
	sha256_set_blocks(NULL);
	CHECK(!sha256_accelerated());
}
#endif
