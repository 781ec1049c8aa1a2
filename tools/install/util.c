/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * util.c - efikexec-install: what every part uses: saying, files whole, memory (install.h).
 */
#include "install.h"

/* loader.conf as install writes it when there is none */
const char default_loader_conf[] = "# efikexec's menu (efikexec.conf(5)): how long it shows, what it boots\n"
					  "timeout 3\n"
					  "#default @saved\n";

struct install_opt opt = { .tries = -1 };

/* One line on stderr: the program's name, prefix, the text. */
static void line(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, PROG ": %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("", fmt, ap);
	va_end(ap);
	return -1;
}

/* A warning on stderr: the work goes on. */
void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("warning: ", fmt, ap);
	va_end(ap);
}

/* A failure put into why[0, len) instead of being said: for what a caller
 * may try quietly (a candidate ESP) or say with more around it. -1. */
int said(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int said(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

char *join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0) {
		fail("out of memory");
		exit(1);
	}
	return s;
}

/* The whole of a file, at most max bytes (NULL, errno set, otherwise:
 * EFBIG when larger). Read to its end, not to its size: sysfs files say
 * 4096 bytes whatever they hold. */
uint8_t *slurp(const char *path, size_t max, size_t *len)
{
	size_t got = 0, cap = 256;
	uint8_t *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		int e = fd < 0 ? errno : ENOMEM;
		if (fd >= 0)
			close(fd);
		free(buf);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (got == cap) {
			if (cap > max) {
				close(fd);
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			uint8_t *more = realloc(buf, cap + 1);
			if (!more) {
				close(fd);
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = more;
		}
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[got] = 0;
	*len = got;
	return buf;
}

int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What cannot be done without memory ends the program, named: nothing is
 * half-written then (the staged files are only temporary names). */
void *need(void *p)
{
	if (!p) {
		fail("out of memory");
		exit(1);
	}
	return p;
}
char *xstrdup(const char *s)
{
	return need(strdup(s));
}
