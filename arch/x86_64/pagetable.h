/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pagetable.h - the identity map the x86_64 trampoline, purgatory and the
 * kernel's 64-bit entry run on: [0, end) mapped with 2 MiB pages, present,
 * writable, executable, write-back. Built in the control pages, which no
 * copy overwrites; pure computation, so the host tests walk what it built.
 */
#ifndef EFIKEXEC_X86_PAGETABLE_H
#define EFIKEXEC_X86_PAGETABLE_H

#include "../../lib/rt.h"

#define X86_PT_PRESENT 0x1ull
#define X86_PT_WRITE 0x2ull
#define X86_PT_LARGE 0x80ull
#define X86_PT_ADDR 0x000ffffffffff000ull

/* Pages needed to map [0, end) (end rounded up to 1 GiB); la57 adds the
 * fifth level the CPU uses when CR4.LA57 is set. */
uint64_t x86_pt_pages(uint64_t end, bool la57);

/*
 * Builds the tables in `pages` zeroed pages at physical `phys`, which the
 * CPU reaches now at `virt`. Returns the physical address for CR3.
 */
uint64_t x86_pt_build(void *virt, uint64_t phys, uint64_t pages, uint64_t end, bool la57);

/* Walks tables the way the MMU does (through phys + delta = host pointer):
 * the physical address `va` maps to, or UINT64_MAX when unmapped. */
uint64_t x86_pt_walk(const void *virt, uint64_t phys, uint64_t cr3, uint64_t va, bool la57);

#endif
