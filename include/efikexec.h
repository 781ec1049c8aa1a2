/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efikexec.h - load a Linux kernel the kexec way and enter it from UEFI
 * firmware, as a stage of another EFI program.
 *
 * The one public header of libefikexec.a (build/<arch>/libefikexec.a). It
 * needs only the compiler's freestanding headers and takes firmware objects
 * as `void *`, so GNU-EFI, EDK II and hand-rolled programs use it alike; it
 * compiles as C11 and as C++.
 *
 *   efikexec_init(image, system_table);
 *   struct efikexec *r;
 *   efikexec_request_new(&r);
 *   struct efikexec_input k = EFIKEXEC_INPUT_BUFFER(kbuf, ksize, "vmlinuz");
 *   efikexec_add_kernel(r, &k);
 *   struct efikexec_input i = EFIKEXEC_INPUT_FILE(NULL, "\\initrd.img");
 *   efikexec_add_initrd(r, &i);
 *   efikexec_set_cmdline(r, "console=ttyS0 root=/dev/vda1");
 *   efikexec_plan(r);                  (optional: inspect, print)
 *   st = efikexec_boot(r);             (returns only on failure)
 *   efikexec_release(r);
 *
 * Every call returns an EFI_STATUS (efikexec_status). Every failure logs a
 * line naming what was wrong - the file, the value, the limit - through the
 * log callback, and efikexec_last_error() returns that line afterwards.
 *
 * What the caller must and must not do:
 *  - Call efikexec_init first, with boot services up, at a TPL of at most
 *    TPL_CALLBACK. Calls are not reentrant: one thread, no event handlers.
 *  - One request is live at a time (the plan is large and kept in the
 *    library); release it before creating the next.
 *  - Buffers given with EFIKEXEC_INPUT_BUFFER stay the caller's: efikexec
 *    only reads them, and they must stay valid and unchanged until the
 *    request is released or efikexec_boot returned. Strings (paths,
 *    command lines) are copied when given.
 *  - A kernel buffer given with EFIKEXEC_INPUT_HANDOVER becomes efikexec's:
 *    it must be whole pages from AllocatePages (EfiLoaderData), buf at the
 *    first page, and the caller never touches or frees it again (efikexec
 *    frees it on release, or it is the kernel's memory after a boot). When
 *    the kernel can run where it already lies - its code at its alignment:
 *    an arm64 Image in a 2 MiB aligned buffer, a bzImage whose code at
 *    (setup_sects + 1) * 512 into the file falls on a 2 MiB boundary - those
 *    pages become its destination and it is not copied at all: the plan
 *    shows segment 0 "in place" at that address. The memory the kernel
 *    needs past its file must be free RAM: allocate as much as it needs
 *    and give back what follows the file. Otherwise (a compressed kernel,
 *    another alignment, no room after it) it is read from the buffer like
 *    any other, and an info line says why.
 *  - Between efikexec_boot and the kernel nothing else may call the
 *    firmware: efikexec leaves boot services itself. After a successful
 *    boot there is nothing to return to; on a failure before
 *    ExitBootServices everything efikexec took is given back and the
 *    firmware's memory is as it was before efikexec_request_new (but for
 *    what the firmware keeps in its own pool caches).
 *  - The log callback may be called during any efikexec call, never after
 *    ExitBootServices (efikexec then writes to the serial port itself).
 *  - Under Secure Boot (SecureBoot 1, SetupMode 0) efikexec_plan verifies
 *    the kernel and the capture kernel (shim's SHIM_LOCK when shim is
 *    there, else the firmware's db and dbx) and fails with
 *    EFIKEXEC_SECURITY_VIOLATION, the reason logged, for an image that
 *    does not pass or cannot be signed; a file is read whole first and
 *    booted from exactly those bytes, a caller's buffer is verified where
 *    it is (it must not change afterwards, as above). A device tree then
 *    is refused, and a UKI's own .cmdline wins over efikexec_set_cmdline.
 *  - With a TPM 2.0 (EFI_TCG2_PROTOCOL) efikexec_boot measures the kernel,
 *    initrds and command line as the kernel's EFI stub does and hands the
 *    event log on (libefikexec(3), efikexec(1): "Secure Boot and the TPM").
 */
#ifndef EFIKEXEC_H
#define EFIKEXEC_H

#include <stddef.h>
#include <stdint.h>

#define EFIKEXEC_VERSION_MAJOR 0
#define EFIKEXEC_VERSION_MINOR 2
#define EFIKEXEC_VERSION_PATCH 0
/* compare with `#if EFIKEXEC_VERSION_NUMBER >= EFIKEXEC_VERSION_AT(0, 2, 0)` */
#define EFIKEXEC_VERSION_AT(a, b, c) (((a) << 16) | ((b) << 8) | (c))
#define EFIKEXEC_VERSION_NUMBER \
	EFIKEXEC_VERSION_AT(EFIKEXEC_VERSION_MAJOR, EFIKEXEC_VERSION_MINOR, EFIKEXEC_VERSION_PATCH)

/* The calling convention of every function here, and of the log callback:
 * the System V one on x86_64, whatever the caller's default (EDK II builds
 * with the Microsoft one), the AAPCS64 on aarch64. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define EFIKEXEC_API __attribute__((sysv_abi))
#else
#define EFIKEXEC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* An EFI_STATUS: 0 is success, errors have the top bit set (UEFI 2.10,
 * Appendix D). The values efikexec returns: */
typedef uint64_t efikexec_status;
#define EFIKEXEC_SUCCESS 0u
#define EFIKEXEC_ERROR(n) ((efikexec_status)(0x8000000000000000ull | (n)))
#define EFIKEXEC_LOAD_ERROR EFIKEXEC_ERROR(1)        /* the image cannot be loaded */
#define EFIKEXEC_INVALID_PARAMETER EFIKEXEC_ERROR(2) /* NULL, a bad value, a bad image */
#define EFIKEXEC_UNSUPPORTED EFIKEXEC_ERROR(3)       /* a format or feature not supported */
#define EFIKEXEC_BAD_BUFFER_SIZE EFIKEXEC_ERROR(4)   /* a size over a limit, or too short */
#define EFIKEXEC_BUFFER_TOO_SMALL EFIKEXEC_ERROR(5)
#define EFIKEXEC_NOT_READY EFIKEXEC_ERROR(6)         /* a step missing (no kernel added) */
#define EFIKEXEC_OUT_OF_RESOURCES EFIKEXEC_ERROR(9)
#define EFIKEXEC_NOT_FOUND EFIKEXEC_ERROR(14)
#define EFIKEXEC_END_OF_FILE EFIKEXEC_ERROR(31)      /* a file shorter than it said */
#define EFIKEXEC_ACCESS_DENIED EFIKEXEC_ERROR(15)    /* the request is in the wrong state */
#define EFIKEXEC_ALREADY_STARTED EFIKEXEC_ERROR(20)  /* boot called twice, a request live */
#define EFIKEXEC_SECURITY_VIOLATION EFIKEXEC_ERROR(26) /* Secure Boot refused an image */
#define EFIKEXEC_COMPROMISED_DATA EFIKEXEC_ERROR(33) /* a URL's bytes are not the #sha256= pinned */
/* Over the network (efikexec_fetch, URL inputs) the firmware's own
 * statuses come back as well: EFIKEXEC_NO_MAPPING (no address from DHCP),
 * EFIKEXEC_TIMEOUT, EFI_TFTP_ERROR (23), EFI_CONNECTION_RESET (105), ... */
#define EFIKEXEC_NO_MAPPING EFIKEXEC_ERROR(17)
#define EFIKEXEC_TIMEOUT EFIKEXEC_ERROR(18)

/* --- the library ------------------------------------------------------------------ */

/* Keeps the firmware's objects: image_handle is the EFI_HANDLE of the
 * program calling (its loaded image's device is the default volume),
 * system_table its EFI_SYSTEM_TABLE *. Call it first; again is harmless. */
efikexec_status EFIKEXEC_API efikexec_init(void *image_handle, void *system_table);

enum efikexec_log_level {
	EFIKEXEC_LOG_ERROR = 0,
	EFIKEXEC_LOG_WARN = 1,
	EFIKEXEC_LOG_NOTICE = 2, /* one line per boot: what, from where, how long its load took */
	EFIKEXEC_LOG_INFO = 3,   /* the plan and each step (efikexec -v, --dry-run) */
	EFIKEXEC_LOG_DEBUG = 4,
};
/* One log line: its level, the subsystem ("file", "image", "plan", ...)
 * and the text without a trailing newline. */
typedef void(EFIKEXEC_API *efikexec_log_fn)(void *ctx, int level, const char *subsystem,
					    const char *message);
/* Where log lines go: fn (NULL: the firmware console and the serial port,
 * as "efikexec: LEVEL: SUBSYSTEM: TEXT"), for lines of at most max_level. */
void EFIKEXEC_API efikexec_set_log(efikexec_log_fn fn, void *ctx, int max_level);
/* One line through efikexec's log (the callback, or the console), as
 * efikexec's own lines go; and plain text on the firmware console and the
 * serial port ("\n" becomes "\r\n"), whatever the callback. */
void EFIKEXEC_API efikexec_log(int level, const char *subsystem, const char *message);
void EFIKEXEC_API efikexec_print(const char *text);
/* The last error line ("SUBSYSTEM: TEXT"), "" when none. Valid until the
 * next efikexec call. */
const char *EFIKEXEC_API efikexec_last_error(void);
/* The status's name, as the UEFI specification spells it. */
const char *EFIKEXEC_API efikexec_status_name(efikexec_status st);
/* "0.2.0" */
const char *EFIKEXEC_API efikexec_version(void);

/* --- a request ---------------------------------------------------------------------- */

struct efikexec; /* opaque */

/* One input: a file on a volume, or bytes in memory. struct_size is
 * sizeof(struct efikexec_input) as the caller knows it. */
struct efikexec_input {
	uint32_t struct_size;
	uint32_t flags;     /* EFIKEXEC_INPUT_* */
	const char *path;   /* a file: its path (\ or /); a buffer: its name in messages */
	void *volume;       /* a file: an EFI_SIMPLE_FILE_SYSTEM_PROTOCOL handle;
			     * NULL: the volume the calling image was loaded from,
			     * relative paths from that image's folder */
	const void *buf;    /* non-NULL: the bytes are here, buf_size of them */
	uint64_t buf_size;
};
#define EFIKEXEC_INPUT_HANDOVER 1u /* buf is whole pages the caller gives away (above) */
/* path is a URL, fetched through the firmware's network stack (volume
 * unused): http://HOST[:PORT]/PATH, https://... (the firmware's TLS, which
 * needs its CA list, the TlsCaCertificate variable) or tftp://IPV4/PATH
 * (the PXE base code). A URL may end in #sha256= and 64 hex digits: the
 * bytes are checked against it once they have all arrived, before any of
 * them is measured or entered, and a mismatch fails the boot naming the
 * URL and both digests (EFI_COMPROMISED_DATA). A path that starts with one of these schemes is a
 * URL even without the flag (a FAT name cannot hold ':'). A URL is at most
 * 1023 bytes, a path 255. */
#define EFIKEXEC_INPUT_NET 2u
#define EFIKEXEC_INPUT_FILE(volume, path) \
	{ (uint32_t)sizeof(struct efikexec_input), 0u, (path), (volume), NULL, 0u }
#define EFIKEXEC_INPUT_URL(url) \
	{ (uint32_t)sizeof(struct efikexec_input), EFIKEXEC_INPUT_NET, (url), NULL, NULL, 0u }
#define EFIKEXEC_INPUT_BUFFER(buf, size, name) \
	{ (uint32_t)sizeof(struct efikexec_input), 0u, (name), NULL, (buf), (size) }

#define EFIKEXEC_MAX_INITRDS 16     /* initrds a request takes (an image's own apart) */
#define EFIKEXEC_MAX_CMDLINE 4095   /* bytes; the kernel's own limit may be lower */

efikexec_status EFIKEXEC_API efikexec_request_new(struct efikexec **out);
/* The kernel: any format efikexec knows (bzImage, arm64 Image, EFI zboot,
 * UKI, gzip'd Image, ELF vmlinux, Multiboot2 payloads such as Xen's
 * xen.gz on x86_64); once per request. */
efikexec_status EFIKEXEC_API efikexec_add_kernel(struct efikexec *r, const struct efikexec_input *in);
/* An initrd; several are joined in order (each at a 4-byte boundary) after
 * what the image carries itself (a UKI's .ucode and .initrd). */
efikexec_status EFIKEXEC_API efikexec_add_initrd(struct efikexec *r, const struct efikexec_input *in);
/* A module of a Multiboot2 kernel on x86_64, or of an arm64 Image that
 * takes modules from the device tree (Xen: the dom0 kernel first, then its
 * initrd), with its own command line (NULL: none). Modules load in order,
 * each at a page of its own (on x86_64 below 4 GiB). A Multiboot2 payload
 * gets "PATH CMDLINE" as the module's string, the path first as
 * kexec-tools gives it (for a buffer, its name); the device tree gets
 * CMDLINE as the module node's bootargs. A request has modules or initrds,
 * not both; at most EFIKEXEC_MAX_INITRDS, each command line at most
 * EFIKEXEC_MAX_CMDLINE. */
efikexec_status EFIKEXEC_API efikexec_add_module(struct efikexec *r, const struct efikexec_input *in,
						 const char *cmdline);
/* The kernel's command line (copied); NULL: the image's own (a UKI's
 * .cmdline), else none. */
efikexec_status EFIKEXEC_API efikexec_set_cmdline(struct efikexec *r, const char *cmdline);
/* A flattened device tree to start from (arm64); without one, a UKI's
 * .dtb, else the firmware's, else an empty one (ACPI). */
efikexec_status EFIKEXEC_API efikexec_set_dtb(struct efikexec *r, const struct efikexec_input *in);
/* How purgatory checks every segment before the jump: EFIKEXEC_VERIFY_ON
 * (the default) with XXH64 digests - a check against accidental
 * corruption between loading and entry, taken as the bytes are loaded;
 * EFIKEXEC_VERIFY_SHA256 with SHA-256, as the kernel's kexec does;
 * EFIKEXEC_VERIFY_OFF not at all. Secure Boot's and the TPM's digests are
 * the firmware's and shim's either way. */
#define EFIKEXEC_VERIFY_OFF 0
#define EFIKEXEC_VERIFY_ON 1
#define EFIKEXEC_VERIFY_SHA256 2
efikexec_status EFIKEXEC_API efikexec_set_verify(struct efikexec *r, int verify);
/* How an x86 bzImage is entered: EFIKEXEC_ENTRY_LEGACY (the default) at
 * its 64-bit entry, through its own decompressor; EFIKEXEC_ENTRY_DIRECT as
 * the kernel's EFI stub enters it - its payload decompressed by efikexec,
 * relocated by a KASLR offset from EFI_RNG_PROTOCOL, entered at the
 * vmlinux's startup_64 - when it can (the plan says why not). Other
 * kernels: no difference. */
#define EFIKEXEC_ENTRY_LEGACY 0
#define EFIKEXEC_ENTRY_DIRECT 1
efikexec_status EFIKEXEC_API efikexec_set_entry(struct efikexec *r, int entry);
/* Physical range every segment stays within; 0: no limit. */
efikexec_status EFIKEXEC_API efikexec_set_mem_range(struct efikexec *r, uint64_t min, uint64_t max);

/* Crash capture: a capture kernel loaded now into a region reserved from
 * the booted kernel; after that kernel crashed, the next efikexec_boot (of
 * any request, on the next start) enters it with an ELF core header of the
 * crashed system. */
struct efikexec_capture {
	uint32_t struct_size;
	uint32_t ninitrd;
	struct efikexec_input kernel;          /* a bzImage or an arm64 Image */
	const struct efikexec_input *initrd;   /* ninitrd of them */
	const char *cmdline;                   /* copied; elfcorehdr= is added */
	uint64_t size;                         /* the region: a multiple of 4 KiB */
	uint64_t addr;                         /* its base; 0: efikexec picks */
};
efikexec_status EFIKEXEC_API efikexec_set_capture(struct efikexec *r, const struct efikexec_capture *c);

/* Test builds only (EFIKEXEC_UNSUPPORTED otherwise): occupy every
 * destination first (everything staged), flip a byte of checked region
 * `corrupt` after its digest (-1: none), or of the capture region; keep
 * nothing a URL's reads skip, so an out-of-order read fetches it again. */
#define EFIKEXEC_TEST_OCCUPY 1u
#define EFIKEXEC_TEST_CORRUPT_CAPTURE 2u
#define EFIKEXEC_TEST_NET_KEEP_NOTHING 4u
efikexec_status EFIKEXEC_API efikexec_set_test(struct efikexec *r, uint32_t flags, int corrupt);
/* Test builds only: the nth firmware call from now on of the kinds a boot
 * makes (AllocatePages, AllocatePool, GetMemoryMap, LocateProtocol,
 * SetVariable, file Open and Read) fails (0: none); *counted (when not
 * NULL) gets how many such calls were made since the previous call. */
efikexec_status EFIKEXEC_API efikexec_test_fail_call(uint32_t n, uint32_t *counted);
/* Test builds only: pages and pool blocks efikexec holds of the firmware
 * now (allocated, not yet freed), counted since efikexec_init. */
efikexec_status EFIKEXEC_API efikexec_test_held(int64_t *pages, int64_t *pool);

/* --- the plan, as data --------------------------------------------------------------- */

/* Reads the inputs' headers, places every segment and plans the kimage:
 * pages are claimed, nothing of the kernel is loaded. Idempotent; inputs
 * cannot change after it. With a capture kernel set, its region is
 * reserved and the capture kernel read into it now (the main kernel's
 * places keep clear of it); the arming itself (a variable) is written only
 * by efikexec_boot, just before the exit. On failure everything is given
 * back and the request can be changed and planned again. */
efikexec_status EFIKEXEC_API efikexec_plan(struct efikexec *r);

enum efikexec_role {
	EFIKEXEC_SEG_KERNEL = 0,    /* the kernel's bytes */
	EFIKEXEC_SEG_ROOM = 1,      /* room the kernel needs past them: kept free, not loaded */
	EFIKEXEC_SEG_INITRD = 2,    /* every initrd joined */
	EFIKEXEC_SEG_PARAMS = 3,    /* boot_params / the device tree, built at the exit */
	EFIKEXEC_SEG_COREHDR = 4,   /* a capture boot's ELF core header */
	EFIKEXEC_SEG_PURGATORY = 5, /* the digest check and the jump */
};
struct efikexec_plan {
	uint32_t struct_size;
	uint32_t nsegments;
	uint64_t entry;             /* the kernel's entry, physical */
	uint64_t purgatory_entry;
	uint64_t control_page, control_pages;
	uint64_t entries, indirection_pages; /* the kimage entry list */
	uint64_t bytes_loaded;      /* every segment's bytes */
	uint64_t bytes_copied;      /* what relocation copies (staged pages) */
	uint32_t copied_per_loaded_milli; /* bytes_copied * 1000 / bytes_loaded */
	uint32_t verify;            /* EFIKEXEC_VERIFY_* */
	char image[160];            /* the kernel and how its format was read */
};
struct efikexec_segment {
	uint32_t struct_size;
	uint32_t role;              /* enum efikexec_role */
	uint64_t mem, memsz;        /* the destination */
	uint64_t bufsz;             /* bytes loaded into it (the rest is zero) */
	uint64_t pages, pages_staged; /* staged pages are copied after the exit */
	uint32_t in_place;          /* 1: every page loaded at its destination */
	uint32_t scratch;           /* 1: room only, not loaded or checked */
	char source[160];           /* "FILE+OFFSET", the initrds, "efikexec (...)" */
};
efikexec_status EFIKEXEC_API efikexec_plan_get(struct efikexec *r, struct efikexec_plan *out);
efikexec_status EFIKEXEC_API efikexec_plan_segment(struct efikexec *r, uint32_t index,
						   struct efikexec_segment *out);
/* The plan as log lines ("plan: segment 0 kernel [...]"), as
 * `efikexec.efi --dry-run` prints it. */
efikexec_status EFIKEXEC_API efikexec_plan_print(struct efikexec *r);

/* --- boot, release --------------------------------------------------------------------- */

/* Plans (when not done), arms the capture region (when asked), loads,
 * leaves boot services and enters the kernel: never returns on success.
 * A capture kernel armed by an earlier boot is entered first when that
 * boot's kernel crashed. On a failure before ExitBootServices everything is
 * released, the status returned; the request can then only be released. */
efikexec_status EFIKEXEC_API efikexec_boot(struct efikexec *r);
/* Gives back everything the request holds. Releasing twice is an error
 * (EFIKEXEC_INVALID_PARAMETER), not a crash, until the next request_new. */
efikexec_status EFIKEXEC_API efikexec_release(struct efikexec *r);

/* --- crash capture's state, tools -------------------------------------------------------- */

struct efikexec_capture_state {
	uint32_t struct_size;
	uint32_t armed;             /* a region is armed */
	uint64_t base, end;         /* the armed region */
	uint64_t armed_at;          /* seconds since 1970 */
	uint32_t checked;           /* the region is RAM in this boot and was checked */
	uint32_t intact;            /* checked, and every digest matches */
	uint32_t crashed;           /* a crash record is newer than the arming */
	uint32_t reserved;
	char kernel[256];           /* the capture kernel's path (when intact) */
	char record[80];            /* the newest crash record; "" when none */
	char why[160];              /* checked, not intact: what differs */
};
efikexec_status EFIKEXEC_API efikexec_capture_status(struct efikexec_capture_state *out);
/* Forgets the armed region; EFIKEXEC_NOT_FOUND when none was armed
 * (*base and *end, when not NULL, get the region). */
efikexec_status EFIKEXEC_API efikexec_capture_disarm(uint64_t *base, uint64_t *end);

/* The firmware's memory map as the planner sees it, as log lines
 * ("memmap [START, END) TYPE SIZE"), and what planning keeps clear of:
 * what `efikexec-plan --memmap=FILE` reads. */
efikexec_status EFIKEXEC_API efikexec_print_memmap(void);
/* Reads a file whole and gives its SHA-256 and size. */
efikexec_status EFIKEXEC_API efikexec_file_sha256(void *volume, const char *path,
						  uint8_t digest[32], uint64_t *size);
/* --- files on a volume ----------------------------------------------------------------- */

/* Reading, listing and renaming files through the library, so that an
 * application needs no file layer of its own (efikexec.efi's boot stage
 * uses only these). volume and path as in struct efikexec_input: an
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL handle, NULL for the calling image's own
 * volume (relative paths from its folder); either slash separates. A
 * missing file or folder is an answer, EFIKEXEC_NOT_FOUND, and is said
 * nowhere; every other failure names the path and the cause
 * (efikexec_last_error()). URLs are not files here: see efikexec_fetch. */
#define EFIKEXEC_FILE_REGULAR 1u
#define EFIKEXEC_FILE_FOLDER 2u
struct efikexec_file_info {
	uint32_t struct_size;
	uint32_t kind;              /* EFIKEXEC_FILE_* */
	uint64_t size;              /* bytes; 0 for a folder */
};
efikexec_status EFIKEXEC_API efikexec_file_info(void *volume, const char *path, struct efikexec_file_info *out);
/* A whole file of at most max bytes into pool memory, with a NUL after its
 * last byte (text files read as strings); free it with efikexec_file_free.
 * A larger file is EFIKEXEC_BAD_BUFFER_SIZE, naming its size and max. */
efikexec_status EFIKEXEC_API efikexec_file_load(void *volume, const char *path, uint64_t max, void **buf,
						uint64_t *size);
efikexec_status EFIKEXEC_API efikexec_file_free(void *buf);
/* A file kept open for reads at offsets: *size gets its length. A read
 * gives exactly len bytes or fails (a short read is EFIKEXEC_END_OF_FILE). */
struct efikexec_file; /* opaque */
efikexec_status EFIKEXEC_API efikexec_file_open(void *volume, const char *path, struct efikexec_file **out,
						uint64_t *size);
efikexec_status EFIKEXEC_API efikexec_file_read(struct efikexec_file *f, uint64_t off, void *buf, uint64_t len);
efikexec_status EFIKEXEC_API efikexec_file_close(struct efikexec_file *f);
/* Calls fn for every file in a folder (sub-folders are left out), in the
 * file system's order: the folder as resolved ("\loader\entries"), the
 * file's name in UTF-8 and its size. */
typedef void(EFIKEXEC_API *efikexec_folder_fn)(void *ctx, const char *folder, const char *name, uint64_t size);
efikexec_status EFIKEXEC_API efikexec_folder_list(void *volume, const char *folder, efikexec_folder_fn fn,
						  void *ctx);
/* Gives the file at path the name new_name in the same folder, and flushes
 * the change to the disk before it returns. */
efikexec_status EFIKEXEC_API efikexec_file_rename(void *volume, const char *path, const char *new_name);

/* The network as efikexec sees it: whether the firmware has an HTTP stack
 * and a PXE base code (asking may start the NICs' drivers),
 * and the URL efikexec itself was loaded from when the firmware booted it
 * over the network (HTTP boot: its device path's Uri(); PXE: tftp://SERVER/
 * BOOTFILE from the DHCP answer), with that NIC's MAC address. */
struct efikexec_net {
	uint32_t struct_size;
	uint32_t flags;             /* EFIKEXEC_NET_* */
	char origin[1024];          /* "" when not loaded over the network */
	uint8_t mac[32];
	uint32_t mac_len;           /* 0: unknown */
};
#define EFIKEXEC_NET_HTTP 1u        /* some NIC has the firmware's HTTP service */
#define EFIKEXEC_NET_BOOTED 2u      /* origin is set */
#define EFIKEXEC_NET_PXE 4u         /* some IPv4 NIC has a PXE base code (tftp://) */
efikexec_status EFIKEXEC_API efikexec_net_info(struct efikexec_net *out);
/* Fetches a URL whole (as EFIKEXEC_INPUT_URL says) into pages of
 * EfiLoaderData, at most max bytes; a #sha256= pin is checked. Free with
 * efikexec_fetch_free. EFIKEXEC_NOT_FOUND for HTTP 404 and a missing TFTP
 * file; every failure names the URL and the cause. */
efikexec_status EFIKEXEC_API efikexec_fetch(const char *url, uint64_t max, void **buf, uint64_t *size);
efikexec_status EFIKEXEC_API efikexec_fetch_free(void *buf, uint64_t size);
/* Gives the firmware's TLS the CA certificates in data (size bytes: a DER
 * X.509 certificate, or PEM "CERTIFICATE" blocks; name says where they came
 * from, for messages): added to the volatile TlsCaCertificate variable that
 * EDK II's HTTPS checks servers against, created when the firmware has
 * none. For the rest of this boot's HTTPS requests, efikexec's and the
 * firmware's own. It trusts whoever could write data: see
 * efikexec.conf(5), tls-ca. At most 64 certificates. */
efikexec_status EFIKEXEC_API efikexec_tls_ca_add(const void *data, uint64_t size, const char *name);
/* The kimage model against this firmware's allocator: plans, loads and
 * relocates a test image into memory efikexec owns, then frees it. */
efikexec_status EFIKEXEC_API efikexec_selftest(void);

/* --- plain helpers: no firmware, callable before efikexec_init -------------------- */

/* A section of a PE image - a UKI's .linux, .osrel, .cmdline - found from
 * the file's first `len` bytes (its headers and section table: 8 KiB holds
 * them for every image efikexec boots). *offset and *size: where the
 * section's bytes are in the file. EFIKEXEC_NOT_FOUND when the image has
 * no section of that name, EFIKEXEC_LOAD_ERROR when `head` is not a PE
 * image (efikexec_last_error() says why), EFIKEXEC_INVALID_PARAMETER for
 * NULL arguments. */
efikexec_status EFIKEXEC_API efikexec_pe_section(const void *head, size_t len, const char *name,
						 uint64_t *offset, uint64_t *size);
/* A section of a UKI's profile as systemd-stub picks it (UAPI.5
 * multi-profile UKIs): profile `profile`'s own section of that name, else
 * the base's (the sections before the first .profile). Profile 0 of a UKI
 * without .profile sections is its base. EFIKEXEC_NOT_FOUND when the UKI
 * has no such profile or section ("no profile" and "no section" both: ask
 * for ".profile" to learn whether profile N exists), EFIKEXEC_LOAD_ERROR
 * and EFIKEXEC_INVALID_PARAMETER as efikexec_pe_section. The section's
 * bytes in the file: *size of them (its VirtualSize, at most its raw
 * size) at *offset. */
efikexec_status EFIKEXEC_API efikexec_uki_section(const void *head, size_t len, uint32_t profile,
						  const char *name, uint64_t *offset, uint64_t *size);
/* The CPU's free-running counter (x86_64: the TSC; aarch64: CNTVCT_EL0),
 * for timestamps such as the Boot Loader Interface's LoaderTime*USec. */
uint64_t EFIKEXEC_API efikexec_counter(void);
/* A counter value as microseconds since the counter started, as systemd-boot
 * takes its timestamps (src/boot/ticks.c). The frequency is the CPU's own
 * word where it gives one, else measured once across a 1 ms firmware stall
 * (which needs efikexec_init first); 0 when it cannot be known. */
uint64_t EFIKEXEC_API efikexec_counter_usec(uint64_t ticks);

#ifdef __cplusplus
}
#endif

#endif
