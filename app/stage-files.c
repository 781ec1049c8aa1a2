/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage-files.c - the boot stage: its partitions as the library's volumes, device paths, the XBOOTLDR
 * partition (stage-int.h).
 */
#include "stage-int.h"

/* --- files ---------------------------------------------------------------------------------- */
/* The stage reads its partitions through the library's file calls
 * (include/efikexec.h, "files on a volume"); here a partition becomes the
 * volume handle those take. A partition the stage does not have (no
 * XBOOTLDR; started over the network) holds no files. */

/* "/a/b" or "a\b" as "\a\b". */
void efi_path(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (*in != '/' && *in != '\\' && n + 1 < size)
		out[n++] = '\\';
	for (; *in && n + 1 < size; in++)
		out[n++] = *in == '/' ? '\\' : *in;
	out[n] = 0;
}

/* Does a regular file exist at path? */
bool exists(enum bls_part p, const char *path)
{
	struct efikexec_file_info i = { .struct_size = sizeof(i) };

	return part[p] && efikexec_file_info(part[p], path, &i) == EFIKEXEC_SUCCESS && i.kind == EFIKEXEC_FILE_REGULAR;
}

/* A whole file of at most `max` bytes, NUL-terminated; free it with
 * efikexec_file_free. EFIKEXEC_NOT_FOUND is said nowhere. */
efikexec_status read_file(enum bls_part p, const char *path, uint64_t max, char **buf, uint64_t *len)
{
	*buf = NULL;
	if (!part[p])
		return EFIKEXEC_NOT_FOUND;
	return efikexec_file_load(part[p], path, max, (void **)buf, len);
}

struct each {
	enum bls_part p;
	dir_fn fn;
};
static void EFIKEXEC_API each_one(void *ctx, const char *dir, const char *name, uint64_t size)
{
	const struct each *e = ctx;

	(void)size;
	e->fn(e->p, dir, name);
}

/* Calls fn for every regular file in dir. */
void each_file(enum bls_part p, const char *dir, dir_fn fn)
{
	struct each e = { p, fn };

	if (part[p])
		efikexec_folder_list(part[p], dir, each_one, &e);
}

/* --- device paths ---------------------------------------------------------------------------- */

unsigned dp_len(const EFI_DEVICE_PATH *n)
{
	return n->Length[0] | n->Length[1] << 8;
}

const EFI_DEVICE_PATH *dp_next(const EFI_DEVICE_PATH *n)
{
	return (const EFI_DEVICE_PATH *)((const uint8_t *)n + dp_len(n));
}

bool dp_end(const EFI_DEVICE_PATH *n)
{
	return n->Type == 0x7f || dp_len(n) < 4;
}

/* The GPT hard-drive node (MEDIA 4, HARDDRIVE 1, signature type 2 = GUID)
 * of a handle's device path: where it starts, or NULL. */
const uint8_t *hd_node(EFI_HANDLE h, const EFI_DEVICE_PATH **path)
{
	EFI_DEVICE_PATH *dp;

	if (!h || bs->HandleProtocol(h, &dp_guid, (void **)&dp) != EFI_SUCCESS)
		return NULL;
	if (path)
		*path = dp;
	for (const EFI_DEVICE_PATH *n = dp; !dp_end(n); n = dp_next(n))
		if (n->Type == 4 && n->SubType == 1 && dp_len(n) >= 42 && ((const uint8_t *)n)[41] == 2)
			return (const uint8_t *)n;
	return NULL;
}

void guid_text(const uint8_t *g, char *out, size_t size)
{
	/* the first three fields little-endian (UEFI spec, Appendix A) */
	rt_snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2],
		    g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* The image's own path from LoadedImage->FilePath's file-path nodes. */
void own_path(void)
{
	size_t n = 0;

	image_path[0] = 0;
	for (const EFI_DEVICE_PATH *d = li->FilePath; d && !dp_end(d); d = dp_next(d)) {
		if (d->Type != 4 || d->SubType != 4)
			continue;
		const CHAR16 *w = (const CHAR16 *)((const uint8_t *)d + 4);
		size_t units = (dp_len(d) - 4) / 2;
		if (n && image_path[n - 1] != '\\' && n + 1 < sizeof(image_path))
			image_path[n++] = '\\';
		for (size_t i = 0; i < units && w[i] && n + 4 < sizeof(image_path); i++) {
			if (i == 0 && w[i] == '\\' && n && image_path[n - 1] == '\\')
				continue;
			n += ucs2_to_utf8((const uint16_t *)&w[i], 1, image_path + n, sizeof(image_path) - n);
		}
	}
	image_path[n] = 0;
}

/*
 * One copy of the GPT at `lba`: the header, then the whole entry array,
 * both CRC32s checked before any entry is believed (lib/gpt.c, as
 * systemd-boot's verify_gpt). 1: trusted, *uuid the XBOOTLDR entry's
 * unique GUID; 0: trusted, no XBOOTLDR entry; -1: not trusted (why).
 * *alt: where the header read says its other copy is, checked or not.
 */
static int gpt_copy(EFI_BLOCK_IO *bio, uint64_t lba, uint8_t uuid[16], uint64_t *alt, char *why, size_t wlen)
{
	uint32_t bsz = bio->Media->BlockSize;
	EFI_PHYSICAL_ADDRESS buf = 0;
	struct gpt_header gh;
	struct gpt_entry ge;
	char skip[160];
	int found = -1;
	bool ok;

	*alt = 0;
	/* (pages: a block device's buffer alignment, IoAlign, is at most a page) */
	if (bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &buf) != EFI_SUCCESS) {
		rt_snprintf(why, wlen, "no memory to read it");
		return -1;
	}
	ok = bio->ReadBlocks(bio, bio->Media->MediaId, lba, bsz, (void *)(uintptr_t)buf) == EFI_SUCCESS;
	if (!ok)
		rt_snprintf(why, wlen, "its header cannot be read");
	else
		*alt = gpt_alternate((const uint8_t *)(uintptr_t)buf, bsz);
	ok = ok && gpt_header((const uint8_t *)(uintptr_t)buf, bsz, lba, &gh, why, wlen);
	bs->FreePages(buf, 1);
	if (!ok)
		return -1;
	size_t bytes = (size_t)gh.count * gh.entry_size, rounded = (bytes + bsz - 1) / bsz * bsz;
	UINTN pages = (rounded + 4095) / 4096;
	if (!pages || bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &buf) != EFI_SUCCESS) {
		rt_snprintf(why, wlen, "no memory for its %zu bytes of entries", bytes);
		return -1;
	}
	const uint8_t *b = (const uint8_t *)(uintptr_t)buf;
	if (bio->ReadBlocks(bio, bio->Media->MediaId, gh.entries_lba, rounded, (void *)(uintptr_t)buf) != EFI_SUCCESS)
		rt_snprintf(why, wlen, "its %zu bytes of entries cannot be read", bytes);
	else if (gpt_entries(&gh, b, rounded, why, wlen))
		found = 0;
	for (uint32_t i = 0; found == 0 && i < gh.count; i++)
		if (gpt_entry(&gh, b, i, &ge, skip, sizeof(skip)) && !RT_FN(memcmp)(ge.type, &xbootldr_type, 16)) {
			RT_FN(memcpy)(uuid, ge.uuid, 16);
			found = 1;
		}
	bs->FreePages(buf, pages);
	return found;
}

/*
 * The XBOOTLDR partition on the disk of our ESP: the GPT read through the
 * disk's BlockIo (the ESP's device path without its hard-drive node), the
 * entry of type bc13c2ff-..., then the file system whose hard-drive node
 * carries that entry's unique GUID (the search systemd-boot's
 * partition_open makes). The copies of the GPT are tried as systemd-boot's
 * find_gpt_partition tries them: LBA 1, then where that header says the
 * backup is, then the disk's last block; each that fails is said.
 * (EDK II rewrites a broken primary from the backup before any loader
 * runs; U-Boot uses the backup as it is.)
 */
EFI_HANDLE find_xbootldr(void)
{
	const EFI_DEVICE_PATH *path;
	const uint8_t *hd = hd_node(part[BLS_ESP], &path);
	uint8_t prefix[512], want[16];
	uint64_t alt = 0;
	char why[160];
	size_t plen;
	EFI_DEVICE_PATH *rest;
	EFI_HANDLE disk, found = NULL, *h = NULL;
	EFI_BLOCK_IO *bio;
	UINTN nh = 0;
	int have = -1;

	if (!hd)
		return NULL; /* not a GPT partition */
	plen = (size_t)(hd - (const uint8_t *)path);
	if (plen + 4 > sizeof(prefix))
		return NULL;
	RT_FN(memcpy)(prefix, path, plen);
	RT_FN(memcpy)(prefix + plen, (uint8_t[]){ 0x7f, 0xff, 4, 0 }, 4);
	rest = (EFI_DEVICE_PATH *)prefix;
	if (bs->LocateDevicePath(&blockio_guid, &rest, &disk) != EFI_SUCCESS || !dp_end(rest) ||
	    bs->HandleProtocol(disk, &blockio_guid, (void **)&bio) != EFI_SUCCESS || bio->Media->LogicalPartition)
		return NULL;
	if (bio->Media->BlockSize < 512 || bio->Media->BlockSize > 4096)
		return NULL;
	for (unsigned copy = 0; copy < 3 && have < 0; copy++) {
		uint64_t lba = gpt_copy_lba(copy, alt, bio->Media->LastBlock), next;
		if (!lba)
			continue;
		have = gpt_copy(bio, lba, want, &next, why, sizeof(why));
		if (copy == 0)
			alt = next;
		if (have < 0)
			say(EFIKEXEC_LOG_WARN, "stage", "the ESP's disk: its GPT at LBA %llu is not to be trusted (%s)",
			    (unsigned long long)lba, why);
		else if (copy)
			say(EFIKEXEC_LOG_INFO, "stage", "the ESP's disk: the GPT's copy at LBA %llu is used",
			    (unsigned long long)lba);
	}
	if (have < 0)
		say(EFIKEXEC_LOG_WARN, "stage", "the ESP's disk: no copy of its GPT is to be trusted; no XBOOTLDR partition looked for");
	if (have <= 0 || bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &nh, &h) != EFI_SUCCESS)
		return NULL;
	for (UINTN i = 0; i < nh && !found; i++) {
		const uint8_t *n = hd_node(h[i], NULL);
		if (n && !RT_FN(memcmp)(n + 24, want, 16))
			found = h[i];
	}
	bs->FreePool(h);
	return found;
}
