/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * mapfile.c - the memory map `efikexec.efi --memmap` prints, read back on a
 * host for efikexec-plan (tools/efikexec-plan.c); fuzzed by tests/fuzz/fuzz_mapfile.c.
 */
#include <stdio.h>
#include <string.h>

#include "mapfile.h"

static bool type_of(const char *name, enum mem_type *t)
{
	for (int i = 0; i < MEM_TYPE_COUNT; i++)
		if (!strcmp(name, mem_type_name((enum mem_type)i))) {
			*t = (enum mem_type)i;
			return true;
		}
	return false;
}

int mapfile_read(FILE *f, const char *path, struct boot_plan *bp, const struct arch_plan_ops **arch,
		 uint64_t *fdt_size)
{
	char line[512], type[32];
	unsigned long long a, b, n, d;
	unsigned lineno = 0, ranges = 0;

	*arch = NULL;
	*fdt_size = 0;
	bp->navoid = 0;
	bp->mm_room = 0;
	memmap_init(&bp->map);
	bp->mm.desc_size = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *m = strstr(line, "memmap");
		enum mem_type t;
		char name[32];

		lineno++;
		if (!m)
			continue;
		if (sscanf(m, "memmap [%llx, %llx) %31s", &a, &b, type) == 3) {
			if (!type_of(type, &t) || b <= a || memmap_add(&bp->map, a, b, t) != RT_OK) {
				fprintf(stderr, "efikexec-plan: %s:%u: a range efikexec-plan cannot take: %s", path,
					lineno, m);
				return -1;
			}
			ranges++;
		} else if (sscanf(m, "memmap: machine %31s", name) == 1) {
			*arch = !strcmp(name, "aarch64") ? &arch_plan_aarch64 : !strcmp(name, "x86_64") ? &arch_plan_x86_64 : NULL;
			if (!*arch) {
				fprintf(stderr, "efikexec-plan: %s:%u: machine '%s', not x86_64 or aarch64\n", path,
					lineno, name);
				return -1;
			}
		} else if (sscanf(m, "memmap: descriptors %llu of %llu bytes", &n, &d) == 2 && d &&
			   d <= 4096 && n <= 1u << 20) {
			bp->mm.desc_size = d;
			/* as efi/kexec.c sizes room for the final map */
			bp->mm_room = n * d * 2 + 256 * d;
		} else if (sscanf(m, "memmap: firmware device tree %llu bytes", &n) == 1) {
			*fdt_size = n;
		} else if (sscanf(m, "memmap: keep clear [%llx, %llx)", &a, &b) == 2) {
			if (bp->navoid == BOOT_MAX_AVOID) {
				fprintf(stderr, "efikexec-plan: %s:%u: more than %u ranges to keep clear\n", path,
					lineno, BOOT_MAX_AVOID);
				return -1;
			}
			bp->avoid[bp->navoid++] = (struct mem_span){ a, b };
		}
	}
	if (!ranges || !bp->mm.desc_size || !*arch) {
		fprintf(stderr, "efikexec-plan: %s: %s; save the whole output of efikexec.efi --memmap\n", path,
			!ranges ? "no \"memmap [START, END) TYPE\" lines" :
			!*arch ? "no \"memmap: machine\" line" : "no \"memmap: descriptors\" line");
		return -1;
	}
	return memmap_normalize(&bp->map) == RT_OK ? 0 : -1;
}

