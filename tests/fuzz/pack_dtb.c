/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * pack_dtb.c - IN OUT: writes the device tree IN packed (no free space),
 * for the fuzzer's seed corpus: QEMU pads its dumps to 1 MiB.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static char in[4 << 20], out[4 << 20];
	FILE *f;
	size_t n;

	if (argc != 3 || !(f = fopen(argv[1], "rb")))
		return 2;
	n = fread(in, 1, sizeof(in), f);
	fclose(f);
	if (!n || fdt_open_into(in, out, sizeof(out)) || fdt_pack(out) || !(f = fopen(argv[2], "wb")))
		return 1;
	fwrite(out, 1, fdt_totalsize(out), f);
	return fclose(f) ? 1 : 0;
}
