/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stream.c - decompressed sources (stream.h) over zlib's inflate (RFC 1952
 * gzip members, windowBits 16 + 15) and libzstd's streaming decompressor
 * (RFC 8878 frames). One frame or member is the whole stream; bytes after
 * it (the LE32 size the kernel's Makefile appends, padding) are not read.
 *
 * Every call into the libraries runs in a quiet section (lib/rt.h: their
 * amd64 builds use the red zone), where no boot service may be called - so
 * they get their memory from an arena allocated before: zlib's state and
 * 32 KiB window through zalloc, zstd's context and window (sized from the
 * frame header by ZSTD_estimateDStreamSize_fromFrame) through a custom
 * allocator. Neither library then calls malloc.
 */
#include "stream.h"

#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* the custom allocator and the size estimate */
#include <zstd.h>

#define IN_CHUNK (64u << 10)
#define SKIP_CHUNK (64u << 10)
/* zlib 1.2.13: an inflate_state of about 7 KiB and a 32 KiB window */
#define GZIP_ARENA (64u << 10)
#define ARENA_SLACK (64u << 10)

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
	uint8_t *arena;           /* the libraries' memory */
	size_t arena_size, arena_used;
	uint8_t in[IN_CHUNK];
};

static struct ld_stream streams[LD_MAX_DEPTH];

static const char *comp_name(enum ld_comp c)
{
	return c == LD_COMP_GZIP ? "gzip" : "zstd";
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

static void stop(struct ld_stream *st)
{
	uintptr_t q = rt_quiet();

	if (st->started && st->comp == LD_COMP_GZIP)
		inflateEnd(&st->z);
	if (st->zs)
		ZSTD_freeDStream(st->zs);
	rt_unquiet(q);
	st->zs = NULL;
	st->started = false;
	if (st->arena)
		RT_FN(free)(st->arena);
	st->arena = NULL;
}

static rt_status refill(struct ld_src *s, struct ld_stream *st, size_t *got);

static rt_status new_arena(struct ld_src *s, struct ld_stream *st, size_t size)
{
	st->arena = RT_FN(malloc)(size);
	st->arena_size = size;
	st->arena_used = 0;
	if (!st->arena)
		return rt_fail(RT_ENOMEM, "inflate", "%s: no memory for %zu KiB of %s state", s->name,
			       size >> 10, st->comp == LD_COMP_GZIP ? "gzip" : "zstd");
	return RT_OK;
}

static rt_status start(struct ld_src *s, struct ld_stream *st)
{
	rt_status rs;
	uintptr_t q;

	stop(st);
	st->in_pos = 0;
	st->pos = 0;
	st->ended = false;
	if (st->comp == LD_COMP_GZIP) {
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
		       s->name, comp_name(st->comp), (unsigned long long)st->pos,
		       (unsigned long long)s->size, (unsigned long long)(st->off + st->in_pos));
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
				       s->name, comp_name(st->comp), (unsigned long long)s->size,
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
	out->size = out_size;
	out->read = stream_read;
	out->stream = st;
	out->parent = NULL;
	return RT_OK;
}

void ld_stream_close(struct ld_src *s)
{
	struct ld_stream *st = s->stream;

	if (!st)
		return;
	stop(st);
	st->parent = NULL;
	s->stream = NULL;
}

void ld_ctx_close(struct ld_ctx *c)
{
	for (unsigned i = 0; i < LD_MAX_DEPTH; i++)
		ld_stream_close(&c->src[i]);
}
