/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * xxh64.h - XXH64 (the xxHash specification, "XXH64 algorithm
 * description", Yann Collet): a fast 64-bit non-cryptographic checksum.
 * Purgatory's check exists to catch accidental corruption between loading
 * and entry (its digest table lies in the purgatory segment, which it does
 * not check), so a cryptographic hash buys nothing there; XXH64 is the
 * default, SHA-256 stays available (--verify=sha256). Freestanding.
 */
#ifndef EFIKEXEC_XXH64_H
#define EFIKEXEC_XXH64_H

#include "rt.h"

struct xxh64_ctx {
	uint64_t v[4];
	uint64_t total;
	uint8_t buf[32];
	unsigned fill;
	uint64_t seed;
};

void xxh64_init(struct xxh64_ctx *c, uint64_t seed);
void xxh64_update(struct xxh64_ctx *c, const void *data, size_t len);
/* Feeds `len` zero bytes without a buffer: a segment's zero-filled tail. */
void xxh64_update_zeros(struct xxh64_ctx *c, uint64_t len);
uint64_t xxh64_final(const struct xxh64_ctx *c);
uint64_t xxh64(const void *data, size_t len, uint64_t seed);

#endif
