/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fakefs.c - a volume for the API's host tests (fakefw.h): an
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL on the handle fakefs_volume() whose
 * files are the host buffers fakefs_add() gives, behaving as EDK II's FAT
 * driver does where the file calls care (UEFI 2.10, 13.4-13.5): names
 * match without regard to case, a folder's Read gives one EFI_FILE_INFO
 * per child and EFI_BUFFER_TOO_SMALL with the size needed, GetInfo asks
 * for its size first, SetInfo with another FileName renames. A file may
 * claim more bytes than it has (a truncated file): its reads end early.
 */
#include <efi.h>
#include <efiapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fakefw.h"

#define MAX_FILES 32
static struct ffile {
	char path[256];             /* "\a\b.conf" */
	const void *data;
	uint64_t have, claims;      /* bytes there, bytes GetInfo says */
	bool used;
} files[MAX_FILES];

struct handle {
	EFI_FILE_PROTOCOL p;        /* first: the handle is its protocol */
	char path[256];             /* "" for the root */
	bool folder;
	uint64_t pos;               /* a file's offset, a folder's next child */
};

static EFI_SIMPLE_FILE_SYSTEM_PROTOCOL sfs;

/* snprintf's result: a test path that does not fit is the test's bug. */
static void fit(int n, size_t size)
{
	if (n < 0 || (size_t)n >= size)
		abort();
}
static int volume_tag;

void *fakefs_volume(void)
{
	return &volume_tag;
}

void fakefs_reset(void)
{
	memset(files, 0, sizeof(files));
	fakefw.fs_opens = fakefw.fs_live = fakefw.fs_flushes = 0;
}

void fakefs_add(const char *path, const void *data, uint64_t have, uint64_t claims)
{
	for (int i = 0; i < MAX_FILES; i++)
		if (!files[i].used) {
			files[i] = (struct ffile){ .data = data, .have = have, .claims = claims, .used = true };
			fit(snprintf(files[i].path, sizeof(files[i].path), "%s", path), sizeof(files[i].path));
			return;
		}
	abort();
}

const char *fakefs_name(int i)
{
	return i < MAX_FILES && files[i].used ? files[i].path : NULL;
}

static void narrow(const CHAR16 *w, char *out, size_t size)
{
	size_t n = 0;

	for (; *w && n + 1 < size; w++)
		out[n++] = (char)*w;
	out[n] = 0;
}

static struct ffile *find(const char *path)
{
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].used && !strcasecmp(files[i].path, path))
			return &files[i];
	return NULL;
}

/* Is path a folder: some file lies below it. */
static bool is_folder(const char *path)
{
	size_t n = strlen(path);

	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].used && !strncasecmp(files[i].path, path, n) && files[i].path[n] == '\\')
			return true;
	return false;
}

static EFI_FILE_PROTOCOL *new_handle(const char *path, bool folder);

static EFI_STATUS EFIAPI f_open(EFI_FILE_PROTOCOL *self, EFI_FILE_PROTOCOL **out, CHAR16 *name, UINT64 mode,
				UINT64 attrs)
{
	const struct handle *h = (const struct handle *)self;
	char rel[256], path[512];

	narrow(name, rel, sizeof(rel));
	if (rel[0] == '\\')
		snprintf(path, sizeof(path), "%s", rel);
	else
		snprintf(path, sizeof(path), "%s\\%s", h->path, rel);
	fakefw.fs_opens++;
	if (find(path))
		*out = new_handle(path, false);
	else if (!strcmp(path, "\\") || is_folder(path))
		*out = new_handle(strcmp(path, "\\") ? path : "", true);
	else
		return EFI_NOT_FOUND;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI f_close(EFI_FILE_PROTOCOL *self)
{
	fakefw.fs_live--;
	free(self);
	return EFI_SUCCESS;
}

/* The EFI_FILE_INFO of one name into buf (*size: room, then used). */
static EFI_STATUS info_of(const char *path, bool folder, uint64_t size, void *buf, UINTN *room)
{
	const char *leaf = strrchr(path, '\\');
	size_t units = strlen(leaf ? leaf + 1 : path) + 1;
	UINTN need = SIZE_OF_EFI_FILE_INFO + units * 2;
	EFI_FILE_INFO *fi = buf;

	if (*room < need) {
		*room = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	memset(fi, 0, need);
	fi->Size = need;
	fi->FileSize = folder ? 0 : size;
	fi->Attribute = folder ? EFI_FILE_DIRECTORY : 0;
	for (size_t i = 0; i < units; i++)
		fi->FileName[i] = (CHAR16)(unsigned char)(leaf ? leaf + 1 : path)[i];
	*room = need;
	return EFI_SUCCESS;
}

/* A folder's next child (files, then the folders among their paths). */
static EFI_STATUS read_folder(struct handle *h, UINTN *size, void *buf)
{
	size_t n = strlen(h->path);

	for (; h->pos < MAX_FILES; h->pos++) {
		const struct ffile *f = &files[h->pos];
		const char *rest;
		char child[600];
		if (!f->used || strncasecmp(f->path, h->path, n) || f->path[n] != '\\')
			continue;
		rest = f->path + n + 1;
		bool sub = strchr(rest, '\\') != NULL;
		int len = (int)(sub ? strchr(rest, '\\') - rest : (long)strlen(rest));
		if (snprintf(child, sizeof(child), "%s\\%.*s", h->path, len & 255, rest) >= (int)sizeof(child))
			abort();
		/* a sub-folder once: at its first file */
		bool seen = false;
		for (uint64_t j = 0; sub && j < h->pos; j++)
			seen |= files[j].used && !strncasecmp(files[j].path, child, strlen(child)) &&
				files[j].path[strlen(child)] == '\\';
		if (seen)
			continue;
		EFI_STATUS st = info_of(child, sub, f->claims, buf, size);
		if (st == EFI_SUCCESS)
			h->pos++;
		return st;
	}
	*size = 0;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI f_read(EFI_FILE_PROTOCOL *self, UINTN *size, void *buf)
{
	struct handle *h = (struct handle *)self;
	const struct ffile *f;

	if (h->folder)
		return read_folder(h, size, buf);
	if (!(f = find(h->path)))
		return EFI_DEVICE_ERROR;
	UINTN left = h->pos < f->have ? f->have - h->pos : 0;
	if (*size > left)
		*size = left;
	memcpy(buf, (const uint8_t *)f->data + h->pos, *size);
	h->pos += *size;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI f_set_position(EFI_FILE_PROTOCOL *self, UINT64 pos)
{
	((struct handle *)self)->pos = pos;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI f_get_info(EFI_FILE_PROTOCOL *self, EFI_GUID *type, UINTN *size, void *buf)
{
	const struct handle *h = (const struct handle *)self;
	const struct ffile *f = h->folder ? NULL : find(h->path);

	return info_of(h->path, h->folder, f ? f->claims : 0, buf, size);
}

/* A new FileName renames (within its folder: a name with no slash). */
static EFI_STATUS EFIAPI f_set_info(EFI_FILE_PROTOCOL *self, EFI_GUID *type, UINTN size, void *buf)
{
	struct handle *h = (struct handle *)self;
	const EFI_FILE_INFO *fi = buf;
	struct ffile *f = h->folder ? NULL : find(h->path);
	char name[256], path[512];

	if (!f || size < SIZE_OF_EFI_FILE_INFO + 2)
		return EFI_ACCESS_DENIED;
	narrow(fi->FileName, name, sizeof(name));
	snprintf(path, sizeof(path), "%.*s\\%s", (int)(strrchr(f->path, '\\') - f->path), f->path, name);
	if (find(path) && find(path) != f)
		return EFI_ACCESS_DENIED;
	fit(snprintf(f->path, sizeof(f->path), "%s", path), sizeof(f->path));
	fit(snprintf(h->path, sizeof(h->path), "%s", path), sizeof(h->path));
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI f_flush(EFI_FILE_PROTOCOL *self)
{
	fakefw.fs_flushes++;
	return EFI_SUCCESS;
}

static EFI_FILE_PROTOCOL *new_handle(const char *path, bool folder)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (!h)
		abort();
	h->p.Revision = EFI_FILE_PROTOCOL_REVISION;
	h->p.Open = f_open;
	h->p.Close = f_close;
	h->p.Read = f_read;
	h->p.SetPosition = f_set_position;
	h->p.GetInfo = f_get_info;
	h->p.SetInfo = f_set_info;
	h->p.Flush = f_flush;
	fit(snprintf(h->path, sizeof(h->path), "%s", path), sizeof(h->path));
	h->folder = folder;
	fakefw.fs_live++;
	return &h->p;
}

static EFI_STATUS EFIAPI open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *self, EFI_FILE_PROTOCOL **root)
{
	*root = new_handle("", true);
	return EFI_SUCCESS;
}

bool fakefs_protocol(void *handle, const void *guid, void **iface)
{
	static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;

	if (handle != &volume_tag || memcmp(guid, &sfs_guid, sizeof(sfs_guid)))
		return false;
	sfs.Revision = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION;
	sfs.OpenVolume = open_volume;
	*iface = &sfs;
	return true;
}
