/* SPDX-License-Identifier: BSD-2-Clause-Patent */
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

/* A bzImage setup header as a 6.x x86_64 build writes it (the kernel's
 * Documentation/arch/x86/boot.rst, protocol 2.15) into b, zeroed by the
 * caller and at least 0x26c bytes: setup_sects sectors of setup, syssize
 * for `payload` bytes, loaded high, 64-bit, relocatable at 2 MiB,
 * cmdline_size 2047, pref_address 16 MiB, init_size as given. The host
 * tests of the loader, the bzImage parser and the API build on it. */
static inline void test_bzimage_header(uint8_t *b, uint8_t setup_sects, uint32_t payload,
				       uint32_t init_size)
{
	b[0x1f1] = setup_sects;
	w32(b, 0x1f4, payload / 16);
	w16(b, 0x1fe, 0xaa55);
	b[0x200] = 0xeb; /* jmp: the header ends at 0x26c */
	b[0x201] = 0x6a;
	w32(b, 0x202, 0x53726448); /* "HdrS" */
	w16(b, 0x206, 0x020f);
	b[0x211] = 0x01;           /* LOADED_HIGH */
	w32(b, 0x22c, 0x7fffffff);
	w32(b, 0x230, 0x200000);
	b[0x234] = 1;
	w16(b, 0x236, 0x3);        /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	w32(b, 0x238, 2047);
	w64(b, 0x258, 0x1000000);
	w32(b, 0x260, init_size);
}

struct test_section {
	const char *name;
	const void *data;
	size_t len;
};

/* A PE file with these sections, laid out as objcopy does: raw data at
 * 0x200-aligned offsets, VirtualSize exact. Freed by the caller. */
static inline uint8_t *test_pe(const struct test_section *s, unsigned n, size_t *len)
{
	size_t off = 0x400, total = off;
	uint8_t *b;

	for (unsigned i = 0; i < n; i++)
		total += (s[i].len + 0x1ff) & ~(size_t)0x1ff;
	b = calloc(1, total);
	b[0] = 'M', b[1] = 'Z';
	w32(b, 0x3c, 0x80);
	memcpy(b + 0x80, "PE\0\0", 4);
	w16(b, 0x84, 0x8664);
	w16(b, 0x86, (uint16_t)n);
	w16(b, 0x94, 0xf0); /* SizeOfOptionalHeader */
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = b + 0x80 + 24 + 0xf0 + 40 * i;
		size_t raw = (s[i].len + 0x1ff) & ~(size_t)0x1ff;
		for (unsigned k = 0; k < 8 && s[i].name[k]; k++)
			e[k] = (uint8_t)s[i].name[k];
		w32(e, 8, (uint32_t)s[i].len);
		w32(e, 12, 0x20000 + 0x10000 * i);
		w32(e, 16, (uint32_t)raw);
		w32(e, 20, (uint32_t)off);
		memcpy(b + off, s[i].data, s[i].len);
		off += raw;
	}
	*len = total;
	return b;
}

#ifdef EFIKEXEC_LOADER_H
/* The loader table run on `len` bytes at `buf` (named `name`) for machine
 * `m`, into `ctx` (closed first: what a previous load held is let go). */
static inline rt_status test_ld_load(struct ld_ctx *ctx, const void *buf, size_t len, enum ld_machine m,
				     const char *name)
{
	struct ld_src s;

	ld_ctx_close(ctx);
	ld_src_memory(&s, buf, len, name);
	ctx->machine = m;
	test_log_clear();
	return ld_load(ctx, &s);
}
#endif

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
