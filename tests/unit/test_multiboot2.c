/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_multiboot2.c - boot/multiboot2.c: the header (every tag efikexec
 * reads, each refusal with its message), the loader in the table (an ELF32
 * like Xen's, relocatable; the address tag's layout; the other machine),
 * and the boot information (each tag's bytes, order, alignment, what is
 * given only when asked for, a room too small).
 */
#include "../../boot/multiboot2.h"
#include "../../boot/loader.h"
#include "../../boot/stream.h"
#include "test.h"

static uint32_t r32(const uint8_t *b, size_t o) { uint32_t v; memcpy(&v, b + o, 4); return v; }
static uint64_t r64(const uint8_t *b, size_t o) { uint64_t v; memcpy(&v, b + o, 8); return v; }

/* A header at b + at from tags (each {type, flags, u32 payload...}); the
 * checksum right unless `sum_off` */
struct htag {
	uint16_t type, flags;
	unsigned n;
	uint32_t v[8];
};
static size_t put_header(uint8_t *b, size_t at, const struct htag *t, unsigned nt, uint32_t arch, int sum_off)
{
	size_t o = at + 16;

	for (unsigned i = 0; i < nt; i++) {
		uint32_t size = 8 + 4 * t[i].n;
		w16(b, o, t[i].type);
		w16(b, o + 2, t[i].flags);
		w32(b, o + 4, size);
		for (unsigned j = 0; j < t[i].n; j++)
			w32(b, o + 8 + 4 * j, t[i].v[j]);
		o += (size + 7) & ~7u;
	}
	w16(b, o, 0), w16(b, o + 2, 0), w32(b, o + 4, 8);
	o += 8;
	w32(b, at, MB2_HEADER_MAGIC);
	w32(b, at + 4, arch);
	w32(b, at + 8, (uint32_t)(o - at));
	w32(b, at + 12, (uint32_t)(0u - (MB2_HEADER_MAGIC + arch + (uint32_t)(o - at))) + (uint32_t)sum_off);
	return o - at;
}

/* Xen 4.17's header tags (its xen.gz, formats.md 4) */
static const struct htag xen_tags[] = {
	{ 1, 0, 2, { 4, 6 } },
	{ 6, 0, 0, { 0 } },
	{ 10, 1, 4, { 0x200000, 0xffffffff, 0x200000, 2 } },
	{ 4, 0, 1, { 2 } },
	{ 5, 1, 3, { 0, 0, 0 } },
	{ 7, 1, 0, { 0 } },
	{ 9, 1, 1, { 0x200531 } }, /* Xen's is 0x3dd531, in its 3.7 MiB */
};

TEST(mb2_header_xen)
{
	static uint8_t b[0x10000];
	struct mb2_header h;
	uint32_t off = 0;

	memset(b, 0, sizeof(b));
	put_header(b, 0x98, xen_tags, 7, 0, 0);
	CHECK(mb2_probe(b, sizeof(b), &off));
	CHECK_EQ_U64(off, 0x98);
	CHECK(mb2_parse(b, sizeof(b), off, "\\xen", &h) == RT_OK);
	CHECK_EQ_U64(h.required, (1u << 4) | (1u << 6));
	CHECK_EQ_U64(h.requested, h.required);
	CHECK(MB2_HAS(&h, MB2_HT_MODULE_ALIGN) && MB2_HAS(&h, MB2_HT_RELOCATABLE) && MB2_HAS(&h, MB2_HT_EFI_BS));
	CHECK(!MB2_HAS(&h, MB2_HT_ADDRESS) && !MB2_HAS(&h, MB2_HT_ENTRY));
	CHECK_EQ_U64(h.reloc_min, 0x200000);
	CHECK_EQ_U64(h.reloc_max, 0xffffffff);
	CHECK_EQ_U64(h.reloc_align, 0x200000);
	CHECK_EQ_U64(h.reloc_pref, MB2_RELOC_HIGH);
	CHECK_EQ_U64(h.console_flags, MB2_CONSOLE_EGA_TEXT);
	/* no magic: no header; a magic not 8-aligned is none either */
	memset(b, 0, sizeof(b));
	CHECK(!mb2_probe(b, sizeof(b), &off));
	w32(b, 0x104, MB2_HEADER_MAGIC);
	CHECK(!mb2_probe(b, sizeof(b), &off));
}

TEST(mb2_header_refusals)
{
	static uint8_t b[0x10000];
	struct mb2_header h;
	uint32_t off;
	const struct htag unknown_req[] = { { 42, 0, 2, { 0, 0 } } };
	const struct htag unknown_opt[] = { { 42, 1, 2, { 0, 0 } } };
	const struct htag bootdev[] = { { 1, 0, 2, { 6, 5 } } };
	const struct htag bootdev_opt[] = { { 1, 1, 2, { 6, 5 } } };
	const struct htag far_type[] = { { 1, 0, 1, { 40 } } };
	const struct htag short_addr[] = { { 2, 0, 2, { 0, 0 } } };
	const struct htag bad_align[] = { { 10, 0, 4, { 0x100000, 0x200000, 0x3000, 0 } } };
	const struct htag bad_range[] = { { 10, 0, 4, { 0x200000, 0x200000, 0x1000, 0 } } };
	const struct htag bad_pref[] = { { 10, 0, 4, { 0x100000, 0x200000, 0x1000, 3 } } };
	const struct {
		const struct htag *t;
		unsigned n;
		uint32_t arch;
		int sum_off;
		rt_status st;
		const char *why;
	} bad[] = {
		{ xen_tags, 7, 0, 1, RT_ENOEXEC, "\\img: Multiboot2 header at 0x40: checksum 0x" },
		{ xen_tags, 7, 4, 0, RT_ENOTSUP, "Multiboot2 architecture 4 (MIPS32): efikexec enters i386 (0) payloads" },
		{ unknown_req, 1, 0, 0, RT_ENOTSUP,
		  "Multiboot2 header tag 42 at 0x50 is required (flags 0) and efikexec does not know it (it knows 1 to 10)" },
		{ bootdev, 1, 0, 0, RT_ENOTSUP,
		  "requires the boot information tag 5 (BIOS boot device), which efikexec cannot give" },
		{ far_type, 1, 0, 0, RT_ENOTSUP, "requires the boot information tag 40 (unknown)" },
		{ short_addr, 1, 0, 0, RT_ENOEXEC, "Multiboot2 header tag 2 at 0x50: size 16, want at least 24" },
		{ bad_align, 1, 0, 0, RT_ENOEXEC, "relocatable tag: align 0x3000 is not a power of two" },
		{ bad_range, 1, 0, 0, RT_ENOEXEC, "min_addr 0x200000 is not below max_addr 0x200000" },
		{ bad_pref, 1, 0, 0, RT_ENOEXEC, "relocatable tag: preference 3 (0 none, 1 low, 2 high)" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(b, 0, sizeof(b));
		put_header(b, 0x40, bad[i].t, bad[i].n, bad[i].arch, bad[i].sum_off);
		test_log_clear();
		CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == bad[i].st);
		CHECK_CONTAINS(test_log(), bad[i].why);
	}
	/* what may be left out is: an optional unknown tag, an optional
	 * request for information efikexec does not give */
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, unknown_opt, 1, 0, 0);
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_OK);
	put_header(b, 0x40, bootdev_opt, 1, 0, 0);
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_OK);
	CHECK_EQ_U64(h.requested, (1u << 6) | (1u << 5));
	CHECK_EQ_U64(h.required, 0);
	/* a length past the header's room, a tag past the length, no end */
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, xen_tags, 1, 0, 0);
	w32(b, 0x48, 0x9000);
	w32(b, 0x4c, 0u - (MB2_HEADER_MAGIC + 0x9000));
	test_log_clear();
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "header_length 36864 at 0x40: want 24 to 32704");
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, xen_tags, 1, 0, 0);
	w32(b, 0x54, 100); /* the info request's size */
	test_log_clear();
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "header tag 1 at 0x50: size 100, want 8 to");
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, xen_tags, 1, 0, 0);
	w32(b, 0x64, 9); /* the end tag made a 9-byte tag 0: not the end */
	w32(b, 0x60, 0x10000);
	test_log_clear();
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) != RT_OK);
	/* past 32 KiB: found only with a right checksum, then refused */
	memset(b, 0, sizeof(b));
	put_header(b, 0x9000, xen_tags, 7, 0, 0);
	CHECK(mb2_probe(b, sizeof(b), &off));
	CHECK_EQ_U64(off, 0x9000);
	test_log_clear();
	CHECK(mb2_parse(b, sizeof(b), off, "\\img", &h) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "Multiboot2 header at 0x9000, past the first 32768 bytes");
	memset(b, 0, sizeof(b));
	put_header(b, 0x9000, xen_tags, 7, 0, 1);
	CHECK(!mb2_probe(b, sizeof(b), &off));
}

static struct ld_ctx ctx;

static rt_status load(const uint8_t *b, size_t n, enum ld_machine m)
{
	return test_ld_load(&ctx, b, n, m, "\\xen");
}

/* An ELF32 i386 like xen.gz's inside: one PT_LOAD at p_paddr 0x200000 from
 * file offset 0x80 (not congruent within a page), the header after it. */
static uint8_t *xen_like(size_t *len)
{
	size_t n = 0x6000;
	uint8_t *b = calloc(1, n);

	memcpy(b, "\177ELF", 4);
	b[4] = 1, b[5] = 1, b[6] = 1;
	w16(b, 16, 2);
	w16(b, 18, 3);
	w32(b, 24, 0x200000);  /* e_entry */
	w32(b, 28, 52);        /* e_phoff */
	w16(b, 42, 32);
	w16(b, 44, 1);
	w32(b, 52, 1);         /* PT_LOAD */
	w32(b, 56, 0x80);
	w32(b, 60, 0x200000);
	w32(b, 64, 0x200000);
	w32(b, 68, 0x5000);    /* filesz */
	w32(b, 72, 0x8000);    /* memsz */
	put_header(b, 0x98, xen_tags, 7, 0, 0);
	*len = n;
	return b;
}

TEST(mb2_loader_elf32_relocatable)
{
	size_t n;
	uint8_t *b = xen_like(&n);

	CHECK(load(b, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK(ctx.k.handoff == LD_HANDOFF_MULTIBOOT2);
	CHECK_STR(ctx.k.format, "Multiboot2");
	CHECK(!ctx.k.fixed && ctx.k.top_down);
	CHECK_EQ_U64(ctx.k.align, 0x200000);
	CHECK_EQ_U64(ctx.k.min, 0x200000);
	CHECK_EQ_U64(ctx.k.max, 0xffffffff);
	CHECK_EQ_U64(ctx.k.memsz, 0x8000);
	CHECK_EQ_U64(ctx.k.entry_offset, 0x531); /* the EFI amd64 entry: tags 7 and 9 */
	CHECK_EQ_U64(ctx.k.npieces, 1);
	CHECK_EQ_U64(ctx.k.piece[0].src_off, 0x80);
	CHECK_EQ_U64(ctx.k.piece[0].filesz, 0x5000);
	CHECK_EQ_U64(ctx.k.params_max, 1ull << 32);
	CHECK_EQ_U64(ctx.k.initrd_max, 1ull << 32);
	CHECK_STR(ctx.k.desc, "Multiboot2 (ELF32 i386, 1 piece at [0x200000, 0x208000), entry 0x200531; "
			      "relocatable within [0x200000, 0xffffffff), align 0x200000, preference high; "
			      "EFI amd64 entry with boot services running (header tags 7 and 9))");
	/* an arm64 efikexec names it and refuses it */
	CHECK(load(b, n, LD_MACHINE_AARCH64) == RT_ENOTSUP);
	CHECK_CONTAINS(test_log(), "x86_64");
	/* an EFI entry outside the image */
	{
		struct htag t[7];
		memcpy(t, xen_tags, sizeof(t));
		t[6].v[0] = 0x300000;
		put_header(b, 0x98, t, 7, 0, 0);
		CHECK(load(b, n, LD_MACHINE_X86_64) == RT_ENOEXEC);
		CHECK_CONTAINS(test_log(), "EFI amd64 entry point 0x300000 lies outside the image's [0x200000, 0x208000)");
		/* without tag 9 (tag 7 alone): the ELF entry, after the exit */
		put_header(b, 0x98, xen_tags, 6, 0, 0);
		CHECK(load(b, n, LD_MACHINE_X86_64) == RT_OK);
		CHECK_EQ_U64(ctx.k.entry_offset, 0);
		CHECK_CONTAINS(ctx.k.desc, "; i386 entry after ExitBootServices (tag 7 without an EFI amd64 entry))");
		/* an entry outside the image */
		w32(b, 24, 0x300000);
		CHECK(load(b, n, LD_MACHINE_X86_64) == RT_ENOEXEC);
		CHECK_CONTAINS(test_log(), "entry point 0x300000 lies outside the image's [0x200000, 0x208000)");
	}
	free(b);
}

TEST(mb2_loader_address_tag)
{
	static uint8_t b[0x3000];
	const struct htag t[] = {
		{ 2, 0, 4, { 0x1000040, 0x1000000, 0x1002000, 0x1004000 } },
		{ 3, 0, 1, { 0x1000100 } },
	};
	const struct htag no_entry[] = { { 2, 0, 4, { 0x1000040, 0x1000000, 0, 0 } } };
	const struct htag before[] = {
		{ 2, 0, 4, { 0x1000040, 0xf00000, 0, 0 } },
		{ 3, 0, 1, { 0x1000100 } },
	};

	memset(b, 0, sizeof(b));
	put_header(b, 0x40, t, 2, 0, 0);
	CHECK(load(b, sizeof(b), LD_MACHINE_X86_64) == RT_OK);
	CHECK(ctx.k.fixed);
	CHECK_EQ_U64(ctx.k.min, 0x1000000);
	CHECK_EQ_U64(ctx.k.memsz, 0x4000);
	CHECK_EQ_U64(ctx.k.piece[0].src_off, 0);
	CHECK_EQ_U64(ctx.k.piece[0].filesz, 0x2000);
	CHECK_EQ_U64(ctx.k.piece[0].memsz, 0x4000);
	CHECK_EQ_U64(ctx.k.entry_offset, 0x100);
	CHECK_STR(ctx.k.desc, "Multiboot2 (address tag, 1 piece at [0x1000000, 0x1004000), entry 0x1000100; i386 entry after ExitBootServices (no EFI boot services tag))");
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, no_entry, 1, 0, 0);
	CHECK(load(b, sizeof(b), LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "an address tag without an entry tag");
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, before, 2, 0, 0);
	CHECK(load(b, sizeof(b), LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "put the load 0x100040 bytes before the header at file offset 0x40");
	/* neither an address tag nor an ELF */
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, xen_tags, 1, 0, 0);
	CHECK(load(b, sizeof(b), LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "without an address tag, and not an ELF file");
}

/* walks the information: each tag's start into at[type] (the last one) */
static unsigned walk(const uint8_t *b, size_t len, size_t at[32], unsigned order[64])
{
	unsigned n = 0;
	size_t o = 8;

	CHECK_EQ_U64(r32(b, 0), len);
	while (o + 8 <= len) {
		uint32_t t = r32(b, o), s = r32(b, o + 4);
		CHECK(s >= 8 && o + s <= len && !(o & 7));
		if (t < 32)
			at[t] = o;
		if (n < 64)
			order[n++] = t;
		if (!t)
			break;
		o += (s + 7) & ~7u;
	}
	return n;
}

TEST(mb2_information)
{
	static struct memmap m;
	static uint8_t b[0x4000], efimap[96];
	uint8_t rsdp[36] = "RSD PTR ";
	struct mb2_header h = { .requested = (1u << 4) | (1u << 6) };
	const struct mb2_module mods[] = {
		{ 0x1000000, 0x1000123, "\\vmlinuz", "root=/dev/vda console=hvc0" },
		{ 0x1001000, 0x1001800, "\\initrd.img", NULL },
	};
	const struct mb2_fb fb = { 0x80000000, 5120, 1280, 800, 32, 0xff0000, 0xff00, 0xff };
	struct mb2_info_req r = {
		.h = &h, .path = "\\xen.gz", .cmdline = "console=com1", .loader_name = "efikexec",
		.mod = mods, .nmod = 2, .map = &m, .rsdp = rsdp, .rsdp_len = 36, .fb = &fb,
		.efi_systab = 0x7f000018, .efi_mmap = efimap, .efi_mmap_size = 96, .efi_desc_size = 48,
		.efi_desc_version = 1, .relocated = true, .load_base = 0x7d200000,
	};
	size_t len, at[32] = { 0 };
	unsigned order[64], n;

	rsdp[15] = 2;
	memmap_init(&m);
	memmap_add(&m, 0, 0x9f000, MEM_BUSY);
	memmap_add(&m, 0x9f000, 0xa0000, MEM_RESERVED);
	memmap_add(&m, 0x100000, 0x800000, MEM_FREE);
	memmap_add(&m, 0x800000, 0x900000, MEM_BUSY);
	memmap_add(&m, 0x900000, 0x910000, MEM_NVS);
	memmap_add(&m, 0x910000, 0x7f000000, MEM_FREE);
	memmap_add(&m, 0x7f000000, 0x7f010000, MEM_ACPI);
	memmap_add(&m, 0xb0000000, 0xc0000000, MEM_RESERVED);
	CHECK(memmap_normalize(&m) == RT_OK);

	CHECK(mb2_info_build(b, sizeof(b), &r, &len) == RT_OK);
	CHECK(len <= mb2_info_bound(&r, m.n, 96));
	n = walk(b, len, at, order);
	/* GRUB's order; no EFI system table or EFI map: not asked for */
	{
		const unsigned want[] = { 21, 1, 2, 3, 3, 4, 6, 8, 14, 15, 0 };
		CHECK_EQ_U64(n, sizeof(want) / sizeof(want[0]));
		for (unsigned i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
			CHECK_EQ_U64(order[i], want[i]);
	}
	CHECK_EQ_U64(r32(b, at[21] + 8), 0x7d200000);
	CHECK_STR((const char *)b + at[1] + 8, "\\xen.gz console=com1");
	CHECK_EQ_U64(r32(b, at[1] + 4), 8 + 21);
	CHECK_STR((const char *)b + at[2] + 8, "efikexec");
	/* the second module tag is the last one; the first right before */
	CHECK_EQ_U64(r32(b, at[3] + 8), 0x1001000);
	CHECK_EQ_U64(r32(b, at[3] + 12), 0x1001800);
	CHECK_STR((const char *)b + at[3] + 16, "\\initrd.img");
	CHECK_STR((const char *)b + 8 + 16 + ((8 + 21 + 7) & ~7u) + ((8 + 9 + 7) & ~7u) + 16,
		  "\\vmlinuz root=/dev/vda console=hvc0");
	CHECK_EQ_U64(r32(b, at[4] + 8), 636);
	CHECK_EQ_U64(r32(b, at[4] + 12), (0x900000 - 0x100000) >> 10); /* free and busy RAM: one */
	/* the map: RAM (free and busy merge), reserved, NVS, ACPI */
	{
		const uint64_t want[][3] = {
			{ 0, 0x9f000, 1 }, { 0x9f000, 0x1000, 2 }, { 0x100000, 0x800000, 1 },
			{ 0x900000, 0x10000, 4 }, { 0x910000, 0x7f000000 - 0x910000, 1 },
			{ 0x7f000000, 0x10000, 3 }, { 0xb0000000, 0x10000000, 2 },
		};
		size_t entries = (r32(b, at[6] + 4) - 16) / 24;
		CHECK_EQ_U64(r32(b, at[6] + 8), 24);
		CHECK_EQ_U64(entries, 7);
		for (size_t i = 0; i < entries && i < 7; i++) {
			CHECK_EQ_U64(r64(b, at[6] + 16 + 24 * i), want[i][0]);
			CHECK_EQ_U64(r64(b, at[6] + 24 + 24 * i), want[i][1]);
			CHECK_EQ_U64(r32(b, at[6] + 32 + 24 * i), want[i][2]);
		}
	}
	CHECK_EQ_U64(r64(b, at[8] + 8), 0x80000000);
	CHECK_EQ_U64(r32(b, at[8] + 16), 5120);
	CHECK_EQ_U64(b[at[8] + 28], 32);
	CHECK_EQ_U64(b[at[8] + 29], 1);
	CHECK(b[at[8] + 32] == 16 && b[at[8] + 33] == 8 && b[at[8] + 34] == 8 && b[at[8] + 36] == 0 &&
	      b[at[8] + 37] == 8);
	CHECK_EQ_U64(r32(b, at[14] + 4), 28);
	CHECK(!memcmp(b + at[14] + 8, rsdp, 20));
	CHECK_EQ_U64(r32(b, at[15] + 4), 44);
	CHECK(!memcmp(b + at[15] + 8, rsdp, 36));

	/* asked for: the EFI system table and map */
	h.requested |= (1u << 12) | (1u << 17);
	CHECK(mb2_info_build(b, sizeof(b), &r, &len) == RT_OK);
	CHECK(len <= mb2_info_bound(&r, m.n, 96));
	memset(at, 0, sizeof(at));
	walk(b, len, at, order);
	CHECK_EQ_U64(r64(b, at[12] + 8), 0x7f000018);
	CHECK_EQ_U64(r32(b, at[17] + 4), 16 + 96);
	CHECK_EQ_U64(r32(b, at[17] + 8), 48);

	/* through the EFI amd64 entry (boot services running), as GRUB 2.06
	 * with keep_bs: the system table unasked, "boot services not
	 * terminated" and the image handle, no EFI map even when asked */
	h.requested = (1u << 4) | (1u << 6) | (1u << 17);
	r.efi_bs = true;
	r.efi_image_handle = 0x7e123018;
	CHECK(mb2_info_build(b, sizeof(b), &r, &len) == RT_OK);
	CHECK(len <= mb2_info_bound(&r, m.n, 96));
	memset(at, 0, sizeof(at));
	n = walk(b, len, at, order);
	{
		const unsigned want[] = { 21, 1, 2, 3, 3, 4, 6, 8, 12, 14, 15, 18, 20, 0 };
		CHECK_EQ_U64(n, sizeof(want) / sizeof(want[0]));
		for (unsigned i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
			CHECK_EQ_U64(order[i], want[i]);
	}
	CHECK_EQ_U64(r64(b, at[12] + 8), 0x7f000018);
	CHECK_EQ_U64(r32(b, at[18] + 4), 8);
	CHECK_EQ_U64(r32(b, at[20] + 4), 16);
	CHECK_EQ_U64(r64(b, at[20] + 8), 0x7e123018);
	CHECK(!at[17]);
	r.efi_bs = false;

	/* an ACPI 1.0 RSDP: the old tag only; not relocated: no tag 21 */
	r.rsdp_len = 20;
	r.relocated = false;
	CHECK(mb2_info_build(b, sizeof(b), &r, &len) == RT_OK);
	memset(at, 0, sizeof(at));
	walk(b, len, at, order);
	CHECK(at[14] && !at[15] && !at[21]);

	/* too small a room, a module past 4 GiB */
	test_log_clear();
	CHECK(mb2_info_build(b, 200, &r, &len) == RT_E2BIG);
	CHECK_CONTAINS(test_log(), "the boot information does not fit its 200 bytes");
	{
		const struct mb2_module high = { 0xfffff000, 0x100001000ull, "\\big", NULL };
		r.mod = &high;
		r.nmod = 1;
		test_log_clear();
		CHECK(mb2_info_build(b, sizeof(b), &r, &len) == RT_EINVAL);
		CHECK_CONTAINS(test_log(), "module 0 (\\big) at [0xfffff000, 0x100001000): past 4 GiB");
	}
}

/* What a payload may require depends on its path: through the EFI amd64
 * entry the image handle and "boot services not terminated" are given and
 * the EFI memory map is not; after ExitBootServices the other way round. */
TEST(mb2_requires_by_path)
{
	static uint8_t b[0x1000];
	struct mb2_header h;
	const struct htag efi_ih[] = { { 1, 0, 2, { 18, 20 } }, { 7, 0, 0, { 0 } }, { 9, 0, 1, { 0x1000 } } };
	const struct htag efi_mmap[] = { { 1, 0, 1, { 17 } }, { 7, 0, 0, { 0 } }, { 9, 0, 1, { 0x1000 } } };
	const struct htag i386_ih[] = { { 1, 0, 1, { 20 } } };

	memset(b, 0, sizeof(b));
	put_header(b, 0x40, efi_ih, 3, 0, 0);
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_OK);
	CHECK(mb2_efi64(&h));
	CHECK_EQ_U64(h.efi64_entry, 0x1000);
	put_header(b, 0x40, efi_mmap, 3, 0, 0);
	test_log_clear();
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_ENOTSUP);
	CHECK_CONTAINS(test_log(), "requires the boot information tag 17 (EFI memory map), which efikexec cannot give through the EFI amd64 entry");
	memset(b, 0, sizeof(b));
	put_header(b, 0x40, i386_ih, 1, 0, 0);
	test_log_clear();
	CHECK(mb2_parse(b, sizeof(b), 0x40, "\\img", &h) == RT_ENOTSUP);
	CHECK(!mb2_efi64(&h));
	CHECK_CONTAINS(test_log(), "requires the boot information tag 20 (EFI 64-bit image handle), which efikexec cannot give: without the EFI tags 7 and 9");
}
