/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * net-http.c - files by URL: HTTP and HTTPS through EFI_HTTP_PROTOCOL, a stream (net-int.h).
 */
#include "net-int.h"

/* --- HTTP ------------------------------------------------------------------------------------------ */

static void http_close(struct net_file *nf)
{
	if (nf->tok.Event)
		efi_bs->CloseEvent(nf->tok.Event);
	nf->tok.Event = NULL;
	if (nf->child && nf->sb)
		nf->sb->DestroyChild(nf->sb, nf->child);
	nf->child = NULL;
	nf->http = NULL;
}

static EFI_STATUS mkchild(struct net_file *nf)
{
	static http_v4_ap ap = { .UseDefaultAddress = TRUE };
	static http_v6_ap ap6; /* :: - the address the IPv6 stack configured */
	http_config cfg = { HTTP_V11, WAIT_DATA_MS, nf->u.host_v6, nf->u.host_v6 ? (void *)&ap6 : (void *)&ap };
	EFI_STATUS st;

	st = efi_bs->HandleProtocol(nf->nic, &http_sb_guid, (void **)&nf->sb);
	if (!EFI_ERROR(st))
		st = nf->sb->CreateChild(nf->sb, &nf->child);
	if (EFI_ERROR(st))
		return efi_fail(st, "net", "%s: cannot create an HTTP instance", nf->u.text);
	st = efi_bs->HandleProtocol(nf->child, &http_guid, (void **)&nf->http);
	if (!EFI_ERROR(st))
		st = nf->http->Configure(nf->http, &cfg);
	if (!EFI_ERROR(st))
		st = efi_bs->CreateEvent(0, 0, NULL, NULL, &nf->tok.Event);
	if (EFI_ERROR(st)) {
		efi_fail(st, "net", "%s: cannot set up HTTP (IPv4 address)", nf->u.text);
		http_close(nf);
	}
	return st;
}

/* Starts the token's call (Request or Response) and waits for it: the
 * token's status, or EFI_TIMEOUT (the call cancelled). */
static EFI_STATUS token_call(struct net_file *nf, bool request, UINT64 ms)
{
	EFI_STATUS st;

	nf->tok.Status = EFI_NOT_READY;
	st = request ? nf->http->Request(nf->http, &nf->tok) : nf->http->Response(nf->http, &nf->tok);
	if (EFI_ERROR(st))
		return st;
	st = wait_for(nf->tok.Event, nf->http, ms);
	if (st == EFI_TIMEOUT) {
		nf->http->Cancel(nf->http, &nf->tok);
		return st;
	}
	return nf->tok.Status;
}

/* One exchange: the request sent, the answer's status and headers read.
 * *status: the HTTP status (0: none came). *retry: worth trying again.
 * A redirect (http_is_redirect) is EFI_SUCCESS with its Location in loc
 * (URL_MAX bytes) and the child closed. */
static EFI_STATUS http_ask(struct net_file *nf, unsigned *status, bool *retry, char *loc)
{
	static CHAR16 wurl[URL_MAX];
	static char host[URL_HOST_MAX + 16], agent[64];
	UINTN ca = 0;
	http_header hdr[3] = {
		{ (CHAR8 *)"Host", (CHAR8 *)host },
		{ (CHAR8 *)"Accept", (CHAR8 *)"*/*" },
		{ (CHAR8 *)"User-Agent", (CHAR8 *)agent },
	};
	http_request_data rq = { HTTP_GET, wurl };
	http_response_data rp = { 0 };
	bool got_length = false, chunked = false, got_loc = false, long_loc = false;
	EFI_STATUS st;

	*status = 0;
	*retry = false;
	loc[0] = '\0';
	if (nf->u.scheme == URL_HTTPS && !(ca = tls_ca_size()))
		return efi_fail(EFI_SECURITY_VIOLATION, "net",
				"%s: the firmware has no CA list for HTTPS (no TlsCaCertificate variable), so it trusts no server: give it one (QEMU: -fw_cfg name=etc/edk2/https/cacerts,file=FILE, EFI_SIGNATURE_LISTs of X.509 certificates, made with virt-fw-sigdb), or use http:// with a #sha256= pin",
				nf->u.text);
	st = mkchild(nf);
	if (EFI_ERROR(st))
		return st;
	utf8_to_ucs2(nf->u.text, (uint16_t *)wurl, RT_ARRAY_SIZE(wurl));
	if (nf->u.host_v6)
		rt_snprintf(host, sizeof(host), "[%s]", nf->u.host);
	else
		rt_snprintf(host, sizeof(host), "%s", nf->u.host);
	if (nf->u.port != (nf->u.scheme == URL_HTTPS ? 443 : 80))
		rt_snprintf(host + RT_FN(strlen)(host), sizeof(host) - RT_FN(strlen)(host), ":%u", nf->u.port);
	rt_snprintf(agent, sizeof(agent), "efikexec/%s", efikexec_version());
	nf->msg = (http_message){ &rq, RT_ARRAY_SIZE(hdr), hdr, 0, NULL };
	nf->tok.Message = &nf->msg;
	st = token_call(nf, true, WAIT_CONNECT_MS);
	if (EFI_ERROR(st)) {
		/* not again: a name with no address (EFI_NOT_FOUND), a TLS
		 * handshake the firmware gave up on (EFI_ABORTED: its answer to a
		 * certificate it does not trust) */
		*retry = st != EFI_NOT_FOUND && !(nf->u.scheme == URL_HTTPS && st == EFI_ABORTED);
		if (st == EFI_NOT_FOUND)
			efi_fail(st, "net", "%s: host %s not found (DNS)", nf->u.text, nf->u.host);
		else if (st == EFI_TIMEOUT)
			efi_fail(st, "net", "%s: no connection to %s port %u within %u s", nf->u.text, nf->u.host,
				 nf->u.port, WAIT_CONNECT_MS / 1000);
		else if (nf->u.scheme == URL_HTTPS && st != EFIERR(106) && st != EFIERR(105))
			efi_fail(st, "net",
				 "%s: the TLS connection to %s port %u failed: the server's certificate is not signed by a CA of the firmware's list (TlsCaCertificate, %llu bytes) or does not name %s, or the server offers no cipher the firmware's TLS 1.2 client takes",
				 nf->u.text, nf->u.host, nf->u.port, (unsigned long long)ca, nf->u.host);
		else
			efi_fail(st, "net", "%s: connection to %s port %u %s", nf->u.text, nf->u.host, nf->u.port,
				 st == EFIERR(106) || st == EFIERR(105) ? "refused" : "failed");
		http_close(nf);
		return st;
	}
	/* the status line and the headers */
	nf->msg = (http_message){ &rp, 0, NULL, 0, NULL };
	st = token_call(nf, false, WAIT_DATA_MS);
	/* EDK II's HttpDxe ends the token with EFI_HTTP_ERROR when the status
	 * is 4xx or 5xx, the status and headers filled in all the same */
	if (st == EFIERR(35) && rp.StatusCode)
		st = EFI_SUCCESS;
	if (EFI_ERROR(st)) {
		*retry = true;
		efi_fail(st, "net", "%s: %s", nf->u.text,
			 st == EFI_TIMEOUT ? "no answer within the timeout" : "the connection ended before an answer");
		http_close(nf);
		return st;
	}
	*status = http_status_number(rp.StatusCode);
	for (UINTN i = 0; i < nf->msg.HeaderCount; i++) {
		const char *name = (const char *)nf->msg.Headers[i].FieldName;
		const char *value = (const char *)nf->msg.Headers[i].FieldValue;
		if (name && value && http_name_is(name, "Content-Length"))
			got_length = http_content_length(value, &nf->size);
		if (name && value && http_name_is(name, "Transfer-Encoding") && !http_name_is(value, "identity"))
			chunked = true;
		if (name && value && http_name_is(name, "Location") && !got_loc) {
			got_loc = true;
			long_loc = RT_FN(strlen)(value) >= URL_MAX;
			rt_snprintf(loc, URL_MAX, "%s", long_loc ? "" : value);
		}
	}
	if (nf->msg.Headers)
		efi_faults_adopted((int64_t)nf->msg.HeaderCount * 2 + 1);
	for (UINTN i = 0; i < nf->msg.HeaderCount; i++) {
		efi_bs->FreePool(nf->msg.Headers[i].FieldName);
		efi_bs->FreePool(nf->msg.Headers[i].FieldValue);
	}
	if (nf->msg.Headers)
		efi_bs->FreePool(nf->msg.Headers);
	nf->msg.Headers = NULL;
	if (http_is_redirect(*status)) {
		http_close(nf);
		if (!got_loc || long_loc)
			return efi_fail(EFI_PROTOCOL_ERROR, "net", "%s: HTTP status %u %s", nf->u.text, *status,
					long_loc ? "with a Location longer than the limit of a URL (1023 bytes)"
						 : "without a Location");
		return EFI_SUCCESS;
	}
	if (*status == 200 && chunked) {
		st = efi_fail(EFI_UNSUPPORTED, "net", "%s: the server sent a chunked body; efikexec needs its size first (Content-Length)",
			      nf->u.text);
	} else if (*status != 200) {
		*retry = http_retryable(*status);
		st = efi_fail(*status == 404 || *status == 410 ? EFI_NOT_FOUND
			      : *status == 401 || *status == 403 ? EFI_ACCESS_DENIED
			      : EFI_PROTOCOL_ERROR,
			      "net", "%s: HTTP status %u%s", nf->u.text, *status,
			      *status == 404 ? " (not found)" : *status >= 500 ? " (server error)" : "");
	} else if (!got_length || chunked) {
		st = efi_fail(EFI_PROTOCOL_ERROR, "net", "%s: the answer has no Content-Length; efikexec needs the size first",
			      nf->u.text);
	}
	if (EFI_ERROR(st))
		http_close(nf);
	return st;
}

/* Asks, again after a failure that may pass: three tries, 1 s then 2 s
 * apart; follows redirects (301, 302, 303, 307, 308), at most
 * URL_REDIRECTS_MAX hops, each said, the pin kept, https never left for
 * http (url_redirect). The file's name stays the URL it was opened by. */
static EFI_STATUS http_open(struct net_file *nf)
{
	static char loc[URL_MAX], err[URL_MAX + 200];
	static struct url next;
	EFI_STATUS st = EFI_SUCCESS;
	unsigned status = 0, hops = 0;
	bool retry = true;

	for (unsigned t = 0; t < TRIES && retry; t++) {
		if (t) {
			rt_info("net", "%s: trying again in %u s (try %u of %u)", nf->u.text, 1u << (t - 1), t + 1, TRIES);
			sleep_ms(1000u << (t - 1));
		}
		st = http_ask(nf, &status, &retry, loc);
		if (!EFI_ERROR(st) && http_is_redirect(status)) {
			if (hops == URL_REDIRECTS_MAX) {
				st = efi_fail(EFI_PROTOCOL_ERROR, "net", "%s: HTTP status %u: more than %u redirects", nf->u.text,
					      status, URL_REDIRECTS_MAX);
				break;
			}
			err[0] = '\0';
			if (url_redirect(&nf->u, loc, &next, err, sizeof(err)) != RT_OK) {
				st = efi_fail(EFI_ACCESS_DENIED, "net", "%s", err);
				break;
			}
			hops++;
			rt_info("net", "%s: HTTP status %u, redirected to %s (%u of at most %u)", nf->u.text, status, next.text,
				hops, URL_REDIRECTS_MAX);
			nf->u = next;
			t = (unsigned)-1; /* a new URL gets its own tries */
			retry = true;
			continue;
		}
		if (!EFI_ERROR(st))
			break;
	}
	nf->cursor = 0;
	sha256_init(&nf->h);
	return st;
}

void progress(struct net_file *nf, bool last)
{
	uint64_t t = now_us() - nf->t0;
	uint64_t got = nf->cursor;

	if (t < 1000000 || (!last && t - nf->shown < 1000000))
		return;
	nf->shown = t;
	rt_info("net", "%s: %llu of %llu bytes, %llu.%01llu MB/s%s", nf->u.text, (unsigned long long)got,
		(unsigned long long)nf->size, (unsigned long long)(got / t),
		(unsigned long long)(got * 10 / t % 10), last ? ", done" : "");
}

/* n bytes of the body into dst (NULL: hashed and dropped), in order. */
static EFI_STATUS http_recv(struct net_file *nf, uint8_t *dst, uint64_t n)
{
	static uint8_t scratch[64 << 10];
	EFI_STATUS st;

	while (n) {
		uint8_t *p = dst ? dst : scratch;
		uint64_t want = dst ? n : (n < sizeof(scratch) ? n : sizeof(scratch));
		if (want > RECV_MAX)
			want = RECV_MAX;
		/* a pinned transfer started over stops where an earlier one got */
		if (nf->u.pinned && nf->cursor < nf->seen && want > nf->seen - nf->cursor)
			want = nf->seen - nf->cursor;
		if (!nf->cursor)
			nf->t0 = now_us(), nf->shown = 0;
		nf->msg = (http_message){ NULL, 0, NULL, (UINTN)want, p };
		st = token_call(nf, false, WAIT_DATA_MS);
		if (!EFI_ERROR(st) && (nf->msg.BodyLength == 0 || nf->msg.BodyLength > want))
			st = EFI_END_OF_FILE;
		if (EFI_ERROR(st))
			return efi_fail(st == EFI_TIMEOUT ? st : EFI_END_OF_FILE, "net",
					"%s: the body ended at %llu bytes of the %llu announced (%s)", nf->u.text,
					(unsigned long long)nf->cursor, (unsigned long long)nf->size,
					st == EFI_TIMEOUT ? "no bytes within the timeout" : efi_status_name(st));
		want = nf->msg.BodyLength;
		if (nf->u.pinned)
			sha256_update(&nf->h, p, (size_t)want);
		if (nf->u.pinned && nf->cursor + want == nf->seen && !sha256_same_state(&nf->h, &nf->seen_h)) {
			nf->refused = true;
			return efi_fail(EFI_COMPROMISED_DATA, "net",
					"%s: fetched again, its first %llu bytes differ from the first transfer's: the server sends other bytes each time, refused (the pin must cover every byte used)",
					nf->u.text, (unsigned long long)nf->seen);
		}
		nf->cursor += want;
		if (dst)
			dst += want;
		n -= want;
		progress(nf, nf->cursor == nf->size);
	}
	return EFI_SUCCESS;
}

/* The NIC and its address once (a start over keeps them), then the
 * request; a Content-Length over max is refused before any body. */
static EFI_STATUS http_start(struct net_file *nf, uint64_t max)
{
	EFI_STATUS st = EFI_SUCCESS;

	if (!nf->nic) {
		st = find_nic(&nf->nic, nf->u.text);
		if (!EFI_ERROR(st) && !nf->u.host_v6) /* IPv6: the stack's own autoconfiguration */
			st = nic_address(nf->nic, nf->u.text, NULL, NULL);
		if (EFI_ERROR(st))
			nf->nic = NULL;
	}
	if (!EFI_ERROR(st))
		st = http_open(nf);
	if (!EFI_ERROR(st) && nf->size > max)
		st = efi_fail(EFI_BAD_BUFFER_SIZE, "net", "%s: Content-Length %llu, more than the limit of %llu",
			      nf->u.text, (unsigned long long)nf->size, (unsigned long long)max);
	return st;
}

const struct net_ops http_ops = { "HTTP", http_start, http_recv, http_close };
