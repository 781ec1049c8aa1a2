/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bunzip2.h - a bzip2 decoder for kernels whose payload the kernel's
 * Makefile made with `bzip2 -9` (cmd_bzip2): one stream, held whole in
 * memory, decoded forwards into buffers of any size.
 *
 * Debian's libbz2.a cannot be linked into firmware: its one object with the
 * decoder's entry points (bzlib.o) also holds the stdio front end (fopen,
 * fread, fprintf to stderr, exit). So efikexec decodes the format itself,
 * from its description (the block structure, Huffman and move-to-front
 * stages, the Burrows-Wheeler inverse, the run-length stage, the CRCs: see
 * bunzip2.c); the host tests compare it with libbz2.
 */
#ifndef EFIKEXEC_BUNZIP2_H
#define EFIKEXEC_BUNZIP2_H

#include "../lib/rt.h"

#define BZ2_GROUPS_MAX 6
#define BZ2_ALPHA_MAX 258 /* 256 byte values + RUNA/RUNB - 1 + EOB */
#define BZ2_SELECTORS_MAX 18002 /* 900000 / 50, rounded up, + 2 (as bzip2 1.0.8) */
#define BZ2_FAST_BITS 10

enum bz2_ret { BZ2_MORE, BZ2_END, BZ2_ERROR };

struct bz2 {
	/* input: the whole stream */
	const uint8_t *in;
	size_t in_len, in_pos;
	uint64_t bits;     /* the next bits, MSB first */
	unsigned nbits;
	/* the stream */
	unsigned level;    /* block size in 100000 bytes */
	uint32_t *tt;      /* level * 100000 words: the block, then its inverse transform */
	uint32_t stream_crc;
	bool ended;
	const char *err;   /* what is wrong, with err_at its input offset */
	size_t err_at;
	/* the block being emitted */
	uint32_t block_crc, crc;
	uint32_t tpos, left; /* the inverse transform's position; bytes still to take */
	bool in_block;
	int last;          /* the run-length stage: the last byte, how often in a row */
	unsigned run, rep; /* rep: copies of `last` still to emit */
	/* decoding tables of the block's Huffman groups */
	uint8_t seq[256];
	uint8_t selector[BZ2_SELECTORS_MAX];
	uint8_t len[BZ2_GROUPS_MAX][BZ2_ALPHA_MAX];
	uint16_t fast[BZ2_GROUPS_MAX][1u << BZ2_FAST_BITS]; /* sym | len << 9; 0: longer */
	uint32_t limit[BZ2_GROUPS_MAX][22];  /* first code past those of length l */
	uint32_t base[BZ2_GROUPS_MAX][22];   /* index in perm of length l's first, less its code */
	uint16_t perm[BZ2_GROUPS_MAX][BZ2_ALPHA_MAX];
};

/* The block size (1 to 9, in 100000 bytes) a stream's "BZh" header names;
 * 0: no bzip2 stream. tt then needs level * 100000 words. */
unsigned bz2_level(const uint8_t *in, size_t len);
/* Starts decoding `in` (the whole stream) with `tt` of level * 100000 words. */
void bz2_init(struct bz2 *b, const uint8_t *in, size_t len, uint32_t *tt);
/* Up to n more bytes into out (*made of them): BZ2_MORE, BZ2_END once the
 * stream's end was read and checked (*made may be > 0), BZ2_ERROR (b->err,
 * b->err_at; every later call too). */
enum bz2_ret bz2_read(struct bz2 *b, uint8_t *out, size_t n, size_t *made);

#endif
