/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * cpio_pack.c - lib/cpio.c as a host program, for tests/tools/test-cpio.sh
 * to compare its archives byte for byte with tests/qemu/ukistub.py's:
 *   cpio_pack DIR DMODE FMODE OUT [FILE...]   (modes in octal)
 * FILEs go in by base name, sorted as systemd-stub sorts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cpio.h"

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, got;

	if (!f)
		return NULL;
	do {
		b = realloc(b, n + 65536);
		got = fread(b + n, 1, 65536, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return b;
}

int main(int argc, char **argv)
{
	struct cpio_file f[64];
	int n = argc - 5;
	size_t size, len;
	uint8_t *out;
	FILE *o;

	if (argc < 5 || n > 64) {
		fprintf(stderr, "usage: cpio_pack DIR DMODE FMODE OUT [FILE...] (at most 64)\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		const char *slash = strrchr(argv[5 + i], '/');
		f[i].name = slash ? slash + 1 : argv[5 + i];
		if (!(f[i].data = slurp(argv[5 + i], &len))) {
			perror(argv[5 + i]);
			return 1;
		}
		f[i].size = len;
	}
	cpio_sort(f, (size_t)n);
	size = cpio_archive(NULL, 0, argv[1], (uint32_t)strtoul(argv[2], NULL, 8), (uint32_t)strtoul(argv[3], NULL, 8),
			    f, (size_t)n);
	if (!size) {
		fprintf(stderr, "cpio_pack: no archive (no files, or a name or folder out of range)\n");
		return 1;
	}
	out = malloc(size);
	cpio_archive(out, size, argv[1], (uint32_t)strtoul(argv[2], NULL, 8), (uint32_t)strtoul(argv[3], NULL, 8), f,
		     (size_t)n);
	o = fopen(argv[4], "wb");
	if (!o || fwrite(out, 1, size, o) != size || fclose(o)) {
		perror(argv[4]);
		return 1;
	}
	for (int i = 0; i < n; i++)
		free((void *)f[i].data);
	free(out);
	return 0;
}
