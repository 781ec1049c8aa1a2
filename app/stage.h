/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage.h - efikexec as a boot stage (app/stage.c, app/menu.c): started
 * with no options, it reads the Boot Loader Specification entries and
 * loader.conf on its ESP and the XBOOTLDR partition, shows a menu on the
 * firmware console, counts boots, and talks to the OS through the Boot
 * Loader Interface variables. A client of include/efikexec.h like
 * app/main.c: its files come through the library's file calls; it calls
 * the firmware for what the library does not do (variables, the console,
 * partitions and device paths, other EFI programs).
 */
#ifndef EFIKEXEC_STAGE_H
#define EFIKEXEC_STAGE_H

#include <efi.h>
#include <efiapi.h>

#include "../lib/bls.h"

/* A formatted line through efikexec's log (app/stage.c), for all of app/. */
void say(int level, const char *subsys, const char *fmt, ...) RT_PRINTF(3, 4);

/* The counter value at efi_main's start (LoaderTimeInitUSec). */
void stage_mark_start(void);

/* The boot stage: never returns after a kernel was entered; returns an
 * EFI status when nothing could be booted and the user left the menu
 * (or there was no menu to show). */
EFI_STATUS stage_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, EFI_LOADED_IMAGE *li);

/* --- the menu (app/menu.c) ---------------------------------------------------------- */

#define MENU_NOTES 10

struct menu {
	struct bls_entry **e;
	size_t n;
	size_t sel;            /* in: the entry highlighted first; out: the choice */
	size_t def;            /* the default's index, or (size_t)-1 */
	enum bls_timeout timeout;
	uint32_t seconds;      /* the countdown (timeout BLS_TIMEOUT_SECONDS) */
	bool editor;
	bool can_boot;         /* some entry is bootable */
	const char *header;
	const char *note[MENU_NOTES]; /* shown under the entries */
	unsigned nnotes;
	/* out */
	char options[BLS_OPTIONS_MAX]; /* the edited command line, when edited */
	bool edited;
	bool default_changed;  /* `d`: def is the new default, or -1 to clear it */
	bool timeout_changed;  /* `t`/`T`: timeout and seconds are the new value */
	uint64_t shown_at;     /* counter value when first drawn, 0 if never */
};

/* Shows the menu until an entry is chosen (Enter, 1-9, the countdown). */
void menu_run(EFI_SYSTEM_TABLE *st, struct menu *m);

/* Waits for a key press and returns (after an error message). */
void menu_wait_key(EFI_SYSTEM_TABLE *st);

#endif
