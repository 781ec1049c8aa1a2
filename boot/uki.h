/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * uki.h - the sections of a Unified Kernel Image as systemd-stub reads
 * them (UAPI group, specs/unified_kernel_image.md; systemd
 * src/fundamental/uki.h, src/boot/pe.c): plain code over the section table
 * in a file's first bytes. The loader table (boot/uki.c), the measurements
 * (efi/uki.c) and the public efikexec_uki_profile (the menu) use it.
 *
 * The enum is the stub's fixed order, the order sections are measured into
 * PCR 11 (current systemd; systemd 252 knew .linux .osrel .cmdline .initrd
 * .splash .dtb .pcrsig .pcrpkey, in this order too). A section counts when
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
 * The sections of profile `profile` (base + the profile's own) from the
 * PE section table in head[0, len). RT_ENOEXEC (why says it) when head is
 * no PE file; RT_EINVAL when the profile does not exist (profile 0 of a
 * UKI without profiles does). Offsets are not checked against a file size.
 */
rt_status uki_layout(const uint8_t *head, size_t len, unsigned profile, struct uki_layout *out, char *why,
		     size_t whylen);

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
