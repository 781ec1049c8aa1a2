/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stack_chk.c - what Debian's libfdt.a (built with -fstack-protector-strong)
 * references: __stack_chk_fail everywhere, and on aarch64, where glibc keeps
 * the canary in a global instead of the TCB, __stack_chk_guard.
 *
 * There is no entropy this early, so the guard is a fixed odd pattern with a
 * zero low byte (a string copy stops at it). It catches accidental stack
 * smashes, which is what it is for here; it is no defence against an
 * attacker who can already run code in firmware.
 */
#include "rt.h"

/* On a host (tests, the host programs) the C library has both. */
#ifndef RT_HOST_TEST
uintptr_t __stack_chk_guard = (uintptr_t)0x5e1f0c3a9b2d4700ULL;

void __stack_chk_fail(void) RT_NORETURN;
void __stack_chk_fail(void)
{
	rt_err("rt", "stack smashing detected; halting");
	for (;;)
		;
}
#endif
