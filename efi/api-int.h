/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * api-int.h - what the public API's files share: api.c (the library's
 * state, requests, plan and boot) and api-tools.c (capture state, files,
 * the network, the plain helpers). Every public function runs between
 * api_enter() and api_leave() (the API macros); what failed is in
 * api_last_error for efikexec_last_error().
 */
#ifndef EFIKEXEC_EFI_API_INT_H
#define EFIKEXEC_EFI_API_INT_H

#include "efi.h"
#include "../include/efikexec.h"

#define API_ERROR_MAX 512
extern char api_last_error[API_ERROR_MAX];

EFI_STATUS api_enter(const char *fn);
efikexec_status api_leave(EFI_STATUS st);
/* Copies min(have, sizeof) bytes of a filled struct to the caller's. */
EFI_STATUS api_give(const char *fn, void *out, uint32_t have, const void *mine, size_t size, size_t v1);

#define API(fn) \
	do { \
		EFI_STATUS st_ = api_enter(fn); \
		if (EFI_ERROR(st_)) \
			return st_; \
	} while (0)
/* The same, returning what `check` (a status) says when it fails. */
#define API_WITH(fn, check) \
	do { \
		EFI_STATUS ch_; \
		API(fn); \
		if (EFI_ERROR((ch_ = (check)))) \
			return api_leave(ch_); \
	} while (0)

#endif
