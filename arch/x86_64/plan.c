/*
 * plan.c - what planning needs of x86_64 (arch/arch.h, struct
 * arch_plan_ops): plain code, built for the host too, where efikexec-plan
 * plans for either architecture.
 */
#include "../arch.h"
#include "handoff.h"
#include "pagetable.h"
#include "state.h"

struct x86_state x86;

static rt_status inputs(struct boot_plan *bp)
{
	if (bp->dtb)
		rt_log(RT_LOG_WARN, "boot", "%s: an x86 kernel takes no device tree; ignored", bp->dtb_name);
	return RT_OK;
}

static uint64_t params_size(const struct boot_plan *bp)
{
	uint64_t descs = bp->mm_room / bp->mm.desc_size;

	x86.rng_off = ALIGN16(0x1000 + bp->cmdline_len + 1);
	x86.e820_off = ALIGN16(x86.rng_off + sizeof(struct bz_setup_data) + RNG_SEED_BYTES);
	x86.e820_room = descs;
	x86.mm_off = ALIGN16(x86.e820_off + sizeof(struct bz_setup_data) +
			     descs * sizeof(struct bz_e820_entry));
	return x86.mm_off + bp->mm_room;
}

uint64_t x86_map_end(const struct boot_plan *bp)
{
	uint64_t end = 0;

	/* every range that is memory (not MMIO/reserved) and every segment */
	for (size_t i = 0; i < bp->map.n; i++)
		if (bp->map.r[i].type != MEM_RESERVED && bp->map.r[i].end > end)
			end = bp->map.r[i].end;
	for (unsigned i = 0; i < bp->img.nr_segments; i++) {
		uint64_t e = bp->img.segment[i].mem + bp->img.segment[i].memsz;
		if (e > end)
			end = e;
	}
	return end;
}

static uint64_t control_pages(const struct boot_plan *bp)
{
	x86.la57 = bp->fw->la57;
	return X86_CTRL_FIXED_PAGES + x86_pt_pages(x86_map_end(bp), x86.la57);
}

const struct arch_plan_ops arch_plan_x86_64 = {
	.machine = LD_MACHINE_X86_64, .name = "x86_64", .inputs = inputs,
	.params_size = params_size, .control_pages = control_pages,
};
