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
};
extern struct fakefw fakefw;

/* A fresh firmware; returns its EFI_SYSTEM_TABLE. */
void *fakefw_init(void);

#endif
