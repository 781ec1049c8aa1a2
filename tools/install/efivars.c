/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * efivars.c - efikexec-install: efivarfs, Boot#### and BootOrder (install.h).
 */
#include "install.h"

/* --- efivarfs ---------------------------------------------------------------------------------------- */

static const char *vars_dir(void)
{
	return opt.efivarfs ? opt.efivarfs : "/sys/firmware/efi/efivars";
}

/* Booted with EFI (or a --efivarfs folder given). */
bool efi_booted(void)
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
uint8_t *var_get(const char *name, const char *guid, size_t *len, uint32_t *attr)
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
char *var_text(const char *name, const char *guid)
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
int var_set_text(const char *name, const char *guid, uint32_t attr, const char *text)
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
unsigned boot_entries(const char *file, unsigned *found, unsigned max, uint8_t taken[0x10000 / 8])
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
int esp_part(const char *esp, struct gpt_part *p, char *why, size_t whylen)
{
	char disk[PATH_MAX];

	return opt.esp_disk ? gpt_read(opt.esp_disk, opt.esp_partn, p, why, whylen)
			    : mount_part(esp, p, disk, sizeof(disk), why, whylen);
}

int install_boot_entry(const struct gpt_part *part)
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

int remove_boot_entries(void)
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
