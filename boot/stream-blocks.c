/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stream-blocks.c - the kernel's block formats (stream-blocks.h): lz4's
 * legacy frame with liblz4's LZ4_decompress_safe, lzop files with liblzo2's
 * lzo1x_decompress_safe and their checksums with zlib's, bzip2 with
 * bunzip2.c. As in stream.c, every call into a Debian library runs in a
 * quiet section (lib/rt.h); none of them allocates.
 */
#include "stream-blocks.h"

#include <zlib.h>
#include <lz4.h>
#include <lzo/lzo1x.h>

#include "bunzip2.h"

/* lz4's legacy frame (lz4 programs/lz4io.c: LEGACY_MAGICNUMBER, blocks of
 * LEGACY_BLOCKSIZE): its magic, then blocks, each a LE32 compressed size and
 * that many bytes of one LZ4 block of at most 8 MiB decompressed; the
 * magic again may start a concatenated frame; no end mark. */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)
/* lzop (lzop's header.c, the kernel's lib/decompress_unlzo.c): blocks of
 * at most 256 KiB decompressed (lzop's BLOCK_SIZE; the kernel's
 * decompressor takes no more); the header's and blocks' flags */
#define LZO_BLOCK_MAX (256u << 10)
#define LZOP_ADLER32_D 0x1u
#define LZOP_ADLER32_C 0x2u
#define LZOP_EXTRA_FIELD 0x40u
#define LZOP_CRC32_D 0x100u
#define LZOP_CRC32_C 0x200u
#define LZOP_FILTER 0x800u
#define LZOP_H_CRC32 0x1000u
#define LZOP_FLAGS_KNOWN 0xff003fffu /* F_MASK, the OS and character set bytes */

static const uint8_t lzop_magic[9] = { 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a };

bool ld_blocks_format(enum ld_comp c)
{
	return c == LD_COMP_LZ4 || c == LD_COMP_LZO || c == LD_COMP_BZIP2;
}

bool ld_blocks_detect(const uint8_t *p, size_t n, enum ld_comp *c)
{
	if (n >= 4 && ld_rd32(p) == LZ4_LEGACY_MAGIC)
		*c = LD_COMP_LZ4;
	else if (n >= sizeof(lzop_magic) && !RT_FN(memcmp)(p, lzop_magic, sizeof(lzop_magic)))
		*c = LD_COMP_LZO;
	else if (bz2_level(p, n))
		*c = LD_COMP_BZIP2;
	else
		return false;
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static rt_status corrupt(struct ld_src *s, struct ld_blocks *st, size_t at, const char *what)
{
	return rt_fail(RT_ENOEXEC, "inflate", "%s: corrupt %s data near input offset %#llx (output offset %#llx): %s",
		       s->name, ld_comp_name(st->comp), (unsigned long long)(st->off + at), (unsigned long long)st->out_at,
		       what);
}

/* An lzop checksum: Adler-32 (from 1) or CRC-32 (from 0), zlib's. */
static uint32_t lzop_sum(bool crc, const uint8_t *p, size_t n)
{
	uintptr_t q = rt_quiet();
	uint32_t v = crc ? (uint32_t)crc32(0, p, (uInt)n) : (uint32_t)adler32(1, p, (uInt)n);

	rt_unquiet(q);
	return v;
}

/* An lzop file's header (lzop's header.c: the fields after the magic, those
 * marked 0x0940 only from that version on): version, library version,
 * version needed (0x0940), method, level (0x0940), flags, filter (flag
 * 0x800), mode, mtime low, mtime high (0x0940), name length and name, the
 * checksum of all that, then an extra field when flag 0x40 says so. */
static rt_status lzop_header(struct ld_src *s, struct ld_blocks *st)
{
	const uint8_t *p = st->cin;
	size_t n = st->len, at = sizeof(lzop_magic), start = at;
	uint32_t version, method, flags, sum;

#define NEED(k)                                                                                              \
	do {                                                                                                 \
		if (n - at < (k))                                                                            \
			return rt_fail(RT_ETRUNC, "inflate", "%s: the lzop header ends early, at input offset %#llx", \
				       s->name, (unsigned long long)(st->off + n));                          \
	} while (0)
	NEED(4);
	version = (uint32_t)p[at] << 8 | p[at + 1];
	at += 4;
	if (version < 0x0900)
		return rt_fail(RT_ENOTSUP, "inflate", "%s: lzop file version %#x, older than 0x0900 (lzop 0.90)", s->name,
			       version);
	if (version >= 0x0940)
		at += 2;
	NEED(1);
	method = p[at++];
	if (version >= 0x0940)
		at++;
	NEED(4);
	flags = be32(p + at);
	at += 4;
	if (method < 1 || method > 3)
		return rt_fail(RT_ENOTSUP, "inflate", "%s: lzop method %u; efikexec decompresses LZO1X (1 to 3)", s->name,
			       method);
	if (flags & LZOP_FILTER)
		return rt_fail(RT_ENOTSUP, "inflate", "%s: the lzop data went through a filter (flags %#x), which efikexec does not undo",
			       s->name, flags);
	if (flags & ~LZOP_FLAGS_KNOWN)
		return rt_fail(RT_ENOTSUP, "inflate", "%s: lzop flags %#x name things lzop 1.04 does not know", s->name, flags);
	at += version >= 0x0940 ? 12 : 8; /* mode, mtime */
	NEED(1);
	at += 1 + (size_t)p[at]; /* the name */
	NEED(4);
	sum = lzop_sum(flags & LZOP_H_CRC32, p + start, at - start);
	if (sum != be32(p + at))
		return rt_fail(RT_ENOEXEC, "inflate", "%s: the lzop header's checksum %#x is not that of its bytes (%#x)", s->name,
			       be32(p + at), sum);
	at += 4;
	if (flags & LZOP_EXTRA_FIELD) { /* its length, its bytes, their checksum */
		NEED(4);
		uint32_t x = be32(p + at);
		at += 4;
		NEED((size_t)x + 4);
		at += (size_t)x + 4;
	}
#undef NEED
	st->lzop_flags = flags;
	st->cin_pos = at;
	return RT_OK;
}

rt_status ld_blocks_start(struct ld_blocks *st, struct ld_src *s)
{
	rt_status rs;

	if (!st->cin) {
		if (st->len > (size_t)-1 || !(st->cin = RT_FN(malloc)((size_t)st->len)))
			return rt_fail(RT_ENOMEM, "inflate", "%s: no memory for its %llu bytes of %s data", s->name,
				       (unsigned long long)st->len, ld_comp_name(st->comp));
		if ((rs = st->parent->read(st->parent, st->off, st->cin, st->len)) != RT_OK) {
			RT_FN(free)(st->cin);
			st->cin = NULL;
			return rs;
		}
	}
	st->blk_len = st->blk_pos = 0;
	st->ended = false;
	if (st->comp == LD_COMP_BZIP2) {
		unsigned level = bz2_level(st->cin, (size_t)st->len);
		if (!level)
			return rt_fail(RT_ENOEXEC, "inflate", "%s: no bzip2 header (\"BZh\", 1 to 9) at input offset %#llx",
				       s->name, (unsigned long long)st->off);
		if (!st->bz && !(st->bz = RT_FN(malloc)(sizeof(*st->bz))))
			return rt_fail(RT_ENOMEM, "inflate", "%s: no memory for bzip2's tables", s->name);
		if (st->blk_cap < level * 100000u) {
			RT_FN(free)(st->tt);
			st->blk_cap = 0;
			if (!(st->tt = RT_FN(malloc)(level * 100000u * sizeof(uint32_t))))
				return rt_fail(RT_ENOMEM, "inflate", "%s: no memory for a bzip2 block of %u00 KB", s->name, level);
			st->blk_cap = level * 100000u;
		}
		bz2_init(st->bz, st->cin, (size_t)st->len, st->tt);
		return RT_OK;
	}
	if (!st->blk) {
		st->blk_cap = st->comp == LD_COMP_LZ4 ? LZ4_LEGACY_BLOCK : LZO_BLOCK_MAX;
		if (!(st->blk = RT_FN(malloc)(st->blk_cap)))
			return rt_fail(RT_ENOMEM, "inflate", "%s: no memory for a %zu KiB %s block", s->name, st->blk_cap >> 10,
				       ld_comp_name(st->comp));
	}
	if (st->comp == LD_COMP_LZ4) {
		if (st->len < 4 || ld_rd32(st->cin) != LZ4_LEGACY_MAGIC)
			return rt_fail(RT_ENOEXEC, "inflate", "%s: no lz4 legacy frame magic (02 21 4c 18) at input offset %#llx",
				       s->name, (unsigned long long)st->off);
		st->cin_pos = 4;
		return RT_OK;
	}
	if (st->len < sizeof(lzop_magic) || RT_FN(memcmp)(st->cin, lzop_magic, sizeof(lzop_magic)))
		return rt_fail(RT_ENOEXEC, "inflate", "%s: no lzop magic at input offset %#llx", s->name,
			       (unsigned long long)st->off);
	{
		uintptr_t q = rt_quiet();
		int r = lzo_init();
		rt_unquiet(q);
		if (r != LZO_E_OK)
			return rt_fail(RT_ENOTSUP, "inflate", "%s: liblzo2 does not start (%d)", s->name, r);
	}
	return lzop_header(s, st);
}

/* The next lz4 block: into dst (room bytes) when it holds the largest (*got
 * bytes), else into st->blk (st->blk_len bytes, *got 0). */
static rt_status lz4_block(struct ld_src *s, struct ld_blocks *st, uint8_t *dst, size_t room, size_t *got)
{
	const uint8_t *p = st->cin;
	size_t at = st->cin_pos, end = (size_t)st->len;
	uint32_t n;
	int r;
	uintptr_t q;

	for (;;) {
		if (at == end) {
			st->ended = true;
			return RT_OK;
		}
		if (end - at < 4)
			return corrupt(s, st, at, "a block's size cut short");
		n = ld_rd32(p + at);
		if (n != LZ4_LEGACY_MAGIC)
			break;
		at += 4; /* a concatenated frame */
	}
	at += 4;
	if (n > (uint32_t)LZ4_COMPRESSBOUND(LZ4_LEGACY_BLOCK))
		return corrupt(s, st, at - 4, "a block larger than lz4 writes for 8 MiB");
	if (n > end - at)
		return corrupt(s, st, at - 4, "a block runs past the end of the data");
	if (room < LZ4_LEGACY_BLOCK)
		dst = st->blk;
	q = rt_quiet();
	r = LZ4_decompress_safe((const char *)p + at, (char *)dst, (int)n, LZ4_LEGACY_BLOCK);
	rt_unquiet(q);
	if (r < 0)
		return corrupt(s, st, at, "an LZ4 block that does not decode to 8 MiB or less");
	st->cin_pos = at + n;
	*got = (size_t)r;
	if (dst == st->blk) {
		st->blk_len = *got;
		*got = 0;
	}
	return RT_OK;
}

/* The next lzop block, as lz4_block. */
static rt_status lzo_block(struct ld_src *s, struct ld_blocks *st, uint8_t *dst, size_t room, size_t *got)
{
	const uint8_t *p = st->cin, *data;
	size_t at = st->cin_pos, end = (size_t)st->len, ck;
	uint32_t dlen, slen, f = st->lzop_flags, sums[4];
	unsigned nsums = 0;

	if (end - at < 4)
		return corrupt(s, st, at, "the data ends before lzop's end mark");
	dlen = be32(p + at);
	if (!dlen) {
		st->cin_pos = at + 4;
		st->ended = true;
		return RT_OK;
	}
	if (end - at < 8)
		return corrupt(s, st, at, "the data ends in a block's header");
	slen = be32(p + at + 4);
	if (dlen > LZO_BLOCK_MAX)
		return corrupt(s, st, at, "a block of more than the 256 KiB lzop writes (and the kernel's decompressor takes)");
	if (!slen || slen > dlen)
		return corrupt(s, st, at, "a block with more compressed bytes than decompressed, or none");
	ck = ((f & LZOP_ADLER32_D) != 0) + ((f & LZOP_CRC32_D) != 0) +
	     (slen < dlen ? ((f & LZOP_ADLER32_C) != 0) + ((f & LZOP_CRC32_C) != 0) : 0);
	if (end - at - 8 < ck * 4 + slen)
		return corrupt(s, st, at, "a block runs past the end of the data");
	for (unsigned i = 0; i < ck; i++)
		sums[nsums++] = be32(p + at + 8 + 4 * i);
	data = p + at + 8 + 4 * ck;
	if (room < dlen)
		dst = st->blk;
	if (slen < dlen) {
		unsigned k = ((f & LZOP_ADLER32_D) != 0) + ((f & LZOP_CRC32_D) != 0);
		lzo_uint out = dlen;
		int r;
		uintptr_t q;
		if ((f & LZOP_ADLER32_C) && lzop_sum(false, data, slen) != sums[k++])
			return corrupt(s, st, at, "a block's compressed bytes fail their Adler-32");
		if ((f & LZOP_CRC32_C) && lzop_sum(true, data, slen) != sums[k])
			return corrupt(s, st, at, "a block's compressed bytes fail their CRC-32");
		q = rt_quiet();
		r = lzo1x_decompress_safe(data, slen, dst, &out, NULL);
		rt_unquiet(q);
		if (r != LZO_E_OK || out != dlen)
			return corrupt(s, st, at, "an LZO1X block that does not decode to the size its header says");
	} else {
		RT_FN(memcpy)(dst, data, dlen); /* stored */
	}
	nsums = 0;
	if ((f & LZOP_ADLER32_D) && lzop_sum(false, dst, dlen) != sums[nsums++])
		return corrupt(s, st, at, "a block's data fail their Adler-32");
	if ((f & LZOP_CRC32_D) && lzop_sum(true, dst, dlen) != sums[nsums])
		return corrupt(s, st, at, "a block's data fail their CRC-32");
	st->cin_pos = (size_t)(data - p) + slen;
	*got = dlen;
	if (dst == st->blk) {
		st->blk_len = dlen;
		*got = 0;
	}
	return RT_OK;
}

rt_status ld_blocks_produce(struct ld_blocks *st, struct ld_src *s, uint64_t pos, uint8_t *buf, size_t len, size_t *made)
{
	rt_status rs;
	size_t got;

	while (*made < len) {
		if (st->blk_pos < st->blk_len) {
			size_t n = st->blk_len - st->blk_pos < len - *made ? st->blk_len - st->blk_pos : len - *made;
			RT_FN(memcpy)(buf + *made, st->blk + st->blk_pos, n);
			st->blk_pos += n;
			*made += n;
			continue;
		}
		if (st->ended)
			break;
		st->blk_len = st->blk_pos = 0;
		got = 0;
		st->out_at = pos + *made;
		if (st->comp == LD_COMP_BZIP2) {
			enum bz2_ret r = bz2_read(st->bz, buf + *made, len - *made, &got);
			if (r == BZ2_ERROR)
				return rt_fail(RT_ENOEXEC, "inflate", "%s: corrupt bzip2 data near input offset %#llx (output offset %#llx): %s",
					       s->name, (unsigned long long)(st->off + st->bz->err_at),
					       (unsigned long long)(st->out_at + got), st->bz->err);
			st->ended = r == BZ2_END;
		} else if ((rs = (st->comp == LD_COMP_LZ4 ? lz4_block : lzo_block)(s, st, buf + *made, len - *made, &got)) !=
			   RT_OK) {
			return rs;
		}
		*made += got;
	}
	return RT_OK;
}

void ld_blocks_free(struct ld_blocks *st, bool keep_memory)
{
	if (!keep_memory) {
		RT_FN(free)(st->cin);
		RT_FN(free)(st->blk);
		RT_FN(free)(st->bz);
		RT_FN(free)(st->tt);
	}
	st->cin = st->blk = NULL;
	st->bz = NULL;
	st->tt = NULL;
	st->blk_cap = 0;
}
