/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * handoff.c - aarch64 behind arch/arch.h: the arm64 Image, its device
 * tree, the firmware's translation tables kept clear, and the jump.
 *
 * The hand-off segment (bp->params_shadow, written into the segment after
 * ExitBootServices) holds the device tree, then, page-aligned, the final
 * EFI memory map that /chosen linux,uefi-mmap-start points to (the kernel
 * reserves it: drivers/firmware/efi/efi-init.c).
 *
 * Runtime services: the kernel maps every EFI_MEMORY_RUNTIME region at the
 * VirtualStart the map it is given says (arm-runtime.c, efi_virtmap_init)
 * and never calls SetVirtualAddressMap on arm64 - the EFI stub does, before
 * it enters the kernel. efikexec gives every runtime region VirtualStart =
 * PhysicalStart and leaves the firmware in physical mode, so the addresses
 * the firmware uses and the ones the kernel maps agree (the stub's
 * efi=novamap arrangement).
 */
#include "../arch.h"
#include "../../boot/arm64.h"
#include "../../boot/dtb.h"
#include "cpu.h"
#include "pl011.h"
#include "state.h"


/* relocate.S */
extern void aarch64_relocate(uint64_t head, uint64_t entry, uint64_t stack_top,
			     const struct clean_range *clean, uint64_t nclean, uint64_t ticks,
			     uint64_t params) __attribute__((noreturn));
extern const uint8_t aarch64_relocate_start[] __asm__("aarch64_relocate")
	__attribute__((visibility("hidden")));
extern const uint8_t aarch64_relocate_end[] __attribute__((visibility("hidden")));

void arch_init(void)
{
	static bool checked;

	/* once: the library calls this at every entry */
	if (checked || !a64_can_sha2())
		return;
	checked = true;
	if (!sha256_set_blocks(aarch64_sha256_blocks))
		rt_log(RT_LOG_WARN, "sha256", "the SHA2 instructions disagree with the portable code: not used");
	else
		rt_log(RT_LOG_DEBUG, "sha256", "using the Armv8 SHA2 instructions");
}

void arch_fini(void)
{
}

/* An ACPI table header (ACPI 6.5, 5.2.6): signature, length, ... */
struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

/*
 * The console UART by ACPI's SPCR table (Microsoft's "Serial Port Console
 * Redirection Table": the Generic Address Structure at offset 40, its
 * address at 44), reached through the RSDP in the EFI configuration table
 * and the XSDT. For machines whose firmware has no device tree.
 */
static bool spcr_uart(uint64_t rsdp_addr, uint64_t *base)
{
	const uint8_t *rsdp = (const void *)(uintptr_t)rsdp_addr;
	const struct acpi_header *xsdt;
	uint64_t xsdt_addr;

	if (!rsdp || RT_FN(memcmp)(rsdp, "RSD PTR ", 8) || rsdp[15] < 2)
		return false;
	RT_FN(memcpy)(&xsdt_addr, rsdp + 24, 8);
	xsdt = (const void *)(uintptr_t)xsdt_addr;
	if (!xsdt || RT_FN(memcmp)(xsdt->sig, "XSDT", 4) || xsdt->length < sizeof(*xsdt))
		return false;
	for (uint32_t off = sizeof(*xsdt); off + 8 <= xsdt->length; off += 8) {
		uint64_t t;
		const struct acpi_header *h;
		RT_FN(memcpy)(&t, (const uint8_t *)xsdt + off, 8);
		h = (const void *)(uintptr_t)t;
		if (h && !RT_FN(memcmp)(h->sig, "SPCR", 4) && h->length >= 52) {
			RT_FN(memcpy)(base, (const uint8_t *)h + 44, 8);
			return *base != 0;
		}
	}
	return false;
}

/* --- the firmware's translation tables ---------------------------------------- */

static size_t add_span(struct mem_span *out, size_t n, size_t max, uint64_t start, uint64_t end)
{
	if (n && out[n - 1].end == start) {
		out[n - 1].end = end;
		return n;
	}
	if (n < max)
		out[n] = (struct mem_span){ start, end };
	return n + 1;
}

/* Every table page reachable from `table` at `level` (4 KiB granule:
 * descriptor bits 1:0 == 3 below level 3 is a table; ARM DDI 0487, D8.3). */
static size_t walk_tables(uint64_t table, int level, struct mem_span *out, size_t n, size_t max)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)table;

	n = add_span(out, n, max, table, table + 4096);
	if (level == 3)
		return n;
	for (int i = 0; i < 512; i++)
		if ((t[i] & 3) == 3)
			n = walk_tables(t[i] & 0x0000fffffffff000ull, level + 1, out, n, max);
	return n;
}

/* The firmware's translation tables now (TTBR0_ELx); 0 spans when the
 * layout is not the 4 KiB one this walker knows. */
static size_t firmware_tables(struct mem_span *out, size_t n, size_t max, uint64_t *ttbr_out,
			      uint64_t *tcr_out)
{
	uint64_t ttbr, tcr;
	unsigned t0sz, vabits;

	if (a64_current_el() == 2) {
		__asm__ volatile("mrs %0, ttbr0_el2" : "=r"(ttbr));
		__asm__ volatile("mrs %0, tcr_el2" : "=r"(tcr));
	} else {
		__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(ttbr));
		__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	}
	*ttbr_out = ttbr;
	*tcr_out = tcr;
	t0sz = tcr & 63;
	if (((tcr >> 14) & 3) != 0 || t0sz < 16 || t0sz > 39)
		return n;
	vabits = 64 - t0sz;
	/* 4 KiB granule: level 0 resolves VA bits 47:39, level 1 38:30, ... */
	return walk_tables(ttbr & 0x0000fffffffff000ull, vabits > 39 ? 0 : vabits > 30 ? 1 : 2, out, n, max);
}

bool arch_la57(void)
{
	return false;
}

size_t arch_avoid(const struct boot_plan *bp, struct mem_span *out, size_t max)
{
	uint64_t ttbr, tcr, image = bp->fw->image_base;
	size_t n = 0;

	/* efikexec's own image: the relocation code and its clean list */
	n = add_span(out, n, max, image & ~4095ull, (image + bp->fw->image_size + 4095) & ~4095ull);
	size_t before = n;

	n = firmware_tables(out, n, max, &ttbr, &tcr);
	if (n == before)
		rt_log(RT_LOG_WARN, "boot", "translation granule or T0SZ (TCR %#llx) not the 4 KiB layout: firmware tables not kept clear",
		       (unsigned long long)tcr);
	rt_log(RT_LOG_DEBUG, "boot", "keeping %zu ranges clear: efikexec's image and the firmware's translation tables (TTBR0 %#llx, TCR %#llx)",
	       n, (unsigned long long)ttbr, (unsigned long long)tcr);
	return n;
}

/* --- hand-off ----------------------------------------------------------------- */

rt_status arch_prepare(struct boot_plan *bp)
{
	static struct dtb_boot b;
	rt_status rs;

	RT_FN(memset)(&b, 0, sizeof(b));
	a64.uart = 0;
	a64.modules = false;
	if (!dtb_find_pl011(a64.dtb, &a64.uart) && !spcr_uart(bp->fw->acpi_rsdp, &a64.uart))
		rt_log(RT_LOG_WARN, "dtb", "%s: no PL011 UART, and no ACPI SPCR table: purgatory will be silent",
		       a64.dtb_name);
	rt_log(RT_LOG_DEBUG, "dtb", "UART for purgatory at %#llx; at EL%u", (unsigned long long)a64.uart,
	       a64_current_el());
	b.cmdline = bp->cmdline;
	if (bp->o && bp->o->modules) {
		/* modules in the tree for a payload without EFI (Xen): the
		 * firmware's own memory kept out of its RAM as /memreserve/
		 * (runtime services, ACPI, reserved: the same before and after
		 * the exit) */
		static struct dtb_module mods[BOOT_MAX_INITRDS];
		static struct mem_span keep[MEMMAP_MAX];
		size_t nkeep = 0;
		for (unsigned i = 0; i < bp->ninitrd; i++)
			mods[i] = (struct dtb_module){ bp->initrd_mem + bp->initrd[i].off, bp->initrd[i].len,
						       bp->initrd[i].args };
		for (size_t i = 0; i < bp->map.n && nkeep < MEMMAP_MAX; i++)
			if (!(MEM_MASK(bp->map.r[i].type) & MEM_MASK_RAM))
				keep[nkeep++] = (struct mem_span){ bp->map.r[i].start, bp->map.r[i].end };
		b.mod = mods;
		b.nmod = bp->ninitrd;
		b.keep = keep;
		b.nkeep = nkeep;
		a64.modules = true;
	} else if (bp->ninitrd) {
		b.initrd_start = bp->initrd_mem;
		b.initrd_end = bp->initrd_mem + bp->initrd_size;
	}
	b.systab = bp->fw->systab;
	if (bp->cap) {
		b.elfcorehdr_start = bp->corehdr_mem;
		b.elfcorehdr_size = CAPTURE_COREHDR_SIZE;
		b.usable_start = bp->cap_base;
		b.usable_size = bp->cap_end - bp->cap_base;
	} else if (bp->cap_end && !a64.acpi) {
		/* A tree that describes the machine gets a reserved-memory node
		 * too. Not the empty tree of an ACPI machine: the kernel takes
		 * any node but /chosen there as a device tree to boot with
		 * (dt_is_stub(), arch/arm64/kernel/acpi.c) and would lose ACPI;
		 * the region is reserved in the EFI memory map all the same. */
		b.reserve_start = bp->cap_base;
		b.reserve_size = bp->cap_end - bp->cap_base;
	}
	b.secure_boot = bp->fw->secure_boot;
	/* 32 bytes of rng-seed and 8 of kaslr-seed */
	if (bp->fw->rng_len >= 32 + sizeof(b.kaslr_seed)) {
		RT_FN(memcpy)(b.rng_seed, bp->fw->rng, 32);
		RT_FN(memcpy)(&b.kaslr_seed, bp->fw->rng + 32, sizeof(b.kaslr_seed));
		b.rng_len = 32;
		rt_log(RT_LOG_DEBUG, "boot", "kaslr-seed and 32 bytes of rng-seed from EFI_RNG_PROTOCOL");
	}
	rs = dtb_prepare(a64.dtb_name, a64.dtb, bp->params_shadow, a64.dtb_room, &b);
	if (rs != RT_OK)
		return rs;

	/* The firmware may have made new tables since arch_avoid (splitting
	 * block mappings for the pages efikexec allocated): none may lie where
	 * the copy writes, or the copy would pull them away from under itself. */
	{
		static struct mem_span t[BOOT_MAX_AVOID];
		uint64_t ttbr, tcr;
		size_t nt = firmware_tables(t, 0, BOOT_MAX_AVOID, &ttbr, &tcr);
		for (size_t k = 0; k < nt && k < BOOT_MAX_AVOID; k++)
			for (unsigned i = 0; i < bp->img.nr_segments; i++) {
				const struct kimage_segment *g = &bp->img.segment[i];
				if (!g->scratch && t[k].start < g->mem + g->memsz && g->mem < t[k].end &&
				    bp->img.plan[i].in_place != bp->img.plan[i].npages)
					return rt_fail(RT_ESEG_OVERLAP, "boot",
						       "the firmware's translation table at %#llx lies in segment %u [%#llx, %#llx), which the relocation writes",
						       (unsigned long long)t[k].start, i,
						       (unsigned long long)g->mem,
						       (unsigned long long)(g->mem + g->memsz));
			}
	}
	a64.stack_top = bp->img.control_page + bp->img.control_pages * KIMAGE_PAGE_SIZE;
	a64.nclean = 0;
	for (unsigned i = 0; i < bp->img.nr_segments; i++)
		if (bp->img.segment[i].memsz)
			a64.clean[a64.nclean++] = (struct clean_range){
				bp->img.segment[i].mem, bp->img.segment[i].mem + bp->img.segment[i].memsz };
	/* the relocation code itself: fetched from memory once the MMU is off */
	a64.clean[a64.nclean++] = (struct clean_range){ (uint64_t)(uintptr_t)aarch64_relocate_start,
							 (uint64_t)(uintptr_t)aarch64_relocate_end };
	bp->pparams.reloc_pages = bp->img.pages_staged;
	return RT_OK;
}

/* arm64 has no Multiboot2 payloads: Xen there is an Image (or xen.efi,
 * an EFI application) */
rt_status arch_firmware_info(struct boot_plan *bp, const struct memmap *map, size_t *len)
{
	(void)map;
	(void)len;
	return rt_fail(RT_ENOTSUP, "boot", "%s: no EFI entry to enter with boot services running on aarch64",
		       bp->kernel_name);
}

rt_status arch_firmware_enter(struct boot_plan *bp, uint64_t info)
{
	(void)info;
	return rt_fail(RT_ENOTSUP, "boot", "%s: no EFI entry on aarch64", bp->kernel_name);
}

rt_status arch_finish(struct boot_plan *bp)
{
	uint64_t mm = bp->params_mem + a64.mm_off;

	__asm__ volatile("msr daifset, #0xf");
	if (bp->mm.size > bp->mm_room)
		return rt_fail(RT_E2BIG, "boot", "final memory map of %llu bytes > room %llu",
			       (unsigned long long)bp->mm.size, (unsigned long long)bp->mm_room);
	for (uint64_t off = 0; off + bp->mm.desc_size <= bp->mm.size; off += bp->mm.desc_size) {
		struct efi_mem_desc *d = (void *)((uint8_t *)bp->mm.buf + off);
		if (d->attr & EFI_MEM_DESC_RUNTIME)
			d->virt = d->phys;
	}
	RT_FN(memcpy)(bp->params_shadow + a64.mm_off, bp->mm.buf, bp->mm.size);
	if (a64.modules)
		return RT_OK; /* a payload without EFI: no linux,uefi-mmap */
	return dtb_set_mmap(bp->params_shadow, mm, (uint32_t)bp->mm.size, (uint32_t)bp->mm.desc_size,
			    bp->mm.desc_version);
}

uint64_t arch_uart(const struct boot_plan *bp)
{
	return a64.uart;
}

void arch_enter(struct boot_plan *bp)
{
	uint64_t params = bp->purgatory_mem + bp->purgatory_params_off;
	uint64_t ticks = params + __builtin_offsetof(struct purgatory_params, reloc_ticks);

	/* the segments are checked right after the copy, MMU and caches on
	 * (check.c), purgatory then only enters the kernel */
	aarch64_relocate(bp->img.head, bp->purgatory_entry, a64.stack_top, a64.clean, a64.nclean, ticks, params);
}

void arch_release(struct boot_plan *bp)
{
	a64.dtb = NULL;
	a64.acpi = false;
}

/*
 * What AAVMF rewrites on a warm reset (measured on QEMU virt: the DTB at the
 * RAM base, about 9 MiB below base + 128 MiB, and about 30 MiB at the top
 * of RAM). The window starts at base + 128 MiB and ends 64 MiB below the
 * top of the RAM.
 */
void arch_capture_window(const struct memmap *m, uint64_t *lo, uint64_t *hi)
{
	uint64_t base = ~0ull, top = 0;

	for (size_t i = 0; i < m->n; i++)
		if (MEM_MASK(m->r[i].type) & MEM_MASK_RAM) {
			if (m->r[i].start < base)
				base = m->r[i].start;
			if (m->r[i].end > top)
				top = m->r[i].end;
		}
	if (!top)
		base = 0;
	*lo = base + (128ull << 20);
	*hi = top > *lo + (64ull << 20) ? top - (64ull << 20) : *lo;
}

size_t arch_capture_rewritten(const struct memmap *m, struct mem_span *out, size_t max)
{
	uint64_t lo, hi, base;

	if (max < 2)
		return 0;
	arch_capture_window(m, &lo, &hi);
	base = lo - (128ull << 20);
	/* the DTB at the base, and below base + 128 MiB (measured about
	 * 9 MiB; 16 kept) */
	out[0] = (struct mem_span){ base, base + (2ull << 20) };
	out[1] = (struct mem_span){ lo - (16ull << 20), lo };
	return 2;
}

uint16_t arch_elf_machine(void)
{
	return CAPTURE_EM_AARCH64;
}

/* The linear map: __phys_to_virt(x) = (x - PHYS_OFFSET) | PAGE_OFFSET with
 * PAGE_OFFSET = -(1 << VA_BITS) (arch/arm64/include/asm/memory.h, 5.4 on);
 * both in VMCOREINFO (arch/arm64/kernel/crash_core.c). */
bool arch_dump_vaddr(const void *note, size_t len, const struct mem_span *ram, size_t nram,
		     uint64_t *delta)
{
	uint64_t va_bits, phys_offset;

	if (!capture_vmcoreinfo_value(note, len, "NUMBER(VA_BITS)", &va_bits) ||
	    !capture_vmcoreinfo_value(note, len, "NUMBER(PHYS_OFFSET)", &phys_offset) ||
	    va_bits < 36 || va_bits > 52)
		return false;
	*delta = (0ull - (1ull << va_bits)) - phys_offset;
	return true;
}

void arch_serial_write(const char *s)
{
	for (; a64.uart && *s; s++)
		pl011_putc(a64.uart, *s);
}

void arch_halt(void)
{
	a64_halt();
}
