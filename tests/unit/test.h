/*
 * test.h - the host unit tests' tiny harness. A TEST registers itself; a
 * test passes when none of its CHECKs failed. Failed checks print file,
 * line and the expression (with values for the _EQ forms). The runner ends
 * with "unit: N passed, N failed". Everything runs under ASan and UBSan.
 */
#ifndef EFIKEXEC_TEST_H
#define EFIKEXEC_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void test_register(const char *name, void (*fn)(void));
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Log lines lib/ emitted since the last test_log_clear(), joined by '\n'. */
const char *test_log(void);
void test_log_clear(void);
/* A seed for randomised tests: EFIKEXEC_SEED from the environment, or fixed. */
uint64_t test_seed(void);

#define TEST(name)                                                                \
	static void name(void);                                                   \
	static void __attribute__((constructor)) register_##name(void)            \
	{                                                                         \
		test_register(#name, name);                                       \
	}                                                                         \
	static void name(void)

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond))                                                      \
			test_fail(__FILE__, __LINE__, "%s", #cond);               \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                        \
	do {                                                                      \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                  \
		if (a_ != b_)                                                     \
			test_fail(__FILE__, __LINE__, "%s == %s: %#" PRIx64          \
				  " != %#" PRIx64, #a, #b, a_, b_);               \
	} while (0)

#define CHECK_STR(a, b)                                                           \
	do {                                                                      \
		const char *a_ = (a), *b_ = (b);                                  \
		if (strcmp(a_, b_) != 0)                                          \
			test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"",  \
				  #a, #b, a_, b_);                                \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                               \
	do {                                                                      \
		const char *h_ = (hay), *n_ = (needle);                           \
		if (!strstr(h_, n_))                                              \
			test_fail(__FILE__, __LINE__, "\"%s\" not in \"%s\"", n_, h_);\
	} while (0)

/* Little-endian stores, for building image headers. */
static inline void w16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}
static inline void w32(uint8_t *b, size_t off, uint32_t v)
{
	w16(b, off, (uint16_t)v);
	w16(b, off + 2, (uint16_t)(v >> 16));
}
static inline void w64(uint8_t *b, size_t off, uint64_t v)
{
	w32(b, off, (uint32_t)v);
	w32(b, off + 4, (uint32_t)(v >> 32));
}

/* xorshift64*: reproducible randomness for the property tests. */
static inline uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}
static inline uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd_next(s) % n : 0;
}

#endif
