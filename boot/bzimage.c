/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bzimage.c - validating a bzImage and building its boot_params.
 * Facts from the kernel's Documentation/arch/x86/boot.rst and zero-page.rst.
 */
#include "bzimage.h"
#include "elf.h"
#include "loader.h"
#include "stream.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

rt_status bzimage_parse(const char *name, const uint8_t *b, size_t len, uint64_t file_size,
			struct bzimage_info *bi)
{
	uint32_t magic, setup_sects, syssize;
	uint16_t xlf;

	*bi = (struct bzimage_info){ 0 };
	if (len > file_size)
		len = (size_t)file_size;
	if (len < 0x208)
		return rt_fail(file_size < 0x208 ? RT_ETRUNC : RT_EINVAL, "bzimage",
			       "%s: %llu bytes, too short for a bzImage setup header (needs %u)",
			       name, (unsigned long long)file_size, 0x208u);
	magic = rd32(b + 0x202);
	if (magic != BZ_HDR_MAGIC || rd16(b + 0x1fe) != BZ_BOOT_FLAG)
		return rt_fail(RT_ENOEXEC, "bzimage",
			       "%s: not a bzImage: header magic %#x (want \"HdrS\" %#x), boot_flag %#x (want %#x)",
			       name, magic, BZ_HDR_MAGIC, rd16(b + 0x1fe), BZ_BOOT_FLAG);
	bi->version = rd16(b + 0x206);
	if (bi->version < BZ_MIN_VERSION)
		return rt_fail(RT_ENOTSUP, "bzimage",
			       "%s: boot protocol version %u.%02u, efikexec needs at least 2.12",
			       name, bi->version >> 8, bi->version & 0xff);
	bi->hdr_end = 0x202u + b[0x201];
	if (bi->hdr_end < 0x26c || bi->hdr_end > len)
		return rt_fail(RT_ENOEXEC, "bzimage",
			       "%s: setup header ends at %#x (jump at 0x200), outside [0x26c, %#zx]",
			       name, bi->hdr_end, len);
	xlf = rd16(b + 0x236);
	if (!(xlf & BZ_XLF_KERNEL_64))
		return rt_fail(RT_ENOTSUP, "bzimage",
			       "%s: xloadflags %#x lacks XLF_KERNEL_64: no 64-bit entry point", name, xlf);
	bi->above_4g = xlf & BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
	if (!b[0x234])
		return rt_fail(RT_ENOTSUP, "bzimage",
			       "%s: relocatable_kernel is 0: efikexec loads only relocatable kernels", name);
	bi->kernel_alignment = rd32(b + 0x230);
	if (bi->kernel_alignment < 4096 || (bi->kernel_alignment & (bi->kernel_alignment - 1)))
		return rt_fail(RT_ENOEXEC, "bzimage",
			       "%s: kernel_alignment %#x is not a power of two of at least 4096",
			       name, bi->kernel_alignment);
	setup_sects = b[0x1f1] ? b[0x1f1] : 4; /* boot.rst: 0 means 4 */
	bi->setup_size = (setup_sects + 1) * 512;
	syssize = rd32(b + 0x1f4);
	if (file_size < bi->setup_size || file_size - bi->setup_size < (uint64_t)syssize * 16)
		return rt_fail(RT_ETRUNC, "bzimage",
			       "%s: truncated: %llu bytes, the header declares %u of setup and %llu of kernel (syssize %#x)",
			       name, (unsigned long long)file_size, bi->setup_size,
			       (unsigned long long)syssize * 16, syssize);
	bi->payload_size = file_size - bi->setup_size;
	if (!syssize || bi->payload_size == 0)
		return rt_fail(RT_ENOEXEC, "bzimage", "%s: syssize is 0: no kernel after the setup", name);
	bi->init_size = rd32(b + 0x260);
	if (bi->init_size < bi->payload_size)
		return rt_fail(RT_ENOEXEC, "bzimage",
			       "%s: init_size %#x is smaller than the kernel's %#llx bytes", name,
			       bi->init_size, (unsigned long long)bi->payload_size);
	bi->pref_address = rd64(b + 0x258);
	if (bi->pref_address & (bi->kernel_alignment - 1))
		return rt_fail(RT_ENOEXEC, "bzimage",
			       "%s: pref_address %#llx is not aligned to kernel_alignment %#x", name,
			       (unsigned long long)bi->pref_address, bi->kernel_alignment);
	bi->cmdline_size = rd32(b + 0x238);
	bi->initrd_addr_max = rd32(b + 0x22c);
	if (!bi->cmdline_size)
		return rt_fail(RT_ENOEXEC, "bzimage", "%s: cmdline_size is 0", name);
	return RT_OK;
}

void bzimage_boot_params(struct bz_boot_params *bp, const uint8_t *hdr, uint32_t hdr_end,
			 const struct bz_load *ld)
{
	RT_FN(memset)(bp, 0, sizeof(*bp));
	/* The setup header as the kernel's build wrote it (boot.rst: "copy
	 * ... from the kernel image"), from 0x1f1 to its end. */
	RT_FN(memcpy)((uint8_t *)bp + BZ_HDR_OFFSET, hdr + BZ_HDR_OFFSET, hdr_end - BZ_HDR_OFFSET);
	bp->type_of_loader = BZ_LOADER_TYPE_UNDEFINED;
	bp->loadflags |= BZ_LOADED_HIGH;
	bp->code32_start = (uint32_t)ld->kernel;
	bp->cmd_line_ptr = (uint32_t)ld->cmdline;
	bp->ext_cmd_line_ptr = (uint32_t)(ld->cmdline >> 32);
	bp->ramdisk_image = (uint32_t)ld->initrd;
	bp->ext_ramdisk_image = (uint32_t)(ld->initrd >> 32);
	bp->ramdisk_size = (uint32_t)ld->initrd_size;
	bp->ext_ramdisk_size = (uint32_t)(ld->initrd_size >> 32);
	bp->acpi_rsdp_addr = ld->acpi_rsdp;
	bp->setup_data = 0;
}

static uint32_t e820_type(enum mem_type t)
{
	switch (t) {
	case MEM_FREE:
	case MEM_BUSY:
		return E820_RAM;
	case MEM_ACPI:
		return E820_ACPI;
	case MEM_NVS:
		return E820_NVS;
	case MEM_PERSISTENT:
		return E820_PMEM;
	default:
		return E820_RESERVED;
	}
}

size_t bzimage_e820(const struct memmap *m, struct bz_e820_entry *out, size_t max)
{
	size_t n = 0;
	uint64_t last_end = 0;
	uint32_t last_type = 0;

	for (size_t i = 0; i < m->n; i++) {
		uint32_t t = e820_type(m->r[i].type);
		if (n && t == last_type && m->r[i].start == last_end) {
			last_end = m->r[i].end;
			if (n <= max)
				out[n - 1].size = last_end - out[n - 1].addr;
			continue;
		}
		if (n < max)
			out[n] = (struct bz_e820_entry){ m->r[i].start, m->r[i].end - m->r[i].start, t };
		n++;
		last_end = m->r[i].end;
		last_type = t;
	}
	return n;
}

void bzimage_add_setup_data(struct bz_boot_params *bp, struct bz_setup_data *sd, uint64_t phys,
			    uint32_t type, uint32_t len)
{
	sd->type = type;
	sd->len = len;
	sd->next = bp->setup_data;
	bp->setup_data = phys;
}

void bzimage_set_e820(struct bz_boot_params *bp, const struct bz_e820_entry *e, size_t n,
		      struct bz_setup_data *ext, uint64_t ext_phys)
{
	size_t zp = n < BZ_E820_ZEROPAGE_MAX ? n : BZ_E820_ZEROPAGE_MAX;

	RT_FN(memcpy)(bp->e820_table, e, zp * sizeof(*e));
	bp->e820_entries = (uint8_t)zp;
	if (n > zp) {
		RT_FN(memcpy)(ext->data, e + zp, (n - zp) * sizeof(*e));
		bzimage_add_setup_data(bp, ext, ext_phys, SETUP_E820_EXT,
				       (uint32_t)((n - zp) * sizeof(*e)));
	}
}

/* Position and width of the lowest run of set bits in a channel mask. */
static void mask_field(uint32_t mask, uint8_t *size, uint8_t *pos)
{
	uint8_t p = 0, s = 0;

	if (mask) {
		while (!(mask & 1)) {
			mask >>= 1;
			p++;
		}
		while (mask & 1) {
			mask >>= 1;
			s++;
		}
	}
	*size = s;
	*pos = p;
}

void bzimage_screen_info(struct bz_screen_info *si, const struct bz_fb *fb)
{
	RT_FN(memset)(si, 0, sizeof(*si));
	si->orig_video_isVGA = VIDEO_TYPE_EFI;
	si->lfb_width = (uint16_t)fb->width;
	si->lfb_height = (uint16_t)fb->height;
	si->lfb_base = (uint32_t)fb->base;
	si->ext_lfb_base = (uint32_t)(fb->base >> 32);
	if (si->ext_lfb_base)
		si->capabilities |= VIDEO_CAPABILITY_64BIT_BASE;
	si->lfb_size = (uint32_t)fb->size;
	if (fb->red | fb->green | fb->blue | fb->rsvd) {
		uint32_t all = fb->red | fb->green | fb->blue | fb->rsvd;
		uint8_t top = 0;
		mask_field(fb->red, &si->red_size, &si->red_pos);
		mask_field(fb->green, &si->green_size, &si->green_pos);
		mask_field(fb->blue, &si->blue_size, &si->blue_pos);
		mask_field(fb->rsvd, &si->rsvd_size, &si->rsvd_pos);
		while (all) {
			all >>= 1;
			top++;
		}
		si->lfb_depth = top;
	} else {
		si->lfb_depth = 32;
		si->red_size = si->green_size = si->blue_size = si->rsvd_size = 8;
		si->red_pos = 16;
		si->green_pos = 8;
		si->blue_pos = 0;
		si->rsvd_pos = 24;
	}
	si->lfb_linelength = (uint16_t)(fb->stride_pixels * ((si->lfb_depth + 7) / 8));
}

bool bzimage_cmdline_has(const char *c, const char *word)
{
	size_t n = RT_FN(strlen)(word);

	while (c && *c) {
		const char *t;
		bool quoted = false;
		while (*c == ' ' || *c == '\t' || *c == '\n')
			c++;
		t = c;
		while (*c && (quoted || (*c != ' ' && *c != '\t' && *c != '\n'))) {
			if (*c == '"')
				quoted = !quoted;
			c++;
		}
		if (((size_t)(c - t) == n || (n && word[n - 1] == '=' && (size_t)(c - t) > n)) &&
		    !RT_FN(memcmp)(t, word, n))
			return true;
	}
	return false;
}

uint64_t bzimage_kaslr_offset(uint64_t link, uint64_t extent, uint64_t align, uint32_t seed)
{
	uint64_t range, virt;

	if (link + extent >= BZ_KERNEL_IMAGE_SIZE || !align || (align & (align - 1)))
		return 0;
	range = BZ_KERNEL_IMAGE_SIZE - link - extent;
	virt = link + ((range * seed) >> 32);
	virt &= ~(align - 1);
	return virt > link ? virt - link : 0;
}

rt_status bzimage_relocate(const char *name, const uint8_t *t, size_t len, uint64_t link, uint64_t extent,
			   uint64_t delta, bz_patch_fn patch, void *ctx, size_t *count)
{
	static const char *const kind[3] = { "32-bit", "inverse 32-bit", "64-bit" };
	size_t at = len;
	rt_status rs;

	*count = 0;
	if (len % 4 || len < 12)
		return rt_fail(RT_ENOEXEC, "bzimage", "%s: a relocation table of %zu bytes (want a multiple of 4, at least 12)",
			       name, len);
	for (unsigned list = 0; list < 3; list++) {
		for (;;) {
			int32_t e;
			uint64_t va, off;
			unsigned width = list == 2 ? 8 : 4;
			if (!at)
				return rt_fail(RT_ENOEXEC, "bzimage", "%s: the relocation table's %s list has no end (%zu entries read)",
					       name, kind[list], *count);
			at -= 4;
			e = (int32_t)ld_rd32(t + at);
			if (!e)
				break;
			va = (uint64_t)(int64_t)e;
			off = va - BZ_START_KERNEL_MAP - link;
			if (va < BZ_START_KERNEL_MAP + link || off > extent || extent - off < width)
				return rt_fail(RT_ENOEXEC, "bzimage",
					       "%s: %s relocation at table offset %#zx names %#llx, outside the kernel [%#llx, %#llx)",
					       name, kind[list], at, (unsigned long long)va,
					       (unsigned long long)(BZ_START_KERNEL_MAP + link),
					       (unsigned long long)(BZ_START_KERNEL_MAP + link + extent));
			rs = patch(ctx, off, width, list == 1 ? (uint64_t)0 - delta : delta);
			if (rs != RT_OK)
				return rs;
			(*count)++;
		}
	}
	if (at)
		return rt_fail(RT_ENOEXEC, "bzimage", "%s: the relocation table ends %zu bytes after its start: %zu bytes before it are no relocations",
			       name, len - at, at);
	return RT_OK;
}

/* --- as a loader (boot/loader.h) --------------------------------------------------- */

static bool bz_probe(const struct ld_src *s, char *why, size_t whylen)
{
	if (s->head_len < 0x208) {
		rt_snprintf(why, whylen, "%llu bytes, shorter than a setup header", (unsigned long long)s->size);
		return false;
	}
	if (ld_rd32(s->head + 0x202) == BZ_HDR_MAGIC)
		return true;
	rt_snprintf(why, whylen, "no \"HdrS\" at 0x202 (0x%08x)", ld_rd32(s->head + 0x202));
	return false;
}

/* The kernel's release (`uname -r`): the first word of the version string
 * kernel_version (0x20e) + 0x200 points to in the setup code, when not 0
 * (boot.rst, "kernel_version"). */
static void bz_version(const struct ld_src *s, char *out, size_t size)
{
	uint16_t at = ld_rd16(s->head + 0x20e);
	size_t off = (size_t)at + 0x200, n = 0;

	out[0] = 0;
	if (!at || off >= s->head_len)
		return;
	while (n + 1 < size && off + n < s->head_len && s->head[off + n] > 0x20 && s->head[off + n] < 0x7f) {
		out[n] = (char)s->head[off + n];
		n++;
	}
	out[n] = 0;
}

/*
 * The stub's path. The kernel's x86 EFI stub does not run the bzImage's
 * decompressor when it boots a kernel: it decompresses the payload itself
 * straight to where the kernel runs, applies the relocation table with a
 * KASLR offset and jumps to the vmlinux's startup_64 with boot_params in
 * RSI (drivers/firmware/efi/libstub/x86-stub.c, efi_decompress_kernel and
 * enter_kernel). startup_64 is the entry the decompressor itself jumps to
 * ("We come here either directly from a 64bit bootloader, or from
 * arch/x86/boot/compressed/head_64.S", arch/x86/kernel/head_64.S), and it
 * expects what purgatory gives every x86_64 kernel: long mode, an identity
 * map covering the kernel, RSI = boot_params.
 *
 * The payload (boot.rst: payload_offset at 0x248 and payload_length at
 * 0x24c, from the start of the protected-mode code) is the stripped
 * vmlinux ELF, then its relocation table when the kernel has KASLR
 * (arch/x86/boot/compressed/Makefile: vmlinux.bin.all-$(CONFIG_X86_NEED_
 * RELOCS) += vmlinux.relocs), compressed as the kernel's config says, then
 * the decompressed size as LE32 (the Makefile's size_append; a gzip
 * member's ISIZE trailer is that LE32). The vmlinux is loaded as an ELF
 * vmlinux is (elf_layout), moved to where efikexec places it: x86_64's
 * startup_64 runs at any 2 MiB-aligned physical address (head64.c
 * __startup_64 derives its page tables from where it runs), and only a
 * virtual move needs the relocations (misc.c: "64-bit relocations are only
 * needed if KASLR has chosen a different starting address offset").
 *
 * Asked for (--direct-entry; the default once it is faster than the
 * kernel's own decompressor under TCG, which it is not yet: docs/DESIGN.md).
 * When a kernel cannot take this path the bzImage is entered at its 64-bit
 * entry as before, and k->direct.why says why. Only a payload that is not
 * what the header promises is an error.
 */
#define BZ_STARTUP_ALIGN (2ull << 20) /* __startup_64: "Is the address not 2M aligned?" */
#define BZ_RELOC_MAX (64u << 20)

static void not_direct(struct ld_kernel *k, const char *fmt, ...) RT_PRINTF(2, 3);
static void not_direct(struct ld_kernel *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(k->direct.why, sizeof(k->direct.why), fmt, ap);
	va_end(ap);
}

/* Where the ELF's own bytes end: its headers, section headers, PT_LOADs. */
static uint64_t elf_end(const struct ld_src *e, const struct ld_kernel *k)
{
	const uint8_t *h = e->head;
	uint64_t end = ld_rd64(h + 32) + (uint64_t)ld_rd16(h + 54) * ld_rd16(h + 56);
	uint64_t sh = ld_rd64(h + 40) + (uint64_t)ld_rd16(h + 58) * ld_rd16(h + 60);

	if (ld_rd64(h + 40) && sh > end)
		end = sh;
	for (unsigned i = 0; i < k->npieces; i++)
		if (k->piece[i].src_off + k->piece[i].filesz > end)
			end = k->piece[i].src_off + k->piece[i].filesz;
	return end;
}

static rt_status bz_direct(struct ld_ctx *c, struct ld_src *s, const struct bzimage_info *bi)
{
	struct ld_kernel *k = &c->k;
	uint64_t poff = ld_rd32(s->head + 0x248), plen = ld_rd32(s->head + 0x24c), at, size, end;
	uint8_t magic[16], tail[4];
	struct ld_piece legacy = k->piece[0];
	struct ld_src *e;
	struct elf_layout l;
	enum ld_comp comp;
	rt_status rs;

	if (!c->direct_entry)
		return RT_OK; /* not asked: no word in the plan */
	if (plen < sizeof(magic) || poff > bi->payload_size || plen > bi->payload_size - poff) {
		not_direct(k, "its payload (payload_offset %#llx, payload_length %#llx) does not lie in its %#llx bytes of kernel",
			   (unsigned long long)poff, (unsigned long long)plen, (unsigned long long)bi->payload_size);
		return RT_OK;
	}
	at = bi->setup_size + poff;
	if (at + sizeof(magic) <= s->head_len)
		RT_FN(memcpy)(magic, s->head + at, sizeof(magic)); /* read with the head already */
	else if ((rs = s->read(s, at, magic, sizeof(magic))) != RT_OK)
		return rs;
	if ((rs = s->read(s, at + plen - 4, tail, sizeof(tail))) != RT_OK)
		return rs;
	if (!ld_comp_detect(magic, sizeof(magic), &comp)) {
		not_direct(k, "its payload is compressed in a way efikexec does not decompress (it begins %02x %02x %02x %02x; efikexec decompresses gzip, zstd, xz, lzma, lz4, lzo and bzip2)",
			   magic[0], magic[1], magic[2], magic[3]);
		return RT_OK;
	}
	size = ld_rd32(tail);
	if (!(e = ld_new_src(c))) {
		not_direct(k, "it is nested too deep to open its payload");
		return RT_OK;
	}
	*e = (struct ld_src){ 0 };
	rt_snprintf(e->name, sizeof(e->name), "%s (%s payload)", s->name, ld_comp_name(comp));
	rs = ld_stream_open(e, s, at, comp == LD_COMP_GZIP ? plen : plen - 4, comp, size);
	if (rs == RT_OK)
		rs = ld_src_head(e, c->head[e - c->src]);
	if (rs != RT_OK)
		return rs;
	ld_stream_whole(e);
	if (e->head_len < 64 || RT_FN(memcmp)(e->head, "\177ELF", 4) || e->head[4] != 2 ||
	    ld_rd16(e->head + 18) != ELF_EM_X86_64 || ld_rd16(e->head + 16) != 2) {
		not_direct(k, "its payload is no x86_64 ELF executable");
		goto legacy;
	}
	rs = elf_layout(c, e, false, &l);
	if (rs != RT_OK)
		return rs;
	if (l.lo != bi->pref_address || l.entry_phys == ~0ull) {
		not_direct(k, "its vmlinux starts at %#llx, not at pref_address %#llx, or has no entry in a PT_LOAD",
			   (unsigned long long)l.lo, (unsigned long long)bi->pref_address);
		goto legacy;
	}
	end = elf_end(e, k);
	if (end > size) {
		not_direct(k, "its vmlinux's headers end at %#llx, past the payload's %#llx bytes",
			   (unsigned long long)end, (unsigned long long)size);
		goto legacy;
	}
	if (size - end && (size - end < 12 || (size - end) % 4 || size - end > BZ_RELOC_MAX)) {
		not_direct(k, "the %llu bytes after its vmlinux are no relocation table",
			   (unsigned long long)(size - end));
		goto legacy;
	}
	/* past each PT_LOAD's bytes only room: the kernel clears its bss and
	 * brk itself (head64.c clear_bss, extend_brk); the stub and the
	 * decompressor (misc.c parse_elf) copy p_filesz bytes only */
	for (unsigned i = 0; i < k->npieces; i++)
		k->piece[i].room = true;
	k->src = e;
	k->memsz = l.hi - l.lo;
	k->align = bi->kernel_alignment > BZ_STARTUP_ALIGN ? bi->kernel_alignment : BZ_STARTUP_ALIGN;
	k->entry_offset = l.entry_phys - l.lo;
	k->direct.on = true;
	k->direct.link = l.lo;
	k->direct.reloc_off = end;
	k->direct.reloc_len = size - end;
	not_direct(k, "decompressed by efikexec (%s, %llu MiB), at startup_64 %#llx",
		   ld_comp_name(comp), (unsigned long long)(size >> 20), (unsigned long long)l.entry_phys);
	return RT_OK;
legacy:
	ld_stream_close(e);
	c->depth--;
	k->piece[0] = legacy;
	k->npieces = 1;
	return RT_OK;
}

static rt_status bz_load(struct ld_ctx *c, struct ld_src *s)
{
	struct ld_kernel *k = &c->k;
	struct bzimage_info bi;
	rt_status rs = bzimage_parse(s->name, s->head, s->head_len, s->size, &bi);

	if (rs != RT_OK)
		return rs;
	k->machine = LD_MACHINE_X86_64;
	k->format = "bzImage";
	k->src = s;
	k->piece[0] = (struct ld_piece){ bi.setup_size, bi.payload_size, 0,
					 bi.init_size > bi.payload_size ? bi.init_size : bi.payload_size, true };
	k->npieces = 1;
	k->memsz = k->piece[0].memsz;
	k->align = bi.kernel_alignment;
	/* The 64-bit entry moves a kernel loaded below LOAD_PHYSICAL_ADDR up to
	 * it (arch/x86/boot/compressed/head_64.S), onto memory nobody reserved:
	 * never load below the kernel's preferred address. */
	k->min = bi.pref_address ? bi.pref_address : 0x100000;
	k->max = bi.above_4g ? 0 : 1ull << 32;
	k->entry_offset = BZ_ENTRY_64;
	k->cmdline_max = bi.cmdline_size;
	k->initrd_max = bi.above_4g ? 0 : (uint64_t)bi.initrd_addr_max + 1;
	k->params_max = bi.above_4g ? 0 : 1ull << 32;
	RT_FN(memcpy)(k->ho.bz.hdr, s->head, bi.hdr_end);
	k->ho.bz.end = bi.hdr_end;
	bz_version(s, k->version, sizeof(k->version));
	if (c->machine == LD_MACHINE_X86_64) {
		rs = bz_direct(c, s, &bi);
		if (rs != RT_OK)
			return rs;
	}
	ld_desc(c, "bzImage%s%s", k->version[0] ? " " : "", k->version);
	rt_log(RT_LOG_DEBUG, "bzimage", "%s: protocol %u.%02u, init_size %#x, alignment %#x, pref_address %#llx, cmdline_size %u%s",
	       s->name, bi.version >> 8, bi.version & 0xff, bi.init_size, bi.kernel_alignment,
	       (unsigned long long)bi.pref_address, bi.cmdline_size,
	       bi.above_4g ? ", loadable above 4 GiB" : "");
	return RT_OK;
}

const struct ld_loader ld_bzimage = { "bzImage", bz_probe, bz_load };
