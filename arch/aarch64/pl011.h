/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pl011.h - a polled PL011 UART (ARM DDI 0183: UARTDR at 0x00, UARTFR at
 * 0x18, TXFF is bit 5), shared by the application after ExitBootServices
 * and by purgatory. The wait for room is bounded, so a missing UART still
 * lets the caller go on to halt.
 */
#ifndef EFIKEXEC_AARCH64_PL011_H
#define EFIKEXEC_AARCH64_PL011_H

#include <stdint.h>

static inline void pl011_putc(uint64_t base, char c)
{
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)base;
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(base + 0x18);

	for (unsigned spin = 0; spin < 1000000 && (*fr & (1u << 5)); spin++)
		;
	*dr = (uint32_t)(unsigned char)c;
}

static inline __attribute__((noreturn)) void a64_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}

#endif
