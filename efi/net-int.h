/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * net-int.h - what the files of the network share: net.c (a file by URL:
 * open, read, the pin, what is kept), net-nic.c (the NIC, IPv4, time, where
 * efikexec came from), net-http.c (HTTP and HTTPS through
 * EFI_HTTP_PROTOCOL), net-tftp.c (TFTP through the PXE base code); the
 * firmware's protocol structures GNU-EFI lacks. efi/net.h is the face the
 * rest of efi/ sees.
 */
#ifndef EFIKEXEC_EFI_NET_INT_H
#define EFIKEXEC_EFI_NET_INT_H

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
#define MAX_KEPT 33                  /* kept ranges: the head, 32 skipped ranges and small reads */
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

/* One range of the file kept in pages of its own: bytes [off, off + have)
 * of the len the pages hold. The list holds the file's head (kept as the
 * stream passes it, for the headers the loader table reads again), ranges
 * a read skipped on the way, small reads (a header read again later), or
 * the whole file of a transport that gives no stream. */
struct kept {
	uint64_t off, len, have;
	uint8_t *buf;
};

struct net_file;
/* A transport: how bytes of a URL arrive (net-http.c, net-tftp.c). open
 * sets nf->size (at most max) and starts at byte 0 (nf->cursor); it is
 * called again to start over. recv takes the stream's next n bytes into
 * dst (NULL: dropped), hashing them for a pin and moving nf->cursor; a
 * transport without one keeps the whole file at open (one kept range).
 * close lets go of what open took but the kept ranges. */
struct net_ops {
	const char *name;
	EFI_STATUS (*open)(struct net_file *nf, uint64_t max);
	EFI_STATUS (*recv)(struct net_file *nf, uint8_t *dst, uint64_t n);
	void (*close)(struct net_file *nf);
};
extern const struct net_ops http_ops, tftp_ops;

struct net_file {
	struct url u;
	const struct net_ops *ops;
	uint64_t size;
	uint64_t cursor;             /* bytes of the stream received */
	struct kept kept[MAX_KEPT];  /* [0]: the head, or the whole file */
	unsigned nkept;
	/* HTTP */
	EFI_HANDLE nic, child;
	EFI_SERVICE_BINDING *sb;
	http_proto *http;
	http_token tok;
	http_message msg;
	/* TFTP */
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
extern bool efi_net_test_keep_nothing;
#else
#define efi_net_test_keep_nothing false
#endif


extern EFI_GUID http_sb_guid;
extern EFI_GUID http_guid;
extern EFI_GUID ip4c2_guid;
extern EFI_GUID tls_ca_guid;
extern EFI_GUID pxe_guid;
extern EFI_GUID dp_guid;

UINTN tls_ca_size(void);
void *pages(uint64_t n);
void unpages(void *p, uint64_t n);
uint64_t now_us(void);
EFI_STATUS wait_for(EFI_EVENT ev, http_proto *poll, UINT64 ms);
void sleep_ms(UINT64 ms);
EFI_STATUS nic_address(EFI_HANDLE nic, const char *url, uint8_t *ip4, uint8_t *mask);
bool dp_has(EFI_HANDLE h, uint8_t type, uint8_t sub);
void connect_nics(void);
EFI_STATUS find_nic(EFI_HANDLE *out, const char *url);
void progress(struct net_file *nf, bool last);
void pxe_stop(void);

#endif
