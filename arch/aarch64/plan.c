/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * plan.c - what planning needs of aarch64 (arch/arch.h, struct
 * arch_plan_ops): plain code, built for the host too, where efikexec-plan
 * plans for either architecture.
 */
#include "../arch.h"
#include "../../boot/arm64.h"
#include "../../boot/dtb.h"
#include "state.h"

struct a64_state a64;

/* The tree to start from: what efi/ chose (--dtb, a UKI's .dtb, the
 * firmware's), else - ACPI describes the machine - an empty one with only
 * /chosen, as the kernel's EFI stub hands over. */
static rt_status inputs(struct boot_plan *bp)
{
	static uint64_t empty[512];
	size_t size = bp->dtb_size;
	rt_status rs;

	a64.acpi = !bp->dtb;
	a64.dtb = bp->dtb;
	a64.dtb_name = bp->dtb_name;
	if (a64.acpi) {
		rs = dtb_empty(empty, sizeof(empty));
		if (rs != RT_OK)
			return rs;
		a64.dtb = empty;
		a64.dtb_name = "an empty device tree (ACPI)";
		size = sizeof(empty);
		rt_log(RT_LOG_DEBUG, "dtb", "the firmware has no device tree: handing over %s", a64.dtb_name);
	}
	if (!size)
		size = dtb_size(a64.dtb) ? dtb_size(a64.dtb) : 64;
	return dtb_check(a64.dtb_name, a64.dtb, size);
}

static uint64_t params_size(const struct boot_plan *bp)
{
	size_t args = 0;

	for (unsigned i = 0; bp->o && bp->o->modules && i < bp->ninitrd; i++)
		args += bp->initrd[i].args ? RT_FN(strlen)(bp->initrd[i].args) : 0;
	a64.dtb_room = dtb_room(a64.dtb, bp->cmdline_len) +
		       dtb_room_modules(bp->o && bp->o->modules ? bp->ninitrd : 0, args + bp->cmdline_len,
					bp->map.n);
	if (a64.dtb_room > ARM64_DTB_MAX)
		a64.dtb_room = ARM64_DTB_MAX;
	a64.mm_off = (a64.dtb_room + 4095) & ~4095ull;
	return a64.mm_off + bp->mm_room;
}

static uint64_t control_pages(const struct boot_plan *bp)
{
	return 1; /* the relocation's stack */
}

const struct arch_plan_ops arch_plan_aarch64 = {
	.machine = LD_MACHINE_AARCH64, .name = "aarch64", .inputs = inputs,
	.params_size = params_size, .control_pages = control_pages,
};
