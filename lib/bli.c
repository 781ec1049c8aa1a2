/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bli.c - the entry model's side facing the Boot Loader Interface (systemd
 * docs/BOOT_LOADER_INTERFACE.md; declared in bls.h): the entry booted
 * without a key, as the boot stage and efikexec-install both choose it;
 * the checks of an entry's files and a UKI's entries, both programs'; the
 * LoaderFeatures bits' names; an EFI_LOAD_OPTION read within its bounds.
 */
#include "bls.h"

size_t bls_find(struct bls_entry *const *list, size_t n, const char *pattern, bool any_tries)
{
	for (size_t i = 0; pattern && pattern[0] && i < n; i++) {
		const struct bls_entry *e = list[i];
		if (e->broken || (!any_tries && !bls_bootable(e)))
			continue;
		/* the ID, or the file name as it is now (counter and all) */
		if (bls_glob(pattern, e->id) || bls_glob(pattern, e->file))
			return i;
	}
	return BLS_NONE;
}

size_t bls_default(struct bls_entry *const *list, size_t n, const struct bls_config *cfg,
		   const struct bls_default_vars *v, enum bls_default_by *by)
{
	bool saved = !RT_FN(strcmp)(cfg->default_pattern, "@saved");
	size_t d;

	if ((d = bls_find(list, n, v->oneshot, true)) != BLS_NONE) {
		*by = BLS_BY_ONESHOT;
		return d;
	}
	if ((d = bls_find(list, n, v->entry_default, false)) != BLS_NONE) {
		*by = BLS_BY_DEFAULT_VAR;
		return d;
	}
	if (saved && (d = bls_find(list, n, v->last_booted, false)) != BLS_NONE) {
		*by = BLS_BY_LAST_BOOTED;
		return d;
	}
	if (!saved && (d = bls_find(list, n, cfg->default_pattern, false)) != BLS_NONE) {
		*by = BLS_BY_CONFIG;
		return d;
	}
	/* never an automatic entry (the shell, the firmware setup): with
	 * none, the menu says why */
	for (size_t i = 0; i < n; i++)
		if (bls_bootable(list[i]) && list[i]->kind <= BLS_TYPE2) {
			*by = BLS_BY_FIRST;
			return i;
		}
	*by = BLS_BY_NONE;
	return BLS_NONE;
}

const char *bls_default_by_name(enum bls_default_by by)
{
	static const char *const names[] = {
		[BLS_BY_NONE] = "none", [BLS_BY_ONESHOT] = "LoaderEntryOneShot",
		[BLS_BY_DEFAULT_VAR] = "LoaderEntryDefault", [BLS_BY_LAST_BOOTED] = "LoaderEntryLastBooted",
		[BLS_BY_CONFIG] = "loader.conf", [BLS_BY_FIRST] = "the first bootable",
	};
	return (unsigned)by < RT_ARRAY_SIZE(names) ? names[by] : "?";
}

const char *bls_loader_feature_name(unsigned bit)
{
	/* systemd's bootctl (print_loader_features) names */
	static const char *const names[BLS_LOADER_FEATURE_BITS] = {
		"Menu timeout control",
		"One-shot menu timeout control",
		"Default entry control",
		"One-shot entry control",
		"Boot counting",
		"Support for XBOOTLDR partition",
		"Support for passing random seed to OS",
		"Load drop-in drivers",
		"Support Type #1 sort-key field",
		"Support @saved pseudo-entry",
		"Support Type #1 devicetree field",
		"Enroll SecureBoot keys",
		"Retain SHIM protocols",
		"Menu can be disabled",
		"Multi-Profile UKIs are supported",
		"Loader reports network boot URL",
		"Support Type #1 uki field",
		"Support Type #1 uki-url field",
		"Loader reports active TPM2 PCR banks",
		"Preferred entry control",
	};
	return bit < BLS_LOADER_FEATURE_BITS ? names[bit] : NULL;
}

bool bls_load_option(const uint8_t *opt, size_t len, struct bls_load_option *out)
{
	size_t at = 6, plen;

	if (len < 8)
		return false;
	plen = (size_t)opt[4] | (size_t)opt[5] << 8;
	while (at + 1 < len && (opt[at] || opt[at + 1]))
		at += 2;
	if (at + 1 >= len || plen > len - (at + 2))
		return false;
	*out = (struct bls_load_option){
		.attributes = (uint32_t)opt[0] | (uint32_t)opt[1] << 8 | (uint32_t)opt[2] << 16 | (uint32_t)opt[3] << 24,
		.desc_off = 6, .desc_units = (at - 6) / 2, .path_off = at + 2, .path_len = plen,
	};
	return true;
}

void bls_check_files(struct bls_entry *e, bls_exists_fn exists, void *ctx)
{
	static const char *const part_name[] = { [BLS_ESP] = "ESP", [BLS_XBOOTLDR] = "XBOOTLDR" };
	const char *what = NULL, *path = NULL;
	char bad[200] = "";

	if (e->broken || e->hidden)
		return;
	if (e->linux_path[0] && !exists(ctx, e, e->linux_path, false, bad, sizeof(bad)))
		what = "linux", path = e->linux_path;
	else if (e->efi_path[0] && !exists(ctx, e, e->efi_path, true, bad, sizeof(bad)))
		what = "efi", path = e->efi_path;
	else if (e->devicetree[0] && !exists(ctx, e, e->devicetree, false, bad, sizeof(bad)))
		what = "devicetree", path = e->devicetree;
	else if (e->tls_ca[0] && !exists(ctx, e, e->tls_ca, false, bad, sizeof(bad)))
		what = "efikexec-tls-ca", path = e->tls_ca;
	for (unsigned i = 0; !what && i < e->ninitrd; i++)
		if (!exists(ctx, e, e->initrd[i], false, bad, sizeof(bad)))
			what = "initrd", path = e->initrd[i];
	for (unsigned i = 0; !what && i < e->nmodule; i++)
		if (!exists(ctx, e, bls_module_path(e, i), false, bad, sizeof(bad)))
			what = "efikexec-module", path = bls_module_path(e, i);
	if (!what)
		return;
	e->broken = true;
	if (bad[0])
		rt_snprintf(e->why, sizeof(e->why), "%s: %s", what, bad);
	else
		rt_snprintf(e->why, sizeof(e->why), "%s %.200s is not on the %s", what, path, part_name[e->part]);
}

unsigned bls_uki_entries(enum bls_part part, const char *file, const char *path, bls_uki_text_fn text, void *tctx,
			 bls_new_entry_fn new_entry, void *nctx)
{
	static char osrel[4096], profile[4096];
	unsigned made = 0;

	for (unsigned n = 0; n < 256; n++) {
		bool has_profile = text(tctx, n, ".profile", profile, sizeof(profile));
		struct bls_entry *e;
		if ((n && !has_profile) || !(e = new_entry(nctx)))
			break;
		bls_uki_entry(e, part, file, path, text(tctx, n, ".osrel", osrel, sizeof(osrel)) ? osrel : NULL);
		if (has_profile)
			bls_uki_profile(e, n, profile);
		/* its .cmdline, for the editor to start from (booted as the
		 * UKI's own unless edited: has_options stays false) */
		if (text(tctx, n, ".cmdline", e->options, sizeof(e->options))) {
			size_t k = RT_FN(strlen)(e->options);
			while (k && (e->options[k - 1] == '\n' || e->options[k - 1] == ' ' || e->options[k - 1] == '\r'))
				k--;
			e->options[k] = 0;
		} else {
			e->options[0] = 0;
		}
		made++;
	}
	return made;
}
