/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * url.h - the URLs efikexec fetches, and what it reads of an HTTP answer
 * (plain code: host-tested, fuzzed; the firmware side is efi/net.c).
 *
 *   http://HOST[:PORT]/PATH    EFI_HTTP_PROTOCOL
 *   https://HOST[:PORT]/PATH   the same over the firmware's TLS
 *   tftp://HOST/PATH           the PXE base code's Mtftp
 *
 * RFC 3986 syntax, narrowed to what a boot loader needs: no user
 * information, a host name, IPv4 address or [IPv6] literal, a decimal port
 * 1-65535. A fragment is efikexec's pin on the bytes: `#sha256=` and 64 hex
 * digits; any other fragment is an error, never ignored.
 */
#ifndef EFIKEXEC_URL_H
#define EFIKEXEC_URL_H

#include "rt.h"
#include "sha256.h"

#define URL_MAX 1024     /* a whole URL, its NUL included */
#define URL_HOST_MAX 256

enum url_scheme { URL_HTTP, URL_HTTPS, URL_TFTP };

struct url {
	enum url_scheme scheme;
	char host[URL_HOST_MAX];      /* as written; an IPv6 literal without its [] */
	bool host_v6;
	uint16_t port;                /* the scheme's own when none is written */
	char path[URL_MAX];           /* from the first '/', query and all; "/" at least */
	bool pinned;                  /* #sha256= given */
	uint8_t sha256[SHA256_DIGEST_SIZE];
	char text[URL_MAX];           /* the URL without its fragment: what is asked for */
};

/* Does s start with a scheme efikexec fetches ("http://", "https://",
 * "tftp://", any case)? A FAT path never does: ':' is not allowed in it. */
bool url_is(const char *s);
/* Parses s; on failure err (errsize bytes) says what is wrong, naming the
 * value and the limit ("#sha256=ab12: 4 hex digits, expected 64"). */
rt_status url_parse(const char *s, struct url *u, char *err, size_t errsize);
/* ref resolved against base (RFC 3986 5.2, without query subtleties): a
 * URL stays as it is; "/x" keeps base's scheme and host; "x" replaces
 * base's last path component; "." and ".." are resolved. ref's fragment is
 * kept, base's dropped. RT_EINVAL when base is no URL, RT_E2BIG when out
 * is too small. */
rt_status url_resolve(const char *base, const char *ref, char *out, size_t size);
/* An HTTP redirect (RFC 9110 15.4): next is cur's answer's Location
 * resolved against cur (a relative one from cur's folder or host), with
 * cur's pin whatever the Location's fragment says (the pin is the bytes',
 * not the server's to change). Refused, err saying why: a Location that is
 * empty or does not parse, a scheme other than http and https, and https
 * to http (it would drop TLS). */
rt_status url_redirect(const struct url *cur, const char *location, struct url *next, char *err, size_t errsize);
/* Is an HTTP status one efikexec follows (301, 302, 303, 307, 308)? */
bool http_is_redirect(unsigned status);
#define URL_REDIRECTS_MAX 5 /* hops followed for one URL */
/* "efikexec-52-54-00-12-34-56.conf": a MAC address as the per-machine
 * configuration's name (lowercase, dashes). */
void url_mac_conf(const uint8_t *mac, size_t len, char *out, size_t size);

/* HTTP (RFC 9110): a Content-Length value, strictly decimal (no sign, no
 * spaces inside, at most 2^63-1); false when it is not one. */
bool http_content_length(const char *value, uint64_t *out);
/* EFI_HTTP_STATUS_CODE (UEFI 2.10, 29.6.2.5, an enum) as the number it
 * stands for; 0 for HTTP_STATUS_UNSUPPORTED_STATUS or one past the list. */
unsigned http_status_number(unsigned efi_code);
/* Is a failed answer worth asking again? 5xx, 408, 425 and 429 are; any
 * other 4xx says the request itself is wrong. */
bool http_retryable(unsigned status);
/* Case-insensitive header-name comparison (RFC 9110 5.1). */
bool http_name_is(const char *name, const char *want);

#endif
