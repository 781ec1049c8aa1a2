/*
 * x86_64.c - the purgatory's output and halt on x86_64: COM1, polled.
 */
#include "purgatory.h"
#include "../arch/x86_64/io.h"

void purgatory_putc(uint64_t uart, char c)
{
	x86_uart_putc((uint16_t)uart, c);
}

void purgatory_halt(void)
{
	x86_halt();
}

void purgatory_arch_init(void)
{
}

uint64_t purgatory_counter_hz(void)
{
	return 0; /* the TSC's rate is not architectural: no timing */
}
