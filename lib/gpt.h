/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * gpt.h - a GUID Partition Table checked before it is believed (UEFI 2.10,
 * 5.3 "GUID Partition Table (GPT) Disk Layout": the header's and the entry
 * array's CRC32s, the sizes), as plain code over bytes already read: the
 * boot stage's XBOOTLDR search (app/stage.c) and efikexec-install's
 * partition of the ESP (tools/efikexec-install.c) both read a disk's GPT
 * through it, as systemd-boot checks both CRCs before it trusts a table
 * (src/boot/part-discovery.c verify_gpt).
 */
#ifndef EFIKEXEC_GPT_H
#define EFIKEXEC_GPT_H

#include "rt.h"

#define GPT_HEADER_MIN 92        /* HeaderSize: at least the fields UEFI defines */
#define GPT_ENTRY_MIN 128        /* SizeOfPartitionEntry: 128 x 2^n */
#define GPT_ENTRY_MAX 4096
#define GPT_ENTRIES_MAX (1u << 20) /* bytes of an entry array efikexec reads */

struct gpt_header {
	uint64_t my_lba, first_usable, last_usable, entries_lba;
	uint32_t count, entry_size, entries_crc;
	uint8_t disk_guid[16];
};

/* The IEEE 802.3 CRC32 UEFI's CalculateCrc32 computes, continued from
 * `crc` (0 to start). */
uint32_t gpt_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * The header in block[0, bsz), read from LBA `lba` (1: the primary):
 * "EFI PART", a HeaderSize from 92 to the block size, its CRC32 (over
 * HeaderSize bytes with the CRC field taken as 0), MyLBA = lba, an entry
 * size of 128 x 2^n up to 4096, an entry array of at most
 * GPT_ENTRIES_MAX bytes. False, with why, when any of it fails.
 */
bool gpt_header(const uint8_t *block, size_t bsz, uint64_t lba, struct gpt_header *out, char *why, size_t whylen);

/* Where the header in block[0, bsz) says its other copy is (AlternateLBA),
 * read though the header may fail its checks (the primary's CRC broken:
 * where the backup lies), as systemd-boot's find_gpt_partition looks; 0
 * when the block does not start "EFI PART". Only a place to look: the copy
 * found there is checked as any other. */
uint64_t gpt_alternate(const uint8_t *block, size_t bsz);

/* Where copy `copy` (0, 1, 2) of a disk's GPT is looked for, in
 * systemd-boot's order (find_gpt_partition): LBA 1, then `alt` (the
 * primary's gpt_alternate), then the disk's last block `last`
 * (UINT64_MAX: unknown). 0: nothing to look at there (no such block, or
 * one an earlier copy was read from). */
uint64_t gpt_copy_lba(unsigned copy, uint64_t alt, uint64_t last);

/* The entry array's CRC32 over its count x entry size bytes in buf. */
bool gpt_entries(const struct gpt_header *h, const uint8_t *buf, size_t len, char *why, size_t whylen);

/*
 * Entry `i` of a checked array: its type and unique GUIDs, first LBA and
 * size in blocks. False when the entry is unused (no type) or says
 * nothing sane (last LBA before its first, or outside the usable range):
 * then *why says which, to follow "partition N" ("is unused ...").
 */
struct gpt_entry {
	uint8_t type[16], uuid[16];
	uint64_t first, blocks;
};
bool gpt_entry(const struct gpt_header *h, const uint8_t *buf, uint32_t i, struct gpt_entry *out, char *why,
	       size_t whylen);

#endif
