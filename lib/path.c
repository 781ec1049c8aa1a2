/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * path.c - file paths as users type them, into the form UEFI file
 * protocols take. Pure code (no firmware calls), so the host tests run it.
 *
 * Users type "\EFI\vmlinuz", "/boot/vmlinuz", "vmlinuz" or "..\initrd.img".
 * EFI_FILE_PROTOCOL.Open takes backslashes; OVMF's FAT driver resolves "."
 * and ".." itself, but not every driver does, so they are resolved here and
 * a path can never climb above the volume's root.
 */
#include "path.h"

rt_status efi_path_join(const char *cwd, const char *path, char *out, size_t size)
{
	size_t len = 0;
	const char *parts[2] = { cwd, path };

	if (!path || !*path)
		return RT_EINVAL;
	if (RT_FN(strchr)(path, ':'))
		return RT_EINVAL; /* volume prefixes ("fs0:") are the shell's, not ours */
	if (size < 2)
		return RT_E2BIG;
	/* An absolute path ignores cwd. */
	if (path[0] == '\\' || path[0] == '/')
		parts[0] = "";
	out[0] = '\0';
	for (int i = 0; i < 2; i++) {
		const char *p = parts[i];
		while (*p) {
			const char *start, *end;
			size_t n;
			while (*p == '\\' || *p == '/')
				p++;
			start = p;
			while (*p && *p != '\\' && *p != '/')
				p++;
			end = p;
			n = (size_t)(end - start);
			if (n == 0 || (n == 1 && start[0] == '.'))
				continue;
			if (n == 2 && start[0] == '.' && start[1] == '.') {
				/* drop the last component; at the root, stay there */
				while (len && out[len - 1] != '\\')
					len--;
				if (len)
					len--;
				out[len] = '\0';
				continue;
			}
			if (len + 1 + n + 1 > size)
				return RT_E2BIG;
			out[len++] = '\\';
			for (size_t k = 0; k < n; k++)
				out[len++] = start[k];
			out[len] = '\0';
		}
	}
	if (len == 0) {
		out[0] = '\\';
		out[1] = '\0';
	}
	return RT_OK;
}
