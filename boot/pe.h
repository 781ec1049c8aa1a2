/*
 * pe.h - the little of PE/COFF that efikexec reads without running the
 * program: the section table in a file's first bytes, and sections by
 * name (a UKI's .linux, .osrel, .cmdline; the boot menu's titles), plus
 * os-release(5) values. Plain code over a buffer: the loader table
 * (boot/uki.c) and the boot menu (efi/stage.c) share it.
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

/*
 * The value of KEY in os-release text (KEY=VALUE lines, the value maybe in
 * single or double quotes). Writes at most `size` bytes with the NUL;
 * false (out empty) when KEY is not there or its value is empty.
 */
bool osrel_value(const char *text, const char *key, char *out, size_t size);

#endif
