/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * install.h - efikexec-install, which puts efikexec on a machine's EFI
 * System Partition, keeps it there, and reads back what it reported at
 * boot. One file a concern: util.c (saying, files whole, memory), txn.c
 * (the transaction), disk.c (the GPT, the ESP, XBOOTLDR), efivars.c
 * (efivarfs, Boot####, BootOrder), install.c (install, update, remove),
 * entries.c (list, status, the menu's variables: the stage's own entry
 * model, lib/bls.c), main.c (the options, the command table).
 *
 *   efikexec-install [OPTIONS] install|update|remove|is-installed
 *   efikexec-install [OPTIONS] status|list
 *   efikexec-install [OPTIONS] set-default|set-oneshot ID
 *   efikexec-install [OPTIONS] set-timeout|set-timeout-oneshot VALUE
 *
 * docs/efikexec-install.8 is the manual. What it follows:
 *  - the ESP and XBOOTLDR are found as bootctl finds them (systemd
 *    src/shared/find-esp.c): /efi, /boot/efi, /boot, each a mount point of
 *    a vfat file system on a GPT partition of the ESP's type, XBOOTLDR at
 *    /boot with its own type GUID; $SYSTEMD_ESP_PATH and
 *    $SYSTEMD_XBOOTLDR_PATH name them, and $SYSTEMD_RELAX_ESP_CHECKS=1
 *    drops the checks (an image being built has a directory, no partition);
 *  - the variables are the Boot Loader Interface's (systemd
 *    docs/BOOT_LOADER_INTERFACE.md) and the UEFI specification's (Boot####,
 *    BootOrder, EFI_LOAD_OPTION, the hard drive and file path device path
 *    nodes, UEFI 2.10 sections 3.1.3 and 10.3), read and written through
 *    efivarfs (Documentation/filesystems/efivarfs.rst: four bytes of
 *    attributes, then the data; files are made immutable by the kernel);
 *  - `list` sorts with the boot stage's own code (lib/bls.c), so it shows
 *    the order the menu shows.
 *
 * Nothing is half-written: every file of an install is first written in
 * full under a temporary name beside its place and synced, and only when
 * all are written are they renamed into place; a failure before removes
 * the temporary files and any folder made, leaving what was there.
 */
#ifndef EFIKEXEC_TOOLS_INSTALL_H
#define EFIKEXEC_TOOLS_INSTALL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../lib/bls.h"
#include "../../boot/pe.h"
#include "../../boot/uki.h"
#include "../../lib/cmdline.h"
#include "../../lib/gpt.h"
#include "../../lib/url.h"

#if defined(__x86_64__)
#define ARCH_LOWER "x64" /* efikexecx64.efi */
#define ARCH_UPPER "X64" /* BOOTX64.EFI */
#define BLS_ARCH "x64"   /* the `architecture` key's word */
#elif defined(__aarch64__)
#define ARCH_LOWER "aa64"
#define ARCH_UPPER "AA64"
#define BLS_ARCH "AA64"
#else
#error "efikexec-install knows x86_64 and aarch64"
#endif

#ifndef EFIKEXEC_VERSION
#define EFIKEXEC_VERSION "unknown"
#endif
#ifndef EFIKEXEC_LIBDIR
#define EFIKEXEC_LIBDIR "/usr/lib/efikexec"
#endif

#define PROG "efikexec-install"
#define INSTALL_DIR "EFI/efikexec"
#define MAIN_NAME "efikexec" ARCH_LOWER ".efi"
#define BOOT_NAME "BOOT" ARCH_UPPER ".EFI"
/* the file path in a boot entry (UEFI paths use backslashes) */
#define MAIN_EFI_PATH "\\EFI\\efikexec\\" MAIN_NAME
/* app/main.c's version_mark */
#define VERSION_MARK "#### efikexec-version "

#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define BLI_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
/* partition types: the ESP (UEFI), XBOOTLDR (the Boot Loader Specification) */
extern const char esp_type[], xbootldr_type[];

#define VAR_NV 0x1u
#define VAR_BS 0x2u
#define VAR_RT 0x4u
#define VAR_ALL (VAR_NV | VAR_BS | VAR_RT)
#define EFIVARFS_MAGIC 0xde5e81e4 /* include/uapi/linux/magic.h */
#define MSDOS_MAGIC 0x4d44


extern const char default_loader_conf[];

/* the options (main.c reads them) */
struct install_opt {
	const char *esp_path, *boot_path, *efivarfs, *source, *conf_root, *esp_disk;
	unsigned esp_partn;
	bool no_variables, no_removable, quiet, relax, graceful, install_conf;
	long tries;
};
extern struct install_opt opt;

struct gpt_part {
	unsigned number;
	uint8_t type[16], uuid[16];
	uint64_t start, size; /* in logical blocks */
	char type_text[37], uuid_text[37];
};

int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int said(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *join(const char *a, const char *b);
uint8_t *slurp(const char *path, size_t max, size_t *len);
int write_all(int fd, const void *data, size_t len);
void *need(void *p);
char *xstrdup(const char *s);
int make_dirs(const char *path);
void rollback(void);
int stage(const char *final, const void *data, size_t len, mode_t mode);
unsigned staged_count(void);
int commit(void);
uint32_t le32(const uint8_t *p);
uint64_t le64(const uint8_t *p);
int gpt_read(const char *disk, unsigned number, struct gpt_part *p, char *why, size_t whylen);
int mount_part(const char *path, struct gpt_part *p, char *disk, size_t disksz, char *why, size_t whylen);
const char *find_esp(bool say);
const char *find_xbootldr(const char *esp);
bool efi_booted(void);
uint8_t *var_get(const char *name, const char *guid, size_t *len, uint32_t *attr);
char *var_text(const char *name, const char *guid);
int var_set_text(const char *name, const char *guid, uint32_t attr, const char *text);
unsigned boot_entries(const char *file, unsigned *found, unsigned max, uint8_t taken[0x10000 / 8]);
int esp_part(const char *esp, struct gpt_part *p, char *why, size_t whylen);
int install_boot_entry(const struct gpt_part *part);
int remove_boot_entries(void);
int installed_version(const char *path, char *out, size_t size);
const char *conf_root(void);
int cmd_install(bool update);
int cmd_remove(void);
int cmd_is_installed(void);
int cmd_list(void);
int cmd_status(void);
int cmd_set_entry(const char *var, const char *id);
int cmd_set_timeout(const char *var, const char *value);

#endif
