/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_kimage.c - libFuzzer target over memory maps, segment lists and
 * allocator behaviours. Any input either fails the segment rules (fine) or
 * must plan, load and relocate exactly (sim_run's checks), and release
 * every page and byte it took. A violation aborts, which libFuzzer reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/sim.h"

#define PG KIMAGE_PAGE_SIZE

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned get8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned get16(struct in *in)
{
	return get8(in) | get8(in) << 8;
}

static void die(const char *why)
{
	fprintf(stderr, "fuzz_kimage: %s\n", why);
	abort();
}

static uint8_t bufs[KIMAGE_MAX_SEGMENTS][24 * 4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	static struct sim sim;
	static struct kimage img;
	const char *why = NULL;
	uint64_t base = 0x100000, ram = (1 + get8(&in) % 4) << 17; /* 128 to 512 KiB */
	static bool filled;
	rt_status st;

	/* the simulated RAM is mapped once and reused: a run costs no mmap
	 * and no page faults (sim_reuse) */
	if (!sim_reuse(&sim, base, ram, (enum sim_mode)(get8(&in) % SIM_MODES), 7))
		die("sim_init");
	sim.max_run = 1 + get8(&in) % 64;
	unsigned flags = get8(&in);
	sim.claims_fail = flags & 1;
	for (unsigned k = get8(&in) % 8; k; k--) {
		uint64_t a = base + (get16(&in) % (ram / PG)) * PG, n = (1 + get8(&in)) * PG;
		unsigned t = get8(&in) % MEM_TYPE_COUNT;
		if (a + n > base + ram)
			n = base + ram - a;
		sim_set_type(&sim, a, a + n, (enum mem_type)t);
	}
	if (!sim_finish_map(&sim))
		die("map");
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	for (unsigned k = 1 + get8(&in) % 18; k; k--) {
		/* Mostly page-aligned addresses inside RAM, sometimes anything. */
		uint64_t mem = base + (uint64_t)(get16(&in) % (ram / PG + 16)) * PG;
		uint64_t memsz = (uint64_t)get8(&in) % 24 * PG;
		unsigned odd = get8(&in);
		if (odd == 0xff)
			mem = (uint64_t)get16(&in) << 48 | (uint64_t)get16(&in) << 12 | get8(&in);
		if (odd == 0xfe)
			memsz += get8(&in);
		size_t bufsz = memsz ? get16(&in) % (memsz + 2) : 0;
		if (bufsz > sizeof(bufs[0]))
			bufsz = sizeof(bufs[0]);
		struct kimage_segment s = { bufs[img.nr_segments % KIMAGE_MAX_SEGMENTS], bufsz, mem, memsz, false };
		if (odd == 0xfd) { /* scratch: room kept free, no data */
			s.buf = NULL;
			s.bufsz = 0;
			s.scratch = true;
		}
		if (kimage_add_segment(&img, &s, NULL) != RT_OK)
			break;
	}
	/* the segments' data: one pattern per segment, made once */
	for (unsigned i = 0; !filled && i < KIMAGE_MAX_SEGMENTS; i++)
		for (size_t b = 0; b < sizeof(bufs[i]); b++)
			bufs[i][b] = (uint8_t)(b * 131 + i + (b >> 12));
	filled = true;
	if (flags & 2)
		sim_make_hot(&sim, &img, 1 + (flags >> 2) % 3, (flags >> 4) % 4);
	st = kimage_check_segments(&img);
	if (getenv("FUZZ_DEBUG")) {
		fprintf(stderr, "ram %#llx mode %d run %llu flags %#x\n", (unsigned long long)ram, sim.mode,
			(unsigned long long)sim.max_run, flags);
		for (size_t r = 0; r < sim.map.n; r++)
			fprintf(stderr, "  map [%#llx, %#llx) %s\n", (unsigned long long)sim.map.r[r].start,
				(unsigned long long)sim.map.r[r].end, mem_type_name(sim.map.r[r].type));
		for (unsigned i = 0; i < img.nr_segments; i++)
			fprintf(stderr, "  seg %u [%#llx, +%#llx) bufsz %zu%s\n", i,
				(unsigned long long)img.segment[i].mem,
				(unsigned long long)img.segment[i].memsz, img.segment[i].bufsz,
				img.segment[i].scratch ? " scratch" : "");
		fprintf(stderr, "  check: %s\n", rt_status_name(st));
	}
	if (st == RT_OK) {
		st = sim_run(&sim, &img, (flags >> 6) % 4, &why);
		if (why)
			die(why);
		if (st != RT_OK && st != RT_ENOMEM)
			die(rt_status_name(st));
	}
	kimage_release(&img);
	if (sim_pages_held(&sim) || sim.errors || sim.meta_live)
		die("pages or memory still held after release");
	return 0;
}
