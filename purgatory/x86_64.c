/*
 * x86_64.c - the purgatory's port I/O: a polled 16550 (COM1 at 0x3f8 on a
 * PC), already set up by firmware. The wait for room is bounded, so a
 * machine without the UART still gets to halt.
 */
#include "purgatory.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void purgatory_putc(uint64_t uart, char c)
{
	uint16_t port = (uint16_t)uart;

	/* LSR (base + 5) bit 5: transmit holding register empty. */
	for (unsigned spin = 0; spin < 1000000 && !(inb((uint16_t)(port + 5)) & 0x20); spin++)
		;
	outb(port, (uint8_t)c);
}

void purgatory_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
