/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bench_kimage.c - what planning and relocation cost, over simulated RAM.
 * Every figure is measured in this run; times are the best of several runs
 * (this machine is noisy), and the bounds are ratios of figures from the
 * same run, never absolute times. Prints "bench <name> <value> <unit>".
 *
 *  plan_64mib_adversarial, plan_1gib_adversarial: kimage_plan() for one
 *    segment whose free destination cannot be claimed (firmware refusing
 *    AllocateAddress), with an allocator that hands out every other
 *    destination page first - the collisions the kernel's
 *    kimage_alloc_page() resolves with a search of its whole list.
 *  plan_scaling: 1 GiB time / (16 x 64 MiB time); linear is 1, the bound 2.
 *  relocate_vs_memcpy: bytes per second of the reference relocation of a
 *    fully staged 64 MiB segment over plain memcpy of the same bytes; the
 *    bound is 0.7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tools/sim.h"

#define MiB (1ull << 20)
#define PG KIMAGE_PAGE_SIZE

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void quiet(enum rt_log_level l, const char *s, const char *m)
{
	(void)l, (void)s, (void)m;
}

/* One adversarial plan of `size` bytes; returns seconds spent in kimage_plan. */
static double plan_once(uint64_t size, uint64_t *staged, uint64_t *in_place)
{
	static struct sim sim;
	static struct kimage img;
	uint64_t base = 0x100000;
	double t;

	if (!sim_init(&sim, base, size * 5 / 2, SIM_TOP_DOWN, 42)) {
		fprintf(stderr, "bench: no memory for the simulation\n");
		exit(1);
	}
	sim.claims_fail = true;
	sim.max_run = 64;
	sim_finish_map(&sim);
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	struct kimage_segment seg = { NULL, 0, base, size, false };
	kimage_add_segment(&img, &seg, NULL);
	sim_make_hot(&sim, &img, 2, 0);
	t = now();
	if (kimage_plan(&img, 4) != RT_OK) {
		fprintf(stderr, "bench: planning failed\n");
		exit(1);
	}
	t = now() - t;
	*staged = img.pages_staged;
	*in_place = img.pages_in_place;
	kimage_release(&img);
	sim_destroy(&sim);
	return t;
}

static double best_plan(uint64_t size, int runs)
{
	double best = 1e9;
	uint64_t staged = 0, in_place = 0;

	for (int i = 0; i < runs; i++) {
		double t = plan_once(size, &staged, &in_place);
		if (t < best)
			best = t;
	}
	fprintf(stderr, "  %llu MiB: %llu pages staged, %llu in place\n",
		(unsigned long long)(size / MiB), (unsigned long long)staged,
		(unsigned long long)in_place);
	return best;
}

static double relocate_vs_memcpy(void)
{
	static struct sim sim;
	static struct kimage img;
	uint64_t base = 0x100000, size = 64 * MiB;
	uint8_t *data = malloc(size), *a = malloc(size), *b = malloc(size);
	double best_rel = 1e9, best_cpy = 1e9;

	for (uint64_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	memcpy(a, data, size);
	memset(b, 1, size);
	sim_init(&sim, base, size * 3, SIM_TOP_DOWN, 9);
	sim_set_type(&sim, base, base + size, MEM_BUSY); /* all staged */
	sim_finish_map(&sim);
	memset(sim.ram, 0x5a, size); /* fault the destinations in, as RAM */
	kimage_init(&img, KIMAGE_NORMAL, &sim.plat, &sim.map);
	struct kimage_segment seg = { data, size, base, size, false };
	kimage_add_segment(&img, &seg, NULL);
	if (kimage_plan(&img, 4) != RT_OK || kimage_load(&img) != RT_OK || img.pages_staged != size / PG) {
		fprintf(stderr, "bench: planning the relocation failed\n");
		exit(1);
	}
	for (int r = 0; r < 7; r++) {
		double t = now();
		uint64_t n = kimage_relocate_ref(img.head, sim.plat.phys_to_virt, &sim, 1u << 24);
		t = now() - t;
		if (n != size / PG || memcmp(sim.ram, data, size) != 0) {
			fprintf(stderr, "bench: relocation is wrong\n");
			exit(1);
		}
		if (t < best_rel)
			best_rel = t;
		t = now();
		memcpy(b, a, size);
		__asm__ volatile("" ::"r"(b) : "memory");
		t = now() - t;
		if (t < best_cpy)
			best_cpy = t;
	}
	kimage_release(&img);
	sim_destroy(&sim);
	free(data);
	free(a);
	free(b);
	return best_cpy / best_rel;
}

int main(void)
{
	rt_log_set_sink(quiet);
	double t64 = best_plan(64 * MiB, 5);
	double t1g = best_plan(1024 * MiB, 3);
	double scaling = t1g / (16 * t64);
	double ratio = relocate_vs_memcpy();

	printf("bench plan_64mib_adversarial %.2f ms\n", t64 * 1e3);
	printf("bench plan_1gib_adversarial %.2f ms\n", t1g * 1e3);
	printf("bench plan_scaling %.2f x\n", scaling);
	printf("bench relocate_vs_memcpy %.2f x\n", ratio);
	int bad = 0;
	if (scaling > 2.0) {
		fprintf(stderr, "bench: 1 GiB planning is more than 2x of 16 x the 64 MiB time\n");
		bad = 1;
	}
	if (ratio < 0.7) {
		fprintf(stderr, "bench: relocation throughput below 0.7 of memcpy\n");
		bad = 1;
	}
	return bad;
}
