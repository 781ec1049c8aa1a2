/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * sha256.c - SHA-256 as FIPS 180-4 section 6.2 defines it. The constants
 * are the first 32 bits of the fractional parts of the cube roots (K) and
 * square roots (H0) of the first primes (FIPS 180-4 4.2.2, 5.3.3).
 */
#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static sha256_blocks_fn blocks_fn;

static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
	if (blocks_fn) {
		blocks_fn(h, p, n);
		return;
	}
	for (; n; n--, p += SHA256_BLOCK_SIZE)
		compress(h, p);
}

bool sha256_set_blocks(sha256_blocks_fn fn)
{
	uint8_t msg[3 * SHA256_BLOCK_SIZE];
	uint32_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	blocks_fn = NULL;
	if (!fn)
		return true;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 167 + 13);
	blocks(a, msg, 3);
	fn(b, msg, 3);
	for (int i = 0; i < 8; i++)
		if (a[i] != b[i])
			return false;
	blocks_fn = fn;
	return true;
}

bool sha256_accelerated(void)
{
	return blocks_fn != NULL;
}

void sha256_init(struct sha256_ctx *c)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	for (int i = 0; i < 8; i++)
		c->h[i] = h0[i];
	c->len = 0;
	c->fill = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->len += len;
	if (c->fill) {
		while (len && c->fill < SHA256_BLOCK_SIZE) {
			c->block[c->fill++] = *p++;
			len--;
		}
		if (c->fill < SHA256_BLOCK_SIZE)
			return;
		compress(c->h, c->block);
		c->fill = 0;
	}
	if (len >= SHA256_BLOCK_SIZE) {
		size_t n = len / SHA256_BLOCK_SIZE;
		blocks(c->h, p, n);
		p += n * SHA256_BLOCK_SIZE;
		len -= n * SHA256_BLOCK_SIZE;
	}
	while (len--)
		c->block[c->fill++] = *p++;
}

void sha256_update_zeros(struct sha256_ctx *c, uint64_t len)
{
	static const uint8_t zero[SHA256_BLOCK_SIZE];

	while (len) {
		size_t n = len > sizeof(zero) ? sizeof(zero) : (size_t)len;
		sha256_update(c, zero, n);
		len -= n;
	}
}

void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE])
{
	uint64_t bits = c->len * 8;

	c->block[c->fill++] = 0x80;
	if (c->fill > SHA256_BLOCK_SIZE - 8) {
		while (c->fill < SHA256_BLOCK_SIZE)
			c->block[c->fill++] = 0;
		compress(c->h, c->block);
		c->fill = 0;
	}
	while (c->fill < SHA256_BLOCK_SIZE - 8)
		c->block[c->fill++] = 0;
	for (int i = 7; i >= 0; i--)
		c->block[c->fill++] = (uint8_t)(bits >> (8 * i));
	compress(c->h, c->block);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

bool sha256_same_state(const struct sha256_ctx *a, const struct sha256_ctx *b)
{
	if (a->len != b->len || a->fill != b->fill)
		return false;
	for (int i = 0; i < 8; i++)
		if (a->h[i] != b->h[i])
			return false;
	for (unsigned i = 0; i < a->fill; i++)
		if (a->block[i] != b->block[i])
			return false;
	return true;
}

void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

void sha256_hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}
