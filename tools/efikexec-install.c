/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efikexec-install.c - puts efikexec on a machine's EFI System Partition,
 * keeps it there, and reads back what it reported at boot.
 *
 *   efikexec-install [OPTIONS] install|update|remove|is-installed
 *   efikexec-install [OPTIONS] status|list
 *   efikexec-install [OPTIONS] set-default|set-oneshot ID
 *   efikexec-install [OPTIONS] set-timeout|set-timeout-oneshot VALUE
 *
 * docs/efikexec-install.8 is the manual. What it follows:
 *  - the ESP and XBOOTLDR are found as bootctl finds them (systemd
 *    src/shared/find-esp.c): /efi, /boot/efi, /boot, each a mount point of
 *    a vfat file system on a GPT partition of the ESP's type, XBOOTLDR at
 *    /boot with its own type GUID; $SYSTEMD_ESP_PATH and
 *    $SYSTEMD_XBOOTLDR_PATH name them, and $SYSTEMD_RELAX_ESP_CHECKS=1
 *    drops the checks (an image being built has a directory, no partition);
 *  - the variables are the Boot Loader Interface's (systemd
 *    docs/BOOT_LOADER_INTERFACE.md) and the UEFI specification's (Boot####,
 *    BootOrder, EFI_LOAD_OPTION, the hard drive and file path device path
 *    nodes, UEFI 2.10 sections 3.1.3 and 10.3), read and written through
 *    efivarfs (Documentation/filesystems/efivarfs.rst: four bytes of
 *    attributes, then the data; files are made immutable by the kernel);
 *  - `list` sorts with the boot stage's own code (lib/bls.c), so it shows
 *    the order the menu shows.
 *
 * Nothing is half-written: every file of an install is first written in
 * full under a temporary name beside its place and synced, and only when
 * all are written are they renamed into place; a failure before removes
 * the temporary files and any folder made, leaving what was there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../lib/bls.h"
#include "../boot/pe.h"
#include "../lib/cmdline.h"
#include "../lib/gpt.h"

#if defined(__x86_64__)
#define ARCH_LOWER "x64" /* efikexecx64.efi */
#define ARCH_UPPER "X64" /* BOOTX64.EFI */
#define BLS_ARCH "x64"   /* the `architecture` key's word */
#elif defined(__aarch64__)
#define ARCH_LOWER "aa64"
#define ARCH_UPPER "AA64"
#define BLS_ARCH "AA64"
#else
#error "efikexec-install knows x86_64 and aarch64"
#endif

#ifndef EFIKEXEC_VERSION
#define EFIKEXEC_VERSION "unknown"
#endif
#ifndef EFIKEXEC_LIBDIR
#define EFIKEXEC_LIBDIR "/usr/lib/efikexec"
#endif

#define PROG "efikexec-install"
#define INSTALL_DIR "EFI/efikexec"
#define MAIN_NAME "efikexec" ARCH_LOWER ".efi"
#define BOOT_NAME "BOOT" ARCH_UPPER ".EFI"
/* the file path in a boot entry (UEFI paths use backslashes) */
#define MAIN_EFI_PATH "\\EFI\\efikexec\\" MAIN_NAME
/* app/main.c's version_mark */
#define VERSION_MARK "#### efikexec-version "

#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define BLI_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
/* partition types: the ESP (UEFI), XBOOTLDR (the Boot Loader Specification) */
static const char esp_type[] = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
static const char xbootldr_type[] = "bc13c2ff-59e6-4262-a352-b275fd6f7172";

#define VAR_NV 0x1u
#define VAR_BS 0x2u
#define VAR_RT 0x4u
#define VAR_ALL (VAR_NV | VAR_BS | VAR_RT)
#define EFIVARFS_MAGIC 0xde5e81e4 /* include/uapi/linux/magic.h */
#define MSDOS_MAGIC 0x4d44

/* loader.conf as install writes it when there is none */
static const char default_loader_conf[] = "# efikexec's menu (efikexec.conf(5)): how long it shows, what it boots\n"
					  "timeout 3\n"
					  "#default @saved\n";

static struct {
	const char *esp_path, *boot_path, *efivarfs, *source, *conf_root, *esp_disk;
	unsigned esp_partn;
	bool no_variables, no_removable, quiet, relax, graceful, install_conf;
	long tries;
} opt = { .tries = -1 };

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* A failure put into why[0, len) instead of being said: for what a caller
 * may try quietly (a candidate ESP) or say with more around it. -1. */
static int said(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int said(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static char *join(const char *a, const char *b)
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
static uint8_t *slurp(const char *path, size_t max, size_t *len)
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

static int write_all(int fd, const void *data, size_t len)
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

/* --- the transaction: files staged under temporary names, then renamed ---------------------------- */

/* What cannot be done without memory ends the program, named: nothing is
 * half-written then (the staged files are only temporary names). */
static void *need(void *p)
{
	if (!p) {
		fail("out of memory");
		exit(1);
	}
	return p;
}
static char *xstrdup(const char *s)
{
	return need(strdup(s));
}

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
static int make_dirs(const char *path)
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

static void rollback(void)
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
		int rfd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (rfd < 0 || read(rfd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
			if (rfd >= 0)
				close(rfd);
			fail("cannot read /dev/urandom for a temporary name: %m");
			free(dir);
			return NULL;
		}
		close(rfd);
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
static int stage(const char *final, const void *data, size_t len, mode_t mode)
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

static int commit(void)
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

/* --- GUIDs and partitions ------------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* An EFI_GUID in memory (first three fields little-endian) as text. */
static void guid_text(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g), g[4] | g[5] << 8,
		 g[6] | g[7] << 8, g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

struct gpt_part {
	unsigned number;
	uint8_t type[16], uuid[16];
	uint64_t start, size; /* in logical blocks */
	char type_text[37], uuid_text[37];
};

/* Partition `number` of the GPT on `disk` (a block device or an image),
 * the table checked as the stage checks one (lib/gpt.c: both CRC32s, the
 * sizes, the entry's LBAs within the usable range). */
static int gpt_read(const char *disk, unsigned number, struct gpt_part *p, char *why, size_t whylen)
{
	static const unsigned sizes[] = { 512, 4096 };
	uint8_t hdr[4096], *ents = NULL;
	char reason[160] = "";
	struct gpt_header h;
	struct gpt_entry e;
	int fd = open(disk, O_RDONLY | O_CLOEXEC);
	int r = -1;

	if (fd < 0)
		return said(why, whylen, "cannot open %s to read its partition table: %s", disk, strerror(errno));
	for (unsigned i = 0; i < 2; i++) {
		unsigned ss = sizes[i];
		if (pread(fd, hdr, ss, ss) != (ssize_t)ss || memcmp(hdr, "EFI PART", 8))
			continue;
		if (!gpt_header(hdr, ss, 1, &h, reason, sizeof(reason))) {
			said(why, whylen, "%s: its GPT is not to be trusted: %s", disk, reason);
			goto out;
		}
		if (number == 0 || number > h.count) {
			said(why, whylen, "%s: the GPT has %u entries; partition %u is not among them", disk, h.count, number);
			goto out;
		}
		size_t bytes = (size_t)h.count * h.entry_size;
		ents = need(malloc(bytes ? bytes : 1));
		if (pread(fd, ents, bytes, (off_t)(h.entries_lba * ss)) != (ssize_t)bytes) {
			said(why, whylen, "%s: cannot read the GPT's %zu bytes of entries: %s", disk, bytes, strerror(errno));
			goto out;
		}
		if (!gpt_entries(&h, ents, bytes, reason, sizeof(reason))) {
			said(why, whylen, "%s: its GPT is not to be trusted: %s", disk, reason);
			goto out;
		}
		if (!gpt_entry(&h, ents, number - 1, &e, reason, sizeof(reason))) {
			said(why, whylen, "%s: partition %u %s", disk, number, reason);
			goto out;
		}
		p->number = number;
		memcpy(p->type, e.type, 16);
		memcpy(p->uuid, e.uuid, 16);
		p->start = e.first;
		p->size = e.blocks;
		guid_text(p->type, p->type_text);
		guid_text(p->uuid, p->uuid_text);
		r = 0;
		goto out;
	}
	said(why, whylen, "%s has no GPT (no \"EFI PART\" header at block 1 of 512 or 4096 bytes)", disk);
out:
	free(ents);
	close(fd);
	return r;
}

/* The GPT partition a mounted folder lives on (sysfs: /sys/dev/block/M:m). */
static int mount_part(const char *path, struct gpt_part *p, char *disk, size_t disksz, char *why, size_t whylen)
{
	char sys[64], real[PATH_MAX];
	struct stat sb;
	size_t len;
	uint8_t *num;

	if (stat(path, &sb) < 0)
		return said(why, whylen, "%s: %s", path, strerror(errno));
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(sb.st_dev), minor(sb.st_dev));
	char *pf = join(sys, "partition");
	num = slurp(pf, 32, &len);
	free(pf);
	if (!num)
		return said(why, whylen, "%s is on device %u:%u, which is no partition (no %s/partition)", path,
			    major(sb.st_dev), minor(sb.st_dev), sys);
	unsigned number = (unsigned)strtoul((char *)num, NULL, 10);
	free(num);
	if (!realpath(sys, real))
		return said(why, whylen, "%s: %s", sys, strerror(errno));
	*strrchr(real, '/') = 0;
	snprintf(disk, disksz, "/dev/%s", strrchr(real, '/') + 1);
	return gpt_read(disk, number, p, why, whylen);
}

/* --- the ESP and XBOOTLDR -------------------------------------------------------------------------- */

static bool is_mount_point(const char *path)
{
	struct stat a, b;
	char *up = join(path, "..");
	bool r = stat(path, &a) == 0 && stat(up, &b) == 0 && (a.st_dev != b.st_dev || a.st_ino == b.st_ino);

	free(up);
	return r;
}

static bool relaxed(void)
{
	const char *e = getenv("SYSTEMD_RELAX_ESP_CHECKS");
	return opt.relax || (e && (!strcmp(e, "1") || !strcmp(e, "yes") || !strcmp(e, "true")));
}

/* Whether `path` is a partition of type `type` (vfat for the ESP): 0, else
 * -1 with why (a search tries candidates and says only what it wants). */
static int check_part(const char *path, const char *type, const char *what, char *why, size_t whylen)
{
	struct statfs fs;
	struct stat sb;
	struct gpt_part p;
	char disk[PATH_MAX];

	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return said(why, whylen, "%s: no such folder (the %s)", path, what);
	if (relaxed())
		return 0;
	if (!is_mount_point(path))
		return said(why, whylen,
			    "%s is not a mount point (the %s must be a partition; SYSTEMD_RELAX_ESP_CHECKS=1 accepts a folder)",
			    path, what);
	if (statfs(path, &fs) < 0)
		return said(why, whylen, "%s: %s", path, strerror(errno));
	if (type == esp_type && fs.f_type != MSDOS_MAGIC)
		return said(why, whylen, "%s: file system type 0x%lx, not vfat (0x%x), as an ESP must be", path,
			    (unsigned long)fs.f_type, MSDOS_MAGIC);
	if (opt.esp_disk && type == esp_type ? gpt_read(opt.esp_disk, opt.esp_partn, &p, why, whylen)
					     : mount_part(path, &p, disk, sizeof(disk), why, whylen))
		return -1;
	if (strcmp(p.type_text, type))
		return said(why, whylen, "%s: partition type %s, not the %s's %s", path, p.type_text, what, type);
	return 0;
}

static const char *env_or(const char *a, const char *env)
{
	return a ? a : getenv(env);
}

/* The ESP: the option, $SYSTEMD_ESP_PATH, else /efi, /boot/efi, /boot. */
static const char *find_esp(bool say)
{
	static const char *const tries[] = { "/efi", "/boot/efi", "/boot" };
	const char *p = env_or(opt.esp_path, "SYSTEMD_ESP_PATH");

	char why[PATH_MAX + 256];

	if (p) {
		if (check_part(p, esp_type, "ESP", why, sizeof(why)) == 0)
			return p;
		if (say)
			fail("%s", why);
		return NULL;
	}
	for (unsigned i = 0; i < 3; i++)
		if (check_part(tries[i], esp_type, "ESP", why, sizeof(why)) == 0)
			return tries[i];
	if (say) {
		/* why each mounted candidate is none */
		for (unsigned i = 0; i < 3; i++)
			if (is_mount_point(tries[i]) && check_part(tries[i], esp_type, "ESP", why, sizeof(why)) < 0)
				fail("%s", why);
		fail("no ESP found: none of /efi, /boot/efi, /boot is a mounted vfat partition of type %s "
		     "(--esp-path names one)",
		     esp_type);
	}
	return NULL;
}

/* XBOOTLDR: the option, $SYSTEMD_XBOOTLDR_PATH, else /boot when it is one. */
static const char *find_xbootldr(const char *esp)
{
	const char *p = env_or(opt.boot_path, "SYSTEMD_XBOOTLDR_PATH");
	char why[PATH_MAX + 256];
	struct stat a, b;

	if (p) {
		if (check_part(p, xbootldr_type, "XBOOTLDR partition", why, sizeof(why)) == 0)
			return p;
		fail("%s", why);
		return NULL;
	}
	if (!esp || stat("/boot", &a) < 0 || stat(esp, &b) < 0 || a.st_dev == b.st_dev)
		return NULL;
	if (!is_mount_point("/boot") || relaxed())
		return NULL;
	return check_part("/boot", xbootldr_type, "XBOOTLDR partition", why, sizeof(why)) == 0 ? "/boot" : NULL;
}

/* --- efivarfs ---------------------------------------------------------------------------------------- */

static const char *vars_dir(void)
{
	return opt.efivarfs ? opt.efivarfs : "/sys/firmware/efi/efivars";
}

/* Booted with EFI (or a --efivarfs folder given). */
static bool efi_booted(void)
{
	struct stat sb;
	return opt.efivarfs ? true : stat("/sys/firmware/efi", &sb) == 0;
}

static char *var_path(const char *name, const char *guid)
{
	char *s;
	if (asprintf(&s, "%s/%s-%s", vars_dir(), name, guid) < 0)
		exit(1);
	return s;
}

/* The variable's data (NULL when unset); attributes in *attr. */
static uint8_t *var_get(const char *name, const char *guid, size_t *len, uint32_t *attr)
{
	char *path = var_path(name, guid);
	size_t n = 0;
	uint8_t *buf = slurp(path, 1 << 20, &n);

	free(path);
	if (!buf || n < 4) {
		free(buf);
		return NULL;
	}
	if (attr)
		*attr = le32(buf);
	memmove(buf, buf + 4, n - 4);
	*len = n - 4;
	buf[n - 4] = 0;
	return buf;
}

/* efivarfs marks variable files immutable; writing or removing one
 * clears the flag first (chattr -i). A plain folder has no such flag. */
static void make_mutable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	unsigned flags;

	if (fd < 0)
		return;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL)) {
		flags &= ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
}

/* Sets a variable (len 0: deletes it). */
static int var_set(const char *name, const char *guid, uint32_t attr, const void *data, size_t len)
{
	char *path = var_path(name, guid);
	struct statfs fs;
	uint8_t *buf;
	int fd, r = 0;

	make_mutable(path);
	if (!len) {
		if (unlink(path) < 0 && errno != ENOENT)
			r = fail("cannot delete the variable %s: %m", path);
		free(path);
		return r;
	}
	/* efivarfs replaces a variable with each write; a plain folder (tests,
	 * image builders) needs the old bytes cut */
	bool real = statfs(vars_dir(), &fs) == 0 && (unsigned long)fs.f_type == EFIVARFS_MAGIC;
	buf = need(malloc(len + 4));
	buf[0] = (uint8_t)attr, buf[1] = (uint8_t)(attr >> 8), buf[2] = (uint8_t)(attr >> 16), buf[3] = (uint8_t)(attr >> 24);
	memcpy(buf + 4, data, len);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (real ? 0 : O_TRUNC), 0644);
	/* one write: efivarfs takes a variable whole */
	if (fd < 0 || write(fd, buf, len + 4) != (ssize_t)(len + 4))
		r = fail("cannot write the variable %s (%zu bytes): %m", path, len);
	if (fd >= 0 && close(fd) < 0 && !r)
		r = fail("cannot write the variable %s: %m", path);
	free(buf);
	free(path);
	return r;
}

/* A UTF-16 string variable as UTF-8 (NULL when unset). */
static char *var_text(const char *name, const char *guid)
{
	size_t len, size;
	uint8_t *raw = var_get(name, guid, &len, NULL);
	uint16_t *u;
	char *out;

	if (!raw)
		return NULL;
	u = need(calloc(len / 2 + 1, 2));
	memcpy(u, raw, len & ~(size_t)1);
	free(raw);
	size_t n = 0;
	while (n < len / 2 && u[n])
		n++;
	size = ucs2_to_utf8(u, n, NULL, 0);
	out = need(malloc(size + 1));
	ucs2_to_utf8(u, n, out, size + 1);
	free(u);
	return out;
}

/* Sets a UTF-16 string variable with its NUL ("" deletes it). */
static int var_set_text(const char *name, const char *guid, uint32_t attr, const char *text)
{
	size_t n;
	uint16_t *u;
	int r;

	if (!*text)
		return var_set(name, guid, attr, NULL, 0);
	n = utf8_to_ucs2(text, NULL, 0);
	u = need(calloc(n + 1, 2));
	utf8_to_ucs2(text, u, n + 1);
	r = var_set(name, guid, attr, u, (n + 1) * 2);
	free(u);
	return r;
}

/* --- boot entries: Boot#### and BootOrder ---------------------------------------------------------- */

static size_t put_utf16(uint8_t *out, const char *s)
{
	size_t n = 0;
	for (; *s; s++, n += 2)
		out[n] = (uint8_t)*s, out[n + 1] = 0;
	out[n] = out[n + 1] = 0;
	return n + 2;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}

/* An EFI_LOAD_OPTION: active, `desc`, HD(partition)/File(path)/End. */
static size_t load_option(uint8_t *out, const struct gpt_part *p, const char *file, const char *desc)
{
	size_t at = 6, dp;

	put32(out, 1); /* LOAD_OPTION_ACTIVE */
	at += put_utf16(out + at, desc);
	dp = at;
	out[at] = 4, out[at + 1] = 1, put16(out + at + 2, 42); /* media, hard drive */
	put32(out + at + 4, p->number);
	put64(out + at + 8, p->start);
	put64(out + at + 16, p->size);
	memcpy(out + at + 24, p->uuid, 16);
	out[at + 40] = 2; /* GPT */
	out[at + 41] = 2; /* signature: a GUID */
	at += 42;
	size_t flen = put_utf16(out + at + 4, file);
	out[at] = 4, out[at + 1] = 4, put16(out + at + 2, (uint16_t)(4 + flen)); /* media, file path */
	at += 4 + flen;
	out[at] = 0x7f, out[at + 1] = 0xff, put16(out + at + 2, 4);
	at += 4;
	put16(out + 4, (uint16_t)(at - dp));
	return at;
}

/* Whether a load option's device path names `file` (case-insensitively). */
static bool option_names(const uint8_t *o, size_t len, const char *file)
{
	struct bls_load_option lo;
	size_t at, end;

	if (!bls_load_option(o, len, &lo))
		return false;
	at = lo.path_off;
	end = at + lo.path_len;
	while (at + 4 <= end) {
		unsigned nlen = o[at + 2] | o[at + 3] << 8;
		if (nlen < 4 || at + nlen > end)
			return false;
		if (o[at] == 4 && o[at + 1] == 4) {
			size_t i = 0, k = at + 4;
			for (; k + 1 < at + nlen && (o[k] || o[k + 1]); k += 2, i++)
				if (!file[i] || o[k + 1] || (o[k] | 0x20) != ((uint8_t)file[i] | 0x20))
					return false;
			if (!file[i])
				return true;
		}
		if (o[at] == 0x7f && o[at + 1] == 0xff)
			break;
		at += nlen;
	}
	return false;
}

/* The Boot#### numbers that boot `file` (up to max), and whether n is taken. */
static unsigned boot_entries(const char *file, unsigned *found, unsigned max, uint8_t taken[0x10000 / 8])
{
	DIR *d = opendir(vars_dir());
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned num;
		char tail[64];
		if (strlen(de->d_name) != 8 + 1 + 36 || sscanf(de->d_name, "Boot%4x-%63s", &num, tail) != 2 ||
		    strcasecmp(tail, GLOBAL_GUID) || !strchr("0123456789ABCDEF", de->d_name[4]))
			continue;
		if (taken)
			taken[num / 8] |= (uint8_t)(1u << (num % 8));
		char name[9];
		memcpy(name, de->d_name, 8);
		name[8] = 0;
		size_t len;
		uint8_t *o = var_get(name, GLOBAL_GUID, &len, NULL);
		if (o && option_names(o, len, file) && n < max)
			found[n++] = num;
		free(o);
	}
	closedir(d);
	return n;
}

/* The ESP's partition, for its boot entry. */
static int esp_part(const char *esp, struct gpt_part *p, char *why, size_t whylen)
{
	char disk[PATH_MAX];

	return opt.esp_disk ? gpt_read(opt.esp_disk, opt.esp_partn, p, why, whylen)
			    : mount_part(esp, p, disk, sizeof(disk), why, whylen);
}

static int install_boot_entry(const struct gpt_part *part)
{
	const struct gpt_part p = *part;
	char name[16];
	uint8_t opt_buf[512], taken[0x10000 / 8] = { 0 };
	unsigned found[8], num;
	size_t len, olen;
	uint16_t *order;

	olen = load_option(opt_buf, &p, MAIN_EFI_PATH, "efikexec");
	if (boot_entries(MAIN_EFI_PATH, found, 8, taken))
		num = found[0];
	else
		for (num = 0; num < 0x10000 && (taken[num / 8] >> (num % 8)) & 1; num++)
			;
	if (num >= 0x10000)
		return fail("no free Boot#### variable");
	snprintf(name, sizeof(name), "Boot%04X", num);
	if (var_set(name, GLOBAL_GUID, VAR_ALL, opt_buf, olen) < 0)
		return -1;
	uint16_t *old = (uint16_t *)var_get("BootOrder", GLOBAL_GUID, &len, NULL);
	size_t n = old ? len / 2 : 0, k = 0;
	order = need(calloc(n + 1, 2));
	order[k++] = (uint16_t)num;
	for (size_t i = 0; i < n; i++) {
		uint16_t v;
		memcpy(&v, (uint8_t *)old + 2 * i, 2);
		if (v != num)
			order[k++] = v;
	}
	free(old);
	int r = var_set("BootOrder", GLOBAL_GUID, VAR_ALL, order, k * 2);
	free(order);
	if (!r)
		note("Boot%04X \"efikexec\" (HD(%u,GPT,%s)/%s) is first in BootOrder", num, p.number, p.uuid_text,
		     MAIN_EFI_PATH);
	return r;
}

static int remove_boot_entries(void)
{
	unsigned found[64], n = boot_entries(MAIN_EFI_PATH, found, 64, NULL);
	size_t len;
	uint16_t *order = (uint16_t *)var_get("BootOrder", GLOBAL_GUID, &len, NULL);
	int r = 0;

	for (unsigned i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "Boot%04X", found[i]);
		if (var_set(name, GLOBAL_GUID, VAR_ALL, NULL, 0) < 0)
			r = -1;
		else
			note("removed %s", name);
	}
	if (order && n) {
		size_t k = 0;
		for (size_t i = 0; i < len / 2; i++) {
			bool ours = false;
			for (unsigned j = 0; j < n; j++)
				ours |= order[i] == found[j];
			if (!ours)
				order[k++] = order[i];
		}
		if (var_set("BootOrder", GLOBAL_GUID, VAR_ALL, order, k * 2) < 0)
			r = -1;
	}
	free(order);
	return r;
}

/* --- versions ------------------------------------------------------------------------------------------ */

/* The version an efikexec binary carries (app/main.c's version_mark). */
static bool binary_version(const uint8_t *buf, size_t len, char *out, size_t size)
{
	const uint8_t *m = memmem(buf, len, VERSION_MARK, strlen(VERSION_MARK));
	size_t i = 0;

	if (!m)
		return false;
	m += strlen(VERSION_MARK);
	while (m + i < buf + len && m[i] != ' ' && m[i] > 0x20 && m[i] < 0x7f && i + 1 < size) {
		out[i] = (char)m[i];
		i++;
	}
	out[i] = 0;
	return i > 0;
}

/* The version of the efikexec at path: 1 found, 0 absent, -1 not efikexec. */
static int installed_version(const char *path, char *out, size_t size)
{
	size_t len;
	uint8_t *buf = slurp(path, 64u << 20, &len);
	int r;

	if (!buf && errno == ENOENT)
		return 0;
	if (!buf)
		return fail("cannot read %s: %m", path);
	r = binary_version(buf, len, out, size) ? 1 : -1;
	free(buf);
	return r;
}

/* --- install, update, remove ---------------------------------------------------------------------------- */

static const char *conf_root(void)
{
	const char *e = getenv("KERNEL_INSTALL_CONF_ROOT");
	return opt.conf_root ? opt.conf_root : e && *e ? e : "/etc/kernel";
}

static const char *source_path(void)
{
	return opt.source ? opt.source : EFIKEXEC_LIBDIR "/" MAIN_NAME;
}

/* install.conf with layout=bls (other lines kept). */
static int stage_install_conf(void)
{
	char *path = join(conf_root(), "install.conf");
	size_t len = 0;
	char *old = (char *)slurp(path, 1 << 20, &len), *out, *s, *save = NULL;
	size_t at = 0;
	int r;

	/* a file that cannot be read is not a missing one: it is not rewritten */
	if (!old && errno != ENOENT) {
		r = fail("cannot read %s: %m; it is left as it is", path);
		free(path);
		return r;
	}
	out = need(malloc(len + 32));
	if (old)
		for (s = strtok_r(old, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
			if (strncmp(s + strspn(s, " \t"), "layout=", 7))
				at += (size_t)sprintf(out + at, "%s\n", s);
	at += (size_t)sprintf(out + at, "layout=bls\n");
	r = stage(path, out, at, 0644);
	free(old);
	free(out);
	free(path);
	return r;
}

static int cmd_install(bool update)
{
	const char *esp = find_esp(true);
	char ver[64], have[64], boot_have[64];
	size_t len;
	uint8_t *src;
	int r = -1;

	if (!esp)
		return -1;
	src = slurp(source_path(), 64u << 20, &len);
	if (!src)
		return fail("cannot read %s: %m", source_path());
	if (!binary_version(src, len, ver, sizeof(ver))) {
		free(src);
		return fail("%s is not an efikexec binary (no \"%s\" mark)", source_path(), VERSION_MARK);
	}
	char *dir = join(esp, INSTALL_DIR), *main_dst = join(dir, MAIN_NAME);
	char *boot_dir = join(esp, "EFI/BOOT"), *boot_dst = join(boot_dir, BOOT_NAME);
	int hv = installed_version(main_dst, have, sizeof(have));
	int bv = installed_version(boot_dst, boot_have, sizeof(boot_have));

	struct gpt_part part;
	bool vars = !update && !opt.no_variables && efi_booted();
	/* the boot entry's partition first: an install that cannot name it
	 * writes nothing */
	char why[PATH_MAX + 256];
	if (vars && esp_part(esp, &part, why, sizeof(why)) < 0) {
		fail("%s", why);
		fail("the ESP's partition is unknown: no boot entry can name it (--no-variables skips it)");
		goto out;
	}
	if (update) {
		if (hv == 0) {
			if (opt.graceful) {
				note("efikexec is not installed on %s: nothing to update", esp);
				r = 0;
			} else {
				fail("efikexec is not installed on %s (no %s): nothing to update", esp, main_dst);
			}
			goto out;
		}
		if (hv == 1 && bls_version_cmp(have, ver) >= 0) {
			note("%s is efikexec %s, not older than %s: left as it is", main_dst, have, ver);
			r = 0;
			goto out;
		}
	}
	if (stage(main_dst, src, len, 0644) < 0)
		goto fail;
	/* the removable-media path: efikexec's own copy is refreshed, another
	 * loader's file is left alone */
	if (!opt.no_removable) {
		if (bv == 0 && !update) {
			if (stage(boot_dst, src, len, 0644) < 0)
				goto fail;
		} else if (bv == 1 && bls_version_cmp(boot_have, ver) < 0) {
			if (stage(boot_dst, src, len, 0644) < 0)
				goto fail;
		} else if (bv < 0 && !update) {
			note("%s is another boot loader: left alone", boot_dst);
		}
	}
	if (!update) {
		char *entries = join(esp, "loader/entries"), *conf = join(esp, "loader/loader.conf"),
		     *srel = join(esp, "loader/entries.srel");
		struct stat sb;
		int e = make_dirs(entries);
		if (!e && stat(conf, &sb) < 0)
			e = stage(conf, default_loader_conf, strlen(default_loader_conf), 0644);
		/* the entries' format, which kernel-install reads (layout=bls) */
		if (!e && stat(srel, &sb) < 0)
			e = stage(srel, "type1\n", 6, 0644);
		free(entries);
		free(conf);
		free(srel);
		if (e)
			goto fail;
		if (opt.install_conf && stage_install_conf() < 0)
			goto fail;
		if (opt.tries >= 0) {
			char t[32], *path = join(conf_root(), "tries");
			int n = snprintf(t, sizeof(t), "%ld\n", opt.tries);
			e = stage(path, t, (size_t)n, 0644);
			free(path);
			if (e)
				goto fail;
		}
	}
	unsigned count = nstaged;
	if (commit() < 0) {
		fail("nothing installed: %s is as it was", esp);
		goto out;
	}
	note("%s efikexec %s on %s (%u file%s written)", update ? "updated to" : "installed", ver, esp, count,
	     count == 1 ? "" : "s");
	r = 0;
	if (vars)
		r = install_boot_entry(&part);
	else if (!update && !opt.no_variables)
		note("not booted with EFI: no boot entry written");
	goto out;
fail:
	rollback();
	fail("nothing installed: %s is as it was", esp);
out:
	free(src);
	free(dir);
	free(main_dst);
	free(boot_dir);
	free(boot_dst);
	return r;
}

static void remove_file(const char *path, int *r)
{
	if (unlink(path) == 0)
		note("removed %s", path);
	else if (errno != ENOENT)
		*r = fail("cannot remove %s: %m", path);
}

static int cmd_remove(void)
{
	const char *esp = find_esp(true);
	char have[64];
	int r = 0;

	if (!esp)
		return -1;
	char *dir = join(esp, INSTALL_DIR), *main_dst = join(dir, MAIN_NAME);
	char *boot_dst = join(esp, "EFI/BOOT/" BOOT_NAME), *conf = join(esp, "loader/loader.conf");
	char *entries = join(esp, "loader/entries"), *srel = join(esp, "loader/entries.srel"),
	     *loader = join(esp, "loader");
	size_t len;
	uint8_t *c;

	remove_file(main_dst, &r);
	if (rmdir(dir) < 0 && errno != ENOENT)
		note("%s is not empty: left", dir);
	if (installed_version(boot_dst, have, sizeof(have)) == 1)
		remove_file(boot_dst, &r);
	/* loader.conf as install wrote it, and the folders if empty; entries
	 * stay (they are the kernels') */
	if ((c = slurp(conf, 1 << 20, &len)) && len == strlen(default_loader_conf) &&
	    !memcmp(c, default_loader_conf, len))
		remove_file(conf, &r);
	free(c);
	if (rmdir(entries) == 0) {
		remove_file(srel, &r);
		rmdir(loader);
	}
	if (!opt.no_variables && efi_booted() && remove_boot_entries() < 0)
		r = -1;
	free(dir);
	free(main_dst);
	free(boot_dst);
	free(conf);
	free(entries);
	free(srel);
	free(loader);
	return r;
}

static int cmd_is_installed(void)
{
	const char *esp = find_esp(!opt.quiet);
	char have[64];
	int r = 1;

	if (esp) {
		char *main_dst = join(esp, INSTALL_DIR "/" MAIN_NAME);
		r = installed_version(main_dst, have, sizeof(have)) == 1 ? 0 : 1;
		free(main_dst);
	}
	note("%s", r ? "no" : "yes");
	return r;
}

/* --- entries, as the menu lists them ----------------------------------------------------------------- */

#define MAX_LIST 512
static struct bls_entry *list[MAX_LIST];
static size_t nlist;

static void warn_cb(void *ctx, const char *file, unsigned line, const char *text)
{
	if (line)
		fprintf(stderr, PROG ": %s%s:%u: %s\n", (const char *)ctx, file, line, text);
	else
		fprintf(stderr, PROG ": %s%s: %s\n", (const char *)ctx, file, text);
}

static bool exists_on(const char *root, const char *path)
{
	char *p = join(root, path), *s;
	struct stat sb;
	bool r;

	for (s = p; *s; s++)
		if (*s == '\\')
			*s = '/';
	r = stat(p, &sb) == 0;
	free(p);
	return r;
}

static void check_files(struct bls_entry *e, const char *root)
{
	const char *what = NULL, *path = NULL;

	if (e->broken || e->hidden)
		return;
	if (e->linux_path[0] && !exists_on(root, e->linux_path))
		what = "linux", path = e->linux_path;
	else if (e->efi_path[0] && !exists_on(root, e->efi_path))
		what = "efi", path = e->efi_path;
	else if (e->devicetree[0] && !exists_on(root, e->devicetree))
		what = "devicetree", path = e->devicetree;
	for (unsigned i = 0; !what && i < e->ninitrd; i++)
		if (!exists_on(root, e->initrd[i]))
			what = "initrd", path = e->initrd[i];
	if (what) {
		e->broken = true;
		snprintf(e->why, sizeof(e->why), "%s %.200s is not on the %s", what, path,
			 e->part == BLS_ESP ? "ESP" : "XBOOTLDR partition");
	}
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

static void read_uki(struct bls_entry *e, enum bls_part part, const char *root, const char *name)
{
	char *path = join(root, "EFI/Linux"), *file = join(path, name), uki_path[BLS_PATH_MAX];
	size_t len;
	uint8_t *buf = slurp(file, 1u << 30, &len);
	uint32_t table;
	unsigned count;
	char why[128];
	struct pe_section s;
	char *osrel = NULL;

	snprintf(uki_path, sizeof(uki_path), "\\EFI\\Linux\\%s", name);
	if (buf && pe_table(buf, len, &table, &count, why, sizeof(why)) && pe_find(buf, table, count, ".linux", &s)) {
		if (pe_find(buf, table, count, ".osrel", &s) && s.off + s.len <= len)
			osrel = strndup((char *)buf + s.off, s.len);
		bls_uki_entry(e, part, name, uki_path, osrel);
		e->options[0] = 0;
		if (pe_find(buf, table, count, ".cmdline", &s) && s.off + s.len <= len && s.len < sizeof(e->options)) {
			memcpy(e->options, buf + s.off, s.len);
			e->options[s.len] = 0;
			size_t n = strlen(e->options);
			while (n && strchr("\n\r ", e->options[n - 1]))
				e->options[--n] = 0;
		}
	} else {
		e->file[0] = 0; /* not a UKI: not listed (as the menu) */
	}
	free(osrel);
	free(buf);
	free(file);
	free(path);
}

static void scan(const char *root, enum bls_part part)
{
	const char *dirs[] = { "loader/entries", "EFI/Linux" };

	for (unsigned k = 0; k < 2; k++) {
		char *dir = join(root, dirs[k]), where[PATH_MAX + 2];
		struct dirent **names;
		int n = scandir(dir, &names, NULL, alphasort);

		snprintf(where, sizeof(where), "%s/%s/", root, dirs[k]);
		for (int i = 0; i < n; i++) {
			const char *name = names[i]->d_name;
			if (name[0] == '.' || nlist == MAX_LIST ||
			    (k == 0 && (!has_suffix(name, ".conf") || !strncmp(name, "auto-", 5))) ||
			    (k == 1 && !has_suffix(name, ".efi"))) {
				free(names[i]);
				continue;
			}
			struct bls_entry *e = need(calloc(1, sizeof(*e)));
			if (k == 0) {
				char *file = join(dir, name);
				size_t len;
				uint8_t *buf = slurp(file, BLS_FILE_MAX, &len);
				if (buf) {
					bls_parse_entry(e, part, name, (char *)buf, len, BLS_ARCH, warn_cb, where);
				} else {
					bls_parse_entry(e, part, name, "", 0, BLS_ARCH, NULL, NULL);
					e->broken = true;
					snprintf(e->why, sizeof(e->why), "cannot read %s: %s", file, strerror(errno));
				}
				free(buf);
				free(file);
			} else {
				read_uki(e, part, root, name);
			}
			if (!e->file[0]) {
				free(e);
			} else {
				check_files(e, root);
				list[nlist++] = e;
			}
			free(names[i]);
		}
		if (n >= 0)
			free(names);
		free(dir);
	}
}

/* The entry the stage boots without a key, chosen by the stage's own
 * function (lib/bls.c bls_default) from loader.conf and the variables as
 * the stage reads them (the one-shot entry is not taken away here). */
static ssize_t default_entry(const char *esp, const char **why)
{
	struct bls_config cfg;
	struct bls_default_vars v = { 0 };
	enum bls_default_by by;
	char *conf = join(esp, "loader/loader.conf");
	char *oneshot = NULL, *entry_default = NULL, *last = NULL;
	size_t len, d;
	uint8_t *buf = slurp(conf, BLS_FILE_MAX, &len);

	bls_config_defaults(&cfg);
	if (buf)
		bls_parse_loader_conf(&cfg, "loader.conf", (char *)buf, len, NULL, NULL);
	free(buf);
	free(conf);
	if (efi_booted()) {
		v.oneshot = oneshot = var_text("LoaderEntryOneShot", BLI_GUID);
		v.entry_default = entry_default = var_text("LoaderEntryDefault", BLI_GUID);
		v.last_booted = last = var_text("LoaderEntryLastBooted", BLI_GUID);
	}
	d = bls_default(list, nlist, &cfg, &v, &by);
	free(oneshot);
	free(entry_default);
	free(last);
	*why = bls_default_by_name(by);
	return d == BLS_NONE ? -1 : (ssize_t)d;
}

static void load_entries(const char *esp, const char *xbootldr)
{
	scan(esp, BLS_ESP);
	if (xbootldr)
		scan(xbootldr, BLS_XBOOTLDR);
	bls_sort(list, nlist);
	bls_titles(list, nlist);
}

static int cmd_list(void)
{
	const char *esp = find_esp(true), *xbootldr, *why = "";
	char *selected = NULL;

	if (!esp)
		return -1;
	xbootldr = find_xbootldr(esp);
	load_entries(esp, xbootldr);
	ssize_t def = default_entry(esp, &why);
	if (efi_booted())
		selected = var_text("LoaderEntrySelected", BLI_GUID);
	if (!nlist)
		note("No boot loader entries found.");
	for (size_t i = 0; i < nlist; i++) {
		struct bls_entry *e = list[i];
		const char *root = e->part == BLS_ESP ? esp : xbootldr;
		printf("         type: %s\n", e->kind == BLS_TYPE1 ? "Boot Loader Specification Type #1 (.conf)"
							    : "Boot Loader Specification Type #2 (.efi)");
		printf("        title: %s%s%s%s%s\n", e->title, (ssize_t)i == def ? " (default)" : "",
		       selected && !strcasecmp(selected, e->id) ? " (selected)" : "", e->hidden ? " (hidden)" : "",
		       e->broken ? " (broken)" : "");
		printf("           id: %s\n", e->id);
		printf("       source: %s/%s/%s\n", root, e->kind == BLS_TYPE1 ? "loader/entries" : "EFI/Linux", e->file);
		if (e->tries_left >= 0)
			printf("        tries: %lld left, %lld done\n", (long long)e->tries_left,
			       (long long)(e->tries_done < 0 ? 0 : e->tries_done));
		if (e->sort_key[0])
			printf("     sort-key: %s\n", e->sort_key);
		if (e->version[0])
			printf("      version: %s\n", e->version);
		if (e->machine_id[0])
			printf("   machine-id: %s\n", e->machine_id);
		if (e->linux_path[0])
			printf("        linux: %s\n", e->linux_path);
		if (e->efi_path[0])
			printf("          efi: %s\n", e->efi_path);
		for (unsigned k = 0; k < e->ninitrd; k++)
			printf("       initrd: %s\n", e->initrd[k]);
		if (e->devicetree[0])
			printf("   devicetree: %s\n", e->devicetree);
		if (e->options[0])
			printf("      options: %s\n", e->options);
		if (e->broken)
			printf("       broken: %s\n", e->why);
		putchar('\n');
	}
	free(selected);
	return 0;
}

/* --- status ------------------------------------------------------------------------------------------ */

static void show_var(const char *label, const char *name)
{
	char *v = var_text(name, BLI_GUID);
	if (v)
		printf("%15s: %s\n", label, v);
	free(v);
}

static int cmd_status(void)
{
	const char *esp = find_esp(true), *xbootldr = esp ? find_xbootldr(esp) : NULL;
	size_t len;

	printf("System:\n");
	if (!efi_booted()) {
		printf("%15s: not booted with EFI\n", "Firmware");
	} else {
		char *type = var_text("LoaderFirmwareType", BLI_GUID), *info = var_text("LoaderFirmwareInfo", BLI_GUID);
		printf("%15s: %s (%s)\n", "Firmware", type ? type : "n/a", info ? info : "n/a");
		free(type);
		free(info);
		uint8_t *sb = var_get("SecureBoot", GLOBAL_GUID, &len, NULL);
		uint8_t *sm = var_get("SetupMode", GLOBAL_GUID, &len, NULL);
		printf("%15s: %s%s\n", "Secure Boot", !sb ? "unsupported" : sb[0] ? "enabled" : "disabled",
		       sm && sm[0] ? " (setup mode)" : "");
		free(sb);
		free(sm);
	}
	printf("\nCurrent Boot Loader:\n");
	char *info = efi_booted() ? var_text("LoaderInfo", BLI_GUID) : NULL;
	printf("%15s: %s\n", "Product", info ? info : "n/a (not booted by a Boot Loader Interface loader)");
	free(info);
	uint8_t *feat = efi_booted() ? var_get("LoaderFeatures", BLI_GUID, &len, NULL) : NULL;
	if (feat && len >= 8) {
		uint64_t f = le64(feat);
		/* every bit, named as the stage's own table names it (lib/bls.c) */
		for (unsigned b = 0; b < 64; b++) {
			const char *name = bls_loader_feature_name(b);
			if (!name && !(f >> b & 1))
				continue;
			printf("%15s  %s %s", b ? "" : "Features:", f >> b & 1 ? "yes" : "no ", name ? name : "");
			if (!name)
				printf("bit %u (unknown to efikexec)", b);
			putchar('\n');
		}
	}
	free(feat);
	if (efi_booted()) {
		show_var("Partition", "LoaderDevicePartUUID");
		show_var("Loader", "LoaderImageIdentifier");
		show_var("Current Entry", "LoaderEntrySelected");
		show_var("Default Entry", "LoaderEntryDefault");
		show_var("One-shot Entry", "LoaderEntryOneShot");
		show_var("Boot counting", "LoaderBootCountPath");
		show_var("Timeout", "LoaderConfigTimeout");
	}
	printf("\nInstalled:\n");
	if (!esp) {
		printf("%15s: not found\n", "ESP");
	} else {
		struct gpt_part p;
		char have[64];
		char unknown[PATH_MAX + 256];
		bool part = esp_part(esp, &p, unknown, sizeof(unknown)) == 0;
		if (part)
			printf("%15s: %s (/dev/disk/by-partuuid/%s)\n", "ESP", esp, p.uuid_text);
		else
			printf("%15s: %s\n", "ESP", esp);
		const char *files[] = { INSTALL_DIR "/" MAIN_NAME, "EFI/BOOT/" BOOT_NAME };
		for (unsigned i = 0; i < 2; i++) {
			char *path = join(esp, files[i]);
			int v = installed_version(path, have, sizeof(have));
			if (v == 1)
				printf("%15s: /%s (efikexec %s)\n", "File", files[i], have);
			else if (v < 0)
				printf("%15s: /%s (another boot loader)\n", "File", files[i]);
			free(path);
		}
		if (xbootldr)
			printf("%15s: %s\n", "XBOOTLDR", xbootldr);
		load_entries(esp, xbootldr);
		const char *why = "";
		ssize_t def = default_entry(esp, &why);
		printf("%15s: %zu\n", "Entries", nlist);
		if (def >= 0)
			printf("%15s: %s (%s)\n", "Boots next", list[def]->id, why);
		if (efi_booted()) {
			unsigned found[8], n = boot_entries(MAIN_EFI_PATH, found, 8, NULL);
			for (unsigned i = 0; i < n; i++)
				printf("%15s: Boot%04X\n", i ? "" : "Boot entry", found[i]);
		}
	}
	return 0;
}

/* --- the variables the menu reads ------------------------------------------------------------------- */

static int cmd_set_entry(const char *var, const char *id)
{
	if (!efi_booted())
		return fail("not booted with EFI: cannot set %s", var);
	if (!strcmp(id, "@current")) {
		char *cur = var_text("LoaderEntrySelected", BLI_GUID);
		if (!cur)
			return fail("@current: LoaderEntrySelected is not set (not booted by a Boot Loader Interface loader)");
		int r = var_set_text(var, BLI_GUID, VAR_ALL, cur);
		free(cur);
		return r;
	}
	return var_set_text(var, BLI_GUID, VAR_ALL, id);
}

static int cmd_set_timeout(const char *var, const char *value)
{
	enum bls_timeout kind;
	uint32_t seconds;

	if (!efi_booted())
		return fail("not booted with EFI: cannot set %s", var);
	if (*value && !bls_parse_timeout(value, &kind, &seconds))
		return fail("timeout '%s': not a number of seconds, menu-force, menu-hidden or menu-disabled", value);
	return var_set_text(var, BLI_GUID, VAR_ALL, value);
}

/* --- main ------------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [OPTIONS] COMMAND\n"
		   "  install               efikexec to the ESP, a boot entry first in BootOrder\n"
		   "  update                only when the installed copy is older\n"
		   "  remove                efikexec from the ESP and the boot entries\n"
		   "  is-installed          exit 0 when efikexec is on the ESP\n"
		   "  status                the running boot loader, the firmware, what is installed\n"
		   "  list                  the entries, sorted as efikexec's menu sorts them\n"
		   "  set-default ID        LoaderEntryDefault ('' removes, @current)\n"
		   "  set-oneshot ID        LoaderEntryOneShot\n"
		   "  set-timeout VALUE     LoaderConfigTimeout (seconds, menu-force, menu-hidden, menu-disabled)\n"
		   "  set-timeout-oneshot VALUE  LoaderConfigTimeoutOneShot\n"
		   "options:\n"
		   "  --esp-path=DIR        the ESP (default: /efi, /boot/efi, /boot)\n"
		   "  --boot-path=DIR       the XBOOTLDR partition (default: /boot when it is one)\n"
		   "  --source=FILE         the efikexec binary (" EFIKEXEC_LIBDIR "/" MAIN_NAME ")\n"
		   "  --efivarfs=DIR        the variables (/sys/firmware/efi/efivars)\n"
		   "  --esp-disk=DISK:N     the ESP is partition N of DISK (for the boot entry)\n"
		   "  --conf-root=DIR       kernel-install's configuration (/etc/kernel)\n"
		   "  --install-conf        write layout=bls to install.conf\n"
		   "  --tries=N             write N to tries (boot counting for new kernels)\n"
		   "  --no-variables        no boot entry, no BootOrder change\n"
		   "  --no-removable        leave \\EFI\\BOOT\\" BOOT_NAME " alone\n"
		   "  --relax-esp-checks    accept any folder as the ESP\n"
		   "  --graceful            update: not installed is no error\n"
		   "  -q, --quiet           say only what fails\n"
		   "  --version, --help\n");
}

int main(int argc, char **argv)
{
	enum { O_ESP = 256, O_BOOT, O_SOURCE, O_VARS, O_DISK, O_CONF, O_INSTALL_CONF, O_TRIES, O_NOVARS,
	       O_NOREM, O_RELAX, O_GRACEFUL, O_VERSION };
	static const struct option longopts[] = {
		{ "esp-path", required_argument, NULL, O_ESP },
		{ "boot-path", required_argument, NULL, O_BOOT },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "efivarfs", required_argument, NULL, O_VARS },
		{ "esp-disk", required_argument, NULL, O_DISK },
		{ "conf-root", required_argument, NULL, O_CONF },
		{ "install-conf", no_argument, NULL, O_INSTALL_CONF },
		{ "tries", required_argument, NULL, O_TRIES },
		{ "no-variables", no_argument, NULL, O_NOVARS },
		{ "no-removable", no_argument, NULL, O_NOREM },
		{ "relax-esp-checks", no_argument, NULL, O_RELAX },
		{ "graceful", no_argument, NULL, O_GRACEFUL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_ESP: opt.esp_path = optarg; break;
		case O_BOOT: opt.boot_path = optarg; break;
		case O_SOURCE: opt.source = optarg; break;
		case O_VARS: opt.efivarfs = optarg; break;
		case O_CONF: opt.conf_root = optarg; break;
		case O_DISK: {
			char *colon = strrchr(optarg, ':');
			unsigned long n = colon ? strtoul(colon + 1, &end, 10) : 0;
			if (!colon || *end || n == 0 || n > 128) {
				fail("--esp-disk=%s: want DISK:N, N a partition number from 1 to 128", optarg);
				return 2;
			}
			*colon = 0;
			opt.esp_disk = optarg;
			opt.esp_partn = (unsigned)n;
			break;
		}
		case O_INSTALL_CONF: opt.install_conf = true; break;
		case O_TRIES:
			errno = 0;
			opt.tries = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || opt.tries < 0 || opt.tries > 9999) {
				fail("--tries=%s: want a number from 0 to 9999", optarg);
				return 2;
			}
			break;
		case O_NOVARS: opt.no_variables = true; break;
		case O_NOREM: opt.no_removable = true; break;
		case O_RELAX: opt.relax = true; break;
		case O_GRACEFUL: opt.graceful = true; break;
		case 'q': opt.quiet = true; break;
		case O_VERSION: printf(PROG " " EFIKEXEC_VERSION "\n"); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[optind++];
	int nargs = argc - optind, r;
	bool one = !strcmp(cmd, "set-default") || !strcmp(cmd, "set-oneshot") || !strcmp(cmd, "set-timeout") ||
		   !strcmp(cmd, "set-timeout-oneshot");
	if (nargs != (one ? 1 : 0)) {
		fail("%s takes %s", cmd, one ? "one argument" : "no arguments");
		return 2;
	}
	if (!strcmp(cmd, "install"))
		r = cmd_install(false);
	else if (!strcmp(cmd, "update"))
		r = cmd_install(true);
	else if (!strcmp(cmd, "remove"))
		r = cmd_remove();
	else if (!strcmp(cmd, "is-installed"))
		return cmd_is_installed();
	else if (!strcmp(cmd, "status"))
		r = cmd_status();
	else if (!strcmp(cmd, "list"))
		r = cmd_list();
	else if (!strcmp(cmd, "set-default"))
		r = cmd_set_entry("LoaderEntryDefault", argv[optind]);
	else if (!strcmp(cmd, "set-oneshot"))
		r = cmd_set_entry("LoaderEntryOneShot", argv[optind]);
	else if (!strcmp(cmd, "set-timeout"))
		r = cmd_set_timeout("LoaderConfigTimeout", argv[optind]);
	else if (!strcmp(cmd, "set-timeout-oneshot"))
		r = cmd_set_timeout("LoaderConfigTimeoutOneShot", argv[optind]);
	else {
		fail("unknown command '%s' (--help lists them)", cmd);
		return 2;
	}
	fflush(stdout);
	return r < 0 ? 1 : 0;
}
