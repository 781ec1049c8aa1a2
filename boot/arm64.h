/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * arm64.h - the arm64 kernel Image header (the kernel's
 * Documentation/arch/arm64/booting.rst, "Call the kernel image"):
 *
 *   0x00 code0/code1   0x08 text_offset (LE64)   0x10 image_size (LE64)
 *   0x18 flags (LE64)  0x20-0x37 reserved        0x38 magic "ARM\x64"
 *   0x3c PE header offset (EFI stub)
 *
 * flags: bit 0 big-endian kernel; bits 1-2 page size (0 unspecified, 1 4K,
 * 2 16K, 3 64K); bit 3 placement (0: as close to the start of DRAM as
 * possible; 1: anywhere in DRAM).
 */
#ifndef EFIKEXEC_ARM64_H
#define EFIKEXEC_ARM64_H

#include "../lib/rt.h"

#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at 0x38 */
#define ARM64_HEADER_SIZE 64
#define ARM64_FLAG_BE (1ull << 0)
#define ARM64_FLAG_ANYWHERE (1ull << 3)
#define ARM64_BASE_ALIGN (2ull << 20)  /* the base the Image sits text_offset above */
#define ARM64_INITRD_WINDOW (32ull << 30) /* initrd within 32 GiB of ... */
#define ARM64_INITRD_WINDOW_ALIGN (1ull << 30) /* ... the 1 GiB-aligned kernel base */
#define ARM64_DTB_MAX (2ull << 20)
#define ARM64_DTB_ALIGN 8

struct arm64_image_info {
	uint64_t text_offset;
	uint64_t image_size;    /* bytes the kernel needs from its load address */
	uint64_t flags;
	unsigned page_kib;      /* 0: not said */
	bool anywhere;          /* flags bit 3 */
	uint64_t pe_end;        /* end of the data by the EFI stub's PE header; 0: none */
};

/*
 * Validates the header in the first `len` bytes of `name` (file_size in
 * all): magic, little-endian, image_size (0 means a kernel older than 3.17,
 * which efikexec does not load) not smaller than the file, text_offset
 * aligned; with the EFI stub's PE header, the file as long as its section
 * table says (a truncated copy is caught). Every rejection names the file
 * and the field.
 */
rt_status arm64_image_parse(const char *name, const uint8_t *buf, size_t len, uint64_t file_size,
			    struct arm64_image_info *out);

#endif
