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
#include "stage.h"

#include "../include/efikexec.h"
#include "../lib/cmdline.h"
#include "../lib/gpt.h"
#include "../lib/url.h"
#include "options.h"

/* The Boot Loader Interface's vendor GUID, 4a67b082-0a4c-41cf-b6c7-440b29bb8c4f */
static EFI_GUID bli_guid = { 0x4a67b082, 0x0a4c, 0x41cf, { 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f } };
/* efikexec's own variables (also the capture arming's vendor GUID) */
static EFI_GUID own_guid = { 0x6f1e3c2a, 0x5d4b, 0x4c8e, { 0x9a, 0x71, 0x2f, 0x3d, 0x8e, 0x10, 0x54, 0xc7 } };
/* XBOOTLDR's partition type, bc13c2ff-59e6-4262-a352-b275fd6f7172 (BLS) */
static EFI_GUID xbootldr_type = { 0xbc13c2ff, 0x59e6, 0x4262, { 0xa3, 0x52, 0xb2, 0x75, 0xfd, 0x6f, 0x71, 0x72 } };
/* LINUX_EFI_INITRD_MEDIA_GUID (include/linux/efi.h) */
static EFI_GUID initrd_media_guid = { 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } };
/* EFI_LOAD_FILE2_PROTOCOL_GUID (UEFI spec, "Load File 2 Protocol") */
static EFI_GUID load_file2_guid = { 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };
static EFI_GUID global_guid = EFI_GLOBAL_VARIABLE;
static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID blockio_guid = BLOCK_IO_PROTOCOL;
static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;

#define BLI_VOLATILE (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)
#define BLI_NV (BLI_VOLATILE | EFI_VARIABLE_NON_VOLATILE)

#define MAX_ENTRIES 512 /* more are warned about and not listed */


#if defined(__x86_64__)
#define ARCH_EFI "x64"
#define ARCH_SUFFIX "X64"
#define ARCH_LOWER "x64"
#else
#define ARCH_EFI "AA64"
#define ARCH_SUFFIX "AA64"
#define ARCH_LOWER "aa64"
#endif

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;
static EFI_RUNTIME_SERVICES *rs;
static EFI_HANDLE self;
static EFI_LOADED_IMAGE *li;
static EFI_HANDLE part[2];             /* BLS_ESP, BLS_XBOOTLDR */
static const char *const part_name[2] = { "ESP", "XBOOTLDR" };
static uint64_t t_start;
static struct bls_config cfg;
static struct bls_entry *store;        /* every entry found */
static size_t nstore, cap;
static struct bls_entry **list;        /* shown, in menu order */
static size_t nlist;
static char image_path[BLS_PATH_MAX];  /* \EFI\BOOT\BOOTX64.EFI, from FilePath */
static bool secure_boot;
static struct menu menu;
static char notes[MENU_NOTES][BLS_WHY_MAX + 64];
static unsigned nwarn;
static struct efikexec_net net = { .struct_size = sizeof(net) };
static bool net_known;                 /* net asked for (net_look) */
static bool netbooted;                 /* no ESP: started by the firmware over the network */
static char conf_url[URL_MAX];         /* netbooted: the efikexec.conf read */

/* --- output ---------------------------------------------------------------------------- */

static void say(int level, const char *subsys, const char *fmt, ...) RT_PRINTF(3, 4);
static void say(int level, const char *subsys, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	efikexec_log(level, subsys, buf);
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

static void config_warn(void *ctx, const char *file, unsigned line, const char *text)
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

/* --- variables ------------------------------------------------------------------------------ */

static CHAR16 *wide(const char *s, CHAR16 *buf, size_t units)
{
	utf8_to_ucs2(s, (uint16_t *)buf, units);
	return buf;
}

static EFI_STATUS set_var(const char *name, EFI_GUID *g, UINT32 attrs, const char *value)
{
	static CHAR16 w[BLS_OPTIONS_MAX];
	CHAR16 n[64];
	size_t units = value ? utf8_to_ucs2(value, (uint16_t *)w, RT_ARRAY_SIZE(w)) : 0;
	EFI_STATUS s;

	wide(name, n, RT_ARRAY_SIZE(n));
	s = rs->SetVariable(n, g, attrs, value ? (units + 1) * 2 : 0, value ? w : NULL);
	if (EFI_ERROR(s) && value)
		say(EFIKEXEC_LOG_WARN, "bli", "cannot set %s: %s", name, efikexec_status_name(s));
	return s;
}

/* A string variable as UTF-8; false when unset, empty or not a string. */
static bool get_var(const char *name, EFI_GUID *g, char *out, size_t size)
{
	static CHAR16 w[1024];
	CHAR16 n[64];
	UINTN bytes = sizeof(w) - 2;
	UINT32 attrs;

	out[0] = 0;
	if (rs->GetVariable(wide(name, n, RT_ARRAY_SIZE(n)), g, &attrs, &bytes, w) != EFI_SUCCESS || bytes < 2)
		return false;
	w[bytes / 2] = 0;
	ucs2_to_utf8((const uint16_t *)w, bytes / 2, out, size);
	return out[0] != 0;
}

static bool var_set(const char *name, EFI_GUID *g)
{
	CHAR16 n[64];
	UINTN bytes = 0;
	UINT32 attrs;

	return rs->GetVariable(wide(name, n, RT_ARRAY_SIZE(n)), g, &attrs, &bytes, NULL) == EFI_BUFFER_TOO_SMALL;
}

static void del_var(const char *name, EFI_GUID *g)
{
	CHAR16 n[64];
	rs->SetVariable(wide(name, n, RT_ARRAY_SIZE(n)), g, 0, 0, NULL);
}

/* --- files ---------------------------------------------------------------------------------- */

static EFI_FILE_HANDLE root[2];

static EFI_FILE_HANDLE root_of(enum bls_part p)
{
	EFI_FILE_IO_INTERFACE *sfs;

	if (!root[p] && part[p] && bs->HandleProtocol(part[p], &sfs_guid, (void **)&sfs) == EFI_SUCCESS &&
	    sfs->OpenVolume(sfs, &root[p]) != EFI_SUCCESS)
		root[p] = NULL;
	return root[p];
}

/* "/a/b" or "a\b" as "\a\b". */
static void efi_path(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (*in != '/' && *in != '\\' && n + 1 < size)
		out[n++] = '\\';
	for (; *in && n + 1 < size; in++)
		out[n++] = *in == '/' ? '\\' : *in;
	out[n] = 0;
}

static EFI_STATUS open_file(enum bls_part p, const char *path, UINT64 mode, EFI_FILE_HANDLE *f)
{
	EFI_FILE_HANDLE root = root_of(p);
	char ep[BLS_PATH_MAX + 2];
	CHAR16 w[BLS_PATH_MAX + 2];

	if (!root)
		return EFI_NOT_FOUND;
	efi_path(path, ep, sizeof(ep));
	return root->Open(root, f, wide(ep, w, RT_ARRAY_SIZE(w)), mode, 0);
}

static EFI_FILE_INFO *file_info(EFI_FILE_HANDLE f)
{
	UINTN size = 0;
	EFI_FILE_INFO *info = NULL;

	if (f->GetInfo(f, &file_info_guid, &size, NULL) != EFI_BUFFER_TOO_SMALL ||
	    bs->AllocatePool(EfiLoaderData, size, (void **)&info) != EFI_SUCCESS)
		return NULL;
	if (f->GetInfo(f, &file_info_guid, &size, info) != EFI_SUCCESS) {
		bs->FreePool(info);
		return NULL;
	}
	return info;
}

/* Does a regular file exist at path? */
static bool exists(enum bls_part p, const char *path)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	bool ok = false;

	if (open_file(p, path, EFI_FILE_MODE_READ, &f) != EFI_SUCCESS)
		return false;
	if ((info = file_info(f))) {
		ok = !(info->Attribute & EFI_FILE_DIRECTORY);
		bs->FreePool(info);
	}
	f->Close(f);
	return ok;
}

/* Reads [off, off+len) of an open file into buf: bytes read. */
static UINTN read_at(EFI_FILE_HANDLE f, UINT64 off, void *buf, UINTN len)
{
	if (f->SetPosition(f, off) != EFI_SUCCESS || f->Read(f, &len, buf) != EFI_SUCCESS)
		return 0;
	return len;
}

/* A whole file of at most `max` bytes into pool memory, NUL-terminated. */
static EFI_STATUS read_file(enum bls_part p, const char *path, UINTN max, char **buf, UINTN *len)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_STATUS s = open_file(p, path, EFI_FILE_MODE_READ, &f);

	*buf = NULL;
	if (s != EFI_SUCCESS)
		return s;
	info = file_info(f);
	if (!info) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	*len = info->FileSize;
	bs->FreePool(info);
	if (*len > max) {
		f->Close(f);
		return EFI_BAD_BUFFER_SIZE;
	}
	s = bs->AllocatePool(EfiLoaderData, *len + 1, (void **)buf);
	if (s == EFI_SUCCESS && read_at(f, 0, *buf, *len) != *len)
		s = EFI_DEVICE_ERROR;
	f->Close(f);
	if (s != EFI_SUCCESS) {
		if (*buf)
			bs->FreePool(*buf);
		*buf = NULL;
		return s;
	}
	(*buf)[*len] = 0;
	return EFI_SUCCESS;
}

typedef void (*dir_fn)(enum bls_part p, const char *dir, const char *name);

/* Calls fn for every regular file in dir. */
static void each_file(enum bls_part p, const char *dir, dir_fn fn)
{
	static union {
		EFI_FILE_INFO info;
		uint8_t bytes[sizeof(EFI_FILE_INFO) + 1024];
	} buf;
	EFI_FILE_HANDLE d;
	char name[BLS_NAME_MAX * 3];

	if (open_file(p, dir, EFI_FILE_MODE_READ, &d) != EFI_SUCCESS)
		return;
	for (;;) {
		UINTN size = sizeof(buf);
		size_t units;
		if (d->Read(d, &size, &buf) != EFI_SUCCESS || !size)
			break;
		if (buf.info.Attribute & EFI_FILE_DIRECTORY)
			continue;
		units = (size - SIZE_OF_EFI_FILE_INFO) / 2;
		for (size_t i = 0; i < units; i++)
			if (!buf.info.FileName[i]) {
				units = i;
				break;
			}
		ucs2_to_utf8((const uint16_t *)buf.info.FileName, units, name, sizeof(name));
		fn(p, dir, name);
	}
	d->Close(d);
}

/* Renames dir\old to new (same folder) with SetInfo, then Flush. */
static EFI_STATUS rename(enum bls_part p, const char *dir, const char *old, const char *new)
{
	char path[BLS_PATH_MAX * 2];
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info, *ni = NULL;
	CHAR16 w[BLS_NAME_MAX];
	size_t units = utf8_to_ucs2(new, (uint16_t *)w, RT_ARRAY_SIZE(w));
	UINTN size = SIZE_OF_EFI_FILE_INFO + (units + 1) * 2;
	EFI_STATUS s;

	rt_snprintf(path, sizeof(path), "%s\\%s", dir, old);
	s = open_file(p, path, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, &f);
	if (s != EFI_SUCCESS)
		return s;
	info = file_info(f);
	if (!info || units >= RT_ARRAY_SIZE(w) ||
	    (s = bs->AllocatePool(EfiLoaderData, size, (void **)&ni)) != EFI_SUCCESS) {
		s = info && units < RT_ARRAY_SIZE(w) ? s : EFI_BAD_BUFFER_SIZE;
	} else {
		RT_FN(memcpy)(ni, info, SIZE_OF_EFI_FILE_INFO);
		ni->Size = size;
		RT_FN(memcpy)(ni->FileName, w, (units + 1) * 2);
		s = f->SetInfo(f, &file_info_guid, size, ni);
		if (s == EFI_SUCCESS)
			s = f->Flush(f);
	}
	if (ni)
		bs->FreePool(ni);
	if (info)
		bs->FreePool(info);
	f->Close(f);
	return s;
}

/* --- device paths ---------------------------------------------------------------------------- */

static unsigned dp_len(const EFI_DEVICE_PATH *n)
{
	return n->Length[0] | n->Length[1] << 8;
}

static const EFI_DEVICE_PATH *dp_next(const EFI_DEVICE_PATH *n)
{
	return (const EFI_DEVICE_PATH *)((const uint8_t *)n + dp_len(n));
}

static bool dp_end(const EFI_DEVICE_PATH *n)
{
	return n->Type == 0x7f || dp_len(n) < 4;
}

/* The GPT hard-drive node (MEDIA 4, HARDDRIVE 1, signature type 2 = GUID)
 * of a handle's device path: where it starts, or NULL. */
static const uint8_t *hd_node(EFI_HANDLE h, const EFI_DEVICE_PATH **path)
{
	EFI_DEVICE_PATH *dp;

	if (!h || bs->HandleProtocol(h, &dp_guid, (void **)&dp) != EFI_SUCCESS)
		return NULL;
	if (path)
		*path = dp;
	for (const EFI_DEVICE_PATH *n = dp; !dp_end(n); n = dp_next(n))
		if (n->Type == 4 && n->SubType == 1 && dp_len(n) >= 42 && ((const uint8_t *)n)[41] == 2)
			return (const uint8_t *)n;
	return NULL;
}

static void guid_text(const uint8_t *g, char *out, size_t size)
{
	/* the first three fields little-endian (UEFI spec, Appendix A) */
	rt_snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2],
		    g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* The image's own path from LoadedImage->FilePath's file-path nodes. */
static void own_path(void)
{
	size_t n = 0;

	image_path[0] = 0;
	for (const EFI_DEVICE_PATH *d = li->FilePath; d && !dp_end(d); d = dp_next(d)) {
		if (d->Type != 4 || d->SubType != 4)
			continue;
		const CHAR16 *w = (const CHAR16 *)((const uint8_t *)d + 4);
		size_t units = (dp_len(d) - 4) / 2;
		if (n && image_path[n - 1] != '\\' && n + 1 < sizeof(image_path))
			image_path[n++] = '\\';
		for (size_t i = 0; i < units && w[i] && n + 4 < sizeof(image_path); i++) {
			if (i == 0 && w[i] == '\\' && n && image_path[n - 1] == '\\')
				continue;
			n += ucs2_to_utf8((const uint16_t *)&w[i], 1, image_path + n, sizeof(image_path) - n);
		}
	}
	image_path[n] = 0;
}

/*
 * The XBOOTLDR partition on the disk of our ESP: the GPT read through the
 * disk's BlockIo (the ESP's device path without its hard-drive node), the
 * entry of type bc13c2ff-..., then the file system whose hard-drive node
 * carries that entry's unique GUID (the search systemd-boot's
 * partition_open makes).
 */
static EFI_HANDLE find_xbootldr(void)
{
	const EFI_DEVICE_PATH *path;
	const uint8_t *hd = hd_node(part[BLS_ESP], &path);
	uint8_t prefix[512], want[16];
	size_t plen;
	EFI_DEVICE_PATH *rest;
	EFI_HANDLE disk, found = NULL, *h = NULL;
	EFI_BLOCK_IO *bio;
	EFI_PHYSICAL_ADDRESS buf = 0;
	UINTN pages = 0, nh = 0;
	bool have = false;

	if (!hd)
		return NULL; /* not a GPT partition */
	plen = (size_t)(hd - (const uint8_t *)path);
	if (plen + 4 > sizeof(prefix))
		return NULL;
	RT_FN(memcpy)(prefix, path, plen);
	RT_FN(memcpy)(prefix + plen, (uint8_t[]){ 0x7f, 0xff, 4, 0 }, 4);
	rest = (EFI_DEVICE_PATH *)prefix;
	if (bs->LocateDevicePath(&blockio_guid, &rest, &disk) != EFI_SUCCESS || !dp_end(rest) ||
	    bs->HandleProtocol(disk, &blockio_guid, (void **)&bio) != EFI_SUCCESS || bio->Media->LogicalPartition)
		return NULL;
	uint32_t bsz = bio->Media->BlockSize;
	if (bsz < 512 || bsz > 4096)
		return NULL;
	/* the header, then the whole entry array: both CRC32s checked before
	 * any entry is believed (lib/gpt.c, as systemd-boot's verify_gpt) */
	struct gpt_header gh;
	struct gpt_entry ge;
	char why[160] = "";
	bool read;
	/* (pages: a block device's buffer alignment, IoAlign, is at most a page) */
	if (bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &buf) != EFI_SUCCESS)
		return NULL;
	read = bio->ReadBlocks(bio, bio->Media->MediaId, 1, bsz, (void *)(uintptr_t)buf) == EFI_SUCCESS;
	read = read && gpt_header((const uint8_t *)(uintptr_t)buf, bsz, 1, &gh, why, sizeof(why));
	bs->FreePages(buf, 1);
	buf = 0;
	if (!read) {
		if (why[0])
			say(EFIKEXEC_LOG_WARN, "stage", "the ESP's disk: its GPT is not to be trusted (%s); no XBOOTLDR partition looked for", why);
		return NULL;
	}
	size_t bytes = (size_t)gh.count * gh.entry_size, rounded = (bytes + bsz - 1) / bsz * bsz;
	pages = (rounded + 4095) / 4096;
	if (!pages || bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &buf) != EFI_SUCCESS)
		return NULL;
	uint8_t *b = (uint8_t *)(uintptr_t)buf;
	bool trusted = false;
	if (bio->ReadBlocks(bio, bio->Media->MediaId, gh.entries_lba, rounded, b) != EFI_SUCCESS)
		rt_snprintf(why, sizeof(why), "its %zu bytes of entries cannot be read", bytes);
	else
		trusted = gpt_entries(&gh, b, rounded, why, sizeof(why));
	if (!trusted)
		say(EFIKEXEC_LOG_WARN, "stage", "the ESP's disk: its GPT is not to be trusted (%s); no XBOOTLDR partition looked for", why);
	for (uint32_t i = 0; trusted && i < gh.count && !have; i++)
		if (gpt_entry(&gh, b, i, &ge, why, sizeof(why)) && !RT_FN(memcmp)(ge.type, &xbootldr_type, 16)) {
			RT_FN(memcpy)(want, ge.uuid, 16);
			have = true;
		}
	bs->FreePages(buf, pages);
	if (!have || bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &nh, &h) != EFI_SUCCESS)
		return NULL;
	for (UINTN i = 0; i < nh && !found; i++) {
		const uint8_t *n = hd_node(h[i], NULL);
		if (n && !RT_FN(memcmp)(n + 24, want, 16))
			found = h[i];
	}
	bs->FreePool(h);
	return found;
}

/* --- entries --------------------------------------------------------------------------------- */

static struct bls_entry *new_entry(void)
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

static void net_look(void);

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

/* Marks an entry broken when a file it names is not there. */
static void check_files(struct bls_entry *e)
{
	const char *what = NULL, *path = NULL;
	char bad[200] = "";

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
	if (e->linux_path[0] && !present(e->part, e->linux_path, bad, sizeof(bad)))
		what = "linux", path = e->linux_path;
	else if (e->efi_path[0] && !exists(e->part, e->efi_path)) /* started by the firmware: a file */
		what = "efi", path = e->efi_path;
	else if (e->devicetree[0] && !present(e->part, e->devicetree, bad, sizeof(bad)))
		what = "devicetree", path = e->devicetree;
	else if (e->tls_ca[0] && !present(e->part, e->tls_ca, bad, sizeof(bad)))
		what = "efikexec-tls-ca", path = e->tls_ca;
	for (unsigned i = 0; !what && i < e->ninitrd; i++)
		if (!present(e->part, e->initrd[i], bad, sizeof(bad)))
			what = "initrd", path = e->initrd[i];
	for (unsigned i = 0; !what && i < e->nmodule; i++)
		if (!present(e->part, bls_module_path(e, i), bad, sizeof(bad)))
			what = "efikexec-module", path = bls_module_path(e, i);
	if (what && bad[0]) {
		e->broken = true;
		rt_snprintf(e->why, sizeof(e->why), "%s: %s", what, bad);
	} else if (what) {
		e->broken = true;
		rt_snprintf(e->why, sizeof(e->why), "%s %s is not on the %s", what, path, part_name[e->part]);
	}
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
static void net_look(void)
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
		efikexec_set_log(NULL, NULL, EFIKEXEC_LOG_INFO);
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
static efikexec_status give_ca_file(enum bls_part p, const char *path)
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
		UINTN len = 0;
		EFI_STATUS r = read_file(p, path, BLS_FILE_MAX, &buf, &len);
		if (r != EFI_SUCCESS) {
			say(EFIKEXEC_LOG_ERROR, "config", "CA file %s: cannot be read: %s", path, efikexec_status_name(r));
			return r;
		}
		s = efikexec_tls_ca_add(buf, len, path);
		bs->FreePool(buf);
	}
	return s;
}

/* efikexec.conf's `tls-ca` files (conf_ref), given to the firmware's TLS
 * before any HTTPS request of the stage. */
static void give_tls_ca(void)
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
	UINTN len = 0;
	EFI_STATUS s;

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
	bs->FreePool(buf);
	resolve_uki_url(e);
	check_files(e);
	if (e->broken)
		say(EFIKEXEC_LOG_WARN, "config", "%s%s: broken: %s", where, path, e->why);
}

/* Reads a text section of a UKI's profile into out (size bytes with the
 * NUL); false when it has none or it does not fit. */
static bool uki_text(EFI_FILE_HANDLE f, const uint8_t *head, UINTN got, unsigned profile, const char *name,
		     char *out, size_t size)
{
	uint64_t off, len;

	out[0] = 0;
	if (efikexec_uki_section(head, got, profile, name, &off, &len) != EFIKEXEC_SUCCESS || len >= size ||
	    read_at(f, off, out, len) != len)
		return false;
	out[len] = 0;
	return true;
}

/* A UKI: the title and version from its .osrel (systemd-boot lists no UKI
 * without them; efikexec lists it under its file name); a multi-profile
 * UKI one entry per profile, as systemd-boot 257 lists them. */
static void type2_file(enum bls_part p, const char *dir, const char *name)
{
	static uint8_t head[8192];
	static char osrel[4096], profile[4096];
	char path[BLS_PATH_MAX * 2];
	EFI_FILE_HANDLE f;
	uint64_t off, len;
	efikexec_status st;
	UINTN got;
	struct bls_entry *e;

	if (!has_suffix_ci(name, ".efi") || name[0] == '.')
		return;
	rt_snprintf(path, sizeof(path), "%s\\%s", dir, name);
	if (open_file(p, path, EFI_FILE_MODE_READ, &f) != EFI_SUCCESS)
		return;
	got = read_at(f, 0, head, sizeof(head));
	st = efikexec_pe_section(head, got, ".linux", &off, &len);
	if (st != EFIKEXEC_SUCCESS) {
		say(EFIKEXEC_LOG_WARN, "config", "%s:%s: not a UKI (%s); not listed", part_name[p], path,
		    st == EFIKEXEC_NOT_FOUND ? "no .linux section" : efikexec_last_error());
		f->Close(f);
		return;
	}
	for (unsigned n = 0; n < 256; n++) {
		bool has_profile = efikexec_uki_section(head, got, n, ".profile", &off, &len) == EFIKEXEC_SUCCESS;
		if (n && !has_profile)
			break;
		if (!(e = new_entry()))
			break;
		bls_uki_entry(e, p, name, path,
			      uki_text(f, head, got, n, ".osrel", osrel, sizeof(osrel)) ? osrel : NULL);
		if (has_profile)
			bls_uki_profile(e, n, uki_text(f, head, got, n, ".profile", profile, sizeof(profile)) ?
						      profile : NULL);
		/* its .cmdline, for the editor to start from (booted as the
		 * UKI's own unless edited: has_options stays false) */
		if (uki_text(f, head, got, n, ".cmdline", e->options, sizeof(e->options))) {
			size_t k = RT_FN(strlen)(e->options);
			while (k && (e->options[k - 1] == '\n' || e->options[k - 1] == ' ' || e->options[k - 1] == '\r'))
				k--;
			e->options[k] = 0;
		}
	}
	f->Close(f);
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

static void load_config(void)
{
	char *buf, path[BLS_PATH_MAX + 32];
	UINTN len;
	EFI_STATUS s;

	bls_config_defaults(&cfg);
	if (netbooted) {
		load_config_net();
		goto checks;
	}
	s = read_file(BLS_ESP, "\\loader\\loader.conf", BLS_FILE_MAX, &buf, &len);
	if (s == EFI_SUCCESS) {
		bls_parse_loader_conf(&cfg, "\\loader\\loader.conf", buf, len, config_warn, "");
		bs->FreePool(buf);
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
		bs->FreePool(buf);
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

static void discover(void)
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


/* --- the Boot Loader Interface ------------------------------------------------------------------ */

static void set_usec(const char *name, uint64_t ticks)
{
	char v[32];
	rt_snprintf(v, sizeof(v), "%llu", (unsigned long long)efikexec_counter_usec(ticks));
	set_var(name, &bli_guid, BLI_VOLATILE, v);
}

static void export_bli(void)
{
	char v[256];
	const uint8_t *hd;
	/* what the stage does (lib/bls.h names each bit) */
	UINT64 features = BLS_F_TIMEOUT | BLS_F_TIMEOUT_ONESHOT | BLS_F_ENTRY_DEFAULT | BLS_F_ENTRY_ONESHOT |
			  BLS_F_BOOT_COUNTING | BLS_F_XBOOTLDR | BLS_F_SORT_KEY | BLS_F_SAVED_ENTRY | BLS_F_MENU_DISABLE |
			  BLS_F_MULTI_PROFILE_UKI | BLS_F_REPORT_URL | BLS_F_TYPE1_UKI | BLS_F_TYPE1_UKI_URL;
	static CHAR16 ids[MAX_ENTRIES * 64];
	size_t at = 0;

#if defined(__aarch64__)
	features |= BLS_F_DEVICETREE;
#endif
	set_usec("LoaderTimeInitUSec", t_start);
	rt_snprintf(v, sizeof(v), "efikexec %s", efikexec_version());
	set_var("LoaderInfo", &bli_guid, BLI_VOLATILE, v);
	/* "only if unset": a parent loader's values stand (export-vars.c) */
	if (!var_set("LoaderFirmwareInfo", &bli_guid)) {
		char vendor[128] = "";
		if (st->FirmwareVendor) {
			size_t u = 0;
			while (st->FirmwareVendor[u] && u < 60)
				u++;
			ucs2_to_utf8((const uint16_t *)st->FirmwareVendor, u, vendor, sizeof(vendor));
		}
		rt_snprintf(v, sizeof(v), "%s %u.%02u", vendor, st->FirmwareRevision >> 16, st->FirmwareRevision & 0xffff);
		set_var("LoaderFirmwareInfo", &bli_guid, BLI_VOLATILE, v);
	}
	if (!var_set("LoaderFirmwareType", &bli_guid)) {
		rt_snprintf(v, sizeof(v), "UEFI %u.%02u", st->Hdr.Revision >> 16, st->Hdr.Revision & 0xffff);
		set_var("LoaderFirmwareType", &bli_guid, BLI_VOLATILE, v);
	}
	if (!var_set("LoaderDevicePartUUID", &bli_guid) && (hd = hd_node(part[BLS_ESP], NULL))) {
		guid_text(hd + 24, v, sizeof(v));
		set_var("LoaderDevicePartUUID", &bli_guid, BLI_VOLATILE, v);
	}
	if (net.origin[0] && !var_set("LoaderDeviceURL", &bli_guid))
		set_var("LoaderDeviceURL", &bli_guid, BLI_VOLATILE, net.origin);
	if (!var_set("LoaderImageIdentifier", &bli_guid) && image_path[0])
		set_var("LoaderImageIdentifier", &bli_guid, BLI_VOLATILE, image_path);
	rs->SetVariable((CHAR16 *)u"LoaderFeatures", &bli_guid, BLI_VOLATILE, sizeof(features), &features);
	for (size_t i = 0; i < nlist; i++) {
		size_t n = utf8_to_ucs2(list[i]->id, (uint16_t *)ids + at, RT_ARRAY_SIZE(ids) - at);
		if (at + n + 1 >= RT_ARRAY_SIZE(ids))
			break;
		at += n + 1;
	}
	if (at)
		rs->SetVariable((CHAR16 *)u"LoaderEntries", &bli_guid, BLI_VOLATILE, at * 2, ids);
}

/* --- booting ---------------------------------------------------------------------------------- */

/* The crash-capture fallback: efikexec's record of a counted entry booted
 * with a capture kernel armed ("P:\loader\entries\NAME"). */
#define COUNTED_VAR "EfikexecCountedEntry"

/* Counts a boot of e: renames its file, sets LoaderBootCountPath. */
static void count_boot(struct bls_entry *e)
{
	char next[BLS_NAME_MAX], path[BLS_PATH_MAX + BLS_NAME_MAX];
	const char *dir = e->kind == BLS_TYPE1 ? "\\loader\\entries" : "\\EFI\\Linux";
	EFI_STATUS s;

	if (e->tries_left < 0 || e->net || (e->kind != BLS_TYPE1 && e->kind != BLS_TYPE2) || !e->linux_path[0])
		return;
	if (!bls_counter_next(e->file, next, sizeof(next)))
		return;
	s = rename(e->part, dir, e->file, next);
	if (s != EFI_SUCCESS) {
		say(EFIKEXEC_LOG_WARN, "count", "%s: cannot rename %s\\%s to %s: %s; booting it anyway",
		     part_name[e->part], dir, e->file, next, efikexec_status_name(s));
		return;
	}
	say(EFIKEXEC_LOG_INFO, "count", "%s\\%s is now %s", dir, e->file, next);
	rt_snprintf(path, sizeof(path), "%s\\%s", dir, next);
	set_var("LoaderBootCountPath", &bli_guid, BLI_VOLATILE, path);
	if (cfg.capture_kernel[0]) {
		char rec[BLS_PATH_MAX + BLS_NAME_MAX + 4];
		rt_snprintf(rec, sizeof(rec), "%d:%s", (int)e->part, path);
		set_var(COUNTED_VAR, &own_guid, EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS, rec);
	}
	/* a Type #2 entry's file is the UKI itself: it, and the entries of
	 * the UKI's other profiles, boot it under its new name */
	if (e->kind == BLS_TYPE2) {
		char old[BLS_NAME_MAX];
		rt_snprintf(old, sizeof(old), "%s", e->file);
		for (size_t i = 0; i < nstore; i++)
			if (store[i].kind == BLS_TYPE2 && store[i].part == e->part && !RT_FN(strcmp)(store[i].file, old)) {
				rt_snprintf(store[i].file, sizeof(store[i].file), "%s", next);
				rt_snprintf(store[i].linux_path, sizeof(store[i].linux_path), "%s", path);
			}
	}
	rt_snprintf(e->file, sizeof(e->file), "%s", next);
}

/*
 * After a crash with capture armed: the counted entry that crashed before
 * the OS blessed it (its file still has the name efikexec gave it) is
 * marked bad (+0-DONE), so that after the capture the next good entry
 * boots. The record goes either way.
 */
static void crash_fallback(void)
{
	struct efikexec_capture_state cs = { .struct_size = sizeof(cs) };
	char rec[BLS_PATH_MAX + BLS_NAME_MAX + 4], bad[BLS_NAME_MAX];
	int64_t left, done;

	if (!get_var(COUNTED_VAR, &own_guid, rec, sizeof(rec)))
		return;
	del_var(COUNTED_VAR, &own_guid);
	if (efikexec_capture_status(&cs) != EFIKEXEC_SUCCESS || !cs.armed || !cs.crashed)
		return;
	if ((rec[0] != '0' && rec[0] != '1') || rec[1] != ':')
		return;
	enum bls_part p = (enum bls_part)(rec[0] - '0');
	char *slash = RT_FN(strrchr)(rec + 2, '\\');
	if (!slash || !part[p] || !bls_counter(slash + 1, &left, &done))
		return;
	*slash = 0;
	rt_snprintf(bad, sizeof(bad), "%.*s+0-%lld%s", (int)(RT_FN(strrchr)(slash + 1, '+') - (slash + 1)), slash + 1,
		    (long long)done, RT_FN(strrchr)(slash + 1, '.') ? RT_FN(strrchr)(slash + 1, '.') : "");
	if (rename(p, rec + 2, slash + 1, bad) == EFI_SUCCESS)
		say(EFIKEXEC_LOG_WARN, "count", "the kernel of %s\\%s crashed before it was blessed: now %s; capture first, then the next good entry",
		     rec + 2, slash + 1, bad);
}

static efikexec_status boot_linux(struct bls_entry *e, const char *options)
{
	struct efikexec *r;
	struct efikexec_input in = EFIKEXEC_INPUT_FILE(part[e->part], e->linux_path);
	efikexec_status s = efikexec_request_new(&r);

	if (s)
		return s;
	s = efikexec_add_kernel(r, &in);
	for (unsigned i = 0; !s && i < e->ninitrd; i++) {
		struct efikexec_input ii = EFIKEXEC_INPUT_FILE(part[e->part], e->initrd[i]);
		s = efikexec_add_initrd(r, &ii);
	}
	for (unsigned i = 0; !s && i < e->nmodule; i++) {
		struct efikexec_input mi = EFIKEXEC_INPUT_FILE(part[e->part], bls_module_path(e, i));
		s = efikexec_add_module(r, &mi, bls_module_args(e, i));
	}
	if (!s && e->profile) {
		/* a UKI's profile: "@N" first, as systemd-boot 257 starts it */
		static char with[BLS_OPTIONS_MAX + 16];
		rt_snprintf(with, sizeof(with), "@%u%s%s", e->profile, options ? " " : "", options ? options : "");
		options = with;
	}
	if (!s && options)
		s = efikexec_set_cmdline(r, options);
	if (!s && e->devicetree[0]) {
		struct efikexec_input d = EFIKEXEC_INPUT_FILE(part[e->part], e->devicetree);
		s = efikexec_set_dtb(r, &d);
	}
	if (!s && cfg.capture_kernel[0]) {
		struct efikexec_input ci[BLS_MAX_CAPTURE_INITRDS];
		struct efikexec_capture c = {
			.struct_size = sizeof(c), .ninitrd = cfg.ncapture_initrd,
			.kernel = EFIKEXEC_INPUT_FILE(part[BLS_ESP], cfg.capture_kernel), .initrd = ci,
			.cmdline = cfg.capture_options[0] ? cfg.capture_options : NULL,
			.size = cfg.capture_size, .addr = cfg.capture_addr,
		};
		for (unsigned i = 0; i < cfg.ncapture_initrd; i++)
			ci[i] = (struct efikexec_input)EFIKEXEC_INPUT_FILE(part[BLS_ESP], cfg.capture_initrd[i]);
		s = efikexec_set_capture(r, &c);
	}
	if (!s) {
		set_usec("LoaderTimeExecUSec", efikexec_counter());
		s = efikexec_boot(r); /* returns only on a failure */
	}
	efikexec_release(r);
	return s;
}

/* A file device path: the partition's device path and one file-path node. */
static EFI_DEVICE_PATH *file_dp(EFI_HANDLE h, const char *path)
{
	static uint8_t buf[4096];
	EFI_DEVICE_PATH *dp;
	char ep[BLS_PATH_MAX + 2];
	size_t n = 0, units;

	if (bs->HandleProtocol(h, &dp_guid, (void **)&dp) != EFI_SUCCESS)
		return NULL;
	for (const EFI_DEVICE_PATH *d = dp; !dp_end(d); d = dp_next(d))
		n += dp_len(d);
	efi_path(path, ep, sizeof(ep));
	units = utf8_to_ucs2(ep, NULL, 0) + 1;
	if (n + 4 + units * 2 + 4 > sizeof(buf))
		return NULL;
	RT_FN(memcpy)(buf, dp, n);
	buf[n] = 4, buf[n + 1] = 4; /* MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP */
	buf[n + 2] = (uint8_t)(4 + units * 2), buf[n + 3] = (uint8_t)((4 + units * 2) >> 8);
	utf8_to_ucs2(ep, (uint16_t *)(buf + n + 4), units);
	n += 4 + units * 2;
	RT_FN(memcpy)(buf + n, (uint8_t[]){ 0x7f, 0xff, 4, 0 }, 4);
	return (EFI_DEVICE_PATH *)buf;
}

/* Starts another EFI program with the options as its LoadOptions; the
 * status it returned with. */
static EFI_STATUS boot_efi(struct bls_entry *e, const char *options)
{
	static CHAR16 opt[BLS_OPTIONS_MAX];
	static uint8_t optbuf[4096];
	EFI_DEVICE_PATH *dp = NULL;
	EFI_HANDLE child;
	EFI_LOADED_IMAGE *cli;
	EFI_STATUS s;

	if (e->boot_option >= 0) {
		/* a firmware boot option: its first device path */
		CHAR16 name[16];
		char v[16];
		UINTN n = sizeof(optbuf);
		UINT32 attrs;
		rt_snprintf(v, sizeof(v), "Boot%04X", (unsigned)e->boot_option);
		if ((s = rs->GetVariable(wide(v, name, 16), &global_guid, &attrs, &n, optbuf)) != EFI_SUCCESS)
			return s;
		size_t d = 6;
		while (d + 1 < n && (optbuf[d] || optbuf[d + 1]))
			d += 2;
		dp = (EFI_DEVICE_PATH *)(optbuf + d + 2);
	} else {
		dp = file_dp(part[e->part], e->efi_path);
	}
	if (!dp)
		return EFI_NOT_FOUND;
	/* Under Secure Boot the firmware's LoadImage is the check of what an
	 * `efi` entry runs (db, dbx; with shim 16 also MokList and SBAT) */
	s = bs->LoadImage(FALSE, self, dp, NULL, 0, &child);
	if (s != EFI_SUCCESS) {
		/* a security violation still made a handle (UEFI 2.10, 7.4.1) */
		if (s == EFI_SECURITY_VIOLATION && child)
			bs->UnloadImage(child);
		say(EFIKEXEC_LOG_ERROR, "stage", "cannot load %s: %s%s", e->efi_path[0] ? e->efi_path : e->title,
		     efikexec_status_name(s),
		     secure_boot && (s == EFI_ACCESS_DENIED || s == EFI_SECURITY_VIOLATION)
			     ? " (Secure Boot is on: the firmware does not trust it)" : "");
		return s;
	}
	if (options && options[0] && bs->HandleProtocol(child, &li_guid, (void **)&cli) == EFI_SUCCESS) {
		size_t units = utf8_to_ucs2(options, (uint16_t *)opt, RT_ARRAY_SIZE(opt));
		cli->LoadOptions = opt;
		cli->LoadOptionsSize = (UINT32)((units + 1) * 2); /* with the NUL, as systemd-boot */
	}
	set_usec("LoaderTimeExecUSec", efikexec_counter());
	bs->SetWatchdogTimer(5 * 60, 0, 0, NULL); /* what the boot manager gives a program */
	s = bs->StartImage(child, NULL, NULL);
	bs->SetWatchdogTimer(0, 0, 0, NULL);
	say(EFIKEXEC_LOG_INFO, "stage", "%s returned: %s", e->title, efikexec_status_name(s));
	return s;
}

static void reboot_to_firmware(void)
{
	UINT64 ind = 0;
	UINTN n = sizeof(ind);
	UINT32 attrs;

	rs->GetVariable((CHAR16 *)u"OsIndications", &global_guid, &attrs, &n, &ind);
	ind |= EFI_OS_INDICATIONS_BOOT_TO_FW_UI;
	rs->SetVariable((CHAR16 *)u"OsIndications", &global_guid, BLI_NV, sizeof(ind), &ind);
	rs->ResetSystem(EfiResetCold, EFI_SUCCESS, 0, NULL);
}

static EFI_STATUS boot(struct bls_entry *e, const char *options, bool oneshot)
{
	set_var("LoaderEntrySelected", &bli_guid, BLI_VOLATILE, e->id);
	if (!oneshot && !RT_FN(strcmp)(cfg.default_pattern, "@saved"))
		set_var("LoaderEntryLastBooted", &bli_guid, BLI_NV, e->id);
	say(EFIKEXEC_LOG_INFO, "stage", "booting %s (%s%s)", e->title, e->id, options ? ", options given" : "");
	switch (e->kind) {
	case BLS_AUTO_FIRMWARE:
		reboot_to_firmware();
		return EFI_DEVICE_ERROR;
	case BLS_AUTO_EFI:
		return boot_efi(e, options);
	default:
		if (e->efi_path[0])
			return boot_efi(e, options);
		if (e->tls_ca[0]) {
			efikexec_status s = give_ca_file(e->part, e->tls_ca);
			if (s) {
				say(EFIKEXEC_LOG_ERROR, "stage", "%s: efikexec-tls-ca %s: not given to the firmware's TLS; not booted",
				    e->file, e->tls_ca);
				return s;
			}
		}
		count_boot(e);
		return boot_linux(e, options); /* none: a UKI's own .cmdline */
	}
}

/* --- the stage ----------------------------------------------------------------------------------- */

/* What the stage holds, given back before it returns to the firmware. */
static EFI_STATUS leave(EFI_STATUS s)
{
	for (int p = BLS_ESP; p <= BLS_XBOOTLDR; p++)
		if (root[p]) {
			root[p]->Close(root[p]);
			root[p] = NULL;
		}
	if (list)
		bs->FreePool(list);
	if (store)
		bs->FreePool(store);
	list = NULL, store = NULL, nlist = nstore = cap = 0;
	return s;
}

EFI_STATUS stage_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab, EFI_LOADED_IMAGE *loaded)
{
	char oneshot[BLS_NAME_MAX], value[BLS_NAME_MAX], header[96];
	size_t def = (size_t)-1, chosen;
	bool by_oneshot = false, show = false;
	uint8_t sb = 0;
	UINTN n = 1;
	UINT32 attrs;
	EFI_INPUT_KEY k;

	st = systab, bs = st->BootServices, rs = st->RuntimeServices, self = image, li = loaded;
	bs->SetWatchdogTimer(0, 0, 0, NULL); /* a menu may wait for a human */
	part[BLS_ESP] = li->DeviceHandle;
	if (!root_of(BLS_ESP)) {
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
	give_tls_ca();
	crash_fallback();
	discover();
	export_bli();
	{
		char line[160];
		size_t esp = 0, xbl = 0;
		for (size_t i = 0; i < nlist; i++)
			*(list[i]->part == BLS_XBOOTLDR ? &xbl : &esp) += list[i]->kind <= BLS_TYPE2;
		if (netbooted)
			rt_snprintf(line, sizeof(line), "efikexec %s: boot stage, %zu entries over the network\n",
				    efikexec_version(), esp);
		else if (part[BLS_XBOOTLDR])
			rt_snprintf(line, sizeof(line), "efikexec %s: boot stage, %zu entries on the ESP, %zu on XBOOTLDR\n",
				    efikexec_version(), esp, xbl);
		else
			rt_snprintf(line, sizeof(line), "efikexec %s: boot stage, %zu entries on the ESP (no XBOOTLDR partition)\n",
				    efikexec_version(), esp);
		efikexec_print(line);
	}

	/* the default, systemd-boot's order (lib/bls.c, as efikexec-install
	 * list shows it); a one-shot entry is read once */
	{
		static char entry_default[BLS_NAME_MAX], last[BLS_NAME_MAX];
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
		by_oneshot = by == BLS_BY_ONESHOT;
		if (v.oneshot && !by_oneshot)
			say(EFIKEXEC_LOG_WARN, "stage", "LoaderEntryOneShot names '%s': no such bootable entry", oneshot);
	}

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
			if (menu.default_changed) {
				if (menu.def == (size_t)-1)
					del_var("LoaderEntryDefault", &bli_guid);
				else
					set_var("LoaderEntryDefault", &bli_guid, BLI_NV, list[menu.def]->id);
				menu.default_changed = false;
			}
			if (menu.timeout_changed) {
				bls_timeout_text(menu.timeout, menu.seconds, value, sizeof(value));
				set_var("LoaderConfigTimeout", &bli_guid, BLI_NV, value);
				menu.timeout_changed = false;
			}
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

/* --- as a stage of other loaders -------------------------------------------------------------------- */

/* EFI_LOAD_FILE2_PROTOCOL: LoadFile(this, path, boot_policy, size, buf) */
typedef struct lf2 {
	EFI_STATUS(EFIAPI *LoadFile)(struct lf2 *self, EFI_DEVICE_PATH *path, BOOLEAN boot_policy, UINTN *size,
				    VOID *buf);
} lf2_t;

bool stage_parent_initrd(EFI_SYSTEM_TABLE *systab, void **buf, uint64_t *size)
{
	/* the vendor media node with the GUID, then the end (efi-stub-helper.c) */
	struct {
		uint8_t type, subtype, len[2];
		EFI_GUID guid;
		uint8_t end[4];
	} __attribute__((packed)) path = { 4, 3, { 20, 0 }, { 0 }, { 0x7f, 0xff, 4, 0 } };
	EFI_BOOT_SERVICES *b = systab->BootServices;
	EFI_DEVICE_PATH *dp = (EFI_DEVICE_PATH *)&path;
	EFI_HANDLE h;
	lf2_t *lf;
	UINTN n = 0;
	EFI_STATUS s;

	path.guid = initrd_media_guid;
	*buf = NULL;
	if (b->LocateDevicePath(&load_file2_guid, &dp, &h) != EFI_SUCCESS ||
	    b->HandleProtocol(h, &load_file2_guid, (void **)&lf) != EFI_SUCCESS)
		return false;
	s = lf->LoadFile(lf, (EFI_DEVICE_PATH *)&path, FALSE, &n, NULL);
	if (s != EFI_BUFFER_TOO_SMALL || !n) {
		if (s != EFI_SUCCESS || n)
			say(EFIKEXEC_LOG_WARN, "initrd", "the parent's LoadFile2 initrd gave no size: %s",
			     efikexec_status_name(s));
		return false;
	}
	if ((s = b->AllocatePool(EfiLoaderData, n, buf)) != EFI_SUCCESS) {
		say(EFIKEXEC_LOG_ERROR, "initrd", "no memory for the parent's initrd of %llu bytes: %s",
		     (unsigned long long)n, efikexec_status_name(s));
		return false;
	}
	if ((s = lf->LoadFile(lf, (EFI_DEVICE_PATH *)&path, FALSE, &n, *buf)) != EFI_SUCCESS) {
		say(EFIKEXEC_LOG_ERROR, "initrd", "the parent's LoadFile2 initrd: %s", efikexec_status_name(s));
		b->FreePool(*buf);
		*buf = NULL;
		return false;
	}
	*size = n;
	say(EFIKEXEC_LOG_INFO, "initrd", "the parent loader's initrd (LoadFile2), %llu bytes, comes first",
	     (unsigned long long)n);
	return true;
}
