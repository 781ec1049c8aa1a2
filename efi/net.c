/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * net.c - files named by URL, fetched through the firmware's network
 * stack; efi/file.c hands a path that is a URL (lib/url.h) to this file,
 * so a URL goes wherever a path goes.
 *
 * HTTP (and HTTPS) through EFI_HTTP_PROTOCOL (UEFI 2.10, 29.6), one child
 * of the NIC's HTTP service binding per transfer. IPv4 comes from the
 * NIC's EFI_IP4_CONFIG2_PROTOCOL (29.5): a fresh machine's policy is
 * static with no address, so the policy is set to DHCP and the address
 * waited for. The answer's Content-Length is the file's size before any of
 * its bytes are read, and the body is a stream: each read takes the bytes
 * from the stream straight into the caller's buffer (a segment's
 * destination or staging page), in order. What a read skips on the way is
 * kept in pages of its own (an image's later parts read before its earlier
 * ones: a UKI's .linux header before its .initrd), and the file's first
 * HEAD_MAX bytes are kept for the headers the loader table reads again.
 * A read of bytes neither kept nor still ahead starts the transfer over.
 * Whatever is kept, and why, is one list of ranges (struct kept): the
 * head, a skipped range, a small read, a TFTP file whole.
 *
 * A transport is a table of three operations (struct net_ops: open, recv,
 * close), chosen by the URL's scheme; this file knows no protocol.
 *
 * TFTP through the PXE base code's Mtftp (24.3): its size from the tsize
 * option, then the whole file into pages of its own, from which reads are
 * served (the base code gives no stream).
 *
 * With a #sha256= pin on the URL every byte is hashed as it arrives, and
 * the pin is compared when the last byte has arrived (efi_net_finish drains what nobody read),
 * before any of it is measured, handed over or entered. A transfer started
 * over keeps the pin whole: the hash of the bytes the earlier transfers
 * passed (as far as the furthest got) is kept, and the new transfer's hash
 * must reach the same state at the same byte before it goes on, so every
 * byte used, from whichever transfer, is one the final digest covered
 * (docs/DESIGN.md, "Pins across a restart").
 */
#include "net-int.h"

EFI_GUID http_sb_guid = HTTP_SB_GUID;
EFI_GUID http_guid = HTTP_GUID;
EFI_GUID ip4c2_guid = IP4_CONFIG2_GUID;
EFI_GUID tls_ca_guid = TLS_CA_GUID;
EFI_GUID pxe_guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID;
EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
#ifdef EFIKEXEC_TEST_HOOKS
bool efi_net_test_keep_nothing;
#endif

/* The size of the firmware's TLS CA list (0: none). */
UINTN tls_ca_size(void)
{
	UINTN n = 0;

	if (efi_rs->GetVariable(L"TlsCaCertificate", &tls_ca_guid, NULL, &n, NULL) != EFI_BUFFER_TOO_SMALL)
		return 0;
	return n;
}

static uint64_t pages_of(uint64_t n)
{
	return n ? (n + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE : 1;
}

void *pages(uint64_t n)
{
	EFI_PHYSICAL_ADDRESS a = 0;

	if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages_of(n), &a) != EFI_SUCCESS)
		return NULL;
	return (void *)(uintptr_t)a;
}

void unpages(void *p, uint64_t n)
{
	if (p)
		efi_bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)p, pages_of(n));
}

/* --- the file ------------------------------------------------------------------------------------- */

static EFI_STATUS check_pin(struct net_file *nf)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char want[65], got[65];

	if (nf->checked || nf->cursor != nf->size)
		return EFI_SUCCESS;
	sha256_final(&nf->h, d);
	nf->checked = true;
	if (!nf->u.pinned)
		return EFI_SUCCESS;
	if (RT_FN(memcmp)(d, nf->u.sha256, sizeof(d))) {
		sha256_hex(nf->u.sha256, want);
		sha256_hex(d, got);
		nf->checked = false; /* stays refused */
		return efi_fail(EFI_COMPROMISED_DATA, "net", "%s: SHA-256 %s, but the URL pins %s", nf->u.text, got,
				want);
	}
	rt_info("net", "%s: SHA-256 matches the pin", nf->u.text);
	return EFI_SUCCESS;
}

/* The transports by scheme (lib/url.h). */
static const struct net_ops *const transports[] = {
	[URL_HTTP] = &http_ops,
	[URL_HTTPS] = &http_ops,
	[URL_TFTP] = &tftp_ops,
};

/* A new kept range [off, off + len), empty; NULL when the list is full or
 * there is no memory (the bytes are then read again if needed). */
static struct kept *new_kept(struct net_file *nf, uint64_t off, uint64_t len, bool always)
{
	struct kept *k = &nf->kept[nf->nkept];

	if (nf->nkept == MAX_KEPT || (efi_net_test_keep_nothing && !always) || !(k->buf = pages(len)))
		return NULL;
	k->off = off, k->len = len, k->have = 0;
	nf->nkept++;
	return k;
}

/* Copies what the kept ranges hold of [off, off + len) from off on into
 * p: bytes copied, 0 when no range holds off. */
static uint64_t from_kept(const struct net_file *nf, uint64_t off, uint8_t *p, uint64_t len)
{
	for (unsigned i = 0; i < nf->nkept; i++) {
		const struct kept *k = &nf->kept[i];
		if (off >= k->off && off < k->off + k->have) {
			uint64_t n = k->off + k->have - off;
			n = n < len ? n : len;
			RT_FN(memcpy)(p, k->buf + (off - k->off), (size_t)n);
			return n;
		}
	}
	return 0;
}

/* The stream's next n bytes into dst; NULL: into the head where they are
 * its next bytes, else dropped. The head is kept as the stream passes it. */
static EFI_STATUS take(struct net_file *nf, uint8_t *dst, uint64_t n)
{
	struct kept *head = &nf->kept[0];
	EFI_STATUS st = EFI_SUCCESS;

	while (n && !EFI_ERROR(st)) {
		uint64_t at = nf->cursor, step = n;
		bool grows = at < head->len && at == head->have;
		uint8_t *to = dst ? dst : grows ? head->buf + at : NULL;
		if (grows && step > head->len - at)
			step = head->len - at;
		st = nf->ops->recv(nf, to, step);
		if (EFI_ERROR(st))
			break;
		if (grows) {
			if (to != head->buf + at)
				RT_FN(memcpy)(head->buf + at, to, (size_t)step);
			head->have = at + step;
		}
		if (dst)
			dst += step;
		n -= step;
	}
	return st;
}

EFI_STATUS efi_net_open(const char *url, uint64_t max, struct efi_file *f)
{
	struct net_file *nf;
	char err[300];
	EFI_STATUS st;

	f->handle = NULL;
	f->net = NULL;
	rt_snprintf(f->path, sizeof(f->path), "%s", url);
	if (!(nf = RT_FN(calloc)(1, sizeof(*nf))))
		return efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no pool", url);
	if (url_parse(url, &nf->u, err, sizeof(err)) != RT_OK) {
		RT_FN(free)(nf);
		return efi_fail(EFI_INVALID_PARAMETER, "net", "%s", err);
	}
	rt_snprintf(f->path, sizeof(f->path), "%s", nf->u.text);
	nf->t0 = now_us();
	nf->ops = transports[nf->u.scheme];
	f->net = nf;
	st = nf->ops->open(nf, max);
	/* a stream's head: kept as it passes */
	if (!EFI_ERROR(st) && nf->ops->recv && !new_kept(nf, 0, nf->size < HEAD_MAX ? nf->size : HEAD_MAX, true))
		st = efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no memory", nf->u.text);
	if (!EFI_ERROR(st)) {
		f->size = nf->size;
		st = check_pin(nf); /* an empty file, or a whole one */
	}
	if (EFI_ERROR(st))
		efi_net_close(f); /* the transport's hold, the kept pages */
	return st;
}

/* The stream up to byte `to`: what lies below is kept (the head, else a
 * range of its own), dropped when there is no room to keep it. */
static EFI_STATUS skip_to(struct net_file *nf, uint64_t to)
{
	const struct kept *head = &nf->kept[0];
	struct kept *k;
	EFI_STATUS st = EFI_SUCCESS;

	if (nf->cursor < head->len)
		st = take(nf, NULL, (to < head->len ? to : head->len) - nf->cursor);
	if (EFI_ERROR(st) || nf->cursor >= to)
		return st;
	if (!(k = new_kept(nf, nf->cursor, to - nf->cursor, false)))
		return take(nf, NULL, to - nf->cursor);
	st = take(nf, k->buf, k->len);
	if (!EFI_ERROR(st))
		k->have = k->len;
	return st;
}

/* Bytes at off are needed again, neither kept nor still ahead: the
 * transfer starts over and runs up to off. */
static EFI_STATUS start_over(struct net_file *nf, uint64_t size, uint64_t off)
{
	EFI_STATUS st;

	rt_info("net", "%s: bytes at %llu are needed again: fetching it again", nf->u.text, (unsigned long long)off);
	if (nf->u.pinned && nf->cursor > nf->seen) {
		nf->seen = nf->cursor;
		nf->seen_h = nf->h;
	}
	nf->ops->close(nf);
	st = nf->ops->open(nf, size);
	if (!EFI_ERROR(st) && nf->size != size)
		st = efi_fail(EFI_PROTOCOL_ERROR, "net", "%s: the size changed from %llu to %llu bytes", nf->u.text,
			      (unsigned long long)size, (unsigned long long)nf->size);
	if (!EFI_ERROR(st))
		st = take(nf, NULL, off - nf->cursor);
	return st;
}

EFI_STATUS efi_net_read(struct efi_file *f, uint64_t off, void *buf, uint64_t len)
{
	struct net_file *nf = f->net;
	uint8_t *p = buf;
	EFI_STATUS st = EFI_SUCCESS;

	if (nf->refused)
		return efi_fail(EFI_COMPROMISED_DATA, "net", "%s: refused earlier", nf->u.text);
	if (off > nf->size || len > nf->size - off)
		return efi_fail(EFI_END_OF_FILE, "net", "%s: read of %llu bytes at %llu passes its end (%llu bytes)",
				nf->u.text, (unsigned long long)len, (unsigned long long)off,
				(unsigned long long)nf->size);
	while (len && !EFI_ERROR(st)) {
		struct kept *k;
		uint64_t n = from_kept(nf, off, p, len);
		if (!n && off < nf->cursor) {
			st = start_over(nf, f->size, off);
			continue;
		}
		if (!n) {
			/* ahead: what lies between is kept, then the read itself,
			 * kept too when it is small (a header read again later) */
			if (EFI_ERROR((st = skip_to(nf, off))))
				break;
			n = len;
			if (nf->cursor >= nf->kept[0].len && len <= SMALL_READ && (k = new_kept(nf, off, len, false))) {
				st = take(nf, k->buf, len);
				if (!EFI_ERROR(st)) {
					k->have = len;
					RT_FN(memcpy)(p, k->buf, (size_t)len);
				}
			} else {
				st = take(nf, p, n);
			}
		}
		off += n;
		p += n;
		len -= n;
	}
	if (!EFI_ERROR(st))
		st = check_pin(nf);
	return st;
}

EFI_STATUS efi_net_finish(struct efi_file *f)
{
	struct net_file *nf = f->net;
	EFI_STATUS st = EFI_SUCCESS;

	if (!nf)
		return EFI_SUCCESS;
	if (nf->refused)
		return efi_fail(EFI_COMPROMISED_DATA, "net", "%s: refused earlier", nf->u.text);
	if (nf->cursor < nf->size)
		st = take(nf, NULL, nf->size - nf->cursor);
	if (!EFI_ERROR(st))
		st = check_pin(nf);
	if (!EFI_ERROR(st) && !nf->checked)
		st = EFI_COMPROMISED_DATA;
	return st;
}

void efi_net_close(struct efi_file *f)
{
	struct net_file *nf = f->net;

	if (!nf)
		return;
	nf->ops->close(nf);
	for (unsigned i = 0; i < nf->nkept; i++)
		unpages(nf->kept[i].buf, nf->kept[i].len);
	RT_FN(free)(nf);
	f->net = NULL;
}
