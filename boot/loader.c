/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * loader.c - the loader table and the sources loaders read images through.
 *
 * The order matters (facts from kexec-tools' file_type[] and the kernel's
 * probes): a bzImage also starts with "MZ" (its EFI stub's PE header), as do
 * an arm64 Image with the EFI stub, an EFI zboot image and a UKI, so the
 * formats that carry a magic of their own at a fixed place (bzImage "HdrS"
 * at 0x202, arm64 "ARM\x64" at 0x38, zboot "zimg" at 4) come before the
 * generic PE probe that looks for a .linux section. A Multiboot2 payload
 * is usually an ELF (Xen's is ELF32), so its probe comes before the ELF
 * vmlinux one (kexec-tools' x86_64 order: multiboot2-x86, elf-x86_64, ...).
 */
#include "loader.h"

const struct ld_loader *const ld_loaders[] = {
	&ld_bzimage, &ld_arm64, &ld_zboot, &ld_uki, &ld_gzip, &ld_multiboot2, &ld_elf, NULL,
};

const char *ld_machine_name(enum ld_machine m)
{
	switch (m) {
	case LD_MACHINE_X86_64:
		return "x86_64";
	case LD_MACHINE_AARCH64:
		return "aarch64";
	default:
		return "no known machine";
	}
}

/* --- sources ------------------------------------------------------------------- */

static rt_status slice_read(struct ld_src *s, uint64_t off, void *buf, uint64_t len)
{
	if (off > s->size || len > s->size - off)
		return rt_fail(RT_ETRUNC, "image", "%s: read of %llu bytes at %#llx, past its %llu bytes",
			       s->name, (unsigned long long)len, (unsigned long long)off,
			       (unsigned long long)s->size);
	return s->parent->read(s->parent, s->base + off, buf, len);
}

void ld_src_slice(struct ld_src *s, struct ld_src *parent, uint64_t off, uint64_t len,
		  const char *fmt, ...)
{
	va_list ap;

	*s = (struct ld_src){ .size = len, .read = slice_read, .parent = parent, .base = off };
	va_start(ap, fmt);
	rt_vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
}

static rt_status memory_read(struct ld_src *s, uint64_t off, void *buf, uint64_t len)
{
	if (off > s->size || len > s->size - off)
		return rt_fail(RT_ETRUNC, "image", "%s: read of %llu bytes at %#llx, past its %llu bytes",
			       s->name, (unsigned long long)len, (unsigned long long)off,
			       (unsigned long long)s->size);
	/* a kernel handed over and run where it lies is read onto itself */
	if (buf != (const uint8_t *)s->ctx + off)
		RT_FN(memcpy)(buf, (const uint8_t *)s->ctx + off, (size_t)len);
	return RT_OK;
}

void ld_src_memory(struct ld_src *s, const void *buf, uint64_t len, const char *name)
{
	*s = (struct ld_src){ .size = len, .read = memory_read, .ctx = (void *)(uintptr_t)buf };
	rt_snprintf(s->name, sizeof(s->name), "%s", name);
}

rt_status ld_src_head(struct ld_src *s, uint8_t *buf)
{
	s->head_len = s->size < LD_HEAD_SIZE ? (size_t)s->size : LD_HEAD_SIZE;
	s->head = buf;
	return s->read(s, 0, buf, s->head_len);
}

/* --- the table ------------------------------------------------------------------ */

void ld_desc(struct ld_ctx *c, const char *fmt, ...)
{
	size_t have = RT_FN(strlen)(c->k.desc);
	va_list ap;

	if (have + 1 >= sizeof(c->k.desc))
		return;
	va_start(ap, fmt);
	rt_vsnprintf(c->k.desc + have, sizeof(c->k.desc) - have, fmt, ap);
	va_end(ap);
}

struct ld_src *ld_new_src(struct ld_ctx *c)
{
	if (c->depth + 1 >= LD_MAX_DEPTH)
		return NULL;
	c->depth++;
	return &c->src[c->depth];
}

/* Walks the table for `s` (head read). */
static rt_status walk(struct ld_ctx *c, struct ld_src *s)
{
	char why[LD_DESC_MAX * 2], one[LD_DESC_MAX];
	size_t have = 0;

	why[0] = 0;
	for (unsigned i = 0; ld_loaders[i]; i++) {
		const struct ld_loader *l = ld_loaders[i];
		one[0] = 0;
		if (l->probe(s, one, sizeof(one))) {
			rt_log(RT_LOG_DEBUG, "image", "%s: %s", s->name, l->name);
			return l->load(c, s);
		}
		if (have < sizeof(why))
			have += (size_t)rt_snprintf(why + have, sizeof(why) - have, "%s%s: %s",
						    have ? "; " : "", l->name, one);
	}
	return rt_fail(RT_ENOEXEC, "image", "%s: not a kernel image: %s", s->name, why);
}

rt_status ld_load_inner(struct ld_ctx *c, struct ld_src *inner)
{
	rt_status rs;

	if (inner < c->src || inner >= c->src + LD_MAX_DEPTH)
		return rt_fail(RT_EINVAL, "image", "%s: not a source of this image", inner->name);
	rs = ld_src_head(inner, c->head[inner - c->src]);
	if (rs != RT_OK)
		return rs;
	return walk(c, inner);
}

rt_status ld_load(struct ld_ctx *c, struct ld_src *file)
{
	rt_status rs;

	c->depth = 0;
	RT_FN(memset)(&c->k, 0, sizeof(c->k));
	c->src[0] = *file;
	rs = ld_src_head(&c->src[0], c->head[0]);
	if (rs != RT_OK)
		return rs;
	rs = walk(c, &c->src[0]);
	if (rs != RT_OK)
		return rs;
	if (c->k.machine != c->machine)
		return rt_fail(RT_ENOTSUP, "image", "%s: %s is a kernel for %s; this efikexec enters %s kernels",
			       c->src[0].name, c->k.desc, ld_machine_name(c->k.machine),
			       ld_machine_name(c->machine));
	if (!c->k.npieces || !c->k.memsz)
		return rt_fail(RT_ENOEXEC, "image", "%s: nothing to load", c->src[0].name);
	return RT_OK;
}
