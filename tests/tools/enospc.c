/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * enospc.c - a full disk for the installer's tests, by LD_PRELOAD: write(2)
 * to a file under $ENOSPC_DIR fails with ENOSPC once $ENOSPC_AFTER bytes
 * have been written there (the write that crosses the limit is cut short,
 * as a file system does when it fills up); and rename(2) of a path under
 * $ENOSPC_DIR fails with EIO when it is the ($ENOSPC_RENAME + 1)-th such
 * rename (that one only: a disk that fails once, then works, as the
 * installer must undo what it did). Nothing else changes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long budget = -1;

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	const char *dir = getenv("ENOSPC_DIR"), *after = getenv("ENOSPC_AFTER");
	char link[64], path[PATH_MAX];
	ssize_t k;

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (dir && after) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		k = readlink(link, path, sizeof(path) - 1);
		if (k > 0) {
			path[k] = 0;
			if (!strncmp(path, dir, strlen(dir))) {
				if (budget < 0)
					budget = atoll(after);
				if (budget == 0) {
					errno = ENOSPC;
					return -1;
				}
				if ((long long)n > budget)
					n = (size_t)budget;
				budget -= (long long)n;
			}
		}
	}
	return real(fd, buf, n);
}

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	static long long seen;
	const char *dir = getenv("ENOSPC_DIR"), *nth = getenv("ENOSPC_RENAME");

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (dir && nth && !strncmp(from, dir, strlen(dir)) && seen++ == atoll(nth)) {
		errno = EIO;
		return -1;
	}
	return real(from, to);
}
