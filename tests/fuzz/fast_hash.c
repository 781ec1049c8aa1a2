/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fast_hash.c - linked into every fuzz target: SHA-256 with the SHA-NI
 * blocks when the host CPU has them, installed before the first input
 * (a constructor: libFuzzer lets each target define its own
 * LLVMFuzzerInitialize, so that one is left to them).
 */
#include "../../lib/sha256.h"
#include "../../arch/x86_64/sha256-ni.h"


__attribute__((constructor)) static void fast_hash(void)
{
	if (x86_sha256_ni_usable())
		sha256_set_blocks(x86_sha256_ni_blocks);
}
