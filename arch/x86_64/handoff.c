/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * handoff.c - x86_64 behind arch/arch.h: the bzImage, its boot_params,
 * the identity map, the trampoline and the jump.
 *
 * The hand-off segment (bp->params_shadow, built in pool and written into
 * the segment after ExitBootServices) is laid out as
 *   0x0000     boot_params (one page)
 *   0x1000     the command line, NUL-terminated
 *   rng_off    setup_data SETUP_RNG_SEED, 32 bytes (when firmware has a RNG)
 *   e820_off   setup_data SETUP_E820_EXT, room for one entry per descriptor
 *   mm_off     the final EFI memory map (efi_info points here)
 */
#include "../../lib/sha256.h"
#include "../arch.h"
#include "../../boot/bzimage.h"
#include "handoff.h"
#include "state.h"
#include "io.h"
#include "pagetable.h"
#include "../../boot/multiboot2.h"
#include "sha256-ni.h"

#define CR4_LA57 (1ull << 12)


/* relocate.asm */
extern void x86_relocate(uint64_t head, uint64_t entry, uint64_t cr3, uint64_t control)
	__attribute__((noreturn, sysv_abi));
extern const uint8_t x86_relocate_body[] __attribute__((visibility("hidden")));
extern const uint8_t x86_relocate_body_end[] __attribute__((visibility("hidden")));

bool arch_la57(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return cr4 & CR4_LA57;
}

size_t arch_avoid(const struct boot_plan *bp, struct mem_span *out, size_t max)
{
	/* The trampoline runs on its own page tables in the control pages,
	 * from its copy there: nothing else must stay intact. */
	return 0;
}

rt_status arch_prepare(struct boot_plan *bp)
{
	struct bz_boot_params *p = (struct bz_boot_params *)bp->params_shadow;
	struct bz_load ld = {
		.kernel = bp->kernel_base,
		.cmdline = bp->params_mem + 0x1000,
		.initrd = bp->ninitrd ? bp->initrd_mem : 0,
		.initrd_size = bp->ninitrd ? bp->initrd_size : 0,
		.acpi_rsdp = bp->fw->acpi_rsdp,
	};
	struct bz_setup_data *seed = (void *)(bp->params_shadow + x86.rng_off);
	uint64_t ctrl = bp->img.control_page, body = (uint64_t)(x86_relocate_body_end - x86_relocate_body);
	uint8_t *cp = (uint8_t *)(uintptr_t)ctrl;
	/* null, unused, BOOT_CS, BOOT_DS (the values of segments.inc) */
	static const uint64_t gdt[4] = { 0, 0, 0x00af9a000000ffffull, 0x00cf92000000ffffull };
	uint16_t limit = sizeof(gdt) - 1;

	/* a Multiboot2 payload's information is made at the exit (arch_finish) */
	if (bp->k->handoff == LD_HANDOFF_LINUX) {
		bzimage_boot_params(p, bp->k->ho.bz.hdr, bp->k->ho.bz.end, &ld);
		RT_FN(memcpy)(bp->params_shadow + 0x1000, bp->cmdline, bp->cmdline_len + 1);
		/* entered past its decompressor, which would set it (misc.c
		 * choose_random_location): KASLR_FLAG as the stub sets it */
		if (bp->k->direct.on && bp->kaslr)
			p->loadflags |= BZ_KASLR_FLAG;
		else
			p->loadflags &= (uint8_t)~BZ_KASLR_FLAG;
	}
	if (bp->fw->has_fb && bp->k->handoff == LD_HANDOFF_LINUX) {
		const struct fw_fb *f = &bp->fw->fb;
		struct bz_fb fb = { f->base, f->size, f->width, f->height, f->stride_pixels,
				    f->red, f->green, f->blue, f->rsvd };
		bzimage_screen_info(&p->screen_info, &fb);
		rt_log(RT_LOG_DEBUG, "boot", "framebuffer %ux%u at %#llx", fb.width, fb.height,
		       (unsigned long long)fb.base);
	}
	if (bp->fw->rng_len >= RNG_SEED_BYTES && bp->k->handoff == LD_HANDOFF_LINUX) {
		RT_FN(memcpy)(seed->data, bp->fw->rng, RNG_SEED_BYTES);
		bzimage_add_setup_data(p, seed, bp->params_mem + x86.rng_off, SETUP_RNG_SEED, RNG_SEED_BYTES);
		rt_log(RT_LOG_DEBUG, "boot", "%u bytes of EFI_RNG_PROTOCOL seed as SETUP_RNG_SEED",
		       RNG_SEED_BYTES);
	}
	if (!ld.acpi_rsdp)
		rt_log(RT_LOG_WARN, "boot", "no ACPI table in the EFI configuration table");

	/* control pages: trampoline body, GDT, stack, identity map */
	if (body > X86_CTRL_GDT)
		return rt_fail(RT_E2BIG, "boot", "relocation trampoline of %llu bytes > %#x",
			       (unsigned long long)body, X86_CTRL_GDT);
	RT_FN(memset)(cp, 0, bp->img.control_pages * KIMAGE_PAGE_SIZE);
	RT_FN(memcpy)(cp, x86_relocate_body, body);
	RT_FN(memcpy)(cp + X86_CTRL_GDT, gdt, sizeof(gdt));
	RT_FN(memcpy)(cp + X86_CTRL_GDTR, &limit, sizeof(limit));
	x86.cr3 = x86_pt_build(cp + X86_CTRL_TABLES, ctrl + X86_CTRL_TABLES,
			       bp->img.control_pages - X86_CTRL_FIXED_PAGES, x86_map_end(bp), x86.la57);
	if (!x86.cr3)
		return rt_fail(RT_E2BIG, "boot", "page tables do not fit the control pages");
	rt_log(RT_LOG_DEBUG, "boot", "identity map of [0, %#llx) in %llu pages at %#llx%s",
	       (unsigned long long)x86_map_end(bp),
	       (unsigned long long)(bp->img.control_pages - X86_CTRL_FIXED_PAGES),
	       (unsigned long long)x86.cr3, x86.la57 ? ", 5-level" : "");
	return RT_OK;
}

/*
 * A Multiboot2 payload's information, from the final map: the EBDA page
 * purgatory makes is reserved in it (boot/place.c choose_ebda), and
 * purgatory learns what to make and that it enters in 32-bit mode.
 */
static rt_status finish_multiboot2(struct boot_plan *bp)
{
	static struct memmap map;
	size_t len;
	rt_status rs;

	map = bp->final_map;
	if (bp->ebda && (rs = memmap_set_type(&map, bp->ebda, bp->ebda + KIMAGE_PAGE_SIZE, MEM_RESERVED)))
		return rs;
	x86_mb2_final(bp, &map);
	rs = mb2_info_build(bp->params_shadow, bp->params_size, &x86.mb2, &len);
	if (rs != RT_OK)
		return rs;
	bp->pparams.flags |= PURGATORY_F_MULTIBOOT2;
	if (bp->ebda && bp->fw->rsdp_len <= sizeof(bp->pparams.rsdp)) {
		bp->pparams.ebda = bp->ebda;
		bp->pparams.rsdp_len = bp->fw->rsdp_len;
		RT_FN(memcpy)(bp->pparams.rsdp, bp->fw->rsdp, bp->fw->rsdp_len);
	}
	return RT_OK;
}

rt_status arch_firmware_info(struct boot_plan *bp, const struct memmap *map, size_t *len)
{
	if (bp->k->handoff != LD_HANDOFF_MULTIBOOT2 || !mb2_efi64(&bp->k->ho.mb2))
		return rt_fail(RT_ENOTSUP, "boot", "%s: no EFI entry to enter with boot services running",
			       bp->kernel_name);
	x86_mb2_final(bp, map);
	return mb2_info_build(bp->params_shadow, bp->params_size, &x86.mb2, len);
}

/*
 * The EFI amd64 machine state (Multiboot2 spec 3.5): RAX the magic, RBX
 * the information's address, everything else as UEFI's x64 boot services
 * environment has it (UEFI 2.10, 2.3.4: long mode, the firmware's identity
 * map and GDT) - GRUB 2.06's relocator64_efi enters so. The payload never
 * returns to a loader that keeps nothing for it; if it does, so do we.
 */
rt_status arch_firmware_enter(struct boot_plan *bp, uint64_t info)
{
	uint64_t entry = bp->entry;

	arch_fini(); /* the firmware's FS base, as it left it */
	__asm__ volatile("mov %[info], %%rbx\n\t"
			 "mov %[magic], %%eax\n\t"
			 "call *%[entry]"
			 :
			 : [info] "r"(info), [magic] "i"(MB2_BOOT_MAGIC), [entry] "r"(entry)
			 : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
	arch_init();
	return rt_fail(RT_EINVAL, "boot", "%s: its EFI entry returned", bp->kernel_name);
}

rt_status arch_finish(struct boot_plan *bp)
{
	static struct bz_e820_entry e820[MEMMAP_MAX];
	struct bz_boot_params *p = (struct bz_boot_params *)bp->params_shadow;
	uint64_t mm = bp->params_mem + x86.mm_off;
	uint64_t systab = bp->fw->systab;
	size_t n;

	/* Boot services are gone, and their interrupt handlers with them:
	 * nothing may interrupt from here to the kernel (EDK2 turns them off in
	 * ExitBootServices too; other firmware need not). */
	__asm__ volatile("cli");
	if (bp->mm.size > bp->mm_room)
		return rt_fail(RT_E2BIG, "boot", "final memory map of %llu bytes > room %llu",
			       (unsigned long long)bp->mm.size, (unsigned long long)bp->mm_room);
	if (bp->k->handoff == LD_HANDOFF_MULTIBOOT2)
		return finish_multiboot2(bp);
	/* A capture kernel gets no EFI: its RAM is the region alone (and the
	 * low RAM its real-mode trampoline needs), told by e820; an EFI memory
	 * map would hand it the crashed system's memory, and its decompressor's
	 * KASLR would pick a place there. */
	/* What the firmware's Secure Boot state is, as the EFI stub would say
	 * (x86-stub.c sets it only while 0): Debian's kernels lock down on 3
	 * (setup_arch() -> efi_set_secure_boot), and only when EFI booted. */
	p->secure_boot = (uint8_t)bp->fw->secure_boot;
	if (!bp->cap) {
		RT_FN(memcpy)(bp->params_shadow + x86.mm_off, bp->mm.buf, bp->mm.size);
		/* efi_info: "EL64" says a 64-bit loader (bootparam.h EFI64_LOADER_SIGNATURE) */
		RT_FN(memcpy)(&p->efi_loader_signature, "EL64", 4);
		p->efi_systab = (uint32_t)systab;
		p->efi_systab_hi = (uint32_t)(systab >> 32);
		p->efi_memdesc_size = (uint32_t)bp->mm.desc_size;
		p->efi_memdesc_version = bp->mm.desc_version;
		p->efi_memmap = (uint32_t)mm;
		p->efi_memmap_hi = (uint32_t)(mm >> 32);
		p->efi_memmap_size = (uint32_t)bp->mm.size;
	}
	n = bzimage_e820(bp->cap ? &bp->cap_map : &bp->final_map, e820, MEMMAP_MAX);
	if (n > MEMMAP_MAX || n - (n > BZ_E820_ZEROPAGE_MAX ? BZ_E820_ZEROPAGE_MAX : n) > x86.e820_room)
		return rt_fail(RT_E2BIG, "boot", "e820 table of %zu entries does not fit", n);
	bzimage_set_e820(p, e820, n, (struct bz_setup_data *)(bp->params_shadow + x86.e820_off),
			 bp->params_mem + x86.e820_off);
	return RT_OK;
}

void arch_release(struct boot_plan *bp)
{
}

/*
 * What OVMF rewrites on a warm reset (measured: page 0, 0xC0000, the fixed
 * PEI memory 0x800000-0x1704000 where a kernel that is not moved by KASLR
 * lies, and about 25 MiB below the top of RAM under 4 GiB; nothing above
 * 4 GiB). The window leaves 32 MiB at the bottom and 64 MiB at the top of
 * the RAM below 4 GiB; a capture kernel needs memory below 4 GiB for DMA.
 */
#define X86_CAPTURE_LO (32ull << 20)
#define X86_CAPTURE_TOP_MARGIN (64ull << 20)

void arch_capture_window(const struct memmap *m, uint64_t *lo, uint64_t *hi)
{
	uint64_t top = 0;

	for (size_t i = 0; i < m->n; i++)
		if ((MEM_MASK(m->r[i].type) & MEM_MASK_RAM) && m->r[i].start < (1ull << 32)) {
			uint64_t e = m->r[i].end < (1ull << 32) ? m->r[i].end : 1ull << 32;
			if (e > top)
				top = e;
		}
	*lo = X86_CAPTURE_LO;
	*hi = top > X86_CAPTURE_LO + X86_CAPTURE_TOP_MARGIN ? top - X86_CAPTURE_TOP_MARGIN : X86_CAPTURE_LO;
}

size_t arch_capture_rewritten(const struct memmap *m, struct mem_span *out, size_t max)
{
	if (!max)
		return 0;
	/* the fixed PEI memory (below 1 MiB the kernel never takes RAM) */
	out[0] = (struct mem_span){ 0x800000, 0x1800000 };
	return 1;
}

uint16_t arch_elf_machine(void)
{
	return CAPTURE_EM_X86_64;
}

struct ram_view {
	const struct mem_span *ram;
	size_t n;
};

static bool read_old(void *ctx, uint64_t phys, uint64_t *val)
{
	const struct ram_view *v = ctx;

	for (size_t i = 0; i < v->n; i++)
		if (phys >= v->ram[i].start && phys + 8 <= v->ram[i].end && !(phys & 7)) {
			*val = *(const volatile uint64_t *)(uintptr_t)phys;
			return true;
		}
	return false;
}

/* __START_KERNEL_map (arch/x86/include/asm/page_64_types.h): the kernel
 * image's mapping; __pa_symbol(x) = x - __START_KERNEL_map + phys_base. */
#define X86_START_KERNEL_MAP 0xffffffff80000000ull

bool arch_dump_vaddr(const void *note, size_t len, const struct mem_span *ram, size_t nram,
		     uint64_t *delta)
{
	uint64_t pgt, phys_base, l5 = 0, sme = 0;
	struct ram_view v = { ram, nram };

	if (!capture_vmcoreinfo_value(note, len, "SYMBOL(init_top_pgt)", &pgt) ||
	    !capture_vmcoreinfo_value(note, len, "NUMBER(phys_base)", &phys_base) ||
	    pgt < X86_START_KERNEL_MAP)
		return false;
	capture_vmcoreinfo_value(note, len, "NUMBER(pgtable_l5_enabled)", &l5);
	capture_vmcoreinfo_value(note, len, "NUMBER(sme_mask)", &sme);
	return capture_x86_page_offset(read_old, &v, pgt - X86_START_KERNEL_MAP + phys_base, l5 != 0,
				       sme, delta);
}

/*
 * Debian's amd64 static libraries (libz.a, libzstd.a, built with the
 * stack protector) read their canary at %fs:0x28, the glibc TCB's
 * stack_guard. Firmware sets no FS base: 0x28 would be read from page 0,
 * which firmware may unmap (NULL detection) or change under a running
 * function. So FS points at a block of efikexec's own while it runs, and
 * gets its old base back before efikexec returns; the kernel sets its own.
 * IA32_FS_BASE is MSR 0xc0000100 (Intel SDM vol. 4, table 2-2).
 */
#define MSR_FS_BASE 0xc0000100u
static uint64_t tcb[8] __attribute__((aligned(64)));
static uint64_t saved_fs_base;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void arch_init(void)
{
	static bool checked;

	/* SHA-256 with the SHA extensions when CPUID has them (once: the
	 * library calls this at every entry). QEMU 7.2's TCG, which the
	 * tests run on, does not offer them; the host unit test checks the
	 * code against the portable one on a CPU that does. */
	if (!checked) {
		checked = true;
		if (x86_sha256_ni_usable()) {
			if (!sha256_set_blocks(x86_sha256_ni_blocks))
				rt_log(RT_LOG_WARN, "sha256", "the SHA extensions disagree with the portable code: not used");
			else
				rt_log(RT_LOG_DEBUG, "sha256", "using the SHA extensions (SHA-NI)");
		}
	}
	tcb[0x28 / 8] = 0x3e1f5c0a9b2d4700ull; /* a zero low byte stops string copies */
	saved_fs_base = rdmsr(MSR_FS_BASE);
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)tcb);
}

void arch_fini(void)
{
	wrmsr(MSR_FS_BASE, saved_fs_base);
}

uint64_t arch_uart(const struct boot_plan *bp)
{
	return X86_COM1;
}

void arch_enter(struct boot_plan *bp)
{
	x86_relocate(bp->img.head, bp->purgatory_entry, x86.cr3, bp->img.control_page);
}

void arch_serial_write(const char *s)
{
	for (; *s; s++)
		x86_uart_putc(X86_COM1, *s);
}

void arch_halt(void)
{
	x86_halt();
}
