/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * handoff.h - x86_64 control page layout, shared with relocate.asm
 * (handoff.inc holds the same numbers for nasm; the build compares them).
 *
 *   control page 0   0x000  copy of x86_relocate_body (at most 0x800 bytes)
 *                    0x800  GDT: null, null, 64-bit code 0x10, data 0x18
 *                    0x840  GDTR (limit; base written by the trampoline)
 *   control page 1          the trampoline's stack (top at 0x2000)
 *   control page 2..        identity page tables (pagetable.h)
 */
#ifndef EFIKEXEC_X86_HANDOFF_H
#define EFIKEXEC_X86_HANDOFF_H

#define X86_CTRL_GDT 0x800
#define X86_CTRL_GDTR 0x840
#define X86_CTRL_STACK_TOP 0x2000
#define X86_CTRL_TABLES 0x2000
#define X86_CTRL_FIXED_PAGES 2

#endif
