/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * bls.c - Boot Loader Specification entries, loader.conf, efikexec.conf,
 * the UAPI version order and boot-counter names; see bls.h for sources.
 */
#include "bls.h"
#include "osrel.h"

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_space(char c) { return c == ' ' || c == '\t'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* Copies src (n bytes, or up to its NUL) into out; false if it was cut. */
static bool copy(char *out, size_t size, const char *src, size_t n)
{
	size_t len = RT_FN(strnlen)(src, n);
	bool fits = len < size;

	if (!fits)
		len = size - 1;
	RT_FN(memcpy)(out, src, len);
	out[len] = 0;
	return fits;
}

/* Appends v to the repeatable key's value in dst, a space between; false
 * (dst as it was) when the whole would not fit. */
static bool join(char *dst, size_t size, const char *v)
{
	size_t at = RT_FN(strlen)(dst), n = RT_FN(strlen)(v);

	if (at + !!at + n >= size)
		return false;
	if (at)
		dst[at++] = ' ';
	RT_FN(memcpy)(dst + at, v, n + 1);
	return true;
}

/* --- lines --------------------------------------------------------------------- */

/* One "KEY VALUE" line: the key and the value, white space around cut. */
struct line {
	unsigned no;
	char key[64];
	const char *value; /* into the caller's line buffer, NUL-terminated */
	bool no_value;
};

typedef void (*line_fn)(void *ctx, const struct line *l);

/*
 * Calls fn for every line that is neither empty nor a comment. A UTF-8
 * BOM at the start and a CR before each LF are dropped. False with why
 * when the text holds a NUL byte or a line longer than BLS_LINE_MAX; the
 * lines before it were passed on.
 */
static bool each_line(const char *buf, size_t len, line_fn fn, void *ctx, char *why, size_t whylen)
{
	static char text[BLS_LINE_MAX + 1];
	size_t at = 0;
	unsigned no = 0;

	if (len >= 3 && (uint8_t)buf[0] == 0xef && (uint8_t)buf[1] == 0xbb && (uint8_t)buf[2] == 0xbf)
		at = 3;
	while (at < len) {
		size_t start = at, n, k = 0;
		struct line l = { .no = ++no };
		char *p;

		while (at < len && buf[at] != '\n') {
			if (!buf[at]) {
				rt_snprintf(why, whylen, "line %u: a NUL byte (a binary file?)", no);
				return false;
			}
			at++;
		}
		n = at - start;
		at++; /* the LF */
		if (n && buf[start + n - 1] == '\r')
			n--;
		if (n > BLS_LINE_MAX) {
			rt_snprintf(why, whylen, "line %u: %zu bytes, more than the limit of %u", no, n,
				    BLS_LINE_MAX);
			return false;
		}
		RT_FN(memcpy)(text, buf + start, n);
		text[n] = 0;
		p = text;
		while (is_space(*p))
			p++;
		if (!*p || *p == '#')
			continue;
		while (*p && !is_space(*p)) {
			if (k + 1 < sizeof(l.key))
				l.key[k++] = *p;
			p++;
		}
		l.key[k] = 0;
		while (is_space(*p))
			p++;
		n = RT_FN(strlen)(p);
		while (n && is_space(p[n - 1]))
			p[--n] = 0;
		l.value = p;
		l.no_value = !n;
		fn(ctx, &l);
	}
	return true;
}

static void warnf(bls_warn_fn warn, void *ctx, const char *file, unsigned line, const char *fmt, ...)
	RT_PRINTF(5, 6);
static void warnf(bls_warn_fn warn, void *ctx, const char *file, unsigned line, const char *fmt, ...)
{
	char text[BLS_WHY_MAX + 128];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	rt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	warn(ctx, file, line, text);
}

/* --- names, counters ----------------------------------------------------------- */

/* Where the suffix (".conf", ".efi": the last '.') starts; the end if none. */
static size_t suffix_at(const char *file)
{
	const char *dot = RT_FN(strrchr)(file, '.');
	return dot ? (size_t)(dot - file) : RT_FN(strlen)(file);
}

/* The counter "+LEFT[-DONE]" right before the suffix: where it starts, and
 * the digits' positions and widths. */
struct counter {
	size_t plus, left_at, left_w, done_at, done_w, end;
	bool has_done;
};

static bool find_counter(const char *file, struct counter *c)
{
	size_t end = suffix_at(file), i;

	/* the last '+' before the suffix (boot.c: boot_entry_parse_tries) */
	for (i = end; i > 0 && file[i - 1] != '+'; i--)
		;
	if (!i)
		return false;
	*c = (struct counter){ .plus = i - 1, .left_at = i, .end = end };
	while (i < end && is_digit(file[i]))
		i++;
	c->left_w = i - c->left_at;
	if (!c->left_w)
		return false;
	if (i < end && file[i] == '-') {
		c->has_done = true;
		c->done_at = ++i;
		while (i < end && is_digit(file[i]))
			i++;
		c->done_w = i - c->done_at;
		if (!c->done_w)
			return false;
	}
	return i == end;
}

#define COUNTER_MAX 0x7fffffff /* INT_MAX, as systemd-boot caps */

static int64_t digits(const char *s, size_t n)
{
	int64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > COUNTER_MAX)
			v = COUNTER_MAX;
	}
	return v;
}

bool bls_counter(const char *file, int64_t *left, int64_t *done)
{
	struct counter c;

	if (!find_counter(file, &c))
		return false;
	*left = digits(file + c.left_at, c.left_w);
	*done = c.has_done ? digits(file + c.done_at, c.done_w) : 0;
	return true;
}

bool bls_counter_next(const char *file, char *out, size_t size)
{
	struct counter c;
	int64_t left, done, cap = COUNTER_MAX;
	int n;

	if (!find_counter(file, &c))
		return false;
	left = digits(file + c.left_at, c.left_w);
	done = c.has_done ? digits(file + c.done_at, c.done_w) : 0;
	left = left > 0 ? left - 1 : 0;
	/* A DONE written at a fixed width (two digits or more: "-00") stays
	 * that wide, so a rename on FAT never changes the name's length (the
	 * specification's 2025 addition); an unpadded one grows as needed. */
	if (c.has_done && c.done_w >= 2 && c.done_w < 10) {
		cap = 1;
		for (size_t i = 0; i < c.done_w; i++)
			cap *= 10;
		cap--;
	}
	done = done < cap ? done + 1 : cap;
	n = rt_snprintf(out, size, "%.*s+%0*lld-%0*lld%s", (int)c.plus, file, (int)c.left_w,
			(long long)left, c.has_done ? (int)c.done_w : 1, (long long)done, file + c.end);
	return n > 0 && (size_t)n < size;
}

/* The entry's ID: the file name lowercased, its counter taken out (newer
 * systemd-boot does the same, so the ID names the entry across boots). */
static void make_id(char *id, const char *file)
{
	struct counter c;
	size_t n = 0;

	for (size_t i = 0; file[i] && n + 1 < BLS_NAME_MAX; i++) {
		if (find_counter(file, &c) && i >= c.plus && i < c.end)
			continue;
		id[n++] = lower(file[i]);
	}
	id[n] = 0;
}

/* --- versions ------------------------------------------------------------------ */

static bool version_char(char c)
{
	return is_digit(c) || is_alpha(c) || c == '~' || c == '-' || c == '^' || c == '.';
}

/*
 * UAPI.10 (specs/version_format_specification.md), in the order its
 * "Version comparison" section gives: separators skipped; '~' lower than
 * anything, even the end; then the longer string newer; then '-', '^'
 * and '.' each lower than anything but the ones before; digit runs as
 * numbers (leading zeros dropped; a run beats no run); letter runs
 * compared as bytes ("B" < "a"), the longer newer.
 */
int bls_version_cmp(const char *a, const char *b)
{
	static const char seps[] = { '-', '^', '.' };

	if (!*a || !*b)
		return CMP(RT_FN(strcmp)(a, b), 0);
	for (;;) {
		const char *aa, *bb;
		int r;
		bool sep = false;

		while (*a && !version_char(*a))
			a++;
		while (*b && !version_char(*b))
			b++;
		if (*a == '~' || *b == '~') {
			if ((r = CMP(*a != '~', *b != '~')))
				return r;
			a++, b++;
			continue;
		}
		if (!*a || !*b)
			return CMP(*a != 0, *b != 0);
		for (unsigned i = 0; i < sizeof(seps); i++) {
			if (*a != seps[i] && *b != seps[i])
				continue;
			if ((r = CMP(*a != seps[i], *b != seps[i])))
				return r;
			a++, b++;
			sep = true;
			break;
		}
		if (sep)
			continue;
		if (is_digit(*a) || is_digit(*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			for (aa = a; is_digit(*aa); aa++)
				;
			for (bb = b; is_digit(*bb); bb++)
				;
			if ((r = CMP(a != aa, b != bb)) || (r = CMP(aa - a, bb - b)))
				return r;
			if ((r = RT_FN(strncmp)(a, b, (size_t)(aa - a))))
				return CMP(r, 0);
		} else {
			size_t n;
			for (aa = a; is_alpha(*aa); aa++)
				;
			for (bb = b; is_alpha(*bb); bb++)
				;
			n = (size_t)(aa - a) < (size_t)(bb - b) ? (size_t)(aa - a) : (size_t)(bb - b);
			if ((r = RT_FN(memcmp)(a, b, n)))
				return CMP(r, 0);
			if ((r = CMP(aa - a, bb - b)))
				return r;
		}
		a = aa, b = bb;
	}
}

/* --- entries ------------------------------------------------------------------- */

bool bls_bootable(const struct bls_entry *e)
{
	return !e->broken && !e->hidden && e->tries_left != 0;
}

/* Where an entry goes: usable ones, then bad (no tries left), broken, and
 * the automatic entries after all (systemd-boot appends those after its
 * sort). */
static int rank(const struct bls_entry *e)
{
	if (e->kind == BLS_AUTO_EFI || e->kind == BLS_AUTO_FIRMWARE)
		return e->kind == BLS_AUTO_EFI ? 3 : 4;
	if (e->broken)
		return 2;
	return e->tries_left == 0 ? 1 : 0;
}

/* The ID without its suffix, for the last comparison. */
static void stem(char *out, const char *id)
{
	size_t n = suffix_at(id);
	copy(out, BLS_NAME_MAX, id, n);
}

int bls_compare(const struct bls_entry *a, const struct bls_entry *b)
{
	char sa[BLS_NAME_MAX], sb[BLS_NAME_MAX];
	int r;

	if ((r = CMP(rank(a), rank(b))))
		return r;
	if (a->sort_key[0] && b->sort_key[0]) {
		if ((r = RT_FN(strcmp)(a->sort_key, b->sort_key)) ||
		    (r = RT_FN(strcmp)(a->machine_id, b->machine_id)))
			return CMP(r, 0);
		if ((r = -bls_version_cmp(a->version, b->version)))
			return r;
	} else if (a->sort_key[0] || b->sort_key[0]) {
		return a->sort_key[0] ? -1 : 1;
	}
	stem(sa, a->id);
	stem(sb, b->id);
	if ((r = -bls_version_cmp(sa, sb)))
		return r;
	/* systemd-boot's last words: more tries left first, fewer done first */
	if ((r = -CMP(a->tries_left, b->tries_left)) || (r = CMP(a->tries_done, b->tries_done)))
		return r;
	return CMP(RT_FN(strcmp)(a->file, b->file), 0);
}

void bls_sort(struct bls_entry **e, size_t n)
{
	/* insertion sort of pointers: a few hundred entries, and stable */
	for (size_t i = 1; i < n; i++) {
		struct bls_entry *x = e[i];
		size_t j = i;
		for (; j > 0 && bls_compare(e[j - 1], x) > 0; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

void bls_titles(struct bls_entry **e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!e[i]->title[0])
			copy(e[i]->title, sizeof(e[i]->title), e[i]->id, BLS_NAME_MAX);
	/* each pass decides on the titles as they were before it */
	for (int pass = 0; pass < 3; pass++) {
		bool dup[n ? n : 1];
		for (size_t i = 0; i < n; i++) {
			dup[i] = false;
			for (size_t j = 0; j < n && !dup[i]; j++)
				dup[i] = j != i && !RT_FN(strcmp)(e[i]->title, e[j]->title);
		}
		for (size_t i = 0; i < n; i++) {
			const char *more = pass == 0 ? e[i]->version : pass == 1 ? e[i]->machine_id : e[i]->id;
			size_t len = RT_FN(strlen)(e[i]->title);
			if (dup[i] && more[0])
				rt_snprintf(e[i]->title + len, sizeof(e[i]->title) - len, " (%.*s)",
					    pass == 1 ? 8 : (int)BLS_TEXT_MAX, more);
		}
	}
}

static bool glob_class(const char **pp, char c, bool *match)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^')
		neg = true, p++;
	for (bool first = true; *p && (first || *p != ']'); first = false) {
		char lo = lower(*p), hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = lower(p[2]);
			p += 3;
		} else {
			p++;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	if (*p != ']')
		return false; /* no closing ']': the '[' is a plain character */
	*pp = p + 1;
	*match = hit != neg;
	return true;
}

bool bls_glob(const char *p, const char *t)
{
	for (; *p; t++) {
		bool m;
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			for (; *t; t++)
				if (bls_glob(p, t))
					return true;
			return false;
		}
		if (!*t)
			return false;
		if (*p == '[') {
			const char *q = p;
			if (glob_class(&q, lower(*t), &m)) {
				if (!m)
					return false;
				p = q;
				continue;
			}
		}
		if (*p != '?' && lower(*p) != lower(*t))
			return false;
		p++;
	}
	return !*t;
}

/* The parser's state for one entry file. */
struct entry_ctx {
	struct bls_entry *e;
	const char *file, *arch;
	bls_warn_fn warn;
	void *wctx;
	bool seen_linux, seen_efi, seen_uki, seen_uki_url;
};

static void set_broken(struct bls_entry *e, const char *fmt, ...) RT_PRINTF(2, 3);
static void set_broken(struct bls_entry *e, const char *fmt, ...)
{
	va_list ap;

	if (e->broken)
		return; /* the first reason stands */
	e->broken = true;
	va_start(ap, fmt);
	rt_vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
}

/* A single-valued key: the value, or a warning when it came before. */
static void set_text(struct entry_ctx *c, const struct line *l, char *dst, size_t size)
{
	if (dst[0])
		warnf(c->warn, c->wctx, c->file, l->no, "'%s' given again; the last one counts", l->key);
	if (!copy(dst, size, l->value, BLS_LINE_MAX))
		set_broken(c->e, "line %u: the %s value is longer than %zu bytes", l->no, l->key, size - 1);
}

/* An efikexec-module value, split in place: a NUL after the path (at most
 * BLS_PATH_MAX - 1 bytes), *args where the arguments start ("" for none);
 * false when there is no path or it is too long. */
static bool module_split(char *value, uint16_t *args)
{
	size_t n = 0, a;

	while (value[n] && value[n] != ' ' && value[n] != '\t')
		n++;
	if (!n || n >= BLS_PATH_MAX)
		return false;
	for (a = n; value[a] == ' ' || value[a] == '\t'; a++)
		;
	if (!value[a])
		a = n; /* no arguments: the path's own NUL */
	value[n] = 0;
	*args = (uint16_t)a;
	return true;
}

static void entry_line(void *ctx, const struct line *l)
{
	struct entry_ctx *c = ctx;
	struct bls_entry *e = c->e;
	const char *k = l->key;

	if (l->no_value) {
		set_broken(e, "line %u: key '%s' has no value", l->no, k);
		return;
	}
	if (!RT_FN(strcmp)(k, "title")) {
		set_text(c, l, e->title, sizeof(e->title));
	} else if (!RT_FN(strcmp)(k, "version")) {
		set_text(c, l, e->version, sizeof(e->version));
	} else if (!RT_FN(strcmp)(k, "machine-id")) {
		set_text(c, l, e->machine_id, sizeof(e->machine_id));
	} else if (!RT_FN(strcmp)(k, "sort-key")) {
		set_text(c, l, e->sort_key, sizeof(e->sort_key));
	} else if (!RT_FN(strcmp)(k, "linux") || !RT_FN(strcmp)(k, "uki")) {
		/* `uki`: a Type #1 entry naming a UKI; efikexec boots a UKI
		 * through `linux` the same way */
		*(k[0] == 'l' ? &c->seen_linux : &c->seen_uki) = true;
		set_text(c, l, e->linux_path, sizeof(e->linux_path));
	} else if (!RT_FN(strcmp)(k, "efi")) {
		c->seen_efi = true;
		set_text(c, l, e->efi_path, sizeof(e->efi_path));
	} else if (!RT_FN(strcmp)(k, "devicetree")) {
		set_text(c, l, e->devicetree, sizeof(e->devicetree));
	} else if (!RT_FN(strcmp)(k, "architecture")) {
		set_text(c, l, e->architecture, sizeof(e->architecture));
	} else if (!RT_FN(strcmp)(k, "initrd")) {
		if (e->ninitrd == BLS_MAX_INITRDS)
			set_broken(e, "line %u: more than %u initrd lines", l->no, BLS_MAX_INITRDS);
		else if (!copy(e->initrd[e->ninitrd++], BLS_PATH_MAX, l->value, BLS_LINE_MAX))
			set_broken(e, "line %u: an initrd path longer than %u bytes", l->no, BLS_PATH_MAX - 1);
	} else if (!RT_FN(strcmp)(k, "efikexec-tls-ca")) {
		set_text(c, l, e->tls_ca, sizeof(e->tls_ca));
	} else if (!RT_FN(strcmp)(k, "efikexec-module")) {
		if (e->nmodule == BLS_MAX_MODULES)
			set_broken(e, "line %u: more than %u efikexec-module lines", l->no, BLS_MAX_MODULES);
		else if (!copy(e->module[e->nmodule], BLS_MODULE_MAX, l->value, BLS_LINE_MAX))
			set_broken(e, "line %u: an efikexec-module line longer than %u bytes", l->no, BLS_MODULE_MAX - 1);
		else if (!module_split(e->module[e->nmodule], &e->module_args[e->nmodule]))
			set_broken(e, "line %u: efikexec-module has no path, or a path longer than %u bytes: '%s'", l->no,
				   BLS_PATH_MAX - 1, l->value);
		else
			e->nmodule++;
	} else if (!RT_FN(strcmp)(k, "options")) {
		if (!join(e->options, sizeof(e->options), l->value)) {
			set_broken(e, "line %u: the options add up to more than %zu bytes", l->no,
				   sizeof(e->options) - 1);
			return;
		}
		e->has_options = true;
	} else if (!RT_FN(strcmp)(k, "uki-url")) {
		c->seen_uki_url = true;
		set_text(c, l, e->uki_url, sizeof(e->uki_url));
	} else if (!RT_FN(strcmp)(k, "devicetree-overlay") || !RT_FN(strcmp)(k, "extra") ||
		   !RT_FN(strcmp)(k, "profile")) {
		warnf(c->warn, c->wctx, c->file, l->no, "'%s' is not supported; ignored", k);
	} else {
		warnf(c->warn, c->wctx, c->file, l->no, "unknown key '%s'; ignored", k);
	}
}

static bool arch_matches(const char *want, const char *have)
{
	for (; *want && *have; want++, have++)
		if (lower(*want) != lower(*have))
			return false;
	return !*want && !*have;
}

static void entry_init(struct bls_entry *e, enum bls_kind kind, enum bls_part part, const char *file)
{
	int64_t left, done;

	RT_FN(memset)(e, 0, sizeof(*e));
	e->kind = kind;
	e->part = part;
	e->tries_left = e->tries_done = -1;
	e->boot_option = -1;
	if (!copy(e->file, sizeof(e->file), file, BLS_NAME_MAX))
		set_broken(e, "a file name longer than %u bytes", BLS_NAME_MAX - 1);
	make_id(e->id, e->file);
	if (bls_counter(e->file, &left, &done))
		e->tries_left = left, e->tries_done = done;
}

void bls_parse_entry(struct bls_entry *e, enum bls_part part, const char *file, const char *buf, size_t len,
		     const char *arch, bls_warn_fn warn, void *ctx)
{
	struct entry_ctx c = { .e = e, .file = file, .arch = arch, .warn = warn, .wctx = ctx };
	char why[BLS_WHY_MAX];

	entry_init(e, BLS_TYPE1, part, file);
	if (len > BLS_FILE_MAX) {
		set_broken(e, "%zu bytes, more than the limit of %u", len, BLS_FILE_MAX);
		return;
	}
	if (!each_line(buf, len, entry_line, &c, why, sizeof(why)))
		set_broken(e, "%s", why);
	if (c.seen_linux + c.seen_efi + c.seen_uki + c.seen_uki_url > 1)
		set_broken(e, "more than one of 'linux', 'efi', 'uki' and 'uki-url'");
	else if (!c.seen_linux && !c.seen_efi && !c.seen_uki && !c.seen_uki_url && !e->hidden)
		set_broken(e, "no 'linux' or 'efi' line");
	else if (c.seen_uki_url && (e->ninitrd || e->devicetree[0]))
		/* the UKI is self-contained (UAPI.1, uki-url) */
		set_broken(e, "a 'uki-url' entry takes no 'initrd' or 'devicetree' lines");
	if (c.seen_efi && e->ninitrd)
		warnf(warn, ctx, file, 0, "'initrd' lines of an 'efi' entry are not used");
	if (e->architecture[0] && arch && !arch_matches(e->architecture, arch))
		e->hidden = true;
}

void bls_uki_entry(struct bls_entry *e, enum bls_part part, const char *file, const char *path,
		   const char *osrel)
{
	static const char *const title_keys[] = { "PRETTY_NAME", "IMAGE_ID", "NAME", "ID" };
	static const char *const version_keys[] = { "IMAGE_VERSION", "VERSION", "VERSION_ID", "BUILD_ID" };

	entry_init(e, BLS_TYPE2, part, file);
	if (!copy(e->linux_path, sizeof(e->linux_path), path, BLS_PATH_MAX))
		set_broken(e, "a path longer than %u bytes", BLS_PATH_MAX - 1);
	for (unsigned i = 0; osrel && i < RT_ARRAY_SIZE(title_keys); i++)
		if (osrel_value(osrel, title_keys[i], e->title, sizeof(e->title)))
			break;
	for (unsigned i = 0; osrel && i < RT_ARRAY_SIZE(version_keys); i++)
		if (osrel_value(osrel, version_keys[i], e->version, sizeof(e->version)))
			break;
	/* the sort key of a UKI: os-release IMAGE_ID, else ID (the
	 * specification's recommendation for `sort-key`) */
	if (osrel && !osrel_value(osrel, "IMAGE_ID", e->sort_key, sizeof(e->sort_key)))
		osrel_value(osrel, "ID", e->sort_key, sizeof(e->sort_key));
}

void bls_uki_profile(struct bls_entry *e, unsigned n, const char *profile)
{
	char title[BLS_TEXT_MAX], id[BLS_TEXT_MAX] = "", name[BLS_TEXT_MAX];

	e->profile = n;
	if (profile)
		osrel_value(profile, "ID", id, sizeof(id));
	rt_snprintf(name, sizeof(name), "%s", e->title[0] ? e->title : e->file);
	if (profile && osrel_value(profile, "TITLE", title, sizeof(title)))
		rt_snprintf(e->title, sizeof(e->title), "%s (%s)", name, title);
	else if (n && id[0])
		rt_snprintf(e->title, sizeof(e->title), "%s (%s)", name, id);
	else if (n)
		rt_snprintf(e->title, sizeof(e->title), "%s (Profile #%u)", name, n + 1);
	if (!n)
		return;
	rt_snprintf(name, sizeof(name), "%s", e->id);
	if (id[0])
		rt_snprintf(e->id, sizeof(e->id), "%s@%s", name, id);
	else
		rt_snprintf(e->id, sizeof(e->id), "%s@%u", name, n);
}

/* --- loader.conf, efikexec.conf -------------------------------------------------- */

void bls_config_defaults(struct bls_config *c)
{
	RT_FN(memset)(c, 0, sizeof(*c));
	c->editor = c->auto_entries = c->auto_firmware = true;
}

bool bls_parse_timeout(const char *t, enum bls_timeout *kind, uint32_t *seconds)
{
	uint64_t v = 0;
	enum bls_timeout k;

	if (!RT_FN(strcmp)(t, "menu-force"))
		k = BLS_TIMEOUT_FORCE;
	else if (!RT_FN(strcmp)(t, "menu-hidden"))
		k = BLS_TIMEOUT_HIDDEN;
	else if (!RT_FN(strcmp)(t, "menu-disabled"))
		k = BLS_TIMEOUT_DISABLED;
	else if (rt_parse_u64(t, &v, false) && v <= 0xffffffffu)
		k = BLS_TIMEOUT_SECONDS;
	else
		return false; /* *kind and *seconds as they were */
	*kind = k;
	*seconds = (uint32_t)v;
	return true;
}

void bls_timeout_text(enum bls_timeout kind, uint32_t seconds, char *out, size_t size)
{
	switch (kind) {
	case BLS_TIMEOUT_FORCE: rt_snprintf(out, size, "menu-force"); break;
	case BLS_TIMEOUT_HIDDEN: rt_snprintf(out, size, "menu-hidden"); break;
	case BLS_TIMEOUT_DISABLED: rt_snprintf(out, size, "menu-disabled"); break;
	default: rt_snprintf(out, size, "%u", seconds); break;
	}
}

/* loader.conf(5) booleans */
static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "y", "true", "t", "on", "1" };
	static const char *const no[] = { "no", "n", "false", "f", "off", "0" };

	for (unsigned i = 0; i < RT_ARRAY_SIZE(yes); i++) {
		if (!RT_FN(strcmp)(v, yes[i]))
			return *out = true, true;
		if (!RT_FN(strcmp)(v, no[i]))
			return *out = false, true;
	}
	return false;
}

struct conf_ctx {
	struct bls_config *c;
	const char *file;
	bls_warn_fn warn;
	void *wctx;
};

/* systemd-boot keys efikexec reads past without a warning: they concern
 * what it does not have (console modes, Secure Boot enrollment, ...). */
static const char *const sd_boot_only[] = {
	"console-mode", "auto-poweroff", "auto-reboot", "beep", "reboot-for-bitlocker",
	"reboot-on-error", "secure-boot-enroll", "secure-boot-enroll-action", "random-seed-mode",
};

static void conf_line(void *ctx, const struct line *l)
{
	struct conf_ctx *x = ctx;
	struct bls_config *c = x->c;
	const char *k = l->key, *v = l->value;
	bool b;

	if (l->no_value) {
		warnf(x->warn, x->wctx, x->file, l->no, "key '%s' has no value; ignored", k);
		return;
	}
	if (!RT_FN(strcmp)(k, "default")) {
		if (!copy(c->default_pattern, sizeof(c->default_pattern), v, BLS_LINE_MAX))
			warnf(x->warn, x->wctx, x->file, l->no, "default longer than %u bytes; cut",
			      BLS_NAME_MAX - 1);
	} else if (!RT_FN(strcmp)(k, "timeout")) {
		if (bls_parse_timeout(v, &c->timeout, &c->timeout_seconds))
			c->timeout_set = true;
		else
			warnf(x->warn, x->wctx, x->file, l->no,
			      "timeout '%s' is not seconds, menu-force, menu-hidden or menu-disabled; ignored", v);
	} else if (!RT_FN(strcmp)(k, "editor") || !RT_FN(strcmp)(k, "auto-entries") ||
		   !RT_FN(strcmp)(k, "auto-firmware")) {
		if (!parse_bool(v, &b))
			warnf(x->warn, x->wctx, x->file, l->no, "%s '%s' is not yes or no; ignored", k, v);
		else
			*(k[0] == 'e' ? &c->editor : k[5] == 'e' ? &c->auto_entries : &c->auto_firmware) = b;
	} else {
		for (unsigned i = 0; i < RT_ARRAY_SIZE(sd_boot_only); i++)
			if (!RT_FN(strcmp)(k, sd_boot_only[i]))
				return;
		warnf(x->warn, x->wctx, x->file, l->no, "unknown key '%s'; ignored", k);
	}
}

static void conf_parse(struct conf_ctx *x, const char *buf, size_t len, line_fn fn)
{
	char why[BLS_WHY_MAX];

	if (len > BLS_FILE_MAX) {
		warnf(x->warn, x->wctx, x->file, 0, "%zu bytes, more than the limit of %u; not read", len,
		      BLS_FILE_MAX);
		return;
	}
	if (!each_line(buf, len, fn, x, why, sizeof(why)))
		warnf(x->warn, x->wctx, x->file, 0, "%s; the rest is not read", why);
}

void bls_parse_loader_conf(struct bls_config *c, const char *file, const char *buf, size_t len,
			   bls_warn_fn warn, void *ctx)
{
	struct conf_ctx x = { c, file, warn, ctx };
	conf_parse(&x, buf, len, conf_line);
}

static void efikexec_conf_line(void *ctx, const struct line *l)
{
	struct conf_ctx *x = ctx;
	struct bls_config *c = x->c;
	const char *k = l->key, *v = l->value;

	if (l->no_value) {
		warnf(x->warn, x->wctx, x->file, l->no, "key '%s' has no value; ignored", k);
		return;
	}
	if (!RT_FN(strcmp)(k, "capture-kernel")) {
		if (!copy(c->capture_kernel, sizeof(c->capture_kernel), v, BLS_LINE_MAX))
			warnf(x->warn, x->wctx, x->file, l->no, "path longer than %u bytes", BLS_PATH_MAX - 1);
	} else if (!RT_FN(strcmp)(k, "capture-initrd")) {
		if (c->ncapture_initrd == BLS_MAX_CAPTURE_INITRDS)
			warnf(x->warn, x->wctx, x->file, l->no, "more than %u capture-initrd lines; ignored",
			      BLS_MAX_CAPTURE_INITRDS);
		else if (!copy(c->capture_initrd[c->ncapture_initrd++], BLS_PATH_MAX, v, BLS_LINE_MAX))
			warnf(x->warn, x->wctx, x->file, l->no, "path longer than %u bytes", BLS_PATH_MAX - 1);
	} else if (!RT_FN(strcmp)(k, "capture-options")) {
		if (!join(c->capture_options, sizeof(c->capture_options), v))
			warnf(x->warn, x->wctx, x->file, l->no, "capture-options add up to more than %zu bytes; ignored",
			      sizeof(c->capture_options) - 1);
	} else if (!RT_FN(strcmp)(k, "capture-size")) {
		char size[64];
		const char *at = RT_FN(strchr)(v, '@');
		uint64_t s, a = 0;
		bool ok = copy(size, sizeof(size), v, at ? (size_t)(at - v) : BLS_LINE_MAX);
		ok = ok && rt_parse_u64(size, &s, true) && s && (!at || rt_parse_u64(at + 1, &a, true));
		if (!ok)
			warnf(x->warn, x->wctx, x->file, l->no,
			      "capture-size '%s' is not SIZE[@ADDRESS] (e.g. 256M or 256M@0x40000000); ignored", v);
		else
			c->capture_size = s, c->capture_addr = a;
	} else if (!RT_FN(strcmp)(k, "entry")) {
		if (c->nentry == BLS_MAX_CONF_ENTRIES)
			warnf(x->warn, x->wctx, x->file, l->no, "more than %u entry lines; ignored", BLS_MAX_CONF_ENTRIES);
		else if (!copy(c->entry[c->nentry], BLS_PATH_MAX, v, BLS_LINE_MAX))
			warnf(x->warn, x->wctx, x->file, l->no, "entry longer than %u bytes; ignored", BLS_PATH_MAX - 1);
		else
			c->nentry++;
	} else if (!RT_FN(strcmp)(k, "tls-ca")) {
		if (c->ntls_ca == BLS_MAX_TLS_CA)
			warnf(x->warn, x->wctx, x->file, l->no, "more than %u tls-ca lines; ignored", BLS_MAX_TLS_CA);
		else if (!copy(c->tls_ca[c->ntls_ca], BLS_PATH_MAX, v, BLS_LINE_MAX))
			warnf(x->warn, x->wctx, x->file, l->no, "tls-ca longer than %u bytes; ignored", BLS_PATH_MAX - 1);
		else
			c->ntls_ca++;
	} else if (!RT_FN(strcmp)(k, "log-level")) {
		int i = RT_LOG_ERR;
		while (i <= RT_LOG_DEBUG && RT_FN(strcmp)(v, rt_log_level_name((enum rt_log_level)i)))
			i++;
		if (i > RT_LOG_DEBUG)
			warnf(x->warn, x->wctx, x->file, l->no,
			      "log-level '%s' is not error, warn, notice, info or debug; ignored", v);
		else
			c->log_level = i, c->log_level_set = true;
	} else if (!RT_FN(strcmp)(k, "x86-entry")) {
		if (!RT_FN(strcmp)(v, "direct") || !RT_FN(strcmp)(v, "legacy"))
			c->x86_direct = v[0] == 'd';
		else
			warnf(x->warn, x->wctx, x->file, l->no, "x86-entry '%s' is not legacy or direct; ignored", v);
	} else if (!RT_FN(strcmp)(k, "default") || !RT_FN(strcmp)(k, "timeout")) {
		conf_line(ctx, l); /* as loader.conf reads them */
	} else {
		warnf(x->warn, x->wctx, x->file, l->no, "unknown key '%s'; ignored", k);
	}
}

void bls_parse_efikexec_conf(struct bls_config *c, const char *file, const char *buf, size_t len,
			     bls_warn_fn warn, void *ctx)
{
	struct conf_ctx x = { c, file, warn, ctx };
	conf_parse(&x, buf, len, efikexec_conf_line);
}

