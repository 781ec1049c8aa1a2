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
#include "efi.h"
#include "net.h"
#include "../lib/url.h"
#include "../lib/sha256.h"
#include "../lib/cmdline.h"
#include "../lib/tlsca.h"
#include "../include/efikexec.h"

/* --- the protocols GNU-EFI does not define (UEFI 2.10, 29.5-29.6) --------------------------------- */

#define HTTP_SB_GUID { 0xbdc8e6af, 0xd9bc, 0x4379, { 0xa7, 0x2a, 0xe0, 0xc4, 0xe7, 0x5d, 0xae, 0x1c } }
#define HTTP_GUID { 0x7a59b29b, 0x910b, 0x4171, { 0x82, 0x42, 0xa8, 0x5a, 0x0d, 0xf2, 0x5b, 0x5b } }
#define IP4_CONFIG2_GUID { 0x5b446ed1, 0xe30b, 0x4faa, { 0x87, 0x1a, 0x36, 0x54, 0xec, 0xa3, 0x60, 0x80 } }
/* EDK II's TLS CA list: the volatile variable TlsCaCertificate
 * (NetworkPkg/Include/Guid/TlsAuthentication.h, EFI_TLS_CA_CERTIFICATE_GUID),
 * EFI_SIGNATURE_LISTs of X.509 certificates; HttpDxe reads it on each new
 * TLS session and fails the request without it (no insecure fallback) */
#define TLS_CA_GUID { 0xfd2340d0, 0x3dab, 0x4349, { 0xa6, 0xc7, 0x3b, 0x4f, 0x12, 0xb4, 0x8e, 0xae } }

enum { HTTP_V11 = 1 };
enum { HTTP_GET = 0 };

typedef struct {
	BOOLEAN UseDefaultAddress;
	EFI_IPv4_ADDRESS LocalAddress, LocalSubnet;
	UINT16 LocalPort;
} http_v4_ap;

typedef struct {
	EFI_IPv6_ADDRESS LocalAddress;
	UINT16 LocalPort;
} http_v6_ap;

typedef struct {
	UINT32 HttpVersion;
	UINT32 TimeOutMillisec;
	BOOLEAN LocalAddressIsIPv6;
	void *AccessPoint; /* http_v4_ap * */
} http_config;

typedef struct {
	CHAR8 *FieldName, *FieldValue;
} http_header;

typedef struct {
	UINT32 Method;
	CHAR16 *Url;
} http_request_data;

typedef struct {
	UINT32 StatusCode;
} http_response_data;

typedef struct {
	void *Data; /* http_request_data * or http_response_data * */
	UINTN HeaderCount;
	http_header *Headers;
	UINTN BodyLength;
	void *Body;
} http_message;

typedef struct {
	EFI_EVENT Event;
	EFI_STATUS Status;
	http_message *Message;
} http_token;

typedef struct http_proto {
	EFI_STATUS(EFIAPI *GetModeData)(struct http_proto *, http_config *);
	EFI_STATUS(EFIAPI *Configure)(struct http_proto *, http_config *);
	EFI_STATUS(EFIAPI *Request)(struct http_proto *, http_token *);
	EFI_STATUS(EFIAPI *Cancel)(struct http_proto *, http_token *);
	EFI_STATUS(EFIAPI *Response)(struct http_proto *, http_token *);
	EFI_STATUS(EFIAPI *Poll)(struct http_proto *);
} http_proto;

enum { IP4C2_INTERFACE_INFO = 0, IP4C2_POLICY = 1 };
enum { IP4C2_STATIC = 0, IP4C2_DHCP = 1 };

typedef struct {
	CHAR16 Name[32];
	UINT8 IfType;
	UINT32 HwAddressSize;
	EFI_MAC_ADDRESS HwAddress;
	EFI_IPv4_ADDRESS StationAddress, SubnetMask;
	UINT32 RouteTableSize;
	void *RouteTable;
} ip4c2_info;

typedef struct ip4c2 {
	EFI_STATUS(EFIAPI *SetData)(struct ip4c2 *, UINT32 type, UINTN size, void *data);
	EFI_STATUS(EFIAPI *GetData)(struct ip4c2 *, UINT32 type, UINTN *size, void *data);
	void *RegisterDataNotify, *UnregisterDataNotify;
} ip4c2;

/* --- limits ---------------------------------------------------------------------------------------- */

#define HEAD_MAX (256u << 10)        /* the first bytes kept: every header the loader table reads */
#define MAX_KEPT 32                  /* skipped ranges and small reads kept */
#define SMALL_READ (64u << 10)       /* a read this small past the head is kept too: a
				      * header (a UKI's .linux) is read again later */
#define RECV_MAX (1u << 20)          /* bytes asked of one Response() */
#define WAIT_CONNECT_MS 20000        /* Request(): name lookup, connection, the request sent */
#define WAIT_DATA_MS 20000           /* Response(): any bytes at all */
#define WAIT_DHCP_MS 15000
#define TRIES 3                      /* connection failures and 5xx: then 1 s, 2 s apart */
#define TFTP_BLOCK 1428              /* slirp's largest; EDK II takes any from 512 */
#define MS(x) ((UINT64)(x) * 10000)  /* 100 ns units */
#ifndef EFI_COMPROMISED_DATA
#define EFI_COMPROMISED_DATA EFIERR(33)
#endif

struct kept {
	uint64_t off, len;
	uint8_t *buf;                /* pages */
};

struct net_file {
	struct url u;
	uint64_t size;
	bool tftp;
	/* HTTP */
	EFI_HANDLE nic, child;
	EFI_SERVICE_BINDING *sb;
	http_proto *http;
	http_token tok;
	http_message msg;
	uint64_t cursor;             /* bytes of the body received */
	uint8_t *head;               /* pages: [0, min(size, HEAD_MAX)) as far as received */
	struct kept kept[MAX_KEPT];
	unsigned nkept;
	/* TFTP: the whole file */
	uint8_t *whole;
	bool pxe_user;               /* holds the base code efikexec started (pxe_stop) */
	/* the pin */
	struct sha256_ctx h;
	bool checked;
	bool refused;                /* a pinned transfer disagreed with an earlier one */
	uint64_t seen;               /* the furthest an earlier transfer got ... */
	struct sha256_ctx seen_h;    /* ... and its hash there */
	/* progress */
	uint64_t t0, shown;
};

#ifdef EFIKEXEC_TEST_HOOKS
bool efi_net_test_keep_nothing;
#else
#define efi_net_test_keep_nothing false
#endif

static EFI_GUID http_sb_guid = HTTP_SB_GUID, http_guid = HTTP_GUID, ip4c2_guid = IP4_CONFIG2_GUID;
static EFI_GUID tls_ca_guid = TLS_CA_GUID;

/* The size of the firmware's TLS CA list (0: none). */
static UINTN tls_ca_size(void)
{
	UINTN n = 0;

	if (efi_rs->GetVariable(L"TlsCaCertificate", &tls_ca_guid, NULL, &n, NULL) != EFI_BUFFER_TOO_SMALL)
		return 0;
	return n;
}
static EFI_GUID pxe_guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID, dp_guid = DEVICE_PATH_PROTOCOL;

static uint64_t pages_of(uint64_t n)
{
	return n ? (n + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE : 1;
}

static void *pages(uint64_t n)
{
	EFI_PHYSICAL_ADDRESS a = 0;

	if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages_of(n), &a) != EFI_SUCCESS)
		return NULL;
	return (void *)(uintptr_t)a;
}

static void unpages(void *p, uint64_t n)
{
	if (p)
		efi_bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)p, pages_of(n));
}

/* --- time ------------------------------------------------------------------------------------------ */

static uint64_t now_us(void)
{
	return efikexec_counter_usec(efikexec_counter());
}

/* Waits for ev, calling poll between looks, at most ms milliseconds (by
 * the CPU's counter: no timer event to arm for each of the thousands of
 * waits a transfer makes). */
static EFI_STATUS wait_for(EFI_EVENT ev, http_proto *poll, UINT64 ms)
{
	uint64_t end = now_us() + ms * 1000;

	for (;;) {
		if (poll)
			poll->Poll(poll);
		if (efi_bs->CheckEvent(ev) == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (now_us() > end)
			return EFI_TIMEOUT;
	}
}

static void sleep_ms(UINT64 ms)
{
	efi_bs->Stall((UINTN)ms * 1000);
}

/* --- IPv4 ------------------------------------------------------------------------------------------ */

static void ip_text(const uint8_t *a, char *out, size_t size)
{
	rt_snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void mac_text(const ip4c2_info *i, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	for (UINT32 k = 0; k < i->HwAddressSize && k < 32 && o + 4 < size; k++)
		o += (size_t)rt_snprintf(out + o, size - o, "%s%02x", k ? ":" : "", i->HwAddress.Addr[k]);
}

/* The NIC's IPv4 address, asking DHCP for one when it has none; ip and
 * mask (each NULL or 4 bytes) get it. */
static EFI_STATUS nic_address(EFI_HANDLE nic, const char *url, uint8_t *ip4, uint8_t *mask)
{
	/* the route table follows the structure: room for it, or GetData
	 * answers EFI_BUFFER_TOO_SMALL once DHCP has set routes */
	static union {
		ip4c2_info i;
		uint8_t room[sizeof(ip4c2_info) + 64 * 12];
	} u;
	ip4c2_info *const info = &u.i;
	ip4c2 *c;
	UINTN n = sizeof(u);
	UINT32 policy = IP4C2_DHCP;
	char mac[100], ip[20];
	EFI_STATUS st;
	uint64_t t0;

	if (EFI_ERROR(efi_bs->HandleProtocol(nic, &ip4c2_guid, (void **)&c)))
		return ip4 ? efi_fail(EFI_UNSUPPORTED, "net", "%s: the NIC has no IPv4 configuration", url)
			   : EFI_SUCCESS; /* not ours to set up: the HTTP child finds out */
	st = c->GetData(c, IP4C2_INTERFACE_INFO, &n, info);
	if (!EFI_ERROR(st) && (info->StationAddress.Addr[0] | info->StationAddress.Addr[1] |
			       info->StationAddress.Addr[2] | info->StationAddress.Addr[3]))
		goto have;
	mac_text(info, mac, sizeof(mac));
	n = sizeof(policy);
	{
		UINT32 have = 0;
		UINTN hn = sizeof(have);
		if (EFI_ERROR(c->GetData(c, IP4C2_POLICY, &hn, &have)) || have != IP4C2_DHCP) {
			st = c->SetData(c, IP4C2_POLICY, n, &policy);
			if (EFI_ERROR(st) && st != EFI_NOT_READY)
				return efi_fail(st, "net", "%s: cannot ask DHCP for an address on NIC %s", url, mac);
		}
	}
	rt_info("net", "NIC %s: asking DHCP for an IPv4 address", mac);
	t0 = now_us();
	while (now_us() - t0 < (uint64_t)WAIT_DHCP_MS * 1000) {
		n = sizeof(u);
		if (!EFI_ERROR(c->GetData(c, IP4C2_INTERFACE_INFO, &n, info)) &&
		    (info->StationAddress.Addr[0] | info->StationAddress.Addr[1] | info->StationAddress.Addr[2] |
		     info->StationAddress.Addr[3])) {
			ip_text(info->StationAddress.Addr, ip, sizeof(ip));
			rt_info("net", "NIC %s: %s from DHCP after %llu ms", mac, ip,
				(unsigned long long)((now_us() - t0) / 1000));
			goto have;
		}
		sleep_ms(50);
	}
	return efi_fail(EFI_NO_MAPPING, "net", "%s: no IPv4 address from DHCP on NIC %s within %u s", url, mac,
			WAIT_DHCP_MS / 1000);
have:
	if (ip4)
		RT_FN(memcpy)(ip4, info->StationAddress.Addr, 4);
	if (mask)
		RT_FN(memcpy)(mask, info->SubnetMask.Addr, 4);
	return EFI_SUCCESS;
}

/* Does a device path have a node of this type and subtype? */
static bool dp_has(EFI_HANDLE h, uint8_t type, uint8_t sub)
{
	const uint8_t *dp;

	if (EFI_ERROR(efi_bs->HandleProtocol(h, &dp_guid, (void **)&dp)))
		return false;
	for (int guard = 0; guard < 64; guard++) {
		UINTN len = dp[2] | (UINTN)dp[3] << 8;
		if (dp[0] == END_DEVICE_PATH_TYPE || len < 4)
			return false;
		if (dp[0] == type && dp[1] == sub)
			return true;
		dp += len;
	}
	return false;
}

/*
 * Starts the drivers of every network controller (PCI base class 0x02).
 * A firmware that boots from disk connects only what its boot order needs
 * (OVMF with the disk first leaves the NIC bare), so the network stack is
 * not there until something asks for it, as a boot manager does before a
 * network boot.
 */
static void connect_nics(void)
{
	static EFI_GUID pci_guid = EFI_PCI_IO_PROTOCOL_GUID;
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;

	if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pci_guid, NULL, &n, &hs)))
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_PCI_IO_PROTOCOL *pci;
		uint8_t cls = 0;
		if (EFI_ERROR(efi_bs->HandleProtocol(hs[i], &pci_guid, (void **)&pci)) ||
		    EFI_ERROR(pci->Pci.Read(pci, EfiPciIoWidthUint8, 0x0b, 1, &cls)) || cls != 0x02)
			continue;
		rt_info("net", "starting the drivers of a network controller (PCI handle %u)", (unsigned)i);
		efi_bs->ConnectController(hs[i], NULL, NULL, TRUE);
	}
	efi_bs->FreePool(hs);
}

/* The NIC to use: the one efikexec came from when it came over the
 * network, else the first with an HTTP service binding. */
static EFI_STATUS find_nic(EFI_HANDLE *out, const char *url)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	EFI_STATUS st;
	void *sb;

	st = efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs);
	if (EFI_ERROR(st) || !n) {
		connect_nics();
		st = efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs);
	}
	if (EFI_ERROR(st) || !n)
		return efi_fail(EFI_UNSUPPORTED, "net",
				"%s: the firmware has no HTTP stack (no EFI_HTTP_SERVICE_BINDING_PROTOCOL on any NIC)",
				url);
	*out = hs[0];
	/* efikexec's own NIC: its device handle, or a handle of the same MAC path */
	if (efi_loaded_image && !EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &http_sb_guid, &sb)))
		*out = efi_loaded_image->DeviceHandle;
	efi_bs->FreePool(hs);
	return EFI_SUCCESS;
}

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

static void progress(struct net_file *nf, bool last)
{
	uint64_t t = now_us() - nf->t0;
	uint64_t got = nf->tftp ? nf->size : nf->cursor;

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
		/* the head is kept as it passes */
		if (nf->cursor < HEAD_MAX && nf->head && want > HEAD_MAX - nf->cursor)
			want = HEAD_MAX - nf->cursor;
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
		if (nf->head && nf->cursor < HEAD_MAX && p != nf->head + nf->cursor)
			RT_FN(memcpy)(nf->head + nf->cursor, p, (size_t)want);
		nf->cursor += want;
		if (dst)
			dst += want;
		n -= want;
		progress(nf, nf->cursor == nf->size);
	}
	return EFI_SUCCESS;
}

/* --- TFTP ------------------------------------------------------------------------------------------ */

static bool ipv4_literal(const char *s, uint8_t ip[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4)
			v = v * 10 + (unsigned)(*s++ - '0'), digits++;
		if (!digits || v > 255 || (i < 3 && *s++ != '.'))
			return false;
		ip[i] = (uint8_t)v;
	}
	return !*s;
}

/*
 * A base code efikexec started stays started while a file read through it
 * is open, and is stopped with the last: EDK II's Start sets the NIC's
 * IPv4 policy to static and Stop sets it back to DHCP, which asks DHCP
 * again (3-4 s), so a stop after each of a boot's files would cost that
 * for each of them.
 */
static EFI_PXE_BASE_CODE_PROTOCOL *pxe_ours;
static unsigned pxe_users;

#ifdef EFIKEXEC_TEST_HOOKS
bool efi_net_test_pxe_held(unsigned *users)
{
	*users = pxe_users;
	return pxe_ours != NULL;
}
#endif

static void pxe_stop(void)
{
	if (pxe_ours)
		pxe_ours->Stop(pxe_ours);
	pxe_ours = NULL;
	pxe_users = 0;
}

/* The PXE base code to use: efikexec's own (PXE-booted: its DHCP done),
 * else the first one on an IPv4 path, started by us (*started) with the
 * address its own NIC's IPv4 configuration has (its DHCP: the base code's
 * own DHCP insists on a PXE boot offer and waits a minute without one), so
 * the server must be on that subnet. That NIC is the one the base code's
 * device path starts with (LocateDevicePath): no HTTP stack is needed. */
static EFI_STATUS pxe_ready(EFI_PXE_BASE_CODE_PROTOCOL **out, const char *url, bool *started)
{
	EFI_PXE_BASE_CODE_PROTOCOL *pxe = NULL;
	EFI_HANDLE *hs = NULL, ph = NULL;
	UINTN n = 0;
	EFI_STATUS st;

	if (efi_loaded_image &&
	    EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &pxe_guid, (void **)&pxe)))
		pxe = NULL;
	if (pxe)
		ph = efi_loaded_image->DeviceHandle;
	if (!pxe && EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs)))
		connect_nics();
	else if (hs)
		efi_bs->FreePool(hs);
	hs = NULL;
	if (!pxe && !EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs))) {
		for (UINTN i = 0; i < n && !pxe; i++) {
			if (dp_has(hs[i], MESSAGING_DEVICE_PATH, MSG_IPv4_DP) &&
			    EFI_ERROR(efi_bs->HandleProtocol(hs[i], &pxe_guid, (void **)&pxe)))
				pxe = NULL;
			if (pxe)
				ph = hs[i];
		}
		efi_bs->FreePool(hs);
	}
	if (!pxe)
		return efi_fail(EFI_UNSUPPORTED, "net", "%s: the firmware has no PXE base code on an IPv4 NIC for TFTP",
				url);
	*started = false;
	if (pxe == pxe_ours) { /* started and given its address by us, still in use */
		*out = pxe;
		return EFI_SUCCESS;
	}
	if (!pxe->Mode->Started) {
		st = pxe->Start(pxe, FALSE);
		if (EFI_ERROR(st) && st != EFI_ALREADY_STARTED)
			return efi_fail(st, "net", "%s: cannot start the PXE base code", url);
		*started = !EFI_ERROR(st);
	}
	if (!pxe->Mode->DhcpAckReceived) {
		EFI_IP_ADDRESS ip = { 0 }, mask = { 0 };
		EFI_HANDLE nic = NULL;
		EFI_DEVICE_PATH *dp = NULL;
		st = efi_bs->HandleProtocol(ph, &dp_guid, (void **)&dp);
		if (!EFI_ERROR(st))
			st = efi_bs->LocateDevicePath(&ip4c2_guid, &dp, &nic);
		if (EFI_ERROR(st))
			st = efi_fail(EFI_UNSUPPORTED, "net",
				 "%s: the PXE base code's NIC has no IPv4 configuration (EFI_IP4_CONFIG2_PROTOCOL) to take an address from",
				 url);
		else
			st = nic_address(nic, url, ip.v4.Addr, mask.v4.Addr);
		if (!EFI_ERROR(st)) {
			st = pxe->SetStationIp(pxe, &ip, &mask);
			if (EFI_ERROR(st))
				efi_fail(st, "net", "%s: cannot give the PXE base code its address", url);
		}
		if (EFI_ERROR(st)) {
			if (*started)
				pxe->Stop(pxe);
			return st;
		}
	}
	*out = pxe;
	return EFI_SUCCESS;
}

/* A TFTP failure said; "file not found" (RFC 1350 error 1, or its text:
 * slirp sends its text with code 0) is EFI_NOT_FOUND, as HTTP's 404 is. */
static EFI_STATUS tftp_error(EFI_PXE_BASE_CODE_PROTOCOL *pxe, EFI_STATUS st, const char *url, const char *what)
{
	if (st == EFI_TFTP_ERROR && pxe->Mode->TftpErrorReceived) {
		const char *text = (const char *)pxe->Mode->TftpError.ErrorString;
		if (pxe->Mode->TftpError.ErrorCode == 1 || !RT_FN(strncmp)(text, "File not found", 14))
			st = EFI_NOT_FOUND;
		return efi_fail(st, "net", "%s: %s: TFTP error %u: %.100s", url, what, pxe->Mode->TftpError.ErrorCode,
				text);
	}
	return efi_fail(st, "net", "%s: %s", url, what);
}

static EFI_STATUS tftp_get(struct net_file *nf, EFI_PXE_BASE_CODE_PROTOCOL *pxe, EFI_IP_ADDRESS *srv,
			   const char *name, uint64_t max);

static EFI_STATUS tftp_open(struct net_file *nf, uint64_t max)
{
	EFI_PXE_BASE_CODE_PROTOCOL *pxe = NULL;
	EFI_IP_ADDRESS server = { 0 };
	EFI_STATUS st;
	bool started = false;
	const char *name = nf->u.path + 1; /* the server's root is the path's */

	if (!ipv4_literal(nf->u.host, server.v4.Addr))
		return efi_fail(EFI_INVALID_PARAMETER, "net",
				"%s: host %s: TFTP here needs an IPv4 address (the PXE base code looks no names up)",
				nf->u.text, nf->u.host);
	st = pxe_ready(&pxe, nf->u.text, &started);
	if (EFI_ERROR(st))
		return st;
	if (started)
		pxe_ours = pxe;
	st = tftp_get(nf, pxe, &server, name, max);
	if (!EFI_ERROR(st) && pxe_ours)
		pxe_users++, nf->pxe_user = true;
	else if (pxe_ours && !pxe_users)
		pxe_stop();
	return st;
}

static EFI_STATUS tftp_get(struct net_file *nf, EFI_PXE_BASE_CODE_PROTOCOL *pxe, EFI_IP_ADDRESS *srv,
			   const char *name, uint64_t max)
{
	UINTN block = TFTP_BLOCK;
	UINT64 size = 0;
	EFI_STATUS st;

	st = pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, FALSE, &size, &block, srv,
			(UINT8 *)name, NULL, FALSE);
	if (EFI_ERROR(st))
		return tftp_error(pxe, st, nf->u.text, st == EFI_TFTP_ERROR ? "no size" : "no answer to the size request");
	nf->size = size;
	if (size > max)
		return efi_fail(EFI_BAD_BUFFER_SIZE, "net", "%s: %llu bytes, more than the limit of %llu", nf->u.text,
				(unsigned long long)size, (unsigned long long)max);
	if (!(nf->whole = pages(size)))
		return efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no memory for its %llu bytes", nf->u.text,
				(unsigned long long)size);
	nf->t0 = now_us();
	st = pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_READ_FILE, nf->whole, FALSE, &size, &block, srv,
			(UINT8 *)name, NULL, FALSE);
	if (!EFI_ERROR(st) && size != nf->size)
		st = efi_fail(EFI_END_OF_FILE, "net", "%s: %llu bytes arrived of the %llu announced", nf->u.text,
			      (unsigned long long)size, (unsigned long long)nf->size);
	else if (EFI_ERROR(st))
		tftp_error(pxe, st, nf->u.text, "the transfer failed");
	if (EFI_ERROR(st)) {
		unpages(nf->whole, nf->size);
		nf->whole = NULL;
		return st;
	}
	progress(nf, true);
	sha256_init(&nf->h);
	if (nf->u.pinned)
		sha256_update(&nf->h, nf->whole, (size_t)size);
	nf->cursor = size;
	return EFI_SUCCESS;
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
	if (nf->pxe_user && pxe_users && !--pxe_users)
		pxe_stop();
	RT_FN(free)(nf);
	f->net = NULL;
}

/* --- where efikexec came from ---------------------------------------------------------------------- */

bool efi_net_origin(char *url, size_t size, uint8_t *mac, uint32_t *mac_len)
{
	EFI_PXE_BASE_CODE_PROTOCOL *pxe = NULL;
	const uint8_t *dp;
	bool found = false;

	url[0] = '\0';
	*mac_len = 0;
	if (!efi_loaded_image || EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &dp_guid, (void **)&dp)))
		return false;
	for (int guard = 0; guard < 64; guard++) {
		UINTN len = dp[2] | (UINTN)dp[3] << 8;
		if (dp[0] == END_DEVICE_PATH_TYPE || len < 4)
			break;
		if (dp[0] == MESSAGING_DEVICE_PATH && dp[1] == MSG_MAC_ADDR_DP && len >= 4 + 32 + 1) {
			uint8_t type = dp[4 + 32];
			*mac_len = type == 1 || type == 0 ? 6 : 32; /* IfType 1: Ethernet */
			RT_FN(memcpy)(mac, dp + 4, *mac_len);
		}
		if (dp[0] == MESSAGING_DEVICE_PATH && dp[1] == MSG_URI_DP && len > 4) {
			rt_snprintf(url, size, "%.*s", (int)(len - 4), (const char *)dp + 4);
			found = true;
		}
		dp += len;
	}
	if (!found && !EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &pxe_guid, (void **)&pxe)) &&
	    pxe->Mode->DhcpAckReceived && !pxe->Mode->UsingIpv6) {
		const EFI_PXE_BASE_CODE_DHCPV4_PACKET *ack = &pxe->Mode->DhcpAck.Dhcpv4;
		char ip[20];
		ip_text(ack->BootpSiAddr, ip, sizeof(ip));
		rt_snprintf(url, size, "tftp://%s/%.*s", ip, (int)RT_FN(strnlen)((const char *)ack->BootpBootFile, 128),
			    (const char *)ack->BootpBootFile);
		found = true;
	}
	return found;
}

bool efi_net_present(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;

	if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs))) {
		connect_nics();
		if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs)))
			return false;
	}
	efi_bs->FreePool(hs);
	return n > 0;
}

bool efi_net_pxe_present(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	bool found = false;
	void *pxe;

	if (efi_loaded_image && !EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &pxe_guid, &pxe)))
		return true;
	if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs))) {
		connect_nics();
		if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs)))
			return false;
	}
	for (UINTN i = 0; i < n && !found; i++)
		found = dp_has(hs[i], MESSAGING_DEVICE_PATH, MSG_IPv4_DP);
	efi_bs->FreePool(hs);
	return found;
}

/* efikexec's owner GUID in the signature lists it adds (EFI_SIGNATURE_DATA's
 * SignatureOwner: who put the certificate there) */
static const uint8_t tls_ca_owner[16] = { 0x6b, 0x65, 0x78, 0x65, 0x63, 0x2d, 0x43, 0x41,
					  0x9e, 0x1f, 0x45, 0x22, 0x7a, 0x61, 0x2e, 0x01 };

EFI_STATUS efi_net_tls_ca_add(const void *buf, uint64_t size, const char *name)
{
	static char err[300];
	UINTN have = tls_ca_size(), n;
	UINT32 attr = EFI_VARIABLE_BOOTSERVICE_ACCESS;
	uint64_t cap;
	size_t len;
	unsigned certs;
	uint8_t *esl = NULL;
	EFI_STATUS st;

	if (size > (16u << 20))
		return efi_fail(EFI_BAD_BUFFER_SIZE, "net", "%s: %llu bytes, more than the limit of 16 MiB for a CA file",
				name, (unsigned long long)size);
	cap = size + TLSCA_MAX_CERTS * (TLSCA_LIST_HEADER + TLSCA_OWNER_SIZE);
	if (EFI_ERROR(efi_bs->AllocatePool(EfiLoaderData, (UINTN)cap, (void **)&esl)))
		return efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no pool for its certificates", name);
	if (tlsca_to_esl(buf, (size_t)size, tls_ca_owner, esl, (size_t)cap, &len, &certs, name, err, sizeof(err)) !=
	    RT_OK) {
		efi_bs->FreePool(esl);
		return efi_fail(EFI_INVALID_PARAMETER, "net", "%s", err);
	}
	/* the firmware's own list stays: added to, with its attributes */
	if (have) {
		void *old = NULL;
		n = have;
		if (EFI_ERROR(efi_bs->AllocatePool(EfiLoaderData, n, &old)) ||
		    EFI_ERROR(efi_rs->GetVariable(L"TlsCaCertificate", &tls_ca_guid, &attr, &n, old)))
			attr = EFI_VARIABLE_BOOTSERVICE_ACCESS;
		attr |= EFI_VARIABLE_APPEND_WRITE;
		if (old)
			efi_bs->FreePool(old);
	}
	st = efi_rs->SetVariable(L"TlsCaCertificate", &tls_ca_guid, attr, len, esl);
	efi_bs->FreePool(esl);
	if (EFI_ERROR(st))
		return efi_fail(st, "net", "%s: the firmware did not take its certificates (SetVariable TlsCaCertificate)",
				name);
	rt_info("net", "%s: %u CA certificate%s given to the firmware's TLS (TlsCaCertificate: %llu bytes now)", name,
		certs, certs == 1 ? "" : "s", (unsigned long long)tls_ca_size());
	return EFI_SUCCESS;
}
