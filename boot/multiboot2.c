/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * multiboot2.c - Multiboot2 payloads (multiboot2.h): the header, the loader
 * in the table, and the boot information.
 *
 * The loader follows the specification (version 2.0) and what GRUB
 * (grub-core/loader/multiboot_mbi2.c) and kexec-tools
 * (kexec/arch/i386/kexec-mb2-x86.c) do with a header:
 *   - the address tag, when present, says which bytes of the file load where
 *     (the "a.out kludge"); else the image is an ELF (32- or 64-bit) and its
 *     PT_LOADs load at their p_paddr;
 *   - the entry tag, when present, overrides the ELF entry;
 *   - the relocatable tag lets the image move within [min_addr, max_addr)
 *     at an alignment; the entry moves with it (GRUB's
 *     grub_multiboot2_payload_eip fix-up), and tag 21 tells the payload
 *     where it went;
 *   - the EFI tags 7 and 9 ask to be started with boot services still
 *     running, at the EFI amd64 entry (spec 3.1.8, 3.1.12, 3.5: tag 9 "is
 *     taken into account only ... when the header contains the EFI boot
 *     services tag"; then the ELF entry and the entry tag are ignored).
 *     efikexec does so as GRUB 2.06 does (multiboot_mbi2.c keep_bs,
 *     relocator64_efi): the image, modules and information in its own
 *     pages, no ExitBootServices, RAX the magic, RBX the information, the
 *     firmware's page tables and stack (efi/kexec.c, arch/x86_64). Tag 8
 *     (EFI i386) does not apply to a 64-bit firmware. Without tags 7 and 9
 *     the payload gets the i386 entry after ExitBootServices.
 * Xen 4.17's xen.gz (gzip, unwrapped by the table first) is an ELF32 EM_386
 * with one PT_LOAD at 2 MiB and a relocatable tag (min 2 MiB, max 4 GiB,
 * align 2 MiB, preference high).
 */
#include "multiboot2.h"
#include "loader.h"
#include "elf.h"
#include "bzimage.h"

#define PAGE 4096ull

static const char *const info_names[MB2_IT_COUNT] = {
	[MB2_IT_END] = "end", [MB2_IT_CMDLINE] = "command line", [MB2_IT_LOADER_NAME] = "boot loader name",
	[MB2_IT_MODULE] = "modules", [MB2_IT_BASIC_MEMINFO] = "basic memory information",
	[MB2_IT_BOOTDEV] = "BIOS boot device", [MB2_IT_MMAP] = "memory map", [MB2_IT_VBE] = "VBE information",
	[MB2_IT_FRAMEBUFFER] = "framebuffer", [MB2_IT_ELF_SECTIONS] = "ELF sections", [MB2_IT_APM] = "APM table",
	[MB2_IT_EFI32] = "EFI 32-bit system table", [MB2_IT_EFI64] = "EFI 64-bit system table",
	[MB2_IT_SMBIOS] = "SMBIOS tables", [MB2_IT_ACPI_OLD] = "ACPI old RSDP", [MB2_IT_ACPI_NEW] = "ACPI new RSDP",
	[MB2_IT_NETWORK] = "networking information", [MB2_IT_EFI_MMAP] = "EFI memory map",
	[MB2_IT_EFI_BS] = "EFI boot services not terminated", [MB2_IT_EFI32_IH] = "EFI 32-bit image handle",
	[MB2_IT_EFI64_IH] = "EFI 64-bit image handle", [MB2_IT_LOAD_BASE_ADDR] = "image load base address",
};

const char *mb2_info_name(unsigned type)
{
	return type < MB2_IT_COUNT ? info_names[type] : "unknown";
}

static uint32_t header_sum(const uint8_t *p)
{
	return ld_rd32(p) + ld_rd32(p + 4) + ld_rd32(p + 8) + ld_rd32(p + 12);
}

bool mb2_probe(const uint8_t *buf, size_t len, uint32_t *off)
{
	for (size_t o = 0; o + 16 <= len; o += MB2_HEADER_ALIGN) {
		if (ld_rd32(buf + o) != MB2_HEADER_MAGIC)
			continue;
		if (o + 16 <= MB2_SEARCH || header_sum(buf + o) == 0) {
			*off = (uint32_t)o;
			return true;
		}
	}
	return false;
}

/* the smallest size of each known header tag */
static const uint8_t tag_min[] = {
	[MB2_HT_END] = 8, [MB2_HT_INFO_REQUEST] = 8, [MB2_HT_ADDRESS] = 24, [MB2_HT_ENTRY] = 12,
	[MB2_HT_CONSOLE] = 12, [MB2_HT_FRAMEBUFFER] = 20, [MB2_HT_MODULE_ALIGN] = 8, [MB2_HT_EFI_BS] = 8,
	[MB2_HT_ENTRY_EFI32] = 12, [MB2_HT_ENTRY_EFI64] = 12, [MB2_HT_RELOCATABLE] = 24,
};

/* What one known header tag says, into h. */
static rt_status header_tag(const uint8_t *t, uint16_t type, uint16_t flags, uint32_t size, const char *name,
			    struct mb2_header *h)
{
	switch (type) {
	case MB2_HT_INFO_REQUEST:
		for (uint32_t i = 8; i + 4 <= size; i += 4) {
			uint32_t it = ld_rd32(t + i);
			bool req = !(flags & MB2_TAG_OPTIONAL);
			if (it < 32) {
				h->requested |= 1u << it;
				if (req)
					h->required |= 1u << it;
			}
			else if (req)
				return rt_fail(RT_ENOTSUP, "multiboot2",
					       "%s: requires the boot information tag %u (%s), which efikexec does not know",
					       name, it, mb2_info_name(it));
		}
		break;
	case MB2_HT_ADDRESS:
		h->header_addr = ld_rd32(t + 8);
		h->load_addr = ld_rd32(t + 12);
		h->load_end_addr = ld_rd32(t + 16);
		h->bss_end_addr = ld_rd32(t + 20);
		break;
	case MB2_HT_ENTRY:
		h->entry_addr = ld_rd32(t + 8);
		break;
	case MB2_HT_CONSOLE:
		h->console_flags = ld_rd32(t + 8);
		break;
	case MB2_HT_FRAMEBUFFER:
		h->fb_width = ld_rd32(t + 8);
		h->fb_height = ld_rd32(t + 12);
		h->fb_depth = ld_rd32(t + 16);
		break;
	case MB2_HT_ENTRY_EFI32:
		h->efi32_entry = ld_rd32(t + 8);
		break;
	case MB2_HT_ENTRY_EFI64:
		h->efi64_entry = ld_rd32(t + 8);
		break;
	case MB2_HT_RELOCATABLE:
		h->reloc_min = ld_rd32(t + 8);
		h->reloc_max = ld_rd32(t + 12);
		h->reloc_align = ld_rd32(t + 16);
		h->reloc_pref = ld_rd32(t + 20);
		break;
	default:
		break;
	}
	return RT_OK;
}

rt_status mb2_parse(const uint8_t *buf, size_t len, uint32_t off, const char *name, struct mb2_header *h)
{
	rt_status rs;
	const uint8_t *p = buf + off;
	uint32_t arch, hlen, pos;
	bool ended = false;

	*h = (struct mb2_header){ .offset = off };
	if ((size_t)off + 16 > len)
		return rt_fail(RT_ETRUNC, "multiboot2", "%s: Multiboot2 header at %#x ends past the %zu bytes read",
			       name, off, len);
	if (off + 16 > MB2_SEARCH)
		return rt_fail(RT_ENOEXEC, "multiboot2",
			       "%s: Multiboot2 header at %#x, past the first %u bytes where the specification puts it",
			       name, off, MB2_SEARCH);
	arch = ld_rd32(p + 4);
	hlen = ld_rd32(p + 8);
	if (header_sum(p) != 0)
		return rt_fail(RT_ENOEXEC, "multiboot2",
			       "%s: Multiboot2 header at %#x: checksum %#010x is wrong (magic + architecture + length + checksum must be 0 mod 2^32; want %#010x)",
			       name, off, ld_rd32(p + 12),
			       (uint32_t)(0u - (MB2_HEADER_MAGIC + arch + hlen)));
	if (arch != MB2_ARCH_I386)
		return rt_fail(RT_ENOTSUP, "multiboot2", "%s: Multiboot2 architecture %u (%s): efikexec enters i386 (0) payloads",
			       name, arch, arch == 4 ? "MIPS32" : "unknown");
	if (hlen < 24 || hlen > MB2_SEARCH - off || (size_t)off + hlen > len)
		return rt_fail(RT_ENOEXEC, "multiboot2", "%s: Multiboot2 header_length %u at %#x: want 24 to %u, within the first %u bytes",
			       name, hlen, off, MB2_SEARCH - off, MB2_SEARCH);
	h->length = hlen;
	for (pos = 16; pos + 8 <= hlen;) {
		const uint8_t *t = p + pos;
		uint16_t type = ld_rd16(t), flags = ld_rd16(t + 2);
		uint32_t size = ld_rd32(t + 4);

		if (size < 8 || size > hlen - pos)
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: Multiboot2 header tag %u at %#x: size %u, want 8 to %u",
				       name, type, off + pos, size, hlen - pos);
		if (type < sizeof(tag_min) && size < tag_min[type])
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: Multiboot2 header tag %u at %#x: size %u, want at least %u",
				       name, type, off + pos, size, tag_min[type]);
		if (type == MB2_HT_END) {
			ended = true;
			break;
		}
		if (type >= sizeof(tag_min)) {
			if (!(flags & MB2_TAG_OPTIONAL))
				return rt_fail(RT_ENOTSUP, "multiboot2",
					       "%s: Multiboot2 header tag %u at %#x is required (flags %#x) and efikexec does not know it (it knows 1 to %zu)",
					       name, type, off + pos, flags, sizeof(tag_min) - 1);
		} else {
			h->tags |= 1u << type;
		}
		if ((rs = header_tag(t, type, flags, size, name, h)) != RT_OK)
			return rs;
		pos += (size + MB2_HEADER_ALIGN - 1) & ~(MB2_HEADER_ALIGN - 1);
	}
	if (!ended)
		return rt_fail(RT_ENOEXEC, "multiboot2", "%s: Multiboot2 header at %#x: no end tag within its %u bytes",
			       name, off, hlen);
	/* what it requires: given on its path? */
	{
		uint32_t missing = h->required & ~(mb2_efi64(h) ? MB2_GIVES_EFI : MB2_GIVES);
		for (unsigned it = 0; missing && it < 32; it++)
			if ((missing >> it) & 1)
				return rt_fail(RT_ENOTSUP, "multiboot2",
					       mb2_efi64(h) ? "%s: requires the boot information tag %u (%s), which efikexec cannot give through the EFI amd64 entry"
							    : "%s: requires the boot information tag %u (%s), which efikexec cannot give: without the EFI tags 7 and 9 it starts payloads after ExitBootServices, with no BIOS",
					       name, it, mb2_info_name(it));
	}
	if (MB2_HAS(h, MB2_HT_RELOCATABLE)) {
		if (h->reloc_align & (h->reloc_align - 1))
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: relocatable tag: align %#x is not a power of two",
				       name, h->reloc_align);
		if (h->reloc_min >= h->reloc_max)
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: relocatable tag: min_addr %#x is not below max_addr %#x",
				       name, h->reloc_min, h->reloc_max);
		if (h->reloc_pref > MB2_RELOC_HIGH)
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: relocatable tag: preference %u (0 none, 1 low, 2 high)",
				       name, h->reloc_pref);
	}
	return RT_OK;
}

/* --- the loader ---------------------------------------------------------------- */

static bool mb2_ld_probe(const struct ld_src *s, char *why, size_t whylen)
{
	uint32_t off;

	if (mb2_probe(s->head, s->head_len, &off))
		return true;
	rt_snprintf(why, whylen, "no Multiboot2 magic 0x%08x in the first %u bytes", MB2_HEADER_MAGIC, MB2_SEARCH);
	return false;
}

/* The address tag's layout: [load_addr, load_end_addr) from the file at the
 * offset that puts header_addr on the header, zeros up to bss_end_addr. */
static rt_status aout_layout(struct ld_kernel *k, struct ld_src *s, const struct mb2_header *h,
			     uint64_t *lo, uint64_t *hi)
{
	uint64_t before = (uint64_t)h->header_addr - h->load_addr, file_off, filesz, memsz, head;

	if (h->load_addr > h->header_addr || before > h->offset)
		return rt_fail(RT_ENOEXEC, "multiboot2",
			       "%s: address tag: load_addr %#x and header_addr %#x put the load %#llx bytes before the header at file offset %#x",
			       s->name, h->load_addr, h->header_addr, (unsigned long long)before, h->offset);
	file_off = h->offset - before;
	if (h->load_end_addr) {
		if (h->load_end_addr <= h->load_addr)
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: address tag: load_end_addr %#x is not above load_addr %#x",
				       s->name, h->load_end_addr, h->load_addr);
		filesz = (uint64_t)h->load_end_addr - h->load_addr;
		if (filesz > s->size - file_off)
			return rt_fail(RT_ETRUNC, "multiboot2",
				       "%s: address tag: %llu bytes to load from file offset %#llx, past the file's %llu bytes",
				       s->name, (unsigned long long)filesz, (unsigned long long)file_off,
				       (unsigned long long)s->size);
	} else {
		filesz = s->size - file_off;
	}
	memsz = filesz;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < h->load_addr + filesz)
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: address tag: bss_end_addr %#x is below the loaded bytes' end %#llx",
				       s->name, h->bss_end_addr, (unsigned long long)(h->load_addr + filesz));
		memsz = (uint64_t)h->bss_end_addr - h->load_addr;
	}
	head = h->load_addr & (PAGE - 1);
	if (head > file_off)
		return rt_fail(RT_ENOEXEC, "multiboot2", "%s: address tag: load_addr %#x is %#llx into a page, more than its file offset %#llx",
			       s->name, h->load_addr, (unsigned long long)head, (unsigned long long)file_off);
	*lo = h->load_addr - head;
	*hi = rt_align_up((uint64_t)h->load_addr + memsz, PAGE);
	k->piece[0] = (struct ld_piece){ file_off - head, filesz + head, 0, *hi - *lo, false };
	k->npieces = 1;
	return RT_OK;
}

static const char *const pref_names[] = { "none", "low", "high" };

static rt_status mb2_ld_load(struct ld_ctx *c, struct ld_src *s)
{
	struct ld_kernel *k = &c->k;
	struct mb2_header *h = &k->ho.mb2;
	uint64_t lo = 0, hi = 0, entry;
	const char *what;
	uint32_t off = 0;
	rt_status rs;

	mb2_probe(s->head, s->head_len, &off);
	rs = mb2_parse(s->head, s->head_len, off, s->name, h);
	if (rs != RT_OK)
		return rs;
	if (MB2_HAS(h, MB2_HT_ADDRESS)) {
		if (!MB2_HAS(h, MB2_HT_ENTRY))
			return rt_fail(RT_ENOEXEC, "multiboot2", "%s: an address tag without an entry tag: no entry point",
				       s->name);
		rs = aout_layout(k, s, h, &lo, &hi);
		if (rs != RT_OK)
			return rs;
		entry = h->entry_addr;
		what = "address tag";
	} else if (s->head_len >= 4 && !RT_FN(memcmp)(s->head, "\177ELF", 4)) {
		struct elf_layout l;
		rs = elf_layout(c, s, true, &l);
		if (rs != RT_OK)
			return rs;
		if (l.machine != ELF_EM_386 && l.machine != ELF_EM_X86_64)
			return rt_fail(RT_ENOTSUP, "multiboot2", "%s: a Multiboot2 ELF for e_machine %u: efikexec enters x86 ones",
				       s->name, l.machine);
		lo = l.lo;
		hi = l.hi;
		entry = MB2_HAS(h, MB2_HT_ENTRY) ? h->entry_addr : l.entry_phys != ~0ull ? l.entry_phys : l.entry;
		what = l.is64 ? "ELF64" : "ELF32 i386";
	} else {
		return rt_fail(RT_ENOEXEC, "multiboot2",
			       "%s: a Multiboot2 header without an address tag, and not an ELF file: nothing says where it loads",
			       s->name);
	}
	if (mb2_efi64(h))
		entry = h->efi64_entry; /* the others are ignored then (spec 3.1.8) */
	if (entry < lo || entry >= hi)
		return rt_fail(RT_ENOEXEC, "multiboot2", "%s: %sentry point %#llx lies outside the image's [%#llx, %#llx)",
			       s->name, mb2_efi64(h) ? "EFI amd64 " : "", (unsigned long long)entry,
			       (unsigned long long)lo, (unsigned long long)hi);
	if (hi > (1ull << 32))
		return rt_fail(RT_ENOEXEC, "multiboot2", "%s: loads at [%#llx, %#llx), past 4 GiB: a 32-bit entry cannot reach it",
			       s->name, (unsigned long long)lo, (unsigned long long)hi);
	k->machine = LD_MACHINE_X86_64;
	k->handoff = LD_HANDOFF_MULTIBOOT2;
	k->format = "Multiboot2";
	k->src = s;
	k->memsz = hi - lo;
	k->entry_offset = entry - lo;
	k->cmdline_max = LD_CMDLINE_MAX - 1;
	k->initrd_max = 1ull << 32; /* modules and the information: 32-bit addresses */
	k->params_max = 1ull << 32;
	if (MB2_HAS(h, MB2_HT_RELOCATABLE)) {
		k->fixed = false;
		k->align = h->reloc_align > PAGE ? h->reloc_align : PAGE;
		k->min = rt_align_up(h->reloc_min, k->align);
		k->max = h->reloc_max;
		k->top_down = h->reloc_pref == MB2_RELOC_HIGH;
		if (k->min + k->memsz > k->max)
			return rt_fail(RT_ENOEXEC, "multiboot2",
				       "%s: relocatable within [%#x, %#x) at %#llx alignment, but its %llu bytes do not fit there",
				       s->name, h->reloc_min, h->reloc_max, (unsigned long long)k->align,
				       (unsigned long long)k->memsz);
		ld_desc(c, "Multiboot2 (%s, %u piece%s at [%#llx, %#llx), entry %#llx; relocatable within [%#x, %#x), align %#x, preference %s",
			what, k->npieces, k->npieces == 1 ? "" : "s", (unsigned long long)lo, (unsigned long long)hi,
			(unsigned long long)entry, h->reloc_min, h->reloc_max, h->reloc_align,
			pref_names[h->reloc_pref]);
	} else {
		k->fixed = true;
		k->align = PAGE;
		k->min = lo;
		k->max = hi;
		ld_desc(c, "Multiboot2 (%s, %u piece%s at [%#llx, %#llx), entry %#llx", what, k->npieces,
			k->npieces == 1 ? "" : "s", (unsigned long long)lo, (unsigned long long)hi,
			(unsigned long long)entry);
	}
	/* which path, and why: the plan and --dry-run say it */
	if (mb2_efi64(h))
		ld_desc(c, "; EFI amd64 entry with boot services running (header tags 7 and 9))");
	else
		ld_desc(c, "; i386 entry after ExitBootServices (%s))",
			MB2_HAS(h, MB2_HT_EFI_BS) ? "tag 7 without an EFI amd64 entry" : "no EFI boot services tag");
	return RT_OK;
}

const struct ld_loader ld_multiboot2 = { "Multiboot2", mb2_ld_probe, mb2_ld_load };

/* --- the boot information ------------------------------------------------------- */

#define TAG_ALIGN(n) (((n) + 7) & ~(size_t)7)
#define MMAP_ENTRY 24u
#define FB_TAG_SIZE 38u /* GRUB's struct multiboot_tag_framebuffer, RGB */

static size_t slen(const char *s)
{
	return s ? RT_FN(strlen)(s) : 0;
}

/* "path args", or "path" alone */
static size_t words_len(const char *path, const char *args)
{
	return slen(path) + (slen(args) ? 1 + slen(args) : 0);
}

static void words(uint8_t *to, const char *path, const char *args)
{
	size_t n = slen(path);

	RT_FN(memcpy)(to, path, n);
	if (slen(args)) {
		to[n] = ' ';
		RT_FN(memcpy)(to + n + 1, args, slen(args));
	}
}

static bool wants(const struct mb2_info_req *r, unsigned type)
{
	return (r->h->requested >> type) & 1;
}

size_t mb2_info_bound(const struct mb2_info_req *r, size_t map_entries, size_t efi_mmap_room)
{
	size_t n = 8 + TAG_ALIGN(12) + TAG_ALIGN(8 + words_len(r->path, r->cmdline) + 1) +
		   TAG_ALIGN(8 + slen(r->loader_name) + 1) + 16 +
		   TAG_ALIGN(16 + map_entries * MMAP_ENTRY) + TAG_ALIGN(FB_TAG_SIZE) + 16 +
		   TAG_ALIGN(8 + 20) + TAG_ALIGN(8 + 64) + TAG_ALIGN(16 + efi_mmap_room) + 8 + 16 + 8;

	for (unsigned i = 0; i < r->nmod; i++)
		n += TAG_ALIGN(16 + words_len(r->mod[i].path, r->mod[i].args) + 1);
	return n;
}

struct out {
	uint8_t *buf;
	size_t room, len;
	bool full;
};

static uint8_t *tag(struct out *o, uint32_t type, size_t size)
{
	uint8_t *t;

	if (o->full || TAG_ALIGN(size) > o->room - o->len) {
		o->full = true;
		return NULL;
	}
	t = o->buf + o->len;
	RT_FN(memset)(t, 0, TAG_ALIGN(size));
	RT_FN(memcpy)(t, &type, 4);
	RT_FN(memcpy)(t + 4, &(uint32_t){ (uint32_t)size }, 4);
	o->len += TAG_ALIGN(size);
	return t;
}

static void put32(uint8_t *p, uint32_t v)
{
	RT_FN(memcpy)(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	RT_FN(memcpy)(p, &v, 8);
}

static void str(struct out *o, uint32_t type, const char *path, const char *args)
{
	uint8_t *t = tag(o, type, 8 + words_len(path, args) + 1);

	if (t)
		words(t + 8, path, args);
}

/* a mask's lowest set bit and its width (GOP masks are contiguous) */
static void field(uint32_t mask, uint8_t *pos, uint8_t *size)
{
	*pos = *size = 0;
	if (!mask)
		return;
	while (!((mask >> *pos) & 1))
		(*pos)++;
	while (*pos + *size < 32 && ((mask >> (*pos + *size)) & 1))
		(*size)++;
}

void mb2_meminfo(const struct memmap *m, uint32_t *lower, uint32_t *upper)
{
	uint64_t lo_end = memmap_run_end(m, 0, MEM_MASK_RAM);
	uint64_t up_end = memmap_run_end(m, 1ull << 20, MEM_MASK_RAM);

	if (lo_end > 640 * 1024)
		lo_end = 640 * 1024;
	*lower = (uint32_t)(lo_end >> 10);
	up_end = (up_end - (1ull << 20)) >> 10;
	*upper = up_end > 0xffffffffull ? 0xffffffffu : (uint32_t)up_end;
}

rt_status mb2_info_build(uint8_t *buf, size_t room, const struct mb2_info_req *r, size_t *len)
{
	static struct bz_e820_entry e820[MEMMAP_MAX];
	struct out o = { buf, room, 8, room < 8 };
	uint32_t lower, upper;
	uint8_t *t;
	size_t n;

	if (r->relocated && (t = tag(&o, MB2_IT_LOAD_BASE_ADDR, 12)))
		put32(t + 8, r->load_base);
	str(&o, MB2_IT_CMDLINE, r->path, r->cmdline);
	str(&o, MB2_IT_LOADER_NAME, r->loader_name, NULL);
	for (unsigned i = 0; i < r->nmod; i++) {
		const struct mb2_module *m = &r->mod[i];
		if (m->end < m->start || m->end > 0xffffffffull)
			return rt_fail(RT_EINVAL, "multiboot2", "module %u (%s) at [%#llx, %#llx): past 4 GiB", i,
				       m->path ? m->path : "", (unsigned long long)m->start, (unsigned long long)m->end);
		if ((t = tag(&o, MB2_IT_MODULE, 16 + words_len(m->path, m->args) + 1))) {
			put32(t + 8, (uint32_t)m->start);
			put32(t + 12, (uint32_t)m->end);
			words(t + 16, m->path, m->args);
		}
	}
	mb2_meminfo(r->map, &lower, &upper);
	if ((t = tag(&o, MB2_IT_BASIC_MEMINFO, 16))) {
		put32(t + 8, lower);
		put32(t + 12, upper);
	}
	/* the memory map: the e820 types are the spec's (1 available, 2
	 * reserved, 3 ACPI reclaimable, 4 NVS, 5 bad) */
	n = bzimage_e820(r->map, e820, MEMMAP_MAX);
	if (n > MEMMAP_MAX)
		return rt_fail(RT_E2BIG, "multiboot2", "a memory map of %zu ranges, more than %u", n, MEMMAP_MAX);
	if ((t = tag(&o, MB2_IT_MMAP, 16 + n * MMAP_ENTRY))) {
		put32(t + 8, MMAP_ENTRY);
		put32(t + 12, 0);
		for (size_t i = 0; i < n; i++) {
			uint8_t *e = t + 16 + i * MMAP_ENTRY;
			put64(e, e820[i].addr);
			put64(e + 8, e820[i].size);
			put32(e + 16, e820[i].type);
		}
	}
	if (r->fb && (t = tag(&o, MB2_IT_FRAMEBUFFER, FB_TAG_SIZE))) {
		put64(t + 8, r->fb->addr);
		put32(t + 16, r->fb->pitch);
		put32(t + 20, r->fb->width);
		put32(t + 24, r->fb->height);
		t[28] = r->fb->bpp;
		t[29] = 1; /* MULTIBOOT_FRAMEBUFFER_TYPE_RGB */
		field(r->fb->red_mask, t + 32, t + 33);
		field(r->fb->green_mask, t + 34, t + 35);
		field(r->fb->blue_mask, t + 36, t + 37);
	}
	/* the EFI system table: through the EFI entry always (GRUB gives it on
	 * EFI); to the i386 entry only when asked for, since Xen's 32-bit entry
	 * halts on it ("Bootloader shutdown EFI x64 boot services", head.S) */
	if (r->efi_systab && (r->efi_bs || wants(r, MB2_IT_EFI64)) && (t = tag(&o, MB2_IT_EFI64, 16)))
		put64(t + 8, r->efi_systab);
	if (r->rsdp && r->rsdp_len >= 20) {
		/* the ACPI 1.0 part of any RSDP is the old one, its checksum
		 * over those 20 bytes (ACPI 6.5, 5.2.5.3) */
		if ((t = tag(&o, MB2_IT_ACPI_OLD, 8 + 20)))
			RT_FN(memcpy)(t + 8, r->rsdp, 20);
		if (r->rsdp_len > 20 && r->rsdp_len <= 64 && (t = tag(&o, MB2_IT_ACPI_NEW, 8 + r->rsdp_len)))
			RT_FN(memcpy)(t + 8, r->rsdp, r->rsdp_len);
	}
	/* boot services running: tags 18 and 20, as GRUB 2.06 gives them
	 * with keep_bs (Xen's __efi64_mb2_start looks for both) */
	if (r->efi_bs) {
		tag(&o, MB2_IT_EFI_BS, 8);
		if ((t = tag(&o, MB2_IT_EFI64_IH, 16)))
			put64(t + 8, r->efi_image_handle);
	}
	if (!r->efi_bs && r->efi_mmap && wants(r, MB2_IT_EFI_MMAP) &&
	    (t = tag(&o, MB2_IT_EFI_MMAP, 16 + r->efi_mmap_size))) {
		put32(t + 8, r->efi_desc_size);
		put32(t + 12, r->efi_desc_version);
		RT_FN(memcpy)(t + 16, r->efi_mmap, r->efi_mmap_size);
	}
	tag(&o, MB2_IT_END, 8);
	if (o.full)
		return rt_fail(RT_E2BIG, "multiboot2", "the boot information does not fit its %zu bytes", room);
	put32(buf, (uint32_t)o.len);
	put32(buf + 4, 0);
	*len = o.len;
	return RT_OK;
}
