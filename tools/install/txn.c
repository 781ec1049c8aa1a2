/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * txn.c - efikexec-install: the transaction: files staged under temporary names, then put in place together (install.h).
 */
#include "install.h"

#include <sys/random.h>

/* --- the transaction: files staged under temporary names, then renamed ---------------------------- */


/*
 * An install is a transaction: each new file is written whole under a
 * temporary name beside its final one and synced (stage), then all are
 * put in place at once (commit). The temporary name is unpredictable and
 * made with O_EXCL|O_NOFOLLOW, so a link planted beside the file is never
 * followed. commit moves each old file aside before the new one takes its
 * name; if any step fails, every file goes back to what it was (the new
 * ones removed, the old ones renamed back), and the folders made are
 * removed: either all files are new or none is. Folders made and renamed
 * into are synced in their parents, and a failed sync is an error. A
 * crash during commit can leave an old file under its ".efikexec-old-"
 * name, never a half-written one.
 */
#define MAX_STAGED 16
static struct {
	char *final, *tmp, *old; /* old: where the previous file went (NULL: none) */
	bool placed;
} staged[MAX_STAGED];
static unsigned nstaged;
static char *made[MAX_STAGED * 4]; /* folders made, in order */
static unsigned nmade;

/* fsync of the folder `dir`; EINVAL: the file system keeps no such state
 * (it syncs folders with their files, as some do) */
static int sync_folder(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return fail("cannot open the folder %s to sync it: %m", dir);
	if (fsync(fd) < 0 && errno != EINVAL)
		r = fail("cannot sync the folder %s: %m", dir);
	close(fd);
	return r;
}

/* The folder of a path (a copy). */
static char *parent_of(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash && slash != dir)
		*slash = 0;
	else if (slash)
		slash[1] = 0;
	return dir;
}

/* mkdir -p, remembering what it made (rollback removes it again); each
 * folder made is synced in its parent. */
int make_dirs(const char *path)
{
	char *p = xstrdup(path);
	int r = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0755) == 0) {
			char *up = parent_of(p);
			if (nmade < sizeof(made) / sizeof(made[0]))
				made[nmade++] = xstrdup(p);
			r = sync_folder(up);
			free(up);
			if (r < 0)
				break;
		} else if (errno != EEXIST) {
			r = fail("cannot make the folder %s: %m", p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return r;
}

void rollback(void)
{
	for (unsigned i = 0; i < nstaged; i++) {
		unlink(staged[i].tmp);
		free(staged[i].tmp);
		free(staged[i].final);
		free(staged[i].old);
	}
	nstaged = 0;
	while (nmade) {
		rmdir(made[--nmade]);
		free(made[nmade]);
	}
}

/* A name beside `final` that did not exist: ".NAME.efikexec-KIND-XXXXXX",
 * made here with O_CREAT|O_EXCL|O_NOFOLLOW (fd >= 0), or only chosen
 * (fd NULL: for rename to take, which never follows a link). */
static char *beside(const char *final, const char *kind, mode_t mode, int *fd)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char *dir = parent_of(final), *tmp;
	const char *base = strrchr(final, '/') ? strrchr(final, '/') + 1 : final;
	uint8_t rnd[6];

	for (int tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			fail("no random bytes for a temporary name: %m");
			free(dir);
			return NULL;
		}
		if (asprintf(&tmp, "%s/.%s.efikexec-%s-%c%c%c%c%c%c", dir, base, kind, abc[rnd[0] % 36], abc[rnd[1] % 36],
			     abc[rnd[2] % 36], abc[rnd[3] % 36], abc[rnd[4] % 36], abc[rnd[5] % 36]) < 0)
			need(NULL);
		if (fd) {
			*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
			if (*fd >= 0 || errno != EEXIST)
				break;
		} else if (faccessat(AT_FDCWD, tmp, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
			break;
		}
		free(tmp);
		tmp = NULL;
	}
	free(dir);
	if (!tmp)
		fail("no free temporary name beside %s", final);
	return tmp;
}

/* Writes `final`'s new content under a temporary name beside it. */
int stage(const char *final, const void *data, size_t len, mode_t mode)
{
	char *dir = parent_of(final), *tmp;
	int fd = -1;

	if (nstaged == MAX_STAGED) {
		free(dir);
		return fail("internal: too many files in one install");
	}
	if (make_dirs(dir) < 0) {
		free(dir);
		return -1;
	}
	free(dir);
	if (!(tmp = beside(final, "new", mode, &fd)))
		return -1;
	if (fd < 0 || fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		errno = e;
		fail("cannot write %s (%zu bytes): %m", tmp, len);
		free(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		unlink(tmp);
		fail("cannot write %s: %m", tmp);
		free(tmp);
		return -1;
	}
	staged[nstaged] = (typeof(staged[0])){ .final = xstrdup(final), .tmp = tmp };
	nstaged++;
	return 0;
}

/* Puts file i back as it was before commit touched it. */
static void undo_one(unsigned i)
{
	if (staged[i].placed && rename(staged[i].final, staged[i].tmp) < 0)
		unlink(staged[i].final);
	if (staged[i].old && rename(staged[i].old, staged[i].final) < 0)
		fail("cannot put %s back as %s: %m (the old file is there)", staged[i].old, staged[i].final);
	unlink(staged[i].tmp);
}

/* how many files are staged */
unsigned staged_count(void)
{
	return nstaged;
}

int commit(void)
{
	unsigned i;
	int r = 0;

	for (i = 0; i < nstaged && !r; i++) {
		struct stat st;
		if (lstat(staged[i].final, &st) == 0) {
			if (!(staged[i].old = beside(staged[i].final, "old", 0, NULL)))
				r = -1;
			else if (rename(staged[i].final, staged[i].old) < 0) {
				r = fail("cannot move %s aside to %s: %m", staged[i].final, staged[i].old);
				free(staged[i].old);
				staged[i].old = NULL;
			}
		} else if (errno != ENOENT) {
			r = fail("cannot look at %s: %m", staged[i].final);
		}
		if (!r && rename(staged[i].tmp, staged[i].final) < 0)
			r = fail("cannot rename %s to %s: %m", staged[i].tmp, staged[i].final);
		else if (!r)
			staged[i].placed = true;
		if (!r) {
			char *dir = parent_of(staged[i].final);
			r = sync_folder(dir);
			free(dir);
		}
	}
	if (r) {
		/* all back as it was, the last touched first */
		while (i-- > 0)
			undo_one(i);
		for (unsigned k = 0; k < nstaged; k++)
			unlink(staged[k].tmp);
	} else {
		for (i = 0; i < nstaged; i++)
			if (staged[i].old && unlink(staged[i].old) < 0)
				fail("cannot remove the old file %s: %m (the new one is in place)", staged[i].old);
	}
	for (i = 0; i < nstaged; i++) {
		free(staged[i].tmp);
		free(staged[i].final);
		free(staged[i].old);
	}
	nstaged = 0;
	if (r)
		while (nmade) {
			rmdir(made[--nmade]);
			free(made[nmade]);
		}
	for (i = 0; i < nmade; i++)
		free(made[i]);
	nmade = 0;
	return r;
}
