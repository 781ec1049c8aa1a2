/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* path.h - user-typed paths into UEFI file paths (pure, host-tested). */
#ifndef EFIKEXEC_PATH_H
#define EFIKEXEC_PATH_H

#include "rt.h"

/*
 * Normalises `path`, relative to `cwd` unless it starts with a slash, into
 * `out` as a UEFI path: backslashes, no "." or "..", never above the root,
 * "\" for the root itself. Either slash is accepted in both inputs.
 * RT_EINVAL for an empty path or one with a volume prefix ("fs0:"),
 * RT_E2BIG when `out` is too small.
 */
rt_status efi_path_join(const char *cwd, const char *path, char *out, size_t size);

#endif
