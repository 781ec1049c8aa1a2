/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bls.h - the boot menu's configuration as plain code: Boot Loader
 * Specification entries, loader.conf, efikexec.conf, the UAPI version
 * order, boot-counter file names and the `default` glob. app/stage.c
 * finds the files and the firmware variables; everything here works on
 * text in memory, so the host tests and a fuzzer cover all of it.
 *
 * Sources (the UAPI group's specifications, uapi-group/specifications):
 *   specs/boot_loader_specification.md - Type #1 keys, Type #2 UKIs,
 *     the sort order ("Sorting"), boot counting in file names;
 *   specs/version_format_specification.md - the version order (UAPI.10);
 * and what systemd-boot does where the specification is silent
 * (systemd src/boot/boot.c: entry IDs, duplicate titles, default choice;
 * man/loader.conf.xml: the loader.conf keys).
 */
#ifndef EFIKEXEC_BLS_H
#define EFIKEXEC_BLS_H

#include "rt.h"

#define BLS_NAME_MAX 256      /* file names: 1-255 characters (BLS) */
#define BLS_PATH_MAX 512
#define BLS_TEXT_MAX 256      /* title, version, sort-key, ... */
#define BLS_OPTIONS_MAX 4096  /* every `options` line joined */
#define BLS_MAX_INITRDS 16
#define BLS_MAX_MODULES 8     /* efikexec-module lines (Multiboot2 modules) */
#define BLS_MODULE_MAX 1024   /* one such line: "PATH [ARGS]" */
#define BLS_LINE_MAX 4096     /* a longer line is refused (the entry is broken) */
#define BLS_FILE_MAX (1u << 20) /* an entry or loader.conf larger is refused */
#define BLS_WHY_MAX 256

enum bls_kind {
	BLS_TYPE1,        /* \loader\entries\*.conf */
	BLS_TYPE2,        /* \EFI\Linux\*.efi, a UKI */
	BLS_AUTO_EFI,     /* auto-entries: a program (the firmware's default loader, the shell) */
	BLS_AUTO_FIRMWARE,/* auto-entries: reboot into the firmware's setup */
};

/* Which partition an entry lies on; its paths are relative to that root. */
enum bls_part { BLS_ESP, BLS_XBOOTLDR };

struct bls_entry {
	enum bls_kind kind;
	enum bls_part part;
	char file[BLS_NAME_MAX];  /* the name on disk, counter and all */
	char id[BLS_NAME_MAX];    /* lowercase, without the counter: what variables name */
	char title[BLS_TEXT_MAX]; /* as shown; duplicates get more (bls_titles) */
	char version[BLS_TEXT_MAX];
	char machine_id[BLS_TEXT_MAX];
	char sort_key[BLS_TEXT_MAX];
	char architecture[16];
	char linux_path[BLS_PATH_MAX]; /* Type #2: the UKI itself */
	char efi_path[BLS_PATH_MAX];
	char devicetree[BLS_PATH_MAX];
	char initrd[BLS_MAX_INITRDS][BLS_PATH_MAX];
	unsigned ninitrd;
	/* efikexec's own key `efikexec-module PATH [ARGS]`: a Multiboot2
	 * kernel's modules in order (the specification has no such key),
	 * split once as the line is read: module[i] holds PATH, its NUL, and
	 * ARGS from module_args[i] on (bls_module_path, bls_module_args) */
	char module[BLS_MAX_MODULES][BLS_MODULE_MAX];
	uint16_t module_args[BLS_MAX_MODULES];
	unsigned nmodule;
	char options[BLS_OPTIONS_MAX];
	bool has_options;         /* a Type #2 entry without: the UKI's .cmdline */
	unsigned profile;         /* Type #2: the UKI's profile ("@N"), 0 the first */
	/* boot counting: -1 when the name has no counter */
	int64_t tries_left, tries_done;
	int boot_option;          /* auto entries: a firmware Boot#### to start, else -1 */
	/* `uki-url URL` (systemd-boot 258): a UKI fetched over the network;
	 * ":NAME" is relative to the URL efikexec itself came from. The stage
	 * resolves it into linux_path, or hides the entry (no network, no
	 * origin URL). */
	char uki_url[BLS_PATH_MAX];
	/* efikexec's own key `efikexec-tls-ca PATH-OR-URL`: a CA file given
	 * to the firmware's TLS before this entry's files are fetched */
	char tls_ca[BLS_PATH_MAX];
	bool net;                 /* its paths are URLs: an entry fetched over the network, or
				   * uki-url's; never renamed (no boot counting) */
	bool hidden;              /* architecture of another machine */
	bool broken;              /* listed, never booted: why says what */
	char why[BLS_WHY_MAX];
};

/* Module i of an entry: its path, and its arguments ("" for none). */
static inline const char *bls_module_path(const struct bls_entry *e, unsigned i)
{
	return e->module[i];
}
static inline const char *bls_module_args(const struct bls_entry *e, unsigned i)
{
	return e->module[i] + e->module_args[i];
}

/* A warning about a configuration file: "FILE:LINE: text" (line 0: the file). */
typedef void (*bls_warn_fn)(void *ctx, const char *file, unsigned line, const char *text);

/*
 * Parses a Type #1 entry file named `file` (its name only) whose text is
 * buf[0..len) (a UTF-8 BOM, CRLF line ends and a missing last newline
 * are accepted). Fills `e` (kind, part and the rest); on a syntax error,
 * an overlong line, a NUL byte, or neither `linux` nor `efi` (or both),
 * the entry is marked broken with the reason. `arch` is this machine's
 * architecture in EFI words ("x64", "AA64"): other values hide the entry.
 * Unknown keys are warned about and ignored.
 */
void bls_parse_entry(struct bls_entry *e, enum bls_part part, const char *file, const char *buf,
		     size_t len, const char *arch, bls_warn_fn warn, void *ctx);

/*
 * A Type #2 entry from a UKI's file name and its .osrel (os-release text,
 * may be NULL) and whether it has a .cmdline. The title is PRETTY_NAME,
 * else IMAGE_ID, NAME, ID; the version IMAGE_VERSION, else VERSION,
 * VERSION_ID, BUILD_ID. `path` is the UKI's path on its partition.
 */
/*
 * Profile n of a multi-profile UKI (UAPI.5) as systemd-boot 257 lists it
 * (boot.c boot_entry_add_type2): `profile` is its .profile text
 * (os-release style; NULL: none). The title becomes "NAME (TITLE)", else
 * for n > 0 "NAME (ID)" or "NAME (Profile #n+1)"; the ID of n > 0 gets
 * "@ID" or "@n".
 */
void bls_uki_profile(struct bls_entry *e, unsigned n, const char *profile);
void bls_uki_entry(struct bls_entry *e, enum bls_part part, const char *file, const char *path,
		   const char *osrel);

/* An entry's counter from its file name: "NAME+LEFT[-DONE].conf" (the last
 * '+' before the suffix). False when the name has none. */
bool bls_counter(const char *file, int64_t *left, int64_t *done);

/*
 * The name an entry file takes before it is booted: LEFT one less (never
 * below 0), DONE one more (capped), each keeping its width of digits, so
 * "a+3-0.conf" becomes "a+2-1.conf" and "a+10-00.conf" "a+09-01.conf".
 * False when the name has no counter or the new name does not fit.
 */
bool bls_counter_next(const char *file, char *out, size_t size);

/* UAPI.10 version order: <0, 0, >0 as strcmp. */
int bls_version_cmp(const char *a, const char *b);

/* The specification's sort order (bad and broken entries last). */
int bls_compare(const struct bls_entry *a, const struct bls_entry *b);
/* Sorts an array of pointers (the entries themselves do not move). */
void bls_sort(struct bls_entry **e, size_t n);

/* Duplicate titles get " (version)", then " (machine-id's first 8)",
 * then " (id)" added, as systemd-boot does; an empty title is the id. */
void bls_titles(struct bls_entry **e, size_t n);

/* A glob (`*`, `?`, `[a-z]`, `[!x]`) matched case-insensitively. */
bool bls_glob(const char *pattern, const char *text);

/* Automatic choices never take these: broken, hidden, or no tries left. */
bool bls_bootable(const struct bls_entry *e);

enum bls_timeout {
	BLS_TIMEOUT_SECONDS,   /* the countdown in seconds (0: boot at once) */
	BLS_TIMEOUT_FORCE,     /* menu-force: the menu, no countdown */
	BLS_TIMEOUT_HIDDEN,    /* menu-hidden: like 0, a key shows the menu */
	BLS_TIMEOUT_DISABLED,  /* menu-disabled: no menu at all */
};

/* `timeout` values of loader.conf and LoaderConfigTimeout[OneShot]:
 * false when `text` is none of them. */
bool bls_parse_timeout(const char *text, enum bls_timeout *kind, uint32_t *seconds);
/* The words bls_parse_timeout reads: "5", "menu-force", ... */
void bls_timeout_text(enum bls_timeout kind, uint32_t seconds, char *out, size_t size);

#define BLS_MAX_CAPTURE_INITRDS 16
#define BLS_MAX_CONF_ENTRIES 32
#define BLS_MAX_TLS_CA 4

/* \loader\loader.conf and efikexec.conf (beside efikexec.efi), together. */
struct bls_config {
	char default_pattern[BLS_NAME_MAX]; /* `default`: a glob, or "@saved" */
	enum bls_timeout timeout;
	uint32_t timeout_seconds;
	bool timeout_set;
	bool editor;        /* default yes; off under Secure Boot (app/stage.c) */
	bool auto_entries;  /* default yes */
	bool auto_firmware; /* default yes */
	/* efikexec.conf: crash capture, armed with every Linux entry */
	char capture_kernel[BLS_PATH_MAX];
	char capture_initrd[BLS_MAX_CAPTURE_INITRDS][BLS_PATH_MAX];
	unsigned ncapture_initrd;
	char capture_options[BLS_OPTIONS_MAX];
	uint64_t capture_size, capture_addr;
	/* efikexec.conf: `entry PATH-OR-URL` (repeatable), Type #1 entry files
	 * read besides \loader\entries; a relative one from the folder (or
	 * URL) of the efikexec.conf that names it */
	char entry[BLS_MAX_CONF_ENTRIES][BLS_PATH_MAX];
	unsigned nentry;
	/* efikexec.conf: `tls-ca PATH-OR-URL` (repeatable), CA files for the
	 * firmware's TLS, relative as `entry` is */
	char tls_ca[BLS_MAX_TLS_CA][BLS_PATH_MAX];
	unsigned ntls_ca;
	/* efikexec.conf: `log-level LEVEL`, what the stage says (an
	 * rt_log_level; default warnings and errors, as systemd-boot says
	 * nothing else) */
	int log_level;
	bool log_level_set;
	/* efikexec.conf: `x86-entry legacy|direct`, how an x86 bzImage is
	 * entered (efikexec_set_entry); default legacy */
	bool x86_direct;
};

/*
 * The entry booted without a key, in systemd-boot's order
 * (config_select_default_entry): LoaderEntryOneShot (an entry with no
 * tries left too), else LoaderEntryDefault, else with `default @saved`
 * LoaderEntryLastBooted, else loader.conf's (or efikexec.conf's) `default`
 * glob, else the first bootable entry that is no automatic one. Each name
 * is a glob matched against an entry's ID and its file name as it is
 * (counter and all); broken entries never match. `list` is sorted; the
 * variables are NULL when unset. The one function the boot stage and
 * efikexec-install both ask, so `list` marks what the machine boots.
 */
#define BLS_NONE ((size_t)-1)
enum bls_default_by {
	BLS_BY_NONE, BLS_BY_ONESHOT, BLS_BY_DEFAULT_VAR, BLS_BY_LAST_BOOTED, BLS_BY_CONFIG, BLS_BY_FIRST
};
struct bls_default_vars {
	const char *oneshot;       /* LoaderEntryOneShot */
	const char *entry_default; /* LoaderEntryDefault */
	const char *last_booted;   /* LoaderEntryLastBooted */
};
size_t bls_default(struct bls_entry *const *list, size_t n, const struct bls_config *cfg,
		   const struct bls_default_vars *v, enum bls_default_by *by);
/* "LoaderEntryOneShot", ..., "loader.conf", "the first bootable" */
const char *bls_default_by_name(enum bls_default_by by);
/* The first entry of list a glob matches (ID or file name), not broken,
 * and bootable unless `any_tries`; BLS_NONE: none. */
size_t bls_find(struct bls_entry *const *list, size_t n, const char *pattern, bool any_tries);

/* LoaderFeatures bits (systemd src/fundamental/efivars-fundamental.h
 * EFI_LOADER_FEATURE_*, docs/BOOT_LOADER_INTERFACE.md): the ones the boot
 * stage sets, and every bit's name for efikexec-install status. */
#define BLS_F_TIMEOUT (1ull << 0)
#define BLS_F_TIMEOUT_ONESHOT (1ull << 1)
#define BLS_F_ENTRY_DEFAULT (1ull << 2)
#define BLS_F_ENTRY_ONESHOT (1ull << 3)
#define BLS_F_BOOT_COUNTING (1ull << 4)
#define BLS_F_XBOOTLDR (1ull << 5)
#define BLS_F_SORT_KEY (1ull << 8)
#define BLS_F_SAVED_ENTRY (1ull << 9)
#define BLS_F_DEVICETREE (1ull << 10)
#define BLS_F_MENU_DISABLE (1ull << 13)
#define BLS_F_MULTI_PROFILE_UKI (1ull << 14)
#define BLS_F_REPORT_URL (1ull << 15)
#define BLS_F_TYPE1_UKI (1ull << 16)
#define BLS_F_TYPE1_UKI_URL (1ull << 17)
#define BLS_LOADER_FEATURE_BITS 20
/* bit's name as bootctl prints it; NULL: no such bit known */
const char *bls_loader_feature_name(unsigned bit);

/*
 * An EFI_LOAD_OPTION (UEFI 2.10, 3.1.3: Attributes u32, FilePathListLength
 * u16, Description - UCS-2 with its NUL -, FilePathList, OptionalData) in
 * opt[0, len): where its description and its device paths lie. False
 * when the description has no NUL before the paths, or the paths' length
 * runs past the option (firmware variables are data from anyone).
 */
struct bls_load_option {
	uint32_t attributes;
	size_t desc_off, desc_units;  /* the description's UCS-2 units, no NUL */
	size_t path_off, path_len;    /* FilePathList */
};
bool bls_load_option(const uint8_t *opt, size_t len, struct bls_load_option *out);

/*
 * Marks e broken when a file it names is not there, checked in the order
 * linux, efi, devicetree, efikexec-tls-ca, initrd, efikexec-module by the
 * program's own `exists` (the stage: the firmware's file system, a URL by
 * the network the firmware has; efikexec-install: the mounted partition):
 * e->why names the key, the path and why ("linux /vmlinuz is not on the
 * ESP"). `file_only`: the path must be a file (an `efi` program the
 * firmware starts), not a URL. exists() may put its own reason in why.
 */
typedef bool (*bls_exists_fn)(void *ctx, const struct bls_entry *e, const char *path, bool file_only, char *why,
			      size_t size);
void bls_check_files(struct bls_entry *e, bls_exists_fn exists, void *ctx);

/*
 * The entries of a UKI named `file` at `path` on `part`: one per profile,
 * as systemd-boot 257 lists them (a UKI without profiles: one), each from
 * new_entry(), filled from the sections text() reads - profile n's
 * .osrel, .profile and .cmdline (text: false when the section is not
 * there or does not fit). The number made.
 */
typedef bool (*bls_uki_text_fn)(void *ctx, unsigned profile, const char *section, char *out, size_t size);
typedef struct bls_entry *(*bls_new_entry_fn)(void *ctx);
unsigned bls_uki_entries(enum bls_part part, const char *file, const char *path, bls_uki_text_fn text, void *tctx,
			 bls_new_entry_fn new_entry, void *nctx);

void bls_config_defaults(struct bls_config *c);
/* \loader\loader.conf: default, timeout, editor, auto-entries,
 * auto-firmware; systemd-boot's other keys are accepted and ignored; any
 * other key is warned about. Bad values are warned about and ignored. */
void bls_parse_loader_conf(struct bls_config *c, const char *file, const char *buf, size_t len,
			   bls_warn_fn warn, void *ctx);
/* efikexec.conf: capture-kernel, capture-initrd (repeatable),
 * capture-options (repeatable, joined), capture-size SIZE[@ADDR], entry
 * (repeatable), tls-ca (repeatable), and default and timeout as
 * loader.conf has them. */
void bls_parse_efikexec_conf(struct bls_config *c, const char *file, const char *buf, size_t len,
			     bls_warn_fn warn, void *ctx);

#endif
