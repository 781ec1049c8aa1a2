/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * stream.h - a decompressed image as a source (boot/loader.h), inflated
 * on demand with Debian's zlib (gzip), libzstd (zstd), liblzma (xz,
 * lzma), liblz4 (lz4's legacy frame) and liblzo2 (lzop), or efikexec's own
 * bzip2 decoder (bunzip2.h): a loader reads it
 * forwards, span by span, straight into the kernel's destination pages; a
 * read before the stream's position starts it again (the probe reads the
 * head first, the load then reads from 0).
 *
 * Their memory (zlib's 32 KiB window; zstd's window, up to 128 MiB for
 * `zstd -22 --ultra`) comes from malloc, which lib/heap.c serves from the
 * platform's pool in firmware.
 */
#ifndef EFIKEXEC_STREAM_H
#define EFIKEXEC_STREAM_H

#include "loader.h"

enum ld_comp { LD_COMP_GZIP, LD_COMP_ZSTD, LD_COMP_XZ, LD_COMP_LZMA, LD_COMP_LZ4, LD_COMP_LZO, LD_COMP_BZIP2 };

/* "gzip", "zstd", "xz", "lzma", "lz4" (its legacy frame), "lzo" (lzop),
 * "bzip2". */
const char *ld_comp_name(enum ld_comp c);
/* The format of compressed data from its first n bytes (magic numbers);
 * false: none efikexec decompresses. */
bool ld_comp_detect(const uint8_t *p, size_t n, enum ld_comp *c);

/*
 * Makes `out` the decompression of [off, off + len) of `parent` in format
 * `comp`, expected to be exactly `out_size` bytes: a stream that ends
 * earlier, is corrupt, or goes on past out_size is an error naming `out`'s
 * name and the offset. The state is one per depth of the loader context.
 */
rt_status ld_stream_open(struct ld_src *out, struct ld_src *parent, uint64_t off, uint64_t len,
			 enum ld_comp comp, uint64_t out_size);
/* `s` will be read whole, forwards, after its head: a zstd stream is then
 * decoded at once into one buffer of its size (faster; the memory of the
 * decompressed image) on the first read past the head. */
void ld_stream_whole(struct ld_src *s);
/* Frees what the stream of `s` holds (nothing when it is no stream). */
void ld_stream_close(struct ld_src *s);
/* Closes every stream of the context (after the kernel was read). */
void ld_ctx_close(struct ld_ctx *c);
/* The same just before the jump to the kernel: the streams' memory is
 * not given back (the kernel gets it as the loader's data, free RAM to it),
 * since giving back the 128 MiB window of a kernel's zstd costs OVMF a
 * third of a second under TCG. */
void ld_ctx_abandon(struct ld_ctx *c);

#endif
