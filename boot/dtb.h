/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * dtb.h - the device tree an arm64 kernel is handed, with libfdt (Debian's
 * libfdt-dev): what the kernel's EFI stub puts in it when it boots the
 * kernel (drivers/firmware/efi/libstub/fdt.c), and what efikexec must
 * therefore put in it too:
 *   /chosen  bootargs, linux,initrd-start/-end, linux,uefi-system-table,
 *            linux,uefi-mmap-start/-size/-desc-size/-desc-ver,
 *            linux,uefi-secure-boot (a 6.1 kernel finds no EFI without it),
 *            kaslr-seed and rng-seed when the firmware has a RNG;
 *   no /memory nodes and no /memreserve/ entries: with the UEFI memory map
 *   the kernel takes RAM and reservations from the map, as from the stub.
 * No firmware calls: the host tests run it over trees they build.
 */
#ifndef EFIKEXEC_DTB_H
#define EFIKEXEC_DTB_H

#include "../lib/rt.h"
#include "../lib/memmap.h"

#define DTB_RNG_SEED_MAX 64

/* A module for a payload that takes its modules from the device tree
 * (Xen on arm64: docs/misc/arm/device-tree/booting.txt, "Dom0 kernel and
 * ramdisk modules"): a /chosen/module@ADDR node each. */
struct dtb_module {
	uint64_t start, size;
	const char *args;                   /* its bootargs; NULL or "": none */
};

struct dtb_boot {
	const char *cmdline;
	/* modules (nmod > 0): the payload boots without EFI from this tree -
	 * the first module is "multiboot,kernel", the second
	 * "multiboot,ramdisk", any others "multiboot,module"; the command line
	 * is also xen,xen-bootargs; /memory nodes stay, the firmware's
	 * reservations become /memreserve/ entries (keep[]), and there are no
	 * linux,uefi-* properties (dtb_set_mmap is not called) */
	const struct dtb_module *mod;
	unsigned nmod;
	const struct mem_span *keep;
	size_t nkeep;
	uint64_t initrd_start, initrd_end;  /* both 0: no initrd */
	uint64_t systab;                    /* the EFI system table */
	uint8_t rng_seed[DTB_RNG_SEED_MAX]; /* rng_len bytes for rng-seed */
	size_t rng_len;                     /* 0: no RNG, no seeds */
	uint64_t kaslr_seed;                /* with rng_len: kaslr-seed */
	uint32_t secure_boot;               /* linux,uefi-secure-boot: the kernel's
					     * enum efi_secureboot_mode */
	/* crash capture: a region the kernel must leave alone (a reserved-memory
	 * node, no-map); for a capture kernel, its ELF core header and the only
	 * RAM it may use (/chosen linux,elfcorehdr, linux,usable-memory-range,
	 * as in the kernel's Documentation/devicetree/bindings/chosen.txt).
	 * Sizes 0: none. */
	uint64_t reserve_start, reserve_size;
	uint64_t elfcorehdr_start, elfcorehdr_size;
	uint64_t usable_start, usable_size;
};

/* enum efi_secureboot_mode (include/linux/efi.h) */
#define DTB_SECUREBOOT_UNKNOWN 1
#define DTB_SECUREBOOT_DISABLED 2
#define DTB_SECUREBOOT_ENABLED 3

/* Checks a tree from `name`: header, version, size within `size` bytes and
 * the kernel's 2 MiB limit. Names the file and what is wrong. */
rt_status dtb_check(const char *name, const void *fdt, size_t size);
/* An empty tree (a root and /chosen) in `buf`: what the kernel is handed
 * when the firmware describes the machine with ACPI and has no tree, as the
 * EFI stub does. */
rt_status dtb_empty(void *buf, size_t size);
/* The tree's totalsize, or 0 when `fdt` does not start with a tree header. */
size_t dtb_size(const void *fdt);
/* Bytes the prepared tree may need: the tree, the new properties with a
 * command line of cmdline_len bytes, slack. */
size_t dtb_room(const void *fdt, size_t cmdline_len);
/* More room for modules (with args_len bytes of their command lines) and
 * nkeep reservations. */
size_t dtb_room_modules(unsigned nmod, size_t args_len, size_t nkeep);
/*
 * Copies the tree `in` into `out` (out_size bytes, at most 2 MiB), and makes
 * the changes above; the uefi-mmap properties get placeholders that
 * dtb_set_mmap() fills in place once the final map is known (after
 * ExitBootServices, when nothing may move). Packs the result.
 */
rt_status dtb_prepare(const char *name, const void *in, void *out, size_t out_size,
		      const struct dtb_boot *b);
/* Fills the uefi-mmap placeholders, without changing the tree's size. */
rt_status dtb_set_mmap(void *fdt, uint64_t start, uint32_t size, uint32_t desc_size,
		       uint32_t desc_ver);
/* The PL011 UART the console is on: /chosen stdout-path's node when it is
 * one, else the first "arm,pl011" node; its first reg address. */
bool dtb_find_pl011(const void *fdt, uint64_t *base);

#endif
