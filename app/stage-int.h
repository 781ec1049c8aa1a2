/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage-int.h - what the boot stage's files share (app/stage.c the state
 * and the loop, stage-vars.c the variables and the Boot Loader Interface,
 * stage-files.c files, device paths and XBOOTLDR, stage-entries.c finding
 * the entries, stage-boot.c counting and launching). Not for other files:
 * app/stage.h is the stage's face to app/main.c.
 */
#ifndef EFIKEXEC_STAGE_INT_H
#define EFIKEXEC_STAGE_INT_H

#include "stage.h"

#include "../include/efikexec.h"
#include "../lib/cmdline.h"
#include "../lib/gpt.h"
#include "../lib/url.h"
#include "options.h"

/* The Boot Loader Interface's vendor GUID, 4a67b082-0a4c-41cf-b6c7-440b29bb8c4f */
/* efikexec's own variables (also the capture arming's vendor GUID) */
/* XBOOTLDR's partition type, bc13c2ff-59e6-4262-a352-b275fd6f7172 (BLS) */
/* LINUX_EFI_INITRD_MEDIA_GUID (include/linux/efi.h) */
/* EFI_LOAD_FILE2_PROTOCOL_GUID (UEFI spec, "Load File 2 Protocol") */

#define BLI_VOLATILE (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)
#define BLI_NV (BLI_VOLATILE | EFI_VARIABLE_NON_VOLATILE)

#define MAX_ENTRIES 512 /* more are warned about and not listed */


#if defined(__x86_64__)
#define ARCH_EFI "x64"
#define ARCH_SUFFIX "X64"
#define ARCH_LOWER "x64"
#else
#define ARCH_EFI "AA64"
#define ARCH_SUFFIX "AA64"
#define ARCH_LOWER "aa64"
#endif


extern EFI_GUID bli_guid;
extern EFI_GUID own_guid;
extern EFI_GUID xbootldr_type;
extern EFI_GUID global_guid;
extern EFI_GUID sfs_guid;
extern EFI_GUID dp_guid;
extern EFI_GUID blockio_guid;
extern EFI_GUID li_guid;
extern EFI_SYSTEM_TABLE *st;
extern EFI_BOOT_SERVICES *bs;
extern EFI_RUNTIME_SERVICES *rs;
extern EFI_HANDLE self;
extern EFI_LOADED_IMAGE *li;
extern EFI_HANDLE part[2];             /* BLS_ESP, BLS_XBOOTLDR */
extern const char *const part_name[2];
extern uint64_t t_start;
extern struct bls_config cfg;
extern struct bls_entry *store;        /* every entry found */
extern size_t nstore, cap;
extern struct bls_entry **list;        /* shown, in menu order */
extern size_t nlist;
extern char image_path[BLS_PATH_MAX];  /* \EFI\BOOT\BOOTX64.EFI, from FilePath */
extern bool secure_boot;
extern struct menu menu;
extern char notes[MENU_NOTES][BLS_WHY_MAX + 64];
extern unsigned nwarn;
extern struct efikexec_net net;
extern bool net_known;                 /* net asked for (net_look) */
extern bool netbooted;                 /* no ESP: started by the firmware over the network */
extern int stage_log;                  /* what the stage says: efikexec.conf's log-level, else warnings */
extern char conf_url[URL_MAX];         /* netbooted: the efikexec.conf read */

/* a folder's files, one call each (each_file) */
typedef void (*dir_fn)(enum bls_part p, const char *dir, const char *name);

void config_warn(void *ctx, const char *file, unsigned line, const char *text);
CHAR16 *wide(const char *s, CHAR16 *buf, size_t units);
EFI_STATUS set_var(const char *name, EFI_GUID *g, UINT32 attrs, const char *value);
bool get_var(const char *name, EFI_GUID *g, char *out, size_t size);
void del_var(const char *name, EFI_GUID *g);
void set_usec(const char *name, uint64_t ticks);
void export_bli(void);
void efi_path(const char *in, char *out, size_t size);
bool exists(enum bls_part p, const char *path);
efikexec_status read_file(enum bls_part p, const char *path, uint64_t max, char **buf, uint64_t *len);
void each_file(enum bls_part p, const char *dir, dir_fn fn);
unsigned dp_len(const EFI_DEVICE_PATH *n);
const EFI_DEVICE_PATH *dp_next(const EFI_DEVICE_PATH *n);
bool dp_end(const EFI_DEVICE_PATH *n);
const uint8_t *hd_node(EFI_HANDLE h, const EFI_DEVICE_PATH **path);
void guid_text(const uint8_t *g, char *out, size_t size);
void own_path(void);
EFI_HANDLE find_xbootldr(void);
struct bls_entry *new_entry(void);
void net_look(void);
efikexec_status give_ca_file(enum bls_part p, const char *path);
void give_tls_ca(void);
void load_config(void);
void discover(void);
void crash_fallback(void);
EFI_STATUS boot(struct bls_entry *e, const char *options, bool oneshot);

#endif
