/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stage-boot.c - the boot stage: boot counting and launching an entry (stage-int.h).
 */
#include "stage-int.h"

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
	rt_snprintf(path, sizeof(path), "%s\\%s", dir, e->file);
	s = efikexec_file_rename(part[e->part], path, next);
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
void crash_fallback(void)
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
	*slash = '\\';
	if (efikexec_file_rename(part[p], rec + 2, bad) == EFI_SUCCESS) {
		*slash = 0;
		say(EFIKEXEC_LOG_WARN, "count", "the kernel of %s\\%s crashed before it was blessed: now %s; capture first, then the next good entry",
		     rec + 2, slash + 1, bad);
	}
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
	if (!s && cfg.x86_direct)
		s = efikexec_set_entry(r, EFIKEXEC_ENTRY_DIRECT);
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

EFI_STATUS boot(struct bls_entry *e, const char *options, bool oneshot)
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
