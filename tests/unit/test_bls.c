/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_bls.c - the boot menu's configuration (lib/bls.c): the UAPI
 * version order against the specification's own chain, boot counters,
 * the sort order, titles, globs, and entry/loader.conf parsing with the
 * bad inputs a disk may hold.
 */
#include "../../lib/bls.h"
#include "test.h"

static char warnings[4096];

static void warn(void *ctx, const char *file, unsigned line, const char *text)
{
	size_t n = strlen(warnings);
	(void)ctx;
	snprintf(warnings + n, sizeof(warnings) - n, "%s:%u: %s\n", file, line, text);
}

static struct bls_entry *parse(const char *file, const char *text)
{
	static struct bls_entry e[8];
	static unsigned next;
	struct bls_entry *x = &e[next++ % 8];

	warnings[0] = 0;
	bls_parse_entry(x, BLS_ESP, file, text, strlen(text), "x64", warn, NULL);
	return x;
}

TEST(bls_version_chain)
{
	/* specs/version_format_specification.md, "Examples" */
	static const char *const chain[] = { "122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1",
					     "123-1.1", "123^post1", "123.a-1", "123.1-1", "123a-1", "124-1" };
	size_t n = sizeof(chain) / sizeof(chain[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int r = bls_version_cmp(chain[i], chain[j]), want = i < j ? -1 : i > j ? 1 : 0;
			if (r != want)
				test_fail(__FILE__, __LINE__, "cmp(%s, %s) = %d, want %d", chain[i], chain[j], r, want);
		}
	CHECK(bls_version_cmp("1.0010", "1.9") > 0);
	CHECK(bls_version_cmp("1.05", "1.5") == 0);
	CHECK(bls_version_cmp("B", "a") < 0);
	CHECK(bls_version_cmp("1_2", "1+2") == 0);
	CHECK(bls_version_cmp("", "1") < 0);
	CHECK(bls_version_cmp("1~", "1") < 0);
	CHECK(bls_version_cmp("6.12.38+deb13-amd64", "6.1.0-37-amd64") > 0);
}

TEST(bls_counters)
{
	int64_t left, done;
	char out[64];

	CHECK(bls_counter("a+3.conf", &left, &done) && left == 3 && done == 0);
	CHECK(bls_counter("a+3-2.conf", &left, &done) && left == 3 && done == 2);
	CHECK(bls_counter("x+y+0-5.efi", &left, &done) && left == 0 && done == 5);
	CHECK(!bls_counter("a+3x.conf", &left, &done));
	CHECK(!bls_counter("a+.conf", &left, &done));
	CHECK(!bls_counter("a+3-.conf", &left, &done));
	CHECK(!bls_counter("plain.conf", &left, &done));
	CHECK(!bls_counter("a+3.conf.bak+1", &left, &done));
	CHECK(bls_counter_next("a+3.conf", out, sizeof(out)));
	CHECK_STR(out, "a+2-1.conf");
	CHECK(bls_counter_next("a+3-0.conf", out, sizeof(out)));
	CHECK_STR(out, "a+2-1.conf");
	CHECK(bls_counter_next("a+10-00.conf", out, sizeof(out)));
	CHECK_STR(out, "a+09-01.conf");
	CHECK(bls_counter_next("a+0-99.conf", out, sizeof(out)));
	CHECK_STR(out, "a+0-99.conf"); /* floored and capped, same width */
	CHECK(bls_counter_next("a+1-9.conf", out, sizeof(out)));
	CHECK_STR(out, "a+0-10.conf");
	CHECK(bls_counter_next("A+b+1.EFI", out, sizeof(out)));
	CHECK_STR(out, "A+b+0-1.EFI");
	CHECK(!bls_counter_next("a.conf", out, sizeof(out)));
	CHECK(!bls_counter_next("a+3.conf", out, 8)); /* does not fit */
	CHECK(bls_counter("a+99999999999999999999.conf", &left, &done) && left == 0x7fffffff);
	/* the ID leaves the counter out, so it names the entry across boots */
	CHECK_STR(parse("Debian+3-1.conf", "linux /v\n")->id, "debian.conf");
}

TEST(bls_entry_keys)
{
	struct bls_entry *e = parse("deb.conf",
				    "\xef\xbb\xbf# a comment\r\n"
				    "title  Debian GNU/Linux  \r\n"
				    "version 6.1.0-37\r\n"
				    "machine-id 0123456789abcdef0123456789abcdef\n"
				    "sort-key debian\n"
				    "linux /vmlinuz\n"
				    "initrd /a.img\n"
				    "  initrd \\b.img\n"
				    "options root=/dev/vda  quiet\n"
				    "options console=ttyS0\n"
				    "devicetree /x.dtb\n"
				    "frobnicate yes\n"
				    "architecture X64");
	CHECK(!e->broken && !e->hidden);
	CHECK_STR(e->title, "Debian GNU/Linux");
	CHECK_STR(e->version, "6.1.0-37");
	CHECK_STR(e->sort_key, "debian");
	CHECK_STR(e->linux_path, "/vmlinuz");
	CHECK_EQ_U64(e->ninitrd, 2);
	CHECK_STR(e->initrd[0], "/a.img");
	CHECK_STR(e->initrd[1], "\\b.img");
	CHECK_STR(e->options, "root=/dev/vda  quiet console=ttyS0");
	CHECK_STR(e->devicetree, "/x.dtb");
	CHECK_CONTAINS(warnings, "deb.conf:12: unknown key 'frobnicate'");
	CHECK(e->tries_left == -1);

	CHECK(parse("arm.conf", "linux /v\narchitecture aa64\n")->hidden);
	CHECK(!parse("e.conf", "efi /EFI/tool.efi\noptions -x\n")->broken);
	CHECK(!parse("u.conf", "uki /EFI/Linux/a.efi\n")->broken);
}

/* efikexec's own key for Multiboot2 modules: in order, the path split
 * from its arguments; more than BLS_MAX_MODULES breaks the entry */
TEST(bls_entry_modules)
{
	struct bls_entry *e = parse("xen.conf",
				    "linux /xen.gz\n"
				    "efikexec-module /vmlinuz console=hvc0  root=/dev/vda\n"
				    "efikexec-module \\initrd.img\n"
				    "options console=com1 dom0_mem=512M\n");
	static char many[BLS_MAX_MODULES * 20 + 32], longpath[BLS_PATH_MAX + 64];
	size_t n = 0;

	CHECK(!e->broken);
	CHECK_EQ_U64(e->nmodule, 2);
	CHECK_STR(bls_module_path(e, 0), "/vmlinuz");
	CHECK_STR(bls_module_args(e, 0), "console=hvc0  root=/dev/vda");
	CHECK_STR(bls_module_path(e, 1), "\\initrd.img");
	CHECK_STR(bls_module_args(e, 1), "");
	CHECK_STR(warnings, "");
	/* a module line whose path is longer than a path may be */
	snprintf(longpath, sizeof(longpath), "linux /xen.gz\nefikexec-module /%0*d x\n", BLS_PATH_MAX, 0);
	e = parse("long.conf", longpath);
	CHECK(e->broken);
	CHECK_CONTAINS(e->why, "line 2: efikexec-module has no path, or a path longer than 511 bytes: '/000");
	/* trailing blanks are no arguments */
	e = parse("blank.conf", "linux /xen.gz\nefikexec-module /m   \n");
	CHECK(!e->broken);
	CHECK_STR(bls_module_path(e, 0), "/m");
	CHECK_STR(bls_module_args(e, 0), "");

	n += (size_t)snprintf(many + n, sizeof(many) - n, "linux /xen.gz\n");
	for (unsigned i = 0; i <= BLS_MAX_MODULES; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "efikexec-module /m%u\n", i);
	CHECK_CONTAINS(parse("many.conf", many)->why, "more than 8 efikexec-module lines");
}

TEST(bls_entry_broken)
{
	static char big[BLS_LINE_MAX + 64];
	struct bls_entry *e;

	CHECK_CONTAINS(parse("a.conf", "title x\n")->why, "no 'linux' or 'efi' line");
	CHECK_CONTAINS(parse("a.conf", "linux /v\nefi /e.efi\n")->why, "more than one");
	CHECK_CONTAINS(parse("a.conf", "linux /v\ninitrd\n")->why, "line 2: key 'initrd' has no value");
	e = parse("nul.conf", "");
	bls_parse_entry(e, BLS_ESP, "nul.conf", "linux /v\nti\0tle x\n", 18, "x64", warn, NULL);
	CHECK(e->broken);
	CHECK_CONTAINS(e->why, "line 2: a NUL byte");
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "linux /v\noptions ", 17);
	e = parse("big.conf", big);
	CHECK(e->broken);
	CHECK_CONTAINS(e->why, "line 2:");
	CHECK_CONTAINS(e->why, "more than the limit of 4096");
	/* an entry with only a title and a version is still listed */
	e = parse("v.conf", "title T\nversion 1\n");
	CHECK(e->broken && !bls_bootable(e));
}

static struct bls_entry mk(const char *file, const char *sort_key, const char *mid, const char *version)
{
	struct bls_entry e;
	bls_parse_entry(&e, BLS_ESP, file, "linux /v\n", 9, NULL, NULL, NULL);
	snprintf(e.sort_key, sizeof(e.sort_key), "%s", sort_key);
	snprintf(e.machine_id, sizeof(e.machine_id), "%s", mid);
	snprintf(e.version, sizeof(e.version), "%s", version);
	return e;
}

TEST(bls_sort_order)
{
	static struct bls_entry e[8];
	struct bls_entry *p[8];
	/* sort keys first (key, machine-id, version descending); then the
	 * names without one in descending version order (z-10 before z-2);
	 * the bad entry and the broken one last, whatever their keys */
	const char *want[] = { "b-6.12.conf", "b-6.1.conf", "c.conf", "a-1.conf", "z-10.conf",
			       "z-2.conf", "bad+0-3.conf", "broken.conf" };

	e[0] = mk("z-2.conf", "", "", "");
	e[1] = mk("b-6.1.conf", "debian", "m1", "6.1");
	e[2] = mk("bad+0-3.conf", "aaa", "", "");
	e[3] = mk("b-6.12.conf", "debian", "m1", "6.12");
	e[4] = mk("c.conf", "debian", "m2", "1");
	e[5] = mk("z-10.conf", "", "", "");
	e[6] = mk("a-1.conf", "fedora", "", "");
	bls_parse_entry(&e[7], BLS_ESP, "broken.conf", "title x\n", 8, NULL, NULL, NULL);
	snprintf(e[7].sort_key, sizeof(e[7].sort_key), "aaa");
	for (int i = 0; i < 8; i++)
		p[i] = &e[i];
	bls_sort(p, 8);
	for (int i = 0; i < 8; i++)
		CHECK_STR(p[i]->file, want[i]);
	CHECK(!bls_bootable(p[6]));
}

TEST(bls_title_dups)
{
	static struct bls_entry e[4];
	struct bls_entry *p[4];

	for (int i = 0; i < 4; i++) {
		char f[32];
		snprintf(f, sizeof(f), "e%d.conf", i);
		e[i] = mk(f, "", i == 3 ? "fedcba9876543210fedcba9876543210" : "", i < 2 ? "6.1" : i == 2 ? "6.12" : "");
		snprintf(e[i].title, sizeof(e[i].title), "%s", i < 3 ? "Debian" : "");
		p[i] = &e[i];
	}
	snprintf(e[3].title, sizeof(e[3].title), "Debian");
	bls_titles(p, 4);
	CHECK_STR(e[2].title, "Debian (6.12)");
	/* unique once the others have their versions: nothing more added */
	CHECK_STR(e[3].title, "Debian");
	CHECK_STR(e[0].title, "Debian (6.1) (e0.conf)");
	CHECK_STR(e[1].title, "Debian (6.1) (e1.conf)");
}

TEST(bls_globs)
{
	CHECK(bls_glob("debian-*", "Debian-6.1.conf"));
	CHECK(bls_glob("*.CONF", "x.conf"));
	CHECK(bls_glob("d?b*", "deb"));
	CHECK(bls_glob("[a-c]x", "Bx"));
	CHECK(!bls_glob("[!a-c]x", "bx"));
	CHECK(bls_glob("[x", "[x"));
	CHECK(!bls_glob("a", "ab"));
	CHECK(bls_glob("", ""));
	CHECK(!bls_glob("*a*b", "xxbxa"));
}

TEST(bls_loader_conf)
{
	struct bls_config c;
	const char *text = "default debian-*\r\ntimeout 7\neditor no\nauto-entries 0\n"
			   "console-mode max\nbogus 1\ntimeout soon\neditor\n";

	bls_config_defaults(&c);
	warnings[0] = 0;
	bls_parse_loader_conf(&c, "loader.conf", text, strlen(text), warn, NULL);
	CHECK_STR(c.default_pattern, "debian-*");
	CHECK(c.timeout_set && c.timeout == BLS_TIMEOUT_SECONDS && c.timeout_seconds == 7);
	CHECK(!c.editor && !c.auto_entries && c.auto_firmware);
	CHECK_CONTAINS(warnings, "loader.conf:6: unknown key 'bogus'");
	CHECK_CONTAINS(warnings, "loader.conf:7: timeout 'soon'");
	CHECK_CONTAINS(warnings, "loader.conf:8: key 'editor' has no value");
	CHECK(!strstr(warnings, "console-mode"));

	enum bls_timeout k;
	uint32_t s;
	char t[32];
	CHECK(bls_parse_timeout("menu-hidden", &k, &s) && k == BLS_TIMEOUT_HIDDEN);
	CHECK(!bls_parse_timeout("-1", &k, &s));
	bls_timeout_text(BLS_TIMEOUT_SECONDS, 12, t, sizeof(t));
	CHECK_STR(t, "12");

	text = "capture-kernel /EFI/cap/vmlinuz\ncapture-initrd /a\ncapture-initrd /b\n"
	       "capture-options console=ttyS0\ncapture-options nr_cpus=1\ncapture-size 256M@0x40000000\n"
	       "capture-size lots\n";
	warnings[0] = 0;
	bls_parse_efikexec_conf(&c, "efikexec.conf", text, strlen(text), warn, NULL);
	CHECK_STR(c.capture_kernel, "/EFI/cap/vmlinuz");
	CHECK_EQ_U64(c.ncapture_initrd, 2);
	CHECK_STR(c.capture_options, "console=ttyS0 nr_cpus=1");
	CHECK_EQ_U64(c.capture_size, 256ull << 20);
	CHECK_EQ_U64(c.capture_addr, 0x40000000);
	CHECK_CONTAINS(warnings, "efikexec.conf:7: capture-size 'lots'");
}

/* efikexec.conf for a fleet: entry lines, and default and timeout as
 * loader.conf has them; uki-url entries (systemd-boot 258). */
TEST(bls_net_conf_and_uki_url)
{
	struct bls_config c;
	struct bls_entry e;
	const char *text = "timeout 5\ndefault web-*\nentry entries/web.conf\nentry http://h/x.conf\ntimeout soon\n";

	bls_config_defaults(&c);
	warnings[0] = 0;
	bls_parse_efikexec_conf(&c, "efikexec.conf", text, strlen(text), warn, NULL);
	CHECK_EQ_U64(c.nentry, 2);
	CHECK_STR(c.entry[0], "entries/web.conf");
	CHECK_STR(c.entry[1], "http://h/x.conf");
	CHECK_STR(c.default_pattern, "web-*");
	CHECK(c.timeout == BLS_TIMEOUT_SECONDS && c.timeout_seconds == 5);
	CHECK_CONTAINS(warnings, "efikexec.conf:5: timeout 'soon'");

	/* tls-ca: repeatable, 4 at most, the fifth warned about */
	text = "tls-ca ca.pem\ntls-ca /fleet/ca.der\ntls-ca http://h/ca.pem\ntls-ca d\ntls-ca e\n";
	bls_config_defaults(&c);
	warnings[0] = 0;
	bls_parse_efikexec_conf(&c, "efikexec.conf", text, strlen(text), warn, NULL);
	CHECK_EQ_U64(c.ntls_ca, 4);
	CHECK_STR(c.tls_ca[0], "ca.pem");
	CHECK_STR(c.tls_ca[1], "/fleet/ca.der");
	CHECK_STR(c.tls_ca[2], "http://h/ca.pem");
	CHECK_CONTAINS(warnings, "efikexec.conf:5: more than 4 tls-ca lines; ignored");

	/* log-level and x86-entry: one of their words, else warned about */
	text = "log-level info\nx86-entry direct\n";
	bls_config_defaults(&c);
	CHECK(!c.log_level_set && !c.x86_direct);
	warnings[0] = 0;
	bls_parse_efikexec_conf(&c, "efikexec.conf", text, strlen(text), warn, NULL);
	CHECK(c.log_level_set && c.log_level == RT_LOG_INFO && c.x86_direct);
	CHECK_STR(warnings, "");
	text = "log-level loud\nx86-entry direct\nx86-entry sideways\n";
	bls_config_defaults(&c);
	bls_parse_efikexec_conf(&c, "efikexec.conf", text, strlen(text), warn, NULL);
	CHECK(!c.log_level_set && c.x86_direct);
	CHECK_CONTAINS(warnings, "efikexec.conf:1: log-level 'loud' is not error, warn, notice, info or debug; ignored");
	CHECK_CONTAINS(warnings, "efikexec.conf:3: x86-entry 'sideways' is not legacy or direct; ignored");

	text = "title Rescue\nuki-url :rescue.efi\n";
	bls_parse_entry(&e, BLS_ESP, "rescue.conf", text, strlen(text), "x64", warn, NULL);
	CHECK(!e.broken && !e.hidden);
	CHECK_STR(e.uki_url, ":rescue.efi");
	text = "uki-url http://h/a.efi\ninitrd /x\n";
	bls_parse_entry(&e, BLS_ESP, "a.conf", text, strlen(text), "x64", warn, NULL);
	CHECK(e.broken);
	CHECK_CONTAINS(e.why, "takes no 'initrd' or 'devicetree' lines");
	text = "uki-url https://h/a.efi\nefikexec-tls-ca /fleet/ca.pem\n";
	bls_parse_entry(&e, BLS_ESP, "c.conf", text, strlen(text), "x64", warn, NULL);
	CHECK(!e.broken);
	CHECK_STR(e.tls_ca, "/fleet/ca.pem");
	text = "uki-url http://h/a.efi\nlinux /vmlinuz\n";
	bls_parse_entry(&e, BLS_ESP, "b.conf", text, strlen(text), "x64", warn, NULL);
	CHECK(e.broken);
	CHECK_CONTAINS(e.why, "more than one of");
}

TEST(bls_uki)
{
	struct bls_entry e;

	bls_uki_entry(&e, BLS_XBOOTLDR, "Debian-6.12+2.efi", "/EFI/Linux/Debian-6.12+2.efi",
		      "NAME=Debian\nPRETTY_NAME=\"Debian GNU/Linux 13\"\nID=debian\nVERSION_ID='13'\n");
	CHECK_STR(e.title, "Debian GNU/Linux 13");
	CHECK_STR(e.version, "13");
	CHECK_STR(e.sort_key, "debian");
	CHECK_STR(e.id, "debian-6.12.efi");
	CHECK(e.tries_left == 2 && e.part == BLS_XBOOTLDR && e.kind == BLS_TYPE2);
}

/* A multi-profile UKI's entries as systemd-boot 257 names them: TITLE=
 * wins, else for profiles past the first ID= or "Profile #N"; the IDs of
 * those get "@ID" or "@N", the counter gone from the file's name. */
TEST(bls_uki_profiles)
{
	static const char osrel[] = "PRETTY_NAME=\"Debian GNU/Linux 13\"\nID=debian\n";
	struct bls_entry e;

	bls_uki_entry(&e, BLS_ESP, "multi+3-0.efi", "/EFI/Linux/multi+3-0.efi", osrel);
	bls_uki_profile(&e, 0, "ID=default\nTITLE=Default\n");
	CHECK_STR(e.title, "Debian GNU/Linux 13 (Default)");
	CHECK_STR(e.id, "multi.efi");
	CHECK_EQ_U64(e.profile, 0);
	bls_uki_entry(&e, BLS_ESP, "multi+3-0.efi", "/EFI/Linux/multi+3-0.efi", osrel);
	bls_uki_profile(&e, 0, "ID=default\n");
	CHECK_STR(e.title, "Debian GNU/Linux 13"); /* profile 0 without TITLE: the name alone */
	bls_uki_entry(&e, BLS_ESP, "multi+3-0.efi", "/EFI/Linux/multi+3-0.efi", osrel);
	bls_uki_profile(&e, 1, "ID=rescue\n");
	CHECK_STR(e.title, "Debian GNU/Linux 13 (rescue)");
	CHECK_STR(e.id, "multi.efi@rescue");
	CHECK_EQ_U64(e.profile, 1);
	bls_uki_entry(&e, BLS_ESP, "multi.efi", "/EFI/Linux/multi.efi", osrel);
	bls_uki_profile(&e, 2, NULL);
	CHECK_STR(e.title, "Debian GNU/Linux 13 (Profile #3)");
	CHECK_STR(e.id, "multi.efi@2");
	bls_uki_entry(&e, BLS_ESP, "multi.efi", "/EFI/Linux/multi.efi", NULL);
	bls_uki_profile(&e, 1, "TITLE=Rescue\n");
	CHECK_STR(e.title, "multi.efi (Rescue)"); /* no .osrel: the file's name */
}

/* The default entry (lib/bls.c bls_default): the table
 * tests/tools/test-install.sh runs through `efikexec-install list` too,
 * so the stage and the installer are held to one answer. */
TEST(bls_default_choice)
{
	static struct bls_entry e[5];
	struct bls_entry *p[5];
	static const struct {
		const char *oneshot, *entry_default, *last_booted, *conf, *want;
		enum bls_default_by by;
	} t[] = {
		{ NULL, NULL, NULL, "", "debian-6.12.conf", BLS_BY_FIRST },
		{ NULL, NULL, NULL, "alpha*", "alpha.conf", BLS_BY_CONFIG },
		{ NULL, "DEBIAN-6.1.CONF", NULL, "alpha*", "debian-6.1.conf", BLS_BY_DEFAULT_VAR },
		{ NULL, "debian-6.1*", NULL, "", "debian-6.12.conf", BLS_BY_DEFAULT_VAR }, /* the first in order */
		{ "spent.conf", "alpha.conf", NULL, "", "spent+0-3.conf", BLS_BY_ONESHOT }, /* no tries left: still */
		{ "spent+0-3.conf", NULL, NULL, "", "spent+0-3.conf", BLS_BY_ONESHOT },    /* by its file name */
		{ NULL, "spent.conf", NULL, "alpha*", "alpha.conf", BLS_BY_CONFIG },
		{ NULL, "broken.conf", NULL, "", "debian-6.12.conf", BLS_BY_FIRST },
		{ "broken.conf", NULL, NULL, "", "debian-6.12.conf", BLS_BY_FIRST },
		{ NULL, NULL, "alpha.conf", "@saved", "alpha.conf", BLS_BY_LAST_BOOTED },
		{ NULL, NULL, "alpha.conf", "", "debian-6.12.conf", BLS_BY_FIRST },      /* not @saved */
		{ NULL, NULL, NULL, "@saved", "debian-6.12.conf", BLS_BY_FIRST },
		{ "nosuch.conf", "alpha.conf", NULL, "", "alpha.conf", BLS_BY_DEFAULT_VAR },
	};

	e[0] = mk("alpha.conf", "", "", "");
	e[1] = mk("debian-6.1.conf", "", "", "");
	e[2] = mk("debian-6.12.conf", "", "", "");
	e[3] = mk("spent+0-3.conf", "", "", "");
	bls_parse_entry(&e[4], BLS_ESP, "broken.conf", "title x\n", 8, NULL, NULL, NULL);
	for (int i = 0; i < 5; i++)
		p[i] = &e[i];
	bls_sort(p, 5);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bls_config cfg;
		struct bls_default_vars v = { t[i].oneshot, t[i].entry_default, t[i].last_booted };
		enum bls_default_by by;
		size_t d;
		bls_config_defaults(&cfg);
		snprintf(cfg.default_pattern, sizeof(cfg.default_pattern), "%s", t[i].conf);
		d = bls_default(p, 5, &cfg, &v, &by);
		CHECK(d != BLS_NONE);
		if (d != BLS_NONE)
			CHECK_STR(p[d]->file, t[i].want);
		CHECK_EQ_U64(by, t[i].by);
	}
	/* nothing bootable: none */
	{
		struct bls_config cfg;
		struct bls_default_vars v = { 0 };
		enum bls_default_by by;
		bls_config_defaults(&cfg);
		CHECK_EQ_U64(bls_default(p + 3, 2, &cfg, &v, &by), BLS_NONE); /* spent and broken */
		CHECK_EQ_U64(by, BLS_BY_NONE);
		CHECK_STR(bls_default_by_name(BLS_BY_ONESHOT), "LoaderEntryOneShot");
	}
}

/* A GPT as the stage and the installer check it (lib/gpt.c). */
#include "../../lib/gpt.h"
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static void seal(uint8_t *hdr, const uint8_t *ents, size_t len)
{
	put32(hdr + 88, gpt_crc32(0, ents, len));
	put32(hdr + 16, 0);
	put32(hdr + 16, gpt_crc32(0, hdr, 92));
}

TEST(gpt_checks)
{
	static uint8_t hdr[512], ents[4 * 128];
	struct gpt_header h;
	struct gpt_entry e;
	char why[160];

	/* the CRC every UEFI implementation agrees on: "123456789" */
	CHECK_EQ_U64(gpt_crc32(0, "123456789", 9), 0xcbf43926u);
	memcpy(hdr, "EFI PART", 8);
	put32(hdr + 8, 0x10000);
	put32(hdr + 12, 92);
	put64(hdr + 24, 1);
	put64(hdr + 32, 81919);
	put64(hdr + 40, 34);
	put64(hdr + 48, 81886);
	put64(hdr + 72, 2);
	put32(hdr + 80, 4);
	put32(hdr + 84, 128);
	memset(ents, 0, sizeof(ents));
	ents[0] = 0x28; /* a type */
	put64(ents + 32, 2048);
	put64(ents + 40, 4095);
	ents[128] = 0x29;
	put64(ents + 128 + 32, 5000);
	put64(ents + 128 + 40, 4999); /* last before first */
	seal(hdr, ents, sizeof(ents));
	CHECK(gpt_header(hdr, 512, 1, &h, why, sizeof(why)));
	CHECK(gpt_entries(&h, ents, sizeof(ents), why, sizeof(why)));
	CHECK(gpt_entry(&h, ents, 0, &e, why, sizeof(why)) && e.first == 2048 && e.blocks == 2048);
	CHECK(!gpt_entry(&h, ents, 1, &e, why, sizeof(why)));
	CHECK_STR(why, "has LBAs 5000 to 4999, not within the usable 34 to 81886");
	CHECK(!gpt_entry(&h, ents, 2, &e, why, sizeof(why)));
	CHECK_STR(why, "is unused (its entry has no type)");
	CHECK(!gpt_entry(&h, ents, 4, &e, why, sizeof(why)));
	/* a byte of the header changed: its CRC says so; where its backup
	 * lies is still read, to look there */
	hdr[20] = 1;
	CHECK(!gpt_header(hdr, 512, 1, &h, why, sizeof(why)));
	CHECK_CONTAINS(why, "header CRC32 ");
	CHECK_EQ_U64(gpt_alternate(hdr, 512), 81919);
	CHECK_EQ_U64(gpt_alternate(ents, 512), 0);   /* not "EFI PART" */
	CHECK_EQ_U64(gpt_alternate(hdr, 91), 0);     /* shorter than a header */
	/* the copies' order: LBA 1, the alternate, the last block, none twice */
	CHECK_EQ_U64(gpt_copy_lba(0, 81919, 81919), 1);
	CHECK_EQ_U64(gpt_copy_lba(1, 81919, 81919), 81919);
	CHECK_EQ_U64(gpt_copy_lba(2, 81919, 81919), 0);  /* read as the alternate already */
	CHECK_EQ_U64(gpt_copy_lba(1, 0, 81919), 0);      /* no alternate known */
	CHECK_EQ_U64(gpt_copy_lba(2, 0, 81919), 81919);
	CHECK_EQ_U64(gpt_copy_lba(1, 90000, 81919), 0);  /* past the disk's end */
	CHECK_EQ_U64(gpt_copy_lba(1, 1, 81919), 0);      /* the primary again */
	CHECK_EQ_U64(gpt_copy_lba(2, 5, UINT64_MAX), 0); /* the disk's size unknown */
	CHECK_EQ_U64(gpt_copy_lba(3, 5, 81919), 0);
	hdr[20] = 0;
	CHECK(gpt_header(hdr, 512, 1, &h, why, sizeof(why)));
	/* a byte of an entry changed: the array's CRC says so */
	ents[3 * 128] = 1;
	CHECK(!gpt_entries(&h, ents, sizeof(ents), why, sizeof(why)));
	CHECK_CONTAINS(why, "entry array CRC32 ");
	ents[3 * 128] = 0;
	CHECK(!gpt_entries(&h, ents, sizeof(ents) - 1, why, sizeof(why)));
	/* sizes: an entry of 192 bytes, a header at the wrong LBA */
	put32(hdr + 84, 192);
	seal(hdr, ents, sizeof(ents));
	CHECK(!gpt_header(hdr, 512, 1, &h, why, sizeof(why)));
	CHECK_STR(why, "entry size 192, not 128 x 2^n up to 4096");
	put32(hdr + 84, 128);
	seal(hdr, ents, sizeof(ents));
	CHECK(!gpt_header(hdr, 512, 2, &h, why, sizeof(why)));
	CHECK_STR(why, "header at LBA 2 says it is at LBA 1");
	CHECK(!gpt_header((const uint8_t *)"EFI PAR", 8, 1, &h, why, sizeof(why)));
}

/* An EFI_LOAD_OPTION read by FilePathListLength (lib/bls.c). */
TEST(bls_load_options)
{
	/* active, "Sh" NUL, a 4-byte end node, then 2 bytes of optional data */
	static const uint8_t good[] = { 1, 0, 0, 0, 4, 0, 'S', 0, 'h', 0, 0, 0, 0x7f, 0xff, 4, 0, 9, 9 };
	static const uint8_t no_nul[] = { 1, 0, 0, 0, 0, 0, 'S', 0, 'h', 0 };
	static const uint8_t long_path[] = { 1, 0, 0, 0, 9, 0, 'S', 0, 0, 0, 0x7f, 0xff, 4, 0 };
	struct bls_load_option lo;

	CHECK(bls_load_option(good, sizeof(good), &lo));
	CHECK_EQ_U64(lo.attributes, 1);
	CHECK_EQ_U64(lo.desc_off, 6);
	CHECK_EQ_U64(lo.desc_units, 2);
	CHECK_EQ_U64(lo.path_off, 12);
	CHECK_EQ_U64(lo.path_len, 4);
	CHECK(!bls_load_option(no_nul, sizeof(no_nul), &lo));       /* the description runs to its end */
	CHECK(!bls_load_option(long_path, sizeof(long_path), &lo)); /* 9 bytes of paths, 4 there */
	CHECK(!bls_load_option(good, 7, &lo));
}
