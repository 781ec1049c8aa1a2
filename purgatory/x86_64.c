/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * x86_64.c - the purgatory's output and halt on x86_64: COM1, polled.
 */
#include "../lib/purgatory.h"
#include "../lib/sha256.h"
#include "../arch/x86_64/io.h"
#include "../arch/x86_64/sha256-ni.h"

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
	if (x86_sha256_ni_usable())
		sha256_set_blocks(x86_sha256_ni_blocks);
}

uint64_t purgatory_counter_hz(void)
{
	return 0; /* the TSC's rate is not architectural: no timing */
}

/* The BIOS data area's words (the IBM PC BIOS layout, as Linux reads it in
 * arch/x86/include/asm/bios_ebda.h and Xen in boot/head.S). */
#define BDA_EBDA_SEGMENT 0x40e
#define BDA_BASE_MEM_KIB 0x413

/* a store to a fixed low address (hidden from the compiler, which takes
 * constant addresses in page 0 for null-pointer arithmetic) */
static void bda_write(uintptr_t at, uint16_t v)
{
	__asm__("" : "+r"(at));
	*(volatile uint16_t *)at = v;
}

void purgatory_arch_exit(const struct purgatory_params *p)
{
	volatile uint8_t *ebda = (volatile uint8_t *)(uintptr_t)p->ebda;

	if (!p->ebda || p->rsdp_len > sizeof(p->rsdp))
		return;
	for (unsigned i = 0; i < 1024; i++)
		ebda[i] = 0;
	ebda[0] = 1; /* the EBDA's size in KiB, its first byte by convention */
	/* the RSDP on a 16-byte boundary in the EBDA's first KiB (ACPI 6.5,
	 * 5.2.5.1 "Finding the RSDP on IA-PC Systems") */
	for (unsigned i = 0; i < p->rsdp_len; i++)
		ebda[16 + i] = p->rsdp[i];
	bda_write(BDA_EBDA_SEGMENT, (uint16_t)(p->ebda >> 4));
	bda_write(BDA_BASE_MEM_KIB, (uint16_t)(p->ebda >> 10));
}
