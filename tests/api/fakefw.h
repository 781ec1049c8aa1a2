/* fakefw.h - see fakefw.c. */
#ifndef EFIKEXEC_FAKEFW_H
#define EFIKEXEC_FAKEFW_H

struct fakefw {
	void *image;            /* the image handle efikexec_init takes */
	long pool_live;         /* pool allocations not yet freed */
	long pages_live;        /* pages not yet freed */
	int exit_calls, prepare_calls;
};
extern struct fakefw fakefw;

/* A fresh firmware; returns its EFI_SYSTEM_TABLE. */
void *fakefw_init(void);

#endif
