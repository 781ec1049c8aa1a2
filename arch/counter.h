/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * counter.h - the CPU's free-running counter, for the boot menu's
 * timestamps (the Boot Loader Interface's LoaderTime*USec: microseconds
 * since the counter started, as systemd-boot takes them, src/boot/ticks.c).
 * Plain CPU instructions, no firmware: efi/ calibrates with a firmware
 * stall when the CPU does not name its frequency.
 *   x86_64:  RDTSC; the frequency from CPUID leaf 0x15 (crystal clock and
 *            TSC/crystal ratio), else leaf 0x16 (base MHz), else 0.
 *   aarch64: CNTVCT_EL0 and CNTFRQ_EL0 (Arm ARM, "The Generic Timer").
 */
#ifndef EFIKEXEC_COUNTER_H
#define EFIKEXEC_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__x86_64__)
static inline uint64_t arch_counter(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void arch_cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* A random value from the CPU's RDRAND (CPUID.01H:ECX bit 30), which may
 * fail transiently (Intel SDM vol. 1, 7.3.17.1: retry ten times); false:
 * none. */
static inline bool arch_cpu_random(uint64_t *v)
{
	uint32_t r[4];

	arch_cpuid(1, r);
	if (!(r[2] & (1u << 30)))
		return false;
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/* Counter ticks a second, or 0 when the CPU does not say. */
static inline uint64_t arch_counter_hz(void)
{
	uint32_t r[4];

	arch_cpuid(0, r);
	if (r[0] >= 0x15) {
		uint32_t max = r[0];
		arch_cpuid(0x15, r);
		if (r[0] && r[1] && r[2])
			return (uint64_t)r[2] * r[1] / r[0];
		if (max >= 0x16) {
			arch_cpuid(0x16, r);
			if (r[0] & 0xffff)
				return (uint64_t)(r[0] & 0xffff) * 1000000u;
		}
	}
	return 0;
}
#elif defined(__aarch64__)
static inline uint64_t arch_counter(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t arch_counter_hz(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* FEAT_RNG's RNDR (ID_AA64ISAR0_EL1.RNDR, bits 63:60, not 0); NZCV.Z set:
 * no value this time (Arm ARM D23.2.132). */
static inline bool arch_cpu_random(uint64_t *v)
{
	uint64_t isar0, nzcv;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	if (!(isar0 >> 60))
		return false;
	for (int i = 0; i < 10; i++) {
		__asm__ volatile("mrs %0, s3_3_c2_c4_0; mrs %1, nzcv" : "=r"(*v), "=r"(nzcv));
		if (!(nzcv & (1ull << 30)))
			return true;
	}
	return false;
}
#else
static inline uint64_t arch_counter(void) { return 0; }
static inline uint64_t arch_counter_hz(void) { return 0; }
static inline bool arch_cpu_random(uint64_t *v) { *v = 0; return false; }
#endif

#endif
