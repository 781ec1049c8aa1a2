/*
 * plan.h - one boot as plain data: what firmware said (gathered once by
 * efi/), the kernel the loader table found, the segments and the hand-off.
 * efi/ builds it and talks to firmware; arch/ completes the hand-off from
 * it (arch/arch.h) and includes nothing from efi/. No firmware types here:
 * the UEFI memory descriptor layout is spelt out below (UEFI 2.10, 7.2).
 */
#ifndef EFIKEXEC_PLAN_H
#define EFIKEXEC_PLAN_H

#include "loader.h"
#include "../lib/kimage.h"
#include "../lib/capture.h"
#include "../purgatory/purgatory.h"

/* A linear framebuffer (UEFI GOP's current mode). */
struct fw_fb {
	uint64_t base, size;
	uint32_t width, height, stride_pixels;
	uint32_t red, green, blue, rsvd; /* channel masks */
};

/* The kernel's enum efi_secureboot_mode (include/linux/efi.h). */
enum fw_secure_boot { FW_SB_UNKNOWN = 1, FW_SB_DISABLED = 2, FW_SB_ENABLED = 3 };

#define FW_RNG_MAX 64

/* What the firmware offers a hand-off, read once before planning. */
struct fw_facts {
	uint64_t systab;              /* the EFI system table (identity-mapped) */
	uint64_t acpi_rsdp;           /* ACPI 2.0 RSDP, else 1.0; 0: none */
	const void *fdt;              /* the firmware's device tree; NULL: none */
	bool has_fb;
	struct fw_fb fb;
	uint8_t rng[FW_RNG_MAX];      /* from EFI_RNG_PROTOCOL */
	size_t rng_len;               /* 0: no RNG */
	enum fw_secure_boot secure_boot;
	uint64_t image_base, image_size; /* efikexec's own image in memory */
};

/* A file on efikexec's volume (efi/file.c); handle is the firmware's. */
struct efi_file {
	void *handle;
	char path[256];        /* normalised, as shown in messages */
	uint64_t size;
};

/* The firmware's memory map as GetMemoryMap returns it: descriptors
 * desc_size apart (never sizeof: firmware may append fields). */
struct efi_memmap {
	void *buf;
	uint64_t size, key, desc_size;
	uint32_t desc_version;
};
/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2 "EFI_BOOT_SERVICES.GetMemoryMap()") */
struct efi_mem_desc {
	uint32_t type, pad;
	uint64_t phys, virt, pages, attr;
};
#define EFI_MEM_DESC_RUNTIME (1ull << 63) /* EFI_MEMORY_RUNTIME */

#define BOOT_NO_SEG 0xffffffffu
#define BOOT_MAX_AVOID 256
#define BOOT_MAX_INITRD_FILES 16 /* the user's (OPT_MAX_INITRDS, efi/options.h) */
#define BOOT_MAX_INITRDS (BOOT_MAX_INITRD_FILES + LD_MAX_INITRDS)

/* A part of the initrd: bytes of a source at an offset of the initrd. */
struct boot_initrd {
	struct ld_src *src;
	uint64_t src_off, len;
	uint64_t off;                         /* in the joined initrd */
	const char *name;
};

struct efikexec_opts;
struct kexec_hooks;

struct boot_plan {
	const struct efikexec_opts *o;        /* efi/'s request; arch/ never reads it */
	const struct kexec_hooks *hooks;      /* what a front end adds (efi/kexec.h) */
	const struct fw_facts *fw;
	struct ld_ctx *ld;                    /* the loader table's walk */
	struct ld_kernel *k;                  /* = &ld->k */
	const char *kernel_name;              /* the outermost file, for messages */
	struct efi_file kernel;

	struct efi_file initrd_file[BOOT_MAX_INITRD_FILES];
	struct ld_src initrd_src[BOOT_MAX_INITRD_FILES];
	struct boot_initrd initrd[BOOT_MAX_INITRDS];
	unsigned ninitrd, ninitrd_file;
	uint64_t initrd_size;                 /* all, with the padding */

	char *cmdline;                        /* pool, NUL-terminated */
	size_t cmdline_len;

	/* the device tree to start from (arm64): --dtb's, a UKI's .dtb, the
	 * firmware's; NULL: none (ACPI) */
	const void *dtb;
	size_t dtb_size;
	char dtb_name[256];
	void *dtb_pool;                       /* efi/'s copy of it, to free */

	struct memmap map;                    /* the map the plan was made on */
	struct kimage img;
	unsigned seg_kernel[LD_MAX_PIECES], seg_scratch[LD_MAX_PIECES];
	unsigned seg_initrd, seg_params, seg_purgatory;
	uint64_t kernel_base;                 /* the kernel's load address */
	uint64_t initrd_mem, params_mem, purgatory_mem;
	uint64_t entry;                       /* kernel entry, physical */
	uint64_t purgatory_entry;
	uint64_t purgatory_params_off;        /* in the purgatory segment */
	struct purgatory_params pparams;      /* written into the segment last */

	uint8_t *params_shadow;               /* the hand-off segment, built here */
	uint64_t params_size;

	/* The final memory map, in a buffer allocated before the exit. */
	struct efi_memmap mm;
	uint64_t mm_room;
	struct memmap final_map;

	struct mem_span avoid[BOOT_MAX_AVOID + 16 + LD_MAX_PIECES]; /* arch_avoid's spans,
							* capture_avoid's, then segments */
	size_t navoid;

	/* Crash capture. Arming (a normal boot): the region the main kernel
	 * must see reserved. Capturing: `cap` is the region's descriptor, the
	 * image is KIMAGE_CRASH, and the core header is one more segment. */
	uint64_t cap_base, cap_end;
	const struct capture_desc *cap;
	uint64_t corehdr_mem;
	unsigned seg_corehdr;
	struct memmap cap_map;                /* what the capture kernel may use
					       * (x86 builds its e820 from it) */
};

#endif
