/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_uki.c - a UKI's sections as systemd-stub picks them (boot/uki.h)
 * and the /.extra archives as it packs them (lib/cpio.h). The archives are
 * also compared byte for byte with an independent writer
 * (tests/tools/test-cpio.sh); here the exact bytes of small ones.
 */
#include "test.h"
#include "../../boot/uki.h"
#include "../../lib/cpio.h"

/* One newc header as the format spells it (buffer-format.rst), for the
 * expected bytes: written here field by field, not by lib/cpio.c. */
static size_t hdr(char *o, unsigned ino, unsigned mode, unsigned size, const char *name)
{
	size_t n = (size_t)sprintf(o, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08zx%08x%s", ino, mode, 0,
				   0, 1, 0, size, 0, 0, 0, 0, strlen(name) + 1, 0, name);
	o[n++] = 0;
	while (n & 3)
		o[n++] = 0;
	return n;
}

TEST(cpio_archive_bytes)
{
	struct cpio_file f[] = { { "b.cred", "BB", 2 }, { "a.cred", "hello", 5 } };
	char want[1024] = { 0 };
	uint8_t got[1024];
	size_t n = 0, size;

	cpio_sort(f, 2);
	CHECK_STR(f[0].name, "a.cred");
	n += hdr(want + n, 1, 040555, 0, ".extra");
	n += hdr(want + n, 2, 040500, 0, ".extra/credentials");
	n += hdr(want + n, 3, 0100400, 5, ".extra/credentials/a.cred");
	memcpy(want + n, "hello", 5);
	n += 8;
	n += hdr(want + n, 4, 0100400, 2, ".extra/credentials/b.cred");
	memcpy(want + n, "BB", 2);
	n += 4;
	/* the trailer: mode 0, nlink 1, name size "0000000B" upper case */
	n += (size_t)sprintf(want + n, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08X%08x%s", 0, 0, 0, 0, 1,
			     0, 0, 0, 0, 0, 0, 11, 0, "TRAILER!!!") + 4;
	size = cpio_archive(NULL, 0, ".extra/credentials", 0500, 0400, f, 2);
	CHECK_EQ_U64(size, n);
	CHECK_EQ_U64(cpio_archive(got, sizeof(got), ".extra/credentials", 0500, 0400, f, 2), n);
	CHECK(!memcmp(got, want, n));
	/* no room, no files, a bad folder or name: 0 */
	CHECK_EQ_U64(cpio_archive(got, n - 1, ".extra/credentials", 0500, 0400, f, 2), 0);
	CHECK_EQ_U64(cpio_archive(got, sizeof(got), ".extra", 0555, 0444, f, 0), 0);
	CHECK_EQ_U64(cpio_archive(got, sizeof(got), "/.extra", 0555, 0444, f, 1), 0);
	CHECK_EQ_U64(cpio_archive(got, sizeof(got), ".extra/", 0555, 0444, f, 1), 0);
	f[0].name = "../x";
	CHECK_EQ_U64(cpio_archive(got, sizeof(got), ".extra", 0555, 0444, f, 1), 0);
}

TEST(cpio_pick_rules)
{
	CHECK(cpio_pick("a.cred", ".cred", NULL));
	CHECK(cpio_pick("A.CRED", ".cred", NULL));           /* the suffix ignoring case */
	CHECK(!cpio_pick(".hidden.cred", ".cred", NULL));    /* no dot files */
	CHECK(!cpio_pick("a.cred.txt", ".cred", NULL));
	CHECK(cpio_pick("usr.raw", ".raw", ".confext.raw"));
	CHECK(!cpio_pick("etc.confext.raw", ".raw", ".confext.raw"));
	CHECK(cpio_pick("etc.CONFEXT.raw", ".confext.raw", NULL));
	CHECK(!cpio_pick("caf\xc3\xa9.cred", ".cred", NULL)); /* ASCII only */
	{
		char longname[300];
		memset(longname, 'a', 251);
		strcpy(longname + 251, ".cred"); /* 256 characters */
		CHECK(!cpio_pick(longname, ".cred", NULL));
		longname[250] = 0;
		strcat(longname, ".cred"); /* 255 */
		CHECK(cpio_pick(longname, ".cred", NULL));
	}
	/* code unit order: upper case before lower case, shorter first */
	{
		struct cpio_file f[] = { { "b", 0, 0 }, { "B", 0, 0 }, { "a", 0, 0 }, { "ab", 0, 0 } };
		cpio_sort(f, 4);
		CHECK_STR(f[0].name, "B");
		CHECK_STR(f[1].name, "a");
		CHECK_STR(f[2].name, "ab");
		CHECK_STR(f[3].name, "b");
	}
}

TEST(uki_layout_base_and_profiles)
{
	const struct test_section s[] = {
		{ ".linux", "KERNEL", 6 }, { ".cmdline", "one", 3 }, { ".cmdline", "two", 3 },
		{ ".pcrsig", "{}", 2 },    { ".profile", "ID=a", 4 }, { ".profile", "ID=b", 4 },
		{ ".osrel", "ID=x", 4 },   { ".linuxXYZ", "no", 2 },
	};
	struct uki_layout l;
	struct uki_sec sec;
	char why[128];
	size_t n;
	uint8_t *pe = test_pe(s, 8, &n);

	CHECK_EQ_U64(uki_layout(pe, n, 0, &l, why, sizeof(why)), RT_OK);
	CHECK_EQ_U64(l.nprofiles, 2);
	CHECK(l.sec[UKI_LINUX].set && l.sec[UKI_LINUX].size == 6);
	CHECK(!memcmp(pe + l.sec[UKI_CMDLINE].off, "one", 3)); /* the first wins */
	CHECK(l.sec[UKI_PCRSIG].set && l.sec[UKI_PROFILE].set && !l.sec[UKI_OSREL].set);
	CHECK(!memcmp(pe + l.sec[UKI_PROFILE].off, "ID=a", 4));
	CHECK_EQ_U64(uki_layout(pe, n, 1, &l, why, sizeof(why)), RT_OK);
	CHECK(!memcmp(pe + l.sec[UKI_PROFILE].off, "ID=b", 4));
	CHECK(l.sec[UKI_OSREL].set);      /* profile 1's own */
	CHECK(!memcmp(pe + l.sec[UKI_CMDLINE].off, "one", 3));
	CHECK_EQ_U64(uki_layout(pe, n, 2, &l, why, sizeof(why)), RT_EINVAL);
	CHECK_STR(why, "profile 2 asked, the UKI has 2");
	CHECK(uki_profile_section(pe, n, 1, &sec) && !memcmp(pe + sec.off, "ID=b", 4));
	CHECK(!uki_profile_section(pe, n, 2, &sec));
	CHECK_EQ_U64(uki_layout(pe, 0x40, 0, &l, why, sizeof(why)), RT_ENOEXEC);
	free(pe);

	/* no .profile: profile 0 is the base; a VirtualSize of 0 does not
	 * count; one larger than the raw data is zero-filled (raw < size) */
	{
		const struct test_section t[] = { { ".linux", "K", 1 }, { ".initrd", "", 0 } };
		pe = test_pe(t, 2, &n);
		pe[0x80 + 24 + 0xf0 + 8] = 0x40; /* .linux VirtualSize 0x40, raw 0x200 */
		pe[0x80 + 24 + 0xf0 + 16] = 0x10; pe[0x80 + 24 + 0xf0 + 17] = 0;
		CHECK_EQ_U64(uki_layout(pe, n, 0, &l, why, sizeof(why)), RT_OK);
		CHECK_EQ_U64(l.nprofiles, 0);
		CHECK(!l.sec[UKI_INITRD].set);
		CHECK_EQ_U64(l.sec[UKI_LINUX].size, 0x40);
		CHECK_EQ_U64(l.sec[UKI_LINUX].raw, 0x10);
		CHECK_EQ_U64(uki_layout(pe, n, 1, &l, why, sizeof(why)), RT_EINVAL);
		free(pe);
	}
}

/* A stub before 257 (pe.c locate_sections): a name is a prefix, the last
 * entry wins, profiles are unknown, sections of later releases are not
 * read; 257 and later as uki_layout. */
TEST(uki_layout_by_release)
{
	const struct test_section s[] = {
		{ ".linux", "KERNEL", 6 }, { ".cmdline", "one", 3 }, { ".cmdline", "two", 3 }, { ".sbat", "sbat,1", 6 },
		{ ".ucode", "UC", 2 },     { ".profile", "ID=a", 4 }, { ".osrel", "ID=x", 4 }, { ".dtbauto", "DT", 2 },
	};
	struct uki_layout l;
	char why[128];
	size_t n;
	uint8_t *pe = test_pe(s, 8, &n);

	CHECK_EQ_U64(uki_layout_as(pe, n, 1, uki_model_for(252), &l, why, sizeof(why)), RT_OK);
	CHECK_EQ_U64(l.nprofiles, 0);
	CHECK_EQ_U64(l.profile, 0);
	CHECK(!memcmp(pe + l.sec[UKI_CMDLINE].off, "two", 3)); /* the last wins */
	CHECK(!l.sec[UKI_SBAT].set && !l.sec[UKI_UCODE].set && !l.sec[UKI_PROFILE].set); /* 254, 256, 257 */
	CHECK(l.sec[UKI_OSREL].set);                         /* after a .profile: no profiles before 257 */
	CHECK(l.sec[UKI_DTB].set && !memcmp(pe + l.sec[UKI_DTB].off, "DT", 2)); /* ".dtb" starts ".dtbauto" */
	CHECK_EQ_U64(uki_layout_as(pe, n, 0, uki_model_for(254), &l, why, sizeof(why)), RT_OK);
	CHECK(l.sec[UKI_SBAT].set && !l.sec[UKI_UCODE].set);
	CHECK_EQ_U64(uki_layout_as(pe, n, 0, uki_model_for(256), &l, why, sizeof(why)), RT_OK);
	CHECK(l.sec[UKI_UCODE].set);
	CHECK_EQ_U64(uki_layout_as(pe, n, 0, uki_model_for(258), &l, why, sizeof(why)), RT_OK);
	CHECK_EQ_U64(l.nprofiles, 1);
	CHECK(!memcmp(pe + l.sec[UKI_CMDLINE].off, "one", 3)); /* the first wins */
	CHECK(!l.sec[UKI_DTB].set && l.sec[UKI_DTBAUTO].set);
	CHECK_EQ_U64(uki_layout_as(pe, 0x40, 0, uki_model_for(252), &l, why, sizeof(why)), RT_ENOEXEC);
	free(pe);

	/* a later entry of VirtualSize 0 takes the name away before 257 */
	{
		const struct test_section t[] = { { ".linux", "K", 1 }, { ".initrd", "I", 1 }, { ".initrd", "", 0 } };
		pe = test_pe(t, 3, &n);
		CHECK_EQ_U64(uki_layout_as(pe, n, 0, uki_model_for(253), &l, why, sizeof(why)), RT_OK);
		CHECK(!l.sec[UKI_INITRD].set);
		CHECK_EQ_U64(uki_layout(pe, n, 0, &l, why, sizeof(why)), RT_OK);
		CHECK(l.sec[UKI_INITRD].set);
		free(pe);
	}
}

TEST(uki_models_and_sdmagic)
{
	static const char magic[] = "#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####";
	unsigned v = 0;
	char info[64];

	CHECK(uki_sdmagic(magic, sizeof(magic) - 1, &v, info, sizeof(info)));
	CHECK_EQ_U64(v, 252);
	CHECK_STR(info, "systemd-stub 252.39-1~deb12u2");
	CHECK(uki_sdmagic("systemd-stub 254.26-1~bpo12+1", 29, &v, info, sizeof(info)) && v == 254);
	CHECK(uki_sdmagic("x systemd-stub 257", 18, &v, info, sizeof(info)) && v == 257);
	CHECK_STR(info, "systemd-stub 257");
	CHECK(!uki_sdmagic("systemd-stub ", 13, &v, info, sizeof(info)));
	CHECK(!uki_sdmagic("systemd-stub v252", 17, &v, info, sizeof(info)));
	CHECK(!uki_sdmagic("systemd-boot 252", 16, &v, info, sizeof(info)));
	CHECK(!uki_sdmagic("systemd-stub 9999999", 20, &v, info, sizeof(info)));
	CHECK(!uki_sdmagic(magic, 20, &v, info, sizeof(info))); /* cut short */
	/* release by release */
	CHECK_EQ_U64(uki_model_for(0)->version, 257);   /* none named: current */
	CHECK_EQ_U64(uki_model_for(250)->version, 252); /* older: the oldest modelled */
	CHECK_EQ_U64(uki_model_for(253)->version, 253);
	CHECK_EQ_U64(uki_model_for(255)->version, 255);
	CHECK_EQ_U64(uki_model_for(300)->version, 257);
	CHECK(!uki_model_for(252)->addons && uki_model_for(254)->addons == UKI_ADDON_CMDLINE);
	CHECK(uki_model_for(254)->known & (1u << UKI_SBAT));
	CHECK(!(uki_model_for(253)->known & (1u << UKI_SBAT)));
	CHECK_EQ_U64(uki_model_for(252)->empty, UKI_EMPTY_MEASURED);
	CHECK_EQ_U64(uki_model_for(256)->empty, UKI_EMPTY_UNMEASURED);
	CHECK(!uki_model_for(256)->global_ext && uki_model_for(257)->global_ext);
}

TEST(uki_profile_arg_and_companion)
{
	unsigned p = 99;
	const char *rest = NULL;
	char out[128];

	CHECK(uki_profile_arg("@1 quiet", &p, &rest) && p == 1 && !strcmp(rest, "quiet"));
	CHECK(uki_profile_arg("@12", &p, &rest) && p == 12 && !strcmp(rest, ""));
	CHECK(uki_profile_arg("@0  two", &p, &rest) && p == 0 && !strcmp(rest, " two")); /* one space only */
	CHECK(!uki_profile_arg("@1x", &p, &rest));
	CHECK(!uki_profile_arg("@", &p, &rest));
	CHECK(!uki_profile_arg("@-1", &p, &rest));
	CHECK(!uki_profile_arg(" @1", &p, &rest));
	CHECK(!uki_profile_arg("@99999999999", &p, &rest));
	CHECK(!uki_profile_arg(NULL, &p, &rest));

	uki_companion("\\EFI\\Linux\\a.efi", out, sizeof(out));
	CHECK_STR(out, "\\EFI\\Linux\\a.efi.extra.d");
	uki_companion("\\EFI\\Linux\\a+3.efi", out, sizeof(out));
	CHECK_STR(out, "\\EFI\\Linux\\a.efi.extra.d");
	uki_companion("\\EFI\\Linux\\a+3-1.EFI", out, sizeof(out));
	CHECK_STR(out, "\\EFI\\Linux\\a.EFI.extra.d");
	uki_companion("\\EFI\\Linux\\a+x.efi", out, sizeof(out));
	CHECK_STR(out, "\\EFI\\Linux\\a+x.efi.extra.d");
	uki_companion("\\EFI\\Linux\\a+3-.efi", out, sizeof(out));
	CHECK_STR(out, "\\EFI\\Linux\\a+3-.efi.extra.d");
	uki_companion("\\x+1\\a.efi", out, sizeof(out));
	CHECK_STR(out, "\\x+1\\a.efi.extra.d");
	uki_companion("k", out, sizeof(out));
	CHECK_STR(out, "k.extra.d");
}
