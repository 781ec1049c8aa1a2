/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bzimage.h - the x86 boot protocol: the bzImage setup header and the
 * boot_params ("zero page") a loader hands to the kernel's 64-bit entry.
 *
 * Offsets and flags are the kernel's Documentation/arch/x86/boot.rst and
 * zero-page.rst (arch/x86/include/uapi/asm/bootparam.h); every offset used
 * is pinned below with _Static_assert. No firmware calls: the host tests
 * build and check boot_params from plain inputs.
 */
#ifndef EFIKEXEC_BZIMAGE_H
#define EFIKEXEC_BZIMAGE_H

#include "../lib/memmap.h"

/* Setup header fields (boot.rst, "THE REAL-MODE KERNEL HEADER"). */
#define BZ_HDR_OFFSET 0x1f1       /* setup_sects: first byte of the header */
#define BZ_HDR_MAGIC 0x53726448   /* "HdrS" at 0x202 */
#define BZ_BOOT_FLAG 0xaa55       /* at 0x1fe */
#define BZ_MIN_VERSION 0x020c     /* 2.12: xloadflags, 64-bit entry above 4G */
#define BZ_ENTRY_64 0x200         /* 64-bit entry: load address + 0x200 */

#define BZ_LOADED_HIGH (1u << 0)
#define BZ_KASLR_FLAG (1u << 1)   /* loadflags: the kernel was moved by KASLR */
#define BZ_XLF_KERNEL_64 (1u << 0)
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

#define BZ_LOADER_TYPE_UNDEFINED 0xff /* boot.rst: "0xFF ... undefined" */

/* setup_data types (bootparam.h). */
#define SETUP_E820_EXT 1
#define SETUP_RNG_SEED 9

/* e820 types (arch/x86/include/asm/e820/types.h). */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_PMEM 7

#define BZ_E820_ZEROPAGE_MAX 128  /* E820_MAX_ENTRIES_ZEROPAGE */

struct bz_e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

struct bz_setup_data {
	uint64_t next;
	uint32_t type, len;
	uint8_t data[];
};

struct bz_screen_info {
	uint8_t orig_x, orig_y;
	uint16_t ext_mem_k, orig_video_page;
	uint8_t orig_video_mode, orig_video_cols, flags, unused2;
	uint16_t orig_video_ega_bx, unused3;
	uint8_t orig_video_lines, orig_video_isVGA;
	uint16_t orig_video_points;
	uint16_t lfb_width, lfb_height, lfb_depth;
	uint32_t lfb_base, lfb_size;
	uint16_t cl_magic, cl_offset;
	uint16_t lfb_linelength;
	uint8_t red_size, red_pos, green_size, green_pos, blue_size, blue_pos, rsvd_size, rsvd_pos;
	uint16_t vesapm_seg, vesapm_off, pages, vesa_attributes;
	uint32_t capabilities, ext_lfb_base;
	uint8_t reserved[2];
} __attribute__((packed));

#define VIDEO_TYPE_EFI 0x70
#define VIDEO_CAPABILITY_64BIT_BASE (1u << 1)

/* The part of boot_params efikexec writes, at the kernel's offsets. */
struct bz_boot_params {
	struct bz_screen_info screen_info;   /* 0x000 */
	uint8_t pad0[0x070 - 0x040];
	uint64_t acpi_rsdp_addr;              /* 0x070 */
	uint8_t pad1[0x0c0 - 0x078];
	uint32_t ext_ramdisk_image;           /* 0x0c0 */
	uint32_t ext_ramdisk_size;            /* 0x0c4 */
	uint32_t ext_cmd_line_ptr;            /* 0x0c8 */
	uint8_t pad2[0x1c0 - 0x0cc];
	uint32_t efi_loader_signature;        /* 0x1c0: efi_info */
	uint32_t efi_systab;
	uint32_t efi_memdesc_size;
	uint32_t efi_memdesc_version;
	uint32_t efi_memmap;
	uint32_t efi_memmap_size;
	uint32_t efi_systab_hi;
	uint32_t efi_memmap_hi;
	uint8_t pad3[0x1e8 - 0x1e0];
	uint8_t e820_entries;                 /* 0x1e8 */
	uint8_t pad4[0x1ec - 0x1e9];
	uint8_t secure_boot;                  /* 0x1ec: enum efi_secureboot_mode */
	uint8_t pad4b[0x1ef - 0x1ed];
	uint8_t sentinel;                     /* 0x1ef: must stay 0 */
	uint8_t pad5;
	/* setup header, 0x1f1 */
	uint8_t setup_sects;
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size, vid_mode, root_dev, boot_flag, jump;
	uint32_t header;                      /* 0x202 */
	uint16_t version;                     /* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg, kernel_version;
	uint8_t type_of_loader;               /* 0x210 */
	uint8_t loadflags;                    /* 0x211 */
	uint16_t setup_move_size;
	uint32_t code32_start;                /* 0x214 */
	uint32_t ramdisk_image;               /* 0x218 */
	uint32_t ramdisk_size;                /* 0x21c */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver, ext_loader_type;
	uint32_t cmd_line_ptr;                /* 0x228 */
	uint32_t initrd_addr_max;             /* 0x22c */
	uint32_t kernel_alignment;            /* 0x230 */
	uint8_t relocatable_kernel;           /* 0x234 */
	uint8_t min_alignment;
	uint16_t xloadflags;                  /* 0x236 */
	uint32_t cmdline_size;                /* 0x238 */
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset, payload_length;
	uint64_t setup_data;                  /* 0x250 */
	uint64_t pref_address;                /* 0x258 */
	uint32_t init_size;                   /* 0x260 */
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
	uint8_t pad6[0x2d0 - 0x26c];
	struct bz_e820_entry e820_table[BZ_E820_ZEROPAGE_MAX]; /* 0x2d0 */
	uint8_t pad7[0x1000 - 0xcd0];
} __attribute__((packed));

_Static_assert(sizeof(struct bz_screen_info) == 0x40, "screen_info");
_Static_assert(__builtin_offsetof(struct bz_screen_info, capabilities) == 0x36, "capabilities");
_Static_assert(__builtin_offsetof(struct bz_boot_params, efi_memmap_hi) == 0x1dc, "efi_info");
_Static_assert(__builtin_offsetof(struct bz_boot_params, setup_sects) == 0x1f1, "hdr");
_Static_assert(__builtin_offsetof(struct bz_boot_params, header) == 0x202, "HdrS");
_Static_assert(__builtin_offsetof(struct bz_boot_params, type_of_loader) == 0x210, "loader");
_Static_assert(__builtin_offsetof(struct bz_boot_params, cmd_line_ptr) == 0x228, "cmdline");
_Static_assert(__builtin_offsetof(struct bz_boot_params, xloadflags) == 0x236, "xloadflags");
_Static_assert(__builtin_offsetof(struct bz_boot_params, setup_data) == 0x250, "setup_data");
_Static_assert(__builtin_offsetof(struct bz_boot_params, init_size) == 0x260, "init_size");
_Static_assert(__builtin_offsetof(struct bz_boot_params, e820_table) == 0x2d0, "e820");
_Static_assert(sizeof(struct bz_boot_params) == 0x1000, "boot_params is one page");

/* What a loader needs to know about a bzImage, from its setup header. */
struct bzimage_info {
	uint16_t version;
	uint32_t setup_size;       /* (setup_sects + 1) * 512: file offset of the kernel */
	uint64_t payload_size;     /* protected-mode part: file size - setup_size */
	uint32_t hdr_end;          /* end of the setup header in the file (0x202 + jump) */
	uint32_t kernel_alignment;
	uint32_t init_size;        /* bytes the kernel needs at its load address */
	uint64_t pref_address;
	uint32_t cmdline_size;     /* longest command line, without the NUL */
	uint32_t initrd_addr_max;  /* highest initrd byte, unless above_4g */
	bool above_4g;             /* XLF_CAN_BE_LOADED_ABOVE_4G */
};

/* Bytes a loader reads from the file start to validate and copy the header. */
#define BZIMAGE_PROBE_SIZE 0x400

/*
 * Validates the setup header in the first `len` bytes of the file `name`
 * (file_size bytes in all): boot flag, "HdrS", protocol >= 2.12, 64-bit
 * entry, relocatable, a power-of-two kernel_alignment, init_size, the
 * declared size against the file's. Every rejection names the file, the
 * field and its value. RT_ENOEXEC: not a bzImage; RT_ETRUNC: cut short;
 * RT_ENOTSUP: a bzImage efikexec cannot enter.
 */
rt_status bzimage_parse(const char *name, const uint8_t *buf, size_t len, uint64_t file_size,
			struct bzimage_info *out);

/*
 * Fills boot_params from the image's first hdr_end bytes (the setup header
 * copied as the kernel wrote it, from BZ_HDR_OFFSET), and sets what the loader owns: loader type,
 * command line, initrd, the kernel's load address. Everything else stays 0.
 */
struct bz_load {
	uint64_t kernel;          /* load address of the protected-mode kernel */
	uint64_t cmdline;         /* physical address of the NUL-terminated line */
	uint64_t initrd, initrd_size;
	uint64_t acpi_rsdp;
};
void bzimage_boot_params(struct bz_boot_params *bp, const uint8_t *hdr, uint32_t hdr_end,
			 const struct bz_load *ld);

/* The x86_64 kernel's virtual layout (arch/x86/include/asm/page_64_types.h):
 * the kernel image is mapped from __START_KERNEL_map, at most
 * KERNEL_IMAGE_SIZE (1 GiB with CONFIG_RANDOMIZE_BASE, the only kernels
 * with a relocation table) above it. */
#define BZ_START_KERNEL_MAP 0xffffffff80000000ull
#define BZ_KERNEL_IMAGE_SIZE (1ull << 30)

/*
 * The KASLR virtual offset as the EFI stub picks it
 * (drivers/firmware/efi/libstub/x86-stub.c efi_decompress_kernel): a slot
 * in [link, KERNEL_IMAGE_SIZE - extent) chosen by a 32-bit random value,
 * aligned down to `align` (CONFIG_PHYSICAL_ALIGN, the header's
 * kernel_alignment). Returns the offset from link (0: not moved).
 */
uint64_t bzimage_kaslr_offset(uint64_t link, uint64_t extent, uint64_t align, uint32_t seed);

/*
 * Applies the relocation table of a kernel linked at `link` (the `len`
 * bytes after its vmlinux in the payload; arch/x86/boot/compressed/misc.c
 * handle_relocations describes the layout): read from the end, 32-bit
 * entries to add `delta` to, a 0, 32-bit entries to subtract it from
 * (inverse), a 0, 64-bit entries to add it to, a 0 - each entry the
 * sign-extended kernel virtual address of the place. A place is handed to
 * `patch` as its offset from the kernel's base, which must lie below
 * `extent`; the table must end exactly at its start. Errors name `name`,
 * the entry and the value; *count: entries applied.
 */
/* Whether the kernel command line holds the option `word` (a whole word
 * outside double quotes, as arch/x86/lib/cmdline.c finds a boolean one);
 * a `word` ending in '=' matches any value ("mem=" finds mem=4G). */
bool bzimage_cmdline_has(const char *cmdline, const char *word);

typedef rt_status (*bz_patch_fn)(void *ctx, uint64_t off, unsigned width, uint64_t add);
rt_status bzimage_relocate(const char *name, const uint8_t *table, size_t len, uint64_t link,
			   uint64_t extent, uint64_t delta, bz_patch_fn patch, void *ctx, size_t *count);

/*
 * The e820 table for a memory map: RAM (free or busy now) becomes E820_RAM,
 * ACPI/NVS/persistent their own types, everything else reserved; touching
 * ranges of one type merge. Writes at most `max` entries and returns how
 * many the map needs (more than max: the caller supplies room elsewhere).
 */
size_t bzimage_e820(const struct memmap *m, struct bz_e820_entry *out, size_t max);

/*
 * Stores an e820 table of `n` entries: the first 128 in boot_params, the
 * rest in the SETUP_E820_EXT node `ext` (room for n - 128 entries), whose
 * physical address is ext_phys; links it into the setup_data chain.
 */
void bzimage_set_e820(struct bz_boot_params *bp, const struct bz_e820_entry *e, size_t n,
		      struct bz_setup_data *ext, uint64_t ext_phys);

/* Links a setup_data node (at physical ext_phys) at the head of the chain. */
void bzimage_add_setup_data(struct bz_boot_params *bp, struct bz_setup_data *sd, uint64_t phys,
			    uint32_t type, uint32_t len);

/* A linear framebuffer (UEFI GOP), for screen_info. */
struct bz_fb {
	uint64_t base, size;
	uint32_t width, height, stride_pixels;
	/* channel masks; 0 for all four means 32-bit BGR reserved (UEFI's
	 * PixelBlueGreenRedReserved8BitPerColor) */
	uint32_t red, green, blue, rsvd;
};
void bzimage_screen_info(struct bz_screen_info *si, const struct bz_fb *fb);

#endif
