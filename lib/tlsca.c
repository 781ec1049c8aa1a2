/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * tlsca.c - PEM or DER X.509 certificates into EFI_SIGNATURE_LISTs
 * (tlsca.h says what and why).
 */
#include "tlsca.h"

/* EFI_CERT_X509_GUID a5c059a1-94e4-4aa7-87b5-ab155c2bf072, as stored */
static const uint8_t x509_guid[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
				       0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };

static const char begin[] = "-----BEGIN CERTIFICATE-----";
static const char end[] = "-----END CERTIFICATE-----";

/* The length of the DER value at p (n bytes): a SEQUENCE whose length
 * octets say exactly n bytes in all; 0 when it is not one. */
static size_t der_cert_len(const uint8_t *p, size_t n)
{
	size_t len, hdr;

	if (n < 4 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		len = p[1], hdr = 2;
	} else {
		unsigned k = p[1] & 0x7f;
		if (k < 1 || k > 3 || n < 2 + k)
			return 0;
		len = 0;
		for (unsigned i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hdr = 2 + k;
	}
	return hdr + len == n ? n : 0;
}

static int b64(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64 of [p, e) (white space skipped, '=' padding at the end) into out
 * (cap bytes); the decoded length, or -1 when it is not base64. */
static long unbase64(const uint8_t *p, const uint8_t *e, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0, pad = 0;
	size_t n = 0;

	for (; p < e; p++) {
		int v;
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			continue;
		if (*p == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64(*p)) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6)
		return -1;
	return (long)n;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Appends one list holding the certificate at cert (n bytes). */
static rt_status add(const uint8_t *cert, size_t n, const uint8_t owner[16], uint8_t *out, size_t cap,
		     size_t *outlen, unsigned *ncerts, const char *name, char *err, size_t errsize)
{
	size_t need = TLSCA_LIST_HEADER + TLSCA_OWNER_SIZE + n;
	uint8_t *p = out + *outlen;

	if (*ncerts == TLSCA_MAX_CERTS) {
		rt_snprintf(err, errsize, "%s: more than %u certificates", name, TLSCA_MAX_CERTS);
		return RT_EINVAL;
	}
	if (cap - *outlen < need) {
		rt_snprintf(err, errsize, "%s: %zu bytes of signature lists, more than the %zu of room", name,
			    *outlen + need, cap);
		return RT_E2BIG;
	}
	RT_FN(memcpy)(p, x509_guid, 16);
	put32(p + 16, (uint32_t)need);
	put32(p + 20, 0);
	put32(p + 24, (uint32_t)(TLSCA_OWNER_SIZE + n));
	RT_FN(memcpy)(p + TLSCA_LIST_HEADER, owner, TLSCA_OWNER_SIZE);
	RT_FN(memmove)(p + TLSCA_LIST_HEADER + TLSCA_OWNER_SIZE, cert, n);
	*outlen += need;
	(*ncerts)++;
	return RT_OK;
}

/* The first occurrence of the NUL-free string s in [p, e), or NULL. */
static const uint8_t *find(const uint8_t *p, const uint8_t *e, const char *s)
{
	size_t n = RT_FN(strlen)(s);

	for (; (size_t)(e - p) >= n; p++)
		if (!RT_FN(memcmp)(p, s, n))
			return p;
	return NULL;
}

rt_status tlsca_to_esl(const uint8_t *in, size_t len, const uint8_t owner[16], uint8_t *out, size_t cap,
		       size_t *outlen, unsigned *ncerts, const char *name, char *err, size_t errsize)
{
	const uint8_t *p = in, *e = in + len;
	rt_status st;

	*outlen = 0;
	*ncerts = 0;
	err[0] = '\0';
	if (der_cert_len(in, len))
		return add(in, len, owner, out, cap, outlen, ncerts, name, err, errsize);
	while ((p = find(p, e, begin))) {
		const uint8_t *body = p + sizeof(begin) - 1, *stop = find(body, e, end);
		uint8_t *dst;
		long n;
		if (!stop) {
			rt_snprintf(err, errsize, "%s: a PEM certificate at byte %zu has no '%s' line", name,
				    (size_t)(p - in), end);
			return RT_EINVAL;
		}
		/* decoded in place where the list will go: its bytes come after
		 * its header, and base64 is longer than what it decodes to */
		if (cap - *outlen < TLSCA_LIST_HEADER + TLSCA_OWNER_SIZE) {
			rt_snprintf(err, errsize, "%s: more signature lists than the %zu bytes of room", name, cap);
			return RT_E2BIG;
		}
		dst = out + *outlen + TLSCA_LIST_HEADER + TLSCA_OWNER_SIZE;
		n = unbase64(body, stop, dst, cap - *outlen - TLSCA_LIST_HEADER - TLSCA_OWNER_SIZE);
		if (n < 0) {
			rt_snprintf(err, errsize, "%s: the PEM certificate at byte %zu is not base64 (or larger than %zu bytes)",
				    name, (size_t)(p - in), cap - *outlen - TLSCA_LIST_HEADER - TLSCA_OWNER_SIZE);
			return RT_EINVAL;
		}
		if (!der_cert_len(dst, (size_t)n)) {
			rt_snprintf(err, errsize, "%s: the PEM certificate at byte %zu is not a DER SEQUENCE of its own length (%ld bytes)",
				    name, (size_t)(p - in), n);
			return RT_EINVAL;
		}
		if ((st = add(dst, (size_t)n, owner, out, cap, outlen, ncerts, name, err, errsize)) != RT_OK)
			return st;
		p = stop + sizeof(end) - 1;
	}
	if (!*ncerts) {
		rt_snprintf(err, errsize, "%s: no certificate (a DER X.509 file, or PEM '%s' blocks)", name, begin);
		return RT_EINVAL;
	}
	return RT_OK;
}
