/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * io.h - port I/O and the polled 16550 UART (COM1 at 0x3f8 on a PC),
 * shared by the application after ExitBootServices and by purgatory.
 * The UART is the one firmware set up; the wait for room is bounded, so a
 * machine without it still gets to halt.
 */
#ifndef EFIKEXEC_X86_IO_H
#define EFIKEXEC_X86_IO_H

#include <stdint.h>

#define X86_COM1 0x3f8

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86_uart_putc(uint16_t port, char c)
{
	/* LSR (base + 5) bit 5: transmit holding register empty */
	for (unsigned spin = 0; spin < 1000000 && !(x86_inb((uint16_t)(port + 5)) & 0x20); spin++)
		;
	x86_outb(port, (uint8_t)c);
}

static inline __attribute__((noreturn)) void x86_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
