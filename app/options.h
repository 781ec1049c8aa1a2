/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * options.h - what the user asked efikexec to do, parsed from the command
 * line (LoadOptions) without any firmware call, so the host tests cover it.
 */
#ifndef EFIKEXEC_OPTIONS_H
#define EFIKEXEC_OPTIONS_H

#include "../lib/cmdline.h"

enum efikexec_action {
	ACTION_HELP,     /* --help, or nothing to do */
	ACTION_VERSION,  /* --version */
	ACTION_SHA256,   /* --sha256=PATH: read a file, print its size and digest */
	ACTION_MEMMAP,   /* --memmap: print the memory map as the planner sees it */
	ACTION_SELFTEST, /* --selftest: plan, load and relocate a test image here */
	ACTION_BOOT,     /* KERNEL [...]: load and enter a kernel */
	ACTION_CAPTURE_STATUS, /* --capture-status: what is armed, what crashed */
	ACTION_CAPTURE_DISARM, /* --capture-disarm: forget the armed region */
	ACTION_BENCH_FETCH,    /* test builds: --test-bench-fetch=URL (bench/net-fetch.sh) */
};

#define OPT_MAX_INITRDS 16

struct efikexec_opts {
	enum efikexec_action action;
	bool plan;           /* -v: the plan and each step (info); one line otherwise */
	bool verbose;        /* --verbose: debug lines as well */
	bool quiet;
	bool dry_run;        /* --dry-run: print the plan, load nothing */
	bool no_verify;      /* --no-verify: purgatory skips the digests */
	bool direct_entry;   /* --direct-entry: a bzImage decompressed by efikexec */
	bool verify_sha256;  /* --verify=sha256: SHA-256 digests, not XXH64 */
	int test_corrupt;    /* test builds: --test-corrupt=SEG flips a byte; -1 off */
	bool test_occupy;    /* test builds: --test-occupy takes every destination
			      * before planning, so that all of it is staged */
	const char *sha256_path;
	const char *kernel;
	const char *append;  /* --append=STRING, before the kernel arguments */
	const char *dtb;     /* --dtb=PATH: the device tree (arm64), else firmware's */
	uint64_t mem_min, mem_max; /* --mem-min/--mem-max: where segments may go */
	const char *initrd[OPT_MAX_INITRDS]; /* --initrd= first, then initrd=, in order */
	unsigned ninitrd;
	/* initrd= before any option or KERNEL, as a parent loader puts them
	 * (systemd-boot, GRUB): loaded before the others, unless the parent
	 * serves its initrd through LoadFile2 (then those name that one) */
	const char *lead_initrd[OPT_MAX_INITRDS];
	unsigned nlead_initrd;
	/* --module="PATH [ARGS]": a Multiboot2 kernel's modules, in order */
	char module[OPT_MAX_INITRDS][256];
	const char *module_args[OPT_MAX_INITRDS]; /* the text after PATH; "" none */
	unsigned nmodule;
	/* crash capture (efi/capture.c): armed alongside a boot */
	const char *capture_kernel;          /* --capture-kernel=PATH */
	const char *capture_initrd[OPT_MAX_INITRDS]; /* --capture-initrd=PATH... */
	unsigned ncapture_initrd;
	const char *capture_append;          /* --capture-append=STRING */
	uint64_t capture_size, capture_addr; /* --capture-size=SIZE[@ADDR]; addr 0: default */
	bool test_corrupt_capture;           /* test builds: flip a byte of the region */
	bool test_net_keep_nothing;          /* test builds: URLs' skipped bytes fetched again */
	uint32_t test_fail_call;             /* test builds: --test-fail-call=N */
	const struct cmdline *cl; /* the kernel's arguments: cl->arg[kargs..] */
	unsigned kargs;
};

/*
 * The kernel's command line: --append's text, then every argument after
 * KERNEL that is not initrd=, as typed (quotes kept), one space apart.
 * Writes at most `size` bytes with the NUL; returns the length without it.
 */
size_t options_kernel_cmdline(const struct efikexec_opts *o, char *buf, size_t size);

/*
 * Parses the arguments of `cl`, starting at index `first` (1 when the
 * firmware passed the program's own name first, as the shell does).
 * Returns RT_EINVAL, after logging the offending argument, on an unknown
 * option or a missing value.
 */
rt_status options_parse(const struct cmdline *cl, unsigned first, struct efikexec_opts *o);

/* True when the first argument is this program's own name (the shell passes
 * it; a boot entry's optional data usually does not). */
bool options_first_is_program(const struct cmdline *cl);

/*
 * Is LoadOptions (`bytes` long) text to parse? The UEFI shell, systemd-boot
 * and GRUB give NUL-terminated UTF-16. A firmware boot entry may give
 * binary data: EDK II gives the boot options it makes itself 16 bytes of
 * a GUID, unterminated. Text: a first unit above 0x1F (systemd-stub's
 * test) and a NUL within the buffer, or else nothing but printable ASCII.
 */
bool options_are_text(const uint16_t *opt, size_t bytes);

/* Does s end in suffix (lowercase), compared case-insensitively? */
bool has_suffix_ci(const char *s, const char *suffix);

extern const char options_usage[];

#endif
