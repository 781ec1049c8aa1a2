/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * plan.c - what planning needs of x86_64 (arch/arch.h, struct
 * arch_plan_ops): plain code, built for the host too, where efikexec-plan
 * plans for either architecture.
 */
#include "../arch.h"
#include "handoff.h"
#include "pagetable.h"
#include "state.h"
#include "../../boot/bzimage.h"
#include "../../boot/multiboot2.h"

struct x86_state x86;

/*
 * KASLR for a bzImage entered at its decompressed vmlinux, as the EFI stub
 * does it (drivers/firmware/efi/libstub/x86-stub.c efi_decompress_kernel):
 * unless the command line says nokaslr, KASLR_FLAG is set for the kernel
 * (its memory layout randomization reads it, arch/x86/mm/kaslr.c) and the
 * kernel moves by a virtual offset drawn from EFI_RNG_PROTOCOL - 4 bytes
 * of the seed gathered once, past the 32 the kernel gets as
 * SETUP_RNG_SEED. Without an RNG the stub leaves the kernel at its link
 * address; efikexec takes the CPU's RDRAND, else its counter, as the
 * kernel's own decompressor does (fw_facts.kaslr_seed), so the default
 * entry randomizes wherever the legacy one did. The physical address is
 * drawn too, from 4 more bytes, as the stub's efi_random_alloc draws it:
 * among every 2 MiB-aligned place in free memory from LOAD_PHYSICAL_ADDR
 * up (boot_place, memmap_random_hole) - unless the command line changes
 * the memory map the kernel will trust (mem=, memmap=, efi_fake_mem=,
 * hugepages=: the stub's parse_options), where the lowest fit stays.
 */
static const char *const memmap_opts[] = { "mem=", "memmap=", "efi_fake_mem=", "hugepages=" };

static void kaslr(struct boot_plan *bp)
{
	const struct ld_kernel *k = bp->k;
	const struct fw_facts *fw = bp->fw;

	bp->kaslr = false;
	bp->kaslr_phys = false;
	bp->kaslr_offset = 0;
	bp->kaslr_why[0] = 0;
	if (!k->direct.on)
		return;
	if (!k->direct.reloc_len) {
		rt_snprintf(bp->kaslr_why, sizeof(bp->kaslr_why), "off: the kernel has no relocation table");
		return;
	}
	if (bzimage_cmdline_has(bp->cmdline, "nokaslr")) {
		rt_snprintf(bp->kaslr_why, sizeof(bp->kaslr_why), "off: nokaslr on the command line");
		return;
	}
	bp->kaslr = true;
	if (!fw->kaslr_seed_from) {
		rt_snprintf(bp->kaslr_why, sizeof(bp->kaslr_why), "on, no virtual offset: no seed");
		return;
	}
	bp->kaslr_offset = bzimage_kaslr_offset(k->direct.link, k->memsz, k->align, fw->kaslr_seed);
	rt_snprintf(bp->kaslr_why, sizeof(bp->kaslr_why), "on, virtual offset %#llx from %s",
		    (unsigned long long)bp->kaslr_offset, fw->kaslr_seed_from);
	for (unsigned i = 0; i < sizeof(memmap_opts) / sizeof(memmap_opts[0]); i++)
		if (bzimage_cmdline_has(bp->cmdline, memmap_opts[i])) {
			size_t n = RT_FN(strlen)(bp->kaslr_why);
			rt_snprintf(bp->kaslr_why + n, sizeof(bp->kaslr_why) - n,
				    "; physical address not drawn: %s on the command line", memmap_opts[i]);
			return;
		}
	bp->kaslr_phys = true;
}

static rt_status inputs(struct boot_plan *bp)
{
	const struct mb2_header *h = &bp->k->ho.mb2;

	if (bp->dtb)
		rt_log(RT_LOG_WARN, "boot", "%s: an x86 kernel takes no device tree; ignored", bp->dtb_name);
	kaslr(bp);
	if (bp->k->handoff != LD_HANDOFF_MULTIBOOT2 || bp->fw->has_fb)
		return RT_OK;
	/* what only the firmware's facts decide: a console it insists on */
	if (MB2_HAS(h, MB2_HT_CONSOLE) && (h->console_flags & MB2_CONSOLE_REQUIRED) &&
	    !(h->console_flags & MB2_CONSOLE_EGA_TEXT))
		return rt_fail_uefi(RT_ENOTSUP, "boot",
				"%s: its console tag requires a console (flags %#x) and this firmware has no graphics output",
				bp->kernel_name, h->console_flags);
	if ((h->required >> MB2_IT_FRAMEBUFFER) & 1)
		return rt_fail_uefi(RT_ENOTSUP, "boot",
				"%s: requires the framebuffer information (tag 8) and this firmware has no graphics output",
				bp->kernel_name);
	return RT_OK;
}

/* A Multiboot2 payload's modules: the initrd segment's parts, each at a
 * page of its own (boot/place.c). */
static struct mb2_module mb2_mods[BOOT_MAX_INITRDS];
static struct mb2_fb mb2_fb;

void x86_mb2_req(const struct boot_plan *bp)
{
	const struct fw_facts *fw = bp->fw;

	/* the modules' names and sizes; where they lie comes with x86_mb2_final */
	for (unsigned i = 0; i < bp->ninitrd; i++)
		mb2_mods[i] = (struct mb2_module){ 0, bp->initrd[i].len, bp->initrd[i].name, bp->initrd[i].args };
	if (fw->has_fb) {
		mb2_fb = (struct mb2_fb){ fw->fb.base, fw->fb.stride_pixels * 4, fw->fb.width, fw->fb.height, 32,
					  fw->fb.red, fw->fb.green, fw->fb.blue };
	}
	x86.mb2 = (struct mb2_info_req){
		.h = &bp->k->ho.mb2, .path = bp->kernel_name, .cmdline = bp->cmdline,
		.loader_name = X86_MB2_LOADER_NAME, .mod = mb2_mods, .nmod = bp->ninitrd,
		.rsdp = fw->rsdp_len ? fw->rsdp : NULL, .rsdp_len = fw->rsdp_len, .fb = fw->has_fb ? &mb2_fb : NULL,
		.efi_systab = fw->systab, .relocated = !bp->k->fixed,
		.efi_bs = mb2_efi64(&bp->k->ho.mb2), .efi_image_handle = fw->image_handle,
	};
}

void x86_mb2_final(const struct boot_plan *bp, const struct memmap *map)
{
	for (unsigned i = 0; i < x86.mb2.nmod; i++) {
		mb2_mods[i].start = bp->initrd_mem + bp->initrd[i].off;
		mb2_mods[i].end = mb2_mods[i].start + bp->initrd[i].len;
	}
	x86.mb2.load_base = (uint32_t)bp->kernel_base;
	x86.mb2.map = map;
	x86.mb2.efi_mmap = bp->mm.buf;
	x86.mb2.efi_mmap_size = (uint32_t)bp->mm.size;
	x86.mb2.efi_desc_size = (uint32_t)bp->mm.desc_size;
	x86.mb2.efi_desc_version = bp->mm.desc_version;
}

static uint64_t params_size(const struct boot_plan *bp)
{
	uint64_t descs = bp->mm_room / bp->mm.desc_size;

	if (bp->k->handoff == LD_HANDOFF_MULTIBOOT2) {
		x86_mb2_req(bp);
		/* the map: one range per descriptor, and the EBDA's split */
		return mb2_info_bound(&x86.mb2, descs + 2, bp->mm_room);
	}

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
