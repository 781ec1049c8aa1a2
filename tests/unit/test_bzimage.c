/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_bzimage.c - the x86 boot protocol pieces: setup header validation
 * (each rejection names the file and the field), boot_params, e820 from
 * the memory model with its SETUP_E820_EXT overflow, screen_info, and the
 * identity page tables walked the way the MMU walks them.
 */
#include "test.h"
#include "../../boot/bzimage.h"
#include "../../arch/x86_64/pagetable.h"

#define SETUP_SECTS 27
#define PAYLOAD (8u << 20)
#define FILE_SIZE ((SETUP_SECTS + 1) * 512 + PAYLOAD)

/* A setup header as a 6.x x86_64 build writes it. */
static void good_header(uint8_t *b)
{
	memset(b, 0, BZIMAGE_PROBE_SIZE);
	test_bzimage_header(b, SETUP_SECTS, PAYLOAD, 0x3f98000);
	b[0x26c] = 0x5a; /* past the header: must not be copied */
}

TEST(bzimage_parse_good)
{
	uint8_t b[BZIMAGE_PROBE_SIZE];
	struct bzimage_info bi;

	good_header(b);
	CHECK(bzimage_parse("\\vmlinuz", b, sizeof(b), FILE_SIZE, &bi) == RT_OK);
	CHECK_EQ_U64(bi.version, 0x020f);
	CHECK_EQ_U64(bi.setup_size, (SETUP_SECTS + 1) * 512);
	CHECK_EQ_U64(bi.payload_size, PAYLOAD);
	CHECK_EQ_U64(bi.hdr_end, 0x26c);
	CHECK_EQ_U64(bi.kernel_alignment, 0x200000);
	CHECK_EQ_U64(bi.init_size, 0x3f98000);
	CHECK_EQ_U64(bi.pref_address, 0x1000000);
	CHECK_EQ_U64(bi.cmdline_size, 2047);
	CHECK_EQ_U64(bi.initrd_addr_max, 0x7fffffff);
	CHECK(bi.above_4g);
	/* setup_sects 0 means 4 (boot.rst) */
	b[0x1f1] = 0;
	CHECK(bzimage_parse("k", b, sizeof(b), 5 * 512 + PAYLOAD, &bi) == RT_OK);
	CHECK_EQ_U64(bi.setup_size, 5 * 512);
}

/* Breaks one field of a good header; the parse must fail with `st` and a
 * message that contains `words`. */
static void reject(void (*mangle)(uint8_t *b, uint64_t *size), rt_status st, const char *words)
{
	uint8_t b[BZIMAGE_PROBE_SIZE];
	struct bzimage_info bi;
	uint64_t size = FILE_SIZE;

	good_header(b);
	mangle(b, &size);
	test_log_clear();
	CHECK_EQ_U64(bzimage_parse("\\dir\\img", b, sizeof(b), size, &bi), st);
	CHECK_CONTAINS(test_log(), "\\dir\\img: ");
	CHECK_CONTAINS(test_log(), words);
}

static void m_magic(uint8_t *b, uint64_t *s) { b[0x202] = 'X'; }
static void m_flag(uint8_t *b, uint64_t *s) { b[0x1fe] = 0; }
static void m_version(uint8_t *b, uint64_t *s) { w16(b, 0x206, 0x020b); }
static void m_xlf(uint8_t *b, uint64_t *s) { w16(b, 0x236, BZ_XLF_CAN_BE_LOADED_ABOVE_4G); }
static void m_reloc(uint8_t *b, uint64_t *s) { b[0x234] = 0; }
static void m_align(uint8_t *b, uint64_t *s) { w32(b, 0x230, 0x300000); }
static void m_align_small(uint8_t *b, uint64_t *s) { w32(b, 0x230, 0x800); }
static void m_trunc(uint8_t *b, uint64_t *s) { *s -= 1; }
static void m_tiny(uint8_t *b, uint64_t *s) { *s = 0x100; }
static void m_init(uint8_t *b, uint64_t *s) { w32(b, 0x260, PAYLOAD - 16); }
static void m_pref(uint8_t *b, uint64_t *s) { w64(b, 0x258, 0x1001000); }
static void m_jump(uint8_t *b, uint64_t *s) { b[0x201] = 0x10; }
static void m_cmdline(uint8_t *b, uint64_t *s) { w32(b, 0x238, 0); }
static void m_syssize(uint8_t *b, uint64_t *s) { w32(b, 0x1f4, 0); }

TEST(bzimage_parse_rejects_with_the_field)
{
	reject(m_magic, RT_ENOEXEC, "not a bzImage: header magic");
	reject(m_flag, RT_ENOEXEC, "boot_flag 0xaa00 (want 0xaa55)");
	reject(m_version, RT_ENOTSUP, "boot protocol version 2.11, efikexec needs at least 2.12");
	reject(m_xlf, RT_ENOTSUP, "xloadflags 0x2 lacks XLF_KERNEL_64");
	reject(m_reloc, RT_ENOTSUP, "relocatable_kernel is 0");
	reject(m_align, RT_ENOEXEC, "kernel_alignment 0x300000 is not a power of two");
	reject(m_align_small, RT_ENOEXEC, "kernel_alignment 0x800");
	reject(m_trunc, RT_ETRUNC, "truncated: 8402943 bytes, the header declares 14336 of setup and 8388608 of kernel");
	reject(m_tiny, RT_ETRUNC, "256 bytes, too short for a bzImage setup header");
	reject(m_init, RT_ENOEXEC, "init_size 0x7ffff0 is smaller than the kernel's 0x800000 bytes");
	reject(m_pref, RT_ENOEXEC, "pref_address 0x1001000 is not aligned to kernel_alignment 0x200000");
	reject(m_jump, RT_ENOEXEC, "setup header ends at 0x212");
	reject(m_cmdline, RT_ENOEXEC, "cmdline_size is 0");
	reject(m_syssize, RT_ENOEXEC, "syssize is 0");
}

TEST(bzimage_boot_params_fields)
{
	uint8_t b[BZIMAGE_PROBE_SIZE];
	struct bzimage_info bi;
	static struct bz_boot_params bp;
	struct bz_load ld = { .kernel = 0x1600000, .cmdline = 0x1234567000, .initrd = 0x103f98000,
			      .initrd_size = 0x1e5000, .acpi_rsdp = 0x7f77d014 };

	good_header(b);
	CHECK(bzimage_parse("k", b, sizeof(b), FILE_SIZE, &bi) == RT_OK);
	memset(&bp, 0xcc, sizeof(bp));
	bzimage_boot_params(&bp, b, bi.hdr_end, &ld);
	/* the header up to type_of_loader, and from initrd_addr_max to its
	 * end, is the image's own */
	CHECK(memcmp((uint8_t *)&bp + 0x1f1, b + 0x1f1, 0x210 - 0x1f1) == 0);
	CHECK(memcmp((uint8_t *)&bp + 0x22c, b + 0x22c, 0x26c - 0x22c) == 0);
	CHECK_EQ_U64(bp.setup_sects, SETUP_SECTS);
	CHECK_EQ_U64(bp.header, BZ_HDR_MAGIC);
	CHECK_EQ_U64(bp.version, 0x020f);
	CHECK_EQ_U64(bp.init_size, 0x3f98000);
	CHECK_EQ_U64(bp.kernel_alignment, 0x200000);
	CHECK_EQ_U64(((uint8_t *)&bp)[0x26c], 0); /* past the header: zero */
	CHECK_EQ_U64(bp.sentinel, 0);
	CHECK_EQ_U64(bp.type_of_loader, 0xff);
	CHECK(bp.loadflags & BZ_LOADED_HIGH);
	CHECK_EQ_U64(bp.code32_start, 0x1600000);
	CHECK_EQ_U64(bp.cmd_line_ptr, 0x34567000);
	CHECK_EQ_U64(bp.ext_cmd_line_ptr, 0x12);
	CHECK_EQ_U64(bp.ramdisk_image, 0x03f98000);
	CHECK_EQ_U64(bp.ext_ramdisk_image, 0x1);
	CHECK_EQ_U64(bp.ramdisk_size, 0x1e5000);
	CHECK_EQ_U64(bp.ext_ramdisk_size, 0);
	CHECK_EQ_U64(bp.acpi_rsdp_addr, 0x7f77d014);
	CHECK_EQ_U64(bp.setup_data, 0);
	CHECK_EQ_U64(bp.e820_entries, 0);
	CHECK_EQ_U64(bp.efi_loader_signature, 0);
}

TEST(bzimage_e820_merges_and_overflows)
{
	static struct memmap m;
	static struct bz_e820_entry e[MEMMAP_MAX];
	static union {
		struct bz_setup_data sd;
		uint8_t room[sizeof(struct bz_setup_data) + MEMMAP_MAX * sizeof(struct bz_e820_entry)];
	} ext;
	static struct bz_boot_params bp;
	size_t n;

	memmap_init(&m);
	memmap_add(&m, 0, 0xa0000, MEM_FREE);
	memmap_add(&m, 0x100000, 0x800000, MEM_BUSY);   /* RAM after the exit */
	memmap_add(&m, 0x800000, 0x7e000000, MEM_FREE); /* merges with it */
	memmap_add(&m, 0x7e000000, 0x7e100000, MEM_RUNTIME);
	memmap_add(&m, 0x7e100000, 0x7e200000, MEM_ACPI);
	memmap_add(&m, 0x7e200000, 0x7e300000, MEM_NVS);
	memmap_add(&m, 0x7e300000, 0x7e400000, MEM_RESERVED); /* merges with runtime? no: apart */
	memmap_add(&m, 0x100000000, 0x180000000, MEM_PERSISTENT);
	CHECK(memmap_normalize(&m) == RT_OK);
	n = bzimage_e820(&m, e, MEMMAP_MAX);
	CHECK_EQ_U64(n, 7);
	CHECK_EQ_U64(e[1].addr, 0x100000);
	CHECK_EQ_U64(e[1].size, 0x7e000000 - 0x100000);
	CHECK_EQ_U64(e[1].type, E820_RAM);
	CHECK_EQ_U64(e[2].type, E820_RESERVED);
	CHECK_EQ_U64(e[3].type, E820_ACPI);
	CHECK_EQ_U64(e[4].type, E820_NVS);
	CHECK_EQ_U64(e[5].type, E820_RESERVED);
	CHECK_EQ_U64(e[6].type, E820_PMEM);
	/* the count is exact even when out[] is too small */
	CHECK_EQ_U64(bzimage_e820(&m, e, 2), 7);

	/* 200 ranges of alternating type: 128 in boot_params, 72 in the node */
	memmap_init(&m);
	for (uint64_t i = 0; i < 200; i++)
		memmap_add(&m, i << 20, (i + 1) << 20, i & 1 ? MEM_RESERVED : MEM_FREE);
	CHECK(memmap_normalize(&m) == RT_OK);
	n = bzimage_e820(&m, e, MEMMAP_MAX);
	CHECK_EQ_U64(n, 200);
	memset(&bp, 0, sizeof(bp));
	bp.setup_data = 0xabc000; /* an earlier node stays linked behind */
	bzimage_set_e820(&bp, e, n, &ext.sd, 0x5000);
	CHECK_EQ_U64(bp.e820_entries, 128);
	CHECK_EQ_U64(bp.e820_table[127].addr, 127ull << 20);
	CHECK_EQ_U64(bp.setup_data, 0x5000);
	CHECK_EQ_U64(ext.sd.type, SETUP_E820_EXT);
	CHECK_EQ_U64(ext.sd.len, 72 * sizeof(struct bz_e820_entry));
	CHECK_EQ_U64(ext.sd.next, 0xabc000);
	struct bz_e820_entry last;
	memcpy(&last, ext.sd.data + 71 * sizeof(last), sizeof(last));
	CHECK_EQ_U64(last.addr, 199ull << 20);
	CHECK_EQ_U64(last.type, E820_RESERVED);

	/* few entries: no node */
	memset(&bp, 0, sizeof(bp));
	bzimage_set_e820(&bp, e, 3, &ext.sd, 0x5000);
	CHECK_EQ_U64(bp.e820_entries, 3);
	CHECK_EQ_U64(bp.setup_data, 0);
}

TEST(bzimage_screen_info_from_masks)
{
	struct bz_screen_info si;
	struct bz_fb fb = { .base = 0x80000000, .size = 0x300000, .width = 1024, .height = 768,
			    .stride_pixels = 1024, .red = 0xff0000, .green = 0xff00, .blue = 0xff,
			    .rsvd = 0xff000000 };

	bzimage_screen_info(&si, &fb);
	CHECK_EQ_U64(si.orig_video_isVGA, VIDEO_TYPE_EFI);
	CHECK_EQ_U64(si.lfb_depth, 32);
	CHECK_EQ_U64(si.lfb_linelength, 4096);
	CHECK_EQ_U64(si.red_pos, 16);
	CHECK_EQ_U64(si.red_size, 8);
	CHECK_EQ_U64(si.blue_pos, 0);
	CHECK_EQ_U64(si.rsvd_pos, 24);
	CHECK_EQ_U64(si.capabilities, 0);
	/* 16-bit 5:6:5 above 4 GiB */
	fb = (struct bz_fb){ .base = 0x800000000, .size = 0x200000, .width = 800, .height = 600,
			     .stride_pixels = 832, .red = 0xf800, .green = 0x7e0, .blue = 0x1f };
	bzimage_screen_info(&si, &fb);
	CHECK_EQ_U64(si.lfb_depth, 16);
	CHECK_EQ_U64(si.lfb_linelength, 1664);
	CHECK_EQ_U64(si.green_pos, 5);
	CHECK_EQ_U64(si.green_size, 6);
	CHECK_EQ_U64(si.lfb_base, 0);
	CHECK_EQ_U64(si.ext_lfb_base, 8);
	CHECK(si.capabilities & VIDEO_CAPABILITY_64BIT_BASE);
}

TEST(pagetable_identity_map)
{
	static const uint64_t ends[] = { 1ull << 30, 0x1c0000000ull, 513ull << 30 };
	uint64_t seed = test_seed();

	for (int la57 = 0; la57 <= 1; la57++) {
		for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
			uint64_t end = ends[k], pages = x86_pt_pages(end, la57), phys = 0x7de79000;
			uint64_t mapped = (end + (1ull << 30) - 1) & ~((1ull << 30) - 1);
			uint8_t *t = calloc(pages, 4096);
			uint64_t cr3 = x86_pt_build(t, phys, pages, end, la57);

			CHECK_EQ_U64(cr3, phys);
			/* too few pages: refused, not overrun */
			CHECK_EQ_U64(x86_pt_build(t, phys, pages - 1, end, la57), 0);
			memset(t, 0, pages * 4096);
			x86_pt_build(t, phys, pages, end, la57);
			for (int i = 0; i < 2000; i++) {
				uint64_t va = rnd_below(&seed, mapped);
				CHECK_EQ_U64(x86_pt_walk(t, phys, cr3, va, la57), va);
			}
			CHECK_EQ_U64(x86_pt_walk(t, phys, cr3, mapped - 1, la57), mapped - 1);
			if (mapped < (512ull << 30) * 512)
				CHECK_EQ_U64(x86_pt_walk(t, phys, cr3, mapped, la57), UINT64_MAX);
			free(t);
		}
	}
	CHECK_EQ_U64(x86_pt_pages(6ull << 30, false), 6 + 1 + 1);
	CHECK_EQ_U64(x86_pt_pages(513ull << 30, true), 513 + 2 + 1 + 1);
}
