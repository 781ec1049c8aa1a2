/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * tlsca_pack.c - lib/tlsca.c as a host program, for tests/tools/test-tlsca.sh
 * to compare its signature lists byte for byte with virt-fw-sigdb's:
 *   tlsca_pack OWNER-GUID OUT FILE   (FILE: DER, or PEM certificates)
 * Exit 2 with the error on stderr when lib/tlsca.c refuses FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tlsca.h"

static int guid(const char *s, uint8_t g[16])
{
	unsigned a, b, c, d[8];

	if (sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &a, &b, &c, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5],
		   &d[6], &d[7]) != 11)
		return -1;
	g[0] = (uint8_t)a, g[1] = (uint8_t)(a >> 8), g[2] = (uint8_t)(a >> 16), g[3] = (uint8_t)(a >> 24);
	g[4] = (uint8_t)b, g[5] = (uint8_t)(b >> 8), g[6] = (uint8_t)c, g[7] = (uint8_t)(c >> 8);
	for (int i = 0; i < 8; i++)
		g[8 + i] = (uint8_t)d[i];
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t in[1 << 20], out[(1 << 20) + TLSCA_MAX_CERTS * 44];
	uint8_t owner[16];
	char err[300];
	size_t len, n;
	unsigned certs;
	FILE *f;

	if (argc != 4 || guid(argv[1], owner)) {
		fprintf(stderr, "usage: tlsca_pack OWNER-GUID OUT FILE\n");
		return 1;
	}
	if (!(f = fopen(argv[3], "rb")))
		return perror(argv[3]), 1;
	len = fread(in, 1, sizeof(in), f);
	fclose(f);
	if (tlsca_to_esl(in, len, owner, out, len + TLSCA_MAX_CERTS * 44, &n, &certs, argv[3], err, sizeof(err)) != RT_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (!(f = fopen(argv[2], "wb")) || fwrite(out, 1, n, f) != n || fclose(f))
		return perror(argv[2]), 1;
	printf("%u certificates, %zu bytes\n", certs, n);
	return 0;
}
