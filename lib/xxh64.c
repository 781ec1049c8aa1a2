/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * xxh64.c - XXH64 as its specification describes it (constants, the four
 * lanes over 32-byte stripes, the merge, the tail, the avalanche); see
 * xxh64.h. Checked against the reference tool's output in the unit tests.
 */
#include "xxh64.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }

/* Loads of any alignment, inlined (the freestanding builds would call a
 * memcpy for each; with -mstrict-align they become byte loads).
 * Little-endian targets only (x86_64, aarch64). */
static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t lane)
{
	acc += lane * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v)
{
	acc ^= round64(0, v);
	return acc * P1 + P4;
}

/* Whole stripes from p: n bytes, a multiple of 32. */
static void stripes(uint64_t v[4], const uint8_t *p, size_t n)
{
	uint64_t a = v[0], b = v[1], c = v[2], d = v[3];

	for (const uint8_t *end = p + n; p < end; p += 32) {
		a = round64(a, rd64(p));
		b = round64(b, rd64(p + 8));
		c = round64(c, rd64(p + 16));
		d = round64(d, rd64(p + 24));
	}
	v[0] = a;
	v[1] = b;
	v[2] = c;
	v[3] = d;
}

void xxh64_init(struct xxh64_ctx *c, uint64_t seed)
{
	RT_FN(memset)(c, 0, sizeof(*c));
	c->seed = seed;
	c->v[0] = seed + P1 + P2;
	c->v[1] = seed + P2;
	c->v[2] = seed;
	c->v[3] = seed - P1;
}

void xxh64_update(struct xxh64_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->total += len;
	if (c->fill) {
		size_t n = 32 - c->fill < len ? 32 - c->fill : len;
		RT_FN(memcpy)(c->buf + c->fill, p, n);
		c->fill += (unsigned)n;
		p += n;
		len -= n;
		if (c->fill < 32)
			return;
		stripes(c->v, c->buf, 32);
		c->fill = 0;
	}
	if (len >= 32) {
		size_t n = len & ~(size_t)31;
		stripes(c->v, p, n);
		p += n;
		len -= n;
	}
	if (len) {
		RT_FN(memcpy)(c->buf, p, len);
		c->fill = (unsigned)len;
	}
}

void xxh64_update_zeros(struct xxh64_ctx *c, uint64_t len)
{
	static const uint8_t zeros[4096];

	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		xxh64_update(c, zeros, n);
		len -= n;
	}
}

uint64_t xxh64_final(const struct xxh64_ctx *c)
{
	const uint8_t *p = c->buf, *end = c->buf + c->fill;
	uint64_t acc;

	if (c->total >= 32) {
		acc = rotl(c->v[0], 1) + rotl(c->v[1], 7) + rotl(c->v[2], 12) + rotl(c->v[3], 18);
		for (int i = 0; i < 4; i++)
			acc = merge(acc, c->v[i]);
	} else {
		acc = c->seed + P5;
	}
	acc += c->total;
	for (; p + 8 <= end; p += 8) {
		acc ^= round64(0, rd64(p));
		acc = rotl(acc, 27) * P1 + P4;
	}
	if (p + 4 <= end) {
		acc ^= (uint64_t)rd32(p) * P1;
		acc = rotl(acc, 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++) {
		acc ^= *p * P5;
		acc = rotl(acc, 11) * P1;
	}
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}

uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
	struct xxh64_ctx c;

	xxh64_init(&c, seed);
	xxh64_update(&c, data, len);
	return xxh64_final(&c);
}
