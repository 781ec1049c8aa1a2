/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_capture.c - the crash-capture model (lib/capture.c): the descriptor's
 * seal, the crashed system's ranges, the ELF core header read back, the
 * VMCOREINFO note, the x86 direct map found in page tables built here, the
 * efi-pstore names, and what is kept from the main kernel. */
#include <elf.h>

#include "test.h"
#include "../../lib/capture.h"

#define PG 4096ull
#define MiB (1ull << 20)

TEST(capture_desc_seal_and_check)
{
	static struct capture_desc d;
	char why[160];

	memset(&d, 0, sizeof(d));
	d.magic = CAPTURE_MAGIC;
	d.version = CAPTURE_VERSION;
	d.size = sizeof(d);
	d.base = 0x2000000;
	d.end = 0xe000000;
	d.nr_ram = 1;
	d.ram[0] = (struct mem_span){ 0x100000, 0x40000000 };
	d.purgatory_mem = 0x2004000;
	d.work_mem = 0x200a000;
	d.initrd_mem = 0x220a000;
	d.initrd_size = 0x1000;
	d.kernel_mem = 0x2600000;
	d.free_mem = 0x6598000;
	strcpy(d.cmdline, "console=ttyS0");
	capture_desc_seal(&d);
	CHECK(capture_desc_check(&d, 0x2000000, 0xe000000, why, sizeof(why)));
	/* armed for another region */
	CHECK(!capture_desc_check(&d, 0x2000000, 0xf000000, why, sizeof(why)));
	CHECK_CONTAINS(why, "armed for [0x2000000, 0xf000000)");
	/* one byte changed anywhere: the seal breaks */
	d.cmdline[3] ^= 1;
	CHECK(!capture_desc_check(&d, 0x2000000, 0xe000000, why, sizeof(why)));
	CHECK_CONTAINS(why, "digest does not match");
	d.cmdline[3] ^= 1;
	d.magic = 0;
	CHECK(!capture_desc_check(&d, 0x2000000, 0xe000000, why, sizeof(why)));
	CHECK_CONTAINS(why, "no descriptor");
	/* sealed, but its layout leaves the region */
	d.magic = CAPTURE_MAGIC;
	d.work_mem = 0xdfff000;
	capture_desc_seal(&d);
	CHECK(!capture_desc_check(&d, 0x2000000, 0xe000000, why, sizeof(why)));
	CHECK_CONTAINS(why, "layout leaves the region");
	d.work_mem = 0x200a000;
	d.magic = CAPTURE_MAGIC;
	d.version = 99;
	CHECK(!capture_desc_check(&d, 0x2000000, 0xe000000, why, sizeof(why)));
	CHECK_CONTAINS(why, "version 99");
}

static void map_add(struct memmap *m, uint64_t s, uint64_t e, enum mem_type t)
{
	CHECK(memmap_add(m, s, e, t) == RT_OK);
}

TEST(capture_dump_ranges_leave_out_region_firmware_and_low)
{
	static struct memmap now;
	struct mem_span ram[] = { { 0, 0xa0000 }, { 0x100000, 0x800000 }, { 0x1800000, 0x40000000 } };
	struct mem_span out[8];
	size_t n;

	memmap_init(&now);
	map_add(&now, 0, 0xa0000, MEM_FREE);
	map_add(&now, 0x100000, 0x3000000, MEM_FREE);
	map_add(&now, 0x3000000, 0x3400000, MEM_BUSY);     /* firmware in this boot */
	map_add(&now, 0x3400000, 0x3f000000, MEM_FREE);
	map_add(&now, 0x3f000000, 0x3f800000, MEM_RUNTIME);
	map_add(&now, 0x3f800000, 0x40000000, MEM_FREE);
	CHECK(memmap_normalize(&now) == RT_OK);
	/* region [0x2000000, 0xe000000) */
	n = capture_dump_ranges(ram, 3, &now, 0x2000000, 0xe000000, out, 8);
	CHECK_EQ_U64(n, 4);
	CHECK_EQ_U64(out[0].start, 0x100000); /* below 1 MiB never */
	CHECK_EQ_U64(out[0].end, 0x800000);
	CHECK_EQ_U64(out[1].start, 0x1800000);
	CHECK_EQ_U64(out[1].end, 0x2000000);
	CHECK_EQ_U64(out[2].start, 0xe000000);
	CHECK_EQ_U64(out[2].end, 0x3f000000);
	CHECK_EQ_U64(out[3].start, 0x3f800000);
	CHECK_EQ_U64(out[3].end, 0x40000000);
	/* too many for the room: the count says so, nothing past max written */
	CHECK_EQ_U64(capture_dump_ranges(ram, 3, &now, 0x2000000, 0xe000000, out, 2), 4);
}

TEST(capture_elfcore_reads_back)
{
	static uint8_t buf[4096];
	static const uint8_t note[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct mem_span load[] = { { 0x100000, 0x800000 }, { 0xe000000, 0x40000000 } };
	struct capture_core c = { CAPTURE_EM_X86_64, load, 2, 0xffff888000000000ull, note, sizeof(note) };
	Elf64_Ehdr eh; /* the host's definitions, not the ones under test */
	Elf64_Phdr ph[3];
	size_t len = capture_elfcore(buf, sizeof(buf), 0x200a000, &c);

	CHECK_EQ_U64(len, 64 + 3 * 56 + sizeof(note));
	memcpy(&eh, buf, sizeof(eh));
	memcpy(ph, buf + 64, sizeof(ph));
	CHECK(memcmp(eh.e_ident, "\177ELF\2\1\1", 7) == 0);
	CHECK_EQ_U64(eh.e_type, ET_CORE);
	CHECK_EQ_U64(eh.e_machine, EM_X86_64);
	CHECK_EQ_U64(eh.e_phoff, 64);
	CHECK_EQ_U64(eh.e_phentsize, 56);
	CHECK_EQ_U64(eh.e_phnum, 3);
	CHECK_EQ_U64(ph[0].p_type, PT_NOTE);
	CHECK_EQ_U64(ph[0].p_offset, 0x200a000 + 64 + 3 * 56);
	CHECK_EQ_U64(ph[0].p_filesz, sizeof(note));
	CHECK(memcmp(buf + 64 + 3 * 56, note, sizeof(note)) == 0);
	CHECK_EQ_U64(ph[2].p_type, PT_LOAD);
	CHECK_EQ_U64(ph[2].p_offset, 0xe000000);
	CHECK_EQ_U64(ph[2].p_paddr, 0xe000000);
	CHECK_EQ_U64(ph[2].p_vaddr, 0xffff88800e000000ull);
	CHECK_EQ_U64(ph[2].p_filesz, 0x40000000 - 0xe000000);
	CHECK_EQ_U64(ph[2].p_memsz, ph[2].p_filesz);
	/* no linear map known: p_vaddr says so */
	c.vaddr_delta = 0;
	capture_elfcore(buf, sizeof(buf), 0x200a000, &c);
	memcpy(ph, buf + 64, sizeof(ph));
	CHECK_EQ_U64(ph[1].p_vaddr, ~0ull);
	/* too small: nothing */
	CHECK_EQ_U64(capture_elfcore(buf, 64 + 3 * 56, 0, &c), 0);
}

/* A VMCOREINFO note as the kernel's append_elf_note() lays it out. */
static size_t make_note(uint8_t *buf, const char *text)
{
	uint32_t h[3] = { 11, (uint32_t)strlen(text), 0 };

	memset(buf, 0, 8192);
	memcpy(buf, h, 12);
	memcpy(buf + 12, "VMCOREINFO", 11);
	memcpy(buf + 24, text, strlen(text));
	return 24 + ((strlen(text) + 3) & ~3u);
}

TEST(capture_vmcoreinfo_note_and_values)
{
	static uint8_t page[8192];
	const char *text = "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\n"
			   "SYMBOL(init_top_pgt)=ffffffff82a10000\nNUMBER(phys_base)=218103808\n"
			   "NUMBER(PHYS_OFFSET)=0x40000000\nKERNELOFFSET=1c000000\nNUMBER(VA_BITS)=48\n"
			   "NUMBER(neg)=-2097152\nNUMBER(bad)=-\n";
	size_t len = make_note(page, text);
	uint64_t v;
	char rel[32];

	CHECK_EQ_U64(capture_vmcoreinfo_note(page, sizeof(page)), len);
	CHECK(capture_vmcoreinfo_value(page, len, "SYMBOL(init_top_pgt)", &v) && v == 0xffffffff82a10000ull);
	CHECK(capture_vmcoreinfo_value(page, len, "NUMBER(phys_base)", &v) && v == 218103808);
	CHECK(capture_vmcoreinfo_value(page, len, "NUMBER(PHYS_OFFSET)", &v) && v == 0x40000000);
	CHECK(capture_vmcoreinfo_value(page, len, "KERNELOFFSET", &v) && v == 0x1c000000);
	CHECK(capture_vmcoreinfo_value(page, len, "NUMBER(VA_BITS)", &v) && v == 48);
	CHECK(capture_vmcoreinfo_value(page, len, "NUMBER(neg)", &v) && v == (uint64_t)-2097152);
	CHECK(!capture_vmcoreinfo_value(page, len, "NUMBER(bad)", &v));
	CHECK(!capture_vmcoreinfo_value(page, len, "NUMBER(missing)", &v));
	CHECK(!capture_vmcoreinfo_value(page, len, "PAGESIZ", &v)); /* whole keys only */
	CHECK(capture_vmcoreinfo_release(page, len, rel, sizeof(rel)));
	CHECK_STR(rel, "6.1.0-56-amd64");
	/* what is not one: cut short, a wrong name, binary bytes, no OSRELEASE */
	CHECK_EQ_U64(capture_vmcoreinfo_note(page, len - 8), 0);
	page[12] = 'X';
	CHECK_EQ_U64(capture_vmcoreinfo_note(page, sizeof(page)), 0);
	make_note(page, text);
	page[40] = 1;
	CHECK_EQ_U64(capture_vmcoreinfo_note(page, sizeof(page)), 0);
	make_note(page, "PAGESIZE=4096\nOSRELEASE=6.1\n");
	CHECK_EQ_U64(capture_vmcoreinfo_note(page, sizeof(page)), 0);
	memset(page, 0, sizeof(page));
	CHECK_EQ_U64(capture_vmcoreinfo_note(page, sizeof(page)), 0);
}

/* Simulated physical memory for the page-table walk: 64 pages at 0. */
static uint64_t phys[64 * 512];
static unsigned reads;

static bool read_phys(void *ctx, uint64_t pa, uint64_t *val)
{
	(void)ctx;
	reads++;
	if (pa + 8 > sizeof(phys) || (pa & 7))
		return false;
	*val = phys[pa / 8];
	return true;
}

static void set_entry(uint64_t table_page, unsigned idx, uint64_t val)
{
	phys[table_page * 512 + idx] = val;
}

TEST(capture_x86_direct_map_found_in_page_tables)
{
	uint64_t po;
	const uint64_t P = 1, RW = 2, PS = 0x80;

	/* 4 levels, PGD at page 1, in address order: slot 280 maps 0x200000
	 * (not the direct map), slot 290 PUD 5 maps physical 0 with 2 MiB
	 * pages (the direct map), slot 511 maps the kernel image. */
	memset(phys, 0, sizeof(phys));
	set_entry(1, 280, 2 * PG | P | RW);
	set_entry(2, 0, 3 * PG | P | RW);           /* PUD -> PMD */
	set_entry(3, 0, 0x200000 | P | RW | PS);    /* 2 MiB page at 0x200000 */
	set_entry(1, 290, 4 * PG | P | RW);
	set_entry(4, 5, 5 * PG | P | RW);
	set_entry(5, 0, 0 | P | RW | PS);           /* physical 0 */
	set_entry(1, 511, 6 * PG | P | RW);
	set_entry(6, 510, 0x1000000 | P | RW | PS); /* 1 GiB page: the image */
	CHECK(capture_x86_page_offset(read_phys, NULL, 1 * PG, false, 0, &po));
	CHECK_EQ_U64(po, 0xffff000000000000ull | (290ull << 39) | (5ull << 30));

	/* a 1 GiB page at PUD level, and the C-bit (sme_mask) in the entries */
	memset(phys, 0, sizeof(phys));
	const uint64_t C = 1ull << 47;
	set_entry(1, 273, 2 * PG | P | RW | C);
	set_entry(2, 0, 0 | P | RW | PS | C);
	CHECK(capture_x86_page_offset(read_phys, NULL, 1 * PG, false, C, &po));
	CHECK_EQ_U64(po, 0xffff888000000000ull);
	/* without the mask the C-bit reads as an address: not 0, not found */
	CHECK(!capture_x86_page_offset(read_phys, NULL, 1 * PG, false, 0, &po));

	/* 5 levels: the top slot 290 > 256, then P4D 17 */
	memset(phys, 0, sizeof(phys));
	set_entry(1, 290, 2 * PG | P);
	set_entry(2, 17, 3 * PG | P);
	set_entry(3, 0, 4 * PG | P);
	set_entry(4, 0, 5 * PG | P);                /* PMD -> PTE table */
	set_entry(5, 0, 0 | P);
	CHECK(capture_x86_page_offset(read_phys, NULL, 1 * PG, true, 0, &po));
	CHECK_EQ_U64(po, 0xfe00000000000000ull | (290ull << 48) | (17ull << 39));

	/* tables pointing outside memory: not found, no crash */
	memset(phys, 0, sizeof(phys));
	set_entry(1, 300, 0x7000000000ull | P);
	CHECK(!capture_x86_page_offset(read_phys, NULL, 1 * PG, false, 0, &po));
}

TEST(capture_pstore_names)
{
	int64_t t;

	CHECK(capture_pstore_time("dump-type0-1-1-1795237141-C", &t) && t == 1795237141);
	CHECK(capture_pstore_time("dump-type0-9-2-1700000000-D", &t) && t == 1700000000);
	CHECK(capture_pstore_time("dump-type0-2-0-1700000001", &t) && t == 1700000001);
	CHECK(capture_pstore_time("dump-type0-3-1700000002", &t) && t == 1700000002);
	CHECK(!capture_pstore_time("dump-type1-1-1-5-C", &t));     /* not dmesg */
	CHECK(!capture_pstore_time("dump-type0-1-1-x-C", &t));
	CHECK(!capture_pstore_time("dump-type0-1-1-5-Z", &t));
	CHECK(!capture_pstore_time("dump-type0-", &t));
	CHECK(!capture_pstore_time("dump-type0-7", &t));
	CHECK(!capture_pstore_time("Boot0001", &t));
	CHECK(!capture_pstore_time("dump-type0-1-1-99999999999999999999-C", &t));
}

struct desc {
	uint32_t type, pad;
	uint64_t phys, virt, pages, attr;
};

TEST(capture_hide_splits_the_efi_map)
{
	/* 48-byte descriptors, as OVMF's (40 + padding) */
	enum { DS = 48 };
	static uint8_t map[16 * DS];
	struct desc in[] = {
		{ 7, 0, 0, 0, 16, 0xf },        /* conventional [0, 16) */
		{ 4, 0, 16 * PG, 0, 16, 0xf },  /* boot services data [16, 32) */
		{ 6, 0, 32 * PG, 32 * PG, 8, 1ull << 63 | 0xf }, /* runtime [32, 40) */
		{ 7, 0, 40 * PG, 0, 60, 0xf },  /* conventional [40, 100) */
		{ 2, 0, 100 * PG, 0, 4, 0xf },  /* loader data: the kernel's own */
	};
	struct mem_span hide[] = { { 8 * PG, 50 * PG }, { 90 * PG, 104 * PG } };
	size_t size = 0, n;
	uint64_t pages = 0, reserved = 0;

	memset(map, 0, sizeof(map));
	for (size_t i = 0; i < 5; i++, size += DS)
		memcpy(map + size, &in[i], sizeof(in[i]));
	n = capture_hide_in_efi_map(map, size, sizeof(map), DS, hide, 2, CAPTURE_HIDE_TYPES);
	CHECK_EQ_U64(n, 8 * DS);
	struct desc want[] = {
		{ 7, 0, 0, 0, 8, 0xf },
		{ 0, 0, 8 * PG, 0, 8, 0xf },
		{ 0, 0, 16 * PG, 0, 16, 0xf },
		{ 6, 0, 32 * PG, 32 * PG, 8, 1ull << 63 | 0xf },
		{ 0, 0, 40 * PG, 0, 10, 0xf },
		{ 7, 0, 50 * PG, 0, 40, 0xf },
		{ 0, 0, 90 * PG, 0, 10, 0xf },
		{ 0, 0, 100 * PG, 0, 4, 0xf },
	};
	for (size_t i = 0; i < 8; i++) {
		struct desc d;
		memcpy(&d, map + i * DS, sizeof(d));
		CHECK_EQ_U64(d.type, want[i].type);
		CHECK_EQ_U64(d.phys, want[i].phys);
		CHECK_EQ_U64(d.pages, want[i].pages);
		CHECK_EQ_U64(d.attr, want[i].attr);
	}
	for (size_t off = 0; off < n; off += DS) {
		struct desc d;
		memcpy(&d, map + off, sizeof(d));
		pages += d.pages;
		reserved += d.type == 0 ? d.pages : 0;
	}
	/* every page is still described, once */
	CHECK_EQ_U64(pages, 104);
	CHECK_EQ_U64(reserved, 8 + 16 + 10 + 10 + 4);
	/* no room to split: 0, the caller stops */
	size = 0;
	for (size_t i = 0; i < 5; i++, size += DS)
		memcpy(map + size, &in[i], sizeof(in[i]));
	CHECK_EQ_U64(capture_hide_in_efi_map(map, size, 6 * DS, DS, hide, 2, 0), 0);
}

TEST(capture_spans_minus_splits_and_drops)
{
	struct mem_span s[6] = { { 0, 100 }, { 200, 300 }, { 400, 500 } };
	struct mem_span h[] = { { 50, 60 }, { 150, 250 }, { 400, 500 } };
	size_t n = capture_spans_minus(s, 3, 6, h, 3);

	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(s[0].end, 50);
	CHECK_EQ_U64(s[1].start, 60);
	CHECK_EQ_U64(s[1].end, 100);
	CHECK_EQ_U64(s[2].start, 250);
	CHECK_EQ_U64(s[2].end, 300);
	/* a split with no room left */
	struct mem_span t[1] = { { 0, 100 } };
	CHECK_EQ_U64(capture_spans_minus(t, 1, 1, h, 1), 0);
}
