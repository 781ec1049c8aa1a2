/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_tlsca.c - libFuzzer target over lib/tlsca.c: any bytes as a CA file.
 * Checks what it promises: a refusal says why; what it writes is whole
 * signature lists, each an X.509 list of one certificate that is a DER
 * SEQUENCE of its own length, as many as it counted, within the room.
 */
#include <stdlib.h>
#include <string.h>

#include "../../lib/tlsca.h"

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[(1 << 16) + TLSCA_MAX_CERTS * 44];
	static const uint8_t owner[16] = { 1, 2, 3 };
	char err[300];
	size_t n, cap = size + TLSCA_MAX_CERTS * 44, off = 0;
	unsigned certs, seen = 0;

	if (size > (1 << 16))
		return 0;
	if (tlsca_to_esl(data, size, owner, out, cap, &n, &certs, "fuzz", err, sizeof(err)) != RT_OK) {
		if (!err[0])
			abort();
		return 0;
	}
	if (!certs || n > cap)
		abort();
	while (off < n) {
		uint32_t list = get32(out + off + 16), sig = get32(out + off + 24);
		if (n - off < TLSCA_LIST_HEADER || list > n - off || get32(out + off + 20) != 0 ||
		    list != TLSCA_LIST_HEADER + sig || sig <= TLSCA_OWNER_SIZE ||
		    memcmp(out + off + TLSCA_LIST_HEADER, owner, 16) || out[off + TLSCA_LIST_HEADER + 16] != 0x30)
			abort();
		off += list;
		seen++;
	}
	if (seen != certs || off != n)
		abort();
	return 0;
}
