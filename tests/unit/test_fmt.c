/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_fmt.c - rt_snprintf against the host's snprintf. */
#include "test.h"
#include "../../lib/rt.h"

#define SAME(...)                                                                 \
	do {                                                                      \
		char sa_[128], sb_[128];                                            \
		int ra_ = rt_snprintf(sa_, sizeof(sa_), __VA_ARGS__);               \
		int rb_ = snprintf(sb_, sizeof(sb_), __VA_ARGS__);                  \
		CHECK_STR(sa_, sb_);                                              \
		CHECK_EQ_U64(ra_, rb_);                                           \
	} while (0)

TEST(fmt_integers_match_libc)
{
	static const long long v[] = { 0, 1, -1, 42, -42, 255, 4096, 0x7fffffff, -0x7fffffffLL - 1,
				       0x123456789abcLL, INT64_MAX, INT64_MIN };
	for (size_t i = 0; i < RT_ARRAY_SIZE(v); i++) {
		long long x = v[i];
		SAME("%d|%i|%5d|%-5d|%05d|%+d|% d", (int)x, (int)x, (int)x, (int)x, (int)x, (int)x, (int)x);
		SAME("%u|%x|%X|%#x|%08x|%o|%#o", (unsigned)x, (unsigned)x, (unsigned)x, (unsigned)x,
		     (unsigned)x, (unsigned)x, (unsigned)x);
		SAME("%lld|%llx|%#llx|%016llx|%lu|%ld", x, (unsigned long long)x, (unsigned long long)x,
		     (unsigned long long)x, (unsigned long)x, (long)x);
		SAME("%zu|%zx|%jd|%td", (size_t)x, (size_t)x, (intmax_t)x, (ptrdiff_t)x);
		SAME("%hd|%hu|%hhd|%hhx", (short)x, (unsigned short)x, (signed char)x, (unsigned char)x);
		SAME("%.3d|%.0d|%8.3x|%-8.3x|%*d|%-*d|%.*d", (int)x, (int)x, (unsigned)x, (unsigned)x,
		     7, (int)x, 7, (int)x, 4, (int)x);
	}
}

TEST(fmt_strings_chars_pointers)
{
	SAME("%s|%10s|%-10s|%.2s|%c|%3c|%-3c|%%", "abc", "abc", "abc", "abc", 'x', 'y', 'z');
	SAME("%s", "");
	SAME("[%p]", (void *)0x1234);
	SAME("%#x %#o", 0u, 0u);
	SAME("%#.0o", 0u);
	SAME("%.*s", 3, "abcdef");
}

TEST(fmt_truncates_and_counts)
{
	char buf[8];
	char big[64];

	memset(buf, 'Z', sizeof(buf));
	int n = rt_snprintf(buf, 5, "%s-%d", "hello", 12345);
	CHECK_EQ_U64(n, 11);
	CHECK_STR(buf, "hell");
	CHECK(buf[5] == 'Z'); /* nothing past the size written */
	CHECK_EQ_U64(rt_snprintf(NULL, 0, "%d", 1234), 4);
	CHECK_EQ_U64(rt_snprintf(buf, 1, "abc"), 3);
	CHECK_STR(buf, "");
	const char *volatile nul = NULL; /* hidden from the format checker */
	rt_snprintf(big, sizeof(big), "%s", nul);
	CHECK_STR(big, "(null)");
}
