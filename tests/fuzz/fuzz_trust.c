/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_trust.c - libFuzzer target over lib/trust.c's parsers of data
 * efikexec does not trust: a PE image's headers and certificate table (the
 * Authenticode digest), an EFI signature list (dbx), a TPM2 event log.
 * The first byte picks the parser; the input is copied to a buffer of its
 * exact size, so ASan catches any read past it. Invariants checked: a
 * digest is only claimed for a PE image, an event never ends past its log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t digest[SHA256_DIGEST_SIZE] = { 0 };
	struct tcg_algs algs;
	struct pe_auth a;
	uint8_t *b;
	size_t n;

	if (!size)
		return 0;
	n = size - 1;
	b = malloc(n ? n : 1);
	memcpy(b, data + 1, n);
	switch (data[0] % 3) {
	case 0:
		pe_authenticode(b, n, &a);
		if (a.has_certs && !a.is_pe)
			abort();
		if (!a.is_pe && !a.why)
			abort();
		if (!pe_not_pe_kind(b, n) != a.is_pe)
			abort();
		break;
	case 1: {
		bool found;
		unsigned x509;
		if (n >= 32)
			memcpy(digest, b + n - 32, 32);
		siglist_find_sha256(b, n, digest, &found, &x509);
		break;
	}
	default: {
		size_t spec, o;
		if (tcg_spec_id(b, n, &algs, &spec) != RT_OK)
			break;
		if (spec > n)
			abort();
		for (o = spec; o < n;) {
			size_t e = tcg_event2_size(b + o, n - o, &algs);
			if (!e)
				break;
			if (e > n - o)
				abort();
			o += e;
		}
		tcg_events_size(b + spec, n - spec, 1000, &algs);
		break;
	}
	}
	free(b);
	return 0;
}
