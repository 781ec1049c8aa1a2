/*
 * kexec.c - the engine every front end shares: load a kernel the kexec way
 * and enter it. efi/boot.c (a boot request) and efi/capture.c (arming,
 * and the capture boot after a crash) drive it; what crash capture adds at
 * its points - placement, just before and just after ExitBootServices - it
 * adds through bp->hooks, so the engine knows nothing of capture and the
 * two front ends nothing of each other.
 *
 *   inputs     the kernel through the loader table (boot/loader.h), the
 *              initrd parts, the command line, the device tree, then
 *              what only the architecture checks (arch_inputs)
 *   placement  a destination for each segment - kernel, initrd, hand-off
 *              data, purgatory - from the memory map model, free memory
 *              first (loaded in place, never copied), bottom-up
 *   plan       lib/kimage: claim, stage, control pages, entry list
 *   load       files read straight into their spans (destination or
 *              staging page), tails zeroed, digests taken
 *   exit       final memory map, ExitBootServices (retried as the spec
 *              says), hand-off data completed from that map, purgatory's
 *              parameters written, arch_enter: never returns
 * Until the exit every failure releases what was taken and returns an EFI
 * status, so the shell or boot manager that started efikexec goes on.
 */
#include "kexec.h"
#include "../arch/arch.h"
#include "../boot/stream.h"

#define MIB (1ull << 20)
#define PAGE_ALIGN(x) (((x) + KIMAGE_PAGE_SIZE - 1) & KIMAGE_PAGE_MASK)
/* The initramfs unpacker looks for each archive's header at a 4-byte
 * aligned offset and skips zero bytes between archives (the kernel's
 * init/initramfs.c, unpack_to_rootfs: "this_header & 3"). */
#define INITRD_ALIGN 4

_Static_assert(OPT_MAX_INITRDS == BOOT_MAX_INITRD_FILES, "the plan has room for every --initrd");

static struct boot_plan plan;
static struct ld_ctx plan_ld;
struct fw_facts efi_facts;

struct boot_plan *kexec_plan(void)
{
	RT_FN(memset)(&plan, 0, sizeof(plan));
	plan.ld = &plan_ld;
	plan.fw = &efi_facts;
	return &plan;
}
void kexec_release(struct boot_plan *bp)
{
	arch_release(bp);
	if (bp->ld)
		ld_ctx_close(bp->ld);
	efi_file_close(&bp->kernel);
	for (unsigned i = 0; i < bp->ninitrd_file; i++)
		efi_file_close(&bp->initrd_file[i]);
	if (bp->img.plat)
		kimage_release(&bp->img);
	if (bp->cmdline)
		efi_bs->FreePool(bp->cmdline);
	if (bp->params_shadow)
		efi_bs->FreePool(bp->params_shadow);
	if (bp->mm.buf)
		efi_bs->FreePool(bp->mm.buf);
	if (bp->dtb_pool)
		efi_bs->FreePool(bp->dtb_pool);
	bp->dtb_pool = NULL;
	bp->dtb = NULL;
	bp->cmdline = NULL;
	bp->params_shadow = NULL;
	bp->mm.buf = NULL;
}

static void *pool_alloc(size_t n)
{
	void *p = NULL;

	return efi_bs->AllocatePool(EfiLoaderData, n, &p) == EFI_SUCCESS ? p : NULL;
}

/* Adds an initrd part; all of them joined, each at a 4-byte boundary. */
static EFI_STATUS add_initrd(struct boot_plan *bp, struct ld_src *src, uint64_t off, uint64_t len,
			     const char *name)
{
	uint64_t at = (bp->initrd_size + INITRD_ALIGN - 1) & ~(uint64_t)(INITRD_ALIGN - 1);

	if (bp->ninitrd == BOOT_MAX_INITRDS)
		return efi_fail(EFI_INVALID_PARAMETER, "boot", "%s: more than %u initrd parts", name,
				BOOT_MAX_INITRDS);
	bp->initrd[bp->ninitrd++] = (struct boot_initrd){ src, off, len, at, name };
	bp->initrd_size = at + len;
	return EFI_SUCCESS;
}

/* The device tree to start from (arm64): --dtb, else a UKI's .dtb, else
 * the firmware's; an x86 kernel ignores it (arch_inputs says so). */
static EFI_STATUS choose_dtb(struct boot_plan *bp)
{
	const struct ld_blob *b = &bp->k->dtb;
	EFI_STATUS st;

	if (bp->o->dtb) {
		struct efi_file f;
		st = efi_file_open(bp->o->dtb, &f);
		if (EFI_ERROR(st))
			return st;
		if (f.size > (2u << 20)) {
			efi_file_close(&f);
			return efi_fail(EFI_BAD_BUFFER_SIZE, "dtb", "%s: %llu bytes, more than the kernel's limit of 2 MiB",
					f.path, (unsigned long long)f.size);
		}
		bp->dtb_pool = pool_alloc((size_t)f.size + 1);
		st = bp->dtb_pool ? efi_file_read(&f, 0, bp->dtb_pool, f.size) : EFI_OUT_OF_RESOURCES;
		efi_file_close(&f);
		if (EFI_ERROR(st))
			return efi_fail(st, "dtb", "%s: cannot read it", bp->o->dtb);
		bp->dtb = bp->dtb_pool;
		bp->dtb_size = (size_t)f.size;
		rt_snprintf(bp->dtb_name, sizeof(bp->dtb_name), "%s", f.path);
	} else if (b->len && bp->k->takes_dtb) {
		rt_status rs;
		if (b->len > (2u << 20))
			return efi_fail(EFI_BAD_BUFFER_SIZE, "dtb", "%s: %s of %llu bytes, more than the kernel's limit of 2 MiB",
					b->src->name, b->what, (unsigned long long)b->len);
		bp->dtb_pool = pool_alloc((size_t)b->len + 1);
		if (!bp->dtb_pool)
			return efi_fail(EFI_OUT_OF_RESOURCES, "dtb", "no pool for %llu bytes", (unsigned long long)b->len);
		rs = b->src->read(b->src, b->off, bp->dtb_pool, b->len);
		if (rs != RT_OK)
			return efi_status_from_rt(rs);
		bp->dtb = bp->dtb_pool;
		bp->dtb_size = (size_t)b->len;
		rt_snprintf(bp->dtb_name, sizeof(bp->dtb_name), "%s %s", b->src->name, b->what);
	} else if (bp->k->takes_dtb && bp->fw->fdt) {
		bp->dtb = bp->fw->fdt;
		bp->dtb_size = 0;
		rt_snprintf(bp->dtb_name, sizeof(bp->dtb_name), "the firmware's device tree");
	}
	return EFI_SUCCESS;
}

EFI_STATUS kexec_open_inputs(struct boot_plan *bp)
{
	const struct efikexec_opts *o = bp->o;
	struct ld_src file;
	EFI_STATUS st;
	rt_status rs;
	size_t len;

	if (!bp->fw)
		bp->fw = &efi_facts;
	st = efi_file_open(o->kernel, &bp->kernel);
	if (EFI_ERROR(st))
		return st;
	bp->kernel_name = bp->kernel.path;
	efi_file_src(&bp->kernel, &file);
	bp->ld->machine = arch_machine();
	rs = ld_load(bp->ld, &file);
	if (rs != RT_OK)
		return efi_status_from_rt(rs);
	bp->k = &bp->ld->k;
	rt_log(RT_LOG_INFO, "image", "%s: %s", bp->kernel_name, bp->k->desc);

	/* initrds: what the image carries first (a UKI's .ucode, .initrd, as
	 * systemd's stub orders them), then the user's */
	for (unsigned i = 0; i < bp->k->ninitrd; i++) {
		const struct ld_blob *b = &bp->k->initrd[i];
		st = add_initrd(bp, b->src, b->off, b->len, b->what);
		if (EFI_ERROR(st))
			return st;
	}
	for (unsigned i = 0; i < o->ninitrd; i++) {
		st = efi_file_open(o->initrd[i], &bp->initrd_file[i]);
		if (EFI_ERROR(st))
			return st;
		bp->ninitrd_file = i + 1;
		efi_file_src(&bp->initrd_file[i], &bp->initrd_src[i]);
		st = add_initrd(bp, &bp->initrd_src[i], 0, bp->initrd_file[i].size, bp->initrd_file[i].path);
		if (EFI_ERROR(st))
			return st;
	}

	/* the command line: the user's, else the image's own (a UKI's .cmdline) */
	len = options_kernel_cmdline(o, NULL, 0);
	if (!len && bp->k->has_cmdline)
		len = RT_FN(strlen)(bp->k->cmdline);
	if (len > bp->k->cmdline_max)
		return efi_fail(EFI_INVALID_PARAMETER, "boot",
				"%s: command line of %zu bytes is longer than the kernel accepts (cmdline_size %llu)",
				bp->kernel_name, len, (unsigned long long)bp->k->cmdline_max);
	st = efi_bs->AllocatePool(EfiLoaderData, len + 1, (void **)&bp->cmdline);
	if (EFI_ERROR(st))
		return efi_fail(st, "boot", "no pool for a command line of %zu bytes", len);
	if (options_kernel_cmdline(o, NULL, 0) || !bp->k->has_cmdline)
		bp->cmdline_len = options_kernel_cmdline(o, bp->cmdline, len + 1);
	else
		bp->cmdline_len = (size_t)rt_snprintf(bp->cmdline, len + 1, "%s", bp->k->cmdline);
	rt_log(RT_LOG_DEBUG, "boot", "command line (%zu bytes%s): %s", bp->cmdline_len,
	       options_kernel_cmdline(o, NULL, 0) || !bp->k->has_cmdline ? "" : ", the image's .cmdline",
	       bp->cmdline);

	st = choose_dtb(bp);
	if (EFI_ERROR(st))
		return st;
	rs = arch_inputs(bp);
	return rs == RT_OK ? EFI_SUCCESS : efi_status_from_rt(rs);
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
 * else any RAM (staged, copied after the exit), lowest address first.
 */
static EFI_STATUS place(struct boot_plan *bp, const char *what, uint64_t size, uint64_t align,
			uint64_t min, uint64_t max, const struct mem_span *avoid, size_t navoid,
			uint64_t *out)
{
	const struct efikexec_opts *o = bp->o;
	struct hole_req req = {
		.size = PAGE_ALIGN(size), .align = align < KIMAGE_PAGE_SIZE ? KIMAGE_PAGE_SIZE : align,
		.min = min, .max = max, .mask = MEM_MASK(MEM_FREE), .avoid = avoid, .navoid = navoid,
	};

	if (req.min < o->mem_min)
		req.min = o->mem_min;
	if (o->mem_max && (!req.max || req.max > o->mem_max))
		req.max = o->mem_max;
	if (memmap_find_hole(&bp->map, &req, out) == RT_OK)
		return EFI_SUCCESS;
	req.mask = MEM_MASK_RAM;
	if (memmap_find_hole(&bp->map, &req, out) == RT_OK)
		return EFI_SUCCESS;
	return efi_fail(EFI_OUT_OF_RESOURCES, "boot",
			"%s: no room for %llu bytes (%llu MiB, alignment %#llx) in RAM within [%#llx, %#llx); the largest free range is %llu MiB",
			what, (unsigned long long)size, (unsigned long long)(size >> 20),
			(unsigned long long)req.align, (unsigned long long)req.min,
			(unsigned long long)(req.max ? req.max : ~0ull),
			(unsigned long long)(free_largest(&bp->map) >> 20));
}

static EFI_STATUS add_segment(struct boot_plan *bp, const void *buf, uint64_t bufsz, uint64_t mem,
			      uint64_t memsz, unsigned *index)
{
	struct kimage_segment s = { buf, (size_t)bufsz, mem, PAGE_ALIGN(memsz), false };
	rt_status rs = kimage_add_segment(&bp->img, &s, index);

	return rs == RT_OK ? EFI_SUCCESS : efi_status_from_rt(rs);
}

/* The kernel's pieces (boot/loader.h): each one's bytes a segment, its
 * zero tail part of it; the room past a `room` piece's bytes a scratch
 * segment: kept free, never copied or checked. */
static EFI_STATUS add_kernel_segments(struct boot_plan *bp)
{
	const struct ld_kernel *k = bp->k;
	EFI_STATUS st = EFI_SUCCESS;

	bp->seg_initrd = BOOT_NO_SEG;
	for (unsigned i = 0; i < k->npieces && !EFI_ERROR(st); i++) {
		const struct ld_piece *p = &k->piece[i];
		uint64_t mem = bp->kernel_base + p->mem_off;
		uint64_t data = p->room ? PAGE_ALIGN(p->filesz) : PAGE_ALIGN(p->memsz);

		bp->seg_kernel[i] = bp->seg_scratch[i] = BOOT_NO_SEG;
		if (data)
			st = add_segment(bp, NULL, p->filesz, mem, data, &bp->seg_kernel[i]);
		if (!EFI_ERROR(st) && p->room && PAGE_ALIGN(p->memsz) > data) {
			struct kimage_segment s = { NULL, 0, mem + data, PAGE_ALIGN(p->memsz) - data, true };
			rt_status rs = kimage_add_segment(&bp->img, &s, &bp->seg_scratch[i]);
			if (rs != RT_OK)
				st = efi_status_from_rt(rs);
		}
	}
	return st;
}

/* The map to plan on, and room for the final one: that grows with every
 * allocation from here on (claims, staging runs, pool), so twice the
 * current size and more. */
static EFI_STATUS read_plan_map(struct boot_plan *bp)
{
	struct efi_memmap em;
	EFI_STATUS st = efi_get_memmap(&em);

	if (EFI_ERROR(st))
		return st;
	st = efi_memmap_to_model(&em, &bp->map);
	bp->mm_room = em.size * 2 + 256 * em.desc_size;
	bp->mm.desc_size = em.desc_size;
	efi_put_memmap(&em);
	return st;
}

static const struct purgatory_header *purgatory_hdr(void)
{
	return (const struct purgatory_header *)purgatory_blob;
}

EFI_STATUS kexec_check_purgatory(void)
{
	const struct purgatory_header *h = purgatory_hdr();
	uint64_t size = (uint64_t)(purgatory_blob_end - purgatory_blob);

	if (size < sizeof(*h) || h->magic != PURGATORY_MAGIC || h->filesz != size ||
	    h->memsz < h->filesz || h->entry >= h->filesz ||
	    h->params + sizeof(struct purgatory_params) > h->filesz)
		return efi_fail(EFI_LOAD_ERROR, "boot", "the built-in purgatory blob is malformed");
	return EFI_SUCCESS;
}

/* A kernel that runs where it was linked (an ELF vmlinux's p_paddr): its
 * range must be RAM - free, or busy only until the exit (staged then) -
 * and clear of what must stay intact. */
static EFI_STATUS place_fixed(struct boot_plan *bp, const struct mem_span *avoid, size_t navoid,
			      uint64_t *out)
{
	const struct ld_kernel *k = bp->k;
	uint64_t start = k->min, end = k->min + PAGE_ALIGN(k->memsz);

	if ((bp->o->mem_min && start < bp->o->mem_min) || (bp->o->mem_max && end > bp->o->mem_max))
		return efi_fail(EFI_INVALID_PARAMETER, "boot",
				"%s: runs at [%#llx, %#llx), its link address, outside --mem-min/--mem-max [%#llx, %#llx)",
				bp->kernel_name, (unsigned long long)start, (unsigned long long)end,
				(unsigned long long)bp->o->mem_min,
				(unsigned long long)(bp->o->mem_max ? bp->o->mem_max : ~0ull));
	for (unsigned i = 0; i < k->npieces; i++) {
		uint64_t ps = start + k->piece[i].mem_off, pe = ps + PAGE_ALIGN(k->piece[i].memsz);
		if (!memmap_covers(&bp->map, ps, pe, MEM_MASK_RAM)) {
			const char *what = "no memory";
			for (size_t r = 0; r < bp->map.n; r++)
				if (bp->map.r[r].start < pe && ps < bp->map.r[r].end &&
				    !(MEM_MASK(bp->map.r[r].type) & MEM_MASK_RAM)) {
					what = mem_type_name(bp->map.r[r].type);
					break;
				}
			return efi_fail(EFI_LOAD_ERROR, "boot",
					"%s: %s at [%#llx, %#llx) is not RAM the kernel may have (%s there)",
					bp->kernel_name, k->format, (unsigned long long)ps,
					(unsigned long long)pe, what);
		}
	}
	for (size_t i = 0; i < navoid; i++)
		if (avoid[i].start < end && start < avoid[i].end)
			return efi_fail(EFI_ACCESS_DENIED, "boot",
					"%s: runs at [%#llx, %#llx), which overlaps [%#llx, %#llx) that must stay intact until the kernel runs",
					bp->kernel_name, (unsigned long long)start, (unsigned long long)end,
					(unsigned long long)avoid[i].start, (unsigned long long)avoid[i].end);
	*out = start;
	return EFI_SUCCESS;
}

EFI_STATUS kexec_place(struct boot_plan *bp)
{
	const struct purgatory_header *ph = purgatory_hdr();
	struct mem_span *avoid = bp->avoid;
	uint64_t base, kmin = 0, initrd_min = MIB, initrd_max = bp->k->initrd_max;
	EFI_STATUS st;

	st = read_plan_map(bp);
	if (EFI_ERROR(st))
		return st;
	bp->params_size = arch_params_size(bp);
	bp->navoid = arch_avoid(bp, avoid, BOOT_MAX_AVOID);
	if (bp->navoid > BOOT_MAX_AVOID)
		return efi_fail(EFI_OUT_OF_RESOURCES, "boot",
				"%zu ranges to keep clear of, more than the %u efikexec handles",
				bp->navoid, BOOT_MAX_AVOID);

	if (bp->hooks && bp->hooks->avoid)
		bp->navoid += bp->hooks->avoid(bp, avoid + bp->navoid, 4, &kmin);
	if (bp->k->fixed) {
		st = place_fixed(bp, avoid, bp->navoid, &base);
	} else {
		uint64_t min = bp->k->min;
		if (kmin > min)
			min = kmin;
		st = place(bp, bp->kernel_name, bp->k->load_offset + bp->k->memsz, bp->k->align, min,
			   bp->k->max, avoid, bp->navoid, &base);
	}
	if (EFI_ERROR(st))
		return st;
	bp->kernel_base = base + bp->k->load_offset;
	avoid[bp->navoid++] = (struct mem_span){ base, bp->kernel_base + PAGE_ALIGN(bp->k->memsz) };
	if (bp->k->initrd_window) {
		initrd_min = base & ~(bp->k->initrd_window_align - 1);
		initrd_max = initrd_min + bp->k->initrd_window;
	}
	if (bp->ninitrd) {
		st = place(bp, bp->initrd[0].name, bp->initrd_size, KIMAGE_PAGE_SIZE, initrd_min,
			   initrd_max, avoid, bp->navoid, &bp->initrd_mem);
		if (EFI_ERROR(st))
			return st;
		avoid[bp->navoid++] = (struct mem_span){ bp->initrd_mem, bp->initrd_mem + PAGE_ALIGN(bp->initrd_size) };
	}
	st = place(bp, "boot parameters", bp->params_size, KIMAGE_PAGE_SIZE, MIB, bp->k->params_max,
		   avoid, bp->navoid, &bp->params_mem);
	if (EFI_ERROR(st))
		return st;
	avoid[bp->navoid++] = (struct mem_span){ bp->params_mem, bp->params_mem + PAGE_ALIGN(bp->params_size) };
	st = place(bp, "purgatory", ph->memsz, KIMAGE_PAGE_SIZE, MIB, 0, avoid, bp->navoid,
		   &bp->purgatory_mem);
	if (EFI_ERROR(st))
		return st;
	if (bp->o->test_occupy) {
		/* Test builds: occupy every destination, as firmware data there
		 * would, so the planner must stage all of it and the trampoline
		 * copy it. The pages stay taken; they are the kernel's RAM later. */
		uint64_t at[4] = { bp->kernel_base, bp->initrd_mem, bp->params_mem, bp->purgatory_mem };
		uint64_t len[4] = { bp->k->memsz, bp->ninitrd ? bp->initrd_size : 0, bp->params_size,
				    ph->memsz };
		for (int i = 0; i < 4; i++) {
			EFI_PHYSICAL_ADDRESS a = at[i];
			if (len[i] && efi_bs->AllocatePages(AllocateAddress, EfiBootServicesData,
							    PAGE_ALIGN(len[i]) / KIMAGE_PAGE_SIZE, &a))
				return efi_fail(EFI_OUT_OF_RESOURCES, "test", "cannot occupy %#llx",
						(unsigned long long)at[i]);
		}
		st = efi_memmap_now(&bp->map);
		if (EFI_ERROR(st))
			return st;
	}
	bp->entry = bp->kernel_base + bp->k->entry_offset;
	bp->purgatory_entry = bp->purgatory_mem + ph->entry;
	bp->purgatory_params_off = ph->params;

	kimage_init(&bp->img, KIMAGE_NORMAL, &efi_platform, &bp->map);
	if ((st = add_kernel_segments(bp)))
		return st;
	if (bp->ninitrd &&
	    (st = add_segment(bp, NULL, bp->initrd_size, bp->initrd_mem, bp->initrd_size, &bp->seg_initrd)))
		return st;
	if ((st = add_segment(bp, NULL, bp->params_size, bp->params_mem, bp->params_size, &bp->seg_params)))
		return st;
	if ((st = add_segment(bp, NULL, ph->filesz, bp->purgatory_mem, ph->memsz, &bp->seg_purgatory)))
		return st;
	{
		rt_status rs = kimage_plan(&bp->img, arch_control_pages(bp));
		if (rs != RT_OK)
			return efi_fail(efi_status_from_rt(rs), "boot",
					"cannot plan the image: %s", rt_status_name(rs));
	}
	return EFI_SUCCESS;
}

static void print_segment(struct boot_plan *bp, unsigned seg, const char *what, const char *source)
{
	const struct kimage_segment *s = &bp->img.segment[seg];
	const struct kimage_seg_plan *p = &bp->img.plan[seg];
	char how[48];

	if (s->scratch)
		rt_snprintf(how, sizeof(how), "kept free, not loaded");
	else if (p->in_place == p->npages)
		rt_snprintf(how, sizeof(how), "in place");
	else
		rt_snprintf(how, sizeof(how), "staged %llu of %llu pages",
			    (unsigned long long)(p->npages - p->in_place), (unsigned long long)p->npages);
	rt_log(RT_LOG_INFO, "plan", "segment %u %-9s [%#012llx, %#012llx) %10llu bytes, %s, from %s",
	       seg, what, (unsigned long long)s->mem, (unsigned long long)(s->mem + s->memsz),
	       (unsigned long long)s->bufsz, how, source);
}

void kexec_print_plan(struct boot_plan *bp)
{
	char src[160];
	size_t len = 0;
	uint64_t loaded = 0, copied;

	rt_log(RT_LOG_INFO, "plan", "image %s: %s", bp->kernel_name, bp->k->desc);
	for (unsigned i = 0; i < bp->k->npieces; i++) {
		rt_snprintf(src, sizeof(src), "%s+%#llx", bp->k->src->name,
			    (unsigned long long)bp->k->piece[i].src_off);
		if (bp->seg_kernel[i] != BOOT_NO_SEG)
			print_segment(bp, bp->seg_kernel[i], "kernel", src);
		if (bp->seg_scratch[i] != BOOT_NO_SEG)
			print_segment(bp, bp->seg_scratch[i], "room", "nothing (room the kernel needs past its file)");
	}
	if (bp->seg_initrd != BOOT_NO_SEG) {
		src[0] = 0;
		for (unsigned i = 0; i < bp->ninitrd && len < sizeof(src); i++)
			len += rt_snprintf(src + len, sizeof(src) - len, "%s%s", i ? " + " : "",
					   bp->initrd[i].name);
		print_segment(bp, bp->seg_initrd, "initrd", bp->cap ? "the capture region" : src);
	}
	print_segment(bp, bp->seg_params, "params",
		      bp->k->takes_dtb ? "efikexec (device tree, memory map)"
				       : "efikexec (boot parameters, command line, memory map)");
	if (bp->cap)
		print_segment(bp, bp->seg_corehdr, "corehdr", "efikexec (ELF core header, written at the exit)");
	print_segment(bp, bp->seg_purgatory, "purgatory", "efikexec (built in)");
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

/* Reads `len` bytes of source `src` from `soff` into segment `seg` at
 * `off`, span by span: straight into the destination when it is in place. */
static EFI_STATUS read_into(struct boot_plan *bp, unsigned seg, uint64_t off, struct ld_src *src,
			    uint64_t soff, uint64_t len)
{
	while (len) {
		void *p;
		uint64_t n;
		rt_status rs = kimage_span(&bp->img, seg, off, &p, &n);

		if (rs == RT_OK) {
			if (n > len)
				n = len;
			rs = src->read(src, soff, p, n);
		}
		if (rs != RT_OK)
			return efi_status_from_rt(rs);
		off += n;
		soff += n;
		len -= n;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS load_segments(struct boot_plan *bp)
{
	const struct purgatory_header *ph = purgatory_hdr();
	static const uint8_t zeros[INITRD_ALIGN];
	EFI_STATUS st;

	/* Past a room piece's file the kernel needs room, not zeros: its
	 * decompressor clears its own bss and builds its own tables there (x86
	 * boot/compressed/head_64.S; the EFI stub does not clear it either).
	 * Only the rest of the last page is zeroed, so the checked bytes are
	 * the file's, page-aligned. An ELF's bss is zeroed whole. */
	for (unsigned i = 0; i < bp->k->npieces; i++) {
		const struct ld_piece *p = &bp->k->piece[i];
		if (bp->seg_kernel[i] == BOOT_NO_SEG)
			continue;
		st = read_into(bp, bp->seg_kernel[i], 0, bp->k->src, p->src_off, p->filesz);
		if (EFI_ERROR(st))
			return st;
		kimage_zero(&bp->img, bp->seg_kernel[i], p->filesz);
	}
	for (unsigned i = 0; i < bp->ninitrd; i++) {
		const struct boot_initrd *r = &bp->initrd[i];
		uint64_t end = r->off + r->len;
		uint64_t next = i + 1 < bp->ninitrd ? bp->initrd[i + 1].off : end;
		st = read_into(bp, bp->seg_initrd, r->off, r->src, r->src_off, r->len);
		if (EFI_ERROR(st))
			return st;
		if (next > end)
			kimage_write(&bp->img, bp->seg_initrd, end, zeros, next - end);
	}
	if (bp->seg_initrd != BOOT_NO_SEG)
		kimage_zero(&bp->img, bp->seg_initrd, bp->initrd_size);
	kimage_write(&bp->img, bp->seg_purgatory, 0, purgatory_blob, ph->filesz);
	kimage_zero(&bp->img, bp->seg_purgatory, ph->filesz);
	return EFI_SUCCESS;
}

/* A region purgatory checks: all of segment `seg`, digested where its
 * bytes lie now (destination or staging pages) - or, capturing, the digest
 * the arming took of exactly that range (checked already: not hashed twice). */
static void add_region(struct boot_plan *bp, unsigned seg)
{
	struct purgatory_region *r = &bp->pparams.region[bp->pparams.nr_regions++];

	r->mem = bp->img.segment[seg].mem;
	r->len = bp->img.segment[seg].memsz;
	if (!(bp->pparams.flags & PURGATORY_F_VERIFY))
		return;
	for (int i = 0; bp->cap && i < CAPTURE_D_COUNT; i++)
		if (bp->cap->digest[i].len && bp->cap->digest[i].mem == r->mem &&
		    bp->cap->digest[i].len == r->len) {
			RT_FN(memcpy)(r->sha256, bp->cap->digest[i].sha256, sizeof(r->sha256));
			return;
		}
	kimage_digest(&bp->img, seg, r->sha256);
}

/* After ExitBootServices: log lines go to the serial port, nowhere else. */
static void exit_sink(enum rt_log_level level, const char *subsys, const char *line)
{
	arch_serial_write("efikexec: ");
	arch_serial_write(rt_log_level_name(level));
	arch_serial_write(": ");
	arch_serial_write(subsys);
	arch_serial_write(": ");
	arch_serial_write(line);
	arch_serial_write("\r\n");
}

__attribute__((noreturn)) static void die(const char *why)
{
	rt_log(RT_LOG_ERR, "boot", "%s; halting (boot services are gone)", why);
	arch_halt();
}

/* The first bytes of segment `seg` that are staged (else in place). */
static void test_corrupt(struct boot_plan *bp, unsigned region)
{
	unsigned seg = BOOT_NO_SEG;
	const struct kimage_seg_plan *p;
	uint64_t off = 0;
	uint8_t *ptr;
	uint64_t n;

	for (unsigned i = 0; i < bp->img.nr_segments; i++)
		if (region < bp->pparams.nr_regions && bp->img.segment[i].mem == bp->pparams.region[region].mem)
			seg = i;
	if (seg == BOOT_NO_SEG)
		die("test: --test-corrupt names no checked segment");
	p = &bp->img.plan[seg];
	for (uint64_t i = 0; i < p->npages; i++)
		if ((p->stage[i] & KIMAGE_PAGE_MASK) != bp->img.segment[seg].mem + i * KIMAGE_PAGE_SIZE) {
			off = i * KIMAGE_PAGE_SIZE + 123;
			break;
		}
	if (kimage_span(&bp->img, seg, off, (void **)&ptr, &n) != RT_OK)
		die("test: no span to corrupt");
	*ptr ^= 0x40;
	rt_log(RT_LOG_WARN, "test", "flipped one bit at offset %#llx of segment %u (checked as %u), %s",
	       (unsigned long long)off, seg, region, off ? "staged" : "in place");
}

/*
 * Leaves boot services: UEFI 2.10 7.4.6 - when the map key is stale, get the
 * map again and retry; nothing but memory allocation services may be called
 * in between. Returns (firmware intact) only if the very first
 * GetMemoryMap fails; any later failure reports on the serial port and halts.
 */
static EFI_STATUS exit_boot_services(struct boot_plan *bp)
{
	EFI_STATUS st;
	int tries = 0;

	for (;;) {
		bp->mm.size = bp->mm_room;
		st = efi_bs->GetMemoryMap(&bp->mm.size, bp->mm.buf, &bp->mm.key, &bp->mm.desc_size,
					  &bp->mm.desc_version);
		if (EFI_ERROR(st)) {
			if (!tries)
				return efi_fail(st, "boot", "GetMemoryMap into %llu bytes",
						(unsigned long long)bp->mm_room);
			break;
		}
		st = efi_bs->ExitBootServices(efi_image, bp->mm.key);
		if (st != EFI_INVALID_PARAMETER || ++tries == 4)
			break;
	}
	rt_log_set_sink(exit_sink);
	efi_bs = NULL;
	if (EFI_ERROR(st)) {
		rt_log(RT_LOG_ERR, "boot", "ExitBootServices: %s", efi_status_name(st));
		die("cannot leave boot services");
	}
	return EFI_SUCCESS;
}

/* ---------------------------- point of no return ----------------------------
 * After the exit: complete and write what depends on the final map, then
 * relocate and enter. Nothing below returns; a failure is said on the
 * serial port and the CPU halts (die()). */
__attribute__((noreturn)) static void finish_and_enter(struct boot_plan *bp)
{
	if (bp->hooks && bp->hooks->after_exit && bp->hooks->after_exit(bp) != RT_OK)
		die("cannot complete the final memory map");
	if (efi_memmap_to_model(&bp->mm, &bp->final_map) != EFI_SUCCESS)
		die("cannot read the final memory map");
	if (bp->hooks && bp->hooks->final_map && bp->hooks->final_map(bp) != RT_OK)
		die("cannot complete what the kernel gets from the final memory map");
	if (bp->cap)
		add_region(bp, bp->seg_corehdr);
	if (arch_finish(bp) != RT_OK)
		die("cannot complete the boot parameters");
	if (kimage_write(&bp->img, bp->seg_params, 0, bp->params_shadow, bp->params_size) != RT_OK)
		die("cannot write the boot parameters");
	add_region(bp, bp->seg_params);
	if (bp->o->test_corrupt >= 0)
		test_corrupt(bp, (unsigned)bp->o->test_corrupt);
	if (kimage_write(&bp->img, bp->seg_purgatory, bp->purgatory_params_off, &bp->pparams,
			 sizeof(bp->pparams)) != RT_OK)
		die("cannot write purgatory's parameters");
	arch_enter(bp);
}

/* Loads what is still to load, leaves boot services and enters purgatory;
 * returns only on a failure before the exit, everything released. */
EFI_STATUS kexec_load_and_enter(struct boot_plan *bp)
{
	const struct efikexec_opts *o = bp->o;
	EFI_STATUS st;

	st = efi_bs->AllocatePool(EfiLoaderData, bp->params_size, (void **)&bp->params_shadow);
	if (!EFI_ERROR(st)) {
		RT_FN(memset)(bp->params_shadow, 0, bp->params_size);
		st = efi_bs->AllocatePool(EfiLoaderData, bp->mm_room, (void **)&bp->mm.buf);
	}
	if (EFI_ERROR(st))
		return efi_fail(st, "boot", "no pool for the boot parameters");
	if (!bp->cap)
		st = load_segments(bp); /* a capture kernel lies in its region already */
	if (!EFI_ERROR(st))
		st = arch_prepare(bp);
	if (EFI_ERROR(st))
		return st;
	bp->pparams.magic = PURGATORY_MAGIC;
	bp->pparams.entry = bp->entry;
	bp->pparams.arg0 = bp->params_mem;
	bp->pparams.uart = arch_uart(bp);
	bp->pparams.flags = (o->no_verify ? 0 : PURGATORY_F_VERIFY) | (o->verbose ? PURGATORY_F_VERBOSE : 0);
	for (unsigned i = 0; i < bp->k->npieces; i++)
		if (bp->seg_kernel[i] != BOOT_NO_SEG)
			add_region(bp, bp->seg_kernel[i]);
	if (bp->seg_initrd != BOOT_NO_SEG)
		add_region(bp, bp->seg_initrd);

	/* The map must fit where the hand-off data has room for it. */
	{
		UINTN size = 0, key, dsize;
		UINT32 dver;
		efi_bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
		if (size + 8 * dsize > bp->mm_room)
			return efi_fail(EFI_BUFFER_TOO_SMALL, "boot",
					"the memory map grew to %llu bytes, more than the %llu reserved for it",
					(unsigned long long)size, (unsigned long long)bp->mm_room);
	}
	if (bp->hooks && bp->hooks->before_exit) {
		st = bp->hooks->before_exit(bp);
		if (EFI_ERROR(st))
			return st;
	}
	rt_log(RT_LOG_INFO, "boot", "entering %s", bp->kernel_name);
	if (bp->ld)
		ld_ctx_close(bp->ld);
	efi_file_close(&bp->kernel);
	for (unsigned i = 0; i < bp->ninitrd_file; i++)
		efi_file_close(&bp->initrd_file[i]);
	/* The image's bookkeeping stays: it is read until the jump, and is
	 * the kernel's free memory after it. */
	st = exit_boot_services(bp);
	if (EFI_ERROR(st))
		return st;
	finish_and_enter(bp);
}

/* The capture kernel's header kept in its descriptor, zeros past it: the
 * kernel itself lies in the region, and a capture kernel is a bzImage or
 * an arm64 Image, whose loaders read only their header (capture_arm). */
static rt_status head_read(struct ld_src *s, uint64_t off, void *buf, uint64_t len)
{
	uint64_t n = off < CAPTURE_HEAD_SIZE ? CAPTURE_HEAD_SIZE - off : 0;

	if (n > len)
		n = len;
	RT_FN(memset)(buf, 0, (size_t)len);
	if (n)
		RT_FN(memcpy)(buf, (const uint8_t *)s->ctx + off, (size_t)n);
	return RT_OK;
}

EFI_STATUS kexec_capture(const struct efikexec_opts *o, const struct capture_desc *d,
			  const struct kexec_hooks *hooks)
{
	struct boot_plan *bp;
	const struct purgatory_header *ph = (const void *)(uintptr_t)d->purgatory_mem;
	uint64_t work_end = d->work_mem + CAPTURE_WORK_SIZE;
	EFI_STATUS st;
	size_t len;

	struct ld_src head;
	rt_status rs;

	bp = kexec_plan();
	bp->o = o;
	bp->hooks = hooks;
	bp->cap = d;
	bp->cap_base = d->base;
	bp->cap_end = d->end;
	/* the kernel lies in the region already: its header, kept in the
	 * descriptor at arming, says how to enter it */
	ld_src_memory(&head, d->head, sizeof(d->head), d->kernel_path);
	head.size = d->kernel_file_size;
	head.read = head_read;
	bp->ld->machine = arch_machine();
	rs = ld_load(bp->ld, &head);
	if (rs == RT_OK) {
		bp->k = &bp->ld->k;
		bp->kernel_name = d->kernel_path;
		st = choose_dtb(bp);
		if (!EFI_ERROR(st) && (rs = arch_inputs(bp)) != RT_OK)
			st = efi_status_from_rt(rs);
	} else {
		st = efi_status_from_rt(rs);
	}
	if (EFI_ERROR(st))
		goto fail;
	if (ph->magic != PURGATORY_MAGIC || ph->entry >= ph->filesz ||
	    ph->params + sizeof(struct purgatory_params) > ph->filesz) {
		st = efi_fail(EFI_LOAD_ERROR, "capture", "the purgatory in the region is not one this efikexec knows");
		goto fail;
	}

	/* the capture kernel's command line: --capture-append, elfcorehdr= */
	len = RT_FN(strlen)(d->cmdline) + 40;
	st = efi_bs->AllocatePool(EfiLoaderData, len, (void **)&bp->cmdline);
	if (EFI_ERROR(st))
		goto fail;
	bp->corehdr_mem = d->work_mem;
	bp->cmdline_len = (size_t)rt_snprintf(bp->cmdline, len, "%s%selfcorehdr=%#llx", d->cmdline,
					      d->cmdline[0] ? " " : "",
					      (unsigned long long)bp->corehdr_mem);
	if (bp->cmdline_len > bp->k->cmdline_max) {
		st = efi_fail(EFI_INVALID_PARAMETER, "capture", "command line of %zu bytes, the capture kernel takes %llu",
			      bp->cmdline_len, (unsigned long long)bp->k->cmdline_max);
		goto fail;
	}

	/* the map now, room for the final one; the hand-off data after the
	 * core header in the work area, the control pages where there is room */
	st = read_plan_map(bp);
	if (EFI_ERROR(st))
		goto fail;
	bp->params_size = arch_params_size(bp);
	bp->params_mem = d->work_mem + CAPTURE_COREHDR_SIZE;
	if (bp->params_mem + PAGE_ALIGN(bp->params_size) > work_end) {
		st = efi_fail(EFI_BUFFER_TOO_SMALL, "capture", "boot parameters of %llu bytes do not fit the work area",
			      (unsigned long long)bp->params_size);
		goto fail;
	}
	bp->kernel_base = d->kernel_mem;
	bp->ninitrd = d->initrd_size ? 1 : 0;
	bp->initrd[0].name = "the capture region";
	bp->initrd_mem = d->initrd_mem;
	bp->initrd_size = d->initrd_size;
	bp->purgatory_mem = d->purgatory_mem;
	bp->entry = bp->kernel_base + bp->k->entry_offset;
	bp->purgatory_entry = bp->purgatory_mem + ph->entry;
	bp->purgatory_params_off = ph->params;
	if (bp->entry != d->entry) {
		st = efi_fail(EFI_LOAD_ERROR, "capture", "the capture kernel's entry %#llx is not the %#llx armed",
			      (unsigned long long)bp->entry, (unsigned long long)d->entry);
		goto fail;
	}

	kimage_init(&bp->img, KIMAGE_CRASH, &efi_platform, &bp->map);
	kimage_set_crash_region(&bp->img, d->base + CAPTURE_DESC_SIZE, d->end);
	if ((st = add_kernel_segments(bp)))
		goto fail;
	if (bp->ninitrd &&
	    (st = add_segment(bp, NULL, bp->initrd_size, bp->initrd_mem, bp->initrd_size, &bp->seg_initrd)))
		goto fail;
	if ((st = add_segment(bp, NULL, bp->params_size, bp->params_mem, bp->params_size, &bp->seg_params)) ||
	    (st = add_segment(bp, NULL, CAPTURE_COREHDR_SIZE, bp->corehdr_mem, CAPTURE_COREHDR_SIZE,
			      &bp->seg_corehdr)) ||
	    (st = add_segment(bp, NULL, ph->filesz, bp->purgatory_mem, ph->memsz, &bp->seg_purgatory)))
		goto fail;
	{
		rt_status rs = kimage_plan(&bp->img, arch_control_pages(bp));
		if (rs != RT_OK) {
			st = efi_fail(efi_status_from_rt(rs), "capture", "cannot plan the capture image: %s",
				      rt_status_name(rs));
			goto fail;
		}
	}
	kexec_print_plan(bp);
	st = kexec_load_and_enter(bp);
fail:
	kexec_release(bp);
	return st;
}
