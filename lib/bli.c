/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bli.c - the entry model's side facing the Boot Loader Interface (systemd
 * docs/BOOT_LOADER_INTERFACE.md; declared in bls.h): the entry booted
 * without a key, as the boot stage and efikexec-install both choose it;
 * the LoaderFeatures bits' names; an EFI_LOAD_OPTION read within its
 * bounds.
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
