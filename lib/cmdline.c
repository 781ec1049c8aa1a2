/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * cmdline.c - command line splitting and UCS-2/UTF-8 conversion.
 * See cmdline.h for why both the raw and the unquoted form are kept.
 */
#include "cmdline.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

rt_status cmdline_split(const char *line, struct cmdline *out, char *storage,
			size_t storage_size)
{
	const char *p = line;
	size_t used = 0;

	out->argc = 0;
	for (;;) {
		bool quoted = false;
		struct cmdline_arg *a;

		while (is_blank(*p))
			p++;
		if (!*p)
			return RT_OK;
		if (out->argc == CMDLINE_MAX_ARGS)
			return rt_fail(RT_E2BIG, "cmdline", "more than %u arguments",
				       CMDLINE_MAX_ARGS);
		a = &out->arg[out->argc++];
		a->raw = p;
		a->value = storage + used;
		for (; *p && (quoted || !is_blank(*p)); p++) {
			char c = *p;
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (c == '^' && p[1]) {
				c = *++p;
			}
			if (used + 1 >= storage_size)
				return rt_fail(RT_E2BIG, "cmdline", "argument storage of %zu bytes is full",
					       storage_size);
			storage[used++] = c;
		}
		if (quoted)
			return rt_fail(RT_EINVAL, "cmdline", "unterminated quote in argument %u",
				       out->argc - 1);
		a->raw_len = (size_t)(p - a->raw);
		if (used >= storage_size)
			return rt_fail(RT_E2BIG, "cmdline", "argument storage of %zu bytes is full",
				       storage_size);
		storage[used++] = '\0';
	}
}

static size_t put_utf8(uint32_t cp, char *dst, size_t size, size_t pos)
{
	char b[3];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	}
	/* Write only whole characters and keep room for the NUL. */
	if (size && pos + n < size)
		for (size_t i = 0; i < n; i++)
			dst[pos + i] = b[i];
	return n;
}

size_t ucs2_to_utf8(const uint16_t *src, size_t n, char *dst, size_t size)
{
	size_t pos = 0, written = 0;

	for (size_t i = 0; i < n && src[i]; i++) {
		uint32_t cp = src[i];
		size_t len;
		/* UCS-2 has no surrogate pairs; EFI strings never should. */
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		len = put_utf8(cp, dst, size, pos);
		if (size && pos + len < size)
			written = pos + len;
		pos += len;
	}
	if (size)
		dst[written] = '\0';
	return pos;
}

size_t utf8_to_ucs2(const char *src, uint16_t *dst, size_t size)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t n = 0;

	while (*p) {
		uint32_t cp;
		unsigned extra;

		if (*p < 0x80) {
			cp = *p++;
			extra = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p++ & 0x1f;
			extra = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p++ & 0x0f;
			extra = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p++ & 0x07;
			extra = 3;
		} else {
			p++;
			cp = 0xfffd;
			extra = 0;
		}
		for (; extra; extra--) {
			if ((*p & 0xc0) != 0x80) {
				cp = 0xfffd;
				break;
			}
			cp = (cp << 6) | (*p++ & 0x3f);
		}
		if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		if (n + 1 < size)
			dst[n] = (uint16_t)cp;
		n++;
	}
	if (size)
		dst[n < size ? n : size - 1] = 0;
	return n;
}
