/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * place.c - one boot's plan from its inputs (place.h): plain code, run by
 * the firmware application and by the host planner alike.
 *
 *   inputs     the kernel through the loader table (boot/loader.h), the
 *              initrd parts, the command line, the device tree, then
 *              what only the architecture checks (bp->arch->inputs)
 *   placement  a destination for each segment - kernel, initrd, hand-off
 *              data, purgatory - from the memory map model, free memory
 *              first (loaded in place, never copied), bottom-up
 *   plan       lib/kimage: claim, stage, control pages, entry list
 */
#include "place.h"
#include "bzimage.h"
#include "../arch/arch.h"

#define MIB (1ull << 20)
/* The initramfs unpacker looks for each archive's header at a 4-byte
 * aligned offset and skips zero bytes between archives (the kernel's
 * init/initramfs.c, unpack_to_rootfs: "this_header & 3"). */
#define INITRD_ALIGN 4

/* Adds an initrd part; all of them joined, each at a 4-byte boundary (a
 * Multiboot2 module at a page of its own: the module-align tag asks for
 * page alignment, and GRUB and kexec-tools give it always). */
static rt_status add_initrd(struct boot_plan *bp, struct ld_src *src, uint64_t off, uint64_t len,
			     const char *name, const char *args)
{
	uint64_t align = bp->o->modules ? KIMAGE_PAGE_SIZE : INITRD_ALIGN;
	uint64_t at = (bp->initrd_size + align - 1) & ~(align - 1);

	if (bp->ninitrd == BOOT_MAX_INITRDS)
		return rt_fail_uefi(RT_EINVAL, "boot", "%s: more than %u initrd parts", name,
				BOOT_MAX_INITRDS);
	bp->initrd[bp->ninitrd++] = (struct boot_initrd){ src, off, len, at, name, args };
	bp->initrd_size = at + len;
	return RT_OK;
}

/* The device tree to start from (arm64): --dtb, else a UKI's .dtb, else
 * the firmware's; an x86 kernel ignores it (its ->inputs says so). */
rt_status boot_choose_dtb(struct boot_plan *bp)
{
	const struct ld_blob *b = &bp->k->dtb;

	if (bp->dtb) {
		/* the caller's (--dtb), read already */
	} else if (b->len && bp->k->takes_dtb) {
		rt_status rs;
		if (b->len > (2u << 20))
			return rt_fail_uefi(RT_E2BIG, "dtb", "%s: %s of %llu bytes, more than the kernel's limit of 2 MiB",
					b->src->name, b->what, (unsigned long long)b->len);
		bp->dtb_pool = RT_FN(malloc)((size_t)b->len + 1);
		if (!bp->dtb_pool)
			return rt_fail_uefi(RT_ENOMEM, "dtb", "no memory for %llu bytes", (unsigned long long)b->len);
		rs = b->src->read(b->src, b->off, bp->dtb_pool, b->len);
		if (rs != RT_OK)
			return rs;
		bp->dtb = bp->dtb_pool;
		bp->dtb_size = (size_t)b->len;
		rt_snprintf(bp->dtb_name, sizeof(bp->dtb_name), "%s %s", b->src->name, b->what);
	} else if (bp->k->takes_dtb && bp->fw->fdt) {
		bp->dtb = bp->fw->fdt;
		bp->dtb_size = 0;
		rt_snprintf(bp->dtb_name, sizeof(bp->dtb_name), "the firmware's device tree");
	}
	return RT_OK;
}

/* The UKI extras that go at `at` into the initrd, in the stub's order. */
static rt_status add_extras(struct boot_plan *bp, enum boot_extra_at at)
{
	for (unsigned k = 0; k < bp->nextra; k++) {
		unsigned i = BOOT_EXTRA_NTH(bp, at, k);
		struct boot_extra *x = &bp->extra[i];
		rt_status st;
		if (x->at == at && (st = add_initrd(bp, &x->src, 0, x->size, x->what, NULL)) != RT_OK)
			return st;
	}
	return RT_OK;
}

/* The initrd's parts in order. For a UKI as systemd's stub orders them:
 * add-ons' .ucode, .ucode, the loader's (the user's), .initrd, the /.extra
 * archives, add-ons' .initrd; else what an image carries, then the
 * user's. */
static rt_status add_initrds(struct boot_plan *bp)
{
	const struct boot_req *o = bp->o;
	rt_status st;

	/* what the stub adds to a UKI: archives, add-ons */
	if (bp->k->uki.is && bp->uki_extras_cb && (st = bp->uki_extras_cb(bp)) != RT_OK)
		return st;
	if ((st = add_extras(bp, BOOT_EXTRA_FIRST)) != RT_OK)
		return st;
	for (unsigned i = 0; i < bp->k->ninitrd; i++) {
		const struct ld_blob *b = &bp->k->initrd[i];
		if (bp->k->uki.is && RT_FN(strcmp)(b->what, ".ucode"))
			continue;
		st = add_initrd(bp, b->src, b->off, b->len, b->what, NULL);
		if (st != RT_OK)
			return st;
	}
	for (unsigned i = 0; i < bp->ninitrd_file; i++) {
		st = add_initrd(bp, &bp->initrd_src[i], 0, bp->initrd_src[i].size, bp->initrd_src[i].name,
				o->modules ? o->module_args[i] : NULL);
		if (st != RT_OK)
			return st;
	}
	for (unsigned i = 0; bp->k->uki.is && i < bp->k->ninitrd; i++) {
		const struct ld_blob *b = &bp->k->initrd[i];
		if (!RT_FN(strcmp)(b->what, ".ucode"))
			continue;
		st = add_initrd(bp, b->src, b->off, b->len, b->what, NULL);
		if (st != RT_OK)
			return st;
	}
	if ((st = add_extras(bp, BOOT_EXTRA_ARCHIVE)) != RT_OK)
		return st;
	return add_extras(bp, BOOT_EXTRA_LAST);
}

/* A UKI's add-ons' command lines after the one it boots with (the
 * stub's cmdline_append_and_measure_addons). */
static rt_status append_addon_cmdlines(struct boot_plan *bp)
{
	for (int i = 0; i < 2; i++) {
		const char *a = bp->addon_cmdline[i];
		size_t n = a ? RT_FN(strlen)(a) : 0, sep = bp->cmdline_len ? 1 : 0;
		char *grown;
		if (!n)
			continue;
		if (bp->cmdline_len + sep + n > bp->k->cmdline_max)
			return rt_fail_uefi(RT_EINVAL, "boot",
					"%s: command line of %zu bytes with its add-ons' is longer than the kernel accepts (cmdline_size %llu)",
					bp->kernel_name, bp->cmdline_len + sep + n, (unsigned long long)bp->k->cmdline_max);
		if (!(grown = RT_FN(malloc)(bp->cmdline_len + sep + n + 1)))
			return rt_fail_uefi(RT_ENOMEM, "boot", "no memory for a command line of %zu bytes",
					bp->cmdline_len + sep + n);
		bp->cmdline_len = (size_t)rt_snprintf(grown, bp->cmdline_len + sep + n + 1, "%s%s%s", bp->cmdline,
						      sep ? " " : "", a);
		RT_FN(free)(bp->cmdline);
		bp->cmdline = grown;
	}
	return RT_OK;
}

rt_status boot_inputs(struct boot_plan *bp)
{
	const struct boot_req *o = bp->o;
	const char *cl = o->cmdline && o->cmdline[0] ? o->cmdline : NULL;
	rt_status st;
	size_t len;

	unsigned profile = 0;
	const char *rest = NULL;
	bool at = uki_profile_arg(o->cmdline, &profile, &rest);

	bp->kernel_name = bp->kernel_src.name;
	bp->ld->machine = bp->arch->machine;
	/* "@N" first on a UKI's command line picks its profile N, and is
	 * taken off before anything else sees it (the stub's
	 * parse_profile_from_cmdline); other kernels get it as it is */
	bp->ld->profile = at ? profile : 0;
	bp->ld->direct_entry = o->direct_entry;
	st = ld_load(bp->ld, &bp->kernel_src);
	if (st != RT_OK)
		return st;
	bp->k = &bp->ld->k;
	/* (a stub before 257 knows no profiles: "@N" is part of the command
	 * line it is given) */
	if (at && bp->k->uki.is && bp->k->uki.m->exact_names) {
		cl = rest[0] ? rest : NULL;
		bp->profile_given = true;
	}
	rt_log(RT_LOG_INFO, "image", "%s: %s", bp->kernel_name, bp->k->desc);

	/* a Multiboot2 payload takes modules, each with its own command line;
	 * a Linux kernel an initrd */
	if (bp->k->handoff == LD_HANDOFF_MULTIBOOT2 && bp->ninitrd_file && !o->modules)
		return rt_fail_uefi(RT_EINVAL, "boot",
				"%s: a Multiboot2 kernel takes modules (--module=\"PATH ARGS\"), not an initrd (%s)",
				bp->kernel_name, bp->initrd_src[0].name);
	/* ... or, on arm64, the device tree's modules (Xen: an Image) */
	if (bp->k->handoff != LD_HANDOFF_MULTIBOOT2 && !bp->k->takes_dtb && o->modules)
		return rt_fail_uefi(RT_EINVAL, "boot",
				"%s: a %s takes no Multiboot2 modules (%s); give it an initrd instead",
				bp->kernel_name, bp->k->format, bp->ninitrd_file ? bp->initrd_src[0].name : "none");

	if ((st = add_initrds(bp)) != RT_OK)
		return st;

	/* the command line: the caller's, else the image's own (a UKI's
	 * .cmdline) - under Secure Boot the image's own wins, as in systemd's
	 * stub: it was verified with the image, the given one was not */
	if (o->image_cmdline_wins && bp->k->has_cmdline && cl) {
		rt_log(RT_LOG_INFO, "boot", "%s: Secure Boot is on: its own signed .cmdline is used, not the one given (\"%s\")",
		       bp->kernel_name, cl);
		cl = NULL;
	}
	len = cl ? RT_FN(strlen)(cl) : bp->k->has_cmdline ? RT_FN(strlen)(bp->k->cmdline) : 0;
	if (len > bp->k->cmdline_max)
		return rt_fail_uefi(RT_EINVAL, "boot",
				"%s: command line of %zu bytes is longer than the kernel accepts (cmdline_size %llu)",
				bp->kernel_name, len, (unsigned long long)bp->k->cmdline_max);
	bp->cmdline = RT_FN(malloc)(len + 1);
	if (!bp->cmdline)
		return rt_fail_uefi(RT_ENOMEM, "boot", "no memory for a command line of %zu bytes", len);
	bp->cmdline_len = (size_t)rt_snprintf(bp->cmdline, len + 1, "%s",
					      cl ? cl : bp->k->has_cmdline ? bp->k->cmdline : "");
	if (cl && bp->k->uki.is) {
		/* the stub's mangle_stub_cmdline, on what replaces .cmdline */
		for (size_t i = 0; i < bp->cmdline_len; i++)
			if ((unsigned char)bp->cmdline[i] <= 0x1f)
				bp->cmdline[i] = ' ';
		while (bp->cmdline_len && bp->cmdline[bp->cmdline_len - 1] == ' ')
			bp->cmdline[--bp->cmdline_len] = 0;
		bp->cmdline_given = bp->cmdline_len != 0;
		bp->cmdline_given_len = bp->cmdline_len;
	}
	if ((st = append_addon_cmdlines(bp)) != RT_OK)
		return st;
	rt_log(RT_LOG_DEBUG, "boot", "command line (%zu bytes%s): %s", bp->cmdline_len,
	       cl || !bp->k->has_cmdline ? "" : ", the image's .cmdline", bp->cmdline);

	st = boot_choose_dtb(bp);
	if (st != RT_OK)
		return st;
	return bp->arch->inputs(bp);
}

static uint64_t free_largest(const struct memmap *m)
{
	uint64_t best = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == MEM_FREE && m->r[i].end - m->r[i].start > best)
			best = m->r[i].end - m->r[i].start;
	return best;
}

/*
 * A destination for `size` bytes: free memory first (loaded in place),
 * else any RAM (staged, copied after the exit), lowest address first - or
 * with `seed`, drawn among every place that fits (physical KASLR), its
 * count in bp->kaslr_slots.
 */
static rt_status place_draw(struct boot_plan *bp, const char *what, uint64_t size, uint64_t align,
			    uint64_t min, uint64_t max, bool top_down, const uint32_t *seed,
			    const struct mem_span *avoid, size_t navoid, uint64_t *out)
{
	const struct boot_req *o = bp->o;
	struct hole_req req = {
		.size = BOOT_PAGE_ALIGN(size), .align = align < KIMAGE_PAGE_SIZE ? KIMAGE_PAGE_SIZE : align,
		.min = min, .max = max, .top_down = top_down, .mask = MEM_MASK(MEM_FREE), .avoid = avoid,
		.navoid = navoid,
	};

	if (req.min < o->mem_min)
		req.min = o->mem_min;
	if (o->mem_max && (!req.max || req.max > o->mem_max))
		req.max = o->mem_max;
	for (int pass = 0; pass < 2; pass++, req.mask = MEM_MASK_RAM)
		if ((seed ? memmap_random_hole(&bp->map, &req, *seed, out, &bp->kaslr_slots)
			  : memmap_find_hole(&bp->map, &req, out)) == RT_OK)
			return RT_OK;
	return rt_fail_uefi(RT_ENOSPC, "boot",
			"%s: no room for %llu bytes (%llu MiB, alignment %#llx) in RAM within [%#llx, %#llx); the largest free range is %llu MiB",
			what, (unsigned long long)size, (unsigned long long)(size >> 20),
			(unsigned long long)req.align, (unsigned long long)req.min,
			(unsigned long long)(req.max ? req.max : ~0ull),
			(unsigned long long)(free_largest(&bp->map) >> 20));
}

static rt_status place_dir(struct boot_plan *bp, const char *what, uint64_t size, uint64_t align,
			    uint64_t min, uint64_t max, bool top_down, const struct mem_span *avoid,
			    size_t navoid, uint64_t *out)
{
	return place_draw(bp, what, size, align, min, max, top_down, NULL, avoid, navoid, out);
}

static rt_status place(struct boot_plan *bp, const char *what, uint64_t size, uint64_t align,
			uint64_t min, uint64_t max, const struct mem_span *avoid, size_t navoid,
			uint64_t *out)
{
	return place_dir(bp, what, size, align, min, max, false, avoid, navoid, out);
}

/*
 * Multiboot2 payloads enter with no firmware interface, and some look for
 * ACPI the BIOS way only: Xen 4.17's 32-bit entry ignores the RSDP tags
 * (xen/arch/x86/boot/reloc.c reads none of 14/15) and finds the RSDP by
 * scanning the EBDA's first KiB and 0xE0000-0xFFFFF
 * (drivers/acpi/tables/tbxfroot.c acpi_find_root_pointer, which takes the
 * EBDA segment from the BDA word at 0x40E); its real-mode trampoline goes
 * below the EBDA and the BDA's base memory size (0x413) too
 * (boot/head.S trampoline_bios_setup). UEFI leaves no EBDA, so efikexec
 * makes one as a BIOS would: the top page of the RAM that starts at 0,
 * below 640 KiB, kept free by the plan (a scratch segment), where purgatory
 * copies the RSDP and whose segment it writes to the BDA (purgatory.h).
 * The memory map the payload gets says the page is reserved.
 */
#define EBDA_TOP 0xa0000ull
#define EBDA_MIN 0x10000ull /* below this, no room for a trampoline under it */

static void choose_ebda(struct boot_plan *bp)
{
	uint64_t end = memmap_run_end(&bp->map, 0, MEM_MASK_RAM);

	bp->ebda = 0;
	if (end > EBDA_TOP)
		end = EBDA_TOP;
	end &= KIMAGE_PAGE_MASK;
	if (end < EBDA_MIN + KIMAGE_PAGE_SIZE) {
		rt_log(RT_LOG_WARN, "boot", "no RAM below 640 KiB from 0 (only [0, %#llx)): no EBDA for %s to find ACPI in",
		       (unsigned long long)end, bp->kernel_name);
		return;
	}
	for (size_t i = 0; i < bp->navoid; i++)
		if (bp->avoid[i].start < end && end - KIMAGE_PAGE_SIZE < bp->avoid[i].end) {
			rt_log(RT_LOG_WARN, "boot", "[%#llx, %#llx) must stay intact: no EBDA for %s to find ACPI in",
			       (unsigned long long)bp->avoid[i].start, (unsigned long long)bp->avoid[i].end,
			       bp->kernel_name);
			return;
		}
	bp->ebda = end - KIMAGE_PAGE_SIZE;
}

rt_status boot_add_segment(struct boot_plan *bp, uint64_t bufsz, uint64_t mem, uint64_t memsz,
			   unsigned *index)
{
	struct kimage_segment s = { NULL, (size_t)bufsz, mem, BOOT_PAGE_ALIGN(memsz), false };

	return kimage_add_segment(&bp->img, &s, index);
}

/* The kernel's pieces (boot/loader.h): each one's bytes a segment, its
 * zero tail part of it; the room past a `room` piece's bytes a scratch
 * segment: kept free, never copied or checked. */
rt_status boot_add_kernel_segments(struct boot_plan *bp)
{
	const struct ld_kernel *k = bp->k;
	rt_status st = RT_OK;

	bp->seg_initrd = bp->seg_ebda = BOOT_NO_SEG;
	for (unsigned i = 0; i < k->npieces && st == RT_OK; i++) {
		const struct ld_piece *p = &k->piece[i];
		uint64_t mem = bp->kernel_base + p->mem_off;
		uint64_t data = p->room ? BOOT_PAGE_ALIGN(p->filesz) : BOOT_PAGE_ALIGN(p->memsz);

		bp->seg_kernel[i] = bp->seg_scratch[i] = BOOT_NO_SEG;
		if (data)
			st = boot_add_segment(bp, p->filesz, mem, data, &bp->seg_kernel[i]);
		if (st == RT_OK && p->room && BOOT_PAGE_ALIGN(p->memsz) > data) {
			struct kimage_segment s = { NULL, 0, mem + data, BOOT_PAGE_ALIGN(p->memsz) - data, true };
			st = kimage_add_segment(&bp->img, &s, &bp->seg_scratch[i]);
		}
	}
	return st;
}

/* A kernel that runs where it was linked (an ELF vmlinux's p_paddr): its
 * range must be RAM - free, or busy only until the exit (staged then) -
 * and clear of what must stay intact. */
static rt_status place_fixed(struct boot_plan *bp, const struct mem_span *avoid, size_t navoid,
			      uint64_t *out)
{
	const struct ld_kernel *k = bp->k;
	uint64_t start = k->min, end = k->min + BOOT_PAGE_ALIGN(k->memsz);

	if ((bp->o->mem_min && start < bp->o->mem_min) || (bp->o->mem_max && end > bp->o->mem_max))
		return rt_fail_uefi(RT_EINVAL, "boot",
				"%s: runs at [%#llx, %#llx), its link address, outside --mem-min/--mem-max [%#llx, %#llx)",
				bp->kernel_name, (unsigned long long)start, (unsigned long long)end,
				(unsigned long long)bp->o->mem_min,
				(unsigned long long)(bp->o->mem_max ? bp->o->mem_max : ~0ull));
	for (unsigned i = 0; i < k->npieces; i++) {
		uint64_t ps = start + k->piece[i].mem_off, pe = ps + BOOT_PAGE_ALIGN(k->piece[i].memsz);
		if (!memmap_covers(&bp->map, ps, pe, MEM_MASK_RAM)) {
			const char *what = "no memory";
			for (size_t r = 0; r < bp->map.n; r++)
				if (bp->map.r[r].start < pe && ps < bp->map.r[r].end &&
				    !(MEM_MASK(bp->map.r[r].type) & MEM_MASK_RAM)) {
					what = mem_type_name(bp->map.r[r].type);
					break;
				}
			return rt_fail_uefi(RT_ENOEXEC, "boot",
					"%s: %s at [%#llx, %#llx) is not RAM the kernel may have (%s there)",
					bp->kernel_name, k->format, (unsigned long long)ps,
					(unsigned long long)pe, what);
		}
	}
	for (size_t i = 0; i < navoid; i++)
		if (avoid[i].start < end && start < avoid[i].end)
			return rt_fail_uefi(RT_EACCES, "boot",
					"%s: runs at [%#llx, %#llx), which overlaps [%#llx, %#llx) that must stay intact until the kernel runs",
					bp->kernel_name, (unsigned long long)start, (unsigned long long)end,
					(unsigned long long)avoid[i].start, (unsigned long long)avoid[i].end);
	*out = start;
	return RT_OK;
}

rt_status boot_place(struct boot_plan *bp, const struct purgatory_header *ph, uint64_t kmin,
		     uint64_t kernel_at)
{
	struct mem_span *avoid = bp->avoid;
	uint64_t base, initrd_min = MIB, initrd_max = bp->k->initrd_max;
	rt_status st;

	bp->params_size = bp->arch->params_size(bp);
	bp->kaslr_slots = 0;
	if (kernel_at) {
		base = kernel_at;
		st = RT_OK;
	} else if (bp->k->fixed) {
		st = place_fixed(bp, avoid, bp->navoid, &base);
	} else {
		uint64_t min = bp->k->min;
		if (kmin > min)
			min = kmin;
		st = place_draw(bp, bp->kernel_name, bp->k->load_offset + bp->k->memsz, bp->k->align, min,
				bp->k->max, bp->k->top_down, bp->kaslr_phys ? &bp->fw->kaslr_phys_seed : NULL, avoid,
				bp->navoid, &base);
	}
	if (st != RT_OK)
		return st;
	bp->kernel_base = base + bp->k->load_offset;
	avoid[bp->navoid++] = (struct mem_span){ base, bp->kernel_base + BOOT_PAGE_ALIGN(bp->k->memsz) };
	if (bp->k->initrd_window) {
		initrd_min = base & ~(bp->k->initrd_window_align - 1);
		initrd_max = initrd_min + bp->k->initrd_window;
	}
	if (bp->ninitrd) {
		st = place(bp, bp->initrd[0].name, bp->initrd_size, KIMAGE_PAGE_SIZE, initrd_min,
			   initrd_max, avoid, bp->navoid, &bp->initrd_mem);
		if (st != RT_OK)
			return st;
		avoid[bp->navoid++] = (struct mem_span){ bp->initrd_mem, bp->initrd_mem + BOOT_PAGE_ALIGN(bp->initrd_size) };
	}
	st = place(bp, "boot parameters", bp->params_size, KIMAGE_PAGE_SIZE, MIB, bp->k->params_max,
		   avoid, bp->navoid, &bp->params_mem);
	if (st != RT_OK)
		return st;
	avoid[bp->navoid++] = (struct mem_span){ bp->params_mem, bp->params_mem + BOOT_PAGE_ALIGN(bp->params_size) };
	/* a Multiboot2 payload is entered in 32-bit mode, from purgatory */
	st = place(bp, "purgatory", ph->memsz, KIMAGE_PAGE_SIZE, MIB,
		   bp->k->handoff == LD_HANDOFF_MULTIBOOT2 ? 1ull << 32 : 0, avoid, bp->navoid,
		   &bp->purgatory_mem);
	if (st != RT_OK)
		return st;
	bp->ebda = 0;
	/* the BIOS data only for the i386 entry: the EFI entry's payload
	 * finds ACPI through the firmware */
	if (bp->k->handoff == LD_HANDOFF_MULTIBOOT2 && !mb2_efi64(&bp->k->ho.mb2))
		choose_ebda(bp);
	bp->entry = bp->kernel_base + bp->k->entry_offset;
	bp->purgatory_entry = bp->purgatory_mem + ph->entry;
	bp->purgatory_params_off = ph->params;
	return RT_OK;
}

rt_status boot_plan_image(struct boot_plan *bp, const struct purgatory_header *ph,
			  const struct kimage_platform *plat)
{
	rt_status st;

	kimage_init(&bp->img, KIMAGE_NORMAL, plat, &bp->map);
	if ((st = boot_add_kernel_segments(bp)))
		return st;
	if (bp->ninitrd &&
	    (st = boot_add_segment(bp, bp->initrd_size, bp->initrd_mem, bp->initrd_size, &bp->seg_initrd)))
		return st;
	if ((st = boot_add_segment(bp, bp->params_size, bp->params_mem, bp->params_size, &bp->seg_params)))
		return st;
	if ((st = boot_add_segment(bp, ph->filesz, bp->purgatory_mem, ph->memsz, &bp->seg_purgatory)))
		return st;
	bp->seg_ebda = BOOT_NO_SEG;
	if (bp->ebda) {
		struct kimage_segment s = { NULL, 0, bp->ebda, KIMAGE_PAGE_SIZE, true };
		if ((st = kimage_add_segment(&bp->img, &s, &bp->seg_ebda)))
			return st;
	}
	st = kimage_plan(&bp->img, bp->arch->control_pages(bp));
	if (st != RT_OK)
		return rt_fail_uefi(st, "boot", "cannot plan the image: %s", rt_status_name(st));
	return RT_OK;
}

static const char *const role_names[] = {
	[BOOT_SEG_KERNEL] = "kernel", [BOOT_SEG_ROOM] = "room", [BOOT_SEG_INITRD] = "initrd",
	[BOOT_SEG_PARAMS] = "params", [BOOT_SEG_COREHDR] = "corehdr",
	[BOOT_SEG_PURGATORY] = "purgatory",
};

enum boot_role boot_segment_role(const struct boot_plan *bp, unsigned seg, char *src, size_t n)
{
	size_t len = 0;

	for (unsigned i = 0; i < bp->k->npieces; i++) {
		if (bp->seg_kernel[i] == seg) {
			rt_snprintf(src, n, "%s+%#llx", bp->k->src->name,
				    (unsigned long long)bp->k->piece[i].src_off);
			return BOOT_SEG_KERNEL;
		}
		if (bp->seg_scratch[i] == seg && seg != BOOT_NO_SEG) {
			rt_snprintf(src, n, "nothing (room the kernel needs past its file)");
			return BOOT_SEG_ROOM;
		}
	}
	if (seg == bp->seg_ebda) {
		rt_snprintf(src, n, "nothing (an EBDA purgatory makes: the RSDP for BIOS-style ACPI scans)");
		return BOOT_SEG_ROOM;
	}
	if (seg == bp->seg_initrd) {
		src[0] = 0;
		if (bp->cap)
			rt_snprintf(src, n, "the capture region");
		/* a UKI's /.extra archives as one part: "/.extra (credentials, sysext)" */
		for (unsigned i = 0; !bp->cap && i < bp->ninitrd && len < n; i++) {
			const char *name = bp->initrd[i].name;
			bool extra = !RT_FN(strncmp)(name, "/.extra/", 8);
			bool first = extra && (!i || RT_FN(strncmp)(bp->initrd[i - 1].name, "/.extra/", 8));
			bool last = extra && (i + 1 == bp->ninitrd || RT_FN(strncmp)(bp->initrd[i + 1].name, "/.extra/", 8));
			if (extra)
				len += rt_snprintf(src + len, n - len, "%s%s%s%s", first && i ? " + " : "",
						   first ? "/.extra (" : ", ", name + 8, last ? ")" : "");
			else
				len += rt_snprintf(src + len, n - len, "%s%s", i ? " + " : "", name);
		}
		return BOOT_SEG_INITRD;
	}
	if (seg == bp->seg_params) {
		rt_snprintf(src, n, "%s", bp->k->takes_dtb ? "efikexec (device tree, memory map)"
							   : "efikexec (boot parameters, command line, memory map)");
		return BOOT_SEG_PARAMS;
	}
	if (bp->cap && seg == bp->seg_corehdr) {
		rt_snprintf(src, n, "efikexec (ELF core header, written at the exit)");
		return BOOT_SEG_COREHDR;
	}
	rt_snprintf(src, n, "efikexec (built in)");
	return BOOT_SEG_PURGATORY;
}

/* One relocation of the kernel (boot/bzimage.h bzimage_relocate): a
 * place as its offset from the kernel's base, in the bytes of a piece. */
static rt_status patch_kernel(void *ctx, uint64_t off, unsigned width, uint64_t add)
{
	struct boot_plan *bp = ctx;

	for (unsigned i = 0; i < bp->k->npieces; i++) {
		const struct ld_piece *p = &bp->k->piece[i];
		if (bp->seg_kernel[i] != BOOT_NO_SEG && off >= p->mem_off && off - p->mem_off < p->filesz &&
		    p->filesz - (off - p->mem_off) >= width)
			return kimage_add_le(&bp->img, bp->seg_kernel[i], off - p->mem_off, width, add);
	}
	return rt_fail(RT_ENOEXEC, "boot", "%s: a relocation at %#llx from the kernel's base lies in none of its PT_LOADs' bytes",
		       bp->kernel_name, (unsigned long long)off);
}

rt_status boot_relocate_kernel(struct boot_plan *bp)
{
	const struct ld_kernel *k = bp->k;
	uint8_t *t = k->direct.reloc_len <= (size_t)-1 ? RT_FN(malloc)((size_t)k->direct.reloc_len) : NULL;
	size_t n = 0;
	rt_status rs;

	if (!t)
		return rt_fail(RT_ENOMEM, "boot", "%s: no memory for its relocation table of %llu bytes", bp->kernel_name,
			       (unsigned long long)k->direct.reloc_len);
	rs = k->src->read(k->src, k->direct.reloc_off, t, k->direct.reloc_len);
	if (rs == RT_OK)
		rs = bzimage_relocate(bp->kernel_name, t, (size_t)k->direct.reloc_len, k->direct.link, k->memsz,
				      bp->kaslr_offset, patch_kernel, bp, &n);
	RT_FN(free)(t);
	if (rs != RT_OK)
		return rs;
	for (unsigned i = 0; i < bp->k->npieces; i++)
		if (bp->seg_kernel[i] != BOOT_NO_SEG)
			bp->stream[bp->seg_kernel[i]].broken = true;
	rt_log(RT_LOG_INFO, "boot", "%s: %zu relocations applied for a virtual offset of %#llx", bp->kernel_name, n,
	       (unsigned long long)bp->kaslr_offset);
	return RT_OK;
}

void boot_print_plan(const struct boot_plan *bp)
{
	char src[512], how[48];
	uint64_t loaded = 0, copied;

	rt_log(RT_LOG_INFO, "plan", "image %s: %s", bp->kernel_name, bp->k->desc);
	if (bp->k->direct.on) {
		char phys[80] = "";
		if (bp->kaslr_phys && bp->kaslr_slots) /* drawn (not placed by the caller) */
			rt_snprintf(phys, sizeof(phys), "; physical address %#llx drawn among %llu places",
				    (unsigned long long)(bp->kernel_base - bp->k->load_offset),
				    (unsigned long long)bp->kaslr_slots);
		rt_log(RT_LOG_INFO, "plan", "entry: the vmlinux inside, %s; KASLR %s%s", bp->k->direct.why,
		       bp->kaslr_why, phys);
	}
	else if (bp->k->direct.why[0])
		rt_log(RT_LOG_INFO, "plan", "entry: the bzImage's 64-bit entry and its own decompressor: %s",
		       bp->k->direct.why);
	for (unsigned seg = 0; seg < bp->img.nr_segments; seg++) {
		const struct kimage_segment *s = &bp->img.segment[seg];
		const struct kimage_seg_plan *p = &bp->img.plan[seg];
		enum boot_role role = boot_segment_role(bp, seg, src, sizeof(src));

		if (s->scratch)
			rt_snprintf(how, sizeof(how), "kept free, not loaded");
		else if (p->in_place == p->npages)
			rt_snprintf(how, sizeof(how), "in place");
		else
			rt_snprintf(how, sizeof(how), "staged %llu of %llu pages",
				    (unsigned long long)(p->npages - p->in_place), (unsigned long long)p->npages);
		rt_log(RT_LOG_INFO, "plan", "segment %u %-9s [%#012llx, %#012llx) %10llu bytes, %s, from %s",
		       seg, role_names[role], (unsigned long long)s->mem,
		       (unsigned long long)(s->mem + s->memsz), (unsigned long long)s->bufsz, how, src);
	}
	/* each module where its payload finds it, with its command line */
	for (unsigned i = 0; bp->o && bp->o->modules && i < bp->ninitrd; i++) {
		const struct boot_initrd *r = &bp->initrd[i];
		rt_log(RT_LOG_INFO, "plan", "module %u [%#012llx, %#012llx) %10llu bytes, %s%s%s", i,
		       (unsigned long long)(bp->initrd_mem + r->off),
		       (unsigned long long)(bp->initrd_mem + r->off + r->len), (unsigned long long)r->len,
		       r->name, r->args && r->args[0] ? " " : "", r->args ? r->args : "");
	}
	for (unsigned i = 0; i < bp->img.nr_segments; i++)
		loaded += bp->img.segment[i].bufsz;
	copied = bp->img.pages_staged * KIMAGE_PAGE_SIZE;
	rt_log(RT_LOG_INFO, "plan", "entry %#llx via purgatory %#llx; %llu control pages at %#llx; %llu entries in %llu indirection pages",
	       (unsigned long long)bp->entry, (unsigned long long)bp->purgatory_entry,
	       (unsigned long long)bp->img.control_pages, (unsigned long long)bp->img.control_page,
	       (unsigned long long)bp->img.entries, (unsigned long long)bp->img.indirection_pages);
	rt_log(RT_LOG_INFO, "plan", "relocation copies %llu bytes for %llu bytes loaded (%llu.%03llu per byte)",
	       (unsigned long long)copied, (unsigned long long)loaded,
	       (unsigned long long)(copied / loaded),
	       (unsigned long long)(copied % loaded * 1000 / loaded));
}

void boot_inputs_release(struct boot_plan *bp)
{
	for (unsigned i = 0; i < bp->nextra; i++)
		RT_FN(free)(bp->extra[i].buf);
	bp->nextra = 0;
	for (int i = 0; i < 2; i++) {
		RT_FN(free)(bp->addon_cmdline[i]);
		bp->addon_cmdline[i] = NULL;
	}
	RT_FN(free)(bp->uki);
	bp->uki = NULL;
	RT_FN(free)(bp->cmdline);
	RT_FN(free)(bp->dtb_pool);
	bp->cmdline = NULL;
	bp->dtb_pool = NULL;
	bp->dtb = NULL;
}
