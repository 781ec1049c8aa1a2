/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage-entries.c - the boot stage: the entries: on disk, by URL, automatic; the configuration (stage-int.h).
 */
#include "stage-int.h"

/* --- entries --------------------------------------------------------------------------------- */

struct bls_entry *new_entry(void)
{
	if (nstore == MAX_ENTRIES) {
		static bool said;
		if (!said)
			say(EFIKEXEC_LOG_WARN, "config", "more than %u entries: the rest are not listed", MAX_ENTRIES);
		said = true;
		return NULL;
	}
	if (nstore == cap) {
		size_t ncap = cap ? cap * 2 : 16;
		struct bls_entry *n;
		if (bs->AllocatePool(EfiLoaderData, ncap * sizeof(*n), (void **)&n) != EFI_SUCCESS) {
			say(EFIKEXEC_LOG_WARN, "config", "out of memory for %zu entries", ncap);
			return NULL;
		}
		if (store) {
			RT_FN(memcpy)(n, store, nstore * sizeof(*n));
			bs->FreePool(store);
		}
		store = n, cap = ncap;
	}
	return &store[nstore++];
}

/* Is path (on the ESP) efikexec's own image? Case-insensitive, / or \. */
static bool is_self(const char *path)
{
	char a[BLS_PATH_MAX + 2];
	size_t i;

	efi_path(path, a, sizeof(a));
	for (i = 0; a[i] && image_path[i]; i++) {
		char x = a[i] >= 'a' && a[i] <= 'z' ? (char)(a[i] - 32) : a[i];
		char y = image_path[i] >= 'a' && image_path[i] <= 'z' ? (char)(image_path[i] - 32) : image_path[i];
		if (x != y)
			return false;
	}
	return !a[i] && !image_path[i];
}

void net_look(void);

/* A key's file is there: a file on the entry's partition, or a URL that
 * parses and that the firmware has the stack for (HTTP for http:// and
 * https://, a PXE base code for tftp://); fetched when the entry boots,
 * each failure said then. why gets the reason a URL is not there. */
static bool present(enum bls_part p, const char *path, char *why, size_t size)
{
	static struct url u;

	if (!url_is(path))
		return exists(p, path);
	if (url_parse(path, &u, why, size) != RT_OK)
		return false;
	net_look(); /* only now: a disk entry with a URL asks about the network */
	if (u.scheme == URL_TFTP && !(net.flags & EFIKEXEC_NET_PXE)) {
		rt_snprintf(why, size, "%s: the firmware has no PXE base code on an IPv4 NIC, which tftp:// needs", u.text);
		return false;
	}
	if (u.scheme != URL_TFTP && !(net.flags & EFIKEXEC_NET_HTTP)) {
		rt_snprintf(why, size, "%s: the firmware has no HTTP stack (no EFI_HTTP_SERVICE_BINDING_PROTOCOL on any NIC), which %s needs",
			    u.text, u.scheme == URL_HTTPS ? "https://" : "http://");
		return false;
	}
	return true;
}

/* For bls_check_files: a path of the entry's partition, or a URL the
 * firmware's network can fetch. */
static bool entry_file(void *ctx, const struct bls_entry *e, const char *path, bool file_only, char *why, size_t size)
{
	(void)ctx;
	return file_only ? exists(e->part, path) : present(e->part, path, why, size);
}

/* Marks an entry broken when a file it names is not there (lib/bli.c,
 * as efikexec-install lists it). */
static void check_files(struct bls_entry *e)
{
	if (e->broken || e->hidden)
		return;
	/* efikexec itself with no options would only show this menu again
	 * (systemd-boot skips an `efi` entry of its own image the same way) */
	if (e->efi_path[0] && e->part == BLS_ESP && !e->options[0] && is_self(e->efi_path)) {
		say(EFIKEXEC_LOG_WARN, "config", "%s: 'efi %s' is efikexec itself, with no options: not listed", e->file,
		    e->efi_path);
		e->hidden = true;
		return;
	}
	if (e->net)
		return; /* fetched itself: every path is a URL, fetched when booted */
	/* a disk entry's keys may be URLs too (URLs go wherever a path goes) */
	bls_check_files(e, entry_file, NULL);
}

/* --- the network ------------------------------------------------------------------------------- */

/* A path of an entry read from `base` (a URL), made a URL: "/x" from the
 * server's root, "x" beside the entry (RFC 3986 resolution). */
static bool to_url(const char *base, char *path, size_t size)
{
	char out[URL_MAX];

	if (!path[0])
		return true;
	if (url_resolve(base, path, out, sizeof(out)) != RT_OK || RT_FN(strlen)(out) >= size)
		return false;
	rt_snprintf(path, size, "%s", out);
	return true;
}

/* An entry fetched from URL base: its paths become URLs; it cannot be
 * renamed, so it is not counted. */
static void entry_urls(struct bls_entry *e, const char *base)
{
	bool ok = to_url(base, e->linux_path, sizeof(e->linux_path)) &&
		  to_url(base, e->devicetree, sizeof(e->devicetree)) && to_url(base, e->tls_ca, sizeof(e->tls_ca));

	for (unsigned i = 0; ok && i < e->ninitrd; i++)
		ok = to_url(base, e->initrd[i], sizeof(e->initrd[i]));
	for (unsigned i = 0; ok && i < e->nmodule; i++) {
		char path[BLS_MODULE_MAX], args[BLS_MODULE_MAX];
		rt_snprintf(path, sizeof(path), "%s", bls_module_path(e, i));
		rt_snprintf(args, sizeof(args), "%s", bls_module_args(e, i));
		ok = to_url(base, path, BLS_PATH_MAX) && RT_FN(strlen)(path) + 1 + RT_FN(strlen)(args) < BLS_MODULE_MAX;
		if (ok) {
			size_t n = RT_FN(strlen)(path);
			RT_FN(memcpy)(e->module[i], path, n + 1);
			rt_snprintf(e->module[i] + n + 1, BLS_MODULE_MAX - n - 1, "%s", args);
			e->module_args[i] = (uint16_t)(args[0] ? n + 1 : n);
		}
	}
	e->net = true;
	e->tries_left = e->tries_done = -1;
	if (!ok && !e->broken) {
		e->broken = true;
		rt_snprintf(e->why, sizeof(e->why), "a path resolved against %s is longer than %u bytes", base,
			    BLS_PATH_MAX - 1);
	}
	if (e->efi_path[0] && !e->broken) {
		e->broken = true;
		rt_snprintf(e->why, sizeof(e->why), "an 'efi' entry read over the network is not supported");
	}
}

/* The network as the library sees it, asked once and only when needed (no
 * ESP, a uki-url entry): finding out may start the NIC's drivers. */
void net_look(void)
{
	if (!net_known)
		efikexec_net_info(&net);
	net_known = true;
}

/* `uki-url` (systemd-boot 258): hidden without an HTTP stack, and ":NAME"
 * hidden when efikexec did not come over the network; else the URL is
 * the entry's linux path. */
static void resolve_uki_url(struct bls_entry *e)
{
	const char *u = e->uki_url;

	if (!u[0] || e->broken || e->hidden)
		return;
	net_look();
	if (!(net.flags & EFIKEXEC_NET_HTTP)) {
		say(EFIKEXEC_LOG_INFO, "config", "%s: uki-url %s: no network (the firmware has no HTTP stack); not listed",
		    e->file, u);
		e->hidden = true;
		return;
	}
	if (u[0] == ':' && !(net.flags & EFIKEXEC_NET_BOOTED)) {
		say(EFIKEXEC_LOG_INFO, "config", "%s: uki-url %s: efikexec was not loaded over the network, so it has no URL to take '%s' relative to; not listed",
		    e->file, u, u + 1);
		e->hidden = true;
		return;
	}
	if (u[0] == ':' ? url_resolve(net.origin, u + 1, e->linux_path, sizeof(e->linux_path)) != RT_OK
			: !url_is(u) || (size_t)rt_snprintf(e->linux_path, sizeof(e->linux_path), "%s", u) >= sizeof(e->linux_path)) {
		e->broken = true;
		rt_snprintf(e->why, sizeof(e->why), "uki-url %.200s is not a URL efikexec fetches (or too long)", u);
		return;
	}
	e->net = true;
	e->tries_left = e->tries_done = -1;
}

static void drop_log(void *ctx, int level, const char *subsystem, const char *message)
{
}

/* A URL's bytes (pages: efikexec_fetch_free); quiet: a missing file is
 * not an error (EFIKEXEC_NOT_FOUND), nothing said. */
static efikexec_status fetch(const char *url, bool quiet, void **buf, uint64_t *len)
{
	efikexec_status s;

	if (quiet)
		efikexec_set_log(drop_log, NULL, EFIKEXEC_LOG_INFO);
	s = efikexec_fetch(url, BLS_FILE_MAX, buf, len);
	if (quiet)
		efikexec_set_log(NULL, NULL, stage_log);
	if (quiet && s && s != EFIKEXEC_NOT_FOUND)
		say(EFIKEXEC_LOG_WARN, "config", "%s", efikexec_last_error());
	return s;
}

/* A Type #1 entry file named by URL. */
static void net_entry(const char *url)
{
	struct bls_entry *e;
	char name[BLS_NAME_MAX];
	const char *slash, *end;
	void *buf;
	uint64_t len;
	efikexec_status s;

	end = url + RT_FN(strlen)(url);
	for (const char *q = url; *q; q++)
		if (*q == '?' || *q == '#') {
			end = q;
			break;
		}
	slash = end;
	while (slash > url && slash[-1] != '/')
		slash--;
	rt_snprintf(name, sizeof(name), "%.*s", (int)(end - slash), slash);
	if (!(e = new_entry()))
		return;
	s = fetch(url, false, &buf, &len);
	if (s) {
		bls_parse_entry(e, BLS_ESP, name, "", 0, ARCH_EFI, NULL, NULL);
		e->broken = true;
		e->net = true;
		rt_snprintf(e->why, sizeof(e->why), "cannot fetch %.180s: %s", url, efikexec_status_name(s));
		say(EFIKEXEC_LOG_WARN, "config", "%s: broken: %s", url, e->why);
		return;
	}
	bls_parse_entry(e, BLS_ESP, name, buf, (size_t)len, ARCH_EFI, config_warn, "");
	efikexec_fetch_free(buf, len);
	if (e->uki_url[0])
		resolve_uki_url(e);
	else
		entry_urls(e, url);
	if (e->broken)
		say(EFIKEXEC_LOG_WARN, "config", "%s: broken: %s", url, e->why);
}

static void type1_file(enum bls_part p, const char *dir, const char *name);

/* What an efikexec.conf line `KEY v` names, in out (size bytes): a URL
 * (relative ones against the URL of the efikexec.conf read, when
 * netbooted), or a path on the ESP (relative ones from efikexec.conf's
 * folder). 1: a URL, 0: a path, -1: a relative one with no URL to take it
 * from (said). */
static int conf_ref(const char *key, const char *v, char *out, size_t size)
{
	if (url_is(v) || netbooted) {
		if (url_resolve(conf_url, v, out, size) != RT_OK) {
			say(EFIKEXEC_LOG_WARN, "config", "%s %s: not a URL, nor one relative to %s", key, v,
			    conf_url[0] ? conf_url : "(none)");
			return -1;
		}
		return 1;
	}
	if (v[0] == '\\' || v[0] == '/') {
		efi_path(v, out, size);
	} else {
		const char *slash = RT_FN(strrchr)(image_path, '\\');
		size_t dir = slash ? (size_t)(slash - image_path) : 0;
		char rel[BLS_PATH_MAX + 2];
		efi_path(v, rel, sizeof(rel));
		rt_snprintf(out, size, "%.*s%s", (int)dir, image_path, rel);
	}
	return 0;
}

/* efikexec.conf's `entry` lines: entries by URL, or entry files on the
 * ESP (conf_ref). */
static void conf_entries(void)
{
	for (unsigned i = 0; i < cfg.nentry; i++) {
		char path[URL_MAX > BLS_PATH_MAX * 2 ? URL_MAX : BLS_PATH_MAX * 2];
		int r = conf_ref("entry", cfg.entry[i], path, sizeof(path));
		if (r < 0)
			continue;
		if (r > 0) {
			net_entry(path);
			continue;
		}
		/* on the ESP: split into folder and name for type1_file */
		char *last = RT_FN(strrchr)(path, '\\');
		*last = 0;
		type1_file(BLS_ESP, path[0] ? path : "\\", last + 1);
	}
}

/* A CA file (a URL, or a path on partition p) given to the firmware's TLS
 * (efikexec_tls_ca_add); each failure said. */
efikexec_status give_ca_file(enum bls_part p, const char *path)
{
	efikexec_status s;

	if (url_is(path)) {
		void *data = NULL;
		uint64_t n = 0;
		s = efikexec_fetch(path, BLS_FILE_MAX, &data, &n);
		if (!s)
			s = efikexec_tls_ca_add(data, n, path);
		if (data)
			efikexec_fetch_free(data, n);
	} else {
		char *buf = NULL;
		uint64_t len = 0;
		efikexec_status r = read_file(p, path, BLS_FILE_MAX, &buf, &len);
		if (r != EFIKEXEC_SUCCESS) {
			say(EFIKEXEC_LOG_ERROR, "config", "CA file %s: cannot be read: %s", path, efikexec_status_name(r));
			return r;
		}
		s = efikexec_tls_ca_add(buf, len, path);
		efikexec_file_free(buf);
	}
	return s;
}

/* efikexec.conf's `tls-ca` files (conf_ref), given to the firmware's TLS
 * before any HTTPS request of the stage. */
void give_tls_ca(void)
{
	for (unsigned i = 0; i < cfg.ntls_ca; i++) {
		char path[URL_MAX > BLS_PATH_MAX * 2 ? URL_MAX : BLS_PATH_MAX * 2];
		if (conf_ref("tls-ca", cfg.tls_ca[i], path, sizeof(path)) >= 0 && give_ca_file(BLS_ESP, path))
			say(EFIKEXEC_LOG_WARN, "config", "tls-ca %s: not given to the firmware's TLS", cfg.tls_ca[i]);
	}
}

static void type1_file(enum bls_part p, const char *dir, const char *name)
{
	char path[BLS_PATH_MAX * 2], where[16];
	struct bls_entry *e;
	char *buf;
	uint64_t len = 0;
	efikexec_status s;

	if (!has_suffix_ci(name, ".conf") || name[0] == '.' || !RT_FN(strncmp)(name, "auto-", 5))
		return;
	if (!(e = new_entry()))
		return;
	rt_snprintf(path, sizeof(path), "%s\\%s", dir, name);
	rt_snprintf(where, sizeof(where), "%s:", part_name[p]);
	s = read_file(p, path, BLS_FILE_MAX, &buf, &len);
	if (s != EFI_SUCCESS) {
		bls_parse_entry(e, p, name, "", 0, ARCH_EFI, NULL, NULL);
		e->broken = true;
		if (s == EFI_BAD_BUFFER_SIZE)
			rt_snprintf(e->why, sizeof(e->why), "%s is larger than the limit of %u bytes", path, BLS_FILE_MAX);
		else
			rt_snprintf(e->why, sizeof(e->why), "cannot read %s: %s", path, efikexec_status_name(s));
		say(EFIKEXEC_LOG_WARN, "config", "%s:%s: broken: %s", part_name[p], path, e->why);
		return;
	}
	bls_parse_entry(e, p, name, buf, len, ARCH_EFI, config_warn, where);
	efikexec_file_free(buf);
	resolve_uki_url(e);
	check_files(e);
	if (e->broken)
		say(EFIKEXEC_LOG_WARN, "config", "%s%s: broken: %s", where, path, e->why);
}

/* Reads a text section of a UKI's profile into out (size bytes with the
 * NUL); false when it has none or it does not fit. */
/* For bls_uki_entries: a section of the open UKI as text. */
struct uki_file {
	struct efikexec_file *f;
	const uint8_t *head;
	uint64_t got, size;
};
static bool uki_text(void *ctx, unsigned profile, const char *name, char *out, size_t size)
{
	const struct uki_file *u = ctx;
	uint64_t off, len;

	out[0] = 0;
	if (efikexec_uki_section(u->head, u->got, profile, name, &off, &len) != EFIKEXEC_SUCCESS || len >= size ||
	    efikexec_file_read(u->f, off, out, len) != EFIKEXEC_SUCCESS)
		return false;
	out[len] = 0;
	return true;
}
static struct bls_entry *next_entry(void *ctx)
{
	(void)ctx;
	return new_entry();
}

/* A UKI: the title and version from its .osrel (systemd-boot lists no UKI
 * without them; efikexec lists it under its file name); a multi-profile
 * UKI one entry per profile, as systemd-boot 257 lists them (lib/bli.c,
 * as efikexec-install lists them). */
static void type2_file(enum bls_part p, const char *dir, const char *name)
{
	static uint8_t head[8192];
	char path[BLS_PATH_MAX * 2];
	struct uki_file u;
	uint64_t off, len;
	efikexec_status st;

	if (!has_suffix_ci(name, ".efi") || name[0] == '.')
		return;
	rt_snprintf(path, sizeof(path), "%s\\%s", dir, name);
	if (efikexec_file_open(part[p], path, &u.f, &u.size) != EFIKEXEC_SUCCESS)
		return;
	u.head = head;
	u.got = u.size < sizeof(head) ? u.size : sizeof(head);
	if (efikexec_file_read(u.f, 0, head, u.got) != EFIKEXEC_SUCCESS)
		u.got = 0;
	st = efikexec_pe_section(head, u.got, ".linux", &off, &len);
	if (st != EFIKEXEC_SUCCESS)
		say(EFIKEXEC_LOG_WARN, "config", "%s:%s: not a UKI (%s); not listed", part_name[p], path,
		    st == EFIKEXEC_NOT_FOUND ? "no .linux section" : efikexec_last_error());
	else
		bls_uki_entries(p, name, path, uki_text, &u, next_entry, NULL);
	efikexec_file_close(u.f);
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = RT_FN(strlen)(needle);

	for (; *hay; hay++)
		if (!RT_FN(strncmp)(hay, needle, n))
			return true;
	return false;
}

/* The firmware's boot options whose description names a shell: the
 * built-in UEFI shell of OVMF and AAVMF is one ("EFI Internal Shell"). */
static void shell_boot_option(void)
{
	static CHAR16 order[128];
	UINTN bytes = sizeof(order);
	UINT32 attrs;

	if (rs->GetVariable((CHAR16 *)u"BootOrder", &global_guid, &attrs, &bytes, order) != EFI_SUCCESS)
		return;
	for (UINTN i = 0; i < bytes / 2; i++) {
		static uint8_t opt[4096];
		CHAR16 name[16];
		UINTN n = sizeof(opt);
		char desc[128], low[128];
		struct bls_entry *e;

		struct bls_load_option lo;
		rt_snprintf(low, sizeof(low), "Boot%04X", order[i]);
		if (rs->GetVariable(wide(low, name, 16), &global_guid, &attrs, &n, opt) != EFI_SUCCESS)
			continue;
		/* its description within the option, by FilePathListLength */
		if (!bls_load_option(opt, n, &lo)) {
			say(EFIKEXEC_LOG_WARN, "stage", "%s: not an EFI_LOAD_OPTION (its description or device path runs past its %llu bytes); left out",
			    low, (unsigned long long)n);
			continue;
		}
		if (!(lo.attributes & 1)) /* LOAD_OPTION_ACTIVE */
			continue;
		ucs2_to_utf8((const uint16_t *)(opt + lo.desc_off), lo.desc_units, desc, sizeof(desc));
		for (size_t k = 0; k <= RT_FN(strlen)(desc); k++)
			low[k] = desc[k] >= 'A' && desc[k] <= 'Z' ? (char)(desc[k] - 'A' + 'a') : desc[k];
		if (!contains(low, "shell") || !(e = new_entry()))
			continue;
		bls_parse_entry(e, BLS_ESP, "auto-efi-shell", "efi x\n", 6, NULL, NULL, NULL);
		e->kind = BLS_AUTO_EFI;
		e->efi_path[0] = 0;
		e->boot_option = order[i];
		rt_snprintf(e->title, sizeof(e->title), "%s", desc);
		return;
	}
}

static void auto_entries(void)
{
	static const char *const shells[] = { "\\shell" ARCH_LOWER ".efi", "\\EFI\\tools\\shell" ARCH_LOWER ".efi" };
	const char *fallback = "\\EFI\\BOOT\\BOOT" ARCH_SUFFIX ".EFI";
	struct bls_entry *e;
	bool shell = false;

	if (cfg.auto_entries) {
		size_t i;
		/* the removable-media loader, unless that is efikexec itself */
		if (!is_self(fallback) && exists(BLS_ESP, fallback) && (e = new_entry())) {
			bls_parse_entry(e, BLS_ESP, "auto-efi-default", "efi x\n", 6, NULL, NULL, NULL);
			e->kind = BLS_AUTO_EFI;
			rt_snprintf(e->efi_path, sizeof(e->efi_path), "%s", fallback);
			rt_snprintf(e->title, sizeof(e->title), "EFI default loader");
		}
		for (i = 0; i < RT_ARRAY_SIZE(shells) && !shell; i++) {
			if (!exists(BLS_ESP, shells[i]) || !(e = new_entry()))
				continue;
			bls_parse_entry(e, BLS_ESP, "auto-efi-shell", "efi x\n", 6, NULL, NULL, NULL);
			e->kind = BLS_AUTO_EFI;
			rt_snprintf(e->efi_path, sizeof(e->efi_path), "%s", shells[i]);
			rt_snprintf(e->title, sizeof(e->title), "UEFI Shell");
			shell = true;
		}
		if (!shell)
			shell_boot_option();
	}
	if (cfg.auto_firmware) {
		UINT64 ind = 0;
		UINTN n = sizeof(ind);
		UINT32 attrs;
		if (rs->GetVariable((CHAR16 *)u"OsIndicationsSupported", &global_guid, &attrs, &n, &ind) == EFI_SUCCESS &&
		    (ind & EFI_OS_INDICATIONS_BOOT_TO_FW_UI) && (e = new_entry())) {
			bls_parse_entry(e, BLS_ESP, "auto-reboot-to-firmware-setup", "efi x\n", 6, NULL, NULL, NULL);
			e->kind = BLS_AUTO_FIRMWARE;
			rt_snprintf(e->title, sizeof(e->title), "Reboot Into Firmware Interface");
		}
	}
}

/* --- configuration ---------------------------------------------------------------------------- */

/* Netbooted: efikexec-MAC.conf, else efikexec.conf, beside efikexec's
 * own URL. */
static void load_config_net(void)
{
	char name[128];
	const char *names[2] = { name, "efikexec.conf" };
	void *buf;
	uint64_t len;

	url_mac_conf(net.mac, net.mac_len, name, sizeof(name));
	for (unsigned i = net.mac_len ? 0 : 1; i < 2; i++) {
		if (url_resolve(net.origin, names[i], conf_url, sizeof(conf_url)) != RT_OK)
			continue;
		if (fetch(conf_url, true, &buf, &len))
			continue;
		say(EFIKEXEC_LOG_INFO, "config", "read %s", conf_url);
		bls_parse_efikexec_conf(&cfg, conf_url, buf, (size_t)len, config_warn, "");
		efikexec_fetch_free(buf, len);
		return;
	}
	say(EFIKEXEC_LOG_WARN, "config", "neither %s nor efikexec.conf beside %s", name, net.origin);
	conf_url[0] = 0;
}

void load_config(void)
{
	char *buf, path[BLS_PATH_MAX + 32];
	uint64_t len;
	efikexec_status s;

	bls_config_defaults(&cfg);
	if (netbooted) {
		load_config_net();
		goto checks;
	}
	s = read_file(BLS_ESP, "\\loader\\loader.conf", BLS_FILE_MAX, &buf, &len);
	if (s == EFI_SUCCESS) {
		bls_parse_loader_conf(&cfg, "\\loader\\loader.conf", buf, len, config_warn, "");
		efikexec_file_free(buf);
	} else if (s != EFI_NOT_FOUND) {
		config_warn("", "\\loader\\loader.conf", 0, s == EFI_BAD_BUFFER_SIZE ? "larger than 1 MiB; not read"
										 : "cannot be read; not used");
	}
	/* efikexec.conf beside efikexec.efi */
	{
		const char *slash = RT_FN(strrchr)(image_path, '\\');
		size_t dir = slash ? (size_t)(slash - image_path) : 0;
		rt_snprintf(path, sizeof(path), "%.*s\\efikexec.conf", (int)dir, image_path);
	}
	s = read_file(BLS_ESP, path, BLS_FILE_MAX, &buf, &len);
	if (s == EFI_SUCCESS) {
		bls_parse_efikexec_conf(&cfg, path, buf, len, config_warn, "");
		efikexec_file_free(buf);
	}
checks:
	if (cfg.capture_kernel[0] && !cfg.capture_size) {
		config_warn("", "efikexec.conf", 0, "capture-kernel without capture-size: crash capture is not armed");
		cfg.capture_kernel[0] = 0;
	}
	if (secure_boot && cfg.editor) {
		say(EFIKEXEC_LOG_INFO, "config", "Secure Boot is on: the command line editor is off");
		cfg.editor = false;
	}
}

void discover(void)
{
	for (int p = BLS_ESP; p <= BLS_XBOOTLDR; p++) {
		if (!part[p])
			continue;
		each_file((enum bls_part)p, "\\loader\\entries", type1_file);
		each_file((enum bls_part)p, "\\EFI\\Linux", type2_file);
	}
	conf_entries();
	auto_entries();
	if (bs->AllocatePool(EfiLoaderData, (nstore ? nstore : 1) * sizeof(*list), (void **)&list) != EFI_SUCCESS) {
		nstore = 0;
		return;
	}
	for (size_t i = 0; i < nstore; i++)
		if (!store[i].hidden)
			list[nlist++] = &store[i];
	bls_sort(list, nlist);
	bls_titles(list, nlist);
}
