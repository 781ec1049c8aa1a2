/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * cpio.c - newc archives as systemd-stub packs them; see cpio.h.
 */
#include "cpio.h"

#define HDR 110 /* "070701" and 13 fields of 8 hex digits */
#define S_IFREG 0100000u
#define S_IFDIR 0040000u

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = RT_FN(strlen)(suffix);

	if (m > n)
		return false;
	for (size_t i = 0; i < m; i++)
		if (lower(s[n - m + i]) != lower(suffix[i]))
			return false;
	return true;
}

bool cpio_pick(const char *name, const char *suffix, const char *exclude)
{
	size_t n = RT_FN(strnlen)(name, CPIO_NAME_MAX + 1);

	if (!n || n > CPIO_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] > 0x7f || name[i] == '/' || name[i] == '\\')
			return false;
	if (suffix && !ends_with(name, n, suffix))
		return false;
	if (exclude && ends_with(name, n, exclude))
		return false;
	return true;
}

void cpio_sort(struct cpio_file *f, size_t n)
{
	/* insertion sort: a companion folder holds a handful of files */
	for (size_t i = 1; i < n; i++) {
		struct cpio_file t = f[i];
		size_t j = i;
		while (j && RT_FN(strcmp)(f[j - 1].name, t.name) > 0) {
			f[j] = f[j - 1];
			j--;
		}
		f[j] = t;
	}
}

struct out {
	uint8_t *p;     /* NULL: only counting */
	size_t at, max;
	bool full;
};

static void put(struct out *o, const void *data, size_t n)
{
	if (o->full || n > o->max - o->at) {
		o->full = true;
		return;
	}
	if (o->p)
		RT_FN(memcpy)(o->p + o->at, data, n);
	o->at += n;
}

static void pad4(struct out *o)
{
	static const uint8_t zero[3];

	put(o, zero, (4 - (o->at & 3)) & 3);
}

/* One header: the name is `a` followed by "/" and `b` when b is given. */
static void header(struct out *o, uint32_t ino, uint32_t mode, uint32_t size, const char *a, const char *b)
{
	static const char hex[] = "0123456789abcdef";
	size_t la = RT_FN(strlen)(a), lb = b ? RT_FN(strlen)(b) + 1 : 0;
	uint32_t v[13] = { ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, (uint32_t)(la + lb + 1), 0 };
	char h[HDR];

	RT_FN(memcpy)(h, "070701", 6);
	for (int f = 0; f < 13; f++)
		for (int i = 0; i < 8; i++)
			h[6 + f * 8 + 7 - i] = hex[(v[f] >> (4 * i)) & 0xf];
	put(o, h, HDR);
	put(o, a, la);
	if (b) {
		put(o, "/", 1);
		put(o, b, lb - 1);
	}
	put(o, "", 1);
	pad4(o);
}

size_t cpio_archive(uint8_t *out, size_t max, const char *dir, uint32_t dir_mode, uint32_t file_mode,
		    const struct cpio_file *files, size_t n)
{
	static const char trailer[] = "070701"
				      "00000000" "00000000" "00000000" "00000000" "00000001" "00000000"
				      "00000000" "00000000" "00000000" "00000000" "00000000" "0000000B"
				      "00000000" "TRAILER!!!\0\0\0"; /* and its own NUL: 124 bytes */
	struct out o = { out, 0, out ? max : (size_t)-1, false };
	char parent[CPIO_NAME_MAX + 1];
	size_t dlen = RT_FN(strnlen)(dir, sizeof(parent));
	uint32_t ino = 1;

	_Static_assert(sizeof(trailer) == 124, "the trailer is 4-byte padded");
	if (!n || !dlen || dlen >= sizeof(parent) || dir[0] == '/' || dir[dlen - 1] == '/')
		return 0;
	/* the parents, "mkdir -p" style at 0555, then the folder itself */
	for (size_t i = 1; i < dlen; i++)
		if (dir[i] == '/') {
			RT_FN(memcpy)(parent, dir, i);
			parent[i] = 0;
			header(&o, ino++, S_IFDIR | 0555, 0, parent, NULL);
		}
	header(&o, ino++, S_IFDIR | (dir_mode & 07777), 0, dir, NULL);
	for (size_t i = 0; i < n; i++) {
		if (!cpio_pick(files[i].name, NULL, NULL) || files[i].size > 0xffffffffu)
			return 0;
		header(&o, ino++, S_IFREG | (file_mode & 07777), (uint32_t)files[i].size, dir, files[i].name);
		put(&o, files[i].data, (size_t)files[i].size);
		pad4(&o);
	}
	put(&o, trailer, sizeof(trailer));
	return o.full ? 0 : o.at;
}
