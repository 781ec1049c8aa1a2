/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * check.c - purgatory's check of the segments, run by the relocation
 * (relocate.S) right after its copy, while the MMU and the caches are
 * still on: hashing tens of MB with the data cache off is what made arm64
 * kexec-tools' purgatory take seconds on real hardware (about 20 s for
 * 43 MB), and QEMU, which models no caches, never shows it. The same check
 * as purgatory's (lib/purgatory-check.h), from efikexec's own image (code the
 * firmware maps executable; the destinations may be mapped
 * non-executable), on the relocation's stack. A mismatch is said on the
 * UART and halts; else the parameter block at its final address is
 * marked PURGATORY_F_CHECKED (and cleaned to the PoC with the rest), and
 * purgatory, with the MMU off, only enters the kernel.
 */
#include "../../lib/purgatory-check.h"
#include "cpu.h"
#include "pl011.h"

static void say(uint64_t uart, const char *s)
{
	for (; uart && *s; s++) {
		if (*s == '\n')
			pl011_putc(uart, '\r');
		pl011_putc(uart, *s);
	}
}

static void say_dec(uint64_t uart, unsigned v)
{
	char b[12];

	say(uart, purgatory_dec(b, v));
}

/* Called from relocate.S: x0 = the parameter block, sp on the control
 * page's stack, DAIF masked, boot services gone. */
void aarch64_check(struct purgatory_params *p);
void aarch64_check(struct purgatory_params *p)
{
	uint64_t sctlr;
	int bad;

	if (!(p->flags & PURGATORY_F_VERIFY))
		return;
	if (a64_current_el() == 2)
		__asm__ volatile("mrs %0, sctlr_el2" : "=r"(sctlr));
	else
		__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	bad = purgatory_check_regions(p);
	if (bad >= 0) {
		say(p->uart, "purgatory: segment ");
		say_dec(p->uart, (unsigned)bad);
		say(p->uart, " digest mismatch\n");
		a64_halt();
	}
	if (p->flags & PURGATORY_F_VERBOSE) {
		say(p->uart, "purgatory: ");
		say_dec(p->uart, p->nr_regions);
		say(p->uart, " segments verified (");
		say(p->uart, purgatory_check_name(p));
		say(p->uart, a64_current_el() == 2 ? ") at EL2, SCTLR_EL2.M=" : ") at EL1, SCTLR_EL1.M=");
		say(p->uart, sctlr & 1 ? "1" : "0");
		say(p->uart, " .C=");
		say(p->uart, sctlr & (1u << 2) ? "1" : "0");
		say(p->uart, sctlr & 1 && sctlr & (1u << 2) ? " (MMU and caches on)\n" : "\n");
	}
	p->flags |= PURGATORY_F_CHECKED;
}
