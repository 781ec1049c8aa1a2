/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * state.h - what aarch64's plan.c works out and handoff.c uses: the tree
 * to start from, the hand-off segment's layout, the relocation's lists.
 */
#ifndef EFIKEXEC_A64_STATE_H
#define EFIKEXEC_A64_STATE_H

#include "../../lib/kimage.h"

struct clean_range {
	uint64_t start, end;
};

struct a64_state {
	const void *dtb;           /* the tree to start from */
	const char *dtb_name;
	uint64_t dtb_room, mm_off;
	uint64_t uart;
	struct clean_range clean[KIMAGE_MAX_SEGMENTS + 1];
	unsigned nclean;
	uint64_t stack_top;
	bool acpi;                 /* no tree from firmware: an empty one */
	bool modules;              /* modules in the tree: no EFI for the payload */
};
extern struct a64_state a64;

#endif
