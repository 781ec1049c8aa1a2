/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_install.c - libFuzzer target over what efikexec-install reads from
 * outside (tools/install/): a firmware load option (Boot####,
 * whose device path it walks looking for its own file), the version mark
 * of a binary, and a disk's GPT header and entry (through a memfd, as the
 * tool reads a disk). The tool is built in whole but its main.c.
 */
#include "../../tools/install/util.c"
#include "../../tools/install/txn.c"
#include "../../tools/install/disk.c"
#include "../../tools/install/efivars.c"
#include "../../tools/install/install.c"
#include "../../tools/install/entries.c"

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], version[64], why[512];
	struct gpt_part p;

	if (fd < 0)
		fd = memfd_create("gpt", 0);
	(void)option_names(data, size, MAIN_EFI_PATH);
	if (binary_version(data, size, version, sizeof(version)) && strlen(version) >= sizeof(version))
		__builtin_trap();
	if (fd >= 0 && ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (gpt_read(path, size ? 1 + data[0] % 4 : 1, &p, why, sizeof(why)) == 0 && (p.number < 1 || p.number > 4))
			__builtin_trap();
	}
	return 0;
}
