/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * ukistub.c - what systemd-stub gives the OS, given by efikexec for the
 * UKIs it boots; see ukistub.h. The archives are built by lib/cpio.c, the
 * sections found by boot/uki.c; here only what needs the firmware: the
 * companion folders, the TPM, the variables.
 */
#include "ukistub.h"
#include "../lib/url.h"
#include "trust.h"
#include "../boot/uki.h"
#include "../lib/cpio.h"
#include "../lib/trust.h"
#include "../lib/cmdline.h"

#define PCR_KERNEL_BOOT 11   /* systemd's TPM2_PCR_KERNEL_BOOT */
#define PCR_KERNEL_CONFIG 12 /* TPM2_PCR_KERNEL_CONFIG */
#define PCR_SYSEXTS 13       /* TPM2_PCR_SYSEXTS */
/* UKI_PROFILE_EVENT_TAG_ID (systemd src/fundamental/tpm2-pcr.h) */
#define TAG_UKI_PROFILE 0x13aed6dbu
#define MAX_FILES 64                  /* files a companion folder contributes */
#define MAX_FILE_SIZE (1ull << 30)    /* the largest one (a system extension) */

/* The stub's companion folders (stub.c generate_sidecar_initrds), in the
 * order the archives follow .initrd. `global`: a folder on the UKI's
 * volume, else the UKI's own "<path>.extra.d". */
static const struct sidecar {
	const char *global, *suffix, *exclude, *target, *what;
	uint32_t dir_mode, file_mode, pcr;
	const char *event;
	enum uki_measured kind;
} sidecars[] = {
	{ NULL, ".cred", NULL, ".extra/credentials", "/.extra/credentials", 0500, 0400, PCR_KERNEL_CONFIG, "Credentials initrd",
	  UKI_M_PARAMETERS },
	{ "\\loader\\credentials", ".cred", NULL, ".extra/global_credentials", "/.extra/global_credentials", 0500, 0400, PCR_KERNEL_CONFIG,
	  "Global credentials initrd", UKI_M_PARAMETERS },
	{ NULL, ".raw", ".confext.raw", ".extra/sysext", "/.extra/sysext", 0555, 0444, PCR_SYSEXTS, "System extension initrd",
	  UKI_M_SYSEXTS },
	{ "\\loader\\extensions", ".raw", ".confext.raw", ".extra/global_sysext", "/.extra/global_sysext", 0555, 0444, PCR_SYSEXTS,
	  "Global system extension initrd", UKI_M_SYSEXTS },
	{ NULL, ".confext.raw", NULL, ".extra/confext", "/.extra/confext", 0555, 0444, PCR_KERNEL_CONFIG,
	  "Configuration extension initrd", UKI_M_CONFEXTS },
	{ "\\loader\\extensions", ".confext.raw", NULL, ".extra/global_confext", "/.extra/global_confext", 0555, 0444, PCR_KERNEL_CONFIG,
	  "Global configuration extension initrd", UKI_M_CONFEXTS },
};

/* Sections handed on as files in /.extra, never measured as archives
 * (stub.c generate_embedded_initrds), in the order they follow. */
static const struct literal {
	enum uki_section sec;
	const char *file, *what;
} literals[] = {
	{ UKI_PCRSIG, "tpm2-pcr-signature.json", "/.extra/tpm2-pcr-signature.json" },
	{ UKI_PCRPKEY, "tpm2-pcr-public-key.pem", "/.extra/tpm2-pcr-public-key.pem" },
	{ UKI_OSREL, "os-release", "/.extra/os-release" },
	{ UKI_PROFILE, "profile", "/.extra/profile" },
};

/* --- the archives ------------------------------------------------------------------------ */

static struct {
	const struct sidecar *sc;
	struct cpio_file f[MAX_FILES];
	char name[MAX_FILES][CPIO_NAME_MAX + 1];
	unsigned n, skipped;
} pick;

static void collect(void *ctx, const char *dir, const char *name, uint64_t size)
{
	(void)ctx;
	(void)size;
	if (!cpio_pick(name, pick.sc->suffix, pick.sc->exclude))
		return;
	if (pick.n == MAX_FILES) {
		pick.skipped++;
		return;
	}
	rt_snprintf(pick.name[pick.n], sizeof(pick.name[0]), "%s", name);
	pick.f[pick.n] = (struct cpio_file){ pick.name[pick.n], NULL, 0 };
	pick.n++;
}

static rt_status add_extra(struct boot_plan *bp, const char *what, uint32_t pcr, const char *event, int kind,
			   const char *dir, uint32_t dmode, uint32_t fmode, struct cpio_file *f, unsigned n)
{
	struct boot_extra *x;
	size_t size = cpio_archive(NULL, 0, dir, dmode, fmode, f, n);

	if (!size)
		return rt_fail_uefi(RT_EINVAL, "uki", "%s: %u files make no archive (a name or size out of range)",
				    what, n);
	if (bp->nextra == BOOT_MAX_EXTRAS)
		return rt_fail_uefi(RT_E2BIG, "uki", "%s: more than %u /.extra archives", what, BOOT_MAX_EXTRAS);
	x = &bp->extra[bp->nextra];
	*x = (struct boot_extra){ .what = what, .files = n, .pcr = pcr, .event = event, .kind = kind };
	if (!(x->buf = RT_FN(malloc)(size)))
		return rt_fail_uefi(RT_ENOMEM, "uki", "%s: no memory for its %zu bytes", what, size);
	x->size = cpio_archive(x->buf, size, dir, dmode, fmode, f, n);
	ld_src_memory(&x->src, x->buf, x->size, what);
	bp->nextra++;
	rt_log(RT_LOG_INFO, "uki", "%s: %u file%s, %zu bytes", what, n, n == 1 ? "" : "s", x->size);
	return RT_OK;
}

/* One companion folder: its files read whole, packed, freed again. */
static rt_status sidecar(struct boot_plan *bp, const struct sidecar *sc, void *volume, const char *dir)
{
	void *buf[MAX_FILES];
	uint64_t size[MAX_FILES];
	char path[512];
	unsigned n = 0;
	rt_status rs = RT_OK;
	EFI_STATUS st;

	pick.sc = sc;
	pick.n = pick.skipped = 0;
	st = efi_dir_each(volume, dir, collect, NULL);
	if (st == EFI_NOT_FOUND)
		return RT_OK;
	if (EFI_ERROR(st))
		return RT_OK; /* said; the stub boots on without the folder too */
	if (pick.skipped)
		rt_log(RT_LOG_WARN, "uki", "%s: more than %u %s files; %u left out", dir, MAX_FILES, sc->suffix,
		       pick.skipped);
	cpio_sort(pick.f, pick.n);
	for (unsigned i = 0; i < pick.n; i++) {
		rt_snprintf(path, sizeof(path), "%s\\%s", dir, pick.f[i].name);
		if (EFI_ERROR(efi_file_load(volume, path, MAX_FILE_SIZE, &buf[n], &size[n]))) {
			rt_log(RT_LOG_WARN, "uki", "%s: cannot be read; left out, as systemd-stub leaves it", path);
			continue;
		}
		pick.f[n] = (struct cpio_file){ pick.f[i].name, buf[n], size[n] };
		n++;
	}
	if (n)
		rs = add_extra(bp, sc->what, sc->pcr, sc->event, (int)sc->kind, sc->target, sc->dir_mode,
			       sc->file_mode, pick.f, n);
	for (unsigned i = 0; i < n; i++)
		efi_file_unload(buf[i], size[i]);
	return rs;
}

/* The VirtualSize bytes of a section as the stub sees them: the file's,
 * zeros after; *copy says what to free. */
static const void *section_bytes(struct boot_plan *bp, const struct uki_sec *s, void **copy)
{
	const struct boot_input *in = &bp->o->kernel;
	struct ld_src *src = bp->k->uki.src;

	*copy = NULL;
	if (in->buf && src->size == in->size && s->raw == s->size)
		return (const uint8_t *)in->buf + s->off;
	if (!(*copy = RT_FN(malloc)(s->size ? (size_t)s->size : 1)))
		return NULL;
	RT_FN(memset)(*copy, 0, (size_t)s->size);
	if (src->read(src, s->off, *copy, s->raw) != RT_OK) {
		RT_FN(free)(*copy);
		return *copy = NULL;
	}
	return *copy;
}

rt_status uki_extras(struct boot_plan *bp)
{
	const struct boot_input *in = &bp->o->kernel;
	const struct uki_layout *l = &bp->k->uki.l;
	static char uki[256], own[300];
	rt_status rs;

	/* the companion folders: next to a UKI read from a volume */
	if (in->file && in->path && !url_is(in->path) && !EFI_ERROR(efi_file_path(in->volume, in->path, uki, sizeof(uki)))) {
		uki_companion(uki, own, sizeof(own));
		for (size_t i = 0; i < RT_ARRAY_SIZE(sidecars); i++) {
			rs = sidecar(bp, &sidecars[i], in->volume, sidecars[i].global ? sidecars[i].global : own);
			if (rs != RT_OK)
				return rs;
		}
	}
	for (size_t i = 0; i < RT_ARRAY_SIZE(literals); i++) {
		const struct uki_sec *s = &l->sec[literals[i].sec];
		struct cpio_file f;
		void *copy;
		if (!s->set)
			continue;
		f = (struct cpio_file){ literals[i].file, NULL, s->size };
		if (!(f.data = section_bytes(bp, s, &copy)))
			return rt_fail_uefi(RT_ENOMEM, "uki", "%s: no memory for its section %s", bp->kernel_name,
					    uki_section_name[literals[i].sec]);
		rs = add_extra(bp, literals[i].what, 0, NULL, -1, ".extra", 0555, 0444, &f, 1);
		RT_FN(free)(copy);
		if (rs != RT_OK)
			return rs;
	}
	return RT_OK;
}

/* --- measurements ------------------------------------------------------------------------ */

/* As the stub's combine_measured_flag: -1 nothing submitted, then 1 only
 * while every event of the kind was measured. */
static int measured[UKI_M_COUNT];
static bool measure_ran;

static void count(enum uki_measured kind, bool ok)
{
	measured[kind] = measured[kind] < 0 ? ok : measured[kind] && ok;
}

static uint8_t text16[2 * (4096 + 1)];

/* An EV_IPL event as the stub's tpm_log_ipl_event: data, and the text in
 * UTF-16LE with its NUL as the event. */
static bool ipl(uint32_t pcr, const void *data, uint64_t len, const char *text, const char *what)
{
	size_t n = tcg_cmdline_utf16(text, RT_FN(strlen)(text), text16, sizeof(text16));

	return n && trust_event(pcr, TCG_EV_IPL, 0, data, len, text16, n, what);
}

void uki_measure(struct boot_plan *bp)
{
	const struct uki_layout *l = &bp->k->uki.l;
	char what[64];

	for (int i = 0; i < UKI_M_COUNT; i++)
		measured[i] = -1;
	measure_ran = true;
	/* a profile but the first: a tagged event in PCR 12, before all else
	 * (stub.c measure_profile) */
	if (l->profile) {
		char dec[16];
		size_t n;
		rt_snprintf(dec, sizeof(dec), "%u", l->profile);
		n = tcg_cmdline_utf16(dec, RT_FN(strlen)(dec), text16, sizeof(text16));
		count(UKI_M_PARAMETERS, trust_event(PCR_KERNEL_CONFIG, TCG_EV_EVENT_TAG, TAG_UKI_PROFILE, text16, n,
						    text16, n, "the UKI's profile"));
	}
	/* the sections in the stub's order, .pcrsig never: the name with its
	 * NUL, then the VirtualSize bytes (stub.c measure_sections) */
	for (int i = 0; i < UKI_NSECTIONS; i++) {
		const struct uki_sec *s = &l->sec[i];
		const char *name = uki_section_name[i];
		const void *p;
		void *copy;
		if (!s->set || i == UKI_PCRSIG)
			continue;
		rt_snprintf(what, sizeof(what), "section %s's name", name);
		count(UKI_M_SECTIONS, ipl(PCR_KERNEL_BOOT, name, RT_FN(strlen)(name) + 1, name, what));
		rt_snprintf(what, sizeof(what), "section %s", name);
		p = section_bytes(bp, s, &copy);
		if (!p) {
			rt_log(RT_LOG_WARN, "tpm", "%s: no memory to measure it from; not measured", what);
			count(UKI_M_SECTIONS, false);
			continue;
		}
		count(UKI_M_SECTIONS, ipl(PCR_KERNEL_BOOT, p, s->size, name, what));
		RT_FN(free)(copy);
	}
	/* a command line that replaced .cmdline: as LoadOptions, UTF-16LE
	 * with its NUL, data and event alike (measure.c tpm_log_load_options) */
	if (bp->cmdline_given) {
		size_t n = tcg_cmdline_utf16(bp->cmdline, bp->cmdline_len, text16, sizeof(text16));
		count(UKI_M_PARAMETERS,
		      n && trust_event(PCR_KERNEL_CONFIG, TCG_EV_IPL, 0, text16, n, text16, n, "the command line"));
	}
	for (unsigned i = 0; i < bp->nextra; i++) {
		const struct boot_extra *x = &bp->extra[i];
		if (x->pcr)
			count((enum uki_measured)x->kind, ipl(x->pcr, x->buf, x->size, x->event, x->what));
	}
}

/* --- variables ------------------------------------------------------------------------------ */

/* systemd's LOADER GUID: the Boot Loader Interface */
static EFI_GUID loader_guid = { 0x4a67b082, 0x0a4c, 0x41cf, { 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f } };
#define BLI_VOLATILE (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

/* what uki_export set, for uki_unexport */
static const char *set_names[16];
static unsigned nset;

static CHAR16 *wide(const char *s, uint16_t *w, size_t units)
{
	utf8_to_ucs2(s, w, units);
	return (CHAR16 *)w;
}

static bool var_exists(const char *name)
{
	uint16_t w[64];
	UINTN size = 0;
	UINT32 attrs;

	return efi_rs->GetVariable(wide(name, w, RT_ARRAY_SIZE(w)), &loader_guid, &attrs, &size, NULL) ==
	       EFI_BUFFER_TOO_SMALL;
}

static void set_raw(const char *name, const void *data, size_t size)
{
	uint16_t w[64];
	EFI_STATUS st = efi_rs->SetVariable(wide(name, w, RT_ARRAY_SIZE(w)), &loader_guid, BLI_VOLATILE, size,
					    (void *)data);

	if (EFI_ERROR(st)) {
		rt_log(RT_LOG_WARN, "uki", "cannot set %s: %s", name, efi_status_name(st));
		return;
	}
	if (nset < RT_ARRAY_SIZE(set_names))
		set_names[nset++] = name;
}

static void set_str(const char *name, const char *value)
{
	static uint16_t w[1024];
	size_t n = utf8_to_ucs2(value, w, RT_ARRAY_SIZE(w));

	set_raw(name, w, (n + 1) * 2);
}

/* The GPT partition GUID of a volume (its HD() node), lowercase as
 * current systemd writes it (GUID_FORMAT_STR). */
static bool part_uuid(void *volume, char *out, size_t size)
{
	static EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
	const uint8_t *n;

	if (efi_bs->HandleProtocol(volume ? volume : efi_loaded_image->DeviceHandle, &dp_guid, (void **)&n) !=
	    EFI_SUCCESS)
		return false;
	for (int guard = 0; guard < 64 && n[0] != END_DEVICE_PATH_TYPE; guard++) {
		size_t len = n[2] | (size_t)n[3] << 8;
		if (len < 4)
			return false;
		if (n[0] == MEDIA_DEVICE_PATH && n[1] == MEDIA_HARDDRIVE_DP && len >= 42 && n[41] == 2) {
			const uint8_t *g = n + 24;
			rt_snprintf(out, size,
				    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3],
				    g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
				    g[14], g[15]);
			return true;
		}
		n += len;
	}
	return false;
}

void uki_export(struct boot_plan *bp)
{
	/* StubFeatures bits (systemd src/fundamental/efivars-fundamental.h
	 * EFI_STUB_FEATURE_*) for what efikexec does: the boot partition (0),
	 * credentials (1), sysexts (2), three PCRs (3), confexts (8),
	 * multi-profile UKIs (9), the stub's partition and image (10) */
	static const uint64_t features = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 8 | 1u << 9 | 1u << 10;
	static const char *const pcr_var[UKI_M_COUNT] = { "StubPcrKernelImage", "StubPcrKernelParameters",
							  "StubPcrInitRDSysExts", "StubPcrInitRDConfExts" };
	static const char *const pcr_val[UKI_M_COUNT] = { "11", "12", "13", "12" };
	const struct boot_input *in = &bp->o->kernel;
	char v[256], uuid[40];
	bool have_uuid = in->file && part_uuid(in->volume, uuid, sizeof(uuid));

	nset = 0;
	/* only if unset: a loader before efikexec (its own stage) speaks
	 * for itself (export-vars.c export_common_variables) */
	if (have_uuid && !var_exists("LoaderDevicePartUUID"))
		set_str("LoaderDevicePartUUID", uuid);
	if (in->file && !var_exists("LoaderImageIdentifier") &&
	    !EFI_ERROR(efi_file_path(in->volume, in->path, v, sizeof(v))))
		set_str("LoaderImageIdentifier", v);
	if (!var_exists("LoaderFirmwareInfo")) {
		char vendor[128] = "";
		size_t u = 0;
		while (efi_st->FirmwareVendor && efi_st->FirmwareVendor[u] && u < 60)
			u++;
		ucs2_to_utf8((const uint16_t *)efi_st->FirmwareVendor, u, vendor, sizeof(vendor));
		rt_snprintf(v, sizeof(v), "%s %u.%02u", vendor, efi_st->FirmwareRevision >> 16,
			    efi_st->FirmwareRevision & 0xffff);
		set_str("LoaderFirmwareInfo", v);
	}
	if (!var_exists("LoaderFirmwareType")) {
		rt_snprintf(v, sizeof(v), "UEFI %u.%02u", efi_st->Hdr.Revision >> 16, efi_st->Hdr.Revision & 0xffff);
		set_str("LoaderFirmwareType", v);
	}
	/* the stub's own (export_stub_variables) */
	rt_snprintf(v, sizeof(v), "efikexec %s", EFIKEXEC_VERSION);
	set_str("StubInfo", v);
	set_raw("StubFeatures", &features, sizeof(features));
	rt_snprintf(v, sizeof(v), "%u", bp->k->uki.l.profile);
	set_str("StubProfile", v);
	if (have_uuid)
		set_str("StubDevicePartUUID", uuid);
	if (in->file && !EFI_ERROR(efi_file_path(in->volume, in->path, v, sizeof(v))))
		set_str("StubImageIdentifier", v);
	/* what was measured, each when all of its kind was
	 * (export_pcr_variables) */
	for (int i = 0; measure_ran && i < UKI_M_COUNT; i++)
		if (measured[i] > 0)
			set_str(pcr_var[i], pcr_val[i]);
	measure_ran = false;
}

void uki_unexport(void)
{
	uint16_t w[64];

	for (unsigned i = 0; i < nset; i++)
		efi_rs->SetVariable(wide(set_names[i], w, RT_ARRAY_SIZE(w)), &loader_guid, 0, 0, NULL);
	nset = 0;
}
