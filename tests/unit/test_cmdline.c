/* test_cmdline.c - command line splitting, UCS-2/UTF-8, paths, options. */
#include "test.h"
#include "../../lib/cmdline.h"
#include "../../efi/options.h"
#include "../../efi/path.h"

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
