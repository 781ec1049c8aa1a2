/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * mapfile.h - reads what `efikexec.efi --memmap` printed (a saved console
 * log): the "memmap [START, END) TYPE SIZE" ranges into bp->map
 * (normalised), "memmap: machine" into *arch, "memmap: descriptors N of M
 * bytes" into bp->mm.desc_size and bp->mm_room (as efi/kexec.c sizes room
 * for the final map), "memmap: firmware device tree N bytes" into
 * *fdt_size, "memmap: keep clear [A, B)" into bp->avoid. Anything before
 * "memmap" on a line, and other lines, are skipped. Returns 0, or -1 after
 * saying on stderr what is wrong (path:line). Host only.
 */
#ifndef EFIKEXEC_MAPFILE_H
#define EFIKEXEC_MAPFILE_H

#include <stdio.h>

#include "../arch/arch.h"

int mapfile_read(FILE *f, const char *path, struct boot_plan *bp, const struct arch_plan_ops **arch,
		 uint64_t *fdt_size);

#endif
