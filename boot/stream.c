/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stream.c - decompressed sources (stream.h) over zlib's inflate (RFC 1952
 * gzip members, windowBits 16 + 15), libzstd's streaming decompressor
 * (RFC 8878 frames) and liblzma's decoders (.xz streams, the kernel's
 * xzkern; the legacy .lzma format, the kernel's lzma). One frame, member or
 * stream is the whole stream; bytes after it (the LE32 size the kernel's
 * Makefile appends, padding) are not read.
 * The kernel's three block formats (lz4, lzo, bzip2) are stream-blocks.c's.
 *
 * Every call into the libraries runs in a quiet section (lib/rt.h: their
 * amd64 builds use the red zone), where no boot service may be called - so
 * they get their memory from an arena allocated before: zlib's state and
 * 32 KiB window through zalloc, zstd's context and window (sized from the
 * frame header by ZSTD_estimateDStreamSize_fromFrame) through a custom
 * allocator; liblzma's dictionary (sized from the LZMA2 filter's properties
 * in the first block header, or the .lzma header's dictionary size) and
 * state through its lzma_allocator. None of the libraries then calls malloc.
 */
#include "stream.h"

#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* the custom allocator and the size estimate */
#include <zstd.h>
#include <zstd_errors.h>
#include <lzma.h>

#include "stream-blocks.h"

#define IN_CHUNK (64u << 10)
#define SKIP_CHUNK (64u << 10)
/* zlib 1.2.13: an inflate_state of about 7 KiB and a 32 KiB window */
#define GZIP_ARENA (64u << 10)
#define ARENA_SLACK (64u << 10)
/* liblzma beside its dictionary: the LZMA decoder's probabilities (6 MiB at
 * lc + lp 12, 24 KiB as the kernel's xz and lzma write) and small state */
#define LZMA_STATE_ROOM (7u << 20)
/* as zstd's default window limit: 2^27 bytes (xz -9 uses 64 MiB) */
#define LZMA_DICT_MAX (1ull << 27)
struct ld_stream {
	struct ld_src *parent;
	uint64_t off, len;        /* the compressed bytes in parent */
	enum ld_comp comp;
	uint64_t in_pos;          /* compressed bytes consumed into inbuf */
	uint64_t pos;             /* decompressed bytes produced */
	bool started, ended;
	z_stream z;
	ZSTD_DStream *zs;
	ZSTD_inBuffer zin;
	lzma_stream lz;
	lzma_allocator lz_alloc;
	bool whole_ok;            /* read whole, forwards: zstd decoded at once (ld_stream_whole) */
	uint8_t *all;             /* then all of it, s->size bytes */
	uint8_t *arena;           /* the libraries' memory */
	struct ld_blocks b;       /* lz4, lzo, bzip2 (stream-blocks.h) */
	size_t arena_size, arena_used;
	uint8_t in[IN_CHUNK];
};

static struct ld_stream streams[LD_MAX_DEPTH];

static const char *const comp_names[] = {
	[LD_COMP_GZIP] = "gzip", [LD_COMP_ZSTD] = "zstd", [LD_COMP_XZ] = "xz", [LD_COMP_LZMA] = "lzma",
	[LD_COMP_LZ4] = "lz4", [LD_COMP_LZO] = "lzo", [LD_COMP_BZIP2] = "bzip2",
};

const char *ld_comp_name(enum ld_comp c)
{
	return c < sizeof(comp_names) / sizeof(comp_names[0]) && comp_names[c] ? comp_names[c] : "?";
}

bool ld_comp_detect(const uint8_t *p, size_t n, enum ld_comp *c)
{
	/* RFC 1952 ID1 ID2 CM; RFC 8878 magic 0xFD2FB528; the .xz stream
	 * header magic (xz-file-format 2.1.1.1); a .lzma header: the
	 * properties byte (lc, lp, pb: < 225) then a dictionary size, as
	 * the kernel's lzma_alone output begins 5d 00 (lc 3, lp 0, pb 2); lz4's
	 * legacy frame; lzop's magic; bzip2's "BZh" and its block size */
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		*c = LD_COMP_GZIP;
	else if (n >= 4 && ld_rd32(p) == 0xfd2fb528u)
		*c = LD_COMP_ZSTD;
	else if (n >= 6 && !RT_FN(memcmp)(p, "\xfd" "7zXZ\0", 6))
		*c = LD_COMP_XZ;
	else if (n >= 13 && p[0] == 0x5d && p[1] == 0)
		*c = LD_COMP_LZMA;
	else if (!ld_blocks_detect(p, n, c))
		return false;
	return true;
}

/* The arena: bump allocation, freed whole with the stream. */
static void *arena_alloc(void *opaque, size_t n)
{
	struct ld_stream *st = opaque;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > st->arena_size - st->arena_used)
		return NULL;
	p = st->arena + st->arena_used;
	st->arena_used += n;
	return p;
}

static void arena_free(void *opaque, void *p)
{
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	return arena_alloc(opaque, (size_t)items * size);
}

static void *lz_alloc(void *opaque, size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size)
		return NULL;
	return arena_alloc(opaque, nmemb * size);
}

static void stop(struct ld_stream *st)
{
	uintptr_t q = rt_quiet();

	if (st->started && st->comp == LD_COMP_GZIP)
		inflateEnd(&st->z);
	if (st->zs)
		ZSTD_freeDStream(st->zs);
	if (st->started && (st->comp == LD_COMP_XZ || st->comp == LD_COMP_LZMA))
		lzma_end(&st->lz);
	rt_unquiet(q);
	st->zs = NULL;
	st->started = false;
	/* the arena stays for a restart: freeing 128 MiB costs OVMF about as
	 * much as decompressing the kernel (it re-protects every page) */
}

static rt_status refill(struct ld_src *s, struct ld_stream *st, size_t *got);

static rt_status new_arena(struct ld_src *s, struct ld_stream *st, size_t size)
{
	if (st->arena && st->arena_size >= size) {
		st->arena_used = 0;
		return RT_OK;
	}
	if (st->arena)
		RT_FN(free)(st->arena);
	st->arena = RT_FN(malloc)(size);
	st->arena_size = size;
	st->arena_used = 0;
	if (!st->arena)
		return rt_fail(RT_ENOMEM, "inflate", "%s: no memory for %zu KiB of %s state", s->name,
			       size >> 10, ld_comp_name(st->comp));
	return RT_OK;
}

static const char *lzma_error(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "needs more memory than its header said";
	case LZMA_FORMAT_ERROR:
		return "not the format it claims";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_DATA_ERROR:
		return "corrupt data";
	case LZMA_BUF_ERROR:
		return "the data ends early";
	case LZMA_UNSUPPORTED_CHECK:
		return "unsupported integrity check";
	default:
		return "liblzma error";
	}
}

/* A .xz multibyte integer (xz-file-format 1.2): at most 9 bytes. */
static bool xz_varint(const uint8_t *p, size_t end, size_t *at, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < 9 && *at < end; i++) {
		uint8_t b = p[(*at)++];
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return !(i && !b);
	}
	return false;
}

/*
 * The dictionary a .xz or .lzma stream needs, from its first bytes: an
 * .xz stream's first block header (after the 12-byte stream header: size
 * byte, flags, optional sizes, filter flags) holds the LZMA2 filter, whose
 * one property byte p names a dictionary of (2 | (p & 1)) << (p / 2 + 11)
 * bytes (xz-file-format 5.3.1); a .lzma header is the properties byte,
 * then the dictionary size as LE32. A stream with no block needs none.
 */
static rt_status lzma_dict_size(struct ld_src *s, struct ld_stream *st, size_t got, uint64_t *dict)
{
	const uint8_t *p = st->in;
	size_t at = 13, end;
	uint64_t v, id, psize;
	unsigned nfilters;

	*dict = 0;
	if (st->comp == LD_COMP_LZMA) {
		if (got < 13 || p[0] >= 9 * 5 * 5)
			return rt_fail(RT_ENOEXEC, "inflate", "%s: no .lzma header at input offset %#llx", s->name,
				       (unsigned long long)st->off);
		*dict = ld_rd32(p + 1);
		if (*dict > LZMA_DICT_MAX)
			goto big;
		return RT_OK;
	}
	if (got < 13 || RT_FN(memcmp)(p, "\xfd" "7zXZ\0", 6))
		return rt_fail(RT_ENOEXEC, "inflate", "%s: no .xz stream header at input offset %#llx", s->name,
			       (unsigned long long)st->off);
	if (!p[12])
		return RT_OK; /* the index: no block */
	end = 12 + ((size_t)p[12] + 1) * 4;
	if (end > got)
		goto bad;
	nfilters = (p[13] & 3) + 1;
	at = 14;
	if ((p[13] & 0x40) && !xz_varint(p, end, &at, &v))
		goto bad;
	if ((p[13] & 0x80) && !xz_varint(p, end, &at, &v))
		goto bad;
	for (unsigned i = 0; i < nfilters; i++) {
		if (!xz_varint(p, end, &at, &id) || !xz_varint(p, end, &at, &psize) || psize > end - at)
			goto bad;
		if (id == 0x21 && psize == 1) { /* LZMA2 */
			if (p[at] > 40)
				goto bad;
			*dict = p[at] == 40 ? 0xffffffffull : (2ull | (p[at] & 1)) << (p[at] / 2 + 11);
		}
		at += (size_t)psize;
	}
	if (!*dict)
		goto bad;
	if (*dict > LZMA_DICT_MAX)
		goto big;
	return RT_OK;
big:
	return rt_fail(RT_E2BIG, "inflate", "%s: the %s stream wants a %llu MiB dictionary, more than the %llu MiB efikexec gives one",
		       s->name, ld_comp_name(st->comp), (unsigned long long)(*dict >> 20),
		       (unsigned long long)(LZMA_DICT_MAX >> 20));
bad:
	return rt_fail(RT_ENOEXEC, "inflate", "%s: the first block header of the xz stream at input offset %#llx is malformed or has no LZMA2 filter",
		       s->name, (unsigned long long)st->off);
}

static rt_status start(struct ld_src *s, struct ld_stream *st)
{
	rt_status rs;
	uintptr_t q;

	stop(st);
	st->in_pos = 0;
	st->pos = 0;
	st->ended = false;
	if (ld_blocks_format(st->comp)) {
		if ((rs = ld_blocks_start(&st->b, s)) != RT_OK)
			return rs;
		st->in_pos = st->len;
	} else if (st->comp == LD_COMP_GZIP) {
		int zr;
		if ((rs = new_arena(s, st, GZIP_ARENA)) != RT_OK)
			return rs;
		RT_FN(memset)(&st->z, 0, sizeof(st->z));
		st->z.zalloc = z_alloc;
		st->z.zfree = arena_free;
		st->z.opaque = st;
		q = rt_quiet();
		zr = inflateInit2(&st->z, 16 + MAX_WBITS);
		rt_unquiet(q);
		if (zr != Z_OK)
			return rt_fail(RT_ENOMEM, "inflate", "%s: cannot start zlib's inflate", s->name);
	} else if (st->comp == LD_COMP_XZ || st->comp == LD_COMP_LZMA) {
		size_t got;
		uint64_t dict;
		lzma_ret lr;
		if ((rs = refill(s, st, &got)) != RT_OK)
			return rs;
		rs = lzma_dict_size(s, st, got, &dict);
		if (rs != RT_OK)
			return rs;
		/* the dictionary, the decoder's probabilities (at most 6 MiB, lc +
		 * lp 12) and the stream's small state */
		if ((rs = new_arena(s, st, (size_t)dict + LZMA_STATE_ROOM)) != RT_OK)
			return rs;
		st->lz = (lzma_stream)LZMA_STREAM_INIT;
		st->lz_alloc = (lzma_allocator){ lz_alloc, arena_free, st };
		st->lz.allocator = &st->lz_alloc;
		st->lz.next_in = st->in;
		st->lz.avail_in = got;
		q = rt_quiet();
		if (st->comp == LD_COMP_XZ)
			lr = lzma_stream_decoder(&st->lz, st->arena_size, 0);
		else
			lr = lzma_alone_decoder(&st->lz, st->arena_size);
		rt_unquiet(q);
		if (lr != LZMA_OK)
			return rt_fail(RT_ENOMEM, "inflate", "%s: cannot start liblzma's %s decoder (%s)", s->name,
				       ld_comp_name(st->comp), lzma_error(lr));
	} else {
		/* the frame header says how large a window it needs (the kernel's
		 * zstd22 is `zstd -22 --ultra`: up to 2^27 bytes, zstd's default
		 * limit, which stays) */
		size_t got, need;
		ZSTD_customMem mem = { arena_alloc, arena_free, st };
		if ((rs = refill(s, st, &got)) != RT_OK)
			return rs;
		st->zin = (ZSTD_inBuffer){ st->in, got, 0 };
		q = rt_quiet();
		need = ZSTD_estimateDStreamSize_fromFrame(st->in, got);
		rt_unquiet(q);
		if (ZSTD_isError(need))
			return rt_fail(RT_ENOEXEC, "inflate", "%s: no zstd frame header at input offset %#llx: %s",
				       s->name, (unsigned long long)st->off, ZSTD_getErrorName(need));
		if ((rs = new_arena(s, st, need + ARENA_SLACK)) != RT_OK)
			return rs;
		q = rt_quiet();
		st->zs = ZSTD_createDStream_advanced(mem);
		rt_unquiet(q);
		if (!st->zs)
			return rt_fail(RT_ENOMEM, "inflate", "%s: cannot start a zstd stream", s->name);
	}
	st->started = true;
	return RT_OK;
}

/* More compressed input into st->in; *got 0: none left. */
static rt_status refill(struct ld_src *s, struct ld_stream *st, size_t *got)
{
	uint64_t n = st->len - st->in_pos;
	rt_status rs;

	if (n > IN_CHUNK)
		n = IN_CHUNK;
	*got = (size_t)n;
	if (!n)
		return RT_OK;
	rs = st->parent->read(st->parent, st->off + st->in_pos, st->in, n);
	st->in_pos += n;
	return rs;
}

/* Produces up to `len` bytes into buf; *made says how many (less only at
 * the stream's end). */
static rt_status produce(struct ld_src *s, struct ld_stream *st, uint8_t *buf, size_t len, size_t *made)
{
	*made = 0;
	if (ld_blocks_format(st->comp)) {
		rt_status rs = ld_blocks_produce(&st->b, s, st->pos, buf, len, made);
		st->ended = st->b.ended;
		st->pos += *made;
		return rs;
	}
	while (*made < len && !st->ended) {
		size_t got = 1;
		uintptr_t q;
		rt_status rs;
		if (st->comp == LD_COMP_GZIP) {
			int zr;
			if (!st->z.avail_in) {
				if ((rs = refill(s, st, &got)) != RT_OK)
					return rs;
				st->z.next_in = st->in;
				st->z.avail_in = (uInt)got;
			}
			st->z.next_out = buf + *made;
			st->z.avail_out = (uInt)(len - *made);
			q = rt_quiet();
			zr = inflate(&st->z, Z_NO_FLUSH);
			rt_unquiet(q);
			*made = len - st->z.avail_out;
			if (zr == Z_STREAM_END) {
				st->ended = true;
			} else if (zr == Z_BUF_ERROR && !got) {
				break; /* input exhausted before the end */
			} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
				return rt_fail(RT_ENOEXEC, "inflate",
					       "%s: corrupt gzip data near input offset %#llx (output offset %#llx): %s",
					       s->name, (unsigned long long)(st->off + st->in_pos - st->z.avail_in),
					       (unsigned long long)(st->pos + *made),
					       st->z.msg ? st->z.msg : "zlib error");
			}
		} else if (st->comp == LD_COMP_XZ || st->comp == LD_COMP_LZMA) {
			lzma_ret lr;
			if (!st->lz.avail_in) {
				if ((rs = refill(s, st, &got)) != RT_OK)
					return rs;
				st->lz.next_in = st->in;
				st->lz.avail_in = got;
			}
			st->lz.next_out = buf + *made;
			st->lz.avail_out = len - *made;
			q = rt_quiet();
			lr = lzma_code(&st->lz, got ? LZMA_RUN : LZMA_FINISH);
			rt_unquiet(q);
			*made = len - st->lz.avail_out;
			if (lr == LZMA_STREAM_END)
				st->ended = true;
			else if (lr == LZMA_BUF_ERROR && !got)
				break; /* input exhausted before the end */
			else if (lr != LZMA_OK)
				return rt_fail(RT_ENOEXEC, "inflate",
					       "%s: corrupt %s data near input offset %#llx (output offset %#llx): %s",
					       s->name, ld_comp_name(st->comp),
					       (unsigned long long)(st->off + st->in_pos - st->lz.avail_in),
					       (unsigned long long)(st->pos + *made), lzma_error(lr));
		} else {
			ZSTD_outBuffer out = { buf, len, *made };
			size_t zr;
			if (st->zin.pos == st->zin.size) {
				if ((rs = refill(s, st, &got)) != RT_OK)
					return rs;
				st->zin = (ZSTD_inBuffer){ st->in, got, 0 };
			}
			q = rt_quiet();
			zr = ZSTD_decompressStream(st->zs, &out, &st->zin);
			rt_unquiet(q);
			*made = out.pos;
			if (ZSTD_isError(zr))
				return rt_fail(RT_ENOEXEC, "inflate",
					       "%s: corrupt zstd data near input offset %#llx (output offset %#llx): %s",
					       s->name, (unsigned long long)(st->off + st->in_pos - (st->zin.size - st->zin.pos)),
					       (unsigned long long)(st->pos + *made), ZSTD_getErrorName(zr));
			if (zr == 0)
				st->ended = true;
			else if (!got)
				break;
		}
	}
	st->pos += *made;
	return RT_OK;
}

static rt_status early_end(struct ld_src *s, struct ld_stream *st)
{
	return rt_fail(RT_ETRUNC, "inflate",
		       "%s: the %s stream ends early: %llu of %llu bytes, at input offset %#llx",
		       s->name, ld_comp_name(st->comp), (unsigned long long)st->pos,
		       (unsigned long long)s->size, (unsigned long long)(st->off + st->in_pos));
}

/* The one-shot decode of decode_whole: its compressed bytes, `in`, into
 * st->all - its first frame only, as the kernel's own preboot decompressor
 * takes it (lib/decompress_unzstd.c sizes the frame with
 * ZSTD_findFrameCompressedSize, the LE32 size after it not being zstd). */
static rt_status decode_frame(struct ld_src *s, struct ld_stream *st, const uint8_t *in)
{
	ZSTD_customMem mem = { arena_alloc, arena_free, st };
	size_t need, frame, zr = 0;
	ZSTD_DCtx *dc;
	rt_status rs;
	uintptr_t q;

	q = rt_quiet();
	need = ZSTD_estimateDCtxSize();
	frame = ZSTD_findFrameCompressedSize(in, (size_t)st->len);
	rt_unquiet(q);
	if (ZSTD_isError(frame))
		return rt_fail(RT_ENOEXEC, "inflate", "%s: no whole zstd frame in its %llu bytes at %#llx: %s", s->name,
			       (unsigned long long)st->len, (unsigned long long)st->off, ZSTD_getErrorName(frame));
	if ((rs = new_arena(s, st, need + ARENA_SLACK)) != RT_OK)
		return rs;
	q = rt_quiet();
	dc = ZSTD_createDCtx_advanced(mem);
	if (dc) {
		zr = ZSTD_decompressDCtx(dc, st->all, (size_t)s->size, in, frame);
		ZSTD_freeDCtx(dc);
	}
	rt_unquiet(q);
	if (!dc)
		return rt_fail(RT_ENOMEM, "inflate", "%s: cannot start a zstd decoder", s->name);
	if (ZSTD_getErrorCode(zr) == ZSTD_error_dstSize_tooSmall)
		return rt_fail(RT_E2BIG, "inflate", "%s: the zstd stream inflates past the %llu bytes expected (%zu bytes at input offset %#llx)",
			       s->name, (unsigned long long)s->size, frame, (unsigned long long)st->off);
	if (ZSTD_isError(zr))
		return rt_fail(RT_ENOEXEC, "inflate", "%s: corrupt zstd data in the frame of %zu bytes at input offset %#llx: %s",
			       s->name, frame, (unsigned long long)st->off, ZSTD_getErrorName(zr));
	st->pos = zr;
	if (zr < s->size)
		return rt_fail(RT_ETRUNC, "inflate", "%s: the zstd stream ends early: %zu of %llu bytes (%zu bytes at input offset %#llx)",
			       s->name, zr, (unsigned long long)s->size, frame, (unsigned long long)st->off);
	st->ended = true;
	return RT_OK;
}

/*
 * A zstd stream read whole, forwards (ld_stream_whole): its compressed
 * bytes read at once and decoded at once into one buffer, as the kernel's
 * own decompressor decodes (ZSTD_decompressDCtx) - no window of up to 128
 * MiB and no copy out of it, which took twice as long under TCG. For
 * Debian's 6.12 (54 MiB) under TCG, zstd took 465 ms this way and 515 ms
 * streamed into a stable output buffer 64 KiB of input at a time. Not
 * enough memory: streamed as before.
 */
static rt_status decode_whole(struct ld_src *s, struct ld_stream *st)
{
	uint8_t *in = NULL;
	rt_status rs;

	if (s->size > (size_t)-1 || st->len > (size_t)-1 || !(st->all = RT_FN(malloc)((size_t)s->size)) ||
	    !(in = RT_FN(malloc)((size_t)st->len))) {
		RT_FN(free)(st->all);
		st->all = NULL;
		st->whole_ok = false;
		return RT_OK;
	}
	stop(st);
	st->ended = false;
	rs = st->parent->read(st->parent, st->off, in, st->len);
	st->in_pos = st->len;
	if (rs == RT_OK)
		rs = decode_frame(s, st, in);
	RT_FN(free)(in);
	if (rs != RT_OK) {
		RT_FN(free)(st->all);
		st->all = NULL;
		st->whole_ok = false;
	}
	return rs;
}

static rt_status stream_read(struct ld_src *s, uint64_t off, void *buf, uint64_t len)
{
	struct ld_stream *st = s->stream;
	static uint8_t skip[SKIP_CHUNK];
	size_t made;
	rt_status rs;

	if (off > s->size || len > s->size - off)
		return rt_fail(RT_ETRUNC, "inflate", "%s: read of %llu bytes at %#llx, past its %llu bytes",
			       s->name, (unsigned long long)len, (unsigned long long)off,
			       (unsigned long long)s->size);
	/* a read inside the head already read (a probe's second look, the
	 * ELF's program headers) is served from it, not by a restart */
	if (off < st->pos && s->head && buf != s->head && off + len <= s->head_len) {
		RT_FN(memcpy)(buf, s->head + off, (size_t)len);
		return RT_OK;
	}
	if (st->whole_ok && !st->all && (rs = decode_whole(s, st)) != RT_OK)
		return rs;
	if (st->all) {
		RT_FN(memcpy)(buf, st->all + off, (size_t)len);
		return RT_OK;
	}
	if (!st->started || off < st->pos)
		if ((rs = start(s, st)) != RT_OK)
			return rs;
	while (st->pos < off) {
		uint64_t n = off - st->pos < SKIP_CHUNK ? off - st->pos : SKIP_CHUNK;
		if ((rs = produce(s, st, skip, (size_t)n, &made)) != RT_OK)
			return rs;
		if (made < n)
			return early_end(s, st);
	}
	while (len) {
		size_t n = len > (1u << 30) ? 1u << 30 : (size_t)len;
		if ((rs = produce(s, st, buf, n, &made)) != RT_OK)
			return rs;
		if (made < n)
			return early_end(s, st);
		buf = (uint8_t *)buf + made;
		len -= made;
	}
	/* at the end: the stream must end here too */
	if (st->pos == s->size && !st->ended) {
		uint8_t one;
		if ((rs = produce(s, st, &one, 1, &made)) != RT_OK)
			return rs;
		if (made)
			return rt_fail(RT_E2BIG, "inflate",
				       "%s: the %s stream inflates past the %llu bytes expected (input offset %#llx)",
				       s->name, ld_comp_name(st->comp), (unsigned long long)s->size,
				       (unsigned long long)(st->off + st->in_pos));
	}
	return RT_OK;
}

rt_status ld_stream_open(struct ld_src *out, struct ld_src *parent, uint64_t off, uint64_t len,
			 enum ld_comp comp, uint64_t out_size)
{
	struct ld_stream *st = NULL;

	for (unsigned i = 0; i < LD_MAX_DEPTH; i++)
		if (!streams[i].parent) {
			st = &streams[i];
			break;
		}
	if (!st)
		return rt_fail(RT_E2BIG, "inflate", "%s: more than %d streams at once", parent->name, LD_MAX_DEPTH);
	if (off > parent->size || len > parent->size - off)
		return rt_fail(RT_ETRUNC, "inflate", "%s: compressed data [%#llx, %#llx) ends past its %llu bytes",
			       parent->name, (unsigned long long)off, (unsigned long long)(off + len),
			       (unsigned long long)parent->size);
	*st = (struct ld_stream){ .parent = parent, .off = off, .len = len, .comp = comp };
	st->b = (struct ld_blocks){ .parent = parent, .off = off, .len = len, .comp = comp };
	out->size = out_size;
	out->read = stream_read;
	out->stream = st;
	out->parent = NULL;
	return RT_OK;
}

static void close_stream(struct ld_src *s, bool keep_memory)
{
	struct ld_stream *st = s->stream;

	if (!st)
		return;
	stop(st);
	if (!keep_memory) {
		RT_FN(free)(st->arena);
		RT_FN(free)(st->all);
	}
	ld_blocks_free(&st->b, keep_memory);
	st->arena = NULL;
	st->all = NULL;
	st->whole_ok = false;
	st->parent = NULL;
	s->stream = NULL;
}

void ld_stream_whole(struct ld_src *s)
{
	struct ld_stream *st = s->stream;

	if (st && st->comp == LD_COMP_ZSTD)
		st->whole_ok = true;
}

void ld_stream_close(struct ld_src *s)
{
	close_stream(s, false);
}

void ld_ctx_close(struct ld_ctx *c)
{
	for (unsigned i = 0; i < LD_MAX_DEPTH; i++)
		close_stream(&c->src[i], false);
}

void ld_ctx_abandon(struct ld_ctx *c)
{
	for (unsigned i = 0; i < LD_MAX_DEPTH; i++)
		close_stream(&c->src[i], true);
}
