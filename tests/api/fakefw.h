/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* fakefw.h - see fakefw.c. */
#ifndef EFIKEXEC_FAKEFW_H
#define EFIKEXEC_FAKEFW_H

struct fakefw {
	void *image;            /* the image handle efikexec_init takes */
	long pool_live;         /* pool allocations not yet freed */
	long pages_live;        /* pages not yet freed */
	int exit_calls, prepare_calls;
	int secure_boot;        /* set: SecureBoot 1, SetupMode 0 */
	int load_image_calls;   /* LoadImage from a buffer: always EFI_ACCESS_DENIED */
	int fs_opens, fs_live, fs_flushes; /* fakefs.c: Open calls, handles open, Flush calls */
};
extern struct fakefw fakefw;

/* A fresh firmware; returns its EFI_SYSTEM_TABLE. */
void *fakefw_init(void);

/* fakefs.c: a volume of host buffers (fakefs_volume() is its handle). */
#include <stdbool.h>
#include <stdint.h>
void *fakefs_volume(void);
void fakefs_reset(void);
/* A file at path ("\\a\\b") with `have` bytes of data that claims `claims`. */
void fakefs_add(const char *path, const void *data, uint64_t have, uint64_t claims);
const char *fakefs_name(int i);   /* the i-th file's path now; NULL past the last */
bool fakefs_protocol(void *handle, const void *guid, void **iface);

#endif
