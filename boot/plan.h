/* SPDX-License-Identifier: BSD-2-Clause-Patent */
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
#include "../lib/xxh64.h"
#include "../lib/purgatory.h"

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
	uint8_t rsdp[64];             /* a copy of it, rsdp_len bytes */
	uint32_t rsdp_len;
	const void *fdt;              /* the firmware's device tree; NULL: none */
	bool has_fb;
	struct fw_fb fb;
	uint8_t rng[FW_RNG_MAX];      /* from EFI_RNG_PROTOCOL */
	size_t rng_len;               /* 0: no RNG */
	/* a KASLR seed: from EFI_RNG_PROTOCOL, else from the CPU (RDRAND,
	 * RNDR), else from its counter, as the kernel's decompressor falls
	 * back (arch/x86/lib/kaslr.c kaslr_get_random_long); the source named
	 * for the plan; NULL: none gathered */
	uint32_t kaslr_seed;
	uint32_t kaslr_phys_seed;     /* the physical draw's, from the same source */
	const char *kaslr_seed_from;
	enum fw_secure_boot secure_boot;
	uint64_t image_base, image_size; /* efikexec's own image in memory */
	bool la57;                    /* x86: five-level paging on */
	void *tpm;                    /* EFI_TCG2_PROTOCOL with a TPM behind it; NULL: none */
	uint64_t image_handle;        /* efikexec's EFI image handle (a payload entered with
				       * boot services running gets it) */
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
#define BOOT_MAX_INITRD_FILES 16 /* the caller's (EFIKEXEC_MAX_INITRDS) */
#define BOOT_MAX_EXTRAS 40       /* a UKI's /.extra archives and add-ons' parts (efi/ukistub.c) */
#define BOOT_MAX_INITRDS (BOOT_MAX_INITRD_FILES + LD_MAX_INITRDS + BOOT_MAX_EXTRAS)

/* What a UKI's boot adds, as systemd-stub does (efi/ukistub.c): a
 * /.extra archive (lib/cpio.h), or a part an add-on brings; and how the
 * stub measures it. */
enum boot_extra_at {
	BOOT_EXTRA_ARCHIVE,    /* after .initrd */
	BOOT_EXTRA_FIRST,      /* before all (an add-on's .ucode) */
	BOOT_EXTRA_LAST,       /* after the archives (an add-on's .initrd) */
	BOOT_EXTRA_DTB         /* no initrd: the device tree (an add-on's .dtb) */
};
struct boot_extra {
	struct ld_src src;     /* over buf */
	uint8_t *buf;          /* RT_FN(malloc) */
	size_t size;
	const char *what;      /* "/.extra/credentials" */
	unsigned files;
	uint32_t pcr;          /* 0: not measured (.pcrsig, .pcrpkey, .osrel, .profile) */
	const char *event;     /* the event's text: "Credentials initrd" */
	int kind;              /* enum uki_measured (efi/ukistub.h) it counts for */
	enum boot_extra_at at;
	uint32_t tag;          /* an EV_EVENT_TAG's tag (an add-on's part); 0: EV_IPL */
	int dir;               /* an add-on's folder: 0 \loader\addons, 1 the UKI's own */
	char name[64];         /* an add-on's file name, its event's text */
};

/* The k-th of a plan's extras in the order the stub takes those at one
 * place (boot_plan.extra, below): add-ons' .ucode parts last first - the
 * kernel takes the first microcode it finds - the rest as made. */
#define BOOT_EXTRA_NTH(bp, at, k) ((at) == BOOT_EXTRA_FIRST ? (bp)->nextra - 1 - (k) : (k))

/* A part of the initrd: bytes of a source at an offset of the initrd. */
struct boot_initrd {
	struct ld_src *src;
	uint64_t src_off, len;
	uint64_t off;                         /* in the joined initrd */
	const char *name;
	const char *args;                     /* a Multiboot2 module's command line */
};

/* One input file: a path on a volume (read through the firmware), or
 * bytes in memory the caller owns (never written). */
struct boot_input {
	const char *path;      /* the file's name, also for messages; NULL: none */
	void *volume;          /* the volume's handle; NULL: efikexec's own */
	const void *buf;       /* non-NULL: the bytes are here, size of them */
	uint64_t size;
	bool file;             /* path names a file on volume (buf may hold it,
				* read whole by efi/trust.c) */
};

/* What one boot is asked to do, whoever asked (the public API fills it,
 * include/efikexec.h); the engine (efi/kexec.c) reads nothing else. */
struct boot_req {
	struct boot_input kernel;
	bool kernel_handover;  /* kernel.buf is pages the caller gave away (run in place when it can) */
	struct boot_input initrd[BOOT_MAX_INITRD_FILES];
	unsigned ninitrd;
	/* true: initrd[] are Multiboot2 modules, each with its command line
	 * module_args[i] (NULL: none), each at a page of its own */
	bool modules;
	const char *module_args[BOOT_MAX_INITRD_FILES];
	const char *cmdline;   /* NULL: the image's own (a UKI's .cmdline), else none */
	struct boot_input dtb; /* path NULL and buf NULL: none given */
	bool verify, verbose;
	bool verify_sha256;    /* purgatory checks SHA-256 digests (kexec's own), not XXH64 */
	bool direct_entry;     /* x86: a bzImage decompressed by efikexec, entered at its vmlinux */
	bool kernel_measured;    /* the Secure Boot verifier measured the kernel (PCR 4) */
	bool image_cmdline_wins; /* Secure Boot: a verified image's own command line (a UKI's .cmdline) over the given one */
	uint64_t mem_min, mem_max; /* where segments may go; 0: no limit */
	int test_corrupt;      /* test builds: flip a byte of checked region N; -1 off */
	bool test_occupy;      /* test builds: take every destination first */
	/* crash capture, armed alongside the boot when cap_kernel is given */
	struct boot_input cap_kernel;
	struct boot_input cap_initrd[BOOT_MAX_INITRD_FILES];
	unsigned ncap_initrd;
	const char *cap_cmdline;
	uint64_t cap_size, cap_addr; /* addr 0: efikexec picks */
	bool test_corrupt_capture;
};

struct kexec_hooks;
struct uki_state;
struct efi_files;
struct arch_plan_ops;

struct boot_plan {
	const struct boot_req *o;             /* the request; arch/ never reads it */
	const struct kexec_hooks *hooks;      /* what a front end adds (efi/kexec.h) */
	const struct arch_plan_ops *arch;     /* the target's planning rules (arch/arch.h) */
	const struct fw_facts *fw;
	struct ld_ctx *ld;                    /* the loader table's walk */
	struct ld_kernel *k;                  /* = &ld->k */
	const char *kernel_name;              /* the outermost file, for messages */
	struct efi_files *files;              /* the inputs' open firmware files (efi/efi.h) */
	struct ld_src kernel_src;

	struct ld_src initrd_src[BOOT_MAX_INITRD_FILES];
	struct boot_initrd initrd[BOOT_MAX_INITRDS];
	unsigned ninitrd, ninitrd_file;
	uint64_t initrd_size;                 /* all, with the padding */

	char *cmdline;                        /* RT_FN(malloc), NUL-terminated */
	size_t cmdline_len;
	bool cmdline_given;                   /* a UKI's: the given command line replaced
					       * its .cmdline (measured into PCR 12) */
	size_t cmdline_given_len;             /* of it, before add-ons' were appended */
	bool profile_given;                   /* a UKI's profile chosen with "@N" */

	/* a UKI's /.extra archives and add-ons' parts, in the stub's order */
	struct boot_extra extra[BOOT_MAX_EXTRAS];
	unsigned nextra;
	/* a UKI's add-ons' command lines, \loader\addons's and its own
	 * folder's (RT_FN(malloc); NULL: none), appended to the command line */
	char *addon_cmdline[2];
	/* a callback into the firmware layer that fills the two above from
	 * the UKI's volume (efi/ukistub.c uki_extras, set by efi/kexec.c);
	 * NULL: none, as in the host planner */
	rt_status (*uki_extras_cb)(struct boot_plan *bp);
	/* what that callback keeps for the UKI's measurements and variables
	 * (efi/ukistub.c's; RT_FN(malloc), freed with the plan) */
	struct uki_state *uki;

	/* the device tree to start from (arm64): --dtb's, a UKI's .dtb, the
	 * firmware's; NULL: none (ACPI) */
	const void *dtb;
	size_t dtb_size;
	char dtb_name[256];
	void *dtb_pool;                       /* a copy of it to free (RT_FN(free)) */

	struct memmap map;                    /* the map the plan was made on */
	struct kimage img;
	unsigned seg_kernel[LD_MAX_PIECES], seg_scratch[LD_MAX_PIECES];
	unsigned seg_initrd, seg_params, seg_purgatory, seg_ebda;
	/* each segment's XXH64 taken as its bytes were loaded (efi/kexec.c) */
	struct seg_stream {
		struct xxh64_ctx c;
		uint64_t next;        /* bytes fed, in order from 0 */
		bool started, broken; /* broken: fed out of order, swept instead */
	} stream[KIMAGE_MAX_SEGMENTS];
	uint64_t kernel_base;                 /* the kernel's load address */
	uint64_t initrd_mem, params_mem, purgatory_mem;
	/* Multiboot2 on x86: the BIOS data a payload without EFI looks for,
	 * made by purgatory (an EBDA with a copy of the RSDP); 0: none */
	uint64_t ebda;
	uint64_t entry;                       /* kernel entry, physical */
	/* x86, a bzImage entered at its decompressed vmlinux (ld_kernel's
	 * direct): KASLR_FLAG for the kernel, the virtual offset the
	 * relocations apply, and why (arch/x86_64/plan.c) */
	bool kaslr;
	uint64_t kaslr_offset;
	bool kaslr_phys;              /* the kernel's physical address drawn (boot_place) */
	uint64_t kaslr_slots;         /* ... among this many */
	char kaslr_why[256];
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
