/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_uki.c - libFuzzer target over a UKI's section and profile parser
 * (boot/uki.c) and the /.extra archive writer (lib/cpio.c). The input is
 * a PE file's head: its section table is read for profiles 0-3, each found
 * section's span is checked against the table's own numbers, and every
 * .profile is looked up. The input's first bytes also serve as a command
 * line ("@N" prefix) and as file names and contents for an archive, whose
 * size as counted must equal its size as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../boot/uki.h"
#include "../../lib/cpio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uki_layout l;
	struct uki_sec sec;
	char why[128], text[64], name[2][16], out[300];
	const char *rest;
	unsigned p;
	uint8_t *b = malloc(size ? size : 1);

	memcpy(b, data, size);
	for (unsigned profile = 0; profile < 4; profile++) {
		rt_status rs = uki_layout(b, size, profile, &l, why, sizeof(why));
		if (rs != RT_OK) {
			if (!why[0])
				abort(); /* every refusal says why */
			continue;
		}
		if (l.nprofiles > 0xffff || (l.nprofiles && profile >= l.nprofiles))
			abort();
		for (int i = 0; i < UKI_NSECTIONS; i++)
			if (l.sec[i].raw > l.sec[i].size || l.sec[i].set != (l.sec[i].size != 0))
				abort();
	}
	for (unsigned n = 0; n < 4; n++)
		if (uki_profile_section(b, size, n, &sec) && !sec.set)
			abort();
	/* every modelled release's rules: no profiles before 257, only the
	 * sections a release knows */
	for (unsigned v = 252; v <= 257; v++) {
		const struct uki_model *m = uki_model_for(v);
		rt_status rs = uki_layout_as(b, size, 1, m, &l, why, sizeof(why));
		if (rs != RT_OK) {
			if (!why[0] || (rs != RT_ENOEXEC && !m->exact_names))
				abort();
			continue;
		}
		for (int i = 0; i < UKI_NSECTIONS; i++)
			if ((l.sec[i].set && !(m->known & (1u << i))) || l.sec[i].raw > l.sec[i].size)
				abort();
		if (!m->exact_names && (l.nprofiles || l.profile))
			abort();
	}
	/* the input as a .sdmagic section's text */
	{
		unsigned v;
		char info[64];
		if (uki_sdmagic((const char *)data, size, &v, info, sizeof(info)) && (!v || strncmp(info, "systemd-stub ", 13)))
			abort();
	}
	/* a command line and names from the input */
	{
		size_t k = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
		memcpy(text, data, k);
		text[k] = 0;
		if (uki_profile_arg(text, &p, &rest) && (rest < text || rest > text + k))
			abort();
		uki_companion(text, out, sizeof(out));
		for (size_t i = 0; i < 2; i++) {
			size_t at = i * 8 < size ? i * 8 : size, m = size - at;
			m = m < sizeof(name[0]) - 1 ? m : sizeof(name[0]) - 1;
			memcpy(name[i], data + at, m);
			name[i][m] = 0;
		}
		struct cpio_file f[2] = { { name[0], b, size / 2 }, { name[1], b + size / 2, size - size / 2 } };
		bool ok = cpio_pick(f[0].name, NULL, NULL) && cpio_pick(f[1].name, NULL, NULL);
		cpio_sort(f, 2);
		const char *dir = text[0] == '/' ? ".extra" : ".extra/x";
		size_t want = cpio_archive(NULL, 0, dir, 0555, 0444, f, 2);
		if (ok != (want != 0))
			abort();
		if (want) {
			uint8_t *a = malloc(want);
			if (cpio_archive(a, want, dir, 0555, 0444, f, 2) != want)
				abort();
			if (memcmp(a, "070701", 6) || (want & 3))
				abort();
			free(a);
		}
	}
	free(b);
	return 0;
}
