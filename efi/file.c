/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * file.c - reading files from the volume efikexec was loaded from, through
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL (UEFI 2.10, 13.4-13.5).
 *
 * Sizes come from EFI_FILE_INFO and every read is checked against them: a
 * FAT driver may return fewer bytes than asked, and a file may shrink under
 * us, so a short read is reported as truncation, never passed on as data.
 */
#include "efi.h"
#include "net.h"
#include "../lib/cmdline.h"
#include "../lib/url.h"

/* Large reads in pieces: some firmware file drivers choke on huge requests. */
#define READ_CHUNK (16u << 20)

static EFI_FILE_HANDLE volume_root(EFI_HANDLE volume, EFI_STATUS *st)
{
	static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
	EFI_FILE_HANDLE root;

	*st = efi_bs->HandleProtocol(volume ? volume : efi_loaded_image->DeviceHandle, &sfs_guid,
				     (void **)&sfs);
	if (EFI_ERROR(*st)) {
		if (volume)
			efi_fail(*st, "file", "the volume handle %p has no file system", volume);
		else
			efi_fail(*st, "file", "the device efikexec was loaded from has no file system");
		return NULL;
	}
	*st = sfs->OpenVolume(sfs, &root);
	if (EFI_ERROR(*st)) {
		efi_fail(*st, "file", "cannot open the volume %s", volume ? "given" : "efikexec was loaded from");
		return NULL;
	}
	return root;
}

/* The folder efikexec.efi was loaded from, from the last file path node of
 * its device path, e.g. "\EFI\BOOT". Empty when unknown (the root). */
static void image_dir(char *out, size_t size)
{
	const uint8_t *dp = (const uint8_t *)efi_loaded_image->FilePath;
	char path[256] = "";

	out[0] = '\0';
	if (!dp)
		return;
	for (int guard = 0; guard < 64; guard++) {
		uint8_t type = dp[0], sub = dp[1];
		UINTN len = dp[2] | (UINTN)dp[3] << 8;
		if (type == END_DEVICE_PATH_TYPE || len < 4)
			break;
		if (type == MEDIA_DEVICE_PATH && sub == MEDIA_FILEPATH_DP) {
			/* Nodes concatenate: "\EFI" + "\BOOT\BOOTX64.EFI". */
			char part[256];
			const uint16_t *name = (const uint16_t *)(dp + 4);
			ucs2_to_utf8(name, (len - 4) / 2, part, sizeof(part));
			size_t have = RT_FN(strlen)(path);
			rt_snprintf(path + have, sizeof(path) - have, "%s%s",
				    (have && part[0] != '\\') ? "\\" : "", part);
		}
		dp += len;
	}
	char *slash = RT_FN(strrchr)(path, '\\');
	if (slash)
		*slash = '\0';
	rt_snprintf(out, size, "%s", path);
}

EFI_STATUS efi_file_path(void *volume, const char *path, char *out, size_t size)
{
	char cwd[256];

	if (volume)
		cwd[0] = '\0'; /* another volume: its root */
	else
		image_dir(cwd, sizeof(cwd));
	if (efi_path_join(cwd, path, out, size) != RT_OK)
		return efi_fail(EFI_INVALID_PARAMETER, "file", "%s: not a usable path", path);
	return EFI_SUCCESS;
}

EFI_STATUS efi_dir_each(void *volume, const char *dir, efi_dir_fn fn, void *ctx)
{
	static union {
		EFI_FILE_INFO info;
		uint8_t bytes[sizeof(EFI_FILE_INFO) + 1024];
	} u;
	char path[256], name[768];
	uint16_t wpath[256];
	EFI_FILE_HANDLE root, h;
	EFI_STATUS st;

	if (EFI_ERROR((st = efi_file_path(volume, dir, path, sizeof(path)))))
		return st;
	if (utf8_to_ucs2(path, wpath, RT_ARRAY_SIZE(wpath)) >= RT_ARRAY_SIZE(wpath))
		return efi_fail(EFI_INVALID_PARAMETER, "file", "%s: path longer than %zu characters", path,
				RT_ARRAY_SIZE(wpath) - 1);
	root = volume_root(volume, &st);
	if (!root)
		return st;
	st = efi_fault("Open") ? EFI_DEVICE_ERROR : root->Open(root, &h, (CHAR16 *)wpath, EFI_FILE_MODE_READ, 0);
	root->Close(root);
	if (st == EFI_NOT_FOUND)
		return st; /* no such folder: nothing in it */
	if (EFI_ERROR(st))
		return efi_fail(st, "file", "%s: cannot open", path);
	for (;;) {
		UINTN size = sizeof(u);
		size_t units;
		st = h->Read(h, &size, &u);
		if (EFI_ERROR(st)) {
			efi_fail(st, "file", "%s: cannot read the folder", path);
			break;
		}
		if (!size)
			break;
		if (u.info.Attribute & EFI_FILE_DIRECTORY)
			continue;
		/* FileName runs past its declared one element: read it as the
		 * bytes after the fixed part it is */
		const uint16_t *wname = (const uint16_t *)(u.bytes + SIZE_OF_EFI_FILE_INFO);
		units = size > SIZE_OF_EFI_FILE_INFO ? (size - SIZE_OF_EFI_FILE_INFO) / 2 : 0;
		for (size_t i = 0; i < units; i++)
			if (!wname[i]) {
				units = i;
				break;
			}
		ucs2_to_utf8(wname, units, name, sizeof(name));
		fn(ctx, path, name, u.info.FileSize);
	}
	h->Close(h);
	return st;
}

EFI_STATUS efi_file_open(const char *path, struct efi_file *f)
{
	return efi_file_open_on(NULL, path, f);
}

EFI_STATUS efi_file_open_on(void *volume, const char *path, struct efi_file *f)
{
	return efi_file_open_how(volume, path, 0, f);
}

/* Opens f->path on volume with mode; quiet: EFI_NOT_FOUND is not said. */
static EFI_STATUS open_path(void *volume, struct efi_file *f, UINT64 mode, bool quiet)
{
	uint16_t wpath[256];
	EFI_FILE_HANDLE root, h;
	EFI_STATUS st;

	if (utf8_to_ucs2(f->path, wpath, RT_ARRAY_SIZE(wpath)) >= RT_ARRAY_SIZE(wpath))
		return efi_fail(EFI_INVALID_PARAMETER, "file", "%s: path longer than %zu characters",
				f->path, RT_ARRAY_SIZE(wpath) - 1);
	root = volume_root(volume, &st);
	if (!root)
		return st;
	st = efi_fault("Open") ? EFI_DEVICE_ERROR : root->Open(root, &h, (CHAR16 *)wpath, mode, 0);
	root->Close(root);
	if (st == EFI_NOT_FOUND && quiet)
		return st;
	if (EFI_ERROR(st))
		return efi_fail(st, "file", "%s: cannot open", f->path);
	f->handle = h;
	return EFI_SUCCESS;
}

/* The open file's EFI_FILE_INFO into pool memory (efi_bs->FreePool). */
static EFI_STATUS file_info(struct efi_file *f, EFI_FILE_INFO **out)
{
	static EFI_GUID info_guid = EFI_FILE_INFO_ID;
	EFI_FILE_HANDLE h = f->handle;
	UINTN size = 0;
	EFI_STATUS st;

	*out = NULL;
	st = h->GetInfo(h, &info_guid, &size, NULL);
	if (st == EFI_BUFFER_TOO_SMALL)
		st = efi_bs->AllocatePool(EfiLoaderData, size, (void **)out);
	if (!EFI_ERROR(st) && EFI_ERROR((st = h->GetInfo(h, &info_guid, &size, *out)))) {
		efi_bs->FreePool(*out);
		*out = NULL;
	}
	if (EFI_ERROR(st))
		return efi_fail(st == EFI_SUCCESS ? EFI_DEVICE_ERROR : st, "file", "%s: cannot get its size",
				f->path);
	return EFI_SUCCESS;
}

EFI_STATUS efi_file_open_how(void *volume, const char *path, unsigned how, struct efi_file *f)
{
	char cwd[256];
	EFI_FILE_INFO *info;
	EFI_STATUS st;

	f->handle = NULL;
	f->net = NULL;
	f->folder = false;
	if (url_is(path)) {
		if (how & (EFI_OPEN_WRITE | EFI_OPEN_FOLDER))
			return efi_fail(EFI_UNSUPPORTED, "file", "%s: a URL is not a file on a volume", path);
		return efi_net_open(path, UINT64_MAX, f);
	}
	if (volume)
		cwd[0] = '\0'; /* another volume: its root */
	else
		image_dir(cwd, sizeof(cwd));
	if (efi_path_join(cwd, path, f->path, sizeof(f->path)) != RT_OK)
		return efi_fail(EFI_INVALID_PARAMETER, "file", "%s: not a usable path", path);
	st = open_path(volume, f, EFI_FILE_MODE_READ | (how & EFI_OPEN_WRITE ? EFI_FILE_MODE_WRITE : 0),
		       how & EFI_OPEN_QUIET);
	if (EFI_ERROR(st))
		return st;
	if (EFI_ERROR((st = file_info(f, &info)))) {
		efi_file_close(f);
		return st;
	}
	f->size = info->FileSize;
	f->folder = info->Attribute & EFI_FILE_DIRECTORY;
	efi_bs->FreePool(info);
	if (f->folder && !(how & EFI_OPEN_FOLDER)) {
		efi_file_close(f);
		return efi_fail(EFI_INVALID_PARAMETER, "file", "%s: is a directory, not a file", f->path);
	}
	return EFI_SUCCESS;
}

EFI_STATUS efi_file_rename(void *volume, const char *path, const char *name)
{
	static EFI_GUID info_guid = EFI_FILE_INFO_ID;
	struct efi_file f;
	EFI_FILE_INFO *info, *ni = NULL;
	uint16_t w[256];
	size_t units = utf8_to_ucs2(name, w, RT_ARRAY_SIZE(w));
	UINTN size = SIZE_OF_EFI_FILE_INFO + (units + 1) * 2;
	EFI_STATUS st;

	if (!*name || units >= RT_ARRAY_SIZE(w) || RT_FN(strchr)(name, '\\') || RT_FN(strchr)(name, '/'))
		return efi_fail(EFI_INVALID_PARAMETER, "file", "%s: \"%s\" is not a file name (1 to %zu characters, no slash)",
				path, name, RT_ARRAY_SIZE(w) - 1);
	if (EFI_ERROR((st = efi_file_open_how(volume, path, EFI_OPEN_WRITE | EFI_OPEN_QUIET, &f))))
		return st;
	if (EFI_ERROR((st = file_info(&f, &info)))) {
		efi_file_close(&f);
		return st;
	}
	st = efi_bs->AllocatePool(EfiLoaderData, size, (void **)&ni);
	if (!EFI_ERROR(st)) {
		EFI_FILE_HANDLE h = f.handle;
		RT_FN(memcpy)(ni, info, SIZE_OF_EFI_FILE_INFO);
		ni->Size = size;
		RT_FN(memcpy)(ni->FileName, w, (units + 1) * 2);
		st = efi_fault("SetInfo") ? EFI_DEVICE_ERROR : h->SetInfo(h, &info_guid, size, ni);
		if (!EFI_ERROR(st))
			st = h->Flush(h);
		efi_bs->FreePool(ni);
	}
	efi_bs->FreePool(info);
	efi_file_close(&f);
	if (EFI_ERROR(st))
		return efi_fail(st, "file", "%s: cannot rename it to %s", f.path, name);
	return EFI_SUCCESS;
}

EFI_STATUS efi_file_read(struct efi_file *f, uint64_t off, void *buf, uint64_t len)
{
	EFI_FILE_HANDLE h = f->handle;
	uint8_t *p = buf;
	EFI_STATUS st;

	if (f->net)
		return efi_net_read(f, off, buf, len);
	if (off > f->size || len > f->size - off)
		return efi_fail(EFI_END_OF_FILE, "file",
				"%s: read of %llu bytes at %llu passes its end (%llu bytes)",
				f->path, (unsigned long long)len, (unsigned long long)off,
				(unsigned long long)f->size);
	st = h->SetPosition(h, off);
	if (EFI_ERROR(st))
		return efi_fail(st, "file", "%s: cannot seek to %llu", f->path,
				(unsigned long long)off);
	while (len) {
		UINTN want = len > READ_CHUNK ? READ_CHUNK : (UINTN)len;
		UINTN got = want;
		st = efi_fault("Read") ? EFI_DEVICE_ERROR : h->Read(h, &got, p);
		if (EFI_ERROR(st))
			return efi_fail(st, "file", "%s: read error at offset %llu", f->path,
					(unsigned long long)(p - (uint8_t *)buf + off));
		if (got == 0)
			return efi_fail(EFI_END_OF_FILE, "file",
					"%s: truncated: ends at %llu, expected %llu bytes", f->path,
					(unsigned long long)(p - (uint8_t *)buf + off),
					(unsigned long long)f->size);
		p += got;
		len -= got;
	}
	return EFI_SUCCESS;
}

void efi_file_close(struct efi_file *f)
{
	EFI_FILE_HANDLE h = f->handle;

	efi_net_close(f);
	if (h)
		h->Close(h);
	f->handle = NULL;
}

EFI_STATUS efi_file_load(void *volume, const char *path, uint64_t max_size, void **buf, uint64_t *size)
{
	struct efi_file f;
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;
	UINTN pages;

	st = url_is(path) ? efi_net_open(path, max_size, &f) : efi_file_open_on(volume, path, &f);
	if (EFI_ERROR(st))
		return st;
	if (f.size > max_size) {
		efi_file_close(&f);
		return efi_fail(EFI_BAD_BUFFER_SIZE, "file", "%s: %llu bytes, more than the limit of %llu",
				f.path, (unsigned long long)f.size, (unsigned long long)max_size);
	}
	pages = (UINTN)((f.size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);
	if (pages == 0)
		pages = 1;
	st = efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st)) {
		efi_file_close(&f);
		return efi_fail(st, "file", "%s: no memory for its %llu bytes", f.path,
				(unsigned long long)f.size);
	}
	st = efi_file_read(&f, 0, (void *)(uintptr_t)addr, f.size);
	if (!EFI_ERROR(st))
		st = efi_net_finish(&f); /* a URL's pin */
	efi_file_close(&f);
	if (EFI_ERROR(st)) {
		efi_bs->FreePages(addr, pages);
		return st;
	}
	*buf = (void *)(uintptr_t)addr;
	*size = f.size;
	return EFI_SUCCESS;
}

void efi_file_unload(void *buf, uint64_t size)
{
	UINTN pages = (UINTN)((size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);

	efi_bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)buf, pages ? pages : 1);
}

/* A file as a source for the loader table (boot/loader.h). */
static rt_status src_read(struct ld_src *s, uint64_t off, void *buf, uint64_t len)
{
	EFI_STATUS st = efi_file_read(s->ctx, off, buf, len);

	if (st == EFI_END_OF_FILE)
		return RT_ETRUNC;
	if (st == EFIERR(33)) /* EFI_COMPROMISED_DATA: a URL's pinned digest */
		return RT_EDIGEST;
	return EFI_ERROR(st) ? RT_EINVAL : RT_OK;
}

void efi_file_src(struct efi_file *f, struct ld_src *s)
{
	*s = (struct ld_src){ .size = f->size, .read = src_read, .ctx = f };
	rt_snprintf(s->name, sizeof(s->name), "%s", f->path);
}
