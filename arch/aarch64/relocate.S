/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * relocate.S - the aarch64 relocation: after ExitBootServices, copy every
 * staged page to its destination, make memory coherent, turn the MMU off
 * and enter purgatory.
 *
 * Register contract. Called from C as
 *   aarch64_relocate(head, entry, stack_top, clean, nclean, ticks)  never returns
 *     x0 = head       first entry of the kimage list (INDIRECTION|page or DONE)
 *     x1 = entry      physical address of purgatory's entry point
 *     x2 = stack_top  top of a control page (nobody's destination)
 *     x3 = clean      array of nclean {start, end} ranges: every segment
 *                     and this code, to clean and invalidate to the PoC
 *     x4 = nclean
 *     x5 = ticks      where to store CNTVCT_EL0 before and after the copy
 *                     (purgatory's parameter block at its final address), or 0
 *     x6 = params     purgatory's parameter block at its final address:
 *                     after the copy, with the MMU and caches still on,
 *                     aarch64_check (check.c) checks every segment there
 *                     (a C call on this stack; it halts on a mismatch); 0: no
 *
 * MMU and cache contract. On entry: at EL2 or EL1 (whichever the firmware
 * ran at; the EL is never changed), MMU and caches on, under the
 * firmware's identity map (VA == PA). This code runs where it is, in
 * efikexec's own image: efi/boot.c keeps every destination clear of that
 * image and of the firmware's translation tables (arch_avoid), so the copy
 * cannot pull either away from under it, and the firmware may keep loader
 * data non-executable without harm. The copy runs with caches on (booting
 * the kernel with caches off made arm64 kexec seconds slower for tens of
 * MB). Then every segment is cleaned and invalidated to the point of
 * coherency by VA (DC CIVAC, line size from CTR_EL0.DminLine), the
 * I-cache invalidated (IC IALLU), and SCTLR_ELx.M and .C cleared.
 * On exit to purgatory: MMU off, D-cache off, DAIF masked, x0-x5 zero;
 * purgatory's memory holds exactly what was loaded (Documentation/arch/
 * arm64/booting.rst: "MMU off", "cleaned to the PoC", "no stale I-cache").
 */
	.text
	.global aarch64_relocate
	.global aarch64_relocate_end
	.type aarch64_relocate, %function
aarch64_relocate:
	msr	daifset, #0xf
	mov	sp, x2
	isb
	mrs	x19, cntvct_el0		/* before the copy */

	/* walk the entry list as the kernel's relocate_kernel does:
	 * for (entry = head; !(entry & DONE); entry = *ptr++) {
	 *	if (entry & DESTINATION) dest = page;
	 *	else if (entry & INDIRECTION) ptr = page;
	 *	else if (entry & SOURCE) { copy_page(dest, page); dest += 4096; }
	 * } */
	mov	x10, x0			/* the entry being looked at */
	mov	x11, xzr		/* copy cursor (destination) */
	mov	x12, xzr		/* where the next entry is read */
1:	and	x13, x10, #~0xfff	/* the page the entry names */
	tbz	x10, #0, 2f		/* IND_DESTINATION */
	mov	x11, x13
	b	5f
2:	tbz	x10, #1, 3f		/* IND_INDIRECTION */
	mov	x12, x13
	b	5f
3:	tbnz	x10, #2, 6f		/* IND_DONE */
	tbz	x10, #3, 5f		/* IND_SOURCE: copy a page to the cursor */
	mov	x14, #4096
4:	ldp	x15, x16, [x13], #16
	ldp	x17, x20, [x13], #16
	stp	x15, x16, [x11], #16
	stp	x17, x20, [x11], #16
	subs	x14, x14, #32
	b.ne	4b
5:	ldr	x10, [x12], #8
	b	1b

6:	isb
	mrs	x20, cntvct_el0		/* after the copy */
	cbz	x5, 7f
	stp	x19, x20, [x5]

	/* the segments' check, MMU and caches on (x1, x3, x4 kept in
	 * callee-saved registers across the C call) */
7:	cbz	x6, 70f
	mov	x21, x1
	mov	x22, x3
	mov	x23, x4
	mov	x0, x6
	bl	aarch64_check
	mov	x1, x21
	mov	x3, x22
	mov	x4, x23

	/* clean and invalidate every range to the PoC:
	 * for (r = clean; r < clean + nclean; r++)
	 *	for (a = r->start & ~(line - 1); a < r->end; a += line) dc civac, a */
70:	mrs	x13, ctr_el0
	ubfx	x13, x13, #16, #4	/* DminLine: log2 of words per line */
	mov	x14, #4
	lsl	x14, x14, x13		/* line size in bytes */
	sub	x15, x14, #1
8:	cbz	x4, 10f
	ldp	x16, x17, [x3], #16
	bic	x16, x16, x15
9:	dc	civac, x16
	add	x16, x16, x14
	cmp	x16, x17
	b.lo	9b
	sub	x4, x4, #1
	b	8b
10:	dsb	sy
	ic	iallu
	dsb	sy
	isb

	/* MMU and D-cache off at the current EL */
	mrs	x13, CurrentEL
	cmp	x13, #(2 << 2)
	b.ne	11f
	mrs	x14, sctlr_el2
	bic	x14, x14, #1		/* M */
	bic	x14, x14, #(1 << 2)	/* C */
	msr	sctlr_el2, x14
	b	12f
11:	mrs	x14, sctlr_el1
	bic	x14, x14, #1
	bic	x14, x14, #(1 << 2)
	msr	sctlr_el1, x14
12:	isb
	ic	iallu
	dsb	sy
	isb
	mov	x0, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	br	x1
aarch64_relocate_end:
	.size aarch64_relocate, . - aarch64_relocate

	.section .note.GNU-stack, "", %progbits
