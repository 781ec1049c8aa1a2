/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efikexec-plan.c - build/host/efikexec-plan: efikexec's planner on a Linux
 * host, for a machine described by a memory map saved from it.
 *
 *   efikexec.efi --memmap > map.txt            (on the target, its console saved)
 *   efikexec-plan --memmap=map.txt [--esp=DIR] [--cmdline=STRING] [--dtb=FILE]
 *                 [--mem-min=ADDR] [--mem-max=ADDR] KERNEL [INITRD...]
 *
 * With --esp=DIR, KERNEL and INITRD are paths on that ESP as they would be
 * typed to efikexec.efi (\vmlinuz), and are named in the plan as it names
 * them; without, they are host paths.
 *
 * It runs the same code the firmware application runs (boot/place.c: the
 * loader table, placement, the kimage plan) on the saved map and prints
 * the same "plan:" lines `efikexec.efi --dry-run` prints there, so an
 * operator can check that a kernel and initrd fit a machine's memory
 * before rolling them out. Exit status 0 when it fits, 1 when it does not
 * (the error line says why), 2 on a usage error.
 *
 * The map file: the "memmap [START, END) TYPE SIZE" lines, and the
 * "memmap: machine", "memmap: descriptors", "memmap: firmware device tree"
 * and "memmap: keep clear" lines efikexec --memmap prints; anything before
 * "memmap" on a line (a console's prefix) and every other line is skipped.
 * What the firmware allocates differently between two runs (staging and
 * control pages) is not modelled: those addresses are the host's guess;
 * destinations, and which of them are in place, are the machine's.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../boot/place.h"
#include "../boot/stream.h"
#include "sim.h"
#include "../lib/path.h"
#include "mapfile.h"

/* Both purgatories, embedded by the Makefile (objcopy -I binary). */
extern const uint8_t _binary_purgatory_x86_64_bin_start[], _binary_purgatory_x86_64_bin_end[];
extern const uint8_t _binary_purgatory_aarch64_bin_start[], _binary_purgatory_aarch64_bin_end[];

static struct boot_plan plan;
static struct ld_ctx plan_ld;
static struct fw_facts facts;
static struct boot_req req;
static FILE *files[1 + BOOT_MAX_INITRD_FILES];

static void sink(enum rt_log_level level, const char *subsys, const char *line)
{
	fprintf(level == RT_LOG_ERR ? stderr : stdout, "efikexec: %s: %s: %s\n",
		rt_log_level_name(level), subsys, line);
}

static rt_status file_read(struct ld_src *s, uint64_t off, void *buf, uint64_t len)
{
	FILE *f = s->ctx;

	if (off > s->size || len > s->size - off)
		return rt_fail(RT_ETRUNC, "file", "%s: %llu bytes at %llu, past its end (%llu bytes)", s->name,
			       (unsigned long long)len, (unsigned long long)off, (unsigned long long)s->size);
	if (fseeko(f, (off_t)off, SEEK_SET) || fread(buf, 1, len, f) != len)
		return rt_fail(RT_ETRUNC, "file", "%s: cannot read %llu bytes at %llu", s->name,
			       (unsigned long long)len, (unsigned long long)off);
	return RT_OK;
}

static const char *esp;

static int open_src(const char *arg, FILE **fp, struct ld_src *s)
{
	char name[sizeof(((struct ld_src *)0)->name)], path[4096];
	long long size;
	FILE *f;

	snprintf(name, sizeof(name), "%s", arg);
	snprintf(path, sizeof(path), "%s", arg);
	if (esp) {
		/* as efikexec.efi at the root would name and open it */
		if (efi_path_join("", arg, name, sizeof(name)) != RT_OK) {
			fprintf(stderr, "efikexec-plan: %s: not a usable path\n", arg);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", esp, name);
		for (char *c = path + strlen(esp); *c; c++)
			if (*c == '\\')
				*c = '/';
	}
	f = fopen(path, "rb");
	if (!f || fseeko(f, 0, SEEK_END) || (size = ftello(f)) < 0) {
		fprintf(stderr, "efikexec-plan: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	*fp = f;
	*s = (struct ld_src){ .size = (uint64_t)size, .read = file_read, .ctx = f };
	snprintf(s->name, sizeof(s->name), "%s", name);
	return 0;
}

/* Page allocation as the firmware would do it, over simulated RAM that
 * spans the map's RAM (top-down, as EDK II allocates). */
static int make_sim(struct sim *s, const struct memmap *m)
{
	uint64_t lo = ~0ull, hi = 0;

	for (size_t i = 0; i < m->n; i++)
		if (MEM_MASK(m->r[i].type) & MEM_MASK_RAM) {
			if (m->r[i].start < lo)
				lo = m->r[i].start;
			if (m->r[i].end > hi)
				hi = m->r[i].end;
		}
	if (hi <= lo || !sim_init(s, lo, hi - lo, SIM_TOP_DOWN, 1))
		return -1;
	s->max_run = ~0ull;
	sim_set_type(s, lo, hi, MEM_RESERVED);
	for (size_t i = 0; i < m->n; i++) {
		uint64_t a = m->r[i].start < lo ? lo : m->r[i].start, b = m->r[i].end > hi ? hi : m->r[i].end;
		if (a < b)
			sim_set_type(s, a, b, m->r[i].type);
	}
	return sim_finish_map(s) ? 0 : -1;
}

static const char usage[] =
	"usage: efikexec-plan --memmap=FILE [--esp=DIR] [--cmdline=STRING] [--dtb=FILE]\n"
	"                     [--mem-min=ADDR] [--mem-max=ADDR] [--modules] KERNEL [INITRD...]\n"
	"  --modules: the files after KERNEL are its modules (Xen, Multiboot2), not initrds\n";

int main(int argc, char **argv)
{
	const char *map_path = NULL, *dtb_path = NULL;
	const struct arch_plan_ops *arch = NULL;
	const struct purgatory_header *ph;
	uint64_t fdt_size = 0;
	static struct sim sim;
	void *fdt = NULL;
	int i, nfile = 0;
	rt_status st;

	rt_log_set_sink(sink);
	req.verify = true;
	req.test_corrupt = -1;
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *a = argv[i], *v = strchr(a, '=');
		if (!strcmp(a, "--modules")) {
			req.modules = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "efikexec-plan: %s needs a value\n%s", a, usage);
			return 2;
		}
		v++;
		if (!strncmp(a, "--memmap=", 9))
			map_path = v;
		else if (!strncmp(a, "--esp=", 6))
			esp = v;
		else if (!strncmp(a, "--cmdline=", 10))
			req.cmdline = v;
		else if (!strncmp(a, "--dtb=", 6))
			dtb_path = v;
		else if (!strncmp(a, "--mem-min=", 10) && rt_parse_u64(v, &req.mem_min, true))
			;
		else if (!strncmp(a, "--mem-max=", 10) && rt_parse_u64(v, &req.mem_max, true))
			;
		else {
			fprintf(stderr, "efikexec-plan: unknown option or bad value '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (!map_path || i == argc || argc - i > 1 + BOOT_MAX_INITRD_FILES) {
		fprintf(stderr, "%s(at most %u initrds)\n", usage, BOOT_MAX_INITRD_FILES);
		return 2;
	}
	plan.o = &req;
	plan.ld = &plan_ld;
	plan.fw = &facts;
	{
		FILE *mf = fopen(map_path, "r");
		int bad;
		if (!mf) {
			fprintf(stderr, "efikexec-plan: %s: %s\n", map_path, strerror(errno));
			return 1;
		}
		bad = mapfile_read(mf, map_path, &plan, &arch, &fdt_size);
		fclose(mf);
		if (bad)
			return 1;
	}
	plan.arch = arch;
	ph = (const void *)(arch == &arch_plan_aarch64 ? _binary_purgatory_aarch64_bin_start
						    : _binary_purgatory_x86_64_bin_start);
	if (fdt_size) {
		/* the firmware's tree: only its size matters to the plan */
		fdt = calloc(1, fdt_size);
		if (!fdt || fdt_create_empty_tree(fdt, (int)fdt_size))
			return 1;
		facts.fdt = fdt;
	}
	if (open_src(argv[i], &files[nfile++], &plan.kernel_src))
		return 1;
	req.kernel.path = argv[i];
	for (i++; i < argc; i++, plan.ninitrd_file++) {
		req.initrd[req.ninitrd++].path = argv[i];
		if (open_src(argv[i], &files[nfile++], &plan.initrd_src[plan.ninitrd_file]))
			return 1;
	}
	if (dtb_path) {
		struct ld_src d;
		FILE *f;
		if (open_src(dtb_path, &f, &d))
			return 1;
		plan.dtb_pool = RT_FN(malloc)(d.size + 1);
		if (!plan.dtb_pool || file_read(&d, 0, plan.dtb_pool, d.size) != RT_OK)
			return 1;
		fclose(f);
		plan.dtb = plan.dtb_pool;
		plan.dtb_size = d.size;
		snprintf(plan.dtb_name, sizeof(plan.dtb_name), "%s", d.name);
	}

	st = boot_inputs(&plan);
	if (st == RT_OK)
		st = boot_place(&plan, ph, 0, 0);
	if (st == RT_OK && make_sim(&sim, &plan.map)) {
		fprintf(stderr, "efikexec-plan: cannot simulate the map's RAM\n");
		return 1;
	}
	if (st == RT_OK)
		st = boot_plan_image(&plan, ph, &sim.plat);
	if (st == RT_OK)
		boot_print_plan(&plan);
	if (plan.img.plat)
		kimage_release(&plan.img);
	ld_ctx_close(&plan_ld);
	boot_inputs_release(&plan);
	free(fdt);
	for (int k = 0; k < nfile; k++)
		fclose(files[k]);
	if (sim.ram)
		sim_destroy(&sim);
	return st == RT_OK ? 0 : 1;
}
