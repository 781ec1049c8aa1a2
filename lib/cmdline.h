/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * cmdline.h - splitting a command line the way the UEFI shell hands it over.
 *
 * The shell passes LoadOptions as the line the user typed (after its own
 * variable expansion), UCS-2, with the program's own name first. Quotes are
 * still in it. efikexec needs each argument twice: unquoted, to act on it,
 * and raw, as typed, to pass to the kernel unchanged ("everything after
 * KERNEL goes to the kernel exactly as typed", as the kernel's EFI stub does).
 */
#ifndef EFIKEXEC_CMDLINE_H
#define EFIKEXEC_CMDLINE_H

#include "rt.h"

#define CMDLINE_MAX_ARGS 128

struct cmdline_arg {
	const char *raw;   /* as typed, quotes kept (points into the line) */
	size_t raw_len;
	char *value;       /* quotes removed, NUL-terminated (in `storage`) */
};

struct cmdline {
	struct cmdline_arg arg[CMDLINE_MAX_ARGS];
	unsigned argc;
};

/*
 * Splits `line` at unquoted blanks (space, tab, CR, LF). A double quote
 * toggles quoting and is dropped from the value; `^` escapes the next
 * character as in the UEFI shell (Shell spec 2.2, 3.4). `storage` must hold
 * strlen(line) + CMDLINE_MAX_ARGS bytes. Returns RT_E2BIG when there are
 * more than CMDLINE_MAX_ARGS arguments, RT_EINVAL on an unterminated quote.
 */
rt_status cmdline_split(const char *line, struct cmdline *out, char *storage,
			size_t storage_size);

/*
 * UCS-2 (as in EFI strings) to UTF-8. Reads at most `n` code units, stops at
 * a NUL. Unpaired surrogates become U+FFFD. Returns the number of bytes the
 * full conversion needs without the NUL; writes at most `size` bytes
 * including the NUL.
 */
size_t ucs2_to_utf8(const uint16_t *src, size_t n, char *dst, size_t size);

/*
 * UTF-8 to UCS-2. Code points outside the BMP and malformed bytes become
 * U+FFFD. Returns the number of code units needed without the NUL; writes at
 * most `size` units including the NUL.
 */
size_t utf8_to_ucs2(const char *src, uint16_t *dst, size_t size);

#endif
