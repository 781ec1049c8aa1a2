/*
 * aarch64.c - the purgatory's output, timing and halt on aarch64: a polled
 * PL011 (ARM DDI 0183: UARTDR at 0x00, UARTFR at 0x18, TXFF is bit 5),
 * whose address efikexec took from the device tree, and the architected
 * counter.
 */
#include "purgatory.h"
#include "../lib/sha256.h"
#include "../arch/aarch64/cpu.h"

void purgatory_arch_init(void)
{
	if (a64_can_sha2())
		sha256_set_blocks(aarch64_sha256_blocks);
}

void purgatory_putc(uint64_t uart, char c)
{
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)uart;
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(uart + 0x18);

	for (unsigned spin = 0; spin < 1000000 && (*fr & (1u << 5)); spin++)
		;
	*dr = (uint32_t)(unsigned char)c;
}

uint64_t purgatory_counter_hz(void)
{
	uint64_t hz;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return hz;
}

void purgatory_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}
