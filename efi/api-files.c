/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * api-files.c - the public API's files on a volume (include/efikexec.h,
 * "files on a volume"): what an application reads, lists and renames
 * through the library instead of a file layer of its own (api-int.h).
 * The work is efi/file.c's; here are the API's checks and handles.
 */
#include "efi.h"
#include "../lib/url.h"
#include "../include/efikexec.h"
#include "api-int.h"

/* An open file handed out: efi/file.c's, marked so a stale or foreign
 * pointer is refused rather than followed. */
#define FILE_MAGIC 0x656c6966784b4645ull /* "EFKxfile" */
struct efikexec_file {
	uint64_t magic;
	struct efi_file f;
};

static EFI_STATUS bad_path(const char *fn, const char *path)
{
	if (!path || !*path)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: no path", fn);
	if (url_is(path))
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %s is a URL, not a file (efikexec_fetch reads URLs)",
				fn, path);
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_file_info(void *volume, const char *path, struct efikexec_file_info *out)
{
	const char *fn = "efikexec_file_info";
	struct efikexec_file_info i = { .struct_size = sizeof(i) };
	struct efi_file f;
	EFI_STATUS st;

	API_WITH(fn, bad_path(fn, path));
	if (!out)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: out is NULL", fn));
	st = efi_file_open_how(volume, path, EFI_OPEN_QUIET | EFI_OPEN_FOLDER, &f);
	if (EFI_ERROR(st))
		return api_leave(st);
	i.kind = f.folder ? EFIKEXEC_FILE_FOLDER : EFIKEXEC_FILE_REGULAR;
	i.size = f.folder ? 0 : f.size;
	efi_file_close(&f);
	return api_leave(api_give(fn, out, out->struct_size, &i, sizeof(i), sizeof(i)));
}

efikexec_status EFIKEXEC_API efikexec_file_load(void *volume, const char *path, uint64_t max, void **buf,
						uint64_t *size)
{
	const char *fn = "efikexec_file_load";
	struct efi_file f;
	void *b = NULL;
	EFI_STATUS st;

	API_WITH(fn, bad_path(fn, path));
	if (!buf || !size)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: buf %p, size %p", fn, (void *)buf,
					  (void *)size));
	*buf = NULL;
	*size = 0;
	st = efi_file_open_how(volume, path, EFI_OPEN_QUIET, &f);
	if (EFI_ERROR(st))
		return api_leave(st);
	if (f.size > max || f.size >= (UINTN)-1)
		st = efi_fail(EFI_BAD_BUFFER_SIZE, "file", "%s: %llu bytes, more than the limit of %llu", f.path,
			      (unsigned long long)f.size, (unsigned long long)max);
	else if (EFI_ERROR((st = efi_bs->AllocatePool(EfiLoaderData, (UINTN)f.size + 1, &b))))
		st = efi_fail(st, "file", "%s: no memory for its %llu bytes", f.path, (unsigned long long)f.size);
	else if (!EFI_ERROR((st = efi_file_read(&f, 0, b, f.size)))) {
		((char *)b)[f.size] = '\0';
		*buf = b;
		*size = f.size;
	}
	if (EFI_ERROR(st) && b)
		efi_bs->FreePool(b);
	efi_file_close(&f);
	return api_leave(st);
}

efikexec_status EFIKEXEC_API efikexec_file_free(void *buf)
{
	API("efikexec_file_free");
	if (buf)
		efi_bs->FreePool(buf);
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_file_open(void *volume, const char *path, struct efikexec_file **out,
						uint64_t *size)
{
	const char *fn = "efikexec_file_open";
	struct efikexec_file *h;
	EFI_STATUS st;

	API_WITH(fn, bad_path(fn, path));
	if (!out)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: out is NULL", fn));
	*out = NULL;
	st = efi_bs->AllocatePool(EfiLoaderData, sizeof(*h), (void **)&h);
	if (EFI_ERROR(st))
		return api_leave(efi_fail(st, "api", "%s: %s: no memory for a handle", fn, path));
	st = efi_file_open_how(volume, path, EFI_OPEN_QUIET, &h->f);
	if (EFI_ERROR(st)) {
		efi_bs->FreePool(h);
		return api_leave(st);
	}
	h->magic = FILE_MAGIC;
	*out = h;
	if (size)
		*size = h->f.size;
	return api_leave(EFI_SUCCESS);
}

static EFI_STATUS bad_handle(const char *fn, const struct efikexec_file *f)
{
	if (!f || f->magic != FILE_MAGIC)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %p is not an open efikexec_file", fn,
				(const void *)f);
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_file_read(struct efikexec_file *f, uint64_t off, void *buf, uint64_t len)
{
	const char *fn = "efikexec_file_read";

	API_WITH(fn, bad_handle(fn, f));
	if (!buf && len)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %s: buf is NULL", fn, f->f.path));
	return api_leave(len ? efi_file_read(&f->f, off, buf, len) : EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_file_close(struct efikexec_file *f)
{
	const char *fn = "efikexec_file_close";

	API_WITH(fn, bad_handle(fn, f));
	efi_file_close(&f->f);
	f->magic = 0;
	efi_bs->FreePool(f);
	return api_leave(EFI_SUCCESS);
}

struct each {
	efikexec_folder_fn fn;
	void *ctx;
};
static void each_one(void *ctx, const char *dir, const char *name, uint64_t size)
{
	struct each *e = ctx;

	e->fn(e->ctx, dir, name, size);
}

efikexec_status EFIKEXEC_API efikexec_folder_list(void *volume, const char *folder, efikexec_folder_fn fn_,
						  void *ctx)
{
	const char *fn = "efikexec_folder_list";

	API_WITH(fn, bad_path(fn, folder));
	if (!fn_)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %s: no function to call", fn, folder));
	struct each e = { fn_, ctx };
	return api_leave(efi_dir_each(volume, folder, each_one, &e));
}

efikexec_status EFIKEXEC_API efikexec_file_rename(void *volume, const char *path, const char *new_name)
{
	const char *fn = "efikexec_file_rename";

	API_WITH(fn, bad_path(fn, path));
	if (!new_name)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %s: new_name is NULL", fn, path));
	return api_leave(efi_file_rename(volume, path, new_name));
}
