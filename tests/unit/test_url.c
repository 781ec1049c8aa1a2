/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* test_url.c - URLs, their pins, resolution, and the HTTP bits (lib/url.h). */
#include "test.h"
#include "../../lib/url.h"

static struct url u;
static char err[300];

TEST(url_parse_forms)
{
	CHECK(url_parse("http://10.0.2.2:8080/boot/vmlinuz", &u, err, sizeof(err)) == RT_OK);
	CHECK(u.scheme == URL_HTTP);
	CHECK_STR(u.host, "10.0.2.2");
	CHECK_EQ_U64(u.port, 8080);
	CHECK_STR(u.path, "/boot/vmlinuz");
	CHECK_STR(u.text, "http://10.0.2.2:8080/boot/vmlinuz");
	CHECK(!u.pinned);
	CHECK(url_parse("HTTPS://Boot.Example.org/a?b=c", &u, err, sizeof(err)) == RT_OK);
	CHECK(u.scheme == URL_HTTPS);
	CHECK_EQ_U64(u.port, 443);
	CHECK_STR(u.path, "/a?b=c");
	CHECK(url_parse("http://host", &u, err, sizeof(err)) == RT_OK);
	CHECK_STR(u.path, "/");
	CHECK_EQ_U64(u.port, 80);
	CHECK(url_parse("tftp://10.0.2.2/pxe/initrd.img", &u, err, sizeof(err)) == RT_OK);
	CHECK(u.scheme == URL_TFTP);
	CHECK_EQ_U64(u.port, 69);
	CHECK(url_parse("http://[fd00::2]:80/x", &u, err, sizeof(err)) == RT_OK);
	CHECK(u.host_v6);
	CHECK_STR(u.host, "fd00::2");
}

TEST(url_parse_pins)
{
	const char *hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char s[200];

	snprintf(s, sizeof(s), "http://h/empty#sha256=%s", hex);
	CHECK(url_parse(s, &u, err, sizeof(err)) == RT_OK);
	CHECK(u.pinned);
	CHECK_EQ_U64(u.sha256[0], 0xe3);
	CHECK_EQ_U64(u.sha256[31], 0x55);
	CHECK_STR(u.text, "http://h/empty");
	snprintf(s, sizeof(s), "http://h/x#sha256=%.63s", hex);
	CHECK(url_parse(s, &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "63 hex digits, expected 64");
	snprintf(s, sizeof(s), "http://h/x#sha256=%s0", hex);
	CHECK(url_parse(s, &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "65 hex digits, expected 64");
	CHECK(url_parse("http://h/x#sha256=zz", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "'z' at 1 is not a hex digit");
	CHECK(url_parse("http://h/x#md5=00", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "the only fragment understood is #sha256=");
}

TEST(url_parse_errors)
{
	CHECK(url_parse("http:///vmlinuz", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_STR(err, "http:///vmlinuz: no host");
	CHECK(url_parse("http://:80/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "no host");
	CHECK(url_parse("http://h:0/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "port out of the range 1-65535");
	CHECK(url_parse("http://h:65536/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK(url_parse("http://h:/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "no port after ':'");
	CHECK(url_parse("http://user@h/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "user information");
	CHECK(url_parse("http://h/a b", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "character 0x20 at 11");
	CHECK(url_parse("ftp://h/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "not a URL efikexec fetches");
	CHECK(url_parse("tftp://10.0.2.2/", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK_CONTAINS(err, "no file named");
	CHECK(url_parse("http://[fd00::2/x", &u, err, sizeof(err)) == RT_EINVAL);
	CHECK(!url_is("\\EFI\\Linux\\a.efi"));
	CHECK(url_is("Tftp://x/y"));
}

static void resolves(const char *base, const char *ref, const char *want)
{
	char out[URL_MAX];

	CHECK(url_resolve(base, ref, out, sizeof(out)) == RT_OK);
	CHECK_STR(out, want);
}

TEST(url_resolve_rfc3986)
{
	const char *b = "http://10.0.2.2:8080/pxe/efikexecx64.efi";

	resolves(b, "efikexec.conf", "http://10.0.2.2:8080/pxe/efikexec.conf");
	resolves(b, "/boot/vmlinuz", "http://10.0.2.2:8080/boot/vmlinuz");
	resolves(b, "../boot/./initrd.img", "http://10.0.2.2:8080/boot/initrd.img");
	resolves(b, "../../../x", "http://10.0.2.2:8080/x");
	resolves(b, "tftp://10.0.2.2/extra.img", "tftp://10.0.2.2/extra.img");
	resolves(b, "//other/x", "http://other/x");
	resolves(b, "a.efi#sha256=00", "http://10.0.2.2:8080/pxe/a.efi#sha256=00");
	resolves("http://h/e/entries/x.conf?y=1#sha256=ab", "k", "http://h/e/entries/k");
	resolves("http://h", "k", "http://h/k");
	{
		char out[8];
		CHECK(url_resolve(b, "efikexec.conf", out, sizeof(out)) == RT_E2BIG);
		CHECK(url_resolve("\\EFI\\x", "y", out, sizeof(out)) == RT_EINVAL);
	}
}

TEST(url_redirects)
{
	static struct url cur, next;
	static const char pin[] = "#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char in[URL_MAX];

	rt_snprintf(in, sizeof(in), "http://10.0.2.2:8080/boot/vmlinuz%s", pin);
	CHECK(url_parse(in, &cur, err, sizeof(err)) == RT_OK);
	/* relative: from the folder; from the host; absolute: another server */
	CHECK(url_redirect(&cur, "v2/vmlinuz", &next, err, sizeof(err)) == RT_OK);
	CHECK_STR(next.text, "http://10.0.2.2:8080/boot/v2/vmlinuz");
	CHECK(next.pinned && !memcmp(next.sha256, cur.sha256, 32));
	CHECK(url_redirect(&cur, "/other/vmlinuz", &next, err, sizeof(err)) == RT_OK);
	CHECK_STR(next.text, "http://10.0.2.2:8080/other/vmlinuz");
	CHECK(url_redirect(&cur, "https://mirror.example/k", &next, err, sizeof(err)) == RT_OK);
	CHECK(next.scheme == URL_HTTPS && next.port == 443 && next.pinned);
	/* the Location's fragment does not change the pin; none makes none */
	CHECK(url_redirect(&cur, "/x#sha256=ffff", &next, err, sizeof(err)) == RT_OK);
	CHECK(next.pinned && !memcmp(next.sha256, cur.sha256, 32));
	CHECK(url_parse("http://h/a", &cur, err, sizeof(err)) == RT_OK);
	CHECK(url_redirect(&cur, "b", &next, err, sizeof(err)) == RT_OK && !next.pinned);
	/* refused, each saying why */
	CHECK(url_redirect(&cur, "", &next, err, sizeof(err)) != RT_OK);
	CHECK_CONTAINS(err, "http://h/a: redirected with an empty Location");
	CHECK(url_redirect(&cur, "tftp://10.0.2.2/a", &next, err, sizeof(err)) != RT_OK);
	CHECK_CONTAINS(err, "only http and https are followed");
	CHECK(url_parse("https://h/a", &cur, err, sizeof(err)) == RT_OK);
	CHECK(url_redirect(&cur, "http://h/a", &next, err, sizeof(err)) != RT_OK);
	CHECK_CONTAINS(err, "https://h/a: redirected from https to http://h/a: refused (it would drop TLS)");
	CHECK(url_redirect(&cur, "http://[::1", &next, err, sizeof(err)) != RT_OK);
	CHECK(err[0]);
	CHECK(http_is_redirect(301) && http_is_redirect(302) && http_is_redirect(303) && http_is_redirect(307) &&
	      http_is_redirect(308));
	CHECK(!http_is_redirect(300) && !http_is_redirect(304) && !http_is_redirect(305) && !http_is_redirect(200));
}

TEST(url_mac_and_http)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0xAB };
	char name[64];
	uint64_t n;

	url_mac_conf(mac, 6, name, sizeof(name));
	CHECK_STR(name, "efikexec-52-54-00-12-34-ab.conf");
	CHECK(http_content_length("62914560", &n) && n == 62914560);
	CHECK(http_content_length(" 0 ", &n) && n == 0);
	CHECK(http_content_length("9223372036854775807", &n));
	CHECK(!http_content_length("9223372036854775808", &n));
	CHECK(!http_content_length("-1", &n));
	CHECK(!http_content_length("12 34", &n));
	CHECK(!http_content_length("", &n));
	CHECK(!http_content_length("0x10", &n));
	CHECK_EQ_U64(http_status_number(3), 200);
	CHECK_EQ_U64(http_status_number(21), 404);
	CHECK_EQ_U64(http_status_number(38), 503);
	CHECK_EQ_U64(http_status_number(41), 308);
	CHECK_EQ_U64(http_status_number(42), 429);
	CHECK_EQ_U64(http_status_number(43), 0);
	CHECK(http_retryable(503) && http_retryable(429) && http_retryable(408));
	CHECK(!http_retryable(404) && !http_retryable(403) && !http_retryable(200));
	CHECK(http_name_is("content-LENGTH", "Content-Length"));
	CHECK(!http_name_is("Content-Length2", "Content-Length"));
}
