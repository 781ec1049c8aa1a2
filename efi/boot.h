/*
 * boot.h - one boot, from the request to the point of no return: the plan
 * efi/boot.c builds and the arch code (arch/arch.h) completes.
 */
#ifndef EFIKEXEC_BOOT_H
#define EFIKEXEC_BOOT_H

#include "efi.h"
#include "options.h"
#include "../purgatory/purgatory.h"
#include "../lib/capture.h"

#define BOOT_HEAD_SIZE 0x1000 /* bytes of the kernel file read to probe it */
#define BOOT_NO_SEG 0xffffffffu

/* How the kernel file becomes the kernel segment (arch_kernel_probe). */
struct boot_kernel {
	uint64_t file_offset, file_size; /* the bytes of the file loaded */
	uint64_t memsz;                  /* bytes needed at the load address */
	uint64_t align;
	uint64_t min, max;               /* allowed [min, max); max 0: any */
	uint64_t entry_offset;           /* entry point from the load address */
	uint64_t cmdline_max;            /* longest command line, NUL excluded */
	uint64_t initrd_max;             /* initrd must end below; 0: anywhere */
	uint64_t params_max;             /* hand-off data must end below; 0: any */
	uint64_t load_offset;            /* the kernel sits this far above an
					  * `align`-aligned base (arm64 text_offset) */
	uint64_t initrd_window;          /* when not 0: the initrd lies within this
					  * many bytes from the kernel's base ... */
	uint64_t initrd_window_align;    /* ... rounded down to this */
	const char *params_what;         /* what the hand-off segment holds */
};

#define BOOT_MAX_AVOID 256

struct boot_plan {
	const struct efikexec_opts *o;
	struct efi_file kernel;
	uint8_t head[BOOT_HEAD_SIZE];
	size_t head_len;
	struct boot_kernel k;

	struct efi_file initrd[OPT_MAX_INITRDS];
	uint64_t initrd_off[OPT_MAX_INITRDS]; /* offset of each in the initrd */
	unsigned ninitrd;
	uint64_t initrd_size;                 /* all, with the padding */

	char *cmdline;                        /* pool, NUL-terminated */
	size_t cmdline_len;

	struct memmap map;                    /* the map the plan was made on */
	struct kimage img;
	unsigned seg_kernel, seg_scratch, seg_initrd, seg_params, seg_purgatory;
	uint64_t kernel_mem, initrd_mem, params_mem, purgatory_mem;
	uint64_t entry;                       /* kernel entry, physical */
	uint64_t purgatory_entry;
	uint64_t purgatory_params_off;        /* in the purgatory segment */
	struct purgatory_params pparams;      /* written into the segment last */

	uint8_t *params_shadow;               /* the hand-off segment, built here */
	uint64_t params_size;

	/* The final memory map, in a buffer allocated before the exit. */
	struct efi_memmap mm;
	UINTN mm_room;
	struct memmap final_map;

	struct mem_span avoid[BOOT_MAX_AVOID + 16]; /* arch_avoid's spans, capture_avoid's, then segments */
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

EFI_STATUS efi_boot(const struct efikexec_opts *o);

/* boot.c, for capture.c */
EFI_STATUS boot_open_inputs(struct boot_plan *bp);
void boot_release(struct boot_plan *bp);
/* Enters the capture kernel the descriptor describes (already verified);
 * returns only on a failure before ExitBootServices. */
EFI_STATUS boot_capture(const struct efikexec_opts *o, const struct capture_desc *d);

/* capture.c: the firmware-assisted dump (lib/capture.h has the flow). */
/* At the start of a boot: when a region is armed and the main kernel
 * crashed since, checks it and enters the capture kernel (no return);
 * otherwise disarms it and returns EFI_SUCCESS for the normal boot. */
EFI_STATUS capture_at_start(const struct efikexec_opts *o);
/* Reserves the region, loads the capture kernel into it (bp->o's
 * --capture-* options), fills bp->cap_base/cap_end. */
EFI_STATUS capture_arm(struct boot_plan *bp);
/* Writes the arming variable (just before ExitBootServices). */
EFI_STATUS capture_commit(struct boot_plan *bp);
/* After the exit, arming: the final map without what firmware rewrites on
 * a reset (those parts reserved), so the main kernel keeps out of it. */
rt_status capture_hide(struct boot_plan *bp);
/* Arming: those parts, for the main boot's segments to keep clear of. */
size_t capture_avoid(struct mem_span *out, size_t max);
/* Gives the region back (a boot that stopped before the exit, or --dry-run). */
void capture_abort(struct boot_plan *bp);
/* Capturing, before the exit: finds the crashed kernel's VMCOREINFO. */
void capture_prepare_core(struct boot_plan *bp);
/* Capturing, after the exit: what the capture kernel may use (bp->cap_map)
 * and the ELF core header in its segment, from the final map. */
rt_status capture_finish_core(struct boot_plan *bp);
EFI_STATUS capture_status(void);
EFI_STATUS capture_disarm(void);

#endif
