/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_url.c - libFuzzer target over URL parsing and resolution and the
 * HTTP header bits (lib/url.h). Checks what each promises: a parsed URL's
 * text is a prefix of the input, its path starts with '/', a pin comes
 * only with 64 hex digits; a resolved URL parses when its base did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[2 * URL_MAX], out[URL_MAX], err[300];
	static struct url u, v;
	char *ref;
	uint64_t n;

	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	if (url_parse(in, &u, err, sizeof(err)) == RT_OK) {
		if (strncmp(u.text, in, strlen(u.text)) || u.path[0] != '/' || !u.host[0] || !u.port)
			abort();
		if (u.pinned != (strstr(in, "#sha256=") != NULL))
			abort();
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}
	/* the input's second line, resolved against its first */
	ref = strchr(in, '\n');
	if (ref) {
		*ref++ = '\0';
		if (url_parse(in, &u, err, sizeof(err)) == RT_OK && url_resolve(in, ref, out, sizeof(out)) == RT_OK &&
		    !url_is(ref) && url_parse(out, &v, err, sizeof(err)) == RT_OK && v.scheme != u.scheme)
			abort();
		/* a redirect keeps the pin, never leaves https, never goes to tftp */
		if (url_parse(in, &u, err, sizeof(err)) == RT_OK) {
			err[0] = '\0';
			if (url_redirect(&u, ref, &v, err, sizeof(err)) == RT_OK) {
				if (v.pinned != u.pinned || memcmp(v.sha256, u.sha256, sizeof(v.sha256)) ||
				    v.scheme == URL_TFTP || (u.scheme == URL_HTTPS && v.scheme != URL_HTTPS))
					abort();
			} else if (!err[0]) {
				abort();
			}
		}
	}
	http_content_length(in, &n);
	if (size)
		http_status_number(data[0]);
	return 0;
}
