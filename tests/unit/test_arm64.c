/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_arm64.c - the arm64 pieces: the Image header (each rejection names
 * the file and the field; a copy cut short is caught by the EFI stub's PE
 * section table) and the device tree fixups, checked with libfdt reading
 * the result back.
 */
#include <libfdt.h>

#include "test.h"
#include "../../boot/arm64.h"
#include "../../boot/dtb.h"

#define FILE_SIZE 0x1f6e000ull

/* An Image header with the EFI stub's PE header: two sections, the last
 * ending at FILE_SIZE. */
static void good_image(uint8_t *b)
{
	memset(b, 0, 4096);
	b[0] = 'M';
	b[1] = 'Z';
	w64(b, 0x08, 0);                 /* text_offset */
	w64(b, 0x10, 0x2010000);         /* image_size */
	w64(b, 0x18, 0xa);               /* 4K pages, anywhere */
	w32(b, 0x38, ARM64_IMAGE_MAGIC);
	w32(b, 0x3c, 0x40);              /* PE header */
	w32(b, 0x40, 0x00004550);
	b[0x46] = 2;                     /* NumberOfSections */
	b[0x54] = 0xa0;                  /* SizeOfOptionalHeader */
	/* sections at 0x40 + 24 + 0xa0 = 0xf8 */
	w32(b, 0xf8 + 16, 0x10000);      /* .text: raw size, pointer */
	w32(b, 0xf8 + 20, 0x10000);
	w32(b, 0x120 + 16, FILE_SIZE - 0x20000);
	w32(b, 0x120 + 20, 0x20000);
}

TEST(arm64_image_parse_good_and_bad)
{
	static uint8_t b[4096];
	struct arm64_image_info ii;

	good_image(b);
	CHECK(arm64_image_parse("\\Image", b, sizeof(b), FILE_SIZE, &ii) == RT_OK);
	CHECK_EQ_U64(ii.image_size, 0x2010000);
	CHECK_EQ_U64(ii.page_kib, 4);
	CHECK(ii.anywhere);
	CHECK_EQ_U64(ii.pe_end, FILE_SIZE);

	test_log_clear();
	CHECK(arm64_image_parse("\\Image", b, sizeof(b), FILE_SIZE - 1, &ii) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "\\Image: truncated: 32956415 bytes, its PE section table says 32956416");
	CHECK(arm64_image_parse("\\Image", b, 40, 40, &ii) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "40 bytes, too short for an arm64 Image header (needs 64)");

	b[0x38] = 'X';
	test_log_clear();
	CHECK(arm64_image_parse("\\x", b, sizeof(b), FILE_SIZE, &ii) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\x: not an arm64 Image: magic 0x644d5258 at 0x38");
	good_image(b);
	w64(b, 0x18, 0xb);
	test_log_clear();
	CHECK(arm64_image_parse("k", b, sizeof(b), FILE_SIZE, &ii) == RT_ENOTSUP);
	CHECK_CONTAINS(test_log(), "flags 0xb: a big-endian kernel");
	good_image(b);
	w64(b, 0x10, 0);
	test_log_clear();
	CHECK(arm64_image_parse("k", b, sizeof(b), FILE_SIZE, &ii) == RT_ENOTSUP);
	CHECK_CONTAINS(test_log(), "image_size is 0");
	good_image(b);
	w64(b, 0x10, 0x1000000);
	test_log_clear();
	CHECK(arm64_image_parse("k", b, sizeof(b), FILE_SIZE, &ii) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "image_size 0x1000000 is smaller than the file's 0x1f6e000 bytes");
	good_image(b);
	w64(b, 0x08, 0x80800);
	test_log_clear();
	CHECK(arm64_image_parse("k", b, sizeof(b), FILE_SIZE, &ii) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "text_offset 0x80800 is not page-aligned below 2 MiB");
	/* no PE header: the header alone decides */
	good_image(b);
	b[0] = 0;
	CHECK(arm64_image_parse("k", b, sizeof(b), 4096, &ii) == RT_OK);
	CHECK_EQ_U64(ii.pe_end, 0);
}

/* A small machine's tree: RAM, a reservation, a UART, a stdout-path. */
static void machine_tree(void *buf, size_t size, bool stdout_path)
{
	int root, mem, uart, chosen;
	fdt32_t reg[4] = { cpu_to_fdt32(0), cpu_to_fdt32(0x9000000), cpu_to_fdt32(0),
			   cpu_to_fdt32(0x1000) };

	CHECK(fdt_create_empty_tree(buf, (int)size) == 0);
	root = 0;
	fdt_setprop_u32(buf, root, "#address-cells", 2);
	fdt_setprop_u32(buf, root, "#size-cells", 2);
	mem = fdt_add_subnode(buf, root, "memory@40000000");
	fdt_setprop_string(buf, mem, "device_type", "memory");
	mem = fdt_add_subnode(buf, root, "memory@100000000");
	fdt_setprop_string(buf, mem, "device_type", "memory");
	uart = fdt_add_subnode(buf, root, "pl011@9000000");
	fdt_setprop_string(buf, uart, "compatible", "arm,pl011");
	fdt_setprop(buf, uart, "reg", reg, sizeof(reg));
	chosen = fdt_add_subnode(buf, root, "chosen");
	if (stdout_path)
		fdt_setprop_string(buf, chosen, "stdout-path", "/pl011@9000000:115200n8");
	fdt_setprop_string(buf, chosen, "bootargs", "old arguments");
	fdt_add_mem_rsv(buf, 0x48000000, 0x1000);
	CHECK(fdt_pack(buf) == 0); /* no room left: dtb_prepare must grow it */
}

static uint64_t prop_u64(const void *fdt, const char *name)
{
	int len, chosen = fdt_path_offset(fdt, "/chosen");
	const void *p = fdt_getprop(fdt, chosen, name, &len);
	fdt64_t v;

	if (!p || len != 8)
		return UINT64_MAX;
	memcpy(&v, p, 8); /* properties are only 4-byte aligned */
	return fdt64_to_cpu(v);
}

static uint32_t prop_u32(const void *fdt, const char *name)
{
	int len, chosen = fdt_path_offset(fdt, "/chosen");
	const fdt32_t *p = fdt_getprop(fdt, chosen, name, &len);

	return p && len == 4 ? fdt32_to_cpu(*p) : UINT32_MAX;
}

TEST(dtb_prepare_chosen_and_memory)
{
	static uint8_t in[4096], out[64 * 1024];
	static struct dtb_boot b;
	uint64_t uart = 0;
	int len;

	machine_tree(in, sizeof(in), true);
	CHECK(dtb_check("t.dtb", in, sizeof(in)) == RT_OK);
	CHECK(dtb_find_pl011(in, &uart) && uart == 0x9000000);
	memset(&b, 0, sizeof(b));
	b.cmdline = "console=ttyAMA0 x=\"a b\"";
	b.initrd_start = 0x42010000;
	b.initrd_end = 0x421d4000;
	b.systab = 0x7fed0018;
	b.secure_boot = DTB_SECUREBOOT_DISABLED;
	b.rng_len = 32;
	memset(b.rng_seed, 0xa5, 32);
	b.kaslr_seed = 0x1122334455667788ull;
	CHECK(dtb_room(in, strlen(b.cmdline)) <= sizeof(out));
	CHECK(dtb_prepare("t.dtb", in, out, dtb_room(in, strlen(b.cmdline)), &b) == RT_OK);
	CHECK(fdt_check_header(out) == 0);
	CHECK_EQ_U64(fdt_num_mem_rsv(out), 0);
	CHECK(fdt_node_offset_by_prop_value(out, -1, "device_type", "memory", 7) < 0);
	CHECK_STR(fdt_getprop(out, fdt_path_offset(out, "/chosen"), "bootargs", &len), b.cmdline);
	CHECK_EQ_U64(prop_u64(out, "linux,initrd-start"), 0x42010000);
	CHECK_EQ_U64(prop_u64(out, "linux,initrd-end"), 0x421d4000);
	CHECK_EQ_U64(prop_u64(out, "linux,uefi-system-table"), 0x7fed0018);
	CHECK_EQ_U64(prop_u32(out, "linux,uefi-secure-boot"), DTB_SECUREBOOT_DISABLED);
	CHECK_EQ_U64(prop_u64(out, "kaslr-seed"), 0x1122334455667788ull);
	CHECK(fdt_getprop(out, fdt_path_offset(out, "/chosen"), "rng-seed", &len) && len == 32);
	/* the UART is still there, and still found */
	CHECK(dtb_find_pl011(out, &uart) && uart == 0x9000000);

	/* the map, filled in place: nothing moves */
	uint32_t size = fdt_totalsize(out);
	CHECK(dtb_set_mmap(out, 0x421d6000, 2400, 48, 1) == RT_OK);
	CHECK_EQ_U64(fdt_totalsize(out), size);
	CHECK_EQ_U64(prop_u64(out, "linux,uefi-mmap-start"), 0x421d6000);
	CHECK_EQ_U64(prop_u32(out, "linux,uefi-mmap-size"), 2400);
	CHECK_EQ_U64(prop_u32(out, "linux,uefi-mmap-desc-size"), 48);
	CHECK_EQ_U64(prop_u32(out, "linux,uefi-mmap-desc-ver"), 1);

	/* no initrd, no RNG: no such properties */
	b.initrd_start = b.initrd_end = 0;
	b.rng_len = 0;
	CHECK(dtb_prepare("t.dtb", in, out, sizeof(out), &b) == RT_OK);
	CHECK(!fdt_getprop(out, fdt_path_offset(out, "/chosen"), "linux,initrd-start", &len));
	CHECK(!fdt_getprop(out, fdt_path_offset(out, "/chosen"), "kaslr-seed", &len));

	/* too little room: an error naming the file, not an overrun */
	test_log_clear();
	CHECK(dtb_prepare("t.dtb", in, out, fdt_totalsize(in) + 16, &b) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "t.dtb: ");
}

/* <start size> of `prop` in `node`, read with 2 + 2 cells. */
static bool range_prop(const void *fdt, int node, const char *prop, uint64_t *start, uint64_t *size)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (!p || len != 16)
		return false;
	*start = (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
	*size = (uint64_t)fdt32_to_cpu(p[2]) << 32 | fdt32_to_cpu(p[3]);
	return true;
}

TEST(dtb_capture_properties)
{
	static uint8_t in[4096], out[64 * 1024], empty[1024];
	static struct dtb_boot b;
	uint64_t s, z;
	int node, len;

	/* arming: the machine's tree gets /reserved-memory with a no-map node */
	machine_tree(in, sizeof(in), true);
	memset(&b, 0, sizeof(b));
	b.cmdline = "console=ttyAMA0";
	b.reserve_start = 0x48000000;
	b.reserve_size = 0xc000000;
	CHECK(dtb_prepare("t.dtb", in, out, dtb_room(in, 16), &b) == RT_OK);
	node = fdt_path_offset(out, "/reserved-memory/efikexec-capture@48000000");
	CHECK(node >= 0);
	CHECK(range_prop(out, node, "reg", &s, &z) && s == 0x48000000 && z == 0xc000000);
	CHECK(fdt_getprop(out, node, "no-map", &len) && len == 0);
	CHECK(fdt_getprop(out, fdt_path_offset(out, "/reserved-memory"), "ranges", &len));
	CHECK(!fdt_getprop(out, fdt_path_offset(out, "/chosen"), "linux,elfcorehdr", &len));

	/* capturing, on an ACPI machine's empty tree: the root gets 2 + 2
	 * cells (the kernel assumes 1 + 1 without them), /chosen the ranges */
	CHECK(dtb_empty(empty, sizeof(empty)) == RT_OK);
	memset(&b, 0, sizeof(b));
	b.cmdline = "elfcorehdr=0x4800a000";
	b.elfcorehdr_start = 0x4800a000;
	b.elfcorehdr_size = 0x10000;
	b.usable_start = 0x48000000;
	b.usable_size = 0xc000000;
	CHECK(dtb_prepare("empty", empty, out, dtb_room(empty, 32), &b) == RT_OK);
	CHECK_EQ_U64(fdt_address_cells(out, 0), 2);
	CHECK_EQ_U64(fdt_size_cells(out, 0), 2);
	node = fdt_path_offset(out, "/chosen");
	CHECK(range_prop(out, node, "linux,elfcorehdr", &s, &z) && s == 0x4800a000 && z == 0x10000);
	CHECK(range_prop(out, node, "linux,usable-memory-range", &s, &z) && s == 0x48000000 &&
	      z == 0xc000000);
	CHECK(fdt_path_offset(out, "/reserved-memory") < 0);
}

/* Modules for a payload that boots without EFI from the tree (Xen on
 * arm64): /chosen/module@ADDR nodes in order with Xen's compatibles, reg
 * in /chosen's 2 + 2 cells, bootargs when given; xen,xen-bootargs; the
 * memory nodes kept, the firmware's reservations as /memreserve/, no
 * linux,uefi-* or initrd properties. */
TEST(dtb_modules)
{
	static uint8_t in[4096], out[64 * 1024];
	static struct dtb_boot b;
	const struct dtb_module mods[] = {
		{ 0x40137000, 0x1f6dfc0, "console=hvc0 earlycon=xenboot" },
		{ 0x420a5000, 0x1c4e00, NULL },
		{ 0x42300000, 0x1000, "" },
	};
	const struct mem_span keep[] = { { 0xbc000000, 0xbc200000 }, { 0xbf000000, 0xbf010000 } };
	uint64_t start, size, rs_a, rs_s;
	int chosen, node, len;
	const char *compat;

	machine_tree(in, sizeof(in), true);
	memset(&b, 0, sizeof(b));
	b.cmdline = "console=dtuart dom0_mem=512M";
	b.systab = 0x7fed0018;
	b.mod = mods;
	b.nmod = 3;
	b.keep = keep;
	b.nkeep = 2;
	CHECK(dtb_prepare("t.dtb", in, out, dtb_room(in, strlen(b.cmdline)) + dtb_room_modules(3, 64, 2), &b) == RT_OK);
	chosen = fdt_path_offset(out, "/chosen");
	CHECK_STR(fdt_getprop(out, chosen, "xen,xen-bootargs", &len), b.cmdline);
	CHECK_STR(fdt_getprop(out, chosen, "bootargs", &len), b.cmdline);
	CHECK(!fdt_getprop(out, chosen, "linux,uefi-system-table", &len));
	CHECK(!fdt_getprop(out, chosen, "linux,initrd-start", &len));
	CHECK(fdt_node_offset_by_prop_value(out, -1, "device_type", "memory", 7) >= 0);
	CHECK_EQ_U64(fdt_num_mem_rsv(out), 2);
	CHECK(fdt_get_mem_rsv(out, 1, &rs_a, &rs_s) == 0 && rs_a == 0xbf000000 && rs_s == 0x10000);
	/* in order under /chosen */
	node = fdt_first_subnode(out, chosen);
	CHECK_STR(fdt_get_name(out, node, NULL), "module@40137000");
	compat = fdt_getprop(out, node, "compatible", &len);
	CHECK(compat && len == (int)sizeof("multiboot,kernel\0multiboot,module") &&
	      !memcmp(compat, "multiboot,kernel\0multiboot,module", (size_t)len));
	CHECK(range_prop(out, node, "reg", &start, &size) && start == 0x40137000 && size == 0x1f6dfc0);
	CHECK_STR(fdt_getprop(out, node, "bootargs", &len), "console=hvc0 earlycon=xenboot");
	node = fdt_next_subnode(out, node);
	CHECK_STR(fdt_get_name(out, node, NULL), "module@420a5000");
	compat = fdt_getprop(out, node, "compatible", &len);
	CHECK(compat && !strcmp(compat, "multiboot,ramdisk"));
	CHECK(!fdt_getprop(out, node, "bootargs", &len));
	node = fdt_next_subnode(out, node);
	CHECK_STR(fdt_get_name(out, node, NULL), "module@42300000");
	CHECK_STR(fdt_getprop(out, node, "compatible", &len), "multiboot,module");
	CHECK(fdt_next_subnode(out, node) < 0);
	CHECK_EQ_U64(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(out, chosen, "#address-cells", &len)), 2);
}

TEST(dtb_uart_empty_tree_and_broken_trees)
{
	static uint8_t t[4096], cut[4096];
	uint64_t uart = 0;

	/* no stdout-path: the first arm,pl011 */
	machine_tree(t, sizeof(t), false);
	CHECK(dtb_find_pl011(t, &uart) && uart == 0x9000000);
	/* the ACPI case: an empty tree with /chosen and no UART */
	CHECK(dtb_empty(t, sizeof(t)) == RT_OK);
	CHECK(dtb_check("empty", t, sizeof(t)) == RT_OK);
	CHECK(fdt_path_offset(t, "/chosen") >= 0);
	CHECK(!dtb_find_pl011(t, &uart));
	CHECK_EQ_U64(dtb_size(t), fdt_totalsize(t));

	machine_tree(t, sizeof(t), true);
	memcpy(cut, t, 100);
	test_log_clear();
	CHECK(dtb_check("cut.dtb", cut, 100) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "cut.dtb: truncated: totalsize ");
	test_log_clear();
	CHECK(dtb_check("tiny.dtb", cut, 10) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "tiny.dtb: 10 bytes, too short");
	memset(cut, 0x5a, sizeof(cut));
	test_log_clear();
	CHECK(dtb_check("noise.dtb", cut, sizeof(cut)) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "noise.dtb: not a device tree: FDT_ERR_BADMAGIC");
	CHECK_EQ_U64(dtb_size(cut), 0);
	/* strings said to start inside the structure block: refused before
	 * libfdt's fdt_open_into() sees it (it would memmove a negative size) */
	memcpy(cut, t, sizeof(t));
	fdt_set_off_dt_strings(cut, fdt_off_dt_struct(t) + 16);
	test_log_clear();
	CHECK(dtb_check("overlap.dtb", cut, sizeof(cut)) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "overlap.dtb: blocks out of order or overlapping");
	/* a structure block broken after the root node's start: the tag that
	 * follows it (big-endian) made one no tree has */
	memcpy(cut, t, sizeof(t));
	w32(cut, fdt_off_dt_struct(t) + 8, 0x0f000000);
	CHECK(dtb_check("broken.dtb", cut, sizeof(cut)) != RT_OK);
}
