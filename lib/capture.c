/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * capture.c - the firmware-assisted dump without firmware: see capture.h.
 */
#include "capture.h"

#define SELF_LEN (offsetof(struct capture_desc, self))

void capture_desc_seal(struct capture_desc *d)
{
	sha256(d, SELF_LEN, d->self);
}

bool capture_desc_check(const struct capture_desc *d, uint64_t base, uint64_t end, char *why,
			size_t why_len)
{
	uint8_t sum[SHA256_DIGEST_SIZE];

	if (d->magic != CAPTURE_MAGIC) {
		rt_snprintf(why, why_len, "no descriptor (magic %#llx)", (unsigned long long)d->magic);
		return false;
	}
	if (d->version != CAPTURE_VERSION || d->size != sizeof(*d)) {
		rt_snprintf(why, why_len, "descriptor version %u size %u, this efikexec reads version %u size %zu",
			    d->version, d->size, CAPTURE_VERSION, sizeof(*d));
		return false;
	}
	sha256(d, SELF_LEN, sum);
	if (RT_FN(memcmp)(sum, d->self, sizeof(sum)) != 0) {
		rt_snprintf(why, why_len, "the descriptor's digest does not match");
		return false;
	}
	if (d->base != base || d->end != end || d->nr_ram > CAPTURE_MAX_RAM) {
		rt_snprintf(why, why_len, "descriptor for [%#llx, %#llx), armed for [%#llx, %#llx)",
			    (unsigned long long)d->base, (unsigned long long)d->end,
			    (unsigned long long)base, (unsigned long long)end);
		return false;
	}
	/* the layout inside the region, past the descriptor */
	{
		uint64_t lo = base + CAPTURE_DESC_SIZE;
		struct { uint64_t at, len; } part[] = {
			{ d->purgatory_mem, 1 }, { d->work_mem, CAPTURE_WORK_SIZE },
			{ d->initrd_mem, d->initrd_size }, { d->kernel_mem, 1 },
		};
		for (size_t i = 0; i < RT_ARRAY_SIZE(part); i++)
			if (part[i].len && (part[i].at < lo || part[i].at > end ||
					    end - part[i].at < part[i].len || (part[i].at & 0xfff))) {
				rt_snprintf(why, why_len, "the descriptor's layout leaves the region");
				return false;
			}
		if (d->free_mem < d->kernel_mem || d->free_mem > end ||
		    d->cmdline[sizeof(d->cmdline) - 1] || d->kernel_path[sizeof(d->kernel_path) - 1]) {
			rt_snprintf(why, why_len, "the descriptor's layout leaves the region");
			return false;
		}
	}
	return true;
}

static size_t put_span(struct mem_span *out, size_t n, size_t max, uint64_t s, uint64_t e)
{
	if (s >= e)
		return n;
	if (n && n <= max && out[n - 1].end == s) {
		out[n - 1].end = e;
		return n;
	}
	if (n < max)
		out[n] = (struct mem_span){ s, e };
	return n + 1;
}

size_t capture_dump_ranges(const struct mem_span *ram, size_t nram, const struct memmap *now,
			   uint64_t skip_start, uint64_t skip_end, struct mem_span *out, size_t max)
{
	size_t n = 0;

	/* ram[] is sorted (it is built from a normalised map); `now` is normalised */
	for (size_t i = 0; i < nram; i++)
		for (size_t j = 0; j < now->n; j++) {
			const struct mem_range *r = &now->r[j];
			uint64_t s = ram[i].start > r->start ? ram[i].start : r->start;
			uint64_t e = ram[i].end < r->end ? ram[i].end : r->end;
			if (r->type != MEM_FREE || s >= e)
				continue;
			if (s < CAPTURE_LOW_LIMIT)
				s = CAPTURE_LOW_LIMIT;
			if (s < skip_start) /* the part below the region */
				n = put_span(out, n, max, s, e < skip_start ? e : skip_start);
			if (e > skip_end) /* the part above it */
				n = put_span(out, n, max, s > skip_end ? s : skip_end, e);
		}
	return n;
}

/* --- the ELF core header (ELF-64 Object File Format 1.5; the kernel reads it
 * in fs/proc/vmcore.c, parse_crash_elf64_headers) ---------------------------- */

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr");

#define ET_CORE 4
#define PT_LOAD 1
#define PT_NOTE 4
#define PF_RWX 7

size_t capture_elfcore(void *buf, size_t size, uint64_t phys, const struct capture_core *c)
{
	struct elf64_ehdr *eh = buf;
	struct elf64_phdr *ph = (struct elf64_phdr *)(eh + 1);
	size_t nph = 1 + c->nload, note_off = sizeof(*eh) + nph * sizeof(*ph);
	size_t total = note_off + c->note_len;

	if (total > size || nph > 0xfffe)
		return 0;
	RT_FN(memset)(buf, 0, total);
	RT_FN(memcpy)(eh->ident, "\177ELF", 4);
	eh->ident[4] = 2; /* ELFCLASS64 */
	eh->ident[5] = 1; /* ELFDATA2LSB */
	eh->ident[6] = 1; /* EV_CURRENT */
	eh->type = ET_CORE;
	eh->machine = c->machine;
	eh->version = 1;
	eh->phoff = sizeof(*eh);
	eh->ehsize = sizeof(*eh);
	eh->phentsize = sizeof(*ph);
	eh->phnum = (uint16_t)nph;
	ph[0] = (struct elf64_phdr){ .type = PT_NOTE, .offset = phys + note_off,
				     .filesz = c->note_len, .memsz = c->note_len };
	for (size_t i = 0; i < c->nload; i++) {
		uint64_t s = c->load[i].start, len = c->load[i].end - s;
		ph[1 + i] = (struct elf64_phdr){
			.type = PT_LOAD, .flags = PF_RWX, .offset = s, .paddr = s,
			.vaddr = c->vaddr_delta ? s + c->vaddr_delta : ~0ull,
			.filesz = len, .memsz = len,
		};
	}
	RT_FN(memcpy)((uint8_t *)buf + note_off, c->note, c->note_len);
	return total;
}

/* --- VMCOREINFO (kernel/crash_core.c: the note the kernel keeps in a page of
 * its own, alloc_pages_exact(VMCOREINFO_NOTE_SIZE)) --------------------------- */

#define NOTE_NAME "VMCOREINFO"
#define NOTE_HDR 12
#define NOTE_NAME_PAD 12 /* 11 bytes with the NUL, padded to 4 */
#define VMCOREINFO_MAX 4096 /* VMCOREINFO_BYTES, a page */

size_t capture_vmcoreinfo_note(const void *p, size_t avail)
{
	const uint8_t *b = p;
	uint32_t namesz, descsz, type;

	if (avail < NOTE_HDR + NOTE_NAME_PAD + 10)
		return 0;
	RT_FN(memcpy)(&namesz, b, 4);
	RT_FN(memcpy)(&descsz, b + 4, 4);
	RT_FN(memcpy)(&type, b + 8, 4);
	if (namesz != sizeof(NOTE_NAME) || type != 0 || descsz < 10 || descsz > VMCOREINFO_MAX ||
	    RT_FN(memcmp)(b + NOTE_HDR, NOTE_NAME, sizeof(NOTE_NAME)) != 0 ||
	    RT_FN(memcmp)(b + NOTE_HDR + NOTE_NAME_PAD, "OSRELEASE=", 10) != 0)
		return 0;
	if (NOTE_HDR + NOTE_NAME_PAD + (size_t)descsz > avail)
		return 0;
	/* text lines: printable ASCII and newlines only */
	for (uint32_t i = 0; i < descsz; i++) {
		uint8_t c = b[NOTE_HDR + NOTE_NAME_PAD + i];
		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return 0;
	}
	return NOTE_HDR + NOTE_NAME_PAD + ((descsz + 3) & ~3u);
}

/* The text after "KEY=" at the start of a line, and its length. */
static const char *find_value(const void *note, size_t len, const char *key, size_t *vlen)
{
	const char *t = (const char *)note + NOTE_HDR + NOTE_NAME_PAD;
	uint32_t descsz;
	size_t klen = RT_FN(strlen)(key);

	if (len < NOTE_HDR + NOTE_NAME_PAD)
		return NULL;
	RT_FN(memcpy)(&descsz, (const uint8_t *)note + 4, 4);
	if (descsz > len - NOTE_HDR - NOTE_NAME_PAD)
		return NULL;
	for (size_t i = 0; i < descsz;) {
		size_t e = i;
		while (e < descsz && t[e] != '\n')
			e++;
		if (e - i > klen && t[i + klen] == '=' && RT_FN(memcmp)(t + i, key, klen) == 0) {
			*vlen = e - i - klen - 1;
			return t + i + klen + 1;
		}
		i = e + 1;
	}
	return NULL;
}

bool capture_vmcoreinfo_value(const void *note, size_t len, const char *key, uint64_t *val)
{
	size_t n, i = 0;
	const char *v = find_value(note, len, key, &n);
	bool hex = RT_FN(strncmp)(key, "SYMBOL(", 7) == 0 || RT_FN(strcmp)(key, "KERNELOFFSET") == 0;
	uint64_t x = 0;
	bool neg = false;

	if (!v || !n)
		return false;
	/* VMCOREINFO_NUMBER prints "%ld": x86's phys_base is negative when
	 * KASLR moved the kernel further in virtual than in physical memory */
	if (!hex && v[0] == '-' && n > 1) {
		neg = true;
		i = 1;
	}
	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		hex = true;
		i = 2;
	}
	for (; i < n; i++) {
		char c = v[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		x = x * (hex ? 16 : 10) + d;
	}
	*val = neg ? 0 - x : x; /* two's complement, as the kernel's long */
	return true;
}

bool capture_vmcoreinfo_release(const void *note, size_t len, char *buf, size_t size)
{
	size_t n;
	const char *v = find_value(note, len, "OSRELEASE", &n);

	if (!v || !size)
		return false;
	if (n >= size)
		n = size - 1;
	RT_FN(memcpy)(buf, v, n);
	buf[n] = 0;
	return true;
}

/* --- x86_64: where the direct map starts (arch/x86/mm/kaslr.c moves it in
 * PUD_SIZE steps; Intel SDM vol. 3, 4.5: the 4- and 5-level formats) --------- */

#define X86_P 1ull
#define X86_PS (1ull << 7)
#define X86_ADDR 0x000ffffffffff000ull
#define GiB (1ull << 30)

/* The physical address the 1 GiB at PUD entry `e` starts with. */
static bool pud_target(capture_read_fn read, void *ctx, uint64_t e, uint64_t mask, uint64_t *phys)
{
	uint64_t pmd;

	if (e & X86_PS) {
		*phys = e & mask & ~(GiB - 1);
		return true;
	}
	if (!read(ctx, e & mask, &pmd) || !(pmd & X86_P))
		return false;
	if (pmd & X86_PS) {
		*phys = pmd & mask & ~((1ull << 21) - 1);
		return true;
	}
	if (!read(ctx, pmd & mask, &e) || !(e & X86_P))
		return false;
	*phys = e & mask;
	return true;
}

/* Reads at most this many entries: tables in old memory may be garbage,
 * and garbage could make every entry "present" (512^4 reads). A kernel's
 * tables take a few thousand. */
#define WALK_BUDGET (1u << 18)

static bool walk(capture_read_fn read, void *ctx, uint64_t table, int level, bool top, uint64_t va,
		 uint64_t mask, uint64_t *out, unsigned *budget)
{
	/* level 5: bits 56:48, 4: 47:39, 3 (PUD): 38:30 */
	unsigned shift = 30 + 9 * (unsigned)(level - 3);

	for (unsigned i = top ? 256 : 0; i < 512; i++) {
		uint64_t e, v = va | ((uint64_t)i << shift), phys;
		if (!*budget)
			return false;
		--*budget;
		if (!read(ctx, table + 8 * i, &e) || !(e & X86_P))
			continue;
		if (level == 3) {
			if (pud_target(read, ctx, e, mask, &phys) && phys == 0) {
				*out = v;
				return true;
			}
		} else if (!(e & X86_PS) &&
			   walk(read, ctx, e & mask, level - 1, false, v, mask, out, budget)) {
			return true;
		}
	}
	return false;
}

bool capture_x86_page_offset(capture_read_fn read, void *ctx, uint64_t pgd, bool la57,
			     uint64_t sme_mask, uint64_t *page_offset)
{
	uint64_t v;

	unsigned budget = WALK_BUDGET;

	if (!walk(read, ctx, pgd, la57 ? 5 : 4, true, 0, X86_ADDR & ~sme_mask, &v, &budget))
		return false;
	/* canonical: sign-extend from bit 56 (5-level) or 47 */
	*page_offset = v | (la57 ? 0xfe00000000000000ull : 0xffff000000000000ull);
	return true;
}

/* --- efi-pstore (drivers/firmware/efi/efi-pstore.c names its variables
 * "dump-type%u-%u-%d-%lld-%c": type, part, count, seconds, C|D) --------------- */

bool capture_pstore_time(const char *name, int64_t *time)
{
	static const char prefix[] = "dump-type0-";
	int64_t num[3];
	int n = 0;
	const char *p = name + sizeof(prefix) - 1;

	if (RT_FN(strncmp)(name, prefix, sizeof(prefix) - 1) != 0)
		return false;
	while (n < 3) {
		int64_t x = 0;
		bool neg = *p == '-';
		if (neg)
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			if (x > (INT64_MAX - 9) / 10)
				return false;
			x = x * 10 + (*p++ - '0');
		}
		num[n++] = neg ? -x : x;
		if (*p != '-')
			break;
		p++;
		if ((*p == 'C' || *p == 'D') && !p[1])
			break;
	}
	if (n < 2 || (*p && !((*p == 'C' || *p == 'D') && !p[1])))
		return false;
	*time = num[n - 1];
	return true;
}

/* --- memory the firmware rewrites on a reset ---------------------------------- */

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2) */
struct efi_desc {
	uint32_t type, pad;
	uint64_t phys, virt, pages, attr;
};
#define EFI_PAGE 4096ull
enum { EFI_RESERVED = 0, EFI_LOADER_CODE = 1, EFI_BS_DATA = 4, EFI_CONVENTIONAL = 7 };

size_t capture_hide_in_efi_map(void *map, size_t size, size_t room, size_t desc_size,
			       const struct mem_span *hide, size_t n, uint32_t hide_types)
{
	uint8_t *m = map;

	if (desc_size < sizeof(struct efi_desc))
		return 0;
	for (size_t off = 0; off + desc_size <= size; off += desc_size) {
		struct efi_desc d;
		RT_FN(memcpy)(&d, m + off, sizeof(d));
		if (d.type < 32 && (hide_types & (1u << d.type))) {
			d.type = EFI_RESERVED;
			RT_FN(memcpy)(m + off, &d, sizeof(d));
		}
	}
	for (size_t h = 0; h < n; h++)
		for (size_t off = 0; off + desc_size <= size; off += desc_size) {
			struct efi_desc d;
			uint64_t s, e, cs, ce;
			RT_FN(memcpy)(&d, m + off, sizeof(d));
			s = d.phys;
			e = s + d.pages * EFI_PAGE;
			cs = hide[h].start > s ? hide[h].start : s;
			ce = hide[h].end < e ? hide[h].end : e;
			if (cs >= ce || !((d.type >= EFI_LOADER_CODE && d.type <= EFI_BS_DATA) ||
					  d.type == EFI_CONVENTIONAL))
				continue;
			/* [s, cs) keeps its type, [cs, ce) reserved, [ce, e) keeps its type */
			size_t extra = (cs > s) + (ce < e);
			if (size + extra * desc_size > room)
				return 0;
			RT_FN(memmove)(m + off + (1 + extra) * desc_size, m + off + desc_size,
				       size - off - desc_size);
			size += extra * desc_size;
			uint8_t *p = m + off;
			struct efi_desc part = d;
			if (cs > s) {
				part.pages = (cs - s) / EFI_PAGE;
				RT_FN(memcpy)(p, &part, sizeof(part));
				p += desc_size;
			}
			part = d;
			part.type = EFI_RESERVED;
			part.phys = cs;
			part.virt = 0;
			part.pages = (ce - cs) / EFI_PAGE;
			RT_FN(memcpy)(p, &part, sizeof(part));
			p += desc_size;
			if (ce < e) {
				part = d;
				part.phys = ce;
				part.pages = (e - ce) / EFI_PAGE;
				RT_FN(memcpy)(p, &part, sizeof(part));
			}
			off += extra * desc_size;
		}
	return size;
}

size_t capture_spans_minus(struct mem_span *s, size_t n, size_t max, const struct mem_span *hide,
			   size_t nhide)
{
	for (size_t h = 0; h < nhide; h++)
		for (size_t i = 0; i < n; i++) {
			uint64_t a = hide[h].start, b = hide[h].end;
			if (b <= s[i].start || a >= s[i].end)
				continue;
			if (a > s[i].start && b < s[i].end) { /* split in two */
				if (n == max)
					return 0;
				RT_FN(memmove)(&s[i + 2], &s[i + 1], (n - i - 1) * sizeof(*s));
				s[i + 1] = (struct mem_span){ b, s[i].end };
				s[i].end = a;
				n++;
			} else if (a > s[i].start) {
				s[i].end = a;
			} else if (b < s[i].end) {
				s[i].start = b;
			} else { /* all of it */
				RT_FN(memmove)(&s[i], &s[i + 1], (n - i - 1) * sizeof(*s));
				n--;
				i--;
			}
		}
	return n;
}
