/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * trust.c - Authenticode digests, signature lists, TPM2 event logs; see
 * trust.h. Every read is bounded by the size given: these parse files and
 * firmware data efikexec does not trust.
 */
#include "trust.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* --- Authenticode ---------------------------------------------------------------- */

#define PE_MAX_SECTIONS 96 /* the PE format's own limit (Microsoft PE/COFF: NumberOfSections) */

/* DER bytes of the OIDs the signature's digest is found by (RFC 5280 style
 * encodings of 1.3.6.1.4.1.311.2.1.4 SPC_INDIRECT_DATA_OBJID, Authenticode
 * spec; 2.16.840.1.101.3.4.2.1 id-sha256, RFC 5754). */
static const uint8_t oid_spc_indirect[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01,
					    0x82, 0x37, 0x02, 0x01, 0x04 };
static const uint8_t oid_sha256[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };

static const uint8_t *find(const uint8_t *p, size_t n, const uint8_t *what, size_t wn)
{
	for (size_t i = 0; n >= wn && i <= n - wn; i++)
		if (p[i] == what[0] && !RT_FN(memcmp)(p + i, what, wn))
			return p + i;
	return NULL;
}

/* The SHA-256 digest a PKCS#7 SignedData signs: SpcIndirectDataContent's
 * DigestInfo {AlgorithmIdentifier {id-sha256, NULL?}, OCTET STRING (32)}.
 * Only for the message: the signature itself is the verifier's to check. */
static bool signed_sha256(const uint8_t *p, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
	const uint8_t *at = find(p, n, oid_spc_indirect, sizeof(oid_spc_indirect));

	if (!at)
		return false;
	n -= (size_t)(at - p);
	p = at;
	at = find(p, n, oid_sha256, sizeof(oid_sha256));
	if (!at)
		return false;
	n -= (size_t)(at - p) + sizeof(oid_sha256);
	p = at + sizeof(oid_sha256);
	if (n >= 2 && p[0] == 0x05 && p[1] == 0x00) {
		p += 2;
		n -= 2;
	}
	/* the end of the AlgorithmIdentifier SEQUENCE was the NULL: the OCTET STRING follows */
	if (n < 2 + SHA256_DIGEST_SIZE || p[0] != 0x04 || p[1] != SHA256_DIGEST_SIZE)
		return false;
	RT_FN(memcpy)(out, p + 2, SHA256_DIGEST_SIZE);
	return true;
}

struct range {
	uint64_t off, len;
};

void pe_authenticode(const void *image, uint64_t size, struct pe_auth *out)
{
	const uint8_t *b = image;
	struct range sec[PE_MAX_SECTIONS];
	uint32_t pe, opt, nsec, table, cksum, ndirs, dirs, hdrs;
	uint64_t cert_off = 0, cert_len = 0, sum, certdir;
	struct sha256_ctx c;
	uint16_t magic;
	unsigned n = 0;

	RT_FN(memset)(out, 0, sizeof(*out));
	if (size < 0x40 || b[0] != 'M' || b[1] != 'Z') {
		out->why = "no \"MZ\" header";
		return;
	}
	pe = rd32(b + 0x3c);
	if (pe > size - 24 || size < 24 || rd32(b + pe) != 0x00004550) {
		out->why = "no \"PE\" signature where the MZ header points";
		return;
	}
	nsec = rd16(b + pe + 6);
	opt = pe + 24;
	table = opt + rd16(b + pe + 20);
	if (opt + 2 > size) {
		out->why = "the optional header is past the end";
		return;
	}
	magic = rd16(b + opt);
	if (magic != 0x10b && magic != 0x20b) {
		out->why = "an optional header that is neither PE32 nor PE32+";
		return;
	}
	/* CheckSum at 64 in both; NumberOfRvaAndSizes and the directories
	 * after it at 92/96 (PE32) and 108/112 (PE32+) */
	cksum = opt + 64;
	ndirs = magic == 0x10b ? opt + 92 : opt + 108;
	dirs = ndirs + 4;
	if ((uint64_t)dirs > size || (uint64_t)table + (uint64_t)nsec * 40 > size || nsec > PE_MAX_SECTIONS) {
		out->why = "headers or section table past the end of the file";
		return;
	}
	hdrs = rd32(b + opt + 60);
	certdir = dirs + 4 * 8;
	if (rd32(b + ndirs) > 4 && certdir + 8 <= table) {
		cert_off = rd32(b + certdir);
		cert_len = rd32(b + certdir + 4);
	} else {
		certdir = 0;
	}
	if (hdrs > size || hdrs < (certdir ? certdir + 8 : (uint64_t)cksum + 4)) {
		out->why = "SizeOfHeaders is outside the file";
		return;
	}
	if (cert_len && (cert_off > size || cert_len > size - cert_off)) {
		out->why = "the certificate table is outside the file";
		return;
	}
	out->is_pe = true;
	out->has_certs = cert_len != 0;

	/* the signature's digest: WIN_CERTIFICATE {dwLength, wRevision,
	 * wCertificateType (2: PKCS_SIGNED_DATA)}, each 8-byte aligned */
	for (uint64_t o = cert_off, e = cert_off + cert_len; cert_len && o + 8 <= e;) {
		uint32_t len = rd32(b + o);
		if (len < 8 || len > e - o)
			break;
		if (rd16(b + o + 6) == 2 && signed_sha256(b + o + 8, len - 8, out->signed_digest)) {
			out->has_signed_digest = true;
			break;
		}
		o += (len + 7ull) & ~7ull;
	}

	/* the headers, without CheckSum and the Certificate Table entry */
	sha256_init(&c);
	sha256_update(&c, b, cksum);
	if (certdir) {
		sha256_update(&c, b + cksum + 4, certdir - cksum - 4);
		sha256_update(&c, b + certdir + 8, hdrs - certdir - 8);
	} else {
		sha256_update(&c, b + cksum + 4, hdrs - cksum - 4);
	}
	/* the sections with raw data, by PointerToRawData (insertion sort) */
	for (unsigned i = 0; i < nsec; i++) {
		const uint8_t *s = b + table + i * 40;
		struct range r = { rd32(s + 20), rd32(s + 16) };
		unsigned j = n;
		if (!r.len)
			continue;
		if (r.off > size || r.len > size - r.off) {
			out->why = "a section's raw data is outside the file";
			return;
		}
		while (j && sec[j - 1].off > r.off) {
			sec[j] = sec[j - 1];
			j--;
		}
		sec[j] = r;
		n++;
	}
	sum = hdrs;
	for (unsigned i = 0; i < n; i++) {
		sha256_update(&c, b + sec[i].off, sec[i].len);
		sum += sec[i].len;
	}
	/* what follows, but the certificate table */
	if (size > sum) {
		if (size - sum < cert_len) {
			out->why = "the certificate table overlaps the sections";
			return;
		}
		sha256_update(&c, b + sum, size - sum - cert_len);
	}
	sha256_final(&c, out->digest);
}

const char *pe_not_pe_kind(const void *buf, uint64_t size)
{
	const uint8_t *b = buf;
	struct pe_auth a;

	pe_authenticode(buf, size, &a);
	if (a.is_pe)
		return NULL;
	if (size >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F')
		return "an ELF file";
	if (size >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "gzip data";
	if (size >= 4 && rd32(b) == 0xfd2fb528)
		return "zstd data";
	if (size >= 6 && b[0] == 0xfd && !RT_FN(memcmp)(b + 1, "7zXZ", 4))
		return "xz data";
	if (size >= 0x40 && rd32(b + 0x38) == 0x644d5241)
		return "an arm64 Image without an EFI stub";
	if (size >= 0x206 && rd32(b + 0x202) == 0x53726448)
		return "a bzImage without an EFI stub";
	for (uint64_t o = 0; o + 16 <= size && o < 32768; o += 8)
		if (rd32(b + o) == 0xE85250D6 && rd32(b + o) + rd32(b + o + 4) + rd32(b + o + 8) + rd32(b + o + 12) == 0)
			return "a Multiboot2 image";
	return "not a PE image";
}

/* --- EFI signature lists ------------------------------------------------------------- */

/* EFI_CERT_SHA256_GUID c1c41626-504c-4092-aca9-41f936934328 and
 * EFI_CERT_X509_GUID a5c059a1-94e4-4aa7-87b5-ab155c2bf072, as stored. */
static const uint8_t cert_sha256[16] = { 0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40,
					 0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28 };
static const uint8_t cert_x509[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
				       0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };

rt_status siglist_find_sha256(const void *buf, size_t size, const uint8_t digest[SHA256_DIGEST_SIZE],
			      bool *found, unsigned *x509)
{
	const uint8_t *b = buf;

	*found = false;
	*x509 = 0;
	for (size_t o = 0; o < size;) {
		uint32_t list, hdr, sig;
		if (size - o < 28)
			return RT_EINVAL;
		list = rd32(b + o + 16);
		hdr = rd32(b + o + 20);
		sig = rd32(b + o + 24);
		if (list < 28 || list > size - o || hdr > list - 28 || sig < 16 || (list - 28 - hdr) % sig)
			return RT_EINVAL;
		for (size_t s = o + 28 + hdr; s < o + list; s += sig) {
			if (!RT_FN(memcmp)(b + o, cert_sha256, 16) && sig == 16 + SHA256_DIGEST_SIZE &&
			    !RT_FN(memcmp)(b + s + 16, digest, SHA256_DIGEST_SIZE))
				*found = true;
			if (!RT_FN(memcmp)(b + o, cert_x509, 16))
				++*x509;
		}
		o += list;
	}
	return RT_OK;
}

/* --- TPM2 event logs ----------------------------------------------------------------- */

rt_status tcg_spec_id(const void *buf, size_t avail, struct tcg_algs *algs, size_t *size)
{
	const uint8_t *b = buf;
	uint32_t evsize, nalg;
	const uint8_t *d;

	/* TCG_PCR_EVENT: PCRIndex, EventType (EV_NO_ACTION 3), SHA-1 digest
	 * (20), EventSize, then TCG_EfiSpecIdEvent */
	if (avail < 32 || rd32(b + 4) != 3)
		return RT_EINVAL;
	evsize = rd32(b + 28);
	if (evsize > avail - 32 || evsize < 29 || RT_FN(memcmp)(b + 32, "Spec ID Event03", 16))
		return RT_EINVAL;
	d = b + 32;
	nalg = rd32(d + 24);
	if (nalg == 0 || nalg > TCG_MAX_ALGS || 28 + 4ull * nalg + 1 > evsize)
		return RT_EINVAL;
	algs->n = nalg;
	for (unsigned i = 0; i < nalg; i++) {
		algs->id[i] = rd16(d + 28 + 4 * i);
		algs->size[i] = rd16(d + 30 + 4 * i);
	}
	*size = 32 + (size_t)evsize;
	return RT_OK;
}

size_t tcg_event2_size(const void *buf, size_t avail, const struct tcg_algs *algs)
{
	const uint8_t *b = buf;
	size_t o = 12;
	uint32_t count, evsize;

	if (avail < 12)
		return 0;
	count = rd32(b + 8);
	if (count == 0 || count > algs->n)
		return 0;
	for (uint32_t i = 0; i < count; i++) {
		unsigned j;
		if (avail - o < 2)
			return 0;
		for (j = 0; j < algs->n && algs->id[j] != rd16(b + o); j++)
			;
		if (j == algs->n || avail - o - 2 < algs->size[j])
			return 0;
		o += 2 + algs->size[j];
	}
	if (avail - o < 4)
		return 0;
	evsize = rd32(b + o);
	o += 4;
	if (evsize > avail - o)
		return 0;
	return o + evsize;
}

size_t tcg_events_size(const void *buf, size_t avail, uint64_t nr, const struct tcg_algs *algs)
{
	const uint8_t *b = buf;
	size_t o = 0;

	for (uint64_t i = 0; i < nr; i++) {
		size_t n = tcg_event2_size(b + o, avail - o, algs);
		if (!n)
			return 0;
		o += n;
	}
	return o;
}

/* --- the events efikexec logs ------------------------------------------------------- */

size_t tcg_cmdline_utf16(const char *s, size_t len, uint8_t *out, size_t max)
{
	if (max / 2 < len + 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = (uint8_t)s[i];
		out[2 * i + 1] = 0;
	}
	out[2 * len] = out[2 * len + 1] = 0;
	return 2 * (len + 1);
}

size_t tcg_event(uint8_t *out, size_t max, uint32_t pcr, uint32_t type, uint32_t tag, const void *data,
		 size_t len)
{
	size_t extra = tag ? 8 : 0, total = 4 + 14 + extra + len;
	uint8_t *p = out;

	if (total > max || total > 0xffffffffu)
		return 0;
	/* EFI_TCG2_EVENT: Size; EFI_TCG2_EVENT_HEADER {HeaderSize 14,
	 * HeaderVersion 1, PCRIndex, EventType}; Event[] */
	wr32(p, (uint32_t)total);
	wr32(p + 4, 14);
	p[8] = 1;
	p[9] = 0;
	wr32(p + 10, pcr);
	wr32(p + 14, type);
	p += 18;
	if (tag) {
		wr32(p, tag);
		wr32(p + 4, (uint32_t)len);
		p += 8;
	}
	if (len)
		RT_FN(memcpy)(p, data, len);
	return total;
}
