/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * aarch64.c - the purgatory's output, timing and halt on aarch64: the
 * PL011 (arch/aarch64/pl011.h) whose address efikexec took from the device
 * tree or ACPI's SPCR, the architected counter, the SHA2 instructions.
 */
#include "../lib/purgatory.h"
#include "../lib/sha256.h"
#include "../arch/aarch64/cpu.h"
#include "../arch/aarch64/pl011.h"

void purgatory_arch_init(void)
{
	if (a64_can_sha2())
		sha256_set_blocks(aarch64_sha256_blocks);
}

void purgatory_putc(uint64_t uart, char c)
{
	pl011_putc(uart, c);
}

uint64_t purgatory_counter_hz(void)
{
	uint64_t hz;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return hz;
}

void purgatory_halt(void)
{
	a64_halt();
}

void purgatory_arch_exit(const struct purgatory_params *p)
{
	(void)p;
}
