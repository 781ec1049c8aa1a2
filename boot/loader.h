/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * loader.h - kernel image formats as one ordered table of loaders, the
 * shape of the kernel's kexec_file_loaders[] (kernel/kexec_file.c, struct
 * kexec_file_ops {probe, load}): the first loader whose probe accepts an
 * image loads it. Wrapper formats (UKI, EFI zboot, gzip) unwrap and send
 * what they hold through the same table again, as kexec-tools does
 * (kexec/kexec-uki.c, kexec/kexec-pe-zboot.c).
 *
 * Why sources: a kernel is not always a file to read at will. A UKI's
 * .linux is a slice of the UKI; an Image.gz is a stream that can only be
 * inflated forwards. Every loader sees an image as an ld_src - a size, its
 * first bytes (the head, for probing), and a read() - and describes how the
 * image becomes memory as pieces {source offset, bytes, offset from the load
 * address, room}. efi/ turns pieces into kimage segments and reads each one
 * straight into its destination span, so nothing is copied twice.
 *
 * No firmware calls: efi/ supplies the outermost source (a file, or later a
 * caller's buffer); the host tests supply buffers.
 */
#ifndef EFIKEXEC_LOADER_H
#define EFIKEXEC_LOADER_H

#include "../lib/rt.h"
#include "multiboot2.h"
#include "uki.h"

#define LD_HEAD_SIZE 0x10000   /* bytes of an image read to probe it */
#define LD_MAX_DEPTH 4         /* file, UKI .linux, zboot payload, ... */
#define LD_MAX_PIECES 8        /* PT_LOADs of an ELF */
#define LD_MAX_INITRDS 2       /* a UKI's .ucode and .initrd */
#define LD_CMDLINE_MAX 4096    /* a UKI's .cmdline */
#define LD_DESC_MAX 512

/* How the kernel is handed its inputs. */
enum ld_handoff {
	LD_HANDOFF_LINUX,      /* the Linux boot protocol (x86 boot_params, arm64 device tree) */
	LD_HANDOFF_MULTIBOOT2, /* the Multiboot2 information, i386 entry (boot/multiboot2.h) */
};

/* The machine an image's code runs on; efikexec enters only its own. */
enum ld_machine { LD_MACHINE_NONE, LD_MACHINE_X86_64, LD_MACHINE_AARCH64 };
const char *ld_machine_name(enum ld_machine m);

struct ld_src;
/* Reads exactly len bytes at off into buf. A stream (a decompressed
 * image) reads fastest forwards; reading before its position restarts it. */
typedef rt_status (*ld_read_fn)(struct ld_src *s, uint64_t off, void *buf, uint64_t len);

struct ld_src {
	char name[200];        /* for messages: "\EFI\Linux\a.efi .linux" */
	uint64_t size;
	uint8_t *head;         /* the first head_len bytes (ld_src_head) */
	size_t head_len;
	ld_read_fn read;
	void *ctx;             /* the reader's own */
	/* a slice: [base, base + size) of parent */
	struct ld_src *parent;
	uint64_t base;
	/* a stream's state (boot/decompress.c) */
	void *stream;
};

/* A source that is the bytes [off, off + len) of another. */
void ld_src_slice(struct ld_src *s, struct ld_src *parent, uint64_t off, uint64_t len,
		  const char *fmt, ...) RT_PRINTF(5, 6);
/* A source over a buffer in memory (host tests, tools, the library). */
void ld_src_memory(struct ld_src *s, const void *buf, uint64_t len, const char *name);
/* Reads the head of s into `buf` (LD_HEAD_SIZE bytes of room). */
rt_status ld_src_head(struct ld_src *s, uint8_t *buf);

/* How bytes of the image become memory: [src_off, src_off + filesz) of the
 * kernel's source at load address + mem_off; past filesz up to memsz the
 * kernel needs either zeros (an ELF's bss, checked like data) or only room
 * (`room`: kept free, never loaded or checked - a bzImage's init_size, an
 * arm64 Image's image_size past its file; the kernel clears it itself). */
struct ld_piece {
	uint64_t src_off, filesz, mem_off, memsz;
	bool room;
};

/* Bytes of a wrapper that become an initrd, device tree, ... */
struct ld_blob {
	struct ld_src *src;
	uint64_t off, len;
	const char *what;      /* ".ucode", ".initrd" */
};

/* What a UKI adds: its sections, base and selected profile (boot/uki.h),
 * in the UKI's source - measured and handed on as systemd-stub does. */
struct ld_uki {
	bool is;               /* the image is a UKI */
	struct ld_src *src;
	struct uki_layout l;
	const struct uki_model *m; /* the stub release it is booted as */
	unsigned stub;         /* the release its .sdmagic names; 0: none */
	char stub_info[64];    /* "systemd-stub 252.39-1~deb12u2"; "": none */
};

/*
 * What a loader found: where the kernel may go, how its bytes get there,
 * how it is entered, and what the hand-off must respect. Everything a
 * format knows that the generic boot flow needs; format-specific hand-off
 * data rides along in a union by hand-off (ho: x86's setup header for
 * boot_params, a Multiboot2 header).
 */
struct ld_kernel {
	enum ld_machine machine;
	const char *format;            /* "bzImage", "arm64 Image", "ELF vmlinux" */
	struct ld_src *src;            /* the pieces' bytes */
	struct ld_piece piece[LD_MAX_PIECES];
	unsigned npieces;
	uint64_t memsz;                /* bytes from the load address */
	uint64_t align;
	uint64_t min, max;             /* the load address in [min, max); max 0: any */
	bool fixed;                    /* the load address is min exactly (ELF p_paddr) */
	bool top_down;                 /* placed as high as it may go (Multiboot2 preference high) */
	enum ld_handoff handoff;
	uint64_t load_offset;          /* the kernel sits this far above an
					* `align`-aligned base (arm64 text_offset) */
	uint64_t entry_offset;         /* entry point from the load address */
	uint64_t cmdline_max;          /* longest command line, NUL excluded */
	uint64_t initrd_max;           /* initrd must end below; 0: anywhere */
	uint64_t params_max;           /* hand-off data must end below; 0: any */
	uint64_t initrd_window;        /* not 0: the initrd within this many bytes
					* of the kernel's base rounded down to ... */
	uint64_t initrd_window_align;
	bool takes_dtb;                /* the hand-off is a device tree */
	/* x86: a bzImage whose payload efikexec decompresses and enters at
	 * the vmlinux inside (startup_64), as the kernel's EFI stub does,
	 * rather than at the bzImage's 64-bit entry and its decompressor
	 * (boot/bzimage.c). `why` says which path and why, for the plan. */
	struct {
		bool on;
		uint64_t link;             /* LOAD_PHYSICAL_ADDR: the vmlinux's lowest p_paddr */
		uint64_t reloc_off, reloc_len; /* its relocation table in src; 0: none (no KASLR) */
		char why[200];
	} direct;
	/* the hand-off's own data, by `handoff` */
	union {
		/* LD_HANDOFF_LINUX on x86: the setup header to copy into
		 * boot_params (BZ_HDR_OFFSET up to bz.end), real or made for
		 * an ELF vmlinux */
		struct {
			uint8_t hdr[0x400];
			uint32_t end;
		} bz;
		struct mb2_header mb2; /* LD_HANDOFF_MULTIBOOT2: its header */
	} ho;
	/* from wrappers (a UKI) */
	struct ld_blob initrd[LD_MAX_INITRDS];
	unsigned ninitrd;
	char cmdline[LD_CMDLINE_MAX];  /* a UKI's .cmdline, trailing space cut */
	bool has_cmdline;
	struct ld_blob dtb;            /* len 0: none */
	char osrel[96], uname[96];     /* PRETTY_NAME of .osrel, .uname */
	char version[96];              /* the kernel's own version string, if any */
	char desc[LD_DESC_MAX];        /* "UKI (.linux: bzImage 6.1.0 ..., .initrd 12 MiB)" */
	struct ld_uki uki;
};

/* The loader table walks images with this: the sources of each level and
 * their heads, the result. One per image being loaded (a boot's kernel, a
 * capture kernel). Large (the heads): keep it static or in pool. */
struct ld_ctx {
	enum ld_machine machine;       /* what this efikexec enters */
	struct ld_src src[LD_MAX_DEPTH];
	uint8_t head[LD_MAX_DEPTH][LD_HEAD_SIZE];
	unsigned depth;                /* sources in use after src[0] */
	unsigned profile;              /* a UKI's profile to load ("@N"); 0: the first */
	bool direct_entry;             /* x86: a bzImage decompressed by efikexec, entered at its vmlinux */
	struct ld_kernel k;
};

struct ld_loader {
	const char *name;
	/* true: the image is this format. Else writes what it found instead
	 * into why (for the one error that names every loader's finding). */
	bool (*probe)(const struct ld_src *s, char *why, size_t whylen);
	/* fills c->k; a wrapper calls ld_load_inner on what it holds */
	rt_status (*load)(struct ld_ctx *c, struct ld_src *s);
};

extern const struct ld_loader *const ld_loaders[];

/*
 * Loads the image in `file` (its name, size and read set, head not yet
 * read): the first loader whose probe accepts it fills c->k. An image no
 * loader accepts is RT_ENOEXEC with one message naming what each found;
 * an image for the other architecture is RT_ENOTSUP.
 */
rt_status ld_load(struct ld_ctx *c, struct ld_src *file);
/* For wrappers: a source for what they hold (its head is read here). */
struct ld_src *ld_new_src(struct ld_ctx *c);
rt_status ld_load_inner(struct ld_ctx *c, struct ld_src *inner);
/* Appends to c->k.desc (for wrappers: "UKI (.linux: " ... ")"). */
void ld_desc(struct ld_ctx *c, const char *fmt, ...) RT_PRINTF(2, 3);

/* Little-endian reads from a byte buffer. */
static inline uint16_t ld_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t ld_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ld_rd64(const uint8_t *p)
{
	return ld_rd32(p) | (uint64_t)ld_rd32(p + 4) << 32;
}

/* The loaders, in the table's order (boot/loader.c): */
extern const struct ld_loader ld_bzimage;   /* boot/bzimage.c */
extern const struct ld_loader ld_arm64;     /* boot/arm64.c */
extern const struct ld_loader ld_zboot;     /* boot/zboot.c */
extern const struct ld_loader ld_uki;       /* boot/uki.c */
extern const struct ld_loader ld_gzip;      /* boot/zboot.c */
extern const struct ld_loader ld_multiboot2; /* boot/multiboot2.c */
extern const struct ld_loader ld_elf;       /* boot/elf.c */

#endif
