/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage-files.c - the boot stage: files on its partitions, device paths, the XBOOTLDR partition (stage-int.h).
 */
#include "stage-int.h"

/* --- files ---------------------------------------------------------------------------------- */

static EFI_FILE_HANDLE root[2];

/* The partitions' root folders, closed (the stage gives back what it
 * holds before it returns). */
void close_roots(void)
{
	for (int p = BLS_ESP; p <= BLS_XBOOTLDR; p++)
		if (root[p]) {
			root[p]->Close(root[p]);
			root[p] = NULL;
		}
}

EFI_FILE_HANDLE root_of(enum bls_part p)
{
	EFI_FILE_IO_INTERFACE *sfs;

	if (!root[p] && part[p] && bs->HandleProtocol(part[p], &sfs_guid, (void **)&sfs) == EFI_SUCCESS &&
	    sfs->OpenVolume(sfs, &root[p]) != EFI_SUCCESS)
		root[p] = NULL;
	return root[p];
}

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

EFI_STATUS open_file(enum bls_part p, const char *path, UINT64 mode, EFI_FILE_HANDLE *f)
{
	EFI_FILE_HANDLE root = root_of(p);
	char ep[BLS_PATH_MAX + 2];
	CHAR16 w[BLS_PATH_MAX + 2];

	if (!root)
		return EFI_NOT_FOUND;
	efi_path(path, ep, sizeof(ep));
	return root->Open(root, f, wide(ep, w, RT_ARRAY_SIZE(w)), mode, 0);
}

static EFI_FILE_INFO *file_info(EFI_FILE_HANDLE f)
{
	UINTN size = 0;
	EFI_FILE_INFO *info = NULL;

	if (f->GetInfo(f, &file_info_guid, &size, NULL) != EFI_BUFFER_TOO_SMALL ||
	    bs->AllocatePool(EfiLoaderData, size, (void **)&info) != EFI_SUCCESS)
		return NULL;
	if (f->GetInfo(f, &file_info_guid, &size, info) != EFI_SUCCESS) {
		bs->FreePool(info);
		return NULL;
	}
	return info;
}

/* Does a regular file exist at path? */
bool exists(enum bls_part p, const char *path)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	bool ok = false;

	if (open_file(p, path, EFI_FILE_MODE_READ, &f) != EFI_SUCCESS)
		return false;
	if ((info = file_info(f))) {
		ok = !(info->Attribute & EFI_FILE_DIRECTORY);
		bs->FreePool(info);
	}
	f->Close(f);
	return ok;
}

/* Reads [off, off+len) of an open file into buf: bytes read. */
UINTN read_at(EFI_FILE_HANDLE f, UINT64 off, void *buf, UINTN len)
{
	if (f->SetPosition(f, off) != EFI_SUCCESS || f->Read(f, &len, buf) != EFI_SUCCESS)
		return 0;
	return len;
}

/* A whole file of at most `max` bytes into pool memory, NUL-terminated. */
EFI_STATUS read_file(enum bls_part p, const char *path, UINTN max, char **buf, UINTN *len)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_STATUS s = open_file(p, path, EFI_FILE_MODE_READ, &f);

	*buf = NULL;
	if (s != EFI_SUCCESS)
		return s;
	info = file_info(f);
	if (!info) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	*len = info->FileSize;
	bs->FreePool(info);
	if (*len > max) {
		f->Close(f);
		return EFI_BAD_BUFFER_SIZE;
	}
	s = bs->AllocatePool(EfiLoaderData, *len + 1, (void **)buf);
	if (s == EFI_SUCCESS && read_at(f, 0, *buf, *len) != *len)
		s = EFI_DEVICE_ERROR;
	f->Close(f);
	if (s != EFI_SUCCESS) {
		if (*buf)
			bs->FreePool(*buf);
		*buf = NULL;
		return s;
	}
	(*buf)[*len] = 0;
	return EFI_SUCCESS;
}


/* Calls fn for every regular file in dir. */
void each_file(enum bls_part p, const char *dir, dir_fn fn)
{
	static union {
		EFI_FILE_INFO info;
		uint8_t bytes[sizeof(EFI_FILE_INFO) + 1024];
	} buf;
	EFI_FILE_HANDLE d;
	char name[BLS_NAME_MAX * 3];

	if (open_file(p, dir, EFI_FILE_MODE_READ, &d) != EFI_SUCCESS)
		return;
	for (;;) {
		UINTN size = sizeof(buf);
		size_t units;
		if (d->Read(d, &size, &buf) != EFI_SUCCESS || !size)
			break;
		if (buf.info.Attribute & EFI_FILE_DIRECTORY)
			continue;
		units = (size - SIZE_OF_EFI_FILE_INFO) / 2;
		for (size_t i = 0; i < units; i++)
			if (!buf.info.FileName[i]) {
				units = i;
				break;
			}
		ucs2_to_utf8((const uint16_t *)buf.info.FileName, units, name, sizeof(name));
		fn(p, dir, name);
	}
	d->Close(d);
}

/* Renames dir\old to new (same folder) with SetInfo, then Flush. */
EFI_STATUS rename_file(enum bls_part p, const char *dir, const char *old, const char *new)
{
	char path[BLS_PATH_MAX * 2];
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info, *ni = NULL;
	CHAR16 w[BLS_NAME_MAX];
	size_t units = utf8_to_ucs2(new, (uint16_t *)w, RT_ARRAY_SIZE(w));
	UINTN size = SIZE_OF_EFI_FILE_INFO + (units + 1) * 2;
	EFI_STATUS s;

	rt_snprintf(path, sizeof(path), "%s\\%s", dir, old);
	s = open_file(p, path, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, &f);
	if (s != EFI_SUCCESS)
		return s;
	info = file_info(f);
	if (!info || units >= RT_ARRAY_SIZE(w) ||
	    (s = bs->AllocatePool(EfiLoaderData, size, (void **)&ni)) != EFI_SUCCESS) {
		s = info && units < RT_ARRAY_SIZE(w) ? s : EFI_BAD_BUFFER_SIZE;
	} else {
		RT_FN(memcpy)(ni, info, SIZE_OF_EFI_FILE_INFO);
		ni->Size = size;
		RT_FN(memcpy)(ni->FileName, w, (units + 1) * 2);
		s = f->SetInfo(f, &file_info_guid, size, ni);
		if (s == EFI_SUCCESS)
			s = f->Flush(f);
	}
	if (ni)
		bs->FreePool(ni);
	if (info)
		bs->FreePool(info);
	f->Close(f);
	return s;
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
 * The XBOOTLDR partition on the disk of our ESP: the GPT read through the
 * disk's BlockIo (the ESP's device path without its hard-drive node), the
 * entry of type bc13c2ff-..., then the file system whose hard-drive node
 * carries that entry's unique GUID (the search systemd-boot's
 * partition_open makes).
 */
EFI_HANDLE find_xbootldr(void)
{
	const EFI_DEVICE_PATH *path;
	const uint8_t *hd = hd_node(part[BLS_ESP], &path);
	uint8_t prefix[512], want[16];
	size_t plen;
	EFI_DEVICE_PATH *rest;
	EFI_HANDLE disk, found = NULL, *h = NULL;
	EFI_BLOCK_IO *bio;
	EFI_PHYSICAL_ADDRESS buf = 0;
	UINTN pages = 0, nh = 0;
	bool have = false;

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
	uint32_t bsz = bio->Media->BlockSize;
	if (bsz < 512 || bsz > 4096)
		return NULL;
	/* the header, then the whole entry array: both CRC32s checked before
	 * any entry is believed (lib/gpt.c, as systemd-boot's verify_gpt) */
	struct gpt_header gh;
	struct gpt_entry ge;
	char why[160] = "";
	bool read;
	/* (pages: a block device's buffer alignment, IoAlign, is at most a page) */
	if (bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &buf) != EFI_SUCCESS)
		return NULL;
	read = bio->ReadBlocks(bio, bio->Media->MediaId, 1, bsz, (void *)(uintptr_t)buf) == EFI_SUCCESS;
	read = read && gpt_header((const uint8_t *)(uintptr_t)buf, bsz, 1, &gh, why, sizeof(why));
	bs->FreePages(buf, 1);
	buf = 0;
	if (!read) {
		if (why[0])
			say(EFIKEXEC_LOG_WARN, "stage", "the ESP's disk: its GPT is not to be trusted (%s); no XBOOTLDR partition looked for", why);
		return NULL;
	}
	size_t bytes = (size_t)gh.count * gh.entry_size, rounded = (bytes + bsz - 1) / bsz * bsz;
	pages = (rounded + 4095) / 4096;
	if (!pages || bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &buf) != EFI_SUCCESS)
		return NULL;
	uint8_t *b = (uint8_t *)(uintptr_t)buf;
	bool trusted = false;
	if (bio->ReadBlocks(bio, bio->Media->MediaId, gh.entries_lba, rounded, b) != EFI_SUCCESS)
		rt_snprintf(why, sizeof(why), "its %zu bytes of entries cannot be read", bytes);
	else
		trusted = gpt_entries(&gh, b, rounded, why, sizeof(why));
	if (!trusted)
		say(EFIKEXEC_LOG_WARN, "stage", "the ESP's disk: its GPT is not to be trusted (%s); no XBOOTLDR partition looked for", why);
	for (uint32_t i = 0; trusted && i < gh.count && !have; i++)
		if (gpt_entry(&gh, b, i, &ge, why, sizeof(why)) && !RT_FN(memcmp)(ge.type, &xbootldr_type, 16)) {
			RT_FN(memcpy)(want, ge.uuid, 16);
			have = true;
		}
	bs->FreePages(buf, pages);
	if (!have || bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &nh, &h) != EFI_SUCCESS)
		return NULL;
	for (UINTN i = 0; i < nh && !found; i++) {
		const uint8_t *n = hd_node(h[i], NULL);
		if (n && !RT_FN(memcmp)(n + 24, want, 16))
			found = h[i];
	}
	bs->FreePool(h);
	return found;
}
