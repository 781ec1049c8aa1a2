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
 * volume, else the UKI's own "<path>.extra.d". `since`: what a release
 * needs of struct uki_model to read it. */
enum since { ALWAYS, CONFEXT, GLOBAL_EXT };
static const struct sidecar {
	const char *global, *suffix, *exclude, *target, *what;
	uint32_t dir_mode, file_mode, pcr;
	const char *event;
	enum uki_measured kind;
	enum since since;
} sidecars[] = {
	{ NULL, ".cred", NULL, ".extra/credentials", "/.extra/credentials", 0500, 0400, PCR_KERNEL_CONFIG, "Credentials initrd",
	  UKI_M_PARAMETERS, ALWAYS },
	{ "\\loader\\credentials", ".cred", NULL, ".extra/global_credentials", "/.extra/global_credentials", 0500, 0400, PCR_KERNEL_CONFIG,
	  "Global credentials initrd", UKI_M_PARAMETERS, ALWAYS },
	{ NULL, ".raw", ".confext.raw", ".extra/sysext", "/.extra/sysext", 0555, 0444, PCR_SYSEXTS, "System extension initrd",
	  UKI_M_SYSEXTS, ALWAYS },
	{ "\\loader\\extensions", ".raw", ".confext.raw", ".extra/global_sysext", "/.extra/global_sysext", 0555, 0444, PCR_SYSEXTS,
	  "Global system extension initrd", UKI_M_SYSEXTS, GLOBAL_EXT },
	{ NULL, ".confext.raw", NULL, ".extra/confext", "/.extra/confext", 0555, 0444, PCR_KERNEL_CONFIG,
	  "Configuration extension initrd", UKI_M_CONFEXTS, CONFEXT },
	{ "\\loader\\extensions", ".confext.raw", NULL, ".extra/global_confext", "/.extra/global_confext", 0555, 0444, PCR_KERNEL_CONFIG,
	  "Global configuration extension initrd", UKI_M_CONFEXTS, GLOBAL_EXT },
};

static bool reads(const struct uki_model *m, enum since since)
{
	return since == ALWAYS || (since == CONFEXT && m->confext) || (since == GLOBAL_EXT && m->global_ext);
}

/* Sections handed on as files in /.extra, never measured as archives
 * (stub.c generate_embedded_initrds), in the order they follow; .osrel
 * and .profile since 257 (`meta`). */
static const struct literal {
	enum uki_section sec;
	const char *file, *what;
	bool meta;
} literals[] = {
	{ UKI_PCRSIG, "tpm2-pcr-signature.json", "/.extra/tpm2-pcr-signature.json", false },
	{ UKI_PCRPKEY, "tpm2-pcr-public-key.pem", "/.extra/tpm2-pcr-public-key.pem", false },
	{ UKI_OSREL, "os-release", "/.extra/os-release", true },
	{ UKI_PROFILE, "profile", "/.extra/profile", true },
};

/*
 * What one UKI's boot carries from uki_extras (at planning) through
 * uki_measure to uki_export (last before ExitBootServices) and
 * uki_unexport (a boot that fails before it): bp->uki, freed with the
 * plan.
 */
struct uki_state {
	/* the folders the stub read, in its order, and the archive each gave
	 * (-1: none), for the StubPcr* flags */
	struct folder {
		const struct sidecar *sc;
		int extra;
	} folders[RT_ARRAY_SIZE(sidecars)];
	unsigned nfolders;
	char uname[256];                 /* the UKI's .uname, as add-ons are matched to it */
	/* as the stub's combine_measured_flag: -1 nothing submitted, then 1
	 * only while every event of the kind was measured; before 257 the
	 * extension flags start false and take the last folder's result */
	int measured[UKI_M_COUNT];
	bool measure_ran, last_ok;
	const char *set_names[16];       /* what uki_export set, for uki_unexport */
	unsigned nset;
};

/* --- the archives ------------------------------------------------------------------------ */

/* A folder's files the stub takes, as listed (list). */
struct pick {
	const char *suffix, *exclude;
	struct cpio_file f[MAX_FILES];
	char name[MAX_FILES][CPIO_NAME_MAX + 1];
	unsigned n, skipped;
};

static void collect(void *ctx, const char *dir, const char *name, uint64_t size)
{
	struct pick *pk = ctx;

	(void)size;
	if (!cpio_pick(name, pk->suffix, pk->exclude))
		return;
	if (pk->n == MAX_FILES) {
		pk->skipped++;
		return;
	}
	rt_snprintf(pk->name[pk->n], sizeof(pk->name[0]), "%s", name);
	pk->f[pk->n] = (struct cpio_file){ pk->name[pk->n], NULL, 0 };
	pk->n++;
}

/* The files of folder `dir` the stub takes (suffix, not exclude), sorted
 * as it sorts them, into pk; EFI_NOT_FOUND: no such folder. */
static EFI_STATUS list(struct pick *pk, void *volume, const char *dir, const char *suffix, const char *exclude)
{
	EFI_STATUS st;

	pk->suffix = suffix;
	pk->exclude = exclude;
	pk->n = pk->skipped = 0;
	st = efi_dir_each(volume, dir, collect, pk);
	if (EFI_ERROR(st))
		return st;
	if (pk->skipped)
		rt_log(RT_LOG_WARN, "uki", "%s: more than %u %s files; %u left out", dir, MAX_FILES, suffix,
		       pk->skipped);
	cpio_sort(pk->f, pk->n);
	return EFI_SUCCESS;
}

static struct boot_extra *new_extra(struct boot_plan *bp, const char *what)
{
	struct boot_extra *x;

	if (bp->nextra == BOOT_MAX_EXTRAS) {
		rt_fail_uefi(RT_E2BIG, "uki", "%s: more than %u /.extra archives and add-on parts", what, BOOT_MAX_EXTRAS);
		return NULL;
	}
	x = &bp->extra[bp->nextra];
	*x = (struct boot_extra){ .what = what, .kind = -1 };
	return x;
}

static rt_status add_extra(struct boot_plan *bp, const char *what, uint32_t pcr, const char *event, int kind,
			   const char *dir, uint32_t dmode, uint32_t fmode, struct cpio_file *f, unsigned n)
{
	struct boot_extra *x;
	size_t size = cpio_archive(NULL, 0, dir, dmode, fmode, f, n);

	if (!size)
		return rt_fail_uefi(RT_EINVAL, "uki", "%s: %u files make no archive (a name or size out of range)",
				    what, n);
	if (!(x = new_extra(bp, what)))
		return RT_E2BIG;
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
static rt_status sidecar(struct boot_plan *bp, struct pick *pk, const struct sidecar *sc, void *volume, const char *dir)
{
	const struct uki_model *m = bp->k->uki.m;
	struct uki_state *us = bp->uki;
	void *buf[MAX_FILES];
	uint64_t size[MAX_FILES];
	char path[512];
	unsigned n = 0;
	rt_status rs = RT_OK;

	/* before 256 a sysext is any .raw, a .confext.raw too */
	if (EFI_ERROR(list(pk, volume, dir, sc->suffix, m->confext ? sc->exclude : NULL)))
		return RT_OK; /* none, or said; the stub boots on without the folder too */
	for (unsigned i = 0; i < pk->n; i++) {
		rt_snprintf(path, sizeof(path), "%s\\%s", dir, pk->f[i].name);
		if (EFI_ERROR(efi_file_load(volume, path, MAX_FILE_SIZE, &buf[n], &size[n]))) {
			rt_log(RT_LOG_WARN, "uki", "%s: cannot be read; left out, as systemd-stub leaves it", path);
			continue;
		}
		pk->f[n] = (struct cpio_file){ pk->f[i].name, buf[n], size[n] };
		n++;
	}
	if (n) {
		rs = add_extra(bp, sc->what, sc->pcr, sc->event, (int)sc->kind, sc->target, sc->dir_mode,
			       sc->file_mode, pk->f, n);
		if (rs == RT_OK)
			us->folders[us->nfolders - 1].extra = (int)bp->nextra - 1;
	}
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

/* --- add-ons ------------------------------------------------------------------------------ */

/* EV_EVENT_TAG tags (systemd src/fundamental/tpm2-pcr.h) */
#define TAG_DTB_ADDON 0x6c46f751u   /* DEVICETREE_ADDON_EVENT_TAG_ID */
#define TAG_INITRD_ADDON 0x49dffe0fu /* INITRD_ADDON_EVENT_TAG_ID */
#define TAG_UCODE_ADDON 0xdac08e1au  /* UCODE_ADDON_EVENT_TAG_ID */

/* The stub's mangle_stub_cmdline: control characters become spaces,
 * trailing spaces go. */
static void mangle(char *s)
{
	size_t n = RT_FN(strlen)(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x1f)
			s[i] = ' ';
	while (n && s[n - 1] == ' ')
		s[--n] = 0;
}

/* *to = *to " " text (text's first len bytes up to a NUL); false: no memory */
static bool join(char **to, const char *text, size_t len)
{
	size_t have = *to ? RT_FN(strlen)(*to) : 0, n = RT_FN(strnlen)(text, len);
	char *grown = RT_FN(malloc)(have + 1 + n + 1);

	if (!grown)
		return false;
	rt_snprintf(grown, have + 1 + n + 1, "%s%s%.*s", *to ? *to : "", have ? " " : "", (int)n, text);
	RT_FN(free)(*to);
	*to = grown;
	return true;
}

/* An add-on's section copied out (the stub's xmemdup), as an extra. */
static rt_status addon_part(struct boot_plan *bp, const uint8_t *file, const struct uki_sec *sec, const char *name,
			    int dir, const char *what, enum boot_extra_at at, uint32_t tag)
{
	struct boot_extra *x = new_extra(bp, what);

	if (!x)
		return RT_E2BIG;
	if (!(x->buf = RT_FN(malloc)(sec->size ? (size_t)sec->size : 1)))
		return rt_fail_uefi(RT_ENOMEM, "uki", "%s: no memory for its %s (%llu bytes)", name, what,
				    (unsigned long long)sec->size);
	RT_FN(memset)(x->buf, 0, (size_t)sec->size);
	RT_FN(memcpy)(x->buf, file + sec->off, (size_t)sec->raw);
	x->dir = dir;
	x->size = (size_t)sec->size;
	x->at = at;
	x->tag = tag;
	x->pcr = PCR_KERNEL_CONFIG;
	x->kind = UKI_M_PARAMETERS;
	rt_snprintf(x->name, sizeof(x->name), "%s", name);
	ld_src_memory(&x->src, x->buf, x->size, what);
	bp->nextra++;
	return RT_OK;
}


/* One add-on: verified under Secure Boot as the UKI is, its sections
 * taken as the UKI's stub release takes them (stub.c load_addons). False
 * when it is left out (said why). `cmdline` collects its .cmdline. */
static bool addon(struct boot_plan *bp, void *volume, int dir, const char *folder, const char *name, char **cmdline)
{
	const struct uki_model *m = bp->k->uki.m;
	struct uki_layout l;
	const struct uki_sec *sec = l.sec;
	char path[512], why[128];
	void *buf;
	uint64_t size;
	bool measured = false, any;
	rt_status rs = RT_OK;

	rt_snprintf(path, sizeof(path), "%s\\%s", folder, name);
	if (EFI_ERROR(efi_file_load(volume, path, MAX_FILE_SIZE, &buf, &size))) {
		rt_log(RT_LOG_WARN, "uki", "add-on %s: cannot be read; left out, as systemd-stub leaves it", path);
		return false;
	}
	if (uki_layout_as(buf, (size_t)size, 0, m, &l, why, sizeof(why)) != RT_OK) {
		rt_log(RT_LOG_WARN, "uki", "add-on %s: %s; left out (systemd-stub's LoadImage refuses it)", path, why);
		goto out;
	}
	for (int i = 0; i < UKI_NSECTIONS; i++)
		if (sec[i].set && (sec[i].off > size || sec[i].raw > size - sec[i].off)) {
			rt_log(RT_LOG_WARN, "uki", "add-on %s: section %s ends past its %llu bytes; left out", path,
			       uki_section_name[i], (unsigned long long)size);
			goto out;
		}
	if (trust_secure_boot() && EFI_ERROR(trust_verify(buf, size, path, &measured))) {
		rt_log(RT_LOG_WARN, "uki", "add-on %s: refused under Secure Boot (above); the boot goes on without it, as with systemd-stub",
		       path);
		goto out;
	}
	/* the firmware's LoadImage measures what the stub loads into PCR 4 */
	if (!measured)
		trust_measure_pe(buf, size, path);
	any = sec[UKI_CMDLINE].set || ((m->addons & UKI_ADDON_DTB) && sec[UKI_DTB].set) ||
	      ((m->addons & UKI_ADDON_INITRD) && (sec[UKI_INITRD].set || sec[UKI_UCODE].set || sec[UKI_DTBAUTO].set));
	if (!any) {
		rt_log(RT_LOG_WARN, "uki", "add-on %s: none of the sections systemd-stub %s takes from an add-on; left out",
		       path, m->exact_names ? "257 and later" : m->version == 254 ? "254 (.cmdline)" : "255-256 (.cmdline, .dtb)");
		goto out;
	}
	if (sec[UKI_LINUX].set) {
		rt_log(RT_LOG_WARN, "uki", "add-on %s: has a .linux: a UKI, not an add-on; left out", path);
		goto out;
	}
	const char *uname = bp->uki->uname;
	if (uname[0] && sec[UKI_UNAME].set &&
	    RT_FN(strncmp)(uname, (const char *)buf + sec[UKI_UNAME].off, (size_t)sec[UKI_UNAME].raw)) {
		char shown[sizeof(bp->uki->uname)];
		size_t k = 0;
		while (uname[k] && (unsigned char)uname[k] >= ' ')
			k++;
		rt_snprintf(shown, sizeof(shown), "%.*s", (int)k, uname);
		rt_log(RT_LOG_WARN, "uki", "add-on %s: its .uname is not the UKI's (%s); left out", path, shown);
		goto out;
	}
	if (sec[UKI_CMDLINE].set) {
		/* after 256 each add-on's own is mangled, before the folder's */
		char *own = NULL;
		bool ok = join(&own, (const char *)buf + sec[UKI_CMDLINE].off, (size_t)sec[UKI_CMDLINE].raw);
		if (ok && m->exact_names)
			mangle(own);
		ok = ok && join(cmdline, own, RT_FN(strlen)(own));
		RT_FN(free)(own);
		if (!ok) {
			rs = rt_fail_uefi(RT_ENOMEM, "uki", "add-on %s: no memory for its .cmdline", path);
			goto out;
		}
	}
	/* a .dtbauto over a .dtb (257+); none of the stub's hardware matching
	 * is modelled: a .dtbauto is taken as the stub takes one it matched */
	if ((m->addons & UKI_ADDON_INITRD) && sec[UKI_DTBAUTO].set)
		rs = addon_part(bp, buf, &sec[UKI_DTBAUTO], name, dir, "an add-on's .dtbauto", BOOT_EXTRA_DTB,
				TAG_DTB_ADDON);
	else if ((m->addons & UKI_ADDON_DTB) && sec[UKI_DTB].set)
		rs = addon_part(bp, buf, &sec[UKI_DTB], name, dir, "an add-on's .dtb", BOOT_EXTRA_DTB, TAG_DTB_ADDON);
	if (rs == RT_OK && (m->addons & UKI_ADDON_INITRD) && sec[UKI_INITRD].set)
		rs = addon_part(bp, buf, &sec[UKI_INITRD], name, dir, "an add-on's .initrd", BOOT_EXTRA_LAST,
				TAG_INITRD_ADDON);
	if (rs == RT_OK && (m->addons & UKI_ADDON_INITRD) && sec[UKI_UCODE].set)
		rs = addon_part(bp, buf, &sec[UKI_UCODE], name, dir, "an add-on's .ucode", BOOT_EXTRA_FIRST,
				TAG_UCODE_ADDON);
	if (rs == RT_OK) {
		char took[64];
		rt_snprintf(took, sizeof(took), "%s%s%s%s", sec[UKI_CMDLINE].set ? " .cmdline" : "",
			    (m->addons & UKI_ADDON_DTB) && (sec[UKI_DTB].set || sec[UKI_DTBAUTO].set) ? " .dtb" : "",
			    (m->addons & UKI_ADDON_INITRD) && sec[UKI_INITRD].set ? " .initrd" : "",
			    (m->addons & UKI_ADDON_INITRD) && sec[UKI_UCODE].set ? " .ucode" : "");
		rt_log(RT_LOG_INFO, "uki", "add-on %s: taken (%s)", path, took + 1);
	}
out:
	/* (parts added before a failure stay with the plan, freed with it) */
	efi_file_unload(buf, size);
	return rs == RT_OK;
}

/* The add-ons of \loader\addons (0) and of the UKI's own folder (1). */
static rt_status addons(struct boot_plan *bp, struct pick *pk, void *volume, const char *own)
{
	const struct uki_model *m = bp->k->uki.m;
	const char *dirs[2] = { "\\loader\\addons", own };
	char *cmdline[2] = { NULL, NULL };
	unsigned first = bp->nextra;

	for (int d = 0; d < 2; d++) {
		if (EFI_ERROR(list(pk, volume, dirs[d], ".addon.efi", NULL)) || !pk->n)
			continue;
		if (!m->addons) {
			rt_log(RT_LOG_INFO, "uki", "%s: %u add-on%s left out: systemd-stub %u loads none (add-ons came with 254)",
			       dirs[d], pk->n, pk->n == 1 ? "" : "s", m->version);
			continue;
		}
		for (unsigned i = 0; i < pk->n; i++)
			addon(bp, volume, d, dirs[d], pk->f[i].name, &cmdline[d]);
	}
	/* the command lines: before 257 joined raw, then mangled - 254 each
	 * folder's and measures each, 255-256 both folders' as one */
	for (int d = 0; d < 2; d++)
		if (cmdline[d] && m->addons_per_dir)
			mangle(cmdline[d]);
	if (!m->addons_per_dir && cmdline[1]) {
		if (!join(&cmdline[0], cmdline[1], RT_FN(strlen)(cmdline[1]))) {
			RT_FN(free)(cmdline[0]);
			RT_FN(free)(cmdline[1]);
			return rt_fail_uefi(RT_ENOMEM, "uki", "no memory for the add-ons' command lines");
		}
		RT_FN(free)(cmdline[1]);
		cmdline[1] = NULL;
	}
	if (!m->addons_per_dir && cmdline[0])
		mangle(cmdline[0]);
	for (int d = 0; d < 2; d++) {
		if (cmdline[d] && !cmdline[d][0]) {
			RT_FN(free)(cmdline[d]);
			cmdline[d] = NULL;
		}
		bp->addon_cmdline[d] = cmdline[d];
	}
	/* (.ucode parts are joined and measured last first: place.c,
	 * uki_measure) */
	/* the last device tree installed is the one the kernel gets */
	for (unsigned i = bp->nextra; i-- > first;)
		if (bp->extra[i].at == BOOT_EXTRA_DTB) {
			struct boot_extra *x = &bp->extra[i];
			rt_snprintf(x->src.name, sizeof(x->src.name), "add-on %s", x->name);
			bp->k->dtb = (struct ld_blob){ &x->src, 0, x->size, ".dtb" };
			break;
		}
	return RT_OK;
}

/* The /.extra archives of the companion folders and of the sections the
 * stub passes on, in its order. */
static rt_status archives(struct boot_plan *bp, struct pick *pk, bool on_volume, const char *own)
{
	const struct boot_input *in = &bp->o->kernel;
	const struct uki_layout *l = &bp->k->uki.l;
	const struct uki_model *m = bp->k->uki.m;
	struct uki_state *us = bp->uki;
	rt_status rs;

	/* for the flags, the stub's folders all count (one it cannot open as
	 * empty) */
	for (size_t i = 0; i < RT_ARRAY_SIZE(sidecars); i++) {
		if (!reads(m, sidecars[i].since))
			continue;
		us->folders[us->nfolders++] = (struct folder){ &sidecars[i], -1 };
		if (on_volume && (rs = sidecar(bp, pk, &sidecars[i], in->volume,
					       sidecars[i].global ? sidecars[i].global : own)) != RT_OK)
			return rs;
	}
	for (size_t i = 0; i < RT_ARRAY_SIZE(literals); i++) {
		const struct uki_sec *s = &l->sec[literals[i].sec];
		struct cpio_file f;
		void *copy;
		if (!s->set || (literals[i].meta && !m->meta))
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

rt_status uki_extras(struct boot_plan *bp)
{
	const struct boot_input *in = &bp->o->kernel;
	const struct uki_layout *l = &bp->k->uki.l;
	char uki[256], own[300] = "";
	bool on_volume = in->file && in->path && !url_is(in->path) &&
			 !EFI_ERROR(efi_file_path(in->volume, in->path, uki, sizeof(uki)));
	struct pick *pk;
	rt_status rs;

	RT_FN(free)(bp->uki);
	bp->uki = RT_FN(malloc)(sizeof(*bp->uki));
	pk = RT_FN(malloc)(sizeof(*pk));
	if (!bp->uki || !pk) {
		RT_FN(free)(pk);
		return rt_fail_uefi(RT_ENOMEM, "uki", "%s: no memory for what the stub gives the OS", bp->kernel_name);
	}
	RT_FN(memset)(bp->uki, 0, sizeof(*bp->uki));
	if (on_volume)
		uki_companion(uki, own, sizeof(own));
	/* the .uname add-ons are matched to */
	if (l->sec[UKI_UNAME].set && l->sec[UKI_UNAME].size < sizeof(bp->uki->uname)) {
		void *copy;
		const void *p = section_bytes(bp, &l->sec[UKI_UNAME], &copy);
		if (p)
			rt_snprintf(bp->uki->uname, sizeof(bp->uki->uname), "%.*s", (int)l->sec[UKI_UNAME].size,
				    (const char *)p);
		RT_FN(free)(copy);
	}
	rs = archives(bp, pk, on_volume, own);
	/* add-ons (254+), on the UKI's volume */
	if (rs == RT_OK && on_volume)
		rs = addons(bp, pk, in->volume, own);
	RT_FN(free)(pk);
	return rs;
}

/* --- measurements ------------------------------------------------------------------------ */

/* As the stub's combine_measured_flag (struct uki_state's measured). */
static void count(struct uki_state *us, enum uki_measured kind, bool ok)
{
	us->measured[kind] = us->measured[kind] < 0 ? ok : us->measured[kind] && ok;
}

/* scratch for an event's text in UTF-16LE (no state: each event fills it) */
static uint8_t text16[2 * (4096 + 1)];

/* An EV_IPL event as the stub's tpm_log_ipl_event: data, and the text in
 * UTF-16LE with its NUL as the event; into PCR 8 too where a 252 stub
 * built with efi-tpm-pcr-compat put PCR 12's. */
static bool ipl(struct uki_state *us, const struct uki_model *m, uint32_t pcr, const void *data, uint64_t len, const char *text,
		const char *what)
{
	size_t n = tcg_cmdline_utf16(text, RT_FN(strlen)(text), text16, sizeof(text16));
	bool ok = n && trust_event(pcr, TCG_EV_IPL, 0, data, len, text16, n, what);

	if (ok && m->pcr8 && pcr == PCR_KERNEL_CONFIG)
		ok = trust_event(8, TCG_EV_IPL, 0, data, len, text16, n, what);
	return us->last_ok = ok;
}

/* A command line as the stub's tpm_log_load_options: UTF-16LE with its
 * NUL, data and event alike. */
static bool load_options(struct uki_state *us, const struct uki_model *m, const char *s, size_t len, const char *what)
{
	size_t n = tcg_cmdline_utf16(s, len, text16, sizeof(text16));
	bool ok = n && trust_event(PCR_KERNEL_CONFIG, TCG_EV_IPL, 0, text16, n, text16, n, what);

	if (ok && m->pcr8)
		ok = trust_event(8, TCG_EV_IPL, 0, text16, n, text16, n, what);
	return us->last_ok = ok;
}

/* An add-on's part as a tagged event (tpm_log_tagged_event): its bytes,
 * the add-on's file name as the text. */
static bool tagged(struct uki_state *us, const struct boot_extra *x)
{
	size_t n = tcg_cmdline_utf16(x->name, RT_FN(strlen)(x->name), text16, sizeof(text16));
	char what[128];

	rt_snprintf(what, sizeof(what), "%s (%s)", x->what, x->name);
	return us->last_ok = n && trust_event(x->pcr, TCG_EV_EVENT_TAG, x->tag, x->buf, x->size, text16, n, what);
}

/* The add-ons' parts at `at`, in the order the stub measures and joins
 * them (BOOT_EXTRA_NTH). */
static void parts(const struct boot_plan *bp, struct uki_state *us, enum boot_extra_at at)
{
	for (unsigned k = 0; k < bp->nextra; k++) {
		unsigned i = BOOT_EXTRA_NTH(bp, at, k);
		if (bp->extra[i].at == at && bp->extra[i].tag)
			count(us, UKI_M_PARAMETERS, tagged(us, &bp->extra[i]));
	}
}

void uki_measure(struct boot_plan *bp)
{
	const struct uki_layout *l = &bp->k->uki.l;
	const struct uki_model *m = bp->k->uki.m;
	struct uki_state *us = bp->uki;
	bool tpm = bp->fw->tpm != NULL;
	char what[64];

	if (!us)
		return; /* no extras were made: nothing to measure them by */
	for (int i = 0; i < UKI_M_COUNT; i++)
		us->measured[i] = -1;
	if (m->assign_ext)
		us->measured[UKI_M_SYSEXTS] = us->measured[UKI_M_CONFEXTS] = 0;
	us->measure_ran = true;
	us->last_ok = false;
	/* a profile but the first: a tagged event in PCR 12, before all else
	 * (stub.c measure_profile) */
	if (l->profile) {
		char dec[16];
		size_t n;
		rt_snprintf(dec, sizeof(dec), "%u", l->profile);
		n = tcg_cmdline_utf16(dec, RT_FN(strlen)(dec), text16, sizeof(text16));
		count(us, UKI_M_PARAMETERS, us->last_ok = trust_event(PCR_KERNEL_CONFIG, TCG_EV_EVENT_TAG, TAG_UKI_PROFILE, text16,
							      n, text16, n, "the UKI's profile"));
	}
	/* the sections the release knows, in its order, .pcrsig never: the
	 * name with its NUL, then the VirtualSize bytes (stub.c
	 * measure_sections) */
	for (int i = 0; i < UKI_NSECTIONS; i++) {
		const struct uki_sec *s = &l->sec[i];
		const char *name = uki_section_name[i];
		const void *p;
		void *copy;
		if (!s->set || i == UKI_PCRSIG || !(m->known & (1u << i)))
			continue;
		rt_snprintf(what, sizeof(what), "section %s's name", name);
		count(us, UKI_M_SECTIONS, ipl(us, m, PCR_KERNEL_BOOT, name, RT_FN(strlen)(name) + 1, name, what));
		rt_snprintf(what, sizeof(what), "section %s", name);
		if (!tpm) {
			count(us, UKI_M_SECTIONS, us->last_ok = false);
			continue;
		}
		p = section_bytes(bp, s, &copy);
		if (!p) {
			rt_log(RT_LOG_WARN, "tpm", "%s: no memory to measure it from; not measured", what);
			count(us, UKI_M_SECTIONS, us->last_ok = false);
			continue;
		}
		count(us, UKI_M_SECTIONS, ipl(us, m, PCR_KERNEL_BOOT, p, s->size, name, what));
		RT_FN(free)(copy);
	}
	/* a command line that replaced .cmdline */
	if (bp->cmdline_given)
		count(us, UKI_M_PARAMETERS, load_options(us, m, bp->cmdline, bp->cmdline_given_len, "the command line"));
	/* the add-ons' command lines: 254 one event a folder, later one for
	 * both; 254-256 count the event before when there is none */
	if (m->addons) {
		for (int d = 0; d < (m->addons_per_dir ? 2 : 1); d++) {
			if (bp->addon_cmdline[d])
				count(us, UKI_M_PARAMETERS, load_options(us, m, bp->addon_cmdline[d], RT_FN(strlen)(bp->addon_cmdline[d]),
								"the add-ons' command line"));
			else if (m->stale_addons)
				count(us, UKI_M_PARAMETERS, us->last_ok);
		}
	}
	if ((m->addons & UKI_ADDON_DTB) && !m->dtb_addons_late)
		parts(bp, us, BOOT_EXTRA_DTB);
	/* the archives, folder by folder in the stub's order */
	for (unsigned i = 0; i < us->nfolders; i++) {
		const struct folder *f = &us->folders[i];
		enum uki_measured kind = f->sc->kind;
		bool ok;
		if (f->extra >= 0) {
			const struct boot_extra *x = &bp->extra[f->extra];
			ok = ipl(us, m, x->pcr, x->buf, x->size, x->event, x->what);
		} else if (m->empty == UKI_EMPTY_SKIPPED) {
			continue;
		} else {
			ok = m->empty == UKI_EMPTY_MEASURED;
		}
		if (m->assign_ext && kind != UKI_M_PARAMETERS)
			us->measured[kind] = ok;
		else
			count(us, kind, ok);
	}
	if (m->dtb_addons_late) {
		/* 255-256: a folder without device trees counts as measured */
		for (int d = 0; d < 2; d++) {
			bool any = false;
			for (unsigned i = 0; i < bp->nextra; i++)
				any |= bp->extra[i].at == BOOT_EXTRA_DTB && bp->extra[i].dir == d;
			if (!any)
				count(us, UKI_M_PARAMETERS, true);
			for (unsigned i = 0; i < bp->nextra; i++)
				if (bp->extra[i].at == BOOT_EXTRA_DTB && bp->extra[i].dir == d)
					count(us, UKI_M_PARAMETERS, tagged(us, &bp->extra[i]));
		}
	}
	parts(bp, us, BOOT_EXTRA_FIRST);
	parts(bp, us, BOOT_EXTRA_LAST);
}

/* --- variables ------------------------------------------------------------------------------ */

/* systemd's LOADER GUID: the Boot Loader Interface */
static EFI_GUID loader_guid = { 0x4a67b082, 0x0a4c, 0x41cf, { 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f } };
#define BLI_VOLATILE (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)


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

static void set_raw(struct uki_state *us, const char *name, const void *data, size_t size)
{
	uint16_t w[64];
	EFI_STATUS st = efi_rs->SetVariable(wide(name, w, RT_ARRAY_SIZE(w)), &loader_guid, BLI_VOLATILE, size,
					    (void *)data);

	if (EFI_ERROR(st)) {
		rt_log(RT_LOG_WARN, "uki", "cannot set %s: %s", name, efi_status_name(st));
		return;
	}
	if (us->nset < RT_ARRAY_SIZE(us->set_names))
		us->set_names[us->nset++] = name;
}

static void set_str(struct uki_state *us, const char *name, const char *value)
{
	static uint16_t w[1024];
	size_t n = utf8_to_ucs2(value, w, RT_ARRAY_SIZE(w));

	set_raw(us, name, w, (n + 1) * 2);
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
	 * EFI_STUB_FEATURE_*) for what efikexec does - the boot partition (0),
	 * credentials (1), sysexts (2), three PCRs (3), command-line add-ons
	 * (5), device-tree add-ons (7), confexts (8), multi-profile UKIs (9),
	 * the stub's partition and image (10) - of those the release sets */
	const struct uki_model *m = bp->k->uki.m;
	struct uki_state *us = bp->uki;
	const uint64_t features = (1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 8 | 1u << 9 |
				   1u << 10) & m->features;
	static const char *const pcr_var[UKI_M_COUNT] = { "StubPcrKernelImage", "StubPcrKernelParameters",
							  "StubPcrInitRDSysExts", "StubPcrInitRDConfExts" };
	static const char *const pcr_val[UKI_M_COUNT] = { "11", "12", "13", "12" };
	const struct boot_input *in = &bp->o->kernel;
	char v[256], uuid[40];
	bool have_uuid = in->file && part_uuid(in->volume, uuid, sizeof(uuid));

	if (!us)
		return;
	us->nset = 0;
	/* only if unset: a loader before efikexec (its own stage) speaks
	 * for itself (export-vars.c export_common_variables) */
	if (have_uuid && !var_exists("LoaderDevicePartUUID"))
		set_str(us, "LoaderDevicePartUUID", uuid);
	if (in->file && !var_exists("LoaderImageIdentifier") &&
	    !EFI_ERROR(efi_file_path(in->volume, in->path, v, sizeof(v))))
		set_str(us, "LoaderImageIdentifier", v);
	if (!var_exists("LoaderFirmwareInfo")) {
		char vendor[128] = "";
		size_t u = 0;
		while (efi_st->FirmwareVendor && efi_st->FirmwareVendor[u] && u < 60)
			u++;
		ucs2_to_utf8((const uint16_t *)efi_st->FirmwareVendor, u, vendor, sizeof(vendor));
		rt_snprintf(v, sizeof(v), "%s %u.%02u", vendor, efi_st->FirmwareRevision >> 16,
			    efi_st->FirmwareRevision & 0xffff);
		set_str(us, "LoaderFirmwareInfo", v);
	}
	if (!var_exists("LoaderFirmwareType")) {
		rt_snprintf(v, sizeof(v), "UEFI %u.%02u", efi_st->Hdr.Revision >> 16, efi_st->Hdr.Revision & 0xffff);
		set_str(us, "LoaderFirmwareType", v);
	}
	/* the stub's own (export_stub_variables) */
	rt_snprintf(v, sizeof(v), "efikexec %s", EFIKEXEC_VERSION);
	set_str(us, "StubInfo", v);
	set_raw(us, "StubFeatures", &features, sizeof(features));
	if (m->meta) {
		rt_snprintf(v, sizeof(v), "%u", bp->k->uki.l.profile);
		set_str(us, "StubProfile", v);
		if (have_uuid)
			set_str(us, "StubDevicePartUUID", uuid);
		if (in->file && !EFI_ERROR(efi_file_path(in->volume, in->path, v, sizeof(v))))
			set_str(us, "StubImageIdentifier", v);
	}
	/* what was measured, each when all of its kind was
	 * (export_pcr_variables); without a TPM the flags are worked out all
	 * the same (a 252 stub sets some then) */
	if (!us->measure_ran)
		uki_measure(bp);
	for (int i = 0; i < UKI_M_COUNT; i++)
		if (us->measured[i] > 0 && (i != UKI_M_CONFEXTS || m->confext))
			set_str(us, pcr_var[i], pcr_val[i]);
	us->measure_ran = false;
}

void uki_unexport(struct boot_plan *bp)
{
	struct uki_state *us = bp->uki;
	uint16_t w[64];

	for (unsigned i = 0; us && i < us->nset; i++)
		efi_rs->SetVariable(wide(us->set_names[i], w, RT_ARRAY_SIZE(w)), &loader_guid, 0, 0, NULL);
	if (us)
		us->nset = 0;
}
