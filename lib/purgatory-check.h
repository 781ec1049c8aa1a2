/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * purgatory-check.h - the segments' check, shared by purgatory (purgatory.c, MMU
 * off on arm64) and by the arm64 relocation, which runs it right after
 * its copy while the MMU and caches are still on (arch/aarch64/check.c):
 * every region's XXH64 or SHA-256 (PURGATORY_F_SHA256) against the digest
 * taken when it was loaded. Returns the first region that differs, or -1.
 */
#ifndef EFIKEXEC_PURGATORY_CHECK_H
#define EFIKEXEC_PURGATORY_CHECK_H

#include "purgatory.h"
#include "sha256.h"
#include "xxh64.h"

static inline int purgatory_check_regions(const struct purgatory_params *p)
{
	uint8_t d[SHA256_DIGEST_SIZE];

	for (unsigned i = 0; i < p->nr_regions && i < PURGATORY_MAX_REGIONS; i++) {
		const struct purgatory_region *r = &p->region[i];
		const uint8_t *a = (const uint8_t *)(uintptr_t)r->mem;
		uint8_t diff = 0;
		if (p->flags & PURGATORY_F_SHA256) {
			sha256(a, (size_t)r->len, d);
		} else {
			uint64_t x = xxh64(a, (size_t)r->len, 0);
			for (unsigned j = 0; j < SHA256_DIGEST_SIZE; j++)
				d[j] = j < 8 ? (uint8_t)(x >> (8 * j)) : 0;
		}
		for (unsigned j = 0; j < SHA256_DIGEST_SIZE; j++)
			diff |= (uint8_t)(d[j] ^ r->digest[j]);
		if (diff)
			return (int)i;
	}
	return -1;
}

/* v in decimal, in the last bytes of b (12 of them): returns the first. */
static inline const char *purgatory_dec(char b[12], unsigned v)
{
	int i = 11;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	return &b[i];
}

/* What the check used, for the verbose line. */
static inline const char *purgatory_check_name(const struct purgatory_params *p)
{
	return !(p->flags & PURGATORY_F_SHA256) ? "XXH64"
	       : sha256_accelerated()		? "SHA-256 instructions"
						: "SHA-256";
}

#endif
