/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * disk.c - efikexec-install: GUIDs, the GPT, the ESP and XBOOTLDR (install.h).
 */
#include "install.h"

const char esp_type[] = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
const char xbootldr_type[] = "bc13c2ff-59e6-4262-a352-b275fd6f7172";

/* --- GUIDs and partitions ------------------------------------------------------------------------ */

uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* An EFI_GUID in memory (first three fields little-endian) as text. */
static void guid_text(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g), g[4] | g[5] << 8,
		 g[6] | g[7] << 8, g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}


/* One copy of the GPT at `lba` of blocks of `ss` bytes: its header and
 * its entries (malloc'd), both checked (lib/gpt.c); *alt: where the header
 * read says its other copy is. False with why. */
static bool gpt_copy(int fd, unsigned ss, uint64_t lba, struct gpt_header *h, uint8_t **ents, uint64_t *alt,
		     char *why, size_t whylen)
{
	uint8_t hdr[4096];
	size_t bytes;

	*ents = NULL;
	*alt = 0;
	if (pread(fd, hdr, ss, (off_t)(lba * ss)) != (ssize_t)ss)
		return said(why, whylen, "its header cannot be read"), false;
	*alt = gpt_alternate(hdr, ss);
	if (!gpt_header(hdr, ss, lba, h, why, whylen))
		return false;
	bytes = (size_t)h->count * h->entry_size;
	*ents = need(malloc(bytes ? bytes : 1));
	if (pread(fd, *ents, bytes, (off_t)(h->entries_lba * ss)) != (ssize_t)bytes)
		return said(why, whylen, "its %zu bytes of entries cannot be read: %s", bytes, strerror(errno)), false;
	return gpt_entries(h, *ents, bytes, why, whylen);
}

/* Partition `number` of the GPT on `disk` (a block device or an image),
 * the table checked as the stage checks one (lib/gpt.c: both CRC32s, the
 * sizes, the entry's LBAs within the usable range), its copies tried in
 * the stage's order (app/stage-files.c find_xbootldr, systemd-boot's):
 * LBA 1, where that header says the backup is, the last block. */
int gpt_read(const char *disk, unsigned number, struct gpt_part *p, char *why, size_t whylen)
{
	static const unsigned sizes[] = { 512, 4096 };
	uint8_t probe[4096], *ents = NULL;
	char reason[160] = "", first[200] = "";
	struct gpt_header h;
	struct gpt_entry e;
	int fd = open(disk, O_RDONLY | O_CLOEXEC);
	unsigned ss = 0;
	uint64_t alt = 0, next, last = UINT64_MAX;
	off_t end;
	bool ok = false;

	if (fd < 0)
		return said(why, whylen, "cannot open %s to read its partition table: %s", disk, strerror(errno));
	for (unsigned i = 0; i < 2 && !ss; i++)
		if (pread(fd, probe, sizes[i], sizes[i]) == (ssize_t)sizes[i] && !memcmp(probe, "EFI PART", 8))
			ss = sizes[i];
	if (!ss) {
		said(why, whylen, "%s has no GPT (no \"EFI PART\" header at block 1 of 512 or 4096 bytes)", disk);
		close(fd);
		return -1;
	}
	if ((end = lseek(fd, 0, SEEK_END)) > 0)
		last = (uint64_t)end / ss - 1;
	for (unsigned copy = 0; copy < 3 && !ok; copy++) {
		uint64_t lba = gpt_copy_lba(copy, alt, last);
		if (!lba)
			continue;
		free(ents);
		ok = gpt_copy(fd, ss, lba, &h, &ents, &next, reason, sizeof(reason));
		if (copy == 0)
			alt = next;
		if (!ok && !first[0])
			snprintf(first, sizeof(first), "%s", reason);
		if (!ok)
			warn("%s: its GPT at LBA %llu is not to be trusted: %s", disk, (unsigned long long)lba, reason);
		else if (copy)
			warn("%s: the GPT's copy at LBA %llu is used", disk, (unsigned long long)lba);
	}
	if (!ok)
		said(why, whylen, "%s: its GPT is not to be trusted: %s (nor any copy of it)", disk, first);
	else if (number == 0 || number > h.count)
		said(why, whylen, "%s: the GPT has %u entries; partition %u is not among them", disk, h.count, number);
	else if (!gpt_entry(&h, ents, number - 1, &e, reason, sizeof(reason)))
		said(why, whylen, "%s: partition %u %s", disk, number, reason);
	else {
		p->number = number;
		memcpy(p->type, e.type, 16);
		memcpy(p->uuid, e.uuid, 16);
		p->start = e.first;
		p->size = e.blocks;
		guid_text(p->type, p->type_text);
		guid_text(p->uuid, p->uuid_text);
		free(ents);
		close(fd);
		return 0;
	}
	free(ents);
	close(fd);
	return -1;
}

/* The GPT partition a mounted folder lives on (sysfs: /sys/dev/block/M:m). */
int mount_part(const char *path, struct gpt_part *p, char *disk, size_t disksz, char *why, size_t whylen)
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
const char *find_esp(bool say)
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
const char *find_xbootldr(const char *esp)
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
