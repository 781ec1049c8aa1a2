/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * install.c - efikexec-install: install, update, remove: the versions, the files (install.h).
 */
#include "install.h"

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
int installed_version(const char *path, char *out, size_t size)
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

const char *conf_root(void)
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

int cmd_install(bool update)
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
	unsigned count = staged_count();
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

int cmd_remove(void)
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

int cmd_is_installed(void)
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
