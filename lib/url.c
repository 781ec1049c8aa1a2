/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * url.c - URLs and the bits of HTTP efikexec reads (url.h). RFC 3986 for
 * the syntax and resolution, RFC 9110 for Content-Length and the status
 * classes; the EFI_HTTP_STATUS_CODE order is UEFI 2.10, 29.6.2.5.
 */
#include "url.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool prefix_ci(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (lower(*s) != *p)
			return false;
	return true;
}

static const struct {
	const char *prefix;
	enum url_scheme scheme;
	uint16_t port;
} schemes[] = {
	{ "http://", URL_HTTP, 80 },
	{ "https://", URL_HTTPS, 443 },
	{ "tftp://", URL_TFTP, 69 },
};

bool url_is(const char *s)
{
	for (size_t i = 0; s && i < RT_ARRAY_SIZE(schemes); i++)
		if (prefix_ci(s, schemes[i].prefix))
			return true;
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 3986 2.2-2.3 plus '%' (an escape, passed on as written) */
static bool url_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       RT_FN(strchr)("-._~!$&'()*+,;=:@/?%[]", c);
}

#define FAIL(...) (rt_snprintf(err, errsize, __VA_ARGS__), RT_EINVAL)

static rt_status parse_pin(const char *frag, struct url *u, char *err, size_t errsize)
{
	size_t n;

	if (RT_FN(strncmp)(frag, "sha256=", 7))
		return FAIL("#%.40s: the only fragment understood is #sha256= and 64 hex digits", frag);
	frag += 7;
	n = RT_FN(strlen)(frag);
	for (size_t i = 0; i < n; i++)
		if (hexval(frag[i]) < 0)
			return FAIL("#sha256=%.80s: '%c' at %zu is not a hex digit", frag, frag[i], i + 1);
	if (n != 2 * SHA256_DIGEST_SIZE)
		return FAIL("#sha256=%.80s: %zu hex digits, expected %u", frag, n, 2 * SHA256_DIGEST_SIZE);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		u->sha256[i] = (uint8_t)(hexval(frag[2 * i]) << 4 | hexval(frag[2 * i + 1]));
	u->pinned = true;
	return RT_OK;
}

rt_status url_parse(const char *s, struct url *u, char *err, size_t errsize)
{
	const char *p, *auth, *auth_end, *host_end, *frag;
	size_t len, i;

	RT_FN(memset)(u, 0, sizeof(*u));
	if (errsize)
		err[0] = '\0';
	if (!s)
		return FAIL("no URL");
	len = RT_FN(strnlen)(s, URL_MAX);
	if (len >= URL_MAX)
		return FAIL("%.60s...: longer than %u characters", s, URL_MAX - 1);
	for (i = 0; i < RT_ARRAY_SIZE(schemes); i++)
		if (prefix_ci(s, schemes[i].prefix))
			break;
	if (i == RT_ARRAY_SIZE(schemes))
		return FAIL("%.200s: not a URL efikexec fetches (http://, https:// or tftp://)", s);
	u->scheme = schemes[i].scheme;
	u->port = schemes[i].port;
	for (const char *c = s; *c; c++)
		if (!url_char(*c) && *c != '#')
			return FAIL("%.200s: character %#x at %zu is not allowed in a URL", s, (unsigned char)*c,
				    (size_t)(c - s) + 1);
	auth = s + RT_FN(strlen)(schemes[i].prefix);
	frag = RT_FN(strchr)(auth, '#');
	auth_end = auth;
	while (*auth_end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
		auth_end++;
	if (auth_end == auth)
		return FAIL("%.200s: no host", s);
	for (p = auth; p < auth_end; p++)
		if (*p == '@')
			return FAIL("%.200s: user information in a URL is not supported", s);
	if (*auth == '[') {
		host_end = auth + 1;
		while (host_end < auth_end && *host_end != ']')
			host_end++;
		if (host_end == auth_end || host_end == auth + 1)
			return FAIL("%.200s: an IPv6 host needs its closing ']'", s);
		for (p = auth + 1; p < host_end; p++)
			if (hexval(*p) < 0 && *p != ':' && *p != '.')
				return FAIL("%.200s: '%c' is not part of an IPv6 address", s, *p);
		u->host_v6 = true;
		rt_snprintf(u->host, sizeof(u->host), "%.*s", (int)(host_end - auth - 1), auth + 1);
		p = host_end + 1;
	} else {
		host_end = auth;
		while (host_end < auth_end && *host_end != ':')
			host_end++;
		if (host_end == auth)
			return FAIL("%.200s: no host", s);
		if ((size_t)(host_end - auth) >= sizeof(u->host))
			return FAIL("%.200s: host longer than %zu characters", s, sizeof(u->host) - 1);
		for (p = auth; p < host_end; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '-' || *p == '.'))
				return FAIL("%.200s: '%c' is not allowed in a host name", s, *p);
		rt_snprintf(u->host, sizeof(u->host), "%.*s", (int)(host_end - auth), auth);
		p = host_end;
	}
	if (p < auth_end) {
		uint32_t port = 0;
		if (*p != ':' || p + 1 == auth_end)
			return FAIL("%.200s: no port after ':'", s);
		for (p++; p < auth_end; p++) {
			if (*p < '0' || *p > '9')
				return FAIL("%.200s: the port is not a number", s);
			port = port * 10 + (uint32_t)(*p - '0');
			if (port > 65535)
				break;
		}
		if (port == 0 || port > 65535)
			return FAIL("%.200s: port out of the range 1-65535", s);
		u->port = (uint16_t)port;
	}
	/* the path, query and all, up to the fragment */
	{
		const char *end = frag ? frag : s + len;
		if (auth_end == end || *auth_end != '/')
			rt_snprintf(u->path, sizeof(u->path), "/%.*s", (int)(end - auth_end), auth_end);
		else
			rt_snprintf(u->path, sizeof(u->path), "%.*s", (int)(end - auth_end), auth_end);
		rt_snprintf(u->text, sizeof(u->text), "%.*s", (int)(end - s), s);
	}
	if (u->scheme == URL_TFTP && !RT_FN(strcmp)(u->path, "/"))
		return FAIL("%.200s: no file named", s);
	if (frag)
		return parse_pin(frag + 1, u, err, errsize);
	return RT_OK;
}

/* Removes "." and ".." segments of a path in place (RFC 3986 5.2.4). */
static void remove_dots(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			if (!*in)
				*out++ = '/';
			continue;
		}
		if (in[0] == '/' && in[1] == '.' && in[2] == '.' && (in[3] == '/' || !in[3])) {
			in += 3;
			while (out > path && *--out != '/')
				;
			if (!*in)
				*out++ = '/';
			continue;
		}
		do
			*out++ = *in++;
		while (*in && *in != '/');
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

rt_status url_resolve(const char *base, const char *ref, char *out, size_t size)
{
	char path[URL_MAX];
	const char *auth, *auth_end, *query;
	size_t n;
	int w;

	if (!ref || !out || !size)
		return RT_EINVAL;
	if (url_is(ref)) {
		w = rt_snprintf(out, size, "%s", ref);
		return (size_t)w < size ? RT_OK : RT_E2BIG;
	}
	if (!url_is(base))
		return RT_EINVAL;
	auth = RT_FN(strchr)(base, ':') + 3;
	auth_end = auth;
	while (*auth_end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
		auth_end++;
	if (ref[0] == '/' && ref[1] == '/') { /* another host, same scheme */
		w = rt_snprintf(out, size, "%.*s%s", (int)(auth - 2 - base), base, ref);
		return (size_t)w < size ? RT_OK : RT_E2BIG;
	}
	if (ref[0] == '/') {
		n = 0;
	} else {
		/* base's path up to and with its last '/' (query and fragment off) */
		query = auth_end;
		while (*query && *query != '?' && *query != '#')
			query++;
		n = (size_t)(query - auth_end);
		while (n && auth_end[n - 1] != '/')
			n--;
	}
	/* the ref's fragment stays out of the dot removal */
	{
		const char *frag = RT_FN(strchr)(ref, '#');
		size_t rlen = frag ? (size_t)(frag - ref) : RT_FN(strlen)(ref);
		w = rt_snprintf(path, sizeof(path), "%s%.*s%.*s", n ? "" : (ref[0] == '/' ? "" : "/"), (int)n,
				auth_end, (int)rlen, ref);
		if ((size_t)w >= sizeof(path))
			return RT_E2BIG;
		remove_dots(path);
		w = rt_snprintf(out, size, "%.*s%s%s", (int)(auth_end - base), base, path, frag ? frag : "");
	}
	return (size_t)w < size ? RT_OK : RT_E2BIG;
}

void url_mac_conf(const uint8_t *mac, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	char name[3 * 32 + 1];
	size_t o = 0;

	if (len > 32)
		len = 32;
	for (size_t i = 0; i < len; i++) {
		if (i)
			name[o++] = '-';
		name[o++] = hex[mac[i] >> 4];
		name[o++] = hex[mac[i] & 15];
	}
	name[o] = '\0';
	rt_snprintf(out, size, "efikexec-%s.conf", name);
}

bool http_content_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;

	if (!v)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return false;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (UINT64_MAX >> 1) / 10 || n * 10 + (uint64_t)(*v - '0') > (UINT64_MAX >> 1))
			return false;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v)
		return false;
	*out = n;
	return true;
}

rt_status url_redirect(const struct url *cur, const char *location, struct url *next, char *err, size_t errsize)
{
	char ref[URL_MAX], out[URL_MAX];
	size_t n = 0;

	while (location[n] && location[n] != '#' && n + 1 < sizeof(ref))
		ref[n] = location[n], n++;
	ref[n] = '\0';
	if (location[n] && location[n] != '#') {
		rt_snprintf(err, errsize, "%s: redirected to a Location longer than the limit of %u bytes", cur->text,
			    URL_MAX - 1);
		return RT_E2BIG;
	}
	if (!ref[0]) {
		rt_snprintf(err, errsize, "%s: redirected with an empty Location", cur->text);
		return RT_EINVAL;
	}
	if (url_resolve(cur->text, ref, out, sizeof(out)) != RT_OK) {
		rt_snprintf(err, errsize, "%s: redirected to '%.200s', which does not resolve to a URL of at most %u bytes",
			    cur->text, ref, URL_MAX - 1);
		return RT_EINVAL;
	}
	if (url_parse(out, next, err, errsize) != RT_OK)
		return RT_EINVAL;
	if (next->scheme == URL_TFTP) {
		rt_snprintf(err, errsize, "%s: redirected to %s: only http and https are followed", cur->text, next->text);
		return RT_EINVAL;
	}
	if (cur->scheme == URL_HTTPS && next->scheme != URL_HTTPS) {
		rt_snprintf(err, errsize, "%s: redirected from https to %s: refused (it would drop TLS)", cur->text,
			    next->text);
		return RT_EINVAL;
	}
	next->pinned = cur->pinned;
	RT_FN(memcpy)(next->sha256, cur->sha256, sizeof(next->sha256));
	return RT_OK;
}

bool http_is_redirect(unsigned status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

unsigned http_status_number(unsigned efi_code)
{
	/* EFI_HTTP_STATUS_CODE, in its order: 0 is "unsupported" */
	static const uint16_t number[] = {
		0,   100, 101, 200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304,
		305, 307, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412,
		413, 414, 415, 416, 417, 500, 501, 502, 503, 504, 505, 308, 429,
	};
	return efi_code < RT_ARRAY_SIZE(number) ? number[efi_code] : 0;
}

bool http_retryable(unsigned status)
{
	return (status >= 500 && status <= 599) || status == 408 || status == 425 || status == 429;
}

bool http_name_is(const char *name, const char *want)
{
	for (; *name && *want; name++, want++)
		if (lower(*name) != lower(*want))
			return false;
	return !*name && !*want;
}
