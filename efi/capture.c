/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * capture.c - the firmware-assisted dump, the firmware's side: arming a
 * capture region alongside a boot, telling a crash from a clean reboot,
 * checking the region and entering the capture kernel (lib/capture.h has
 * the flow; the engine in kexec.c does the boots, this adds its hooks).
 *
 * The signal of a crash is the kernel's own: its efi-pstore backend (module
 * efi_pstore, drivers/firmware/efi/efi-pstore.c) writes the panic log as
 * non-volatile variables "dump-type0-PART-COUNT-SECONDS-C|D" under
 * LINUX_EFI_CRASH_GUID. The arming variable records the newest such record
 * that existed when the region was armed; a newer one after the reset is a
 * crash. Nothing else - no record, or only old ones - is a clean reboot,
 * and the region is let go.
 */
#include "capture.h"
#include "../arch/arch.h"

#define PAGE_ALIGN(x) (((x) + KIMAGE_PAGE_SIZE - 1) & KIMAGE_PAGE_MASK)
#define MIB (1ull << 20)
#define CAPTURE_ALIGN (2 * MIB)
/* RAM the capture kernel needs beyond its image, initrd and purgatory to
 * run at all (page tables, struct pages, its initramfs unpacked). */
#define CAPTURE_MIN_FREE (32 * MIB)

/* efikexec's own vendor GUID for the arming variable */
static EFI_GUID arm_guid = { 0x6f1e3c2a, 0x5d4b, 0x4c8e, { 0x9a, 0x71, 0x2f, 0x3d, 0x8e, 0x10, 0x54, 0xc7 } };
/* LINUX_EFI_CRASH_GUID (include/linux/efi.h) */
static EFI_GUID crash_guid = { 0xcfc8fc79, 0xbe2e, 0x4ddc, { 0x97, 0xf0, 0x9f, 0x98, 0xbf, 0xe2, 0x98, 0xa0 } };
#define ARM_VAR L"EfikexecCapture"
#define ARM_ATTRS (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

static struct capture_arm pending;      /* written by capture_commit() */
static const struct kexec_hooks arming; /* what arming adds to the main boot */
static struct boot_plan capk;           /* the capture kernel's inputs */
static struct ld_ctx capk_ld;
static struct boot_req capo;
static struct memmap armmap;
static struct mem_span hide[8];         /* what firmware rewrites on a reset */
static size_t nhide;

/* --- variables ---------------------------------------------------------------- */

static bool read_arm(struct capture_arm *a)
{
	UINTN n = sizeof(*a);
	UINT32 attr;

	if (efi_rs->GetVariable(ARM_VAR, &arm_guid, &attr, &n, a) != EFI_SUCCESS || n != sizeof(*a))
		return false;
	if (a->magic != CAPTURE_MAGIC || a->version != CAPTURE_VERSION || a->end <= a->base ||
	    ((a->base | a->end) & (KIMAGE_PAGE_SIZE - 1)) || a->end - a->base < CAPTURE_DESC_SIZE) {
		rt_log(RT_LOG_WARN, "capture", "the arming variable is not one this efikexec reads (version %u); ignored",
		       a->version);
		return false;
	}
	return true;
}

static void delete_arm(void)
{
	efi_rs->SetVariable(ARM_VAR, &arm_guid, ARM_ATTRS, 0, NULL);
}

/* The newest efi-pstore dmesg record: its time (-1: none) and name. */
static int64_t newest_pstore(char *name, size_t size)
{
	static CHAR16 var[512];
	EFI_GUID guid;
	int64_t best = -1;

	var[0] = 0;
	if (size)
		name[0] = 0;
	for (;;) {
		UINTN n = sizeof(var);
		char ascii[128];
		size_t i;
		int64_t t;
		EFI_STATUS st = efi_rs->GetNextVariableName(&n, var, &guid);
		if (st == EFI_NOT_FOUND)
			break;
		if (EFI_ERROR(st)) {
			/* a name longer than the buffer: the walk cannot go past it */
			rt_log(RT_LOG_WARN, "capture", "GetNextVariableName: %s; crash records after it not seen",
			       efi_status_name(st));
			break;
		}
		if (RT_FN(memcmp)(&guid, &crash_guid, sizeof(guid)) != 0)
			continue;
		for (i = 0; i + 1 < sizeof(ascii) && var[i] && var[i] < 0x80; i++)
			ascii[i] = (char)var[i];
		ascii[i] = 0;
		if (capture_pstore_time(ascii, &t) && t > best) {
			best = t;
			rt_snprintf(name, size, "%s", ascii);
		}
	}
	return best;
}

/* The firmware clock in seconds since 1970 (0 when it has none). */
static uint64_t efi_now(void)
{
	EFI_TIME t;
	uint64_t y, m, days;

	if (efi_rs->GetTime(&t, NULL) != EFI_SUCCESS)
		return 0;
	/* days from civil (proleptic Gregorian), March-based year */
	y = t.Year - (t.Month <= 2);
	m = t.Month <= 2 ? t.Month + 9u : t.Month - 3u;
	days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + t.Day - 1 - 719468;
	return days * 86400 + t.Hour * 3600u + t.Minute * 60u + t.Second;
}

/* --- arming -------------------------------------------------------------------- */

static const char *type_word(enum mem_type t)
{
	switch (t) {
	case MEM_FREE: return "free";
	case MEM_BUSY: return "boot services or loader memory in use";
	case MEM_RUNTIME: return "runtime services memory";
	case MEM_ACPI: return "ACPI tables";
	case MEM_NVS: return "ACPI NVS";
	case MEM_PERSISTENT: return "persistent memory";
	default: return "not RAM";
	}
}

/* Why [a, a + size) cannot be the region: the first range in the way. */
static EFI_STATUS explain_region(const struct memmap *m, uint64_t a, uint64_t size, const char *what)
{
	uint64_t at = a, end = a + size;

	for (size_t i = 0; i < m->n && at < end; i++) {
		const struct mem_range *r = &m->r[i];
		if (r->end <= at)
			continue;
		if (r->start > at)
			return efi_fail(EFI_INVALID_PARAMETER, "capture",
					"%s [%#llx, %#llx): [%#llx, %#llx) is not RAM (no memory there)",
					what, (unsigned long long)a, (unsigned long long)end,
					(unsigned long long)at, (unsigned long long)(r->start < end ? r->start : end));
		if (r->type == MEM_RESERVED)
			return efi_fail(EFI_INVALID_PARAMETER, "capture",
					"%s [%#llx, %#llx): [%#llx, %#llx) is not RAM (reserved or MMIO)",
					what, (unsigned long long)a, (unsigned long long)end,
					(unsigned long long)r->start, (unsigned long long)r->end);
		if (r->type != MEM_FREE)
			return efi_fail(EFI_ACCESS_DENIED, "capture",
					"%s [%#llx, %#llx) overlaps the firmware's [%#llx, %#llx) (%s)",
					what, (unsigned long long)a, (unsigned long long)end,
					(unsigned long long)r->start, (unsigned long long)r->end,
					type_word(r->type));
		at = r->end;
	}
	if (at < end)
		return efi_fail(EFI_INVALID_PARAMETER, "capture",
				"%s [%#llx, %#llx): [%#llx, %#llx) is not RAM (beyond the memory map)",
				what, (unsigned long long)a, (unsigned long long)end,
				(unsigned long long)at, (unsigned long long)end);
	return EFI_SUCCESS;
}

/* Old VMCOREINFO notes left in free memory by an earlier kernel are wiped,
 * so the one found after a crash is the crashed kernel's. */
static void wipe_stale_notes(const struct memmap *m)
{
	unsigned wiped = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->r[i].type != MEM_FREE)
			continue;
		for (uint64_t p = m->r[i].start; p < m->r[i].end; p += KIMAGE_PAGE_SIZE) {
			EFI_PHYSICAL_ADDRESS a = p;
			if (!capture_vmcoreinfo_note((const void *)(uintptr_t)p, m->r[i].end - p))
				continue;
			if (efi_bs->AllocatePages(AllocateAddress, EfiLoaderData, 1, &a) != EFI_SUCCESS)
				continue;
			RT_FN(memset)((void *)(uintptr_t)p, 0, 64);
			efi_bs->FreePages(a, 1);
			wiped++;
		}
	}
	if (wiped)
		rt_log(RT_LOG_INFO, "capture", "wiped %u stale VMCOREINFO note%s in free memory", wiped,
		       wiped == 1 ? "" : "s");
}

static EFI_STATUS read_to(struct ld_src *src, uint64_t off, uint64_t phys, uint64_t len)
{
	rt_status rs = src->read(src, off, (void *)(uintptr_t)phys, len);

	return rs == RT_OK ? EFI_SUCCESS : efi_status_from_rt(rs);
}

static void digest(struct capture_digest *dg, uint64_t mem, uint64_t len)
{
	dg->mem = mem;
	dg->len = len;
	if (len)
		sha256((const void *)(uintptr_t)mem, (size_t)len, dg->sha256);
}

/*
 * The firmware's top zone: it allocates top-down from the top of the RAM
 * below 4 GiB (or of all RAM when none is below), on every start, a little
 * differently each time; what the main kernel allocates early (top-down
 * too: its memblock) would land in the gaps between. From the lowest
 * firmware allocation within 128 MiB of the top, less 16 MiB of margin, to
 * the top, measured on OVMF and AAVMF.
 */
#define ZONE_SPAN (128 * MIB)
#define ZONE_MARGIN (16 * MIB)
static struct mem_span top_zone(const struct memmap *m)
{
	uint64_t top = 0, top_any = 0, low;

	for (size_t i = 0; i < m->n; i++)
		if (MEM_MASK(m->r[i].type) & MEM_MASK_RAM) {
			if (m->r[i].end > top_any)
				top_any = m->r[i].end;
			if (m->r[i].start < (1ull << 32) && m->r[i].end > top)
				top = m->r[i].end < (1ull << 32) ? m->r[i].end : 1ull << 32;
		}
	if (!top)
		top = top_any;
	low = top;
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == MEM_BUSY && m->r[i].end > top - ZONE_SPAN && m->r[i].start < top &&
		    m->r[i].start < low)
			low = m->r[i].start > top - ZONE_SPAN ? m->r[i].start : top - ZONE_SPAN;
	low = low > ZONE_MARGIN ? (low - ZONE_MARGIN) & ~(CAPTURE_ALIGN - 1) : 0;
	return (struct mem_span){ low, top };
}

/* Everything the firmware rewrites on a reset: the arch's fixed places and
 * the top zone. */
static size_t rewritten(const struct memmap *m, struct mem_span *out, size_t max)
{
	size_t n = arch_capture_rewritten(m, out, max - 1);

	out[n++] = top_zone(m);
	return n;
}

/* The main system's RAM as the main kernel will get it: free memory and
 * loader data (its own segments), sorted; the firmware's memory is kept
 * from it (capture_hide). */
static EFI_STATUS record_ram(struct capture_desc *d)
{
	static struct memmap ram;
	struct efi_memmap em;
	EFI_STATUS st = efi_get_memmap(&em);

	if (EFI_ERROR(st))
		return st;
	memmap_init(&ram);
	for (UINTN off = 0; off + em.desc_size <= em.size; off += em.desc_size) {
		const EFI_MEMORY_DESCRIPTOR *m = (const void *)((const uint8_t *)em.buf + off);
		if (m->Type < 32 && (CAPTURE_RAM_TYPES & (1u << m->Type)) && m->NumberOfPages &&
		    memmap_add(&ram, m->PhysicalStart, m->PhysicalStart + m->NumberOfPages * EFI_PAGE_SIZE,
			       MEM_FREE) != RT_OK) {
			efi_put_memmap(&em);
			return efi_fail(EFI_BUFFER_TOO_SMALL, "capture", "too many RAM ranges");
		}
	}
	efi_put_memmap(&em);
	if (memmap_normalize(&ram) != RT_OK || ram.n > CAPTURE_MAX_RAM)
		return efi_fail(EFI_BUFFER_TOO_SMALL, "capture", "%zu RAM ranges, at most %u recorded",
				ram.n, CAPTURE_MAX_RAM);
	d->nr_ram = 0;
	for (size_t i = 0; i < ram.n; i++)
		d->ram[d->nr_ram++] = (struct mem_span){ ram.r[i].start, ram.r[i].end };
	return EFI_SUCCESS;
}

/* The capture kernel, its initrds and command line: opened and probed
 * like any kernel, into capk; refused when the capture boot could not
 * enter it. */
static EFI_STATUS open_capture(const struct boot_req *o)
{
	const struct ld_piece *kp;
	EFI_STATUS st;

	capo = *o;
	capo.kernel = o->cap_kernel;
	capo.ninitrd = o->ncap_initrd;
	for (unsigned i = 0; i < capo.ninitrd; i++)
		capo.initrd[i] = o->cap_initrd[i];
	capo.cmdline = o->cap_cmdline;
	capo.dtb = (struct boot_input){ 0 }; /* the capture boot picks its own */
	/* the capture boot enters the kernel lying whole in the region, read
	 * from its header alone (kexec_capture): a bzImage at its own entry */
	capo.direct_entry = false;
	RT_FN(memset)(&capk, 0, sizeof(capk));
	capk.o = &capo;
	capk.ld = &capk_ld;
	capk.fw = &efi_facts;
	capk.arch = ARCH_PLAN;
	st = kexec_open_inputs(&capk);
	if (EFI_ERROR(st))
		return st;
	kp = &capk.k->piece[0];
	if (capk.k->npieces != 1 || !kp->room || capk.k->fixed) {
		/* the capture boot re-reads only the kernel's header from the
		 * descriptor: a kernel that relocates itself from one piece */
		return efi_fail(EFI_UNSUPPORTED, "capture",
				"%s: %s cannot be a capture kernel: it must be a bzImage or an arm64 Image (also inside a UKI or compressed) that can run anywhere in the region",
				capk.kernel_name, capk.k->format);
	}
	if (capk.cmdline_len + 32 > CAPTURE_CMDLINE_MAX) {
		return efi_fail(EFI_INVALID_PARAMETER, "capture", "--capture-append of %zu bytes: at most %u",
				capk.cmdline_len, CAPTURE_CMDLINE_MAX - 32);
	}
	return EFI_SUCCESS;
}

/* Where the region goes: ADDR, else a free range inside the arch's safe
 * window (on the memory map now, armmap). */
static EFI_STATUS place_region(const struct boot_req *o, uint64_t size, uint64_t *out)
{
	uint64_t base = 0, lo, hi;
	struct mem_span zone;
	EFI_STATUS st;

	st = efi_memmap_now(&armmap);
	if (EFI_ERROR(st))
		return st;
	arch_capture_window(&armmap, &lo, &hi);
	zone = top_zone(&armmap);
	if (hi > zone.start)
		hi = zone.start;
	if (o->cap_addr) {
		base = o->cap_addr;
		if (!memmap_covers(&armmap, base, base + size, MEM_MASK(MEM_FREE))) {
			st = explain_region(&armmap, base, size, "--capture-size: region");
			if (!EFI_ERROR(st))
				st = efi_fail(EFI_ACCESS_DENIED, "capture", "region not free");
			return st;
		}
		if (base < lo || base + size > hi)
			rt_log(RT_LOG_WARN, "capture", "region [%#llx, %#llx) is outside [%#llx, %#llx), where this firmware is known to leave memory alone on a reset",
			       (unsigned long long)base, (unsigned long long)(base + size),
			       (unsigned long long)lo, (unsigned long long)hi);
	} else {
		struct hole_req req = { .size = size, .align = CAPTURE_ALIGN, .min = lo, .max = hi,
					.mask = MEM_MASK(MEM_FREE) };
		if (memmap_find_hole(&armmap, &req, &base) != RT_OK) {
			return efi_fail(EFI_OUT_OF_RESOURCES, "capture",
					"no free %llu MiB in [%#llx, %#llx), where firmware leaves memory alone on a reset; give an address: --capture-size=SIZE@ADDR",
					(unsigned long long)(size >> 20), (unsigned long long)lo,
					(unsigned long long)hi);
		}
	}
	*out = base;
	return EFI_SUCCESS;
}

/* The capture kernel, its initrds and purgatory into the region, each at
 * its final address, the gaps between them zeroed. */
static EFI_STATUS load_region(struct capture_desc *d, const struct ld_piece *kp, uint64_t purg_len,
			      uint64_t initrd_len)
{
	const struct purgatory_header *ph = (const void *)purgatory_blob;
	EFI_STATUS st;

	st = read_to(capk.k->src, kp->src_off, d->kernel_mem, kp->filesz);
	for (unsigned i = 0; !EFI_ERROR(st) && i < capk.ninitrd; i++)
		st = read_to(capk.initrd[i].src, capk.initrd[i].src_off, d->initrd_mem + capk.initrd[i].off,
			     capk.initrd[i].len);
	if (!EFI_ERROR(st))
		st = kexec_finish_inputs(&capk);
	if (EFI_ERROR(st))
		return st;
	RT_FN(memset)((void *)(uintptr_t)(d->kernel_mem + kp->filesz), 0,
		      PAGE_ALIGN(kp->filesz) - kp->filesz);
	for (unsigned i = 0; i + 1 < capk.ninitrd; i++) {
		uint64_t e = capk.initrd[i].off + capk.initrd[i].len;
		RT_FN(memset)((void *)(uintptr_t)(d->initrd_mem + e), 0, capk.initrd[i + 1].off - e);
	}
	if (capk.ninitrd)
		RT_FN(memset)((void *)(uintptr_t)(d->initrd_mem + capk.initrd_size), 0,
			      initrd_len - capk.initrd_size);
	RT_FN(memcpy)((void *)(uintptr_t)d->purgatory_mem, purgatory_blob, ph->filesz);
	RT_FN(memset)((void *)(uintptr_t)(d->purgatory_mem + ph->filesz), 0, purg_len - ph->filesz);
	return EFI_SUCCESS;
}

/* The descriptor the capture boot checks and enters by: the digests,
 * the crashed system's RAM, the command line, the kernel's header. */
static EFI_STATUS describe(struct capture_desc *d, uint64_t base, uint64_t end, const struct ld_piece *kp,
			   uint64_t purg_len, uint64_t initrd_len)
{
	EFI_STATUS st;

	d->magic = CAPTURE_MAGIC;
	d->version = CAPTURE_VERSION;
	d->size = sizeof(*d);
	d->base = base;
	d->end = end;
	d->kernel_file_size = capk.k->src->size;
	digest(&d->digest[CAPTURE_D_KERNEL], d->kernel_mem, PAGE_ALIGN(kp->filesz));
	digest(&d->digest[CAPTURE_D_INITRD], d->initrd_mem, capk.ninitrd ? initrd_len : 0);
	digest(&d->digest[CAPTURE_D_PURGATORY], d->purgatory_mem, purg_len);
	st = record_ram(d);
	if (EFI_ERROR(st))
		return st;
	/* the main kernel gets none of what the firmware rewrites on a reset
	 * (capture_hide), so none of it is the crashed system's either */
	nhide = rewritten(&armmap, hide, RT_ARRAY_SIZE(hide));
	d->nr_ram = (uint32_t)capture_spans_minus(d->ram, d->nr_ram, CAPTURE_MAX_RAM, hide, nhide);
	for (size_t i = 0; i < nhide; i++)
		rt_log(RT_LOG_DEBUG, "capture", "kept from the main kernel (rewritten on a reset): [%#llx, %#llx)",
		       (unsigned long long)hide[i].start, (unsigned long long)hide[i].end);
	rt_snprintf(d->kernel_path, sizeof(d->kernel_path), "%s", capk.kernel_name);
	rt_snprintf(d->cmdline, sizeof(d->cmdline), "%s", capk.cmdline);
	/* the innermost image's header: the capture boot enters it from this */
	RT_FN(memcpy)(d->head, capk.k->src->head,
		      capk.k->src->head_len < CAPTURE_HEAD_SIZE ? capk.k->src->head_len : CAPTURE_HEAD_SIZE);
	capture_desc_seal(d);
	return EFI_SUCCESS;
}

EFI_STATUS capture_arm(struct boot_plan *bp)
{
	const struct boot_req *o = bp->o;
	const struct purgatory_header *ph = (const void *)purgatory_blob;
	struct capture_desc *d;
	uint64_t size = o->cap_size, base = 0, end, cursor, need, kbase;
	uint64_t purg_len = PAGE_ALIGN(ph->memsz), initrd_len, kernel_len;
	const struct ld_piece *kp;
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS st;
	char seen[80];

	st = open_capture(o);
	if (EFI_ERROR(st))
		goto out;
	kp = &capk.k->piece[0];
	initrd_len = PAGE_ALIGN(capk.initrd_size);
	kernel_len = PAGE_ALIGN(capk.k->memsz);

	/* how much it needs: descriptor, purgatory, work area, initrd, then
	 * the kernel at its alignment, then room to run */
	need = CAPTURE_DESC_SIZE + purg_len + CAPTURE_WORK_SIZE + initrd_len + capk.k->align +
	       capk.k->load_offset + kernel_len + CAPTURE_MIN_FREE;
	if (size < need) {
		st = efi_fail(EFI_BUFFER_TOO_SMALL, "capture",
			      "--capture-size=%llu MiB is too small for %s: its image needs %llu MiB at %#llx alignment, its initrd %llu MiB, efikexec %llu MiB, and the kernel %llu MiB more to run: at least %llu MiB",
			      (unsigned long long)(size >> 20), capk.kernel_name,
			      (unsigned long long)(kernel_len >> 20), (unsigned long long)capk.k->align,
			      (unsigned long long)(initrd_len >> 20),
			      (unsigned long long)((CAPTURE_DESC_SIZE + purg_len + CAPTURE_WORK_SIZE) >> 20),
			      (unsigned long long)(CAPTURE_MIN_FREE >> 20),
			      (unsigned long long)((need + MIB - 1) >> 20));
		goto out;
	}

	st = place_region(o, size, &base);
	if (EFI_ERROR(st))
		goto out;
	end = base + size;
	a = base;
	st = efi_bs->AllocatePages(AllocateAddress, EfiReservedMemoryType, size / KIMAGE_PAGE_SIZE, &a);
	if (EFI_ERROR(st)) {
		st = efi_fail(st, "capture", "cannot reserve [%#llx, %#llx)", (unsigned long long)base,
			      (unsigned long long)end);
		goto out;
	}
	bp->cap_base = base;
	bp->cap_end = end;

	/* the layout */
	d = (struct capture_desc *)(uintptr_t)base;
	RT_FN(memset)(d, 0, CAPTURE_DESC_SIZE);
	cursor = base + CAPTURE_DESC_SIZE;
	d->purgatory_mem = cursor;
	cursor += purg_len;
	d->work_mem = cursor;
	cursor += CAPTURE_WORK_SIZE;
	d->initrd_mem = capk.ninitrd ? cursor : 0;
	d->initrd_size = capk.initrd_size;
	cursor += initrd_len;
	kbase = cursor > capk.k->min ? cursor : capk.k->min;
	kbase = (kbase + capk.k->align - 1) & ~(capk.k->align - 1);
	d->kernel_mem = kbase + capk.k->load_offset;
	d->entry = d->kernel_mem + capk.k->entry_offset;
	d->free_mem = d->kernel_mem + kernel_len;
	if (d->free_mem + CAPTURE_MIN_FREE > end || (capk.k->max && d->free_mem > capk.k->max) ||
	    (capk.k->initrd_max && d->initrd_mem + initrd_len > capk.k->initrd_max) ||
	    (capk.k->params_max && d->work_mem + CAPTURE_WORK_SIZE > capk.k->params_max) ||
	    (capk.k->initrd_window && capk.ninitrd &&
	     d->initrd_mem < (kbase & ~(capk.k->initrd_window_align - 1)))) {
		st = efi_fail(EFI_BUFFER_TOO_SMALL, "capture",
			      "%s does not fit [%#llx, %#llx): its image would end at %#llx (the kernel lies below %#llx, its initrd below %#llx)",
			      capk.kernel_name, (unsigned long long)base, (unsigned long long)end,
			      (unsigned long long)d->free_mem, (unsigned long long)capk.k->max,
			      (unsigned long long)capk.k->initrd_max);
		goto out;
	}

	st = load_region(d, kp, purg_len, initrd_len);
	if (EFI_ERROR(st))
		goto out;

	st = describe(d, base, end, kp, purg_len, initrd_len);
	if (EFI_ERROR(st))
		goto out;

	wipe_stale_notes(&armmap);
	pending = (struct capture_arm){ .magic = CAPTURE_MAGIC, .version = CAPTURE_VERSION,
					.base = base, .end = end, .armed_at = efi_now() };
	pending.pstore_seen = newest_pstore(seen, sizeof(seen));
	RT_FN(memcpy)(pending.desc_sha256, d->self, sizeof(d->self));
	rt_log(RT_LOG_INFO, "capture", "region [%#llx, %#llx) %llu MiB reserved: %s at %#llx, initrd %llu bytes at %#llx, %llu MiB free for it; crash records so far: %s",
	       (unsigned long long)base, (unsigned long long)end, (unsigned long long)(size >> 20),
	       capk.kernel_name, (unsigned long long)d->kernel_mem,
	       (unsigned long long)capk.initrd_size, (unsigned long long)d->initrd_mem,
	       (unsigned long long)((end - d->free_mem) >> 20), seen[0] ? seen : "none");
#ifdef EFIKEXEC_TEST_HOOKS
	if (o->test_corrupt_capture) {
		((volatile uint8_t *)(uintptr_t)d->kernel_mem)[0x1234] ^= 0x10;
		rt_log(RT_LOG_WARN, "test", "flipped a bit of the capture kernel at %#llx",
		       (unsigned long long)(d->kernel_mem + 0x1234));
	}
#endif
out:
	kexec_release(&capk);
	if (EFI_ERROR(st))
		capture_abort(bp);
	else
		bp->hooks = &arming;
	return st;
}

/* Arming, just before the exit: the arming variable. */
/* The arming variable was written by this boot (capture_abort takes it
 * back when the boot then fails before the exit). */
static bool committed;

static EFI_STATUS capture_commit(struct boot_plan *bp)
{
	EFI_STATUS st;

	if (!bp->cap_end || bp->cap)
		return EFI_SUCCESS;
	st = efi_rs->SetVariable(ARM_VAR, &arm_guid, ARM_ATTRS, sizeof(pending), &pending);
	if (EFI_ERROR(st))
		return efi_fail(st, "capture", "cannot write the arming variable");
	committed = true;
	rt_log(RT_LOG_INFO, "capture", "armed: a crash of this boot enters the capture kernel on the next start of efikexec");
	return EFI_SUCCESS;
}

/* Arming, placement: keep the main kernel clear of what firmware rewrites
 * on a reset, which it will not get as RAM either (capture_hide), so a
 * dump of it is whole; and above the window's bottom. */
static size_t capture_avoid(struct boot_plan *bp, struct mem_span *out, size_t max, uint64_t *kmin)
{
	size_t n = 0;
	uint64_t hi;

	arch_capture_window(&bp->map, kmin, &hi);

	for (; n < nhide && n < max; n++)
		out[n] = hide[n];
	return n;
}

/* Arming, after the exit: that memory reserved in the final map. */
static rt_status capture_hide(struct boot_plan *bp)
{
	size_t n;

	if (!bp->cap_end || bp->cap)
		return RT_OK;
	n = capture_hide_in_efi_map(bp->mm.buf, bp->mm.size, bp->mm_room, bp->mm.desc_size, hide, nhide,
				    CAPTURE_HIDE_TYPES);
	if (!n)
		return rt_fail(RT_E2BIG, "capture", "no room to split the final memory map");
	bp->mm.size = n;
	return RT_OK;
}

static const struct kexec_hooks arming = {
	.avoid = capture_avoid,
	.before_exit = capture_commit,
	.after_exit = capture_hide,
};

void capture_abort(struct boot_plan *bp)
{
	if (bp->cap_end && !bp->cap)
		efi_bs->FreePages(bp->cap_base, (bp->cap_end - bp->cap_base) / KIMAGE_PAGE_SIZE);
	bp->cap_base = bp->cap_end = 0;
	/* armed, but the boot failed after all: no region is reserved */
	if (committed)
		delete_arm();
	committed = false;
}

/* --- after the reset ------------------------------------------------------------ */

/* Checks the region's contents against the arming: false with `why`. */
static bool region_intact(const struct capture_arm *a, char *why, size_t len)
{
	const struct capture_desc *d = (const void *)(uintptr_t)a->base;
	static const char *what[CAPTURE_D_COUNT] = { "capture kernel", "initrd", "purgatory" };

	if (!capture_desc_check(d, a->base, a->end, why, len))
		return false;
	if (RT_FN(memcmp)(d->self, a->desc_sha256, sizeof(d->self)) != 0) {
		rt_snprintf(why, len, "the descriptor is not the one armed");
		return false;
	}
	for (int i = 0; i < CAPTURE_D_COUNT; i++) {
		const struct capture_digest *g = &d->digest[i];
		uint8_t sum[SHA256_DIGEST_SIZE];
		if (!g->len)
			continue;
		if (g->mem < a->base + CAPTURE_DESC_SIZE || g->mem + g->len > a->end ||
		    g->mem + g->len < g->mem) {
			rt_snprintf(why, len, "the %s lies outside the region", what[i]);
			return false;
		}
		sha256((const void *)(uintptr_t)g->mem, (size_t)g->len, sum);
		if (RT_FN(memcmp)(sum, g->sha256, sizeof(sum)) != 0) {
			rt_snprintf(why, len, "the %s's SHA-256 at [%#llx, %#llx) does not match its arming",
				    what[i], (unsigned long long)g->mem,
				    (unsigned long long)(g->mem + g->len));
			return false;
		}
	}
	return true;
}

static EFI_STATUS capture_prepare_core(struct boot_plan *bp);
static rt_status capture_finish_core(struct boot_plan *bp);
/* The capture boot: the crashed kernel's VMCOREINFO found before the exit,
 * the ELF core header written from the final map after it. */
static const struct kexec_hooks capturing = {
	.before_exit = capture_prepare_core,
	.final_map = capture_finish_core,
};

EFI_STATUS capture_at_start(const struct boot_req *o)
{
	struct capture_arm a;
	char rec[80], why[160];
	int64_t t;
	EFI_PHYSICAL_ADDRESS at;
	uint64_t pages;
	EFI_STATUS st;

	if (!read_arm(&a))
		return EFI_SUCCESS;
	t = newest_pstore(rec, sizeof(rec));
	if (t <= a.pstore_seen) {
		rt_log(RT_LOG_INFO, "capture", "no crash record since the region [%#llx, %#llx) was armed: a clean restart; disarmed",
		       (unsigned long long)a.base, (unsigned long long)a.end);
		delete_arm();
		return EFI_SUCCESS;
	}
	/* One try per crash, whatever happens next. */
	delete_arm();
	rt_log(RT_LOG_INFO, "capture", "the main kernel crashed: efi-pstore record %s", rec);
	pages = (a.end - a.base) / KIMAGE_PAGE_SIZE;
	at = a.base;
	st = efi_bs->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at);
	if (EFI_ERROR(st)) {
		static struct memmap m;
		if (!EFI_ERROR(efi_memmap_now(&m)))
			explain_region(&m, a.base, a.end - a.base, "capture region");
		rt_log(RT_LOG_ERR, "capture", "the firmware uses part of the capture region in this boot: no capture; continuing the normal boot");
		return EFI_SUCCESS;
	}
	if (!region_intact(&a, why, sizeof(why))) {
		rt_log(RT_LOG_ERR, "capture", "capture region [%#llx, %#llx) was overwritten: %s; disarmed, continuing the normal boot",
		       (unsigned long long)a.base, (unsigned long long)a.end, why);
		efi_bs->FreePages(a.base, pages);
		return EFI_SUCCESS;
	}
	rt_log(RT_LOG_INFO, "capture", "region [%#llx, %#llx) intact: entering %s",
	       (unsigned long long)a.base, (unsigned long long)a.end,
	       ((const struct capture_desc *)(uintptr_t)a.base)->kernel_path);
	st = kexec_capture(o, (const struct capture_desc *)(uintptr_t)a.base, &capturing);
	rt_log(RT_LOG_ERR, "capture", "the capture kernel could not be entered (%s); continuing the normal boot",
	       efi_status_name(st));
	efi_bs->FreePages(a.base, pages);
	return EFI_SUCCESS;
}

/* --- the dump's header ------------------------------------------------------------- */

static struct {
	uint8_t note[2 * 4096];
	size_t note_len;
	uint64_t note_at;
	uint64_t vaddr_delta;
	struct mem_span load[MEMMAP_MAX];
} core;

/* A note of our own when the crashed kernel's VMCOREINFO is not found: the
 * capture kernel refuses a header without a non-empty PT_NOTE. */
static size_t own_note(uint8_t *buf)
{
	static const char name[] = "EFIKEXEC", text[] = "no VMCOREINFO found in the crashed system's memory";
	uint32_t h[3] = { sizeof(name), sizeof(text), 1 };
	size_t n = 12;

	RT_FN(memcpy)(buf, h, 12);
	RT_FN(memcpy)(buf + n, name, sizeof(name));
	n += (sizeof(name) + 3) & ~3u;
	RT_FN(memcpy)(buf + n, text, sizeof(text));
	return n + ((sizeof(text) + 3) & ~3u);
}

static EFI_STATUS capture_prepare_core(struct boot_plan *bp)
{
	const struct capture_desc *d = bp->cap;
	size_t found = 0;
	char rel[64];

	core.note_len = 0;
	core.vaddr_delta = 0;
	/* the note lives in a page of its own: look at every page start of
	 * the crashed system's RAM, also where firmware allocated in this boot
	 * (allocated is not yet overwritten); the region excepted */
	for (size_t i = 0; i < d->nr_ram; i++)
		for (uint64_t p = d->ram[i].start; p < d->ram[i].end; p += KIMAGE_PAGE_SIZE) {
			const void *q = (const void *)(uintptr_t)p;
			size_t len;
			if (p >= d->base && p < d->end)
				continue;
			len = capture_vmcoreinfo_note(q, d->ram[i].end - p);
			if (!len || len > sizeof(core.note))
				continue;
			if (!found++) {
				RT_FN(memcpy)(core.note, q, len);
				core.note_len = len;
				core.note_at = p;
			}
		}
	if (!core.note_len) {
		core.note_len = own_note(core.note);
		rt_log(RT_LOG_WARN, "capture", "no VMCOREINFO note in the crashed system's memory: makedumpfile and crash will need the kernel's vmlinux");
		return EFI_SUCCESS;
	}
	if (found > 1)
		rt_log(RT_LOG_WARN, "capture", "%zu VMCOREINFO notes in memory; using the one at %#llx",
		       found, (unsigned long long)core.note_at);
	capture_vmcoreinfo_release(core.note, core.note_len, rel, sizeof(rel));
	if (!arch_dump_vaddr(core.note, core.note_len, d->ram, d->nr_ram, &core.vaddr_delta))
		rt_log(RT_LOG_WARN, "capture", "the crashed kernel's linear map not found: PT_LOAD p_vaddr left unknown");
	rt_log(RT_LOG_INFO, "capture", "VMCOREINFO of the crashed kernel %s at %#llx (%zu bytes); linear map at phys + %#llx",
	       rel, (unsigned long long)core.note_at, core.note_len,
	       (unsigned long long)core.vaddr_delta);
	return EFI_SUCCESS;
}

static rt_status capture_finish_core(struct boot_plan *bp)
{
	const struct capture_desc *d = bp->cap;
	struct capture_core c = { .machine = arch_elf_machine(), .load = core.load,
				  .vaddr_delta = core.vaddr_delta, .note = core.note,
				  .note_len = core.note_len };
	uint64_t hdr = bp->corehdr_mem, hdr_end = hdr + CAPTURE_COREHDR_SIZE;
	const struct memmap *fm = &bp->final_map;
	struct memmap *cm = &bp->cap_map;
	uint64_t dumped = 0;
	size_t len;

	/* the crashed system's memory not used in this boot */
	c.nload = capture_dump_ranges(d->ram, d->nr_ram, fm, d->base, d->end, core.load, MEMMAP_MAX);
	if (c.nload > MEMMAP_MAX)
		return rt_fail(RT_E2BIG, "capture", "%zu ranges to dump, more than %u", c.nload, MEMMAP_MAX);
	len = capture_elfcore((void *)(uintptr_t)hdr, CAPTURE_COREHDR_SIZE, hdr, &c);
	if (!len)
		return rt_fail(RT_E2BIG, "capture", "the ELF core header does not fit %llu bytes",
			       (unsigned long long)CAPTURE_COREHDR_SIZE);
	for (size_t i = 0; i < c.nload; i++)
		dumped += c.load[i].end - c.load[i].start;
	rt_log(RT_LOG_INFO, "capture", "ELF core header at %#llx: %zu PT_LOAD, %llu MiB of the crashed system",
	       (unsigned long long)hdr, c.nload, (unsigned long long)(dumped >> 20));

	/* What the capture kernel may use: the region (the header excepted),
	 * RAM below CAPTURE_LOW_LIMIT, and the firmware's ranges as they are. */
	memmap_init(cm);
	for (size_t i = 0; i < fm->n; i++) {
		struct mem_range r = fm->r[i];
		if (MEM_MASK(r.type) & MEM_MASK_RAM) {
			if (r.start >= CAPTURE_LOW_LIMIT)
				continue;
			if (r.end > CAPTURE_LOW_LIMIT)
				r.end = CAPTURE_LOW_LIMIT;
			r.type = MEM_FREE;
		} else if (r.start < d->end && d->base < r.end) {
			continue; /* not expected: the region is RAM */
		}
		if (memmap_add(cm, r.start, r.end, r.type) != RT_OK)
			return RT_E2BIG;
	}
	if (memmap_add(cm, d->base, hdr, MEM_FREE) != RT_OK ||
	    memmap_add(cm, hdr, hdr_end, MEM_RESERVED) != RT_OK ||
	    memmap_add(cm, hdr_end, d->end, MEM_FREE) != RT_OK)
		return RT_E2BIG;
	return memmap_normalize(cm);
}

/* --- status, disarm ---------------------------------------------------------------- */

bool capture_armed(void)
{
	struct capture_arm a;

	return read_arm(&a);
}

void capture_state(struct capture_state *cs)
{
	struct capture_arm a;
	static struct memmap m;
	int64_t t;

	RT_FN(memset)(cs, 0, sizeof(*cs));
	t = newest_pstore(cs->record, sizeof(cs->record));
	if (!read_arm(&a))
		return;
	cs->armed = true;
	cs->base = a.base;
	cs->end = a.end;
	cs->armed_at = a.armed_at;
	cs->crashed = t > a.pstore_seen;
	/* read it only where this boot's map says RAM */
	if (EFI_ERROR(efi_memmap_now(&m)) || !memmap_covers(&m, a.base, a.end, MEM_MASK_RAM))
		return;
	cs->checked = true;
	cs->intact = region_intact(&a, cs->why, sizeof(cs->why));
	if (cs->intact)
		rt_snprintf(cs->kernel, sizeof(cs->kernel), "%s",
			    ((const struct capture_desc *)(uintptr_t)a.base)->kernel_path);
}

bool capture_disarm(uint64_t *base, uint64_t *end)
{
	struct capture_arm a;

	if (!read_arm(&a))
		return false;
	delete_arm();
	*base = a.base;
	*end = a.end;
	return true;
}
