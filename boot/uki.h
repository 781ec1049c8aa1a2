/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * uki.h - the sections of a Unified Kernel Image as systemd-stub reads
 * them (UAPI group, specs/unified_kernel_image.md; systemd
 * src/fundamental/uki.h, src/boot/pe.c): plain code over the section table
 * in a file's first bytes. The loader table (boot/uki.c), the measurements
 * (efi/ukistub.c) and the public efikexec_uki_section (the menu) use it.
 *
 * The enum is the stub's fixed order, the order sections are measured into
 * PCR 11 (current systemd; every older release knew a subset, in this
 * order too: struct uki_model's `known`). A section counts when
 * its VirtualSize is not 0; its bytes are the VirtualSize bytes the stub
 * sees in memory: the file's min(SizeOfRawData, VirtualSize) bytes, zeros
 * after. Names compare as the stub's pe_section_name_equal: up to 8 bytes,
 * equal up to a NUL. In a range the first section of a name wins.
 *
 * Multi-profile UKIs (systemd 257): the sections before the first
 * .profile are the base; profile N starts at the (N+1)-th .profile and
 * runs to the next one; its sections replace the base's of the same name.
 * No .profile at all: profile 0 is the base alone.
 */
#ifndef EFIKEXEC_UKI_H
#define EFIKEXEC_UKI_H

#include "../lib/rt.h"

enum uki_section {
	UKI_LINUX, UKI_OSREL, UKI_CMDLINE, UKI_INITRD, UKI_UCODE, UKI_SPLASH, UKI_DTB, UKI_UNAME,
	UKI_SBAT, UKI_PCRSIG, UKI_PCRPKEY, UKI_PROFILE, UKI_DTBAUTO, UKI_HWIDS, UKI_EFIFW,
	UKI_NSECTIONS
};
extern const char *const uki_section_name[UKI_NSECTIONS];
#define UKI_PROFILES_MAX 256 /* systemd's UNIFIED_PROFILES_MAX */

struct uki_sec {
	uint64_t off;   /* PointerToRawData */
	uint64_t size;  /* VirtualSize: the bytes the stub sees */
	uint64_t raw;   /* of them in the file: min(SizeOfRawData, VirtualSize) */
	bool set;       /* found with VirtualSize > 0 */
};

struct uki_layout {
	struct uki_sec sec[UKI_NSECTIONS];
	unsigned profile;    /* the one selected */
	unsigned nprofiles;  /* .profile sections; 0: a single-profile UKI */
};

/*
 * What one release of systemd-stub does with a UKI, as far as efikexec
 * gives the OS the same (docs/DESIGN.md "UKIs by their stub's version",
 * with the releases and sources). A UKI is measured by the rules of the
 * stub it was built from: its version is in the UKI's .sdmagic section
 * ("#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####"); a UKI without
 * one gets current systemd's rules.
 */
enum uki_empty {
	UKI_EMPTY_SKIPPED,   /* a folder with nothing to pack changes no flag */
	UKI_EMPTY_MEASURED,  /* 252: counts as measured */
	UKI_EMPTY_UNMEASURED /* 253-256: counts as not measured */
};
struct uki_model {
	unsigned version;      /* the first release described; the last entry: current */
	uint32_t known;        /* the sections the stub reads (1u << enum uki_section) */
	bool exact_names;      /* 257+: names equal up to a NUL, the first wins, profiles;
				* before: a name is a prefix (".dtb" finds ".dtbauto"), the last wins */
	bool pcr8;             /* measure PCR 12's events into PCR 8 too (252 built with efi-tpm-pcr-compat) */
	enum uki_empty empty;  /* how a companion folder with nothing in it counts for StubPcr* */
	bool assign_ext;       /* 252-256: the extension flags take the last folder's result */
	bool stale_addons;     /* 254-256: the add-on step counts the result of the event before it */
	bool addons_per_dir;   /* 254: one PCR 12 event per add-on folder; after: one for both */
	bool dtb_addons_late;  /* 255-256: device tree add-ons measured after the archives */
	bool confext;          /* 256+: *.confext.raw picked up (and left out of the sysexts) */
	bool global_ext;       /* 257+: \loader\extensions */
	bool meta;             /* 257+: /.extra/os-release and profile; StubProfile, StubDevicePartUUID,
				* StubImageIdentifier */
	unsigned addons;       /* UKI_ADDON_* */
	uint64_t features;     /* StubFeatures bits the release sets */
};
#define UKI_ADDON_CMDLINE 1u /* 254: .cmdline */
#define UKI_ADDON_DTB 2u     /* 255: .dtb */
#define UKI_ADDON_INITRD 4u  /* 257+: .initrd and .ucode */
#define UKI_STUB_OLDEST 252  /* the oldest release modelled */

/* The model of systemd-stub `version` (0: none named: current). */
const struct uki_model *uki_model_for(unsigned version);

/*
 * The stub a .sdmagic section names: "systemd-stub 252.39-1~deb12u2" in
 * text[0, len) gives *version 252 and info "systemd-stub 252.39-1~deb12u2".
 * False when the text names no systemd-stub release.
 */
bool uki_sdmagic(const char *text, size_t len, unsigned *version, char *info, size_t size);

/*
 * The sections of profile `profile` (base + the profile's own) from the
 * PE section table in head[0, len), by the rules of model m
 * (uki_layout: current systemd's). RT_ENOEXEC (why says it) when head is
 * no PE file; RT_EINVAL when the profile does not exist (profile 0 of a
 * UKI without profiles does). Offsets are not checked against a file size.
 * A model without profiles (before 257) ignores `profile`.
 */
rt_status uki_layout_as(const uint8_t *head, size_t len, unsigned profile, const struct uki_model *m,
			struct uki_layout *out, char *why, size_t whylen);
rt_status uki_layout(const uint8_t *head, size_t len, unsigned profile, struct uki_layout *out, char *why,
		     size_t whylen);

/* A section table entry's name is `name` (systemd's pe_section_name_equal:
 * up to 8 bytes, equal up to a NUL). */
bool uki_name_is(const uint8_t *entry, const char *name);

/* The `n`-th .profile section (from 0) of the PE file in head[0, len). */
bool uki_profile_section(const uint8_t *head, size_t len, unsigned n, struct uki_sec *out);

/*
 * A command line that starts "@N" followed by one space or its end
 * selects profile N (the stub's parse_profile_from_cmdline): true, with
 * *profile and *rest (what follows the one space). Else false.
 */
bool uki_profile_arg(const char *cmdline, unsigned *profile, const char **rest);

/*
 * A UKI's companion folder ("\EFI\Linux\a.efi.extra.d"): its path with
 * ".extra.d" added, a boot counter ("+N" or "+N-M" just before ".efi")
 * taken out first (systemd's get_extra_dir).
 */
void uki_companion(const char *uki, char *out, size_t size);

#endif
