/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * cpu.h - what the aarch64 code asks of the CPU it runs on, shared by the
 * application and purgatory.
 */
#ifndef EFIKEXEC_AARCH64_CPU_H
#define EFIKEXEC_AARCH64_CPU_H

#include <stdbool.h>
#include <stdint.h>

static inline unsigned a64_current_el(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return (unsigned)(el >> 2) & 3;
}

/*
 * The SHA2 instructions (ID_AA64ISAR0_EL1.SHA2, bits 15:12, not 0), with
 * FP/SIMD not trapped at this EL: CPACR_EL1.FPEN (21:20) == 3 at EL1; at
 * EL2 CPTR_EL2.TFP (bit 10) clear, or with HCR_EL2.E2H its FPEN == 3.
 */
static inline bool a64_can_sha2(void)
{
	uint64_t isar0, r;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	if (!((isar0 >> 12) & 0xf))
		return false;
	if (a64_current_el() == 1) {
		__asm__ volatile("mrs %0, cpacr_el1" : "=r"(r));
		return ((r >> 20) & 3) == 3;
	}
	__asm__ volatile("mrs %0, hcr_el2" : "=r"(r));
	if (r & (1ull << 34)) {
		__asm__ volatile("mrs %0, cptr_el2" : "=r"(r));
		return ((r >> 20) & 3) == 3;
	}
	__asm__ volatile("mrs %0, cptr_el2" : "=r"(r));
	return !(r & (1ull << 10));
}

void aarch64_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n)
	__attribute__((visibility("hidden")));

#endif
