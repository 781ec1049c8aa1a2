/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * cpio.h - the "newc" archives a UKI's companion files reach the OS in,
 * byte for byte as systemd-stub packs them (src/boot/cpio.c, pack_cpio,
 * pack_cpio_literal), so that the digests the stub would extend into PCR 12
 * and 13 are the digests of what efikexec hands on:
 *   - each field 8 lowercase hex digits; ino counts from 1 in each archive;
 *     uid, gid, mtime, dev and rdev 0; nlink 1; check 0;
 *   - the parents of the target folder first (".extra" 0555), the folder
 *     itself at its own mode, then the files (S_IFREG | mode), sorted by
 *     name (the stub's strcmp16: code unit order; names are ASCII);
 *   - names without a leading "/", header and name padded with NULs to 4
 *     bytes from the start of the archive, the data likewise;
 *   - the trailer "TRAILER!!!" with its name size written "0000000B".
 * The kernel's format: Documentation/driver-api/early-userspace/
 * buffer-format.rst. Plain code: host-tested, fuzzed.
 */
#ifndef EFIKEXEC_CPIO_H
#define EFIKEXEC_CPIO_H

#include "rt.h"

#define CPIO_NAME_MAX 255       /* the longest file name the stub packs */

struct cpio_file {
	const char *name;       /* ASCII, no '/' */
	const void *data;
	uint64_t size;
};

/*
 * Whether the stub packs a file of this name from a companion folder:
 * not starting with '.', ASCII only, at most CPIO_NAME_MAX characters,
 * ending in `suffix` and not in `exclude` (both compared ignoring ASCII
 * case; NULL: no condition).
 */
bool cpio_pick(const char *name, const char *suffix, const char *exclude);

/* Sorts files by name, in the stub's order. */
void cpio_sort(struct cpio_file *files, size_t n);

/*
 * The archive of `n` files (in the order given: sort first) under folder
 * `dir` ("/"-separated, no leading "/"): its size when out is NULL, else
 * written to out (max bytes of room). Returns 0 when n is 0, when the
 * folder or a name is unusable, or when it does not fit in max.
 */
size_t cpio_archive(uint8_t *out, size_t max, const char *dir, uint32_t dir_mode, uint32_t file_mode,
		    const struct cpio_file *files, size_t n);

#endif
