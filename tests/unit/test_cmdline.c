/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_cmdline.c - command line splitting, UCS-2/UTF-8, paths, options. */
#include "test.h"
#include "../../lib/cmdline.h"
#include "../../app/options.h"
#include "../../lib/path.h"

static char storage[4096 + CMDLINE_MAX_ARGS];

static void raw_is(const struct cmdline *cl, unsigned i, const char *want)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%.*s", (int)cl->arg[i].raw_len, cl->arg[i].raw);
	CHECK_STR(buf, want);
}

TEST(cmdline_split_keeps_raw_and_unquotes)
{
	struct cmdline cl;
	const char *line = "  efikexec.efi  vmlinuz\tinitrd=\\initrd.img dyndbg=\"file x.c +p\" a^\"b \"\" ";

	CHECK(cmdline_split(line, &cl, storage, sizeof(storage)) == RT_OK);
	CHECK_EQ_U64(cl.argc, 6);
	CHECK_STR(cl.arg[0].value, "efikexec.efi");
	CHECK_STR(cl.arg[2].value, "initrd=\\initrd.img");
	CHECK_STR(cl.arg[3].value, "dyndbg=file x.c +p");
	raw_is(&cl, 3, "dyndbg=\"file x.c +p\"");
	CHECK_STR(cl.arg[4].value, "a\"b");
	raw_is(&cl, 4, "a^\"b");
	CHECK_STR(cl.arg[5].value, "");
	raw_is(&cl, 5, "\"\"");
}

TEST(cmdline_split_errors)
{
	struct cmdline cl;
	char line[CMDLINE_MAX_ARGS * 2 + 8];

	CHECK(cmdline_split("a \"b c", &cl, storage, sizeof(storage)) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "unterminated quote in argument 1");
	CHECK(cmdline_split("", &cl, storage, sizeof(storage)) == RT_OK && cl.argc == 0);
	size_t n = 0;
	for (int i = 0; i < CMDLINE_MAX_ARGS + 1; i++) {
		line[n++] = 'x';
		line[n++] = ' ';
	}
	line[n] = '\0';
	CHECK(cmdline_split(line, &cl, storage, sizeof(storage)) == RT_E2BIG);
	CHECK(cmdline_split("abcdef", &cl, storage, 4) == RT_E2BIG);
}

TEST(cmdline_ucs2_utf8_round_trip)
{
	const uint16_t in[] = { 'a', 0xe9, 0x20ac, '\\', 0xd800, 'z', 0 };
	char out[32];
	uint16_t back[16];

	size_t n = ucs2_to_utf8(in, 16, out, sizeof(out));
	CHECK_STR(out, "a\xc3\xa9\xe2\x82\xac\\\xef\xbf\xbdz");
	CHECK_EQ_U64(n, strlen(out));
	size_t m = utf8_to_ucs2(out, back, 16);
	CHECK_EQ_U64(m, 6);
	CHECK(back[0] == 'a' && back[1] == 0xe9 && back[2] == 0x20ac && back[4] == 0xfffd &&
	      back[6] == 0);
	/* Truncation never splits a character and always terminates. */
	n = ucs2_to_utf8(in, 16, out, 3);
	CHECK_STR(out, "a");
	CHECK_EQ_U64(utf8_to_ucs2("\xf0\x9f\x98\x80x", back, 16), 2); /* non-BMP -> U+FFFD */
	CHECK(back[0] == 0xfffd && back[1] == 'x');
	/* Not NUL-terminated input: stops at n. */
	const uint16_t four[] = { 'a', 'b', 'c', 'd' };
	ucs2_to_utf8(four, 2, out, sizeof(out));
	CHECK_STR(out, "ab");
}

TEST(path_join_normalises)
{
	char out[64];

	CHECK(efi_path_join("\\EFI\\efikexec", "vmlinuz", out, sizeof(out)) == RT_OK);
	CHECK_STR(out, "\\EFI\\efikexec\\vmlinuz");
	CHECK(efi_path_join("\\EFI\\efikexec", "/boot//vmlinuz", out, sizeof(out)) == RT_OK);
	CHECK_STR(out, "\\boot\\vmlinuz");
	CHECK(efi_path_join("\\EFI\\efikexec", "..\\..\\..\\x\\.\\y", out, sizeof(out)) == RT_OK);
	CHECK_STR(out, "\\x\\y");
	CHECK(efi_path_join("", "a/b/../c", out, sizeof(out)) == RT_OK);
	CHECK_STR(out, "\\a\\c");
	CHECK(efi_path_join("\\d", "\\", out, sizeof(out)) == RT_OK);
	CHECK_STR(out, "\\");
	CHECK(efi_path_join("", "", out, sizeof(out)) == RT_EINVAL);
	CHECK(efi_path_join("", "fs0:\\x", out, sizeof(out)) == RT_EINVAL);
	CHECK(efi_path_join("\\long\\directory", "name", out, 12) == RT_E2BIG);
}

static rt_status parse(const char *line, struct efikexec_opts *o)
{
	static struct cmdline cl;

	if (cmdline_split(line, &cl, storage, sizeof(storage)) != RT_OK)
		return RT_EINVAL;
	return options_parse(&cl, options_first_is_program(&cl) ? 1 : 0, o);
}

TEST(options_parse_actions)
{
	struct efikexec_opts o;

	CHECK(parse("efikexec.efi", &o) == RT_OK && o.action == ACTION_HELP);
	CHECK(parse("EFIKEXEC.EFI --version", &o) == RT_OK && o.action == ACTION_VERSION);
	CHECK(parse("--version", &o) == RT_OK && o.action == ACTION_VERSION);
	CHECK(parse("x.efi --verbose --sha256=\\a\\b", &o) == RT_OK && o.action == ACTION_SHA256 &&
	      o.verbose);
	CHECK_STR(o.sha256_path, "\\a\\b");
	CHECK(parse("x.efi --quiet vmlinuz console=ttyS0", &o) == RT_OK && o.action == ACTION_BOOT);
	CHECK_STR(o.kernel, "vmlinuz");
	CHECK(!o.plan && !o.verbose);
	/* -v: the plan said; after the kernel it is the kernel's */
	CHECK(parse("x.efi -v vmlinuz -v", &o) == RT_OK && o.action == ACTION_BOOT && o.plan && !o.verbose);
	CHECK_STR(o.kernel, "vmlinuz");
	{
		char buf[32];
		options_kernel_cmdline(&o, buf, sizeof(buf));
		CHECK_STR(buf, "-v");
	}
	CHECK(parse("x.efi -- --odd-kernel-name", &o) == RT_OK && o.action == ACTION_BOOT);
	CHECK_STR(o.kernel, "--odd-kernel-name");
	test_log_clear();
	CHECK(parse("x.efi --frobnicate", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "unknown option '--frobnicate'");
	CHECK(parse("x.efi --sha256", &o) == RT_EINVAL);
	CHECK(parse("x.efi --sha256=a vmlinuz", &o) == RT_EINVAL);
	CHECK(parse("x.efi --selftest", &o) == RT_OK && o.action == ACTION_SELFTEST);
	CHECK(parse("x.efi --memmap vmlinuz", &o) == RT_EINVAL);
	CHECK(parse("x.efi --version=3", &o) == RT_EINVAL);
}

TEST(options_boot_request)
{
	struct efikexec_opts o;
	char buf[256];

	/* initrd= is consumed wherever it stands; the rest is kept raw */
	CHECK(parse("\\efikexec.efi --verbose vmlinuz initrd=\\a.img console=ttyS0 "
		    "x=\"a b\" initrd=b.img quiet",
		    &o) == RT_OK);
	CHECK(o.action == ACTION_BOOT && o.verbose && !o.dry_run && o.test_corrupt == -1);
	CHECK_STR(o.kernel, "vmlinuz");
	CHECK_EQ_U64(o.ninitrd, 2);
	CHECK_STR(o.initrd[0], "\\a.img");
	CHECK_STR(o.initrd[1], "b.img");
	CHECK_EQ_U64(options_kernel_cmdline(&o, buf, sizeof(buf)), strlen(buf));
	CHECK_STR(buf, "console=ttyS0 x=\"a b\" quiet");

	/* kexec-tools style: --initrd first, --append before the arguments */
	CHECK(parse("x.efi --initrd=one --append=\"root=/dev/vda ro\" --dry-run --no-verify "
		    "--mem-min=4G --mem-max=0x180000000 k initrd=two extra",
		    &o) == RT_OK);
	CHECK(o.dry_run && o.no_verify);
	CHECK_EQ_U64(o.mem_min, 4ull << 30);
	CHECK_EQ_U64(o.mem_max, 0x180000000ull);
	CHECK_EQ_U64(o.ninitrd, 2);
	CHECK_STR(o.initrd[0], "one");
	CHECK_STR(o.initrd[1], "two");
	options_kernel_cmdline(&o, buf, sizeof(buf));
	CHECK_STR(buf, "root=/dev/vda ro extra");

	/* the length is reported even when the buffer is too small */
	CHECK_EQ_U64(options_kernel_cmdline(&o, buf, 5), strlen("root=/dev/vda ro extra"));
	CHECK_STR(buf, "root");
	CHECK_EQ_U64(options_kernel_cmdline(&o, NULL, 0), strlen("root=/dev/vda ro extra"));

	/* nothing after KERNEL: an empty command line */
	CHECK(parse("x.efi k", &o) == RT_OK);
	CHECK_EQ_U64(options_kernel_cmdline(&o, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");

	test_log_clear();
	CHECK(parse("x.efi --dry-run", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "no KERNEL");
	CHECK(parse("x.efi --initrd k", &o) == RT_EINVAL);
	CHECK(parse("x.efi k initrd=", &o) == RT_EINVAL);
	CHECK(parse("x.efi --mem-min=lots k", &o) == RT_EINVAL);
	test_log_clear();
	CHECK(parse("x.efi --mem-min=2G --mem-max=1G k", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "--mem-max=0x40000000 is not above --mem-min=0x80000000");
	/* test hooks exist only in test builds */
	CHECK(parse("x.efi --test-corrupt=1 k", &o) == RT_EINVAL);
}

TEST(options_capture)
{
	struct efikexec_opts o;
	char buf[128];

	CHECK(parse("x.efi --capture-kernel=\\cap\\vmlinuz --capture-initrd=a.img --capture-initrd=b.img "
		    "--capture-append=\"nr_cpus=1 irqpoll\" --capture-size=192M@0x2000000 vmlinuz quiet",
		    &o) == RT_OK);
	CHECK(o.action == ACTION_BOOT);
	CHECK_STR(o.capture_kernel, "\\cap\\vmlinuz");
	CHECK_EQ_U64(o.ncapture_initrd, 2);
	CHECK_STR(o.capture_initrd[1], "b.img");
	CHECK_STR(o.capture_append, "nr_cpus=1 irqpoll");
	CHECK_EQ_U64(o.capture_size, 192ull << 20);
	CHECK_EQ_U64(o.capture_addr, 0x2000000);
	options_kernel_cmdline(&o, buf, sizeof(buf)); /* the main kernel's line is its own */
	CHECK_STR(buf, "quiet");
	CHECK(parse("x.efi --capture-kernel=k --capture-size=1G k", &o) == RT_OK);
	CHECK_EQ_U64(o.capture_size, 1ull << 30);
	CHECK_EQ_U64(o.capture_addr, 0);

	CHECK(parse("x.efi --capture-status", &o) == RT_OK && o.action == ACTION_CAPTURE_STATUS);
	CHECK(parse("x.efi --capture-disarm", &o) == RT_OK && o.action == ACTION_CAPTURE_DISARM);
	CHECK(parse("x.efi --capture-status vmlinuz", &o) == RT_EINVAL);

	test_log_clear();
	CHECK(parse("x.efi --capture-kernel=k vmlinuz", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "--capture-kernel needs --capture-size=SIZE[@ADDR]");
	test_log_clear();
	CHECK(parse("x.efi --capture-size=64M vmlinuz", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "need --capture-kernel=PATH");
	test_log_clear();
	CHECK(parse("x.efi --capture-kernel=k --capture-size=100000 k", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "--capture-size=100000: the size must be a non-zero multiple of 4 KiB");
	test_log_clear();
	CHECK(parse("x.efi --capture-kernel=k --capture-size=64M@0x1234 k", &o) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "the address must be a non-zero multiple of 4 KiB");
	CHECK(parse("x.efi --capture-kernel=k --capture-size=@0x100000 k", &o) == RT_EINVAL);
	CHECK(parse("x.efi --capture-kernel=k --capture-size=64M@lots k", &o) == RT_EINVAL);
	CHECK(parse("x.efi --capture-kernel=k --capture-size=0xfffffffffffff000@0x2000 k", &o) == RT_EINVAL);
	CHECK(parse("x.efi --capture-kernel= --capture-size=64M k", &o) == RT_EINVAL);
	CHECK(parse("x.efi --capture-kernel=k --capture-size=64M", &o) == RT_EINVAL);
}

/* What systemd-boot passes a `linux` entry: its initrds first, as
 * initrd=, then the entry's options (here: efikexec's own arguments). */
TEST(options_leading_initrds_of_a_parent)
{
	struct efikexec_opts o;

	CHECK(parse("initrd=\\a.img initrd=\\b.img \\vmlinuz initrd=\\c.img quiet", &o) == RT_OK);
	CHECK(o.action == ACTION_BOOT);
	CHECK_STR(o.kernel, "\\vmlinuz");
	CHECK_EQ_U64(o.nlead_initrd, 2);
	CHECK_STR(o.lead_initrd[1], "\\b.img");
	CHECK_EQ_U64(o.ninitrd, 1);
	CHECK_STR(o.initrd[0], "\\c.img");
	CHECK(parse("initrd= \\vmlinuz", &o) == RT_EINVAL);
	CHECK(parse("initrd=\\a.img", &o) == RT_EINVAL); /* no KERNEL */
}

TEST(options_load_options_text_or_binary)
{
	static const uint16_t shell[] = { 'a', '.', 'e', 'f', 'i', ' ', 'x', 0 };
	static const uint16_t unterminated[] = { '\\', 'v', 'm' };
	static const uint16_t latin[] = { 'v', 0xe9, 0 };
	/* EDK II's own boot options: 16 bytes of GUID (BmBoot.c's
	 * mBmAutoCreateBootOptionGuid), no NUL */
	static const uint8_t guid[16] = { 0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f, 0x59, 0x4d,
					  0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2 };
	uint16_t g[8];
	static const uint16_t low[] = { 0x05, 'a', 0 };

	memcpy(g, guid, sizeof(g));
	CHECK(options_are_text(shell, sizeof(shell)));
	CHECK(options_are_text(unterminated, sizeof(unterminated)));
	CHECK(options_are_text(latin, sizeof(latin)));
	CHECK(!options_are_text(g, sizeof(g)));
	CHECK(!options_are_text(low, sizeof(low)));
	CHECK(!options_are_text(shell, 1));
	CHECK(!options_are_text(NULL, 0));
}
