/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pe.h - the little of PE/COFF that efikexec reads without running the
 * program: the section table in a file's first bytes, and sections by
 * name (a UKI's .linux, .osrel, .cmdline). Plain code over a buffer: the
 * loader table (boot/uki.c) and the public efikexec_pe_section (efi/api.c;
 * the boot menu's UKI titles) use it. os-release values: lib/osrel.h.
 *
 * PE format (Microsoft, "PE Format", Section Table): the "PE\0\0"
 * signature at the offset stored at 0x3c; the COFF header after it
 * (NumberOfSections at +6, SizeOfOptionalHeader at +20); the section
 * table after the optional header, 40 bytes an entry: Name[8],
 * VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData.
 */
#ifndef EFIKEXEC_PE_H
#define EFIKEXEC_PE_H

#include "../lib/rt.h"

#define PE_SECTION_SIZE 40

struct pe_section {
	uint64_t off, len; /* PointerToRawData; VirtualSize (else SizeOfRawData) */
	bool found;
};

/*
 * The section table of a PE file whose first `len` bytes are `head`: its
 * offset and entry count. False, with why, when `head` is no PE file or
 * its table does not lie within `head`.
 */
bool pe_table(const uint8_t *head, size_t len, uint32_t *table, unsigned *count, char *why,
	      size_t whylen);

/* The first section named `name` (compared as 8 bytes, NUL-padded). */
bool pe_find(const uint8_t *head, uint32_t table, unsigned count, const char *name,
	     struct pe_section *out);


#endif
