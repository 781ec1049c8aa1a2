/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * capture.h - the firmware-assisted dump, the parts without firmware calls:
 * the descriptor kept in the capture region, the crashed system's memory as
 * ELF program headers, the VMCOREINFO note, the x86 direct map's base, and
 * the efi-pstore record names that tell a crash from a clean reboot.
 *
 * The flow (efi/capture.c runs it):
 *   arm      a region of RAM becomes EfiReservedMemoryType; the capture
 *            kernel, its initrd and purgatory are loaded into it at their
 *            final addresses, with a descriptor (below) at its base; a
 *            non-volatile variable names the region
 *   crash    the main kernel panics; its efi-pstore backend leaves the log
 *            as dump-type0-* variables; the machine resets (RAM is kept)
 *   capture  efikexec starts first, sees a dump-type0 record newer than the
 *            arming, checks every digest of the region, writes the ELF core
 *            header of the crashed system's memory into the region, confines
 *            the capture kernel to the region and enters it
 */
#ifndef EFIKEXEC_CAPTURE_H
#define EFIKEXEC_CAPTURE_H

#include "memmap.h"
#include "sha256.h"

#define CAPTURE_MAGIC 0x3130504143454b45ull /* "EKECAP01", little-endian */
#define CAPTURE_VERSION 1
#define CAPTURE_DESC_SIZE 0x4000ull   /* pages at the region's base */
#define CAPTURE_MAX_RAM 256           /* RAM ranges of the main system kept */
#define CAPTURE_CMDLINE_MAX 2048
#define CAPTURE_HEAD_SIZE 0x1000      /* the capture kernel's first bytes */
#define CAPTURE_WORK_SIZE 0x200000ull /* hand-off data, core header, control
				       * pages, written at capture time */
#define CAPTURE_COREHDR_SIZE 0x10000ull /* first part of the work area */
/* Below this the capture kernel may use RAM (x86: its real-mode
 * trampoline), and firmware rewrites parts of it on every reset: never
 * in the dump. */
#define CAPTURE_LOW_LIMIT 0x100000ull

enum capture_digest_idx { CAPTURE_D_KERNEL, CAPTURE_D_INITRD, CAPTURE_D_PURGATORY, CAPTURE_D_COUNT };

struct capture_digest {
	uint64_t mem, len; /* len 0: nothing there (no initrd) */
	uint8_t sha256[SHA256_DIGEST_SIZE];
};

/* At the region's base. All addresses physical. */
struct capture_desc {
	uint64_t magic;
	uint32_t version, size;        /* sizeof(struct capture_desc) */
	uint64_t base, end;            /* the region */
	uint64_t kernel_file_size;     /* the capture kernel's whole file */
	uint64_t kernel_mem;           /* where its loaded part starts */
	uint64_t entry;                /* its entry point (purgatory jumps there) */
	uint64_t initrd_mem, initrd_size;
	uint64_t purgatory_mem;
	uint64_t work_mem;             /* CAPTURE_WORK_SIZE bytes */
	uint64_t free_mem;             /* from here to `end`: the capture kernel's RAM */
	struct capture_digest digest[CAPTURE_D_COUNT];
	uint32_t nr_ram, pad;
	struct mem_span ram[CAPTURE_MAX_RAM]; /* the main system's RAM at arming */
	char kernel_path[256];
	char cmdline[CAPTURE_CMDLINE_MAX]; /* --capture-append */
	uint8_t head[CAPTURE_HEAD_SIZE];
	uint8_t self[SHA256_DIGEST_SIZE]; /* of every byte above */
};

/* The variable that arms it (non-volatile). */
struct capture_arm {
	uint64_t magic;
	uint32_t version, pad;
	uint64_t base, end;
	int64_t pstore_seen; /* newest dump-type0 record at arming, -1: none */
	uint64_t armed_at;   /* firmware clock, seconds since 1970 (for reports) */
	uint8_t desc_sha256[SHA256_DIGEST_SIZE]; /* the descriptor's `self` */
};

/* Seals the descriptor (its `self` digest) / checks magic, version, size,
 * region and seal. The check names what is wrong in `why`. */
void capture_desc_seal(struct capture_desc *d);
bool capture_desc_check(const struct capture_desc *d, uint64_t base, uint64_t end, char *why,
			size_t why_len);

/*
 * The memory of the crashed system that goes into the dump: every byte that
 * was RAM at arming (ram[]), is free in `now` (so firmware and efikexec did
 * not use it in this boot), is not in [skip_start, skip_end) (the region)
 * and lies above CAPTURE_LOW_LIMIT. Sorted, merged; returns how many spans
 * (may exceed max: then only max were written).
 */
size_t capture_dump_ranges(const struct mem_span *ram, size_t nram, const struct memmap *now,
			   uint64_t skip_start, uint64_t skip_end, struct mem_span *out, size_t max);

/* ELF machine numbers */
#define CAPTURE_EM_X86_64 62
#define CAPTURE_EM_AARCH64 183

struct capture_core {
	uint16_t machine;
	const struct mem_span *load;  /* one PT_LOAD each, p_offset = p_paddr = phys */
	size_t nload;
	uint64_t vaddr_delta;         /* p_vaddr = phys + vaddr_delta; 0: unknown (-1 written) */
	const void *note;             /* the notes of the one PT_NOTE */
	size_t note_len;
};
/*
 * Writes the ELF core header for the capture kernel (its elfcorehdr=):
 * Ehdr, one PT_NOTE, the PT_LOADs, then the note bytes, at `phys` (where
 * the header lies: the PT_NOTE's p_offset points at the copy). Returns its
 * size, or 0 when it does not fit `size` bytes.
 */
size_t capture_elfcore(void *buf, size_t size, uint64_t phys, const struct capture_core *c);

/*
 * A VMCOREINFO note (ELF note "VMCOREINFO", type 0, text "OSRELEASE=...")
 * at the start of `p` (`avail` bytes readable): returns its whole length
 * (header, name, text, padded), or 0 when it is not one.
 */
size_t capture_vmcoreinfo_note(const void *p, size_t avail);
/* The value of `key` ("SYMBOL(init_top_pgt)", "KERNELOFFSET", ...) in the
 * note's text: hex for SYMBOL(), KERNELOFFSET and 0x-prefixed values,
 * decimal otherwise. */
bool capture_vmcoreinfo_value(const void *note, size_t len, const char *key, uint64_t *val);
/* The OSRELEASE= value into buf. */
bool capture_vmcoreinfo_release(const void *note, size_t len, char *buf, size_t size);

/*
 * x86_64: the base of the crashed kernel's direct map (PAGE_OFFSET, moved
 * by KASLR) - the lowest 1 GiB-aligned kernel-half address its page tables
 * map to physical 0 - walked from init_top_pgt through `read` (false for
 * memory that is not there). makedumpfile takes PAGE_OFFSET from the
 * PT_LOADs' p_vaddr - p_paddr.
 */
typedef bool (*capture_read_fn)(void *ctx, uint64_t phys, uint64_t *val);
bool capture_x86_page_offset(capture_read_fn read, void *ctx, uint64_t pgd, bool la57,
			     uint64_t sme_mask, uint64_t *page_offset);

/* The time of an efi-pstore dmesg record from its variable name
 * ("dump-type0-PART-COUNT-TIME-C|D", or older "dump-type0-PART-COUNT-TIME"
 * and "dump-type0-PART-TIME"); false for other names. */
bool capture_pstore_time(const char *name, int64_t *time);

#endif

/*
 * Keeps the main kernel out of memory the firmware rewrites on a warm
 * reset, so nothing of the crashed kernel lies there: in a raw EFI memory
 * map (`size` bytes of descriptors `desc_size` apart, `room` bytes of
 * buffer), the parts of loader, boot-services and conventional descriptors
 * inside the `n` spans become EfiReservedMemoryType, descriptors split as
 * needed. Returns the new size, or 0 when the buffer is too small.
 */
size_t capture_hide_in_efi_map(void *map, size_t size, size_t room, size_t desc_size,
			       const struct mem_span *hide, size_t n, uint32_t hide_types);
/* hide_types: descriptors of these EFI types (1 << type) become reserved
 * whole - the firmware's own memory (boot-services code and data) and
 * efikexec's image, where firmware puts the same things again on the next
 * start. */
#define CAPTURE_HIDE_TYPES ((1u << 1) | (1u << 3) | (1u << 4))
/* EFI types that are the main kernel's RAM, as recorded at arming. */
#define CAPTURE_RAM_TYPES ((1u << 2) | (1u << 7))
/* The same spans taken out of a list of RAM spans (sorted, in place). */
size_t capture_spans_minus(struct mem_span *s, size_t n, size_t max, const struct mem_span *hide,
			   size_t nhide);
