/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_bls.c - libFuzzer target over the boot menu's configuration
 * parsers (lib/bls.c): an entry file, loader.conf and efikexec.conf from
 * the same bytes, the counter names and the version order, checking what
 * each promises: strings terminated, counts within their arrays, a
 * broken entry says why, the order antisymmetric.
 */
#include <string.h>

#include "../../lib/bls.h"

static void nowarn(void *ctx, const char *file, unsigned line, const char *text)
{
	(void)ctx, (void)file, (void)line;
	if (strlen(text) > 1024)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bls_entry e[2];
	static struct bls_config c;
	static char name[300], a[64], b[64], next[300];
	size_t n = size < 40 ? size : 40;
	int64_t left, done;

	/* the first bytes double as a file name and two versions */
	memcpy(name, data, n);
	name[n] = 0;
	memcpy(a, data, n < 63 ? n : 63);
	a[n < 63 ? n : 63] = 0;
	n = size > 80 ? 40 : size / 2;
	memcpy(b, data + size - n, n);
	b[n] = 0;

	bls_parse_entry(&e[0], BLS_ESP, name, (const char *)data, size, "x64", nowarn, NULL);
	if (e[0].ninitrd > BLS_MAX_INITRDS || (e[0].broken && !e[0].why[0]) ||
	    strnlen(e[0].options, sizeof(e[0].options)) == sizeof(e[0].options) ||
	    strnlen(e[0].id, sizeof(e[0].id)) == sizeof(e[0].id))
		__builtin_trap();
	bls_uki_entry(&e[1], BLS_XBOOTLDR, b, "/EFI/Linux/x.efi", (const char *)e[0].options);
	if ((bls_compare(&e[0], &e[1]) > 0) != (bls_compare(&e[1], &e[0]) < 0) || bls_compare(&e[0], &e[0]))
		__builtin_trap();
	if ((bls_version_cmp(a, b) > 0) != (bls_version_cmp(b, a) < 0) || bls_version_cmp(a, a))
		__builtin_trap();
	if (bls_counter_next(name, next, sizeof(next))) {
		if (!bls_counter(name, &left, &done) || !bls_counter(next, &left, &done) || done < 1)
			__builtin_trap();
	}
	bls_glob(a, b);
	bls_config_defaults(&c);
	bls_parse_loader_conf(&c, "loader.conf", (const char *)data, size, nowarn, NULL);
	bls_parse_efikexec_conf(&c, "efikexec.conf", (const char *)data, size, nowarn, NULL);
	if (c.ncapture_initrd > BLS_MAX_CAPTURE_INITRDS)
		__builtin_trap();
	return 0;
}
