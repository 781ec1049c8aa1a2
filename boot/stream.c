/*
 * stream.c - decompressed sources (stream.h) over zlib's inflate (RFC 1952
 * gzip members, windowBits 16 + 15) and libzstd's streaming decompressor
 * (RFC 8878 frames). One frame or member is the whole stream; bytes after
 * it (the LE32 size the kernel's Makefile appends, padding) are not read.
 */
#include "stream.h"

#include <zlib.h>
#include <zstd.h>

#define IN_CHUNK (64u << 10)
#define SKIP_CHUNK (64u << 10)

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
	uint8_t in[IN_CHUNK];
};

static struct ld_stream streams[LD_MAX_DEPTH];

static const char *comp_name(enum ld_comp c)
{
	return c == LD_COMP_GZIP ? "gzip" : "zstd";
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	return RT_FN(malloc)((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
	RT_FN(free)(p);
}

static void stop(struct ld_stream *st)
{
	if (st->started && st->comp == LD_COMP_GZIP)
		inflateEnd(&st->z);
	if (st->zs)
		ZSTD_freeDStream(st->zs);
	st->zs = NULL;
	st->started = false;
}

static rt_status start(struct ld_src *s, struct ld_stream *st)
{
	stop(st);
	st->in_pos = 0;
	st->pos = 0;
	st->ended = false;
	if (st->comp == LD_COMP_GZIP) {
		RT_FN(memset)(&st->z, 0, sizeof(st->z));
		st->z.zalloc = z_alloc;
		st->z.zfree = z_free;
		if (inflateInit2(&st->z, 16 + MAX_WBITS) != Z_OK)
			return rt_fail(RT_ENOMEM, "inflate", "%s: cannot start zlib's inflate", s->name);
	} else {
		st->zs = ZSTD_createDStream();
		if (!st->zs)
			return rt_fail(RT_ENOMEM, "inflate", "%s: cannot start a zstd stream", s->name);
		/* the kernel's zstd22 is `zstd -22 --ultra`: windows up to
		 * 2^27 bytes, zstd's default limit; nothing larger is asked */
		st->zin = (ZSTD_inBuffer){ st->in, 0, 0 };
	}
	st->started = true;
	return RT_OK;
}

/* More compressed input into st->in; false: none left. */
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
			zr = inflate(&st->z, Z_NO_FLUSH);
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
			zr = ZSTD_decompressStream(st->zs, &out, &st->zin);
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
