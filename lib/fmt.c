/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fmt.c - a small vsnprintf for firmware and purgatory.
 *
 * Only what log lines need: integers in any width with the usual flags,
 * strings, characters, pointers. No floating point (EFI applications are
 * built with -mgeneral-regs-only on aarch64 and no SSE assumptions on
 * x86_64). Output is bounded by the buffer; the return value is the length
 * the whole output would have, as C11 7.21.6.12 says.
 */
#include "rt.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum { F_LEFT = 1, F_ZERO = 2, F_ALT = 4, F_PLUS = 8, F_SPACE = 16, F_UPPER = 32 };

static void put_uint(struct out *o, uint64_t v, unsigned base, int flags, int width,
		     int prec, char sign)
{
	char tmp[24];
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, prefix = 0, zeros;
	bool zero = v == 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	/* C11 7.21.6.1: "#x" prefixes 0x to a nonzero result only */
	if ((flags & F_ALT) && base == 16 && !zero)
		prefix = 2;
	if ((flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		prefix = 1;
	zeros = prec > n ? prec - n : 0;
	width -= n + zeros + prefix + (sign ? 1 : 0);
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += width > 0 ? width : 0;
		width = 0;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', width);
	if (sign)
		put(o, sign);
	if (prefix) {
		put(o, '0');
		if (base == 16)
			put(o, (flags & F_UPPER) ? 'X' : 'x');
	}
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width);
}

/* %s: at most prec characters of s, padded to width */
static void put_str(struct out *o, const char *s, int flags, int width, int prec)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while ((prec < 0 || n < prec) && s[n])
		n++;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - n);
}

int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int flags = 0, width = 0, prec = -1, lng = 0;
		char conv;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;;) {
			char c = *++fmt;
			if (c == '-') flags |= F_LEFT;
			else if (c == '0') flags |= F_ZERO;
			else if (c == '#') flags |= F_ALT;
			else if (c == '+') flags |= F_PLUS;
			else if (c == ' ') flags |= F_SPACE;
			else break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* lng: -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t/intmax/ptrdiff */
		for (;; fmt++) {
			if (*fmt == 'h') lng--;
			else if (*fmt == 'l') lng++;
			else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') lng = 3;
			else break;
		}
		conv = *fmt;
		switch (conv) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lng >= 2) v = lng == 3 ? (int64_t)va_arg(ap, ptrdiff_t) : va_arg(ap, long long);
			else if (lng == 1) v = va_arg(ap, long);
			else v = va_arg(ap, int);
			if (lng == -1) v = (short)v;
			if (lng <= -2) v = (signed char)v;
			char sign = v < 0 ? '-' : (flags & F_PLUS) ? '+' : (flags & F_SPACE) ? ' ' : 0;
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_uint(&o, mag, 10, flags, width, prec, sign);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			if (lng >= 2) v = lng == 3 ? (uint64_t)va_arg(ap, size_t) : va_arg(ap, unsigned long long);
			else if (lng == 1) v = va_arg(ap, unsigned long);
			else v = va_arg(ap, unsigned int);
			if (lng == -1) v = (unsigned short)v;
			if (lng <= -2) v = (unsigned char)v;
			if (conv == 'X')
				flags |= F_UPPER;
			put_uint(&o, v, conv == 'u' ? 10 : conv == 'o' ? 8 : 16, flags, width, prec, 0);
			break;
		}
		case 'p':
			put_uint(&o, (uintptr_t)va_arg(ap, void *), 16, flags | F_ALT, width, prec, 0);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), flags, width, prec);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: print nothing more */
			break;
		default:
			put(&o, '%');
			put(&o, conv);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
