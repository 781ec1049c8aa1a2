/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * kexec.c - the engine every front end shares: load a kernel the kexec way
 * and enter it. efi/api.c (a boot request) and efi/capture.c (arming,
 * and the capture boot after a crash) drive it; what crash capture adds at
 * its points - placement, just before and just after ExitBootServices - it
 * adds through bp->hooks, so the engine knows nothing of capture and the
 * two front ends nothing of each other.
 *
 *   inputs     the kernel through the loader table (boot/loader.h), the
 *              initrd parts, the command line, the device tree, then
 *              what only the architecture checks (bp->arch->inputs)
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
#include "trust.h"
#include "ukistub.h"
#include "net.h"
#include "../arch/arch.h"
#include "../boot/bzimage.h"
#include "../boot/stream.h"
#include "../boot/place.h"
#include "../lib/purgatory-check.h"
#include "../include/efikexec.h"

#define MIB (1ull << 20)
#define PAGE_ALIGN(x) (((x) + KIMAGE_PAGE_SIZE - 1) & KIMAGE_PAGE_MASK)
/* The initramfs unpacker looks for each archive's header at a 4-byte
 * aligned offset and skips zero bytes between archives (the kernel's
 * init/initramfs.c, unpack_to_rootfs: "this_header & 3"). */
#define INITRD_ALIGN 4


static struct boot_plan plan;
static struct ld_ctx plan_ld;
struct fw_facts efi_facts;

struct boot_plan *kexec_plan(void)
{
	RT_FN(memset)(&plan, 0, sizeof(plan));
	plan.ld = &plan_ld;
	plan.fw = &efi_facts;
	plan.arch = ARCH_PLAN;
	return &plan;
}
/* The inputs' open files, closed (their record stays until the release). */
static void close_files(struct boot_plan *bp)
{
	if (!bp->files)
		return;
	efi_file_close(&bp->files->kernel);
	for (unsigned i = 0; i < bp->ninitrd_file; i++)
		efi_file_close(&bp->files->initrd[i]);
}

void kexec_release(struct boot_plan *bp)
{
	arch_release(bp);
	if (bp->ld)
		ld_ctx_close(bp->ld);
	close_files(bp);
	RT_FN(free)(bp->files);
	bp->files = NULL;
	if (bp->img.plat)
		kimage_release(&bp->img);
	efi_platform_hold(0, 0);
	boot_inputs_release(bp);
	if (bp->params_shadow)
		efi_bs->FreePool(bp->params_shadow);
	if (bp->mm.buf)
		efi_bs->FreePool(bp->mm.buf);
	bp->params_shadow = NULL;
	bp->mm.buf = NULL;
}

/* An input as a loader-table source: the caller's bytes, or a file opened
 * on its volume (closed by kexec_release). */
static EFI_STATUS open_input(const struct boot_input *in, struct efi_file *f, struct ld_src *s)
{
	EFI_STATUS st;

	if (in->buf) {
		ld_src_memory(s, in->buf, in->size, in->path ? in->path : "(buffer)");
		return EFI_SUCCESS;
	}
	st = efi_file_open_on(in->volume, in->path, f);
	if (!EFI_ERROR(st))
		efi_file_src(f, s);
	return st;
}

EFI_STATUS kexec_finish_inputs(struct boot_plan *bp)
{
	EFI_STATUS st;

	if (!bp->files)
		return EFI_SUCCESS;
	st = efi_net_finish(&bp->files->kernel);
	for (unsigned i = 0; !EFI_ERROR(st) && i < bp->ninitrd_file; i++)
		st = efi_net_finish(&bp->files->initrd[i]);
	return st;
}

/* --dtb (arm64): read whole; the loader-table walk and the rest decide
 * what else to start from (boot_inputs). */
static EFI_STATUS read_dtb(struct boot_plan *bp)
{
	const struct boot_input *in = &bp->o->dtb;
	struct efi_file f = { 0 };
	struct ld_src s;
	EFI_STATUS st;

	if (!in->buf && !in->path)
		return EFI_SUCCESS;
	st = open_input(in, &f, &s);
	if (EFI_ERROR(st))
		return st;
	if (s.size > (2u << 20))
		st = efi_fail(EFI_BAD_BUFFER_SIZE, "dtb", "%s: %llu bytes, more than the kernel's limit of 2 MiB",
			      s.name, (unsigned long long)s.size);
	else if (!(bp->dtb_pool = RT_FN(malloc)((size_t)s.size + 1)))
		st = efi_fail(EFI_OUT_OF_RESOURCES, "dtb", "%s: no pool for %llu bytes", s.name,
			      (unsigned long long)s.size);
	else if ((st = efi_status_from_rt(s.read(&s, 0, bp->dtb_pool, s.size))))
		efi_fail(st, "dtb", "%s: cannot read it", s.name);
	else
		st = efi_net_finish(&f);
	efi_file_close(&f);
	if (EFI_ERROR(st))
		return st;
	bp->dtb = bp->dtb_pool;
	bp->dtb_size = (size_t)s.size;
	rt_snprintf(bp->dtb_name, sizeof(bp->dtb_name), "%s", s.name);
	return EFI_SUCCESS;
}

/* What the last steps before ExitBootServices gave the firmware, taken
 * back when the boot fails before the exit. */
static void handoff_undo(struct boot_plan *bp)
{
	trust_undo();
	uki_unexport(bp);
}

/* A payload entered with the firmware's boot services running (a
 * Multiboot2 image with tags 7 and 9), not after ExitBootServices. */
static bool firmware_entry(const struct boot_plan *bp)
{
	return bp->k && bp->k->handoff == LD_HANDOFF_MULTIBOOT2 && mb2_efi64(&bp->k->ho.mb2);
}

EFI_STATUS kexec_open_inputs(struct boot_plan *bp)
{
	const struct boot_req *o = bp->o;
	EFI_STATUS st;

	if (!bp->fw)
		bp->fw = &efi_facts;
	bp->uki_extras_cb = uki_extras;
	if (!bp->files && !(bp->files = RT_FN(malloc)(sizeof(*bp->files))))
		return efi_fail(EFI_OUT_OF_RESOURCES, "boot", "no memory for the inputs' files");
	RT_FN(memset)(bp->files, 0, sizeof(*bp->files));
	st = open_input(&o->kernel, &bp->files->kernel, &bp->kernel_src);
	for (unsigned i = 0; !EFI_ERROR(st) && i < o->ninitrd; i++) {
		st = open_input(&o->initrd[i], &bp->files->initrd[i], &bp->initrd_src[i]);
		bp->ninitrd_file = i + 1;
	}
	if (!EFI_ERROR(st))
		st = read_dtb(bp);
	if (!EFI_ERROR(st))
		st = efi_status_from_rt(boot_inputs(bp));
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

/*
 * A kernel handed over (EFIKEXEC_INPUT_HANDOVER) lies in pages efikexec
 * owns: when it can run where it lies, those pages become free memory of
 * the plan's map that only this plan claims, and the kernel's load
 * address is where its bytes are - nothing is copied. Returns that base,
 * or 0 (read from the buffer like any other) saying why not.
 */
static uint64_t handover_base(struct boot_plan *bp, uint64_t kmin)
{
	const struct boot_req *o = bp->o;
	const struct ld_kernel *k = bp->k;
	const struct ld_piece *p = &k->piece[0];
	const struct ld_src *s = k->src;
	uint64_t bstart = (uintptr_t)o->kernel.buf, bend = bstart + PAGE_ALIGN(o->kernel.size);
	uint64_t off = 0, at, base, end, lo = k->min, hi = k->max;
	static struct memmap before;
	const char *why = NULL;

	if (!o->kernel_handover)
		return 0;
	efi_platform_hold(0, 0);
	/* a slice (a UKI's .linux) is bytes of its parent; the outermost
	 * source must be the buffer itself, not a stream inflating it */
	for (; s->parent; s = s->parent)
		off += s->base;
	at = bstart + off + p->src_off - p->mem_off;
	base = at - k->load_offset;
	end = at + PAGE_ALIGN(k->memsz);
	if (kmin > lo)
		lo = kmin;
	if (o->mem_min > lo)
		lo = o->mem_min;
	if (o->mem_max && (!hi || o->mem_max < hi))
		hi = o->mem_max;
	if (s->stream || s->ctx != o->kernel.buf)
		why = "its bytes are inflated or converted first, so they are not where the buffer has them";
	else if (k->fixed || k->npieces != 1 || !p->filesz)
		why = "it is not one piece that may run anywhere";
	else if ((at & (KIMAGE_PAGE_SIZE - 1)) || (base & (k->align - 1)))
		why = "its bytes are not at its alignment";
	else if (base < lo || (hi && end > hi))
		why = "that is outside the range it may run in";
	for (size_t i = 0; !why && i < bp->navoid; i++)
		if (bp->avoid[i].start < end && at - k->load_offset < bp->avoid[i].end)
			why = "that overlaps memory that must stay intact until the kernel runs";
	before = bp->map;
	if (!why && memmap_set_type(&bp->map, at, end < bend ? end : bend, MEM_FREE) != RT_OK)
		why = "the memory map cannot take it";
	if (!why && !memmap_covers(&bp->map, at, end, MEM_MASK_RAM))
		why = "the room it needs past its file is not all RAM";
	if (why) {
		rt_log(RT_LOG_INFO, "boot", "%s: handed over at %#llx, to run at %#llx, but %s: read from there",
		       bp->kernel_name, (unsigned long long)bstart, (unsigned long long)at, why);
		bp->map = before;
		return 0;
	}
	efi_platform_hold(at, end < bend ? end : bend);
	rt_log(RT_LOG_INFO, "boot", "%s: handed over at %#llx; runs where it lies, at %#llx", bp->kernel_name,
	       (unsigned long long)bstart, (unsigned long long)at);
	return base;
}

EFI_STATUS kexec_place(struct boot_plan *bp)
{
	const struct purgatory_header *ph = purgatory_hdr();
	uint64_t kmin = 0;
	EFI_STATUS st;

	st = read_plan_map(bp);
	if (EFI_ERROR(st))
		return st;
	bp->navoid = arch_avoid(bp, bp->avoid, BOOT_MAX_AVOID);
	if (bp->navoid > BOOT_MAX_AVOID)
		return efi_fail(EFI_OUT_OF_RESOURCES, "boot",
				"%zu ranges to keep clear of, more than the %u efikexec handles",
				bp->navoid, BOOT_MAX_AVOID);
	if (bp->hooks && bp->hooks->avoid)
		bp->navoid += bp->hooks->avoid(bp, bp->avoid + bp->navoid, 4, &kmin);
	st = efi_status_from_rt(boot_place(bp, ph, kmin, handover_base(bp, kmin)));
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
	st = efi_status_from_rt(boot_plan_image(bp, ph, &efi_platform));
	/* entered with boot services running, nothing copies after the exit:
	 * every page must be loaded where it runs */
	/* nor does it leave room for what a front end adds at the exit: the
	 * capture region's arming is made from efikexec's final map */
	if (!EFI_ERROR(st) && firmware_entry(bp) && bp->hooks)
		return efi_fail(EFI_UNSUPPORTED, "boot",
				"%s: a capture kernel cannot be armed for a payload entered with boot services running (it reads the firmware's memory map at its own ExitBootServices, past efikexec's arming)",
				bp->kernel_name);
	if (!EFI_ERROR(st) && firmware_entry(bp) && bp->img.pages_staged)
		return efi_fail(EFI_OUT_OF_RESOURCES, "boot",
				"%s: its EFI entry runs with boot services, where nothing can copy staged pages, and %llu pages of the plan could not be loaded where they run",
				bp->kernel_name, (unsigned long long)bp->img.pages_staged);
	return st;
}


/* One pass per byte: segment `seg`'s XXH64 is taken as its bytes arrive
 * (p; NULL: n zeros), while they are in cache, when they arrive in order
 * from offset 0; anything else marks it for a sweep (add_region). */
static void feed(struct boot_plan *bp, unsigned seg, uint64_t off, const void *p, uint64_t n)
{
	struct seg_stream *s = &bp->stream[seg];

	if (bp->o->verify_sha256 || !bp->o->verify)
		return;
	if (!s->started) {
		xxh64_init(&s->c, 0);
		s->started = true;
	}
	if (s->broken || off != s->next) {
		s->broken = true;
		return;
	}
	if (p)
		xxh64_update(&s->c, p, (size_t)n);
	else
		xxh64_update_zeros(&s->c, n);
	s->next += n;
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
			if (rs == RT_OK)
				feed(bp, seg, off, p, n);
		}
		if (rs != RT_OK)
			return efi_status_from_rt(rs);
		off += n;
		soff += n;
		len -= n;
	}
	return EFI_SUCCESS;
}

/* Where a load's time goes (counter ticks at each step), said after the
 * digests are taken: the kernel's bytes (read, decompressed), its
 * relocation, the initrds, the digests. */
enum { T_START, T_KERNEL, T_RELOC, T_INITRD, T_DIGESTS, T_N };
static uint64_t t_load[T_N];

static uint64_t ms(uint64_t ticks)
{
	return efikexec_counter_usec(ticks) / 1000;
}

/* The one line a boot says by default (RT_LOG_NOTE; the plan is INFO):
 * what is entered - its description up to the measurement's clause - from
 * where (its path on the volume, or its URL), and how long its load took. */
static void say_entering(const struct boot_plan *bp)
{
	const char *d = bp->k->desc, *more;
	int n = 0;

	while (d[n] && !(d[n] == ';' && d[n + 1] == ' ') && n < 96)
		n++;
	more = d[n] && d[n] != ';' ? "..." : "";
	if (bp->cap)
		rt_log(RT_LOG_NOTE, "boot", "entering the capture kernel %s (%.*s%s)", bp->kernel_name, n, d, more);
	else
		rt_log(RT_LOG_NOTE, "boot", "entering %s (%.*s%s), loaded in %llu ms", bp->kernel_name, n, d, more,
		       (unsigned long long)ms(t_load[T_DIGESTS] - t_load[T_START]));
}

static EFI_STATUS load_segments(struct boot_plan *bp)
{
	const struct purgatory_header *ph = purgatory_hdr();
	static const uint8_t zeros[KIMAGE_PAGE_SIZE]; /* the gap before the next part: < 4 bytes, < a page for modules */
	EFI_STATUS st;

	t_load[T_START] = efikexec_counter();

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
		feed(bp, bp->seg_kernel[i], p->filesz, NULL, bp->img.segment[bp->seg_kernel[i]].memsz - p->filesz);
	}
	t_load[T_KERNEL] = efikexec_counter();
	if (bp->k->direct.on && bp->kaslr_offset && (st = efi_status_from_rt(boot_relocate_kernel(bp))))
		return st;
	t_load[T_RELOC] = efikexec_counter();
	for (unsigned i = 0; i < bp->ninitrd; i++) {
		const struct boot_initrd *r = &bp->initrd[i];
		uint64_t end = r->off + r->len;
		uint64_t next = i + 1 < bp->ninitrd ? bp->initrd[i + 1].off : end;
		st = read_into(bp, bp->seg_initrd, r->off, r->src, r->src_off, r->len);
		if (EFI_ERROR(st))
			return st;
		if (next > end) {
			kimage_write(&bp->img, bp->seg_initrd, end, zeros, next - end);
			feed(bp, bp->seg_initrd, end, NULL, next - end);
		}
	}
	if (bp->seg_initrd != BOOT_NO_SEG) {
		kimage_zero(&bp->img, bp->seg_initrd, bp->initrd_size);
		feed(bp, bp->seg_initrd, bp->initrd_size, NULL,
		     bp->img.segment[bp->seg_initrd].memsz - bp->initrd_size);
	}
	kimage_write(&bp->img, bp->seg_purgatory, 0, purgatory_blob, ph->filesz);
	kimage_zero(&bp->img, bp->seg_purgatory, ph->filesz);
	t_load[T_INITRD] = efikexec_counter();
	return EFI_SUCCESS;
}

/* A region purgatory checks: all of segment `seg`. XXH64: the digest
 * taken while it was loaded (feed), else a sweep of where its bytes lie
 * now (destination or staging pages). SHA-256: a sweep - or, capturing,
 * the digest the arming took of exactly that range (checked already: not
 * hashed twice). */
static void add_region(struct boot_plan *bp, unsigned seg)
{
	struct purgatory_region *r = &bp->pparams.region[bp->pparams.nr_regions++];
	const struct seg_stream *s = &bp->stream[seg];
	uint64_t x = 0;

	r->mem = bp->img.segment[seg].mem;
	r->len = bp->img.segment[seg].memsz;
	if (!(bp->pparams.flags & PURGATORY_F_VERIFY))
		return;
	if (bp->pparams.flags & PURGATORY_F_SHA256) {
		for (int i = 0; bp->cap && i < CAPTURE_D_COUNT; i++)
			if (bp->cap->digest[i].len && bp->cap->digest[i].mem == r->mem &&
			    bp->cap->digest[i].len == r->len) {
				RT_FN(memcpy)(r->digest, bp->cap->digest[i].sha256, sizeof(r->digest));
				return;
			}
		kimage_digest(&bp->img, seg, r->digest);
		return;
	}
	if (s->started && !s->broken && s->next == r->len)
		x = xxh64_final(&s->c);
	else
		kimage_digest_xxh64(&bp->img, seg, &x);
	RT_FN(memset)(r->digest, 0, sizeof(r->digest));
	for (unsigned j = 0; j < 8; j++)
		r->digest[j] = (uint8_t)(x >> (8 * j));
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
#ifdef EFIKEXEC_TEST_HOOKS
	/* the fault-injection test walks every one of these */
	rt_log(RT_LOG_INFO, "test", "%u firmware calls counted before ExitBootServices", efi_faults_counted());
#endif
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

/*
 * A Multiboot2 payload's EFI amd64 entry, boot services running (Xen's
 * xen.gz): no ExitBootServices, no relocation, no purgatory - the payload
 * calls ExitBootServices itself and keeps the runtime services and ACPI
 * for its dom0. Its information is made from the memory map as it is now.
 * Between the load and the call its bytes lie in pages efikexec allocated
 * at their addresses (every segment in place: kexec_place); they are
 * checked against the digests taken as they were read, here, just before
 * the call. Returns only if the payload does, or on a failure before it.
 */
static EFI_STATUS enter_with_boot_services(struct boot_plan *bp)
{
	static struct memmap now;
	size_t len = 0;
	int bad;
	EFI_STATUS st;

	st = efi_memmap_now(&now);
	if (!EFI_ERROR(st))
		st = efi_status_from_rt(arch_firmware_info(bp, &now, &len));
	if (!EFI_ERROR(st) && kimage_write(&bp->img, bp->seg_params, 0, bp->params_shadow, bp->params_size) != RT_OK)
		st = efi_fail(EFI_DEVICE_ERROR, "boot", "cannot write the boot information");
	if (!EFI_ERROR(st) && (bp->pparams.flags & PURGATORY_F_VERIFY)) {
		add_region(bp, bp->seg_params);
		if (bp->o->test_corrupt >= 0)
			test_corrupt(bp, (unsigned)bp->o->test_corrupt);
		if ((bad = purgatory_check_regions(&bp->pparams)) >= 0)
			st = efi_fail(EFI_COMPROMISED_DATA, "boot",
				      "%s: region %d [%#llx, +%#llx) changed between its load and the entry (%s); not entered",
				      bp->kernel_name, bad, (unsigned long long)bp->pparams.region[bad].mem,
				      (unsigned long long)bp->pparams.region[bad].len, purgatory_check_name(&bp->pparams));
		else
			rt_log(RT_LOG_INFO, "boot", "%u regions verified (%s) before the entry", bp->pparams.nr_regions,
			       purgatory_check_name(&bp->pparams));
	}
	if (EFI_ERROR(st)) {
		handoff_undo(bp);
		return st;
	}
	rt_log(RT_LOG_INFO, "boot", "%s: its EFI amd64 entry %#llx, boot services running (boot information at %#llx, %zu bytes)",
	       bp->kernel_name, (unsigned long long)bp->entry, (unsigned long long)bp->params_mem, len);
	say_entering(bp);
	st = efi_status_from_rt(arch_firmware_enter(bp, bp->params_mem));
	handoff_undo(bp);
	return st;
}

/* Loads what is still to load, leaves boot services and enters purgatory;
 * returns only on a failure before the exit, everything released. */
EFI_STATUS kexec_load_and_enter(struct boot_plan *bp)
{
	const struct boot_req *o = bp->o;
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
		st = kexec_finish_inputs(bp); /* before anything of them is measured or entered */
	if (!EFI_ERROR(st))
		st = efi_status_from_rt(arch_prepare(bp));
	if (EFI_ERROR(st))
		return st;
	bp->pparams.magic = PURGATORY_MAGIC;
	bp->pparams.entry = bp->entry;
	bp->pparams.arg0 = bp->params_mem;
	bp->pparams.uart = arch_uart(bp);
	/* a capture boot checks the SHA-256 digests its arming took */
	bp->pparams.flags = (o->verify ? PURGATORY_F_VERIFY : 0) | (o->verbose ? PURGATORY_F_VERBOSE : 0) |
			    (o->verify_sha256 || bp->cap ? PURGATORY_F_SHA256 : 0);
	for (unsigned i = 0; i < bp->k->npieces; i++)
		if (bp->seg_kernel[i] != BOOT_NO_SEG)
			add_region(bp, bp->seg_kernel[i]);
	if (bp->seg_initrd != BOOT_NO_SEG)
		add_region(bp, bp->seg_initrd);
	if (!bp->cap) {
		t_load[T_DIGESTS] = efikexec_counter();
		rt_log(RT_LOG_INFO, "boot", "%s loaded in %llu ms: the kernel %llu ms, its relocation %llu ms, the initrds %llu ms, the digests %llu ms",
		       bp->kernel_name, (unsigned long long)ms(t_load[T_DIGESTS] - t_load[T_START]),
		       (unsigned long long)ms(t_load[T_KERNEL] - t_load[T_START]),
		       (unsigned long long)ms(t_load[T_RELOC] - t_load[T_KERNEL]),
		       (unsigned long long)ms(t_load[T_INITRD] - t_load[T_RELOC]),
		       (unsigned long long)ms(t_load[T_DIGESTS] - t_load[T_INITRD]));
	}

	/* With a TPM: what is loaded is measured, then the event log that
	 * holds it is handed on (efi/trust.h); taken back on a failure below. */
	trust_measure(bp);
	trust_handoff();
	if (!bp->cap && bp->k->uki.is)
		uki_export(bp);
	if (firmware_entry(bp))
		return enter_with_boot_services(bp);

	/* The map must fit where the hand-off data has room for it. */
	{
		UINTN size = 0, key, dsize;
		UINT32 dver;
		efi_bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
		if (size + 8 * dsize > bp->mm_room) {
			handoff_undo(bp);
			return efi_fail(EFI_BUFFER_TOO_SMALL, "boot",
					"the memory map grew to %llu bytes, more than the %llu reserved for it",
					(unsigned long long)size, (unsigned long long)bp->mm_room);
		}
	}
	if (bp->hooks && bp->hooks->before_exit) {
		st = bp->hooks->before_exit(bp);
		if (EFI_ERROR(st)) {
			handoff_undo(bp);
			return st;
		}
	}
#ifdef EFIKEXEC_TEST_HOOKS
	/* A failure the boot survived (an optional protocol, a smaller
	 * allocation): stop here, so the fault test's loop goes on in the
	 * same firmware session. */
	if (efi_faults_hit()) {
		handoff_undo(bp);
		return efi_fail(EFI_ABORTED, "test", "the boot survived the injected failure; stopping before ExitBootServices");
	}
#endif
	say_entering(bp);
	if (bp->ld)
		ld_ctx_abandon(bp->ld);
	close_files(bp);
	/* The image's bookkeeping stays: it is read until the jump, and is
	 * the kernel's free memory after it. */
	st = exit_boot_services(bp);
	if (EFI_ERROR(st)) {
		handoff_undo(bp);
		return st;
	}
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

EFI_STATUS kexec_capture(const struct boot_req *o, const struct capture_desc *d,
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
	bp->ld->machine = bp->arch->machine;
	bp->ld->direct_entry = false; /* as it was armed (efi/capture.c open_capture) */
	rs = ld_load(bp->ld, &head);
	if (rs == RT_OK) {
		bp->k = &bp->ld->k;
		bp->kernel_name = d->kernel_path;
		st = read_dtb(bp);
		if (!EFI_ERROR(st) && (rs = boot_choose_dtb(bp)) == RT_OK)
			rs = bp->arch->inputs(bp);
		if (!EFI_ERROR(st))
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
	bp->cmdline = RT_FN(malloc)(len);
	if (!bp->cmdline) {
		st = efi_fail(EFI_OUT_OF_RESOURCES, "capture", "no pool for a command line of %zu bytes", len);
		goto fail;
	}
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
	bp->params_size = bp->arch->params_size(bp);
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
	if ((rs = boot_add_kernel_segments(bp)) ||
	    (bp->ninitrd &&
	     (rs = boot_add_segment(bp, bp->initrd_size, bp->initrd_mem, bp->initrd_size, &bp->seg_initrd))) ||
	    (rs = boot_add_segment(bp, bp->params_size, bp->params_mem, bp->params_size, &bp->seg_params)) ||
	    (rs = boot_add_segment(bp, CAPTURE_COREHDR_SIZE, bp->corehdr_mem, CAPTURE_COREHDR_SIZE,
				   &bp->seg_corehdr)) ||
	    (rs = boot_add_segment(bp, ph->filesz, bp->purgatory_mem, ph->memsz, &bp->seg_purgatory))) {
		st = efi_status_from_rt(rs);
		goto fail;
	}
	{
		rs = kimage_plan(&bp->img, bp->arch->control_pages(bp));
		if (rs != RT_OK) {
			st = efi_fail(efi_status_from_rt(rs), "capture", "cannot plan the capture image: %s",
				      rt_status_name(rs));
			goto fail;
		}
	}
	boot_print_plan(bp);
	st = kexec_load_and_enter(bp);
fail:
	kexec_release(bp);
	return st;
}
