/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_mapfile.c - efikexec-plan's reader of a saved `--memmap` output
 * (tools/mapfile.c): any bytes give a map, the machine and the spans, or -1,
 * never a crash; an accepted map is normalised and its avoid count in
 * bounds.
 */
#include <stdio.h>

#include "../../tools/mapfile.h"

static struct boot_plan plan;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct arch_plan_ops *arch;
	uint64_t fdt_size;
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");

	if (!f)
		return 0;
	if (!size)
		fgetc(f); /* an empty file */
	if (mapfile_read(f, "fuzz", &plan, &arch, &fdt_size) == 0) {
		if (!arch || plan.navoid > BOOT_MAX_AVOID || !plan.map.n || !plan.mm.desc_size)
			__builtin_trap();
		for (size_t i = 1; i < plan.map.n; i++)
			if (plan.map.r[i].start < plan.map.r[i - 1].end)
				__builtin_trap();
	}
	fclose(f);
	return 0;
}
