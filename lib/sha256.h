/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * sha256.h - SHA-256 (FIPS 180-4) for the planner, which digests every
 * segment, and for purgatory, which checks those digests before it enters
 * the kernel. Freestanding: no tables outside this file, no allocation.
 */
#ifndef EFIKEXEC_SHA256_H
#define EFIKEXEC_SHA256_H

#include "rt.h"

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;                  /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_SIZE];
	unsigned fill;                 /* bytes waiting in block[] */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Feeds `len` zero bytes without a buffer: a segment's zero-filled tail. */
void sha256_update_zeros(struct sha256_ctx *c, uint64_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);
/* Two contexts that have hashed the same number of bytes are in the same
 * state: their chaining values and the bytes waiting in their blocks are
 * equal (so, but for a SHA-256 collision, the bytes they hashed were). */
bool sha256_same_state(const struct sha256_ctx *a, const struct sha256_ctx *b);
/*
 * A faster block function a platform may install (arch code, once it knows
 * the CPU has the instructions and may use them): processes n 64-byte
 * blocks into h. It is checked against the portable one on a test message
 * first and refused (false) if they disagree. NULL goes back to portable.
 */
typedef void (*sha256_blocks_fn)(uint32_t h[8], const uint8_t *p, size_t n);
bool sha256_set_blocks(sha256_blocks_fn fn);
bool sha256_accelerated(void);

/* Lower-case hex, 64 characters and a NUL. */
void sha256_hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[65]);

#endif
