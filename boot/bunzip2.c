/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bunzip2.c - the bzip2 format, decoded (bunzip2.h says why efikexec has
 * its own). What the format is, as bzip2 1.0.x writes it and the kernel's
 * lib/decompress_bunzip2.c reads it:
 *
 *   "BZh" and the block size in 100000 bytes, '1' to '9'; then blocks, each
 *   48 bits 0x314159265359, its CRC (32 bits), a "randomised" bit (bzip2
 *   0.9.5 and later write 0; the kernel refuses 1, and so does efikexec),
 *   the origin pointer (24), 16 bits saying which sixteen-byte ranges are
 *   used and 16 bits for each of those: the byte values in use; the number
 *   of Huffman groups (3 bits, 2 to 6), of selectors (15 bits), each
 *   selector a move-to-front index in unary (1s ended by a 0); for each group
 *   its code lengths, delta-coded from a 5-bit start (while a 1 comes, a
 *   0 adds one and a 1 takes one away); then the symbols, fifty to a
 *   selector: RUNA (0) and RUNB (1) spell, bijectively in base 2 least
 *   significant first, a run of the front byte; EOB (in use + 1) ends the
 *   block; any other s is the byte at move-to-front index s - 1.
 *   The stream ends with 48 bits 0x177245385090 and the combined CRC of
 *   its blocks (each step: rotate left by one, xor the block's CRC).
 *
 * The block so decoded is the last column of the sorted rotations of the
 * data; walking the inverse (`tt`: each entry the byte in its low 8 bits
 * and, above them, where the walk goes next) yields the data before the
 * transform, in which four equal bytes are followed by a count (0 to 255)
 * of more of them. The CRC is CRC-32 with polynomial 0x04c11db7, most
 * significant bit first, over the data after that last stage.
 *
 * Every length, index and count read is checked against what it indexes;
 * a corrupt stream stops with an error and its input offset.
 */
#include "bunzip2.h"

#define BLOCK_MAGIC 0x314159265359ull
#define END_MAGIC 0x177245385090ull
#define LEN_MAX 20

static uint32_t crctab[256];

static void crc_init(void)
{
	if (crctab[1])
		return;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? c << 1 ^ 0x04c11db7u : c << 1;
		crctab[i] = c;
	}
}

static bool fail(struct bz2 *b, const char *what)
{
	if (!b->err) {
		b->err = what;
		b->err_at = b->in_pos;
	}
	return false;
}

/* At least n (<= 32) bits in b->bits, as many as there are when fewer. */
static unsigned fill(struct bz2 *b, unsigned n)
{
	while (b->nbits < n && b->in_pos < b->in_len) {
		b->bits |= (uint64_t)b->in[b->in_pos++] << (56 - b->nbits);
		b->nbits += 8;
	}
	return b->nbits;
}

static bool get(struct bz2 *b, unsigned n, uint32_t *v)
{
	if (fill(b, n) < n)
		return fail(b, "the stream ends early");
	*v = (uint32_t)(b->bits >> (64 - n));
	b->bits <<= n;
	b->nbits -= n;
	return true;
}

unsigned bz2_level(const uint8_t *in, size_t len)
{
	if (len < 4 || in[0] != 'B' || in[1] != 'Z' || in[2] != 'h' || in[3] < '1' || in[3] > '9')
		return 0;
	return in[3] - '0';
}

void bz2_init(struct bz2 *b, const uint8_t *in, size_t len, uint32_t *tt)
{
	crc_init();
	*b = (struct bz2){ .in = in, .in_len = len, .in_pos = 4, .level = bz2_level(in, len), .tt = tt };
	if (!b->level)
		fail(b, "no \"BZh\" header with a block size of 1 to 9");
}

/* Group t's decoding tables from its code lengths (canonical codes: by
 * length, then by symbol). A set of lengths no prefix code has is an error. */
static bool build(struct bz2 *b, unsigned t, unsigned alpha)
{
	uint32_t count[LEN_MAX + 1] = { 0 }, idx[LEN_MAX + 2], code = 0;

	for (unsigned i = 0; i < alpha; i++)
		count[b->len[t][i]]++;
	idx[1] = 0;
	for (unsigned l = 1; l <= LEN_MAX; l++) {
		if (count[l] > (1u << l) - code)
			return fail(b, "a Huffman group's code lengths fit no prefix code");
		b->limit[t][l] = code + count[l];
		b->base[t][l] = idx[l] - code;
		idx[l + 1] = idx[l] + count[l];
		code = (code + count[l]) << 1;
	}
	for (unsigned l = 1; l <= LEN_MAX; l++)
		for (unsigned i = 0; i < alpha; i++)
			if (b->len[t][i] == l)
				b->perm[t][idx[l]++] = (uint16_t)i;
	/* the short codes straight from a table */
	RT_FN(memset)(b->fast[t], 0, sizeof(b->fast[t]));
	for (unsigned l = 1; l <= BZ2_FAST_BITS; l++) {
		uint32_t first = b->limit[t][l] - count[l];
		for (uint32_t c = first; c < b->limit[t][l]; c++) {
			uint16_t e = (uint16_t)(b->perm[t][b->base[t][l] + c] | l << 9);
			for (uint32_t k = c << (BZ2_FAST_BITS - l); k < (c + 1) << (BZ2_FAST_BITS - l); k++)
				b->fast[t][k] = e;
		}
	}
	return true;
}

static bool symbol(struct bz2 *b, unsigned t, unsigned *sym)
{
	unsigned have = fill(b, LEN_MAX), l;
	uint16_t e = b->fast[t][b->bits >> (64 - BZ2_FAST_BITS)];

	if (e) {
		l = e >> 9;
		*sym = e & 511;
	} else {
		for (l = BZ2_FAST_BITS + 1; l <= LEN_MAX; l++) {
			uint32_t c = (uint32_t)(b->bits >> (64 - l));
			if (c < b->limit[t][l]) {
				*sym = b->perm[t][b->base[t][l] + c];
				break;
			}
		}
		if (l > LEN_MAX)
			return fail(b, have < LEN_MAX ? "the stream ends early" : "a bit string that is no Huffman code of its group");
	}
	if (l > have)
		return fail(b, "the stream ends early");
	b->bits <<= l;
	b->nbits -= l;
	return true;
}

/* A block's byte values in use, Huffman groups, selectors and code
 * lengths, its decoding tables built. */
static bool tables(struct bz2 *b, unsigned *ninuse, uint32_t *nsel)
{
	uint32_t v, used, ngroups;
	uint8_t order[BZ2_GROUPS_MAX];
	unsigned alpha;

	*ninuse = 0;
	if (!get(b, 16, &used))
		return false;
	for (unsigned i = 0; i < 16; i++) {
		uint32_t m;
		if (!(used & (0x8000u >> i)))
			continue;
		if (!get(b, 16, &m))
			return false;
		for (unsigned j = 0; j < 16; j++)
			if (m & (0x8000u >> j))
				b->seq[(*ninuse)++] = (uint8_t)(i * 16 + j);
	}
	if (!*ninuse)
		return fail(b, "a block that uses no byte value");
	alpha = *ninuse + 2;
	if (!get(b, 3, &ngroups) || !get(b, 15, nsel))
		return false;
	if (ngroups < 2 || ngroups > BZ2_GROUPS_MAX || !*nsel)
		return fail(b, "a block with other than 2 to 6 Huffman groups, or no selector");
	for (unsigned i = 0; i < ngroups; i++)
		order[i] = (uint8_t)i;
	for (uint32_t i = 0; i < *nsel; i++) {
		unsigned j = 0;
		uint8_t x;
		for (;;) {
			if (!get(b, 1, &v))
				return false;
			if (!v)
				break;
			if (++j >= ngroups)
				return fail(b, "a selector past the block's Huffman groups");
		}
		/* more than a block needs are read and dropped, as bzip2 1.0.8 does */
		if (i >= BZ2_SELECTORS_MAX)
			continue;
		x = order[j];
		RT_FN(memmove)(order + 1, order, j);
		order[0] = x;
		b->selector[i] = x;
	}
	if (*nsel > BZ2_SELECTORS_MAX)
		*nsel = BZ2_SELECTORS_MAX;
	for (unsigned t = 0; t < ngroups; t++) {
		uint32_t cur;
		if (!get(b, 5, &cur))
			return false;
		for (unsigned i = 0; i < alpha; i++) {
			for (;;) {
				if (cur < 1 || cur > LEN_MAX)
					return fail(b, "a Huffman code length outside 1 to 20");
				if (!get(b, 1, &v))
					return false;
				if (!v)
					break;
				if (!get(b, 1, &v))
					return false;
				cur = v ? cur - 1 : cur + 1;
			}
			b->len[t][i] = (uint8_t)cur;
		}
		if (!build(b, t, alpha))
			return false;
	}
	return true;
}

/* The block's symbols, undone into tt (*nblock bytes; unz: how many of
 * each value): runs of the front byte, move-to-front indexes, EOB. */
static bool symbols(struct bz2 *b, unsigned ninuse, uint32_t nsel, uint32_t *nblock, uint32_t unz[256])
{
	uint32_t run = 0, weight = 1, n = 0, max = b->level * 100000u;
	unsigned left = 0, sel = 0, g = 0, eob = ninuse + 1;
	uint8_t mtf[256];

	for (unsigned i = 0; i < 256; i++)
		mtf[i] = (uint8_t)i;
	for (;;) {
		unsigned s;
		if (!left) {
			if (sel >= nsel)
				return fail(b, "a block with more symbols than its selectors cover");
			g = b->selector[sel++];
			left = 50;
		}
		left--;
		if (!symbol(b, g, &s))
			return false;
		if (s <= 1) { /* RUNA, RUNB */
			if (weight > max)
				return fail(b, "a run longer than the block");
			run += (s + 1) * weight;
			weight <<= 1;
			continue;
		}
		if (run) {
			uint8_t c = b->seq[mtf[0]];
			if (run > max - n)
				return fail(b, "a block longer than the stream's block size");
			unz[c] += run;
			while (run--)
				b->tt[n++] = c;
			run = 0;
			weight = 1;
		}
		if (s == eob)
			break;
		if (n >= max)
			return fail(b, "a block longer than the stream's block size");
		uint8_t x = mtf[s - 1];
		RT_FN(memmove)(mtf + 1, mtf, s - 1);
		mtf[0] = x;
		unz[b->seq[x]]++;
		b->tt[n++] = b->seq[x];
	}
	*nblock = n;
	return true;
}

/* The next block's header and symbols, into tt; its inverse transform set
 * up. Or the end of the stream, its CRC checked. */
static bool block(struct bz2 *b)
{
	uint32_t hi, lo, v, origin, nsel, nblock, unz[256] = { 0 };
	unsigned ninuse;

	if (!get(b, 24, &hi) || !get(b, 24, &lo))
		return false;
	if (((uint64_t)hi << 24 | lo) == END_MAGIC) {
		if (!get(b, 32, &v))
			return false;
		if (v != b->stream_crc)
			return fail(b, "the stream's combined CRC does not match its blocks'");
		b->ended = true;
		return true;
	}
	if (((uint64_t)hi << 24 | lo) != BLOCK_MAGIC)
		return fail(b, "neither a block (0x314159265359) nor the stream's end (0x177245385090) follows");
	if (!get(b, 32, &b->block_crc) || !get(b, 1, &v))
		return false;
	if (v)
		return fail(b, "a randomised block (from bzip2 0.9.0 or older), which the kernel's decompressor refuses too");
	if (!get(b, 24, &origin) || !tables(b, &ninuse, &nsel) || !symbols(b, ninuse, nsel, &nblock, unz))
		return false;
	if (origin >= nblock)
		return fail(b, "a block whose origin pointer lies past its end");
	/* the inverse transform: entry i's byte goes to the next free place
	 * of its value in sorted order, which learns that i comes after it */
	for (uint32_t i = 0, sum = 0; i < 256; i++) {
		uint32_t n = unz[i];
		unz[i] = sum;
		sum += n;
	}
	for (uint32_t i = 0; i < nblock; i++)
		b->tt[unz[b->tt[i] & 0xff]++] |= i << 8;
	b->tpos = b->tt[origin] >> 8;
	b->left = nblock;
	b->crc = 0xffffffffu;
	b->last = -1;
	b->run = 0;
	b->rep = 0;
	b->in_block = true;
	return true;
}

enum bz2_ret bz2_read(struct bz2 *b, uint8_t *out, size_t n, size_t *made)
{
	size_t m = 0;
	uint32_t crc = b->crc;

	*made = 0;
	if (b->err)
		return BZ2_ERROR;
	while (m < n) {
		if (b->rep) {
			uint8_t c = (uint8_t)b->last;
			while (b->rep && m < n) {
				out[m++] = c;
				crc = crc << 8 ^ crctab[crc >> 24 ^ c];
				b->rep--;
			}
			continue;
		}
		if (b->left) {
			uint32_t tp = b->tt[b->tpos];
			uint8_t c = (uint8_t)tp;
			b->tpos = tp >> 8;
			b->left--;
			if (b->run == 4) {
				b->rep = c;
				b->run = 0;
				continue;
			}
			if (c == b->last) {
				b->run++;
			} else {
				b->run = 1;
				b->last = c;
			}
			out[m++] = c;
			crc = crc << 8 ^ crctab[crc >> 24 ^ c];
			continue;
		}
		if (b->in_block) {
			b->in_block = false;
			if (~crc != b->block_crc) {
				*made = m;
				fail(b, "a block's CRC does not match its data");
				return BZ2_ERROR;
			}
			b->stream_crc = (b->stream_crc << 1 | b->stream_crc >> 31) ^ b->block_crc;
		}
		if (b->ended)
			break;
		if (!block(b)) {
			*made = m;
			return BZ2_ERROR;
		}
		crc = b->crc;
	}
	b->crc = crc;
	*made = m;
	return b->ended && !b->in_block ? BZ2_END : BZ2_MORE;
}
