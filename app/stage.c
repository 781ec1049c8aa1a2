/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage.c - efikexec as a boot stage: what it does when started with no
 * options (as \EFI\BOOT\BOOTX64.EFI / BOOTAA64.EFI, or from a firmware
 * boot entry without optional data).
 *
 *  1. Configuration: \loader\loader.conf on its own partition (the ESP),
 *     efikexec.conf beside efikexec.efi (crash capture), Boot Loader
 *     Specification entries - Type #1 \loader\entries\*.conf and Type #2
 *     \EFI\Linux\*.efi - on the ESP and on the XBOOTLDR partition of the
 *     same disk (found in the disk's GPT by its type GUID), one list,
 *     sorted as the specification says (lib/bls.c), plus the automatic
 *     entries (the firmware's default loader, a shell, the firmware setup).
 *  2. The default: LoaderEntryOneShot (read and deleted), else
 *     LoaderEntryDefault, else loader.conf's `default` (@saved: the
 *     LoaderEntryLastBooted variable), else the first bootable entry -
 *     the order of systemd-boot's config_select_default_entry. Entries
 *     with no tries left and broken ones are never chosen this way.
 *  3. The menu (app/menu.c), or not, as the timeout says.
 *  4. Boot counting: the chosen entry's file is renamed (SetInfo, Flush)
 *     before it is booted, and LoaderBootCountPath set (lib/bls.c has the
 *     name rules).
 *  5. The Boot Loader Interface (systemd docs/BOOT_LOADER_INTERFACE.md):
 *     the variables the OS reads, all written before ExitBootServices.
 *  6. The boot: a Linux entry through libefikexec (include/efikexec.h),
 *     an `efi` entry with LoadImage/StartImage; if either returns, the
 *     menu again, without a countdown.
 */
#include "stage-int.h"

EFI_GUID bli_guid = { 0x4a67b082, 0x0a4c, 0x41cf, { 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f } };
EFI_GUID own_guid = { 0x6f1e3c2a, 0x5d4b, 0x4c8e, { 0x9a, 0x71, 0x2f, 0x3d, 0x8e, 0x10, 0x54, 0xc7 } };
EFI_GUID xbootldr_type = { 0xbc13c2ff, 0x59e6, 0x4262, { 0xa3, 0x52, 0xb2, 0x75, 0xfd, 0x6f, 0x71, 0x72 } };
EFI_GUID global_guid = EFI_GLOBAL_VARIABLE;
EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
EFI_GUID blockio_guid = BLOCK_IO_PROTOCOL;
EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
EFI_SYSTEM_TABLE *st;
EFI_BOOT_SERVICES *bs;
EFI_RUNTIME_SERVICES *rs;
EFI_HANDLE self;
EFI_LOADED_IMAGE *li;
EFI_HANDLE part[2];             /* BLS_ESP, BLS_XBOOTLDR */
const char *const part_name[2] = { "ESP", "XBOOTLDR" };
uint64_t t_start;
struct bls_config cfg;
struct bls_entry *store;        /* every entry found */
size_t nstore, cap;
struct bls_entry **list;        /* shown, in menu order */
size_t nlist;
char image_path[BLS_PATH_MAX];  /* \EFI\BOOT\BOOTX64.EFI, from FilePath */
bool secure_boot;
struct menu menu;
char notes[MENU_NOTES][BLS_WHY_MAX + 64];
unsigned nwarn;
struct efikexec_net net = { .struct_size = sizeof(net) };
bool net_known;                 /* net asked for (net_look) */
bool netbooted;                 /* no ESP: started by the firmware over the network */
int stage_log = EFIKEXEC_LOG_WARN;
char conf_url[URL_MAX];         /* netbooted: the efikexec.conf read */

/* --- output ---------------------------------------------------------------------------- */

/* What the stage says before its config's log-level is known (above
 * warnings): kept, then said or dropped by that level (said_early). */
#define EARLY_MAX 8
static struct {
	int level;
	const char *subsys;
	char text[240];
} early[EARLY_MAX];
static unsigned nearly;
static bool level_known = true; /* false from stage_run's start to said_early */

void say(int level, const char *subsys, const char *fmt, ...) RT_PRINTF(3, 4);
void say(int level, const char *subsys, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!level_known && level > stage_log) {
		if (nearly < EARLY_MAX) {
			early[nearly].level = level, early[nearly].subsys = subsys;
			rt_snprintf(early[nearly].text, sizeof(early[0].text), "%s", buf);
			nearly++;
		}
		return;
	}
	efikexec_log(level, subsys, buf);
}

static void said_early(void)
{
	level_known = true;
	for (unsigned i = 0; i < nearly; i++)
		if (early[i].level <= stage_log)
			efikexec_log(early[i].level, early[i].subsys, early[i].text);
	nearly = 0;
}

/* A note under the menu (the first few warnings, why nothing boots). */
static void note(const char *fmt, ...) RT_PRINTF(1, 2);
static void note(const char *fmt, ...)
{
	va_list ap;

	if (menu.nnotes >= MENU_NOTES - 2) /* room for the menu's own */
		return;
	va_start(ap, fmt);
	rt_vsnprintf(notes[menu.nnotes], sizeof(notes[0]), fmt, ap);
	va_end(ap);
	menu.note[menu.nnotes] = notes[menu.nnotes];
	menu.nnotes++;
}

void config_warn(void *ctx, const char *file, unsigned line, const char *text)
{
	const char *where = ctx;

	if (line)
		say(EFIKEXEC_LOG_WARN, "config", "%s%s:%u: %s", where, file, line, text);
	else
		say(EFIKEXEC_LOG_WARN, "config", "%s%s: %s", where, file, text);
	if (nwarn++ < 3)
	{
		if (line)
			note("warning: %s%s:%u: %s", where, file, line, text);
		else
			note("warning: %s%s: %s", where, file, text);
	}
}

/* --- time --------------------------------------------------------------------------------- */

void stage_mark_start(void)
{
	t_start = efikexec_counter();
}

/* --- the stage ----------------------------------------------------------------------------------- */

/* What the stage holds, given back before it returns to the firmware. */
static EFI_STATUS leave(EFI_STATUS s)
{
	if (list)
		bs->FreePool(list);
	if (store)
		bs->FreePool(store);
	list = NULL, store = NULL, nlist = nstore = cap = 0;
	return s;
}

/* One line: what was found where (info: systemd-boot says nothing). */
static void say_found(void)
{
	size_t esp = 0, xbl = 0;
	for (size_t i = 0; i < nlist; i++)
		*(list[i]->part == BLS_XBOOTLDR ? &xbl : &esp) += list[i]->kind <= BLS_TYPE2;
	if (netbooted)
		say(EFIKEXEC_LOG_INFO, "stage", "efikexec %s: boot stage, %zu entries over the network", efikexec_version(), esp);
	else if (part[BLS_XBOOTLDR])
		say(EFIKEXEC_LOG_INFO, "stage", "efikexec %s: boot stage, %zu entries on the ESP, %zu on XBOOTLDR",
		    efikexec_version(), esp, xbl);
	else
		say(EFIKEXEC_LOG_INFO, "stage", "efikexec %s: boot stage, %zu entries on the ESP (no XBOOTLDR partition)",
		    efikexec_version(), esp);
}

/* The entry booted without a key: systemd-boot's order (lib/bls.c, as
 * efikexec-install list shows it); a one-shot entry is read once. */
static size_t choose_default(bool *by_oneshot)
{
	static char oneshot[BLS_NAME_MAX], entry_default[BLS_NAME_MAX], last[BLS_NAME_MAX];
	size_t def;
	struct bls_default_vars v = { 0 };
	enum bls_default_by by;
	if (get_var("LoaderEntryOneShot", &bli_guid, oneshot, sizeof(oneshot))) {
		del_var("LoaderEntryOneShot", &bli_guid);
		v.oneshot = oneshot;
	}
	if (get_var("LoaderEntryDefault", &bli_guid, entry_default, sizeof(entry_default)))
		v.entry_default = entry_default;
	if (get_var("LoaderEntryLastBooted", &bli_guid, last, sizeof(last)))
		v.last_booted = last;
	def = bls_default(list, nlist, &cfg, &v, &by);
	*by_oneshot = by == BLS_BY_ONESHOT;
	if (v.oneshot && !*by_oneshot)
		say(EFIKEXEC_LOG_WARN, "stage", "LoaderEntryOneShot names '%s': no such bootable entry", oneshot);
	return def;
}

/* What the menu changed (`d`, `t`, `T`), kept as the OS would set it. */
static void save_menu_choices(char *value, size_t size)
{
	if (menu.default_changed) {
		if (menu.def == (size_t)-1)
			del_var("LoaderEntryDefault", &bli_guid);
		else
			set_var("LoaderEntryDefault", &bli_guid, BLI_NV, list[menu.def]->id);
		menu.default_changed = false;
	}
	if (menu.timeout_changed) {
		bls_timeout_text(menu.timeout, menu.seconds, value, size);
		set_var("LoaderConfigTimeout", &bli_guid, BLI_NV, value);
		menu.timeout_changed = false;
	}
}

EFI_STATUS stage_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab, EFI_LOADED_IMAGE *loaded)
{
	char value[BLS_NAME_MAX], header[96];
	size_t def = (size_t)-1, chosen;
	bool by_oneshot = false, show = false;
	uint8_t sb = 0;
	UINTN n = 1;
	UINT32 attrs;
	EFI_INPUT_KEY k;
	void *sfs;

	st = systab, bs = st->BootServices, rs = st->RuntimeServices, self = image, li = loaded;
	bs->SetWatchdogTimer(0, 0, 0, NULL); /* a menu may wait for a human */
	/* as systemd-boot: nothing said but warnings and errors, unless
	 * efikexec.conf asks (log-level) */
	efikexec_set_log(NULL, NULL, stage_log);
	level_known = false;
	part[BLS_ESP] = li->DeviceHandle;
	if (bs->HandleProtocol(part[BLS_ESP], &sfs_guid, (void **)&sfs) != EFI_SUCCESS) {
		net_look();
		if (!(net.flags & EFIKEXEC_NET_BOOTED)) {
			say(EFIKEXEC_LOG_ERROR, "stage", "efikexec was not started from a file system (no ESP to read) nor over the network; "
							 "give it a kernel on the command line instead");
			return EFI_NOT_FOUND;
		}
		netbooted = true;
		part[BLS_ESP] = NULL;
		say(EFIKEXEC_LOG_INFO, "stage", "loaded over the network from %s", net.origin);
	}
	secure_boot = rs->GetVariable((CHAR16 *)u"SecureBoot", &global_guid, &attrs, &n, &sb) == EFI_SUCCESS && sb == 1;
	own_path();
	part[BLS_XBOOTLDR] = netbooted ? NULL : find_xbootldr();
	if (part[BLS_XBOOTLDR])
		say(EFIKEXEC_LOG_INFO, "stage", "XBOOTLDR partition found");
	load_config();
	if (cfg.log_level_set)
		efikexec_set_log(NULL, NULL, stage_log = cfg.log_level);
	said_early();
	give_tls_ca();
	crash_fallback();
	discover();
	export_bli();
	say_found();

	def = choose_default(&by_oneshot);

	/* the timeout: one-shot (shows the menu), the OS's, loader.conf's */
	menu.timeout = cfg.timeout, menu.seconds = cfg.timeout_seconds;
	if (get_var("LoaderConfigTimeoutOneShot", &bli_guid, value, sizeof(value))) {
		del_var("LoaderConfigTimeoutOneShot", &bli_guid);
		if (bls_parse_timeout(value, &menu.timeout, &menu.seconds))
			show = true;
	} else if (get_var("LoaderConfigTimeout", &bli_guid, value, sizeof(value))) {
		bls_parse_timeout(value, &menu.timeout, &menu.seconds);
	}
	if (menu.timeout == BLS_TIMEOUT_FORCE || (menu.timeout == BLS_TIMEOUT_SECONDS && menu.seconds))
		show = true;
	/* 0, menu-hidden: a key already waiting shows the menu */
	if (!show && menu.timeout != BLS_TIMEOUT_DISABLED && st->ConIn->ReadKeyStroke(st->ConIn, &k) == EFI_SUCCESS)
		show = true, menu.timeout = BLS_TIMEOUT_FORCE;
	if (def == (size_t)-1) {
		note(nlist ? "No entry can be booted: each is broken or has no tries left (see above)."
			   : "No boot entries: nothing in \\loader\\entries or \\EFI\\Linux on the ESP%s.",
		     part[BLS_XBOOTLDR] ? " or XBOOTLDR" : "");
		show = true, menu.timeout = BLS_TIMEOUT_FORCE;
	}
	rt_snprintf(header, sizeof(header), "efikexec %s - boot menu", efikexec_version());
	menu.header = header;
	menu.e = list, menu.n = nlist;
	menu.editor = cfg.editor;
	menu.can_boot = def != (size_t)-1;
	menu.def = def;
	menu.sel = def == (size_t)-1 ? 0 : def;

	for (;;) {
		const char *options = NULL;

		if (show) {
			if (!menu.shown_at) {
				menu.shown_at = efikexec_counter();
				set_usec("LoaderTimeMenuUSec", menu.shown_at);
			}
			if (!nlist) {
				efikexec_print("efikexec: nothing to boot and no menu entries; returning to the firmware\n");
				for (unsigned i = 0; i < menu.nnotes; i++)
					say(EFIKEXEC_LOG_ERROR, "stage", "%s", menu.note[i]);
				return leave(EFI_NOT_FOUND);
			}
			menu_run(st, &menu);
			save_menu_choices(value, sizeof(value));
			chosen = menu.sel;
			if (menu.edited)
				options = menu.options;
		} else {
			chosen = def;
		}
		if (!options && list[chosen]->has_options)
			options = list[chosen]->options;
		boot(list[chosen], options, by_oneshot && chosen == def);
		/* back here: the boot failed, or the program returned */
		efikexec_print("efikexec: the entry did not boot; see above.\n");
		menu_wait_key(st);
		show = true;
		menu.timeout = BLS_TIMEOUT_FORCE; /* no countdown after a failure */
		menu.edited = false;
	}
}
