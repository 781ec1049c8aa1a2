/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * string.c - the string functions of the freestanding runtime.
 *
 * The compiler may emit calls to memcpy/memset/memmove/memcmp on its own,
 * and Debian's libfdt.a references memchr, memcmp, memcpy, memmove, memset,
 * strchr, strlen, strnlen, strrchr and strtoul, so the firmware build must
 * define them. This file is built with -fno-tree-loop-distribute-patterns so
 * that GCC does not turn these loops back into calls to themselves.
 *
 * Copies move a machine word at a time; relocation of real data goes
 * through arch/ assembly, not here.
 */
#include "rt.h"

typedef uintptr_t word_t;
#define WSIZE sizeof(word_t)

/* Word accesses below alias byte buffers; tell the compiler so. A source
 * not aligned as the destination is read a word at a time anyway (uword_t):
 * both machines allow unaligned loads of normal memory (x86; arm64 with
 * SCTLR_ELx.A clear, as UEFI 2.10 2.3.6 has it), and a byte loop is what
 * made the decompressors' output copies slow in firmware. */
typedef word_t __attribute__((may_alias)) aword_t;
typedef word_t __attribute__((may_alias, aligned(1))) uword_t;

void *RT_FN(memcpy)(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n >= 2 * WSIZE) {
		while ((uintptr_t)d & (WSIZE - 1)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 4 * WSIZE; n -= 4 * WSIZE, d += 4 * WSIZE, s += 4 * WSIZE) {
			word_t a = ((const uword_t *)s)[0], b = ((const uword_t *)s)[1];
			word_t c = ((const uword_t *)s)[2], e = ((const uword_t *)s)[3];
			((aword_t *)d)[0] = a;
			((aword_t *)d)[1] = b;
			((aword_t *)d)[2] = c;
			((aword_t *)d)[3] = e;
		}
		for (; n >= WSIZE; n -= WSIZE, d += WSIZE, s += WSIZE)
			*(aword_t *)d = *(const uword_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *RT_FN(memmove)(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Forward copy is safe unless dst starts inside [src, src+n). */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		return RT_FN(memcpy)(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	d += n;
	s += n;
	if (((uintptr_t)d & (WSIZE - 1)) == ((uintptr_t)s & (WSIZE - 1))) {
		while (n && ((uintptr_t)d & (WSIZE - 1))) {
			*--d = *--s;
			n--;
		}
		for (; n >= WSIZE; n -= WSIZE) {
			d -= WSIZE;
			s -= WSIZE;
			*(aword_t *)d = *(const aword_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

void *RT_FN(memset)(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = (unsigned char)c;

	w |= w << 8;
	w |= w << 16;
	if (WSIZE > 4)
		w |= (w << 16) << 16;
	while (n && ((uintptr_t)d & (WSIZE - 1))) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= WSIZE; n -= WSIZE, d += WSIZE)
		*(aword_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int RT_FN(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

void *RT_FN(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t RT_FN(strlen)(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t RT_FN(strnlen)(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int RT_FN(strcmp)(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int RT_FN(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return (*x > *y) - (*x < *y);
		if (!*x)
			break;
	}
	return 0;
}

char *RT_FN(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *RT_FN(strrchr)(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* C11 7.22.1.4, without locale or errno: on overflow returns ULONG_MAX. */
unsigned long RT_FN(strtoul)(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	bool neg = false, any = false, over = false;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	for (;; p++) {
		int d = digit_value(*p);
		if (d >= base)
			break;
		any = true;
		if (v > (~0UL - (unsigned long)d) / (unsigned long)base)
			over = true;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (over)
		return ~0UL;
	return neg ? -v : v;
}

bool rt_parse_u64(const char *s, uint64_t *out, bool suffixes)
{
	uint64_t v = 0;
	unsigned base = 10;
	const char *p = s;
	bool any = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++) {
		int d = digit_value(*p);
		if (d >= (int)base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
		any = true;
	}
	if (!any)
		return false;
	if (suffixes && *p) {
		unsigned shift;
		switch (*p) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return false;
		}
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
		p++;
	}
	if (*p)
		return false;
	*out = v;
	return true;
}
