/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * entries.c - efikexec-install: the entries as the menu lists them, status, the variables the menu reads (install.h).
 */
#include "install.h"

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

static void check_files(struct bls_entry *e, const char *root);

/* For bls_check_files: a path on the mounted partition; a URL is not
 * fetched here (the stage fetches it at boot). */
static bool entry_file(void *ctx, const struct bls_entry *e, const char *path, bool file_only, char *why, size_t size)
{
	(void)e, (void)why, (void)size;
	if (!file_only && url_is(path))
		return true;
	return exists_on(ctx, path);
}

/* Marks an entry broken when a file it names is not there, as the stage
 * does (lib/bli.c). */
static void check_files(struct bls_entry *e, const char *root)
{
	bls_check_files(e, entry_file, (void *)root);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

/* For bls_uki_entries: a section of the UKI as text, by the stage's own
 * section rules (boot/uki.h). */
struct uki_file {
	int fd;
	uint8_t head[65536];
	size_t got;
};
static bool uki_text(void *ctx, unsigned profile, const char *name, char *out, size_t size)
{
	struct uki_file *u = ctx;
	struct uki_layout l;
	char why[128];

	out[0] = 0;
	if (uki_layout(u->head, u->got, profile, &l, why, sizeof(why)) != RT_OK)
		return false;
	for (int i = 0; i < UKI_NSECTIONS; i++) {
		if (strcmp(uki_section_name[i], name) || !l.sec[i].set)
			continue;
		if (l.sec[i].raw >= size || pread(u->fd, out, l.sec[i].raw, (off_t)l.sec[i].off) != (ssize_t)l.sec[i].raw)
			return false;
		out[l.sec[i].raw] = 0;
		return true;
	}
	return false;
}
static struct bls_entry *next_entry(void *ctx)
{
	(void)ctx;
	return nlist < MAX_LIST ? (list[nlist++] = need(calloc(1, sizeof(struct bls_entry)))) : NULL;
}

/* A UKI's entries, one per profile, as the stage lists them (lib/bli.c). */
static void read_uki(enum bls_part part, const char *root, const char *name)
{
	char *dir = join(root, "EFI/Linux"), *file = join(dir, name), uki_path[BLS_PATH_MAX];
	static struct uki_file u;
	struct uki_layout l;
	char why[128];
	ssize_t got;
	size_t first = nlist;

	snprintf(uki_path, sizeof(uki_path), "\\EFI\\Linux\\%s", name);
	u.fd = open(file, O_RDONLY | O_CLOEXEC);
	got = u.fd < 0 ? -1 : pread(u.fd, u.head, sizeof(u.head), 0);
	u.got = got > 0 ? (size_t)got : 0;
	if (u.got && uki_layout(u.head, u.got, 0, &l, why, sizeof(why)) == RT_OK && l.sec[UKI_LINUX].set)
		bls_uki_entries(part, name, uki_path, uki_text, &u, next_entry, NULL);
	for (size_t i = first; i < nlist; i++)
		check_files(list[i], root);
	if (u.fd >= 0)
		close(u.fd);
	free(file);
	free(dir);
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
			if (k == 1) {
				read_uki(part, root, name);
				free(names[i]);
				continue;
			}
			struct bls_entry *e = need(calloc(1, sizeof(*e)));
			{
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
			}
			check_files(e, root);
			list[nlist++] = e;
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

int cmd_list(void)
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

int cmd_status(void)
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

int cmd_set_entry(const char *var, const char *id)
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

int cmd_set_timeout(const char *var, const char *value)
{
	enum bls_timeout kind;
	uint32_t seconds;

	if (!efi_booted())
		return fail("not booted with EFI: cannot set %s", var);
	if (*value && !bls_parse_timeout(value, &kind, &seconds))
		return fail("timeout '%s': not a number of seconds, menu-force, menu-hidden or menu-disabled", value);
	return var_set_text(var, BLI_GUID, VAR_ALL, value);
}
