/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * entry-aarch64.S - the purgatory's first and last instructions (aarch64).
 *
 * Register and MMU contract on entry (from the relocation trampoline):
 *   MMU and D-cache off, DAIF masked, at the EL the firmware ran at (EL2 or
 *   EL1); memory cleaned to the PoC; no register is read. Data accesses
 *   are Device memory with the MMU off, so everything here and in the C
 *   part is built with -mstrict-align.
 * On exit to the kernel (Documentation/arch/arm64/booting.rst, "Call the
 * kernel image"): x0 = physical address of the DTB, x1 = x2 = x3 = 0, MMU
 * off, DAIF masked, same EL; branch to the Image's first byte.
 *
 * Position independent: PC-relative addressing only (ADR/ADRP), and the
 * blob is loaded page-aligned, so ADRP's page arithmetic holds.
 */
#include "../lib/purgatory.h"

	.section .head, "a"
	.global purgatory_header_start
purgatory_header_start:
	.quad	PURGATORY_MAGIC
	.word	purgatory_entry - purgatory_header_start
	.word	purgatory_params - purgatory_header_start
	.word	purgatory_memsz_end - purgatory_header_start
	.word	purgatory_file_end - purgatory_header_start

	.text
	.global purgatory_entry
	.type purgatory_entry, %function
purgatory_entry:
	msr	daifset, #0xf
	adrp	x9, stack_top
	add	x9, x9, :lo12:stack_top
	mov	sp, x9
	bl	purgatory_main		/* returns only when the kernel may run */
	adrp	x9, purgatory_params
	add	x9, x9, :lo12:purgatory_params
	ldr	x0, [x9, #PURG_OFF_ARG0]
	ldr	x10, [x9, #PURG_OFF_ENTRY]
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x10
	.size purgatory_entry, . - purgatory_entry

	.bss
	.balign 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", %progbits
