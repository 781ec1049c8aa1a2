/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * osrel.h - os-release text (os-release(5): KEY=VALUE lines), as a UKI's
 * .osrel section carries it: read by the loader table (a UKI's name in the
 * plan) and by efikexec.efi's boot stage (menu titles, versions, sort keys).
 */
#ifndef EFIKEXEC_OSREL_H
#define EFIKEXEC_OSREL_H

#include "rt.h"

/*
 * The value of KEY in os-release text (KEY=VALUE lines, the value maybe in
 * single or double quotes). Writes at most `size` bytes with the NUL;
 * false (out empty) when KEY is not there or its value is empty.
 */
bool osrel_value(const char *text, const char *key, char *out, size_t size);

#endif
