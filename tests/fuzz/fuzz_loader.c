/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fuzz_loader.c - libFuzzer target over the whole loader table
 * (boot/loader.h): any bytes as an image, for both machines. When a loader
 * accepts, what it promises must hold - pieces inside the kernel's memory
 * and inside their source, initrd and device tree blobs inside theirs, the
 * description a string - and the kernel's bytes must read back through
 * its source (inflating a stream as far as 1 MiB of each piece) without
 * a read past anything (ASan) or an undefined operation (UBSan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../boot/stream.h"

static struct ld_ctx ctx;

static void check_blob(const struct ld_blob *b)
{
	static uint8_t buf[4096];

	if (!b->len)
		return;
	if (b->off > b->src->size || b->len > b->src->size - b->off)
		abort();
	if (b->src->read(b->src, b->off, buf, b->len < sizeof(buf) ? b->len : sizeof(buf)) != RT_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1 << 20];
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size); /* exact size: ASan sees any read past it */
	for (int m = LD_MACHINE_X86_64; m <= LD_MACHINE_AARCH64; m++) {
		struct ld_src s;
		const struct ld_kernel *k = &ctx.k;

		ld_src_memory(&s, copy, size, "fuzz");
		ctx.machine = (enum ld_machine)m;
		/* a bzImage's payload decompressed (--direct-entry) or not */
		ctx.direct_entry = size && (copy[size - 1] & 1);
		if (ld_load(&ctx, &s) == RT_OK) {
			if (k->machine != ctx.machine || !k->npieces || k->npieces > LD_MAX_PIECES ||
			    !k->memsz || memchr(k->desc, 0, sizeof(k->desc)) == NULL || !k->src ||
			    k->ninitrd > LD_MAX_INITRDS || (k->has_cmdline && strlen(k->cmdline) >= LD_CMDLINE_MAX))
				abort();
			for (unsigned i = 0; i < k->npieces; i++) {
				const struct ld_piece *p = &k->piece[i];
				uint64_t n = p->filesz < sizeof(out) ? p->filesz : sizeof(out);
				if (p->filesz > p->memsz || p->mem_off > k->memsz || p->memsz > k->memsz - p->mem_off ||
				    p->src_off > k->src->size || p->filesz > k->src->size - p->src_off)
					abort();
				/* a stream may still fail (cut short, corrupt): it must say so */
				k->src->read(k->src, p->src_off, out, n);
			}
			if (k->direct.on && (k->direct.reloc_off > k->src->size ||
					     k->direct.reloc_len > k->src->size - k->direct.reloc_off ||
					     k->entry_offset >= k->memsz))
				abort();
			for (unsigned i = 0; i < k->ninitrd; i++)
				check_blob(&k->initrd[i]);
			check_blob(&k->dtb);
		}
		ld_ctx_close(&ctx);
	}
	free(copy);
	return 0;
}
