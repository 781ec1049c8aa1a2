/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_cmdline.c - libFuzzer target over the parsers of user input: the
 * command line splitter, UCS-2/UTF-8 conversion, path joining and option
 * parsing. Checks the invariants each promises, not just "no crash".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../app/options.h"
#include "../../lib/path.h"
#include "../../lib/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[4096], storage[4096 + CMDLINE_MAX_ARGS], out[300];
	static uint16_t wide[2048];
	static struct cmdline cl;
	struct efikexec_opts o;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	if (cmdline_split(line, &cl, storage, sizeof(storage)) == RT_OK) {
		for (unsigned i = 0; i < cl.argc; i++) {
			/* raw lies inside the line; the value is no longer than raw */
			if (cl.arg[i].raw < line || cl.arg[i].raw + cl.arg[i].raw_len > line + size ||
			    strlen(cl.arg[i].value) > cl.arg[i].raw_len)
				abort();
		}
		if (options_parse(&cl, options_first_is_program(&cl) ? 1 : 0, &o) == RT_OK &&
		    o.action == ACTION_BOOT && !o.kernel)
			abort();
	}
	size_t n = utf8_to_ucs2(line, wide, 2048);
	char back[8192];
	size_t m = ucs2_to_utf8(wide, n < 2048 ? n : 2047, back, sizeof(back));
	if (m >= sizeof(back) || strlen(back) != m)
		abort();
	if (efi_path_join("\\EFI\\efikexec", line, out, sizeof(out)) == RT_OK) {
		if (out[0] != '\\' || strstr(out, "\\\\") || strstr(out, "/") || strlen(out) >= sizeof(out))
			abort();
		for (char *c = out; (c = strstr(c, "\\..")); c++)
			if (c[3] == '\\' || c[3] == '\0')
				abort();
	}
	return 0;
}
