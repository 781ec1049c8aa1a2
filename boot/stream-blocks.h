/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stream-blocks.h - the kernel's block formats, for stream.c: lz4's legacy
 * frame (`lz4 -l`, the Makefile's cmd_lz4), lzop files (cmd_lzo) and bzip2
 * (cmd_bzip2). Their compressed bytes are held whole in memory (a kernel's
 * payload: megabytes) and decoded a block at a time into a buffer, or
 * straight into the reader's when it has room for the largest block.
 */
#ifndef EFIKEXEC_STREAM_BLOCKS_H
#define EFIKEXEC_STREAM_BLOCKS_H

#include "stream.h"

struct bz2;

struct ld_blocks {
	struct ld_src *parent;
	uint64_t off, len;        /* the compressed bytes in parent */
	enum ld_comp comp;
	bool ended;
	uint8_t *cin;             /* all the compressed bytes */
	size_t cin_pos;           /* the next block's */
	uint64_t out_at;          /* its output offset (for messages) */
	uint8_t *blk;             /* a block decompressed, taken from blk_pos */
	size_t blk_len, blk_pos, blk_cap;
	uint32_t lzop_flags;
	struct bz2 *bz;
	uint32_t *tt;             /* bzip2's block */
};

/* lz4, lzo or bzip2. */
bool ld_blocks_format(enum ld_comp c);
/* Their magic numbers (ld_comp_detect). */
bool ld_blocks_detect(const uint8_t *p, size_t n, enum ld_comp *c);
/* From the start: the compressed bytes read once, the header checked. */
rt_status ld_blocks_start(struct ld_blocks *st, struct ld_src *s);
/* Up to len more bytes into buf (*made; fewer only at the end, then
 * st->ended); `pos` is buf's offset in the output, for messages. */
rt_status ld_blocks_produce(struct ld_blocks *st, struct ld_src *s, uint64_t pos, uint8_t *buf, size_t len,
			    size_t *made);
/* Frees what it holds (keep_memory: forgets it only, as ld_ctx_abandon). */
void ld_blocks_free(struct ld_blocks *st, bool keep_memory);

#endif
