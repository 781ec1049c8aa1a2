/*
 * x86_64.c - the purgatory's output and halt on x86_64: COM1, polled.
 */
#include "purgatory.h"
#include "../lib/sha256.h"
#include "../arch/x86_64/io.h"

void purgatory_putc(uint64_t uart, char c)
{
	x86_uart_putc((uint16_t)uart, c);
}

void purgatory_halt(void)
{
	x86_halt();
}

/* arch/x86_64/sha256-ni.asm */
void x86_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t n);
bool x86_sha256_ni_usable(void);

void purgatory_arch_init(void)
{
	if (x86_sha256_ni_usable())
		sha256_set_blocks(x86_sha256_ni_blocks);
}

uint64_t purgatory_counter_hz(void)
{
	return 0; /* the TSC's rate is not architectural: no timing */
}
