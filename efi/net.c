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
	if (nf->u.scheme == URL_TFTP) {
		nf->tftp = true;
		st = tftp_open(nf, max);
	} else {
		st = find_nic(&nf->nic, nf->u.text);
		if (!EFI_ERROR(st) && !nf->u.host_v6) /* IPv6: the stack's own autoconfiguration */
			st = nic_address(nf->nic, nf->u.text, NULL, NULL);
		if (!EFI_ERROR(st))
			st = http_open(nf);
		if (!EFI_ERROR(st) && nf->size > max) {
			st = efi_fail(EFI_BAD_BUFFER_SIZE, "net", "%s: Content-Length %llu, more than the limit of %llu",
				      nf->u.text, (unsigned long long)nf->size, (unsigned long long)max);
			http_close(nf);
		}
		if (!EFI_ERROR(st) && !(nf->head = pages(HEAD_MAX))) {
			st = efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no memory", nf->u.text);
			http_close(nf);
		}
	}
	if (EFI_ERROR(st)) {
		RT_FN(free)(nf);
		return st;
	}
	f->net = nf;
	f->size = nf->size;
	st = check_pin(nf); /* an empty file, or TFTP's whole one */
	if (EFI_ERROR(st))
		efi_net_close(f); /* the HTTP child, the head, TFTP's pages, the base code */
	return st;
}

/* Keeps [cursor, to) in pages of their own; false: no memory for it. */
static bool keep_until(struct net_file *nf, uint64_t to, EFI_STATUS *st)
{
	struct kept *k;
	uint64_t from = nf->cursor < HEAD_MAX ? HEAD_MAX : nf->cursor;

	if (efi_net_test_keep_nothing)
		return false;

	if (nf->cursor < HEAD_MAX) { /* into the head first */
		uint64_t n = (to < HEAD_MAX ? to : HEAD_MAX) - nf->cursor;
		*st = http_recv(nf, nf->head + nf->cursor, n);
		if (EFI_ERROR(*st) || to <= HEAD_MAX)
			return true;
	}
	if (nf->nkept == MAX_KEPT)
		return false;
	k = &nf->kept[nf->nkept];
	if (!(k->buf = pages(to - from)))
		return false;
	k->off = from, k->len = to - from;
	nf->nkept++;
	*st = http_recv(nf, k->buf, k->len);
	return true;
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
	if (nf->whole) {
		RT_FN(memcpy)(p, nf->whole + off, (size_t)len);
		return EFI_SUCCESS;
	}
	while (len && !EFI_ERROR(st)) {
		uint64_t n = 0;
		/* kept already: the head, a skipped range */
		if (off < HEAD_MAX && off < nf->cursor) {
			n = (nf->cursor < HEAD_MAX ? nf->cursor : HEAD_MAX) - off;
			if (n > len)
				n = len;
			RT_FN(memcpy)(p, nf->head + off, (size_t)n);
		}
		for (unsigned i = 0; !n && i < nf->nkept; i++) {
			const struct kept *k = &nf->kept[i];
			if (off >= k->off && off < k->off + k->len) {
				n = k->off + k->len - off;
				if (n > len)
					n = len;
				RT_FN(memcpy)(p, k->buf + (off - k->off), (size_t)n);
			}
		}
		if (!n && off < nf->cursor) {
			/* gone past: ask again from the start, keeping nothing new */
			rt_info("net", "%s: bytes at %llu are needed again: fetching it again", nf->u.text,
				(unsigned long long)off);
			if (nf->u.pinned && nf->cursor > nf->seen) {
				nf->seen = nf->cursor;
				nf->seen_h = nf->h;
			}
			http_close(nf);
			st = http_open(nf);
			if (!EFI_ERROR(st) && nf->size != f->size)
				st = efi_fail(EFI_PROTOCOL_ERROR, "net", "%s: the size changed from %llu to %llu bytes",
					      nf->u.text, (unsigned long long)f->size, (unsigned long long)nf->size);
			while (!EFI_ERROR(st) && nf->cursor < off) {
				uint64_t skip = off - nf->cursor;
				st = http_recv(nf, nf->cursor < HEAD_MAX ? nf->head + nf->cursor : NULL,
					       nf->cursor < HEAD_MAX && skip > HEAD_MAX - nf->cursor ? HEAD_MAX - nf->cursor
												     : skip);
			}
			continue;
		}
		if (!n) {
			/* ahead: what lies between is kept, then straight into p */
			if (off > nf->cursor && !keep_until(nf, off, &st)) {
				/* no room to keep it: dropped (read again if needed) */
				st = http_recv(nf, NULL, off - nf->cursor);
			}
			if (EFI_ERROR(st))
				break;
			if (nf->cursor < HEAD_MAX) {
				n = HEAD_MAX - nf->cursor < len ? HEAD_MAX - nf->cursor : len;
				st = http_recv(nf, nf->head + nf->cursor, n);
				if (!EFI_ERROR(st))
					RT_FN(memcpy)(p, nf->head + off, (size_t)n);
			} else if (len <= SMALL_READ && nf->nkept < MAX_KEPT && !efi_net_test_keep_nothing &&
				   (nf->kept[nf->nkept].buf = pages(len))) {
				struct kept *k = &nf->kept[nf->nkept++];
				k->off = off, k->len = n = len;
				st = http_recv(nf, k->buf, n);
				if (!EFI_ERROR(st))
					RT_FN(memcpy)(p, k->buf, (size_t)n);
			} else {
				n = len;
				st = http_recv(nf, p, n);
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
		st = http_recv(nf, NULL, nf->size - nf->cursor);
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
	http_close(nf);
	unpages(nf->head, HEAD_MAX);
	for (unsigned i = 0; i < nf->nkept; i++)
		unpages(nf->kept[i].buf, nf->kept[i].len);
	unpages(nf->whole, nf->size);
	tftp_release(nf);
	RT_FN(free)(nf);
	f->net = NULL;
}
