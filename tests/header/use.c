/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * use.c - include/efikexec.h as a client sees it: compiled alone, as C11
 * and as C++, with every warning an error (scripts/check-header.sh). It
 * uses the macros and types the way libefikexec(3)'s example does, so a header
 * change that breaks a C or C++ caller fails here.
 */
#include <efikexec.h>

#if EFIKEXEC_VERSION_NUMBER < EFIKEXEC_VERSION_AT(0, 2, 0)
#error "the version macros"
#endif

static void EFIKEXEC_API on_log(void *ctx, int level, const char *subsystem, const char *message)
{
	(void)ctx;
	(void)level;
	(void)subsystem;
	(void)message;
}

efikexec_status header_use(void *image, void *systab, const void *kbuf, uint64_t ksize);
efikexec_status header_use(void *image, void *systab, const void *kbuf, uint64_t ksize)
{
	struct efikexec *r = NULL;
	struct efikexec_input k = EFIKEXEC_INPUT_BUFFER(kbuf, ksize, "vmlinuz");
	struct efikexec_input i = EFIKEXEC_INPUT_FILE(NULL, "\\initrd.img");
	struct efikexec_plan p;
	struct efikexec_segment s;
	efikexec_status st;

	efikexec_set_log(on_log, NULL, EFIKEXEC_LOG_INFO);
	if ((st = efikexec_init(image, systab)) != EFIKEXEC_SUCCESS ||
	    (st = efikexec_request_new(&r)) != EFIKEXEC_SUCCESS)
		return st;
	if ((st = efikexec_add_kernel(r, &k)) == EFIKEXEC_SUCCESS &&
	    (st = efikexec_add_initrd(r, &i)) == EFIKEXEC_SUCCESS &&
	    (st = efikexec_set_cmdline(r, "console=ttyS0")) == EFIKEXEC_SUCCESS &&
	    (st = efikexec_plan(r)) == EFIKEXEC_SUCCESS) {
		p.struct_size = sizeof(p);
		s.struct_size = sizeof(s);
		if (efikexec_plan_get(r, &p) == EFIKEXEC_SUCCESS && p.nsegments &&
		    efikexec_plan_segment(r, 0, &s) == EFIKEXEC_SUCCESS && s.role == EFIKEXEC_SEG_KERNEL)
			st = efikexec_boot(r);
	}
	efikexec_release(r);
	return st == EFIKEXEC_ALREADY_STARTED ? EFIKEXEC_ACCESS_DENIED : st;
}
