/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_trust.c - lib/trust.c: the Authenticode digest of a PE image built
 * here (and of Debian's signed kernels when build/assets has them, against
 * the digest their signature signs), what is not PE, EFI signature lists,
 * TPM2 event logs and the events efikexec logs. */
#include "test.h"
#include "../../lib/trust.h"

static void pw16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void pw32(uint8_t *p, uint32_t v) { pw16(p, (uint16_t)v); pw16(p + 2, (uint16_t)(v >> 16)); }

enum { OPT = 0x58, CKSUM = OPT + 64, CERTDIR = OPT + 112 + 32, TABLE = OPT + 240, HDRS = 0x200,
       CERT_AT = 0x610, CERT_LEN = 0x60, IMAGE = CERT_AT + CERT_LEN };

static const uint8_t spc[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04 };
static const uint8_t sha[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };

/* A PE32+ with two sections listed out of file order, 16 bytes after them
 * and a certificate table whose "signature" names `signed_digest`. */
static void make_pe(uint8_t *b, const uint8_t signed_digest[32])
{
	memset(b, 0, IMAGE);
	b[0] = 'M';
	b[1] = 'Z';
	pw32(b + 0x3c, 0x40);
	memcpy(b + 0x40, "PE\0\0", 4);
	pw16(b + 0x44, 0x8664);
	pw16(b + 0x46, 2);
	pw16(b + 0x54, 240);
	pw16(b + OPT, 0x20b);
	pw32(b + OPT + 60, HDRS);
	pw32(b + CKSUM, 0x12345678);
	pw32(b + OPT + 108, 16);
	pw32(b + CERTDIR, CERT_AT);
	pw32(b + CERTDIR + 4, CERT_LEN);
	memcpy(b + TABLE, ".second", 7);
	pw32(b + TABLE + 16, 0x200);
	pw32(b + TABLE + 20, 0x400);
	memcpy(b + TABLE + 40, ".first", 6);
	pw32(b + TABLE + 40 + 16, 0x200);
	pw32(b + TABLE + 40 + 20, 0x200);
	for (int i = HDRS; i < CERT_AT; i++)
		b[i] = (uint8_t)(i * 7);
	/* WIN_CERTIFICATE {dwLength, wRevision 0x200, type 2}, then bytes
	 * with the two OIDs and the OCTET STRING */
	pw32(b + CERT_AT, CERT_LEN);
	pw16(b + CERT_AT + 4, 0x200);
	pw16(b + CERT_AT + 6, 2);
	memcpy(b + CERT_AT + 12, spc, sizeof(spc));
	memcpy(b + CERT_AT + 30, sha, sizeof(sha));
	memcpy(b + CERT_AT + 30 + sizeof(sha), signed_digest, 32);
}

static void expected(const uint8_t *b, uint8_t out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, b, CKSUM);
	sha256_update(&c, b + CKSUM + 4, CERTDIR - CKSUM - 4);
	sha256_update(&c, b + CERTDIR + 8, HDRS - CERTDIR - 8);
	sha256_update(&c, b + 0x200, 0x400); /* .first, then .second: file order */
	sha256_update(&c, b + 0x600, 0x10);  /* what follows, not the table */
	sha256_final(&c, out);
}

TEST(authenticode_digest_of_a_built_image)
{
	static uint8_t b[IMAGE];
	uint8_t want[32], sig[32];
	struct pe_auth a;

	memset(sig, 0xab, sizeof(sig));
	make_pe(b, sig);
	expected(b, want);
	pe_authenticode(b, IMAGE, &a);
	CHECK(a.is_pe);
	CHECK(a.has_certs);
	CHECK(a.has_signed_digest);
	CHECK(!memcmp(a.digest, want, 32));
	CHECK(!memcmp(a.signed_digest, sig, 32));
	CHECK(pe_not_pe_kind(b, IMAGE) == NULL);

	/* CheckSum and the certificate entry are not hashed; a section byte is */
	pw32(b + CKSUM, 0);
	pe_authenticode(b, IMAGE, &a);
	CHECK(!memcmp(a.digest, want, 32));
	b[0x3ff] ^= 1;
	pe_authenticode(b, IMAGE, &a);
	CHECK(memcmp(a.digest, want, 32) != 0);
	b[0x3ff] ^= 1;

	/* unsigned: no table */
	pw32(b + CERTDIR, 0);
	pw32(b + CERTDIR + 4, 0);
	pe_authenticode(b, CERT_AT, &a);
	CHECK(a.is_pe && !a.has_certs && !a.has_signed_digest);
}

TEST(authenticode_refuses_what_runs_past_the_file)
{
	static uint8_t b[IMAGE];
	uint8_t sig[32] = { 0 };
	struct pe_auth a;

	make_pe(b, sig);
	pw32(b + TABLE + 20, 0x7ffffff0); /* a section's raw data */
	pe_authenticode(b, IMAGE, &a);
	CHECK(a.why != NULL);
	CHECK_CONTAINS(a.why, "section");
	make_pe(b, sig);
	pw32(b + CERTDIR + 4, 0x10000); /* the certificate table */
	pe_authenticode(b, IMAGE, &a);
	CHECK(!a.is_pe);
	CHECK_CONTAINS(a.why, "certificate table");
	make_pe(b, sig);
	pw32(b + 0x3c, IMAGE - 4);
	pe_authenticode(b, IMAGE, &a);
	CHECK(!a.is_pe);
	for (size_t n = 0; n < IMAGE; n += 7) { /* every truncation: no read past n (ASan) */
		make_pe(b, sig);
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, b, n);
		pe_authenticode(c, n, &a);
		free(c);
	}
}

TEST(what_is_not_pe)
{
	static uint8_t b[40000];

	memcpy(b, "\177ELF", 4);
	CHECK_STR(pe_not_pe_kind(b, sizeof(b)), "an ELF file");
	memset(b, 0, sizeof(b));
	b[0] = 0x1f;
	b[1] = 0x8b;
	CHECK_STR(pe_not_pe_kind(b, sizeof(b)), "gzip data");
	memset(b, 0, sizeof(b));
	pw32(b + 0x38, 0x644d5241);
	CHECK_STR(pe_not_pe_kind(b, sizeof(b)), "an arm64 Image without an EFI stub");
	memset(b, 0, sizeof(b));
	pw32(b + 0x1000, 0xE85250D6);
	pw32(b + 0x1004, 0);
	pw32(b + 0x1008, 24);
	pw32(b + 0x100c, (uint32_t)-(0xE85250D6u + 24));
	CHECK_STR(pe_not_pe_kind(b, sizeof(b)), "a Multiboot2 image");
	memset(b, 0, sizeof(b));
	CHECK_STR(pe_not_pe_kind(b, sizeof(b)), "not a PE image");
}

/* Debian signs its kernels: the digest their signature signs is the
 * Authenticode digest efikexec computes. */
TEST(authenticode_of_debian_signed_kernels)
{
	const char *dir = getenv("EFIKEXEC_ASSETS") ? getenv("EFIKEXEC_ASSETS") : "build/assets";
	const char *names[] = { "vmlinuz-6.1-amd64", "vmlinuz-6.12-amd64", "vmlinuz-6.1-arm64", "vmlinuz-6.12-arm64" };
	int seen = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		rewind(f);
		uint8_t *b = malloc((size_t)n);
		CHECK(fread(b, 1, (size_t)n, f) == (size_t)n);
		fclose(f);
		struct pe_auth a;
		pe_authenticode(b, (uint64_t)n, &a);
		CHECK(a.is_pe && a.has_certs && a.has_signed_digest);
		CHECK(!memcmp(a.digest, a.signed_digest, 32));
		b[n / 2] ^= 1;
		pe_authenticode(b, (uint64_t)n, &a);
		CHECK(memcmp(a.digest, a.signed_digest, 32) != 0);
		free(b);
		seen++;
	}
	if (!seen)
		printf("  (no Debian kernels in %s: the real-image check is skipped)\n", dir);
}

TEST(signature_lists)
{
	static uint8_t b[200];
	uint8_t d[32], other[32];
	bool found;
	unsigned x509;
	/* EFI_CERT_SHA256_GUID as stored */
	static const uint8_t g[16] = { 0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40,
				       0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28 };

	memset(d, 0x11, 32);
	memset(other, 0x22, 32);
	memcpy(b, g, 16);
	pw32(b + 16, 28 + 2 * 48);
	pw32(b + 20, 0);
	pw32(b + 24, 48);
	memcpy(b + 28 + 16, other, 32);
	memcpy(b + 28 + 48 + 16, d, 32);
	CHECK(siglist_find_sha256(b, 28 + 96, d, &found, &x509) == RT_OK && found && x509 == 0);
	memset(d, 0x33, 32);
	CHECK(siglist_find_sha256(b, 28 + 96, d, &found, &x509) == RT_OK && !found);
	CHECK(siglist_find_sha256(b, 0, d, &found, &x509) == RT_OK && !found);
	pw32(b + 24, 47); /* a list that does not divide into its entries */
	CHECK(siglist_find_sha256(b, 28 + 96, d, &found, &x509) == RT_EINVAL);
	pw32(b + 24, 48);
	CHECK(siglist_find_sha256(b, 28 + 95, d, &found, &x509) == RT_EINVAL); /* cut */
}

/* A crypto-agile log: the Spec ID event (SHA-1 and SHA-256), two events. */
static size_t make_log(uint8_t *b)
{
	size_t o = 0;

	memset(b, 0, 400);
	pw32(b + 4, 3); /* EV_NO_ACTION */
	pw32(b + 28, 37);
	memcpy(b + 32, "Spec ID Event03", 16);
	pw32(b + 32 + 24, 2);
	pw16(b + 32 + 28, 0x0004);
	pw16(b + 32 + 30, 20);
	pw16(b + 32 + 32, 0x000b);
	pw16(b + 32 + 34, 32);
	o = 32 + 37;
	for (int e = 0; e < 2; e++) {
		pw32(b + o, 9);
		pw32(b + o + 4, TCG_EV_IPL);
		pw32(b + o + 8, 2);
		pw16(b + o + 12, 0x000b);
		pw16(b + o + 14 + 32, 0x0004);
		pw32(b + o + 14 + 32 + 2 + 20, 5);
		o += 14 + 32 + 2 + 20 + 4 + 5;
	}
	return o;
}

TEST(tpm2_event_log_sizes)
{
	static uint8_t b[400];
	struct tcg_algs algs;
	size_t spec, n = make_log(b), ev = 14 + 32 + 2 + 20 + 4 + 5;

	CHECK(tcg_spec_id(b, n, &algs, &spec) == RT_OK);
	CHECK_EQ_U64(spec, 69);
	CHECK_EQ_U64(algs.n, 2);
	CHECK_EQ_U64(tcg_event2_size(b + spec, n - spec, &algs), ev);
	CHECK_EQ_U64(tcg_events_size(b + spec, n - spec, 2, &algs), 2 * ev);
	CHECK_EQ_U64(tcg_events_size(b + spec, n - spec, 3, &algs), 0);   /* past the end */
	CHECK_EQ_U64(tcg_event2_size(b + spec, ev - 1, &algs), 0);        /* cut */
	pw16(b + spec + 12, 0x000c);                                        /* SHA-384: not declared */
	CHECK_EQ_U64(tcg_event2_size(b + spec, n - spec, &algs), 0);
	pw32(b + 4, 1);
	CHECK(tcg_spec_id(b, n, &algs, &spec) == RT_EINVAL);
}

TEST(tpm2_events_efikexec_logs)
{
	uint8_t out[64], u[16];
	static const char tag[] = "Linux initrd";

	/* EFI_TCG2_EVENT: Size, {HeaderSize 14, HeaderVersion 1, PCR, type}, tagged data */
	CHECK_EQ_U64(tcg_event(out, sizeof(out), 9, TCG_EV_EVENT_TAG, TCG_TAG_INITRD, tag, sizeof(tag)),
		     18 + 8 + 13);
	CHECK_EQ_U64(out[0], 39);
	CHECK_EQ_U64(out[4], 14);
	CHECK_EQ_U64(out[8], 1);
	CHECK_EQ_U64(out[10], 9);
	CHECK_EQ_U64(out[14], 6);
	CHECK(out[18] == 0xec && out[19] == 0x22 && out[20] == 0x3b && out[21] == 0x8f);
	CHECK_EQ_U64(out[22], 13);
	CHECK(!memcmp(out + 26, "Linux initrd", 13));
	CHECK_EQ_U64(tcg_event(out, 30, 9, TCG_EV_EVENT_TAG, TCG_TAG_INITRD, tag, sizeof(tag)), 0);
	/* the command line as UTF-16LE with its NUL */
	CHECK_EQ_U64(tcg_cmdline_utf16("a b", 3, u, sizeof(u)), 8);
	CHECK(!memcmp(u, "a\0 \0b\0\0\0", 8));
	CHECK_EQ_U64(tcg_cmdline_utf16("abcdefgh", 8, u, sizeof(u)), 0);
}
