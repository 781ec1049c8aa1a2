/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * dtb.c - the device tree fixups for an arm64 boot (see dtb.h), with
 * libfdt. Property names and encodings are the kernel's EFI stub's
 * (drivers/firmware/efi/libstub/fdt.c) and Documentation/arch/arm64/
 * booting.rst; the kernel reads them in drivers/firmware/efi/fdtparams.c.
 */
#include <libfdt.h>

#include "arm64.h"
#include "dtb.h"

static rt_status fdt_fail(const char *name, const char *what, int err)
{
	return rt_fail(RT_EINVAL, "dtb", "%s: %s: %s", name, what, fdt_strerror(err));
}

rt_status dtb_check(const char *name, const void *fdt, size_t size)
{
	int err;

	if (size < sizeof(struct fdt_header))
		return rt_fail(RT_ETRUNC, "dtb", "%s: %zu bytes, too short for a device tree header",
			       name, size);
	err = fdt_check_header(fdt);
	if (err)
		return fdt_fail(name, "not a device tree", err);
	if (fdt_totalsize(fdt) > size)
		return rt_fail(RT_ETRUNC, "dtb", "%s: truncated: totalsize %u, %zu bytes there", name,
			       fdt_totalsize(fdt), size);
	if (fdt_totalsize(fdt) > ARM64_DTB_MAX)
		return rt_fail(RT_E2BIG, "dtb", "%s: totalsize %u is more than the kernel's limit of %llu",
			       name, fdt_totalsize(fdt), ARM64_DTB_MAX);
	/*
	 * The blocks in the order the Devicetree Specification (v0.4, 5.1)
	 * lays them out - header, reservations, structure, strings - each
	 * inside the tree. libfdt's header check allows other orders and
	 * overlaps, which its fdt_open_into() then mishandles (found by
	 * tests/fuzz/fuzz_dtb.c: a negative memmove).
	 */
	{
		uint64_t rsv = fdt_off_mem_rsvmap(fdt), st = fdt_off_dt_struct(fdt);
		uint64_t st_end = st + fdt_size_dt_struct(fdt), str = fdt_off_dt_strings(fdt);
		uint64_t str_end = str + fdt_size_dt_strings(fdt);
		if (fdt_version(fdt) < 17 || rsv < fdt_header_size(fdt) || rsv % 8 || st < rsv ||
		    str < st_end || str_end > fdt_totalsize(fdt))
			return rt_fail(RT_EINVAL, "dtb",
				       "%s: blocks out of order or overlapping (version %u, reservations at %#llx, structure [%#llx, %#llx), strings [%#llx, %#llx), totalsize %#x)",
				       name, fdt_version(fdt), (unsigned long long)rsv, (unsigned long long)st,
				       (unsigned long long)st_end, (unsigned long long)str,
				       (unsigned long long)str_end, fdt_totalsize(fdt));
	}
	/* every node, property and string once: a broken tree fails here,
	 * not in the kernel */
	err = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (err)
		return fdt_fail(name, "broken tree", err);
	return RT_OK;
}

rt_status dtb_empty(void *buf, size_t size)
{
	const char *name = "empty tree";
	int err = fdt_create_empty_tree(buf, (int)size);

	if (err)
		return fdt_fail(name, "cannot create", err);
	err = fdt_add_subnode(buf, 0, "chosen");
	if (err < 0)
		return fdt_fail(name, "cannot add /chosen", err);
	return RT_OK;
}

size_t dtb_size(const void *fdt)
{
	return fdt_magic(fdt) == FDT_MAGIC ? fdt_totalsize(fdt) : 0;
}

size_t dtb_room(const void *fdt, size_t cmdline_len)
{
	/* each property: 12 bytes of header, its value, its name in strings;
	 * sixteen properties, new /chosen and /reserved-memory nodes, slack */
	return fdt_totalsize(fdt) + 16 * 12 + 1024 + cmdline_len + 1 + DTB_RNG_SEED_MAX + 4096;
}

size_t dtb_room_modules(unsigned nmod, size_t args_len, size_t nkeep)
{
	/* a node each: its name, compatible, reg, bootargs; a reservation
	 * each: 16 bytes */
	return nmod ? nmod * 160 + args_len + nmod + nkeep * 16 + 256 : 0;
}

#define SET(what, call)                                  \
	do {                                             \
		int e_ = (call);                         \
		if (e_)                                  \
			return fdt_fail(name, what, e_); \
	} while (0)

/* <start size> in `node`'s #address-cells/#size-cells (1 or 2 each). */
static int set_range(void *fdt, int parent, int node, const char *prop, uint64_t start,
		     uint64_t size)
{
	fdt32_t v[4];
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent), n = 0;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	if ((ac == 1 && start >> 32) || (sc == 1 && size >> 32))
		return -FDT_ERR_BADVALUE;
	if (ac == 2)
		v[n++] = cpu_to_fdt32((uint32_t)(start >> 32));
	v[n++] = cpu_to_fdt32((uint32_t)start);
	if (sc == 2)
		v[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
	v[n++] = cpu_to_fdt32((uint32_t)size);
	return fdt_setprop(fdt, node, prop, v, n * 4);
}

rt_status dtb_prepare(const char *name, const void *in, void *out, size_t out_size,
		      const struct dtb_boot *b)
{
	int chosen, node;

	if (out_size > ARM64_DTB_MAX)
		out_size = ARM64_DTB_MAX;
	SET("cannot grow the tree", fdt_open_into(in, out, (int)out_size));
	/* reservations and RAM come from the UEFI memory map (as with the
	 * stub); a payload without EFI gets the tree's RAM and the firmware's
	 * reservations instead */
	while (fdt_num_mem_rsv(out) > 0)
		SET("cannot delete a /memreserve/", fdt_del_mem_rsv(out, 0));
	for (node = fdt_node_offset_by_prop_value(out, -1, "device_type", "memory", 7); !b->nmod && node >= 0;
	     node = fdt_node_offset_by_prop_value(out, -1, "device_type", "memory", 7))
		SET("cannot delete a memory node", fdt_del_node(out, node));
	for (size_t i = 0; b->nmod && i < b->nkeep; i++)
		SET("cannot add a /memreserve/",
		    fdt_add_mem_rsv(out, b->keep[i].start, b->keep[i].end - b->keep[i].start));
	/* the kernel reads /chosen's ranges with the root's cells, 1 and 1
	 * when absent (an empty tree): say 2 and 2 */
	if (!fdt_getprop(out, 0, "#address-cells", NULL))
		SET("#address-cells", fdt_setprop_u32(out, 0, "#address-cells", 2));
	if (!fdt_getprop(out, 0, "#size-cells", NULL))
		SET("#size-cells", fdt_setprop_u32(out, 0, "#size-cells", 2));
	if (b->reserve_size) {
		char unit[48];
		int rm = fdt_path_offset(out, "/reserved-memory");
		if (rm == -FDT_ERR_NOTFOUND) {
			rm = fdt_add_subnode(out, 0, "reserved-memory");
			if (rm < 0)
				return fdt_fail(name, "cannot add /reserved-memory", rm);
			SET("#address-cells", fdt_setprop_u32(out, rm, "#address-cells", (uint32_t)fdt_address_cells(out, 0)));
			SET("#size-cells", fdt_setprop_u32(out, rm, "#size-cells", (uint32_t)fdt_size_cells(out, 0)));
			SET("ranges", fdt_setprop(out, rm, "ranges", NULL, 0));
		}
		if (rm < 0)
			return fdt_fail(name, "no /reserved-memory", rm);
		rt_snprintf(unit, sizeof(unit), "efikexec-capture@%llx", (unsigned long long)b->reserve_start);
		node = fdt_add_subnode(out, rm, unit);
		if (node < 0)
			return fdt_fail(name, "cannot add the capture region's node", node);
		SET("capture region reg", set_range(out, rm, node, "reg", b->reserve_start, b->reserve_size));
		SET("no-map", fdt_setprop(out, node, "no-map", NULL, 0));
	}
	chosen = fdt_path_offset(out, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_add_subnode(out, 0, "chosen");
	if (chosen < 0)
		return fdt_fail(name, "no /chosen", chosen);
	SET("bootargs", fdt_setprop_string(out, chosen, "bootargs", b->cmdline));
	if (b->initrd_end > b->initrd_start) {
		SET("linux,initrd-start", fdt_setprop_u64(out, chosen, "linux,initrd-start", b->initrd_start));
		SET("linux,initrd-end", fdt_setprop_u64(out, chosen, "linux,initrd-end", b->initrd_end));
	} else {
		fdt_delprop(out, chosen, "linux,initrd-start");
		fdt_delprop(out, chosen, "linux,initrd-end");
	}
	if (b->nmod) {
		/* the modules' reg in /chosen's cells: 2 and 2 */
		SET("#address-cells", fdt_setprop_u32(out, chosen, "#address-cells", 2));
		SET("#size-cells", fdt_setprop_u32(out, chosen, "#size-cells", 2));
		SET("xen,xen-bootargs", fdt_setprop_string(out, chosen, "xen,xen-bootargs", b->cmdline));
		/* added in reverse: fdt_add_subnode puts a node first */
		for (unsigned i = b->nmod; i-- > 0;) {
			static const char kernel[] = "multiboot,kernel\0multiboot,module";
			static const char ramdisk[] = "multiboot,ramdisk\0multiboot,module";
			static const char other[] = "multiboot,module";
			const struct dtb_module *m = &b->mod[i];
			char unit[40];
			rt_snprintf(unit, sizeof(unit), "module@%llx", (unsigned long long)m->start);
			node = fdt_add_subnode(out, chosen, unit);
			if (node < 0)
				return fdt_fail(name, "cannot add a module node", node);
			if (i == 0)
				SET("compatible", fdt_setprop(out, node, "compatible", kernel, sizeof(kernel)));
			else if (i == 1)
				SET("compatible", fdt_setprop(out, node, "compatible", ramdisk, sizeof(ramdisk)));
			else
				SET("compatible", fdt_setprop(out, node, "compatible", other, sizeof(other)));
			SET("module reg", set_range(out, chosen, node, "reg", m->start, m->size));
			if (m->args && m->args[0])
				SET("module bootargs", fdt_setprop_string(out, node, "bootargs", m->args));
		}
		SET("cannot pack the tree", fdt_pack(out));
		return RT_OK;
	}
	SET("linux,uefi-system-table", fdt_setprop_u64(out, chosen, "linux,uefi-system-table", b->systab));
	SET("linux,uefi-secure-boot", fdt_setprop_u32(out, chosen, "linux,uefi-secure-boot", b->secure_boot));
	SET("linux,uefi-mmap-start", fdt_setprop_u64(out, chosen, "linux,uefi-mmap-start", 0));
	SET("linux,uefi-mmap-size", fdt_setprop_u32(out, chosen, "linux,uefi-mmap-size", 0));
	SET("linux,uefi-mmap-desc-size", fdt_setprop_u32(out, chosen, "linux,uefi-mmap-desc-size", 0));
	SET("linux,uefi-mmap-desc-ver", fdt_setprop_u32(out, chosen, "linux,uefi-mmap-desc-ver", 0));
	if (b->elfcorehdr_size)
		SET("linux,elfcorehdr", set_range(out, 0, chosen, "linux,elfcorehdr", b->elfcorehdr_start,
						  b->elfcorehdr_size));
	if (b->usable_size)
		SET("linux,usable-memory-range", set_range(out, 0, chosen, "linux,usable-memory-range",
							   b->usable_start, b->usable_size));
	if (b->rng_len) {
		SET("kaslr-seed", fdt_setprop_u64(out, chosen, "kaslr-seed", b->kaslr_seed));
		SET("rng-seed", fdt_setprop(out, chosen, "rng-seed", b->rng_seed, (int)b->rng_len));
	}
	SET("cannot pack the tree", fdt_pack(out));
	return RT_OK;
}

rt_status dtb_set_mmap(void *fdt, uint64_t start, uint32_t size, uint32_t desc_size, uint32_t desc_ver)
{
	const char *name = "prepared tree";
	int chosen = fdt_path_offset(fdt, "/chosen");

	if (chosen < 0)
		return fdt_fail(name, "no /chosen", chosen);
	SET("linux,uefi-mmap-start", fdt_setprop_inplace_u64(fdt, chosen, "linux,uefi-mmap-start", start));
	SET("linux,uefi-mmap-size", fdt_setprop_inplace_u32(fdt, chosen, "linux,uefi-mmap-size", size));
	SET("linux,uefi-mmap-desc-size",
	    fdt_setprop_inplace_u32(fdt, chosen, "linux,uefi-mmap-desc-size", desc_size));
	SET("linux,uefi-mmap-desc-ver",
	    fdt_setprop_inplace_u32(fdt, chosen, "linux,uefi-mmap-desc-ver", desc_ver));
	return RT_OK;
}

/* The first reg address of `node`, read with its parent's #address-cells. */
static bool reg_base(const void *fdt, int node, uint64_t *base)
{
	int len, parent = fdt_parent_offset(fdt, node);
	int ac = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || len < ac * 4)
		return false;
	*base = ac == 2 ? (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
			: fdt32_to_cpu(reg[0]);
	return true;
}

bool dtb_find_pl011(const void *fdt, uint64_t *base)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), node = -1, len;
	const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;

	if (path) {
		/* "path[:options]"; the path may also be an alias */
		char p[256];
		size_t n = 0;
		while (n + 1 < sizeof(p) && path[n] && path[n] != ':')
			n++;
		RT_FN(memcpy)(p, path, n);
		p[n] = 0;
		node = p[0] == '/' ? fdt_path_offset(fdt, p) : fdt_path_offset(fdt, fdt_get_alias(fdt, p) ? fdt_get_alias(fdt, p) : "/-");
		if (node >= 0 && fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
			node = -1;
	}
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	return node >= 0 && reg_base(fdt, node, base);
}
