/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * multiboot2.h - Multiboot2 payloads (Xen, and any kernel with the header):
 * the header a payload carries, the loader in the table (boot/loader.h),
 * and the boot information (MBI) efikexec hands it.
 *
 * Facts from the Multiboot2 specification (version 2.0, "Header format",
 * "Header tags", "I386 machine state", "Boot information format") and
 * GRUB's include/multiboot2.h, whose layouts Xen's own copy follows
 * (xen/include/xen/multiboot2.h). Plain code: no firmware, built for the
 * host tests and the fuzz target too.
 */
#ifndef EFIKEXEC_MULTIBOOT2_H
#define EFIKEXEC_MULTIBOOT2_H

#include "../lib/rt.h"
#include "../lib/memmap.h"

#define MB2_HEADER_MAGIC 0xe85250d6u /* in the image */
#define MB2_BOOT_MAGIC 0x36d76289u   /* EAX at the payload's entry */
#define MB2_SEARCH 32768u            /* the header lies within the first 32 KiB */
#define MB2_HEADER_ALIGN 8u
#define MB2_ARCH_I386 0u             /* 32-bit protected mode, the only one for x86 */
#define MB2_TAG_OPTIONAL 1u          /* header tag flags bit 0 */

/* Header tags (spec 3.1.3 - 3.1.13). */
enum mb2_header_tag {
	MB2_HT_END = 0,
	MB2_HT_INFO_REQUEST = 1,
	MB2_HT_ADDRESS = 2,
	MB2_HT_ENTRY = 3,
	MB2_HT_CONSOLE = 4,
	MB2_HT_FRAMEBUFFER = 5,
	MB2_HT_MODULE_ALIGN = 6,
	MB2_HT_EFI_BS = 7,
	MB2_HT_ENTRY_EFI32 = 8,
	MB2_HT_ENTRY_EFI64 = 9,
	MB2_HT_RELOCATABLE = 10,
};

/* Boot information tags (spec 3.6). */
enum mb2_info_tag {
	MB2_IT_END = 0,
	MB2_IT_CMDLINE = 1,
	MB2_IT_LOADER_NAME = 2,
	MB2_IT_MODULE = 3,
	MB2_IT_BASIC_MEMINFO = 4,
	MB2_IT_BOOTDEV = 5,
	MB2_IT_MMAP = 6,
	MB2_IT_VBE = 7,
	MB2_IT_FRAMEBUFFER = 8,
	MB2_IT_ELF_SECTIONS = 9,
	MB2_IT_APM = 10,
	MB2_IT_EFI32 = 11,
	MB2_IT_EFI64 = 12,
	MB2_IT_SMBIOS = 13,
	MB2_IT_ACPI_OLD = 14,
	MB2_IT_ACPI_NEW = 15,
	MB2_IT_NETWORK = 16,
	MB2_IT_EFI_MMAP = 17,
	MB2_IT_EFI_BS = 18,
	MB2_IT_EFI32_IH = 19,
	MB2_IT_EFI64_IH = 20,
	MB2_IT_LOAD_BASE_ADDR = 21,
	MB2_IT_COUNT
};

/* The console tag's flags (spec 3.1.6). */
#define MB2_CONSOLE_REQUIRED 1u
#define MB2_CONSOLE_EGA_TEXT 2u

/* The relocatable tag's preference (spec 3.1.13). */
enum { MB2_RELOC_NONE = 0, MB2_RELOC_LOW = 1, MB2_RELOC_HIGH = 2 };

/* What the information tags efikexec gives a payload it enters after
 * ExitBootServices (the i386 entry), with no BIOS: no boot device, VBE,
 * APM, network, EFI boot services or image handle. */
#define MB2_GIVES ((1u << MB2_IT_CMDLINE) | (1u << MB2_IT_LOADER_NAME) | (1u << MB2_IT_MODULE) | \
		   (1u << MB2_IT_BASIC_MEMINFO) | (1u << MB2_IT_MMAP) | (1u << MB2_IT_FRAMEBUFFER) | \
		   (1u << MB2_IT_EFI64) | (1u << MB2_IT_ACPI_OLD) | (1u << MB2_IT_ACPI_NEW) | \
		   (1u << MB2_IT_EFI_MMAP) | (1u << MB2_IT_LOAD_BASE_ADDR))
/* ... and one entered through its EFI amd64 entry with boot services
 * running (GRUB 2.06, multiboot_mbi2.c with keep_bs): "boot services not
 * terminated" and the image handle too, and no EFI memory map (the
 * payload reads the firmware's own at its ExitBootServices). */
#define MB2_GIVES_EFI ((MB2_GIVES | (1u << MB2_IT_EFI_BS) | (1u << MB2_IT_EFI64_IH)) & ~(1u << MB2_IT_EFI_MMAP))

/* A payload's header, parsed and checked. */
struct mb2_header {
	uint32_t offset;              /* in the image */
	uint32_t length;              /* header_length */
	uint32_t tags;                /* header tags present: bit n = type n */
	uint32_t requested, required; /* information tags asked for, and those
				       * asked for without the optional flag */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr; /* address tag */
	uint32_t entry_addr;          /* entry tag */
	uint32_t console_flags;
	uint32_t fb_width, fb_height, fb_depth;
	uint32_t reloc_min, reloc_max, reloc_align, reloc_pref;
	uint32_t efi32_entry, efi64_entry; /* tags 8 and 9 */
};
#define MB2_HAS(h, t) (((h)->tags >> (t)) & 1u)

/* Entered through its EFI amd64 entry with boot services running: the
 * header asks for boot services (tag 7) and has that entry (tag 9; the
 * specification takes tag 9 into account only with tag 7). Else the i386
 * entry after ExitBootServices. */
static inline bool mb2_efi64(const struct mb2_header *h)
{
	return MB2_HAS(h, MB2_HT_EFI_BS) && MB2_HAS(h, MB2_HT_ENTRY_EFI64);
}

const char *mb2_info_name(unsigned type);

/*
 * Looks for a Multiboot2 header in `buf`, the first `len` bytes of an
 * image: the magic at an 8-byte aligned offset. Finds one within the first
 * 32 KiB, or one with a valid checksum past it (to say it is misplaced).
 */
bool mb2_probe(const uint8_t *buf, size_t len, uint32_t *off);

/*
 * Parses and checks the header at `off` of buf (len bytes of the image
 * `name`): architecture, length, checksum, every tag's size, unknown tags
 * without the optional flag, information tags asked for that efikexec
 * cannot give. Errors name the image, the value and the limit.
 */
rt_status mb2_parse(const uint8_t *buf, size_t len, uint32_t off, const char *name, struct mb2_header *h);

/* --- the boot information ------------------------------------------------- */

/* A module; its string is "path args", the path first as kexec-tools
 * gives it (Xen drops the first word of every command line unless the
 * loader is GRUB: xen/arch/x86/setup.c cmdline_cook). */
struct mb2_module {
	uint64_t start, end;          /* physical, below 4 GiB */
	const char *path, *args;      /* args NULL or "": none */
};

/* A linear framebuffer in the information's terms (direct RGB). */
struct mb2_fb {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint32_t red_mask, green_mask, blue_mask;
};

struct mb2_info_req {
	const struct mb2_header *h;
	const char *path, *cmdline;   /* the payload's: "path cmdline" */
	const char *loader_name;
	const struct mb2_module *mod;
	unsigned nmod;
	const struct memmap *map;     /* the final memory map (RAM as after the exit) */
	const uint8_t *rsdp;          /* a copy of the ACPI RSDP; NULL: none */
	size_t rsdp_len;              /* 20 (revision 0) or its length field */
	const struct mb2_fb *fb;      /* NULL: none */
	uint64_t efi_systab;          /* tag 12 when the payload asks for it; 0: none */
	const void *efi_mmap;         /* tag 17 when asked for: the final EFI map */
	uint32_t efi_mmap_size, efi_desc_size, efi_desc_version;
	bool relocated;               /* tag 21: the image was loaded at load_base */
	uint32_t load_base;
	/* the EFI amd64 entry (mb2_efi64): tags 18 and 20, given always as
	 * GRUB gives them; no tag 17 */
	bool efi_bs;
	uint64_t efi_image_handle;
};

/* Bytes the information needs at most, for a map of up to map_entries
 * ranges and an EFI map of up to efi_mmap_room bytes. */
size_t mb2_info_bound(const struct mb2_info_req *r, size_t map_entries, size_t efi_mmap_room);
/* Writes the information into buf (room bytes, 8-byte aligned); *len its
 * total_size. */
rt_status mb2_info_build(uint8_t *buf, size_t room, const struct mb2_info_req *r, size_t *len);

/* KiB of RAM from 0 (at most 640) and from 1 MiB on, without a hole: the
 * basic meminfo tag's mem_lower and mem_upper. */
void mb2_meminfo(const struct memmap *m, uint32_t *lower, uint32_t *upper);

#endif
