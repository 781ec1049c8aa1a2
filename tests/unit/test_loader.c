/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_loader.c - the loader table (boot/loader.h) over images built here:
 * a bzImage, an arm64 Image, a UKI around each, gzip and EFI zboot (gzip,
 * zstd, lz4 and lzo, made with the host's zlib, libzstd, liblz4 and
 * liblzo2) around an arm64 Image, bzImage payloads in every compression
 * the kernel's Makefile writes (bzip2 with the host's libbz2),
 * an x86_64 ELF vmlinux; and the bad inputs each must name: what every
 * loader found, a section past the file's end, a stream cut short or
 * corrupt, an unknown compression, ELF32, overlapping PT_LOADs, a kernel
 * for the other architecture.
 */
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include "../../boot/stream.h"
#include "../../boot/bzimage.h"
#include "test.h"

static struct ld_ctx ctx;

/* --- images ------------------------------------------------------------------- */

#define BZ_SETUP_SECTS 3
#define BZ_PAYLOAD (64u << 10)

static uint8_t *make_bzimage(size_t *len)
{
	size_t n = (BZ_SETUP_SECTS + 1) * 512 + BZ_PAYLOAD;
	uint8_t *b = calloc(1, n);

	test_bzimage_header(b, BZ_SETUP_SECTS, BZ_PAYLOAD, 0x400000);
	w16(b, 0x20e, 0x300); /* kernel_version: at 0x500 */
	memcpy(b + 0x500, "6.1.0-test (x@y) #1 SMP", 24);
	for (size_t i = (BZ_SETUP_SECTS + 1) * 512; i < n; i++)
		b[i] = (uint8_t)(i * 7);
	*len = n;
	return b;
}

#define A64_FILE (96u << 10)
#define A64_IMAGE_SIZE (256u << 10)

/* An arm64 Image of A64_FILE bytes; padded to image_size when `pad`, as a
 * zboot payload is. */
static uint8_t *make_arm64(size_t *len, bool pad)
{
	size_t n = pad ? A64_IMAGE_SIZE : A64_FILE;
	uint8_t *b = calloc(1, n);

	w64(b, 0x08, 0);
	w64(b, 0x10, A64_IMAGE_SIZE);
	w64(b, 0x18, 0xa); /* 4 KiB pages, anywhere */
	w32(b, 0x38, 0x644d5241);
	uint64_t r = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0x40; i < A64_FILE; i++)
		b[i] = i & 0x100 ? (uint8_t)rnd_next(&r) : (uint8_t)(i >> 10); /* half noise */
	*len = n;
	return b;
}

static uint8_t *gzip_of(const uint8_t *in, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = compressBound((uLong)len) + 64;
	uint8_t *out = malloc(cap);

	CHECK(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static uint8_t *zstd_of(const uint8_t *in, size_t len, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(len);
	uint8_t *out = malloc(cap);

	*out_len = ZSTD_compress(out, cap, in, len, 19);
	CHECK(!ZSTD_isError(*out_len));
	return out;
}

/* lz4's legacy frame, as `lz4 -l` writes it (blocks of 8 MiB there; of
 * `blk` bytes here, to have several). */
static uint8_t *lz4_of(const uint8_t *in, size_t len, size_t blk, size_t *out_len)
{
	size_t cap = 4 + (len / blk + 1) * (4 + LZ4_COMPRESSBOUND(blk)), n = 4;
	uint8_t *out = malloc(cap);

	w32(out, 0, 0x184c2102u);
	for (size_t at = 0; at < len; at += blk) {
		int k = (int)(len - at < blk ? len - at : blk);
		int c = LZ4_compress_default((const char *)in + at, (char *)out + n + 4, k, LZ4_COMPRESSBOUND(k));
		CHECK(c > 0);
		w32(out, n, (uint32_t)c);
		n += 4 + (size_t)c;
	}
	*out_len = n;
	return out;
}

static void be32_at(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* An lzop file (lzop 1.04's layout) of `in` in blocks of `blk` bytes, with
 * the checksums `flags` asks for (1 Adler-32 of the data, 2 of the
 * compressed bytes, 0x100 and 0x200 the same as CRC-32, 0x1000 the header's
 * as CRC-32); incompressible blocks stored. */
static uint8_t *lzop_of(const uint8_t *in, size_t len, size_t blk, uint32_t flags, size_t *out_len)
{
	static const uint8_t magic[9] = { 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a };
	size_t cap = 64 + (len / blk + 1) * (28 + blk + blk / 16 + 67), n = 9, h;
	uint8_t *out = malloc(cap), *wrk = malloc(LZO1X_1_MEM_COMPRESS);
	uint32_t sum;

	CHECK(lzo_init() == LZO_E_OK);
	memcpy(out, magic, 9);
	h = n;
	out[n++] = 0x10, out[n++] = 0x40;        /* version 0x1040 */
	out[n++] = 0x20, out[n++] = 0xa0;        /* liblzo2 2.10 */
	out[n++] = 0x09, out[n++] = 0x40;        /* needed to extract */
	out[n++] = 1;                            /* M_LZO1X_1 */
	out[n++] = 5;                            /* level */
	be32_at(out + n, flags), n += 4;
	be32_at(out + n, 0100644), n += 4;       /* mode */
	be32_at(out + n, 0), n += 4;             /* mtime */
	be32_at(out + n, 0), n += 4;
	out[n++] = 3;                            /* the name */
	memcpy(out + n, "vml", 3), n += 3;
	sum = flags & 0x1000 ? (uint32_t)crc32(0, out + h, (uInt)(n - h)) : (uint32_t)adler32(1, out + h, (uInt)(n - h));
	be32_at(out + n, sum), n += 4;
	for (size_t at = 0; at < len; at += blk) {
		size_t k = len - at < blk ? len - at : blk;
		lzo_uint c = 0;
		uint8_t *tmp = malloc(k + k / 16 + 67);
		CHECK(lzo1x_1_compress(in + at, k, tmp, &c, wrk) == LZO_E_OK);
		if (c >= k) { /* stored */
			c = k;
			memcpy(tmp, in + at, k);
		}
		be32_at(out + n, (uint32_t)k), n += 4;
		be32_at(out + n, (uint32_t)c), n += 4;
		if (flags & 1)
			be32_at(out + n, (uint32_t)adler32(1, in + at, (uInt)k)), n += 4;
		if (flags & 0x100)
			be32_at(out + n, (uint32_t)crc32(0, in + at, (uInt)k)), n += 4;
		if ((flags & 2) && c < k)
			be32_at(out + n, (uint32_t)adler32(1, tmp, (uInt)c)), n += 4;
		if ((flags & 0x200) && c < k)
			be32_at(out + n, (uint32_t)crc32(0, tmp, (uInt)c)), n += 4;
		memcpy(out + n, tmp, c), n += c;
		free(tmp);
	}
	be32_at(out + n, 0), n += 4;
	free(wrk);
	*out_len = n;
	return out;
}

/* bzip2 -9, by libbz2. */
static uint8_t *bzip2_of(const uint8_t *in, size_t len, int level, size_t *out_len)
{
	unsigned cap = (unsigned)(len + len / 100 + 600);
	uint8_t *out = malloc(cap);

	CHECK(BZ2_bzBuffToBuffCompress((char *)out, &cap, (char *)(uintptr_t)in, (unsigned)len, level, 0, 30) == BZ_OK);
	*out_len = cap;
	return out;
}

/* An EFI zboot image around `payload` (zboot-header.S), with the LE32 size
 * appended for compressions other than gzip (Makefile.zboot). */
static uint8_t *make_zboot(const char *comp, const uint8_t *payload, size_t plen, uint32_t size,
			   size_t *len)
{
	size_t off = 0x1000, n = off + plen + 4;
	uint8_t *b = calloc(1, n);

	b[0] = 'M', b[1] = 'Z';
	memcpy(b + 4, "zimg", 4);
	w32(b, 8, (uint32_t)off);
	w32(b, 12, (uint32_t)plen);
	strcpy((char *)b + 0x18, comp);
	w32(b, 0x38, 0x818223cd);
	w32(b, 0x3c, 0x40);
	memcpy(b + off, payload, plen);
	if (strcmp(comp, "gzip"))
		w32(b, off + plen, size);
	else
		n -= 4;
	*len = n;
	return b;
}

/* An ELF64 x86_64 vmlinux: PT_LOADs {paddr, filesz, memsz}. */
struct phdr {
	uint64_t paddr, filesz, memsz;
};
static uint8_t *make_elf(uint8_t class, uint16_t machine, const struct phdr *p, unsigned n,
			 uint64_t entry, size_t *len)
{
	size_t off = 0x1000, total = off;
	uint8_t *b;

	for (unsigned i = 0; i < n; i++)
		total += (p[i].filesz + 0xfff) & ~(size_t)0xfff;
	b = calloc(1, total);
	memcpy(b, "\177ELF", 4);
	b[4] = class, b[5] = 1, b[6] = 1;
	w16(b, 16, 2);
	w16(b, 18, machine);
	w64(b, 24, entry);
	w64(b, 32, 64);
	w16(b, 54, 56);
	w16(b, 56, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *h = b + 64 + 56 * i;
		w32(h, 0, 1);
		w64(h, 8, off);
		w64(h, 16, 0xffffffff80000000ull + p[i].paddr);
		w64(h, 24, p[i].paddr);
		w64(h, 32, p[i].filesz);
		w64(h, 40, p[i].memsz);
		for (size_t j = 0; j < p[i].filesz; j++)
			b[off + j] = (uint8_t)(i + j * 3);
		off += (p[i].filesz + 0xfff) & ~(size_t)0xfff;
	}
	*len = total;
	return b;
}

static rt_status load(const void *buf, size_t len, enum ld_machine m)
{
	return test_ld_load(&ctx, buf, len, m, "\\img");
}

/* The kernel's bytes as a loader reads them, piece 0, in odd-sized reads. */
static uint8_t *read_piece(unsigned i)
{
	const struct ld_piece *p = &ctx.k.piece[i];
	uint8_t *out = malloc(p->filesz + 1);
	uint64_t at = 0;

	while (at < p->filesz) {
		uint64_t n = p->filesz - at < 12345 ? p->filesz - at : 12345;
		CHECK(ctx.k.src->read(ctx.k.src, p->src_off + at, out + at, n) == RT_OK);
		at += n;
	}
	return out;
}

/* --- tests ---------------------------------------------------------------------- */

TEST(loader_bzimage_and_arm64)
{
	size_t n;
	uint8_t *bz = make_bzimage(&n), *a = make_arm64(&n, false);

	n = (BZ_SETUP_SECTS + 1) * 512 + BZ_PAYLOAD;
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK_STR(ctx.k.format, "bzImage");
	CHECK_STR(ctx.k.desc, "bzImage 6.1.0-test");
	CHECK_EQ_U64(ctx.k.npieces, 1);
	CHECK_EQ_U64(ctx.k.piece[0].src_off, (BZ_SETUP_SECTS + 1) * 512);
	CHECK_EQ_U64(ctx.k.piece[0].filesz, BZ_PAYLOAD);
	CHECK_EQ_U64(ctx.k.piece[0].memsz, 0x400000);
	CHECK(ctx.k.piece[0].room && !ctx.k.fixed && !ctx.k.takes_dtb);
	CHECK_EQ_U64(ctx.k.entry_offset, 0x200);
	CHECK_EQ_U64(ctx.k.min, 0x1000000);

	/* the other architecture: named and refused */
	CHECK(load(bz, n, LD_MACHINE_AARCH64) == RT_ENOTSUP);
	CHECK_CONTAINS(test_log(), "is a kernel for x86_64; this efikexec enters aarch64 kernels");

	CHECK(load(a, A64_FILE, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_STR(ctx.k.format, "arm64 Image");
	CHECK_EQ_U64(ctx.k.piece[0].filesz, A64_FILE);
	CHECK_EQ_U64(ctx.k.memsz, A64_IMAGE_SIZE);
	CHECK(ctx.k.takes_dtb && ctx.k.piece[0].room);
	free(bz);
	free(a);
}

TEST(loader_names_what_each_loader_found)
{
	uint8_t junk[4096];

	memset(junk, 0x41, sizeof(junk));
	CHECK(load(junk, sizeof(junk), LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\img: not a kernel image: bzImage: no \"HdrS\" at 0x202 (0x41414141)");
	CHECK_CONTAINS(test_log(), "; arm64 Image: magic 0x41414141 at 0x38 (want 0x644d5241)");
	CHECK_CONTAINS(test_log(), "; EFI zboot: ");
	CHECK_CONTAINS(test_log(), "; PE: no \"MZ\" at 0");
	CHECK_CONTAINS(test_log(), "; gzip: no gzip magic");
	CHECK_CONTAINS(test_log(), "; ELF: no \"\\177ELF\" at 0");
	CHECK(load(junk, 3, LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK(load(junk, 0, LD_MACHINE_X86_64) == RT_ENOEXEC);
}

TEST(loader_uki_sections_initrds_cmdline)
{
	size_t bzn, pen;
	uint8_t *bz = make_bzimage(&bzn);
	static const char osrel[] = "NAME=Debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n";
	static const char cmd[] = "console=ttyS0 root=/dev/vda2 \n";
	const struct test_section s[] = {
		{ ".osrel", osrel, sizeof(osrel) - 1 }, { ".cmdline", cmd, sizeof(cmd) - 1 },
		{ ".initrd", "INITRD-BYTES", 12 },      { ".ucode", "UCODE", 5 },
		{ ".uname", "6.1.0-test\n", 11 },       { ".linux", bz, bzn },
	};
	uint8_t *pe = test_pe(s, 6, &pen);
	char buf[16];

	CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_OK);
	CHECK_STR(ctx.k.format, "bzImage");
	CHECK_STR(ctx.k.cmdline, "console=ttyS0 root=/dev/vda2");
	CHECK(ctx.k.has_cmdline);
	CHECK_STR(ctx.k.osrel, "Debian GNU/Linux 12 (bookworm)");
	CHECK_STR(ctx.k.uname, "6.1.0-test");
	CHECK_EQ_U64(ctx.k.ninitrd, 2);
	CHECK_STR(ctx.k.initrd[0].what, ".ucode"); /* the stub's order: .ucode first */
	CHECK_STR(ctx.k.initrd[1].what, ".initrd");
	CHECK(ctx.k.initrd[1].src->read(ctx.k.initrd[1].src, ctx.k.initrd[1].off, buf, 12) == RT_OK);
	CHECK(!memcmp(buf, "INITRD-BYTES", 12));
	CHECK_CONTAINS(ctx.k.desc, "UKI (.linux: bzImage 6.1.0-test");
	CHECK_STR(ctx.k.desc, "UKI (.linux: bzImage 6.1.0-test, .ucode 1 KiB, .initrd 1 KiB, .cmdline, .osrel \"Debian GNU/Linux 12 (bookworm)\", .uname 6.1.0-test; measured as current systemd-stub (the UKI names no stub release))");
	CHECK_EQ_U64(ctx.k.uki.stub, 0);
	CHECK_EQ_U64(ctx.k.uki.m->version, 257);
	/* the kernel's bytes come through the .linux slice */
	{
		uint8_t *k = read_piece(0);
		CHECK(!memcmp(k, bz + (BZ_SETUP_SECTS + 1) * 512, BZ_PAYLOAD));
		free(k);
	}
	free(pe);

	/* the stub's release from its .sdmagic, past the head the loader
	 * probes: 252 knows no .ucode (256) */
	{
		static const char magic[] = "#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####";
		uint8_t *pad = calloc(1, 0x11000);
		const struct test_section t[] = {
			{ ".text", pad, 0x11000 },          { ".sdmagic", magic, sizeof(magic) - 1 },
			{ ".cmdline", cmd, sizeof(cmd) - 1 }, { ".initrd", "INITRD-BYTES", 12 },
			{ ".ucode", "UCODE", 5 },            { ".linux", bz, bzn },
		};
		pe = test_pe(t, 6, &pen);
		CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_OK);
		CHECK_EQ_U64(ctx.k.uki.stub, 252);
		CHECK_EQ_U64(ctx.k.uki.m->version, 252);
		CHECK_STR(ctx.k.uki.stub_info, "systemd-stub 252.39-1~deb12u2");
		CHECK_EQ_U64(ctx.k.ninitrd, 1);
		CHECK_STR(ctx.k.initrd[0].what, ".initrd");
		CHECK_CONTAINS(ctx.k.desc, ".cmdline; measured as systemd-stub 252 (the UKI's stub is \"systemd-stub 252.39-1~deb12u2\"))");
		free(pe);
		/* no .sdmagic (a stub built with gnu-efi's objcopy): the text
		 * in the stub's own .data */
		memcpy(pad + 0x10000, magic, sizeof(magic) - 1);
		{
			const struct test_section u[] = { { ".data", pad, 0x11000 }, { ".linux", bz, bzn } };
			pe = test_pe(u, 2, &pen);
			CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_OK);
			CHECK_EQ_U64(ctx.k.uki.stub, 252);
			free(pe);
		}
		free(pad);
	}

	/* an arm64 UKI with a .dtb */
	{
		size_t an;
		uint8_t *a = make_arm64(&an, false);
		const struct test_section s2[] = { { ".dtb", "\xd0\x0d\xfe\xed", 4 }, { ".linux", a, an } };
		pe = test_pe(s2, 2, &pen);
		CHECK(load(pe, pen, LD_MACHINE_AARCH64) == RT_OK);
		CHECK_EQ_U64(ctx.k.dtb.len, 4);
		CHECK(!ctx.k.has_cmdline && !ctx.k.ninitrd);
		free(pe);
		free(a);
	}
	free(bz);
}

TEST(loader_uki_bad)
{
	size_t bzn, pen;
	uint8_t *bz = make_bzimage(&bzn), *pe;
	const struct test_section none[] = { { ".osrel", "ID=x\n", 5 }, { ".initrd", "x", 1 } };
	const struct test_section s[] = { { ".linux", bz, bzn } };

	pe = test_pe(none, 2, &pen);
	CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "PE: a PE file with no .linux section");
	free(pe);

	/* .linux runs past the end of the file */
	pe = test_pe(s, 1, &pen);
	CHECK(load(pe, pen - 0x1000, LD_MACHINE_X86_64) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "section .linux at 0x400");
	CHECK_CONTAINS(test_log(), "ends past the file's");
	/* .linux that is no kernel */
	memset(pe + 0x400, 0x41, 0x400);
	CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\img .linux: not a kernel image: bzImage: no \"HdrS\"");
	free(pe);
	free(bz);
}

/* The whole decompressed kernel equals the Image it was made from. */
static void check_inflated(const uint8_t *a, size_t an)
{
	uint8_t *k;

	CHECK_STR(ctx.k.format, "arm64 Image");
	CHECK_EQ_U64(ctx.k.piece[0].filesz, an);
	k = read_piece(0);
	CHECK(!memcmp(k, a, an));
	free(k);
	/* again from the start: the stream restarts */
	k = read_piece(0);
	CHECK(!memcmp(k, a, an));
	free(k);
}

TEST(loader_gzip_image)
{
	size_t an, gn;
	uint8_t *a = make_arm64(&an, false), *gz = gzip_of(a, an, &gn);

	CHECK(load(gz, gn, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_CONTAINS(ctx.k.desc, "gzip (");
	CHECK_CONTAINS(ctx.k.desc, "arm64 Image, 96 KiB");
	check_inflated(a, an);

	/* cut short (the right ISIZE at the cut), or corrupt in the middle:
	 * the head or the whole read fails, naming the stream and an offset */
	for (int bad = 0; bad < 2; bad++) {
		uint8_t *cut = malloc(gn), *k = malloc(an);
		size_t cn = bad ? gn : gn * 3 / 4;
		memcpy(cut, gz, gn);
		if (bad)
			for (size_t i = gn / 3; i < gn / 3 + 64; i++)
				cut[i] ^= 0x5a;
		else
			memcpy(cut + cn - 4, gz + gn - 4, 4);
		if (load(cut, cn, LD_MACHINE_AARCH64) == RT_OK) {
			test_log_clear();
			CHECK(ctx.k.src->read(ctx.k.src, 0, k, an) != RT_OK);
		}
		CHECK_CONTAINS(test_log(), "\\img (gzip): ");
		CHECK(strstr(test_log(), "corrupt gzip data near input offset 0x") ||
		      strstr(test_log(), "the gzip stream ends early: ") ||
		      strstr(test_log(), "the gzip stream inflates past the 98304 bytes expected"));
		free(k);
		free(cut);
	}
	free(gz);
	free(a);
}

/* lz4 and lzo zboot payloads (Makefile.zboot's lz4 and lzo), several
 * blocks each; a corrupt block names the format and where. */
TEST(loader_zboot_lz4_and_lzo)
{
	size_t an, pn, zn;
	uint8_t *a = make_arm64(&an, true), *p, *z, *k = malloc(an);

	p = lz4_of(a, an, 100000, &pn);
	z = make_zboot("lz4", p, pn, (uint32_t)an, &zn);
	CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_CONTAINS(ctx.k.desc, "EFI zboot (lz4, ");
	check_inflated(a, an);
	free(z);
	/* a block's size past the data */
	w32(p, 4, 0x7fffffffu);
	z = make_zboot("lz4", p, pn, (uint32_t)an, &zn);
	test_log_clear();
	if (load(z, zn, LD_MACHINE_AARCH64) == RT_OK)
		CHECK(ctx.k.src->read(ctx.k.src, 0, k, an) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\img (lz4): corrupt lz4 data near input offset 0x1004 (output offset 0): a block larger than lz4 writes for 8 MiB");
	free(z);
	free(p);

	for (unsigned f = 0; f < 3; f++) {
		static const uint32_t flags[] = { 0x1, 0x3, 0x1300 };
		p = lzop_of(a, an, 65536, flags[f], &pn);
		z = make_zboot("lzo", p, pn, (uint32_t)an, &zn);
		CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_OK);
		CHECK_CONTAINS(ctx.k.desc, "EFI zboot (lzo, ");
		check_inflated(a, an);
		free(z);
		free(p);
	}
	/* a block whose data fail their checksum: the first block's last byte */
	p = lzop_of(a, an, 65536, 0x1, &pn);
	{
		/* header 41 bytes; then dst_len, src_len, the data's Adler-32 */
		uint32_t c = (uint32_t)p[45] << 24 | p[46] << 16 | p[47] << 8 | p[48];
		p[53 + c - 1] ^= 0x20;
	}
	z = make_zboot("lzo", p, pn, (uint32_t)an, &zn);
	test_log_clear();
	if (load(z, zn, LD_MACHINE_AARCH64) == RT_OK)
		CHECK(ctx.k.src->read(ctx.k.src, 0, k, an) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\img (lzo): corrupt lzo data near input offset 0x1029 (output offset 0): ");
	free(z);
	/* a header whose checksum fails */
	p[20] ^= 1;
	z = make_zboot("lzo", p, pn, (uint32_t)an, &zn);
	test_log_clear();
	CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\img (lzo): the lzop header's checksum");
	free(z);
	free(p);
	free(k);
	free(a);
}

TEST(loader_zboot_gzip_and_zstd)
{
	size_t an, pn, zn;
	uint8_t *a = make_arm64(&an, true), *p, *z;

	p = gzip_of(a, an, &pn);
	z = make_zboot("gzip", p, pn, 0, &zn);
	CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_CONTAINS(ctx.k.desc, "EFI zboot (gzip, ");
	check_inflated(a, an);
	free(z);
	free(p);

	p = zstd_of(a, an, &pn);
	z = make_zboot("zstd22", p, pn, (uint32_t)an, &zn);
	CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_CONTAINS(ctx.k.desc, "EFI zboot (zstd22, ");
	check_inflated(a, an);
	free(z);

	/* the appended size says more than the stream holds */
	{
		size_t hn;
		uint8_t *half = zstd_of(a, an / 2, &hn), *k = malloc(an);
		z = make_zboot("zstd22", half, hn, (uint32_t)an, &zn);
		CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_OK);
		test_log_clear();
		CHECK(ctx.k.src->read(ctx.k.src, 0, k, an) == RT_ETRUNC);
		CHECK_CONTAINS(test_log(), "\\img (zstd22): the zstd stream ends early: 131072 of 262144 bytes, at input offset 0x");
		free(k);
		free(half);
		free(z);
	}
	/* ... or less: it inflates past it */
	z = make_zboot("zstd22", p, pn, (uint32_t)an - 4096, &zn);
	if (load(z, zn, LD_MACHINE_AARCH64) == RT_OK) {
		uint8_t *k = malloc(an);
		test_log_clear();
		CHECK(ctx.k.src->read(ctx.k.src, 0, k, an - 4096) == RT_E2BIG);
		CHECK_CONTAINS(test_log(), "inflates past the");
		free(k);
	} else {
		CHECK_CONTAINS(test_log(), "image_size");
	}
	free(z);

	z = make_zboot("bzip2", p, pn, (uint32_t)an, &zn);
	CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_ENOTSUP);
	CHECK_CONTAINS(test_log(), "compression \"bzip2\" is not supported (efikexec inflates gzip, zstd22, xzkern, lzma, lz4 and lzo)");
	free(z);

	/* a payload past the file's end */
	z = make_zboot("zstd22", p, pn, (uint32_t)an, &zn);
	w32(z, 12, (uint32_t)zn);
	CHECK(load(z, zn, LD_MACHINE_AARCH64) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "does not lie within the file's");
	free(z);
	free(p);
	free(a);
}

TEST(loader_elf_vmlinux)
{
	const struct phdr ok[] = { { 0x1000000, 0x3000, 0x3000 }, { 0x1200000, 0x2000, 0x5000 } };
	const struct phdr over[] = { { 0x1000000, 0x3000, 0x3000 }, { 0x1002000, 0x1000, 0x1000 } };
	size_t n;
	uint8_t *e = make_elf(2, 62, ok, 2, 0x1000000, &n);

	CHECK(load(e, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK_STR(ctx.k.format, "ELF vmlinux");
	CHECK(ctx.k.fixed);
	CHECK_EQ_U64(ctx.k.min, 0x1000000);
	CHECK_EQ_U64(ctx.k.memsz, 0x205000);
	CHECK_EQ_U64(ctx.k.npieces, 2);
	CHECK_EQ_U64(ctx.k.piece[1].mem_off, 0x200000);
	CHECK_EQ_U64(ctx.k.piece[1].filesz, 0x2000);
	CHECK_EQ_U64(ctx.k.piece[1].memsz, 0x5000);
	CHECK(!ctx.k.piece[1].room);
	CHECK_EQ_U64(ctx.k.entry_offset, 0);
	CHECK_EQ_U64(ctx.k.ho.bz.end, 0x26c);
	CHECK_CONTAINS(ctx.k.desc, "no relocation table: not moved by KASLR");
	{
		struct bzimage_info bi;
		CHECK(bzimage_parse("made", ctx.k.ho.bz.hdr, sizeof(ctx.k.ho.bz.hdr), 0x10000000, &bi) == RT_ENOTSUP);
		CHECK(ld_rd32(ctx.k.ho.bz.hdr + 0x202) == BZ_HDR_MAGIC);
	}
	free(e);

	/* entry by virtual address */
	e = make_elf(2, 62, ok, 2, 0xffffffff81200010ull, &n);
	CHECK(load(e, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK_EQ_U64(ctx.k.entry_offset, 0x200010);
	free(e);

	/* refused, each with its reason */
	const struct {
		uint8_t class;
		uint16_t machine;
		const struct phdr *ph;
		uint64_t entry;
		size_t cut;            /* bytes cut off the file's end */
		enum ld_machine m;
		rt_status st;
		const char *why;
	} bad[] = {
		{ 1, 3, ok, 0x1000000, 0, LD_MACHINE_X86_64, RT_ENOTSUP,
		  "ELF class 1 (ELF32, i386): efikexec loads 64-bit ELF kernels" },
		{ 2, 62, over, 0x1000000, 0, LD_MACHINE_X86_64, RT_ENOEXEC,
		  "PT_LOAD 1 [0x1002000, 0x1003000) overlaps another PT_LOAD [0x1000000, 0x1003000)" },
		/* an aarch64 ELF that is no Linux vmlinux */
		{ 2, 183, ok, 0x1000000, 0, LD_MACHINE_AARCH64, RT_ENOEXEC,
		  "an arm64 ELF whose first PT_LOAD has no Image header (magic 0x" },
		{ 2, 62, ok, 0x5000000, 0, LD_MACHINE_X86_64, RT_ENOEXEC,
		  "e_entry 0x5000000 lies in no PT_LOAD segment" },
		/* a PT_LOAD past the file */
		{ 2, 62, ok, 0x1000000, 0x1000, LD_MACHINE_X86_64, RT_ETRUNC,
		  "PT_LOAD 1: bytes [0x4000, 0x6000) end past the file's" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = make_elf(bad[i].class, bad[i].machine, bad[i].ph, 2, bad[i].entry, &n);
		CHECK(load(e, n - bad[i].cut, bad[i].m) == bad[i].st);
		CHECK_CONTAINS(test_log(), bad[i].why);
		free(e);
	}
}

/* An arm64 vmlinux: its PT_LOADs by p_vaddr from _text, where the Image
 * header is; placed as an Image (2 MiB base + text_offset), room to
 * image_size past the last PT_LOAD. */
TEST(loader_elf_arm64_vmlinux)
{
	const struct phdr ph[] = { { 0, A64_FILE, A64_FILE }, { 0x20000, 0x2000, 0x5000 } };
	size_t n, an;
	uint8_t *a = make_arm64(&an, false), *e = make_elf(2, 183, ph, 2, 0, &n);

	memcpy(e + 0x1000, a, an); /* the first PT_LOAD's bytes: the Image */
	CHECK(load(e, n, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_STR(ctx.k.format, "arm64 ELF vmlinux");
	CHECK(ctx.k.takes_dtb && !ctx.k.fixed);
	CHECK_EQ_U64(ctx.k.align, 2 << 20);
	CHECK_EQ_U64(ctx.k.memsz, A64_IMAGE_SIZE);
	CHECK_EQ_U64(ctx.k.npieces, 3);
	CHECK_EQ_U64(ctx.k.piece[1].mem_off, 0x20000);
	CHECK(!ctx.k.piece[1].room && ctx.k.piece[2].room);
	CHECK_EQ_U64(ctx.k.piece[2].mem_off, 0x25000);
	CHECK_EQ_U64(ctx.k.piece[2].memsz, A64_IMAGE_SIZE - 0x25000);
	CHECK_STR(ctx.k.desc, "arm64 ELF vmlinux, 2 PT_LOAD, image_size 256 KiB");
	CHECK(load(e, n, LD_MACHINE_X86_64) == RT_ENOTSUP);
	free(e);
	free(a);
}

/* Wrappers nest (a UKI around a zboot image around a gzip'd Image) up to
 * the depth the context has, and no further. */
TEST(loader_nesting)
{
	size_t an, pn, zn, pen;
	uint8_t *a = make_arm64(&an, true), *p = gzip_of(a, an, &pn), *z = make_zboot("gzip", p, pn, 0, &zn);
	const struct test_section s[] = { { ".linux", z, zn } };
	uint8_t *pe = test_pe(s, 1, &pen);

	CHECK(load(pe, pen, LD_MACHINE_AARCH64) == RT_OK);
	CHECK_CONTAINS(ctx.k.desc, "UKI (.linux: EFI zboot (gzip, ");
	check_inflated(a, an);
	/* four levels: file, UKI, gzip of a UKI ... */
	{
		size_t gn, pe2n;
		uint8_t *g = gzip_of(pe, pen, &gn);
		const struct test_section s2[] = { { ".linux", g, gn } };
		uint8_t *pe2 = test_pe(s2, 1, &pe2n);
		CHECK(load(pe2, pe2n, LD_MACHINE_AARCH64) == RT_E2BIG);
		CHECK_CONTAINS(test_log(), "nested more than 4 deep");
		free(pe2);
		free(g);
	}
	ld_ctx_close(&ctx);
	free(pe);
	free(z);
	free(p);
	free(a);
}

/* A multi-profile UKI (UAPI.5): base sections, then two profiles, each
 * from its .profile to the next; a profile's sections replace the base's,
 * the rest stay; "@N" asks for one, a missing one is an error. */
TEST(loader_uki_profiles)
{
	size_t bzn, pen;
	uint8_t *bz = make_bzimage(&bzn);
	static const char p0[] = "ID=default\n", p1[] = "ID=rescue\nTITLE=Rescue shell\n";
	const struct test_section s[] = {
		{ ".osrel", "PRETTY_NAME=Base\n", 17 }, { ".cmdline", "base=1", 6 }, { ".linux", bz, bzn },
		{ ".initrd", "BASE-INITRD", 11 },
		{ ".profile", p0, sizeof(p0) - 1 },
		{ ".profile", p1, sizeof(p1) - 1 }, { ".cmdline", "rescue=1\n", 9 }, { ".cmdline", "second", 6 },
	};
	uint8_t *pe = test_pe(s, 8, &pen);

	ctx.profile = 0;
	CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_OK);
	CHECK(ctx.k.uki.is);
	CHECK_EQ_U64(ctx.k.uki.l.nprofiles, 2);
	CHECK_STR(ctx.k.cmdline, "base=1");
	CHECK(ctx.k.uki.l.sec[UKI_PROFILE].set);
	CHECK_CONTAINS(ctx.k.desc, ", profile 0 of 2 \"default\"; measured as current systemd-stub");
	ctx.profile = 1;
	CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_OK);
	/* the profile's first .cmdline wins, mangled as the stub does */
	CHECK_STR(ctx.k.cmdline, "rescue=1");
	CHECK_EQ_U64(ctx.k.uki.l.profile, 1);
	CHECK_EQ_U64(ctx.k.ninitrd, 1); /* the base's .initrd stays */
	CHECK_CONTAINS(ctx.k.desc, ", profile 1 of 2 \"Rescue shell\"; measured as current systemd-stub");
	ctx.profile = 2;
	CHECK(load(pe, pen, LD_MACHINE_X86_64) == RT_EINVAL);
	CHECK_CONTAINS(test_log(), "\\img: profile 2 asked, the UKI has 2");
	ctx.profile = 0;
	free(pe);
	free(bz);
}

/* --- a bzImage entered at its decompressed vmlinux (boot/bzimage.c bz_direct) ------- */

static uint8_t *xz_of(const uint8_t *in, size_t len, bool alone, size_t *out_len)
{
	size_t cap = lzma_stream_buffer_bound(len) + 64;
	uint8_t *out = malloc(cap);

	*out_len = 0;
	if (alone) {
		lzma_stream z = LZMA_STREAM_INIT;
		lzma_options_lzma o;
		CHECK(!lzma_lzma_preset(&o, 6));
		CHECK(lzma_alone_encoder(&z, &o) == LZMA_OK);
		z.next_in = in, z.avail_in = len, z.next_out = out, z.avail_out = cap;
		CHECK(lzma_code(&z, LZMA_FINISH) == LZMA_STREAM_END);
		*out_len = z.total_out;
		lzma_end(&z);
	} else {
		/* as the kernel's xzkern: an x86 BCJ filter before LZMA2, CRC32 */
		lzma_options_lzma o;
		CHECK(!lzma_lzma_preset(&o, 6));
		o.dict_size = 1u << 20;
		lzma_filter f[] = { { LZMA_FILTER_X86, NULL }, { LZMA_FILTER_LZMA2, &o }, { LZMA_VLI_UNKNOWN, NULL } };
		CHECK(lzma_stream_buffer_encode(f, LZMA_CHECK_CRC32, NULL, in, len, out, out_len, cap) == LZMA_OK);
	}
	return out;
}

#define VM_LINK 0x1000000ull
/* relocation places (offsets from the kernel's base) and the values there */
static const uint32_t r32_at[] = { 0x100, 0x1ffe }; /* one across a page */
static const uint32_t rinv_at[] = { 0x208 };
static const uint32_t r64_at[] = { 0x300, 0x200ff0 }; /* the second in PT_LOAD 1 */

/* A vmlinux (two PT_LOADs from VM_LINK, entry inside; the second of
 * `load1` bytes in a room of at least 0x5000) with a relocation table
 * after it, in `comp` ("gzip", "zstd", "xz", "lzma", "lz4", "lzo",
 * "bzip2"), in a
 * bzImage's payload; *elf_len: the vmlinux alone. */
static uint8_t *make_bz_direct_of(const char *comp, bool relocs, size_t load1, size_t *len, size_t *vm_len)
{
	const struct phdr ph[] = { { VM_LINK, 0x3000, 0x3000 },
				   { VM_LINK + 0x200000, load1, load1 > 0x5000 ? load1 : 0x5000 } };
	size_t en, pn, total, tn = 0, setup = (BZ_SETUP_SECTS + 1) * 512;
	uint8_t *elf = make_elf(2, 62, ph, 2, VM_LINK + 0x40, &en), *vm, *p, *b;
	uint32_t t[16];

	/* the places' present values: link-time addresses */
	for (unsigned i = 0; i < 2; i++)
		w32(elf + 0x1000 + r32_at[i], 0, (uint32_t)(0x80000000u + VM_LINK + 0x1234 * i));
	w32(elf + 0x1000 + rinv_at[0], 0, 0x5000);
	w64(elf + 0x1000 + r64_at[0], 0, 0xffffffff80000000ull + VM_LINK + 0x40);
	w64(elf + 0x4000 + (r64_at[1] - 0x200000), 0, 0xffffffff80000000ull + VM_LINK + 0x80);
	/* forwards: 0, 64-bit, 0, inverse 32-bit, 0, 32-bit */
	t[tn++] = 0;
	for (unsigned i = 0; i < 2; i++)
		t[tn++] = (uint32_t)(0x80000000u + VM_LINK + r64_at[i]);
	t[tn++] = 0;
	t[tn++] = (uint32_t)(0x80000000u + VM_LINK + rinv_at[0]);
	t[tn++] = 0;
	for (unsigned i = 0; i < 2; i++)
		t[tn++] = (uint32_t)(0x80000000u + VM_LINK + r32_at[i]);
	vm = malloc(en + sizeof(t));
	memcpy(vm, elf, en);
	if (relocs)
		memcpy(vm + en, t, tn * 4);
	*vm_len = en;
	total = en + (relocs ? tn * 4 : 0);
	if (!strcmp(comp, "gzip"))
		p = gzip_of(vm, total, &pn);
	else if (!strcmp(comp, "zstd"))
		p = zstd_of(vm, total, &pn);
	else if (!strcmp(comp, "xz") || !strcmp(comp, "lzma"))
		p = xz_of(vm, total, !strcmp(comp, "lzma"), &pn);
	else if (!strcmp(comp, "lz4"))
		p = lz4_of(vm, total, 8u << 20, &pn);
	else if (!strcmp(comp, "lzo"))
		p = lzop_of(vm, total, 256u << 10, 0x1, &pn);
	else if (!strcmp(comp, "bzip2"))
		p = bzip2_of(vm, total, 9, &pn);
	else { /* a magic nothing has */
		p = calloc(1, 64);
		memcpy(p, "\xde\xad\xbe\xef", 4);
		pn = 64;
	}
	if (strcmp(comp, "gzip")) { /* the size after it, as the Makefile appends */
		p = realloc(p, pn + 4);
		w32(p, pn, (uint32_t)total);
		pn += 4;
	}
	*len = setup + 0x400 + pn;
	b = calloc(1, *len);
	test_bzimage_header(b, BZ_SETUP_SECTS, (uint32_t)(*len - setup), 0x800000);
	w32(b, 0x248, 0x400);
	w32(b, 0x24c, (uint32_t)pn);
	memcpy(b + setup + 0x400, p, pn);
	free(p);
	free(elf);
	free(vm);
	return b;
}

static uint8_t *make_bz_direct(const char *comp, bool relocs, size_t *len, size_t *vm_len)
{
	return make_bz_direct_of(comp, relocs, 0x1000, len, vm_len);
}

struct patch_buf {
	uint8_t *mem;
	size_t len;
};

static rt_status patch_mem(void *ctx_, uint64_t off, unsigned width, uint64_t add)
{
	struct patch_buf *m = ctx_;
	uint64_t v = 0;

	CHECK(off + width <= m->len);
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)m->mem[off + i] << (8 * i);
	v += add;
	for (unsigned i = 0; i < width; i++)
		m->mem[off + i] = (uint8_t)(v >> (8 * i));
	return RT_OK;
}

TEST(loader_bzimage_direct_every_compression)
{
	static const char *const comps[] = { "gzip", "zstd", "xz", "lzma", "lz4", "lzo", "bzip2" };

	ctx.direct_entry = true;
	for (unsigned c = 0; c < RT_ARRAY_SIZE(comps); c++) {
		size_t n, vn, count;
		uint8_t *bz = make_bz_direct(comps[c], true, &n, &vn), *t, *mem;
		struct patch_buf m;
		const uint64_t delta = 0x2400000;

		test_log_clear();
		CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
		CHECK(ctx.k.direct.on);
		CHECK_CONTAINS(ctx.k.direct.why, "decompressed by efikexec (");
		CHECK_CONTAINS(ctx.k.direct.why, comps[c]);
		CHECK_EQ_U64(ctx.k.npieces, 2);
		CHECK_EQ_U64(ctx.k.piece[1].mem_off, 0x200000);
		CHECK(ctx.k.piece[1].room); /* past its bytes: room the kernel clears */
		CHECK_EQ_U64(ctx.k.memsz, 0x205000);
		CHECK_EQ_U64(ctx.k.entry_offset, 0x40);
		CHECK_EQ_U64(ctx.k.align, 0x200000);
		CHECK_EQ_U64(ctx.k.min, VM_LINK);
		CHECK_EQ_U64(ctx.k.direct.link, VM_LINK);
		CHECK_EQ_U64(ctx.k.direct.reloc_off, vn);
		CHECK_EQ_U64(ctx.k.direct.reloc_len, 8 * 4);
		/* the vmlinux's bytes as they are loaded, then relocated */
		mem = calloc(1, ctx.k.memsz);
		for (unsigned i = 0; i < 2; i++) {
			uint8_t *pc = read_piece(i);
			memcpy(mem + ctx.k.piece[i].mem_off, pc, ctx.k.piece[i].filesz);
			free(pc);
		}
		t = malloc(ctx.k.direct.reloc_len);
		CHECK(ctx.k.src->read(ctx.k.src, ctx.k.direct.reloc_off, t, ctx.k.direct.reloc_len) == RT_OK);
		m = (struct patch_buf){ mem, ctx.k.memsz };
		CHECK(bzimage_relocate("\\img", t, ctx.k.direct.reloc_len, VM_LINK, ctx.k.memsz, delta, patch_mem, &m,
				       &count) == RT_OK);
		CHECK_EQ_U64(count, 5);
		CHECK_EQ_U64(ld_rd32(mem + r32_at[0]), 0x80000000u + VM_LINK + delta);
		CHECK_EQ_U64(ld_rd32(mem + r32_at[1]), 0x80000000u + VM_LINK + 0x1234 + delta);
		CHECK_EQ_U64(ld_rd32(mem + rinv_at[0]), (uint32_t)(0x5000 - delta));
		CHECK_EQ_U64(ld_rd64(mem + r64_at[0]), 0xffffffff80000000ull + VM_LINK + 0x40 + delta);
		CHECK_EQ_U64(ld_rd64(mem + r64_at[1]), 0xffffffff80000000ull + VM_LINK + 0x80 + delta);
		ld_ctx_close(&ctx);
		free(t);
		free(mem);
		free(bz);
	}
	ctx.direct_entry = false;
}

/* A zstd payload larger than the head is decoded whole, at once
 * (boot/stream.c decode_whole): the same bytes as streamed, and its errors
 * name the payload, the frame and the size. */
TEST(loader_bzimage_direct_zstd_whole)
{
	size_t n, vn;
	uint8_t *bz = make_bz_direct_of("zstd", true, 0x40000, &n, &vn), *elf, *pc, t[32];
	const struct phdr ph[] = { { VM_LINK, 0x3000, 0x3000 }, { VM_LINK + 0x200000, 0x40000, 0x40000 } };
	size_t en;

	elf = make_elf(2, 62, ph, 2, VM_LINK + 0x40, &en);
	CHECK(vn > LD_HEAD_SIZE);
	ctx.direct_entry = true;
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK(ctx.k.direct.on);
	CHECK_EQ_U64(ctx.k.piece[1].filesz, 0x40000);
	pc = read_piece(1); /* past the head: the whole stream decoded */
	/* the vmlinux's bytes but its 64-bit relocation place at 0xff0 */
	CHECK(!memcmp(pc, elf + 0x4000, 0xff0));
	CHECK(!memcmp(pc + 0xff8, elf + 0x4000 + 0xff8, 0x40000 - 0xff8));
	CHECK_EQ_U64(ld_rd64(pc + 0xff0), 0xffffffff80000000ull + VM_LINK + 0x80);
	free(pc);
	pc = read_piece(0); /* backwards now: served from the decoded whole */
	CHECK(!memcmp(pc + 0x2004, elf + 0x1000 + 0x2004, 0xffc));
	free(pc);
	CHECK(ctx.k.src->read(ctx.k.src, ctx.k.direct.reloc_off, t, sizeof(t)) == RT_OK);
	CHECK_EQ_U64(ld_rd32(t + 4), (uint32_t)(0x80000000u + VM_LINK + r64_at[0]));
	ld_ctx_close(&ctx);

	/* the size after the payload says more than its frame holds */
	w32(bz, n - 4, (uint32_t)(vn + 32 + 4096));
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	test_log_clear();
	pc = malloc(0x40000);
	CHECK(ctx.k.src->read(ctx.k.src, ctx.k.piece[1].src_off, pc, 0x40000) == RT_ETRUNC);
	CHECK_CONTAINS(test_log(), "\\img (zstd payload): the zstd stream ends early: ");
	CHECK_CONTAINS(test_log(), "bytes at input offset 0x");
	ld_ctx_close(&ctx);
	/* ... or less: the frame inflates past it */
	w32(bz, n - 4, (uint32_t)(vn + 32 - 4));
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	test_log_clear();
	CHECK(ctx.k.src->read(ctx.k.src, ctx.k.piece[1].src_off, pc, 0x40000) == RT_E2BIG);
	CHECK_CONTAINS(test_log(), "\\img (zstd payload): the zstd stream inflates past the ");
	ld_ctx_close(&ctx);
	/* a frame whose last block lost its end mark (RFC 8878 4.1: the
	 * last byte of a bitstream is never 0) */
	w32(bz, n - 4, (uint32_t)(vn + 32));
	bz[n - 5] = 0;
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	test_log_clear();
	CHECK(ctx.k.src->read(ctx.k.src, ctx.k.piece[1].src_off, pc, 0x40000) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "\\img (zstd payload): corrupt zstd data in the frame of ");
	ld_ctx_close(&ctx);
	ctx.direct_entry = false;
	free(pc);
	free(elf);
	free(bz);
}

TEST(loader_bzimage_direct_or_legacy_and_why)
{
	size_t n, vn;
	uint8_t *bz = make_bz_direct("zstd", false, &n, &vn);

	ctx.direct_entry = true;
	/* no relocation table: entered directly, never moved */
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK(ctx.k.direct.on);
	CHECK_EQ_U64(ctx.k.direct.reloc_len, 0);
	ld_ctx_close(&ctx);
	/* not asked: one piece, the bzImage's own entry, nothing said */
	ctx.direct_entry = false;
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	ctx.direct_entry = true;
	CHECK(!ctx.k.direct.on);
	CHECK_STR(ctx.k.direct.why, "");
	CHECK_EQ_U64(ctx.k.npieces, 1);
	CHECK_EQ_U64(ctx.k.entry_offset, BZ_ENTRY_64);
	free(bz);
	/* a compression efikexec does not decompress: its own decompressor */
	bz = make_bz_direct("junk", false, &n, &vn);
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_OK);
	CHECK(!ctx.k.direct.on);
	CHECK_STR(ctx.k.direct.why, "its payload is compressed in a way efikexec does not decompress (it begins de ad be ef; efikexec decompresses gzip, zstd, xz, lzma, lz4, lzo and bzip2)");
	CHECK_EQ_U64(ctx.k.npieces, 1);
	CHECK_EQ_U64(ctx.k.piece[0].src_off, (BZ_SETUP_SECTS + 1) * 512);
	free(bz);
	/* a corrupt payload is an error naming it */
	bz = make_bz_direct("xz", true, &n, &vn);
	bz[n - 40] ^= 0x55;
	test_log_clear();
	CHECK(load(bz, n, LD_MACHINE_X86_64) == RT_ENOEXEC); /* the head is all of it */
	CHECK_CONTAINS(test_log(), "\\img (xz payload): corrupt xz data near input offset 0x");
	ld_ctx_close(&ctx);
	ctx.direct_entry = false;
	free(bz);
}

TEST(bzimage_relocation_table_is_checked)
{
	uint8_t mem[0x3000] = { 0 };
	struct patch_buf m = { mem, sizeof(mem) };
	uint32_t t[6] = { 0, 0, 0 };
	size_t count;

	/* an empty table: three terminators, nothing applied */
	CHECK(bzimage_relocate("k", (uint8_t *)t, 12, VM_LINK, sizeof(mem), 0x200000, patch_mem, &m, &count) == RT_OK);
	CHECK_EQ_U64(count, 0);
	/* a place outside the kernel */
	t[0] = 0, t[1] = 0, t[2] = (uint32_t)(0x80000000u + VM_LINK + 0x3000);
	test_log_clear();
	CHECK(bzimage_relocate("k", (uint8_t *)t, 12, VM_LINK, sizeof(mem), 0x200000, patch_mem, &m, &count) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "k: 32-bit relocation at table offset 0x8 names 0xffffffff81003000, outside the kernel [0xffffffff81000000, 0xffffffff81003000)");
	/* a last place whose 8 bytes cross the end */
	t[0] = 0, t[1] = (uint32_t)(0x80000000u + VM_LINK + 0x2ffc), t[2] = 0, t[3] = 0;
	CHECK(bzimage_relocate("k", (uint8_t *)t, 16, VM_LINK, sizeof(mem), 0x200000, patch_mem, &m, &count) == RT_ENOEXEC);
	/* no end to a list, a table not starting where it should, a ragged size */
	t[0] = 5, t[1] = 0, t[2] = 0;
	CHECK(bzimage_relocate("k", (uint8_t *)t, 12, VM_LINK, sizeof(mem), 1, patch_mem, &m, &count) == RT_ENOEXEC);
	t[0] = 7, t[1] = 0, t[2] = 0, t[3] = 0;
	test_log_clear();
	CHECK(bzimage_relocate("k", (uint8_t *)t, 16, VM_LINK, sizeof(mem), 1, patch_mem, &m, &count) == RT_ENOEXEC);
	CHECK_CONTAINS(test_log(), "k: the relocation table ends 12 bytes after its start: 4 bytes before it are no relocations");
	CHECK(bzimage_relocate("k", (uint8_t *)t, 14, VM_LINK, sizeof(mem), 1, patch_mem, &m, &count) == RT_ENOEXEC);
}

TEST(bzimage_kaslr_offset_and_nokaslr)
{
	/* the stub's arithmetic: (range * seed) >> 32, aligned down */
	uint64_t range = (1ull << 30) - VM_LINK - 0x3200000;

	CHECK_EQ_U64(bzimage_kaslr_offset(VM_LINK, 0x3200000, 0x200000, 0), 0);
	CHECK_EQ_U64(bzimage_kaslr_offset(VM_LINK, 0x3200000, 0x200000, 0xffffffffu),
		     ((VM_LINK + ((range * 0xffffffffull) >> 32)) & ~0x1fffffull) - VM_LINK);
	CHECK(bzimage_kaslr_offset(VM_LINK, 0x3200000, 0x200000, 0xffffffffu) + VM_LINK + 0x3200000 <= 1ull << 30);
	CHECK_EQ_U64(bzimage_kaslr_offset(VM_LINK, 0x3200000, 0x200000, 0x80000000u) % 0x200000, 0);
	CHECK_EQ_U64(bzimage_kaslr_offset(VM_LINK, 1ull << 30, 0x200000, 0x80000000u), 0); /* no room */
	CHECK(bzimage_cmdline_has("console=ttyS0 nokaslr", "nokaslr"));
	CHECK(bzimage_cmdline_has("nokaslr\tquiet", "nokaslr"));
	CHECK(!bzimage_cmdline_has("nokaslrx quiet", "nokaslr"));
	CHECK(bzimage_cmdline_has("quiet mem=4G", "mem="));
	CHECK(bzimage_cmdline_has("quiet mem=", "mem=")); /* as the stub's strstr */
	CHECK(!bzimage_cmdline_has("quiet xmem=4G", "mem="));
	CHECK(!bzimage_cmdline_has("x=\"a nokaslr b\" quiet", "nokaslr"));
	CHECK(!bzimage_cmdline_has("", "nokaslr"));
	CHECK(!bzimage_cmdline_has(NULL, "nokaslr"));
}
