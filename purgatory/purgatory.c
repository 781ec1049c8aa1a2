/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * purgatory.c - runs at the purgatory's final address after relocation,
 * with nothing under it: no firmware, no page allocator, the trampoline's
 * identity map. Checks each region's digest (lib/purgatory-check.h) and either returns (the entry
 * code then enters the kernel) or reports the mismatch on the UART and
 * halts: a kernel whose bytes are wrong is never entered.
 */
#include "../lib/purgatory.h"
#include "../lib/purgatory-check.h"

/* Filled by efikexec in the loaded copy; in .data so it is in the file. */
struct purgatory_params purgatory_params __attribute__((section(".data.params")));

static void puts_uart(const char *s)
{
	if (!purgatory_params.uart)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			purgatory_putc(purgatory_params.uart, '\r');
		purgatory_putc(purgatory_params.uart, *s);
	}
}

static void put_dec(unsigned v)
{
	char b[12];

	puts_uart(purgatory_dec(b, v));
}

/* With --verbose: how long the trampoline's copy took, when it timed it. */
static void report_relocation(const struct purgatory_params *p)
{
	uint64_t hz = purgatory_counter_hz(), ticks = p->reloc_ticks[1] - p->reloc_ticks[0];

	if (!(p->flags & PURGATORY_F_VERBOSE) || !hz || p->reloc_ticks[1] < p->reloc_ticks[0] ||
	    !p->reloc_ticks[1])
		return;
	puts_uart("purgatory: relocation copied ");
	put_dec((unsigned)p->reloc_pages);
	puts_uart(" pages in ");
	put_dec((unsigned)(ticks * 1000000 / hz));
	puts_uart(" us (counter at ");
	put_dec((unsigned)(hz / 1000));
	puts_uart(" kHz)\n");
}

void purgatory_main(void)
{
	const struct purgatory_params *p = &purgatory_params;
	unsigned n = p->nr_regions;
	int bad;

	purgatory_arch_init();
	if (p->magic != PURGATORY_MAGIC || n > PURGATORY_MAX_REGIONS) {
		puts_uart("purgatory: parameter block not filled in\n");
		purgatory_halt();
	}
	/* not asked to check, or checked already by the arm64 relocation
	 * with the MMU and caches on (it halts on a mismatch itself) */
	if (!(p->flags & PURGATORY_F_VERIFY) || (p->flags & PURGATORY_F_CHECKED)) {
		report_relocation(p);
		purgatory_arch_exit(p);
		return;
	}
	bad = purgatory_check_regions(p);
	if (bad >= 0) {
		puts_uart("purgatory: segment ");
		put_dec((unsigned)bad);
		puts_uart(" digest mismatch\n");
		purgatory_halt();
	}
	if (p->flags & PURGATORY_F_VERBOSE) {
		puts_uart("purgatory: ");
		put_dec(n);
		puts_uart(" segments verified (");
		puts_uart(purgatory_check_name(p));
		puts_uart(")\n");
	}
	report_relocation(p);
	purgatory_arch_exit(p);
}
