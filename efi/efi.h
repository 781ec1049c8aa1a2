/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efi.h - what the application's firmware-facing files share.
 *
 * Every firmware call in efikexec goes through the tables kept here, so a
 * reader finds them all with one grep (efi_bs->, efi_rs->, efi_st->). GNU-EFI
 * is used for its headers, its crt0 and its self-relocation only; libefi is
 * not linked, so no second runtime competes with lib/ for memcpy and friends.
 * On x86_64 the build defines GNU_EFI_USE_MS_ABI, so the firmware's function
 * pointers carry the Microsoft calling convention and are called directly.
 */
#ifndef EFIKEXEC_EFI_H
#define EFIKEXEC_EFI_H

#include <efi.h>
#include <efiapi.h>

#include "../lib/rt.h"
#include "../lib/path.h"

extern EFI_HANDLE efi_image;
extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;
extern EFI_RUNTIME_SERVICES *efi_rs;
extern EFI_LOADED_IMAGE *efi_loaded_image;

/* faults.c, test builds: the Nth firmware call of the kinds a boot makes
 * (AllocatePages, AllocatePool, GetMemoryMap, LocateProtocol, SetVariable,
 * file Open and Read) fails. efi_faults_install puts the counting tables
 * in front of the firmware's; efi_fault is asked before each file call. */
#ifdef EFIKEXEC_TEST_HOOKS
void efi_faults_install(void);
bool efi_fault(const char *call);
void efi_faults_set(uint32_t n);
uint32_t efi_faults_counted(void);
/* The failing call was made (and survived, when asked at the exit). */
bool efi_faults_hit(void);
/* Pages and pool blocks efikexec holds now (allocated, not freed). */
void efi_faults_held(int64_t *pages, int64_t *pool);
/* n pool blocks a firmware service allocated for efikexec to free
 * (an HTTP answer's headers) */
void efi_faults_adopted(int64_t n);
#else
static inline void efi_faults_adopted(int64_t n) {}
static inline void efi_faults_install(void) {}
static inline bool efi_fault(const char *call) { return false; }
#endif

/* status.c: EFI_STATUS in words, and the one rt_status -> EFI_STATUS map. */
const char *efi_status_name(EFI_STATUS st);
EFI_STATUS efi_status_from_rt(rt_status st);

/* console.c: the log sink (console, and the serial port when the console
 * does not already reach it) and plain output for --help and friends. */
void efi_console_init(void);
/* The default log sink: "efikexec: LEVEL: SUBSYSTEM: TEXT" on both. */
void efi_console_sink(enum rt_log_level level, const char *subsys, const char *line);
void efi_print(const char *fmt, ...) RT_PRINTF(1, 2);
void efi_puts(const char *s); /* any length */

/* Logs an error naming the EFI status and returns it:
 * `return efi_fail(st, "file", "%s: cannot open", path);` */
EFI_STATUS efi_fail(EFI_STATUS st, const char *subsys, const char *fmt, ...)
	RT_PRINTF(3, 4);

#include "../boot/plan.h"

/* A file on a volume (file.c) or by URL (net.c); handle is the firmware's. */
struct efi_file {
	void *handle;
	void *net;             /* a URL's transfer (efi/net.c); NULL: a file */
	char path[1024];       /* normalised, as shown in messages (URL_MAX) */
	uint64_t size;
	bool folder;           /* opened with EFI_OPEN_FOLDER and is one */
};
/* A plan's open inputs (boot_plan's files; efi/kexec.c). */
struct efi_files {
	struct efi_file kernel;
	struct efi_file initrd[BOOT_MAX_INITRD_FILES];
};

/* file.c: files on the volume efikexec was loaded from (struct efi_file
 * in boot/plan.h; its handle is an EFI_FILE_HANDLE). */

/*
 * Opens PATH for reading. An absolute path (leading \ or /) starts at the
 * volume's root; a relative one at the folder efikexec.efi was loaded from.
 * Either slash separates; "." and ".." are resolved.
 */
EFI_STATUS efi_file_open(const char *path, struct efi_file *f);
/* The same on another volume (an EFI_SIMPLE_FILE_SYSTEM_PROTOCOL handle;
 * NULL: efikexec's own), relative paths from its root. */
EFI_STATUS efi_file_open_on(void *volume, const char *path, struct efi_file *f);
/* The same, how: EFI_OPEN_QUIET (a missing file is EFI_NOT_FOUND, not
 * said), EFI_OPEN_WRITE (opened for writing too), EFI_OPEN_FOLDER (a
 * folder may be opened; f->folder says it is one). */
#define EFI_OPEN_QUIET 1u
#define EFI_OPEN_WRITE 2u
#define EFI_OPEN_FOLDER 4u
EFI_STATUS efi_file_open_how(void *volume, const char *path, unsigned how, struct efi_file *f);
/* Renames the file at path to name in the same folder, and flushes it. */
EFI_STATUS efi_file_rename(void *volume, const char *path, const char *name);
/* PATH as efi_file_open_on resolves it ("\EFI\Linux\a.efi"). */
EFI_STATUS efi_file_path(void *volume, const char *path, char *out, size_t size);
/* Calls fn for every file (not folder) in folder DIR on a volume: its
 * name in UTF-8 and its size. EFI_NOT_FOUND (said nowhere) when DIR does
 * not exist; a folder that cannot be read is an error, said. */
typedef void (*efi_dir_fn)(void *ctx, const char *dir, const char *name, uint64_t size);
EFI_STATUS efi_dir_each(void *volume, const char *dir, efi_dir_fn fn, void *ctx);
/* Reads exactly `len` bytes from offset `off`; a short read is an error. */
EFI_STATUS efi_file_read(struct efi_file *f, uint64_t off, void *buf, uint64_t len);
void efi_file_close(struct efi_file *f);
/*
 * Reads a whole file into pages allocated as EfiLoaderData. Fails, naming
 * the path, the size and the limit, when the file is larger than max_size.
 */
EFI_STATUS efi_file_load(void *volume, const char *path, uint64_t max_size, void **buf, uint64_t *size);
void efi_file_unload(void *buf, uint64_t size);
/* The open file f as a loader-table source (boot/loader.h). */
void efi_file_src(struct efi_file *f, struct ld_src *s);

/* memmap.c: the firmware's memory map, raw and as lib/'s model. */
#include "../lib/memmap.h"
/* struct efi_memmap (boot/plan.h): buf in pool, descriptors desc_size apart */
EFI_STATUS efi_get_memmap(struct efi_memmap *em);
void efi_put_memmap(struct efi_memmap *em);
enum mem_type efi_mem_type(UINT32 efi_type);
EFI_STATUS efi_memmap_to_model(const struct efi_memmap *em, struct memmap *m);
/* The memory map as it is now, as the model (get, convert, put). */
EFI_STATUS efi_memmap_now(struct memmap *m);
/* Prints it, a line per range and a summary (efikexec_print_memmap). */
EFI_STATUS efi_print_memmap(void);

/* tables.c: the configuration table entry with that GUID (NULL: none),
 * n bytes from EFI_RNG_PROTOCOL (false: no RNG, or it failed), and what a
 * hand-off needs of the firmware, gathered once (rng_len bytes of seed). */
void *efi_config_table(const EFI_GUID *guid);
bool efi_rng(void *out, size_t n);
void efi_gather_facts(struct fw_facts *f, size_t rng_len);

/* platform.c: the planner's page allocator over boot services. */
#include "../lib/kimage.h"
extern const struct kimage_platform efi_platform;
/* [start, end) is efikexec's already (a kernel handed over): claimed
 * without the firmware, not freed by the planner. start == end: none. */
void efi_platform_hold(uint64_t start, uint64_t end);

/* selftest.c: --selftest, the kimage model against this firmware. */
EFI_STATUS efi_selftest(void);

#endif
