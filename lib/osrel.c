/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* osrel.c - os-release text; see osrel.h. */
#include "osrel.h"

bool osrel_value(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = RT_FN(strlen)(key);
	const char *l = text;

	out[0] = 0;
	while (*l) {
		const char *nl = RT_FN(strchr)(l, '\n');
		const char *end = nl ? nl : l + RT_FN(strlen)(l);
		if ((size_t)(end - l) > kl && !RT_FN(strncmp)(l, key, kl) && l[kl] == '=') {
			const char *v = l + kl + 1;
			size_t n = 0;
			char q = 0;
			if (*v == '"' || *v == '\'')
				q = *v++;
			while (v < end && *v != '\r' && (!q || *v != q) && n + 1 < size)
				out[n++] = *v++;
			out[n] = 0;
			return n > 0;
		}
		l = nl ? nl + 1 : end;
	}
	return false;
}
