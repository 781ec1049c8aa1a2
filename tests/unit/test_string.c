/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_string.c - lib/string.c against the host's libc, byte for byte, with
 * sentinel bytes around every destination so an overrun shows at once. */
#include <limits.h>

#include "test.h"
#include "../../lib/rt.h"

#define GUARD 64
#define SPAN 512

struct guarded {
	unsigned char raw[GUARD + SPAN + GUARD];
};

static void fill(unsigned char *p, size_t n, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd_next(seed);
}

static bool guards_ok(const struct guarded *g, const struct guarded *ref)
{
	return memcmp(g->raw, ref->raw, GUARD) == 0 &&
	       memcmp(g->raw + GUARD + SPAN, ref->raw + GUARD + SPAN, GUARD) == 0;
}

TEST(string_memcpy_matches_libc)
{
	uint64_t seed = test_seed();
	static struct guarded a, b;
	unsigned char src[SPAN];

	for (size_t len = 0; len <= 300; len += (len < 70 ? 1 : 37))
		for (size_t so = 0; so < 9; so++)
			for (size_t doff = 0; doff < 9; doff++) {
				fill(a.raw, sizeof(a.raw), &seed);
				b = a;
				fill(src, sizeof(src), &seed);
				void *r = rt_memcpy(a.raw + GUARD + doff, src + so, len);
				memcpy(b.raw + GUARD + doff, src + so, len);
				CHECK(r == a.raw + GUARD + doff);
				CHECK(memcmp(a.raw, b.raw, sizeof(a.raw)) == 0);
			}
}

TEST(string_memmove_overlaps_both_ways)
{
	uint64_t seed = test_seed() ^ 1;
	static struct guarded a, b;

	for (size_t len = 0; len <= 200; len += (len < 40 ? 1 : 23))
		for (int shift = -17; shift <= 17; shift++) {
			size_t src = 100, dst = (size_t)(100 + shift);
			fill(a.raw, sizeof(a.raw), &seed);
			b = a;
			rt_memmove(a.raw + GUARD + dst, a.raw + GUARD + src, len);
			memmove(b.raw + GUARD + dst, b.raw + GUARD + src, len);
			CHECK(memcmp(a.raw, b.raw, sizeof(a.raw)) == 0);
			CHECK(guards_ok(&a, &b));
		}
}

TEST(string_memset_and_compare)
{
	uint64_t seed = test_seed() ^ 2;
	static struct guarded a, b;

	for (size_t len = 0; len <= 130; len++)
		for (size_t off = 0; off < 9; off++) {
			int c = (int)(rnd_next(&seed) & 0x1ff) - 0x80; /* also out of byte range */
			fill(a.raw, sizeof(a.raw), &seed);
			b = a;
			CHECK(rt_memset(a.raw + GUARD + off, c, len) == a.raw + GUARD + off);
			memset(b.raw + GUARD + off, c, len);
			CHECK(memcmp(a.raw, b.raw, sizeof(a.raw)) == 0);
		}
	unsigned char x[32], y[32];
	for (int i = 0; i < 2000; i++) {
		fill(x, sizeof(x), &seed);
		memcpy(y, x, sizeof(y));
		size_t at = rnd_below(&seed, sizeof(x));
		y[at] = (unsigned char)rnd_next(&seed);
		size_t n = rnd_below(&seed, sizeof(x) + 1);
		int r = rt_memcmp(x, y, n), l = memcmp(x, y, n);
		CHECK((r < 0) == (l < 0) && (r > 0) == (l > 0));
		CHECK(rt_memchr(x, y[at], n) == memchr(x, y[at], n));
	}
}

TEST(string_str_functions_match_libc)
{
	static const char *const s[] = { "", "a", "abc", "abd", "ab", "hello world",
					 "\xff\x80", "zzzz", "a\x01", "abcabc" };
	for (size_t i = 0; i < RT_ARRAY_SIZE(s); i++) {
		CHECK_EQ_U64(rt_strlen(s[i]), strlen(s[i]));
		for (size_t m = 0; m < 8; m++)
			CHECK_EQ_U64(rt_strnlen(s[i], m), strnlen(s[i], m));
		for (int c = 0; c < 256; c += 1) {
			CHECK(rt_strchr(s[i], c) == strchr(s[i], c));
			CHECK(rt_strrchr(s[i], c) == strrchr(s[i], c));
		}
		for (size_t j = 0; j < RT_ARRAY_SIZE(s); j++) {
			int r = rt_strcmp(s[i], s[j]), l = strcmp(s[i], s[j]);
			CHECK((r < 0) == (l < 0) && (r > 0) == (l > 0));
			for (size_t n = 0; n < 6; n++) {
				r = rt_strncmp(s[i], s[j], n);
				l = strncmp(s[i], s[j], n);
				CHECK((r < 0) == (l < 0) && (r > 0) == (l > 0));
			}
		}
	}
}

TEST(string_strtoul_matches_libc)
{
	static const char *const s[] = { "0", "123", "  42x", "-5", "+7", "0x1f", "0X1F", "017",
					 "0x", "0xg", "z", "", "18446744073709551615",
					 "18446744073709551616", "99999999999999999999999",
					 "ffffffffffffffff", "10000000000000000", "1z", "0b1" };
	static const int bases[] = { 0, 8, 10, 16, 36, 2 };
	for (size_t i = 0; i < RT_ARRAY_SIZE(s); i++)
		for (size_t b = 0; b < RT_ARRAY_SIZE(bases); b++) {
			char *e1, *e2;
			unsigned long r = rt_strtoul(s[i], &e1, bases[b]);
			unsigned long l = strtoul(s[i], &e2, bases[b]);
			CHECK_EQ_U64(r, l);
			CHECK(e1 == e2);
		}
}

TEST(string_parse_u64_suffixes_and_overflow)
{
	uint64_t v = 0;

	CHECK(rt_parse_u64("0", &v, false) && v == 0);
	CHECK(rt_parse_u64("0x10", &v, false) && v == 16);
	CHECK(rt_parse_u64("64M", &v, true) && v == 64ull << 20);
	CHECK(rt_parse_u64("2g", &v, true) && v == 2ull << 30);
	CHECK(rt_parse_u64("0x100000K", &v, true) && v == 1ull << 30);
	CHECK(rt_parse_u64("18446744073709551615", &v, false) && v == UINT64_MAX);
	CHECK(!rt_parse_u64("18446744073709551616", &v, false));
	CHECK(!rt_parse_u64("16777216T", &v, true));
	CHECK(!rt_parse_u64("64M", &v, false));
	CHECK(!rt_parse_u64("", &v, true));
	CHECK(!rt_parse_u64("0x", &v, true));
	CHECK(!rt_parse_u64("12Q", &v, true));
	CHECK(!rt_parse_u64("1MB", &v, true));
}
