/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * elf.c - a plain ELF vmlinux (x86_64), loaded the way kexec-tools'
 * kexec/arch/x86_64/kexec-elf-x86_64.c with --args-linux does: every
 * PT_LOAD at its p_paddr (kexec-elf-exec.c load_elf_segments), memsz past
 * filesz zero-filled, entered at e_entry - the kernel's 64-bit startup_64
 * (arch/x86/kernel/vmlinux.lds.S: ENTRY(phys_startup_64)) - with RSI
 * pointing at boot_params built by the same code as for a bzImage.
 *
 * startup_64 expects "an identity mapped page table ... covering the
 * kernel" and RSI = boot_params (arch/x86/kernel/head_64.S), which is what
 * purgatory gives a bzImage's 64-bit entry too. A vmlinux has no setup
 * header, so one is made (ho.bz) with the values a 64-bit kernel reads:
 * "HdrS", protocol 2.15, 64-bit entry, loadable above 4 GiB, COMMAND_LINE_SIZE
 * 2048 (arch/x86/include/uapi/asm/setup.h).
 *
 * There is no KASLR: the relocation table a bzImage's decompressor applies
 * (arch/x86/boot/compressed/misc.c handle_relocations) is not part of a
 * vmlinux, so the kernel runs at its link address and its boot_params carry
 * no KASLR_FLAG. The plan says so.
 *
 * arm64: a vmlinux links its PT_LOADs at kernel virtual addresses (no AT()
 * in arch/arm64/kernel/vmlinux.lds.S, so p_paddr = p_vaddr, and with
 * CONFIG_RELOCATABLE it is ET_DYN). It is an Image laid out in an ELF: the
 * lowest PT_LOAD starts at _text with the Image header (booting.rst), so it
 * is placed as an Image is - a 2 MiB-aligned base + text_offset - with every
 * PT_LOAD at its p_vaddr's offset from _text, and entered at its first byte,
 * as kexec-tools' kexec/arch/arm64/kexec-elf-arm64.c does.
 */
#include "elf.h"
#include "arm64.h"
#include "bzimage.h"

#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define EHDR64_SIZE 64
#define PHDR64_SIZE 56
#define PHDR32_SIZE 32
#define ELF_MAX_PHDRS 64
#define PAGE 4096ull

static bool elf_probe(const struct ld_src *s, char *why, size_t whylen)
{
	if (s->head_len >= 4 && !RT_FN(memcmp)(s->head, "\177ELF", 4))
		return true;
	rt_snprintf(why, whylen, "no \"\\177ELF\" at 0");
	return false;
}

static const char *machine_name(uint16_t m)
{
	switch (m) {
	case ELF_EM_386:
		return "i386";
	case ELF_EM_X86_64:
		return "x86_64";
	case ELF_EM_AARCH64:
		return "aarch64";
	default:
		return "another machine";
	}
}

/* A synthetic setup header for boot_params (boot.rst offsets). */
static void make_hdr(struct ld_kernel *k, uint64_t base)
{
	uint8_t *h = k->ho.bz.hdr;

	RT_FN(memset)(h, 0, sizeof(k->ho.bz.hdr));
	h[0x1fe] = 0x55, h[0x1ff] = 0xaa;                  /* boot_flag */
	h[0x200] = 0xeb, h[0x201] = 0x6a;                  /* jump: header ends at 0x26c */
	RT_FN(memcpy)(h + 0x202, "HdrS", 4);
	h[0x206] = 0x0f, h[0x207] = 0x02;                  /* version 2.15 */
	h[0x211] = BZ_LOADED_HIGH;                          /* loadflags */
	for (int i = 0; i < 4; i++) {
		h[0x22c + i] = (uint8_t)(0x7fffffffu >> (8 * i)); /* initrd_addr_max */
		h[0x230 + i] = (uint8_t)((2u << 20) >> (8 * i)); /* kernel_alignment */
		h[0x238 + i] = (uint8_t)(2047u >> (8 * i));       /* cmdline_size */
		h[0x260 + i] = (uint8_t)(k->memsz >> (8 * i));   /* init_size */
	}
	for (int i = 0; i < 8; i++)
		h[0x258 + i] = (uint8_t)(base >> (8 * i));          /* pref_address */
	h[0x236] = BZ_XLF_KERNEL_64 | BZ_XLF_CAN_BE_LOADED_ABOVE_4G; /* xloadflags */
	k->ho.bz.end = 0x26c;
}

/* An arm64 vmlinux whose PT_LOADs (k->piece, offsets from the lowest
 * p_vaddr, `span` bytes in all) hold an Image: its header at the start of
 * the lowest one says how to place and enter it. */
static rt_status arm64_vmlinux(struct ld_ctx *c, struct ld_src *s, uint64_t span)
{
	struct ld_kernel *k = &c->k;
	static uint8_t hdr[0x1000];
	const struct ld_piece *first = &k->piece[0];
	struct arm64_image_info ii;
	size_t n;
	rt_status rs;

	for (unsigned j = 1; j < k->npieces; j++)
		if (k->piece[j].mem_off < first->mem_off)
			first = &k->piece[j];
	n = first->filesz < sizeof(hdr) ? (size_t)first->filesz : sizeof(hdr);
	if (n < ARM64_HEADER_SIZE)
		return rt_fail(RT_ENOEXEC, "elf", "%s: an arm64 ELF whose first PT_LOAD has %zu bytes: no Image header",
			       s->name, n);
	rs = s->read(s, first->src_off, hdr, n);
	if (rs != RT_OK)
		return rs;
	if (ld_rd32(hdr + 0x38) != ARM64_IMAGE_MAGIC)
		return rt_fail(RT_ENOEXEC, "elf",
			       "%s: an arm64 ELF whose first PT_LOAD has no Image header (magic 0x%08x at 0x38, want %#x): not a Linux vmlinux",
			       s->name, ld_rd32(hdr + 0x38), ARM64_IMAGE_MAGIC);
	rs = arm64_image_parse(s->name, hdr, n, span, &ii);
	if (rs != RT_OK)
		return rs;
	/* past the PT_LOADs the kernel needs room up to image_size, which it
	 * clears itself, as for an Image */
	if (ii.image_size > span) {
		if (k->npieces == LD_MAX_PIECES)
			return rt_fail(RT_E2BIG, "elf", "%s: more than %u PT_LOAD segments", s->name,
				       LD_MAX_PIECES - 1);
		k->piece[k->npieces++] = (struct ld_piece){ 0, 0, span, ii.image_size - span, true };
	}
	k->machine = LD_MACHINE_AARCH64;
	k->format = "arm64 ELF vmlinux";
	k->src = s;
	k->memsz = ii.image_size > span ? ii.image_size : span;
	k->align = ARM64_BASE_ALIGN;
	k->load_offset = ii.text_offset;
	k->cmdline_max = 2047;
	k->initrd_window = ARM64_INITRD_WINDOW;
	k->initrd_window_align = ARM64_INITRD_WINDOW_ALIGN;
	k->takes_dtb = true;
	ld_desc(c, "arm64 ELF vmlinux, %u PT_LOAD, image_size %llu KiB", k->npieces - (ii.image_size > span),
		(unsigned long long)(ii.image_size >> 10));
	return RT_OK;
}

/* An ELF's class-dependent fields (ELF32 and ELF64 differ in widths and
 * offsets: the System V gABI, "ELF Header" and "Program Header"). */
static uint64_t rd_word(const uint8_t *p, bool is64)
{
	return is64 ? ld_rd64(p) : ld_rd32(p);
}

rt_status elf_layout(struct ld_ctx *c, struct ld_src *s, bool allow32, struct elf_layout *l)
{
	struct ld_kernel *k = &c->k;
	static uint8_t ph[ELF_MAX_PHDRS * PHDR64_SIZE];
	const uint8_t *e = s->head;
	uint64_t phoff, entry, lo = ~0ull, hi = 0, entry_phys = ~0ull;
	uint16_t type, machine, phentsize, phnum;
	bool is64;
	rt_status rs;

	if (s->head_len < EHDR64_SIZE)
		return rt_fail(RT_ETRUNC, "elf", "%s: %llu bytes, too short for an ELF header", s->name,
			       (unsigned long long)s->size);
	machine = ld_rd16(e + 18);
	is64 = e[4] == ELFCLASS64;
	if (!is64 && !(allow32 && e[4] == ELFCLASS32))
		return rt_fail(RT_ENOTSUP, "elf", "%s: ELF class %u (%s, %s): efikexec loads 64-bit ELF kernels%s",
			       s->name, e[4], e[4] == ELFCLASS32 ? "ELF32" : "unknown", machine_name(machine),
			       e[4] == ELFCLASS32 ? ", and 32-bit ones with a Multiboot2 header" : "");
	if (e[5] != ELFDATA2LSB)
		return rt_fail(RT_ENOTSUP, "elf", "%s: ELF data encoding %u: not little-endian", s->name, e[5]);
	type = ld_rd16(e + 16);
	if (machine != ELF_EM_X86_64 && machine != ELF_EM_AARCH64 && !(allow32 && machine == ELF_EM_386))
		return rt_fail(RT_ENOTSUP, "elf", "%s: e_machine %u (%s): efikexec loads x86_64 ELF kernels",
			       s->name, machine, machine_name(machine));
	if (type != ET_EXEC && !(machine == ELF_EM_AARCH64 && type == ET_DYN))
		return rt_fail(RT_ENOTSUP, "elf", "%s: e_type %u: not an executable (ET_EXEC, 2%s)", s->name, type,
			       machine == ELF_EM_AARCH64 ? ", or ET_DYN, 3" : "");
	entry = rd_word(e + 24, is64);
	phoff = is64 ? ld_rd64(e + 32) : ld_rd32(e + 28);
	phentsize = ld_rd16(e + (is64 ? 54 : 42));
	phnum = ld_rd16(e + (is64 ? 56 : 44));
	if (phentsize != (is64 ? PHDR64_SIZE : PHDR32_SIZE) || !phnum || phnum > ELF_MAX_PHDRS)
		return rt_fail(RT_ENOEXEC, "elf", "%s: %u program headers of %u bytes (want 1 to %u of %u)",
			       s->name, phnum, phentsize, ELF_MAX_PHDRS, is64 ? PHDR64_SIZE : PHDR32_SIZE);
	if (phoff > s->size || (uint64_t)phnum * phentsize > s->size - phoff)
		return rt_fail(RT_ETRUNC, "elf", "%s: program headers at %#llx end past the file's %llu bytes",
			       s->name, (unsigned long long)phoff, (unsigned long long)s->size);
	rs = s->read(s, phoff, ph, (uint64_t)phnum * phentsize);
	if (rs != RT_OK)
		return rs;

	k->npieces = 0;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *p = ph + i * phentsize;
		/* Elf64_Phdr: type, flags, offset, vaddr, paddr, filesz, memsz;
		 * Elf32_Phdr: type, offset, vaddr, paddr, filesz, memsz, flags */
		uint64_t off = is64 ? ld_rd64(p + 8) : ld_rd32(p + 4);
		uint64_t vaddr = is64 ? ld_rd64(p + 16) : ld_rd32(p + 8);
		/* arm64: laid out by virtual address, placed as an Image later */
		uint64_t paddr = machine == ELF_EM_AARCH64 ? vaddr : is64 ? ld_rd64(p + 24) : ld_rd32(p + 12);
		uint64_t filesz = is64 ? ld_rd64(p + 32) : ld_rd32(p + 16);
		uint64_t memsz = is64 ? ld_rd64(p + 40) : ld_rd32(p + 20);
		if (ld_rd32(p) != PT_LOAD || !memsz)
			continue;
		if (filesz > memsz)
			return rt_fail(RT_ENOEXEC, "elf", "%s: PT_LOAD %u: p_filesz %#llx > p_memsz %#llx", s->name,
				       i, (unsigned long long)filesz, (unsigned long long)memsz);
		if (off > s->size || filesz > s->size - off)
			return rt_fail(RT_ETRUNC, "elf", "%s: PT_LOAD %u: bytes [%#llx, %#llx) end past the file's %llu",
				       s->name, i, (unsigned long long)off, (unsigned long long)(off + filesz),
				       (unsigned long long)s->size);
		if (paddr + memsz < paddr || (machine != ELF_EM_AARCH64 && paddr + memsz > (1ull << (is64 ? 52 : 32))))
			return rt_fail(RT_ENOEXEC, "elf", "%s: PT_LOAD %u: p_paddr %#llx + p_memsz %#llx is beyond physical memory",
				       s->name, i, (unsigned long long)paddr, (unsigned long long)memsz);
		/* the bytes before p_paddr in its page come from the file's bytes
		 * before p_offset (see below), so those must exist; p_offset
		 * need not be congruent to p_paddr (Xen's xen.gz: 0x80 and
		 * 0x200000) */
		if ((paddr & (PAGE - 1)) > off && filesz)
			return rt_fail(RT_ENOEXEC, "elf", "%s: PT_LOAD %u: p_paddr %#llx is %#llx into its page, more than p_offset %#llx",
				       s->name, i, (unsigned long long)paddr, (unsigned long long)(paddr & (PAGE - 1)),
				       (unsigned long long)off);
		if (k->npieces == LD_MAX_PIECES)
			return rt_fail(RT_E2BIG, "elf", "%s: more than %u PT_LOAD segments", s->name, LD_MAX_PIECES);
		/* page-aligned pieces, each a kimage segment: the bytes before
		 * p_paddr in its first page come from the file too */
		{
			uint64_t head = paddr & (PAGE - 1);
			uint64_t start = paddr - head, end = rt_align_up(paddr + memsz, PAGE);
			for (unsigned j = 0; j < k->npieces; j++) {
				uint64_t os = k->piece[j].mem_off, oe = os + k->piece[j].memsz;
				if (start < oe && os < end)
					return rt_fail(RT_ENOEXEC, "elf",
						       "%s: PT_LOAD %u [%#llx, %#llx) overlaps another PT_LOAD [%#llx, %#llx)",
						       s->name, i, (unsigned long long)paddr,
						       (unsigned long long)(paddr + memsz), (unsigned long long)os,
						       (unsigned long long)oe);
			}
			/* mem_off holds the absolute address until the base is known */
			k->piece[k->npieces++] = (struct ld_piece){ off - (filesz ? head : 0), filesz ? filesz + head : 0,
								    start, end - start, false };
			if (start < lo)
				lo = start;
			if (end > hi)
				hi = end;
		}
		if (entry >= paddr && entry < paddr + memsz)
			entry_phys = entry;
		else if (entry >= vaddr && entry < vaddr + memsz)
			entry_phys = paddr + (entry - vaddr);
	}
	if (!k->npieces)
		return rt_fail(RT_ENOEXEC, "elf", "%s: no PT_LOAD segment", s->name);
	for (unsigned j = 0; j < k->npieces; j++)
		k->piece[j].mem_off -= lo;
	*l = (struct elf_layout){ .machine = machine, .is64 = is64, .lo = lo, .hi = hi, .entry = entry,
				  .entry_phys = entry_phys };
	return RT_OK;
}

static rt_status elf_load(struct ld_ctx *c, struct ld_src *s)
{
	struct ld_kernel *k = &c->k;
	struct elf_layout l;
	rt_status rs = elf_layout(c, s, false, &l);

	if (rs != RT_OK)
		return rs;
	if (l.machine == ELF_EM_AARCH64)
		return arm64_vmlinux(c, s, l.hi - l.lo);
	if (l.entry_phys == ~0ull)
		return rt_fail(RT_ENOEXEC, "elf", "%s: e_entry %#llx lies in no PT_LOAD segment", s->name,
			       (unsigned long long)l.entry);
	k->machine = LD_MACHINE_X86_64;
	k->format = "ELF vmlinux";
	k->src = s;
	k->memsz = l.hi - l.lo;
	k->align = PAGE;
	k->min = l.lo;
	k->max = l.hi;
	k->fixed = true;
	k->entry_offset = l.entry_phys - l.lo;
	k->cmdline_max = 2047;
	make_hdr(k, l.lo);
	ld_desc(c, "ELF vmlinux, %u PT_LOAD at [%#llx, %#llx), entry %#llx; no relocation table: not moved by KASLR",
		k->npieces, (unsigned long long)l.lo, (unsigned long long)l.hi, (unsigned long long)l.entry_phys);
	return RT_OK;
}

const struct ld_loader ld_elf = { "ELF", elf_probe, elf_load };
