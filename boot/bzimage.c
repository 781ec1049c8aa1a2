/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bzimage.c - validating a bzImage and building its boot_params.
 * Facts from the kernel's Documentation/arch/x86/boot.rst and zero-page.rst.
 */
#include "bzimage.h"
#include "loader.h"

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
	ld_desc(c, "bzImage%s%s", k->version[0] ? " " : "", k->version);
	rt_log(RT_LOG_DEBUG, "bzimage", "%s: protocol %u.%02u, init_size %#x, alignment %#x, pref_address %#llx, cmdline_size %u%s",
	       s->name, bi.version >> 8, bi.version & 0xff, bi.init_size, bi.kernel_alignment,
	       (unsigned long long)bi.pref_address, bi.cmdline_size,
	       bi.above_4g ? ", loadable above 4 GiB" : "");
	return RT_OK;
}

const struct ld_loader ld_bzimage = { "bzImage", bz_probe, bz_load };
