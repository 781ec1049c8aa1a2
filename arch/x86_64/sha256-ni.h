/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * sha256-ni.h - SHA-256 block compression with the SHA extensions
 * (arch/x86_64/sha256-ni.asm), for lib/sha256.c's sha256_set_blocks: the
 * application (arch_init), purgatory and the host tests and fuzzers use it
 * when CPUID says the CPU has it.
 */
#ifndef EFIKEXEC_X86_SHA256_NI_H
#define EFIKEXEC_X86_SHA256_NI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* n 64-byte blocks of p into the state h (lib/sha256.c's block function) */
void x86_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t n);
/* CPUID leaf 7 EBX bit 29 (SHA) and leaf 1 ECX SSE4.1/SSSE3 */
bool x86_sha256_ni_usable(void);

#endif
