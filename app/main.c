/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * main.c - efikexec.efi's command-line front end: a client of libefikexec
 * through include/efikexec.h alone, like any program that embeds it.
 *
 * It reads the request from LoadOptions (as the UEFI shell or a boot entry
 * passes it), parses it (app/options.c), turns it into library calls and
 * returns an EFI status to whoever started it. The front end links its own
 * copy of lib/'s string functions, printer, log and command-line splitter;
 * the library's copies are hidden inside libefikexec.a, so the two never
 * clash (the Makefile checks the archive exports nothing unprefixed).
 */
#include <efi.h>
#include <efiapi.h>

#include "../include/efikexec.h"
#include "options.h"
#include "stage.h"

#if defined(__x86_64__)
/* SBAT (rhboot/shim SBAT.md): shim refuses a second stage under Secure
 * Boot without this section (sbat.c verify_sbat_section: "SBAT is
 * mandatory for binaries loaded by shim"). The first line is the format's
 * own; the second names efikexec and its generation, raised when a
 * Secure Boot flaw of efikexec is fixed. x86_64 only: GNU-EFI's aarch64
 * PE header is hand-made and lists a fixed set of sections. */
static const char sbat[] __attribute__((section(".sbat"), used, aligned(512))) =
	"sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
	"efikexec,1,the efikexec developers,efikexec," EFIKEXEC_VERSION ",README.md\n";
#endif

/* The version where a program on the OS finds it in the file: efikexec-install
 * (tools/install/) reads it to replace only older copies. Newlines around
 * it: `strings` shows it as a line of its own whatever bytes lie next to
 * it (a GUID's printable bytes did). */
static const char version_mark[] __attribute__((used)) = "\n#### efikexec-version " EFIKEXEC_VERSION " ####\n";

_Static_assert(OPT_MAX_INITRDS <= EFIKEXEC_MAX_INITRDS, "every --initrd fits a request");

/* EFI_LOAD_FILE2_PROTOCOL: LoadFile(this, path, boot_policy, size, buf) */
typedef struct lf2 {
	EFI_STATUS(EFIAPI *LoadFile)(struct lf2 *self, EFI_DEVICE_PATH *path, BOOLEAN boot_policy, UINTN *size,
				    VOID *buf);
} lf2_t;

/*
 * The initrd a parent loader serves behind LINUX_EFI_INITRD_MEDIA_GUID
 * (LoadFile2; efikexec as a stage of systemd-boot or GRUB), read into pool
 * memory: true with *buf and *size when there is one; false when there is
 * none (or on an error, which it logs). The caller frees *buf with FreePool.
 */
static bool read_parent_initrd(EFI_SYSTEM_TABLE *systab, void **buf, uint64_t *size)
{
	static EFI_GUID initrd_media_guid = { 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } };
	static EFI_GUID load_file2_guid = { 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };
	/* the vendor media node with the GUID, then the end (efi-stub-helper.c) */
	struct {
		uint8_t type, subtype, len[2];
		EFI_GUID guid;
		uint8_t end[4];
	} __attribute__((packed)) path = { 4, 3, { 20, 0 }, { 0 }, { 0x7f, 0xff, 4, 0 } };
	EFI_BOOT_SERVICES *b = systab->BootServices;
	EFI_DEVICE_PATH *dp = (EFI_DEVICE_PATH *)&path;
	EFI_HANDLE h;
	lf2_t *lf;
	UINTN n = 0;
	EFI_STATUS s;

	path.guid = initrd_media_guid;
	*buf = NULL;
	if (b->LocateDevicePath(&load_file2_guid, &dp, &h) != EFI_SUCCESS ||
	    b->HandleProtocol(h, &load_file2_guid, (void **)&lf) != EFI_SUCCESS)
		return false;
	s = lf->LoadFile(lf, (EFI_DEVICE_PATH *)&path, FALSE, &n, NULL);
	if (s != EFI_BUFFER_TOO_SMALL || !n) {
		if (s != EFI_SUCCESS || n)
			say(EFIKEXEC_LOG_WARN, "initrd", "the parent's LoadFile2 initrd gave no size: %s",
			     efikexec_status_name(s));
		return false;
	}
	if ((s = b->AllocatePool(EfiLoaderData, n, buf)) != EFI_SUCCESS) {
		say(EFIKEXEC_LOG_ERROR, "initrd", "no memory for the parent's initrd of %llu bytes: %s",
		     (unsigned long long)n, efikexec_status_name(s));
		return false;
	}
	if ((s = lf->LoadFile(lf, (EFI_DEVICE_PATH *)&path, FALSE, &n, *buf)) != EFI_SUCCESS) {
		say(EFIKEXEC_LOG_ERROR, "initrd", "the parent's LoadFile2 initrd: %s", efikexec_status_name(s));
		b->FreePool(*buf);
		*buf = NULL;
		return false;
	}
	*size = n;
	say(EFIKEXEC_LOG_INFO, "initrd", "the parent loader's initrd (LoadFile2), %llu bytes, comes first",
	     (unsigned long long)n);
	return true;
}

/* The front end's own log lines (options.c) go through efikexec's log. */
static void front_sink(enum rt_log_level level, const char *subsys, const char *line)
{
	efikexec_log((int)level, subsys, line);
}

static void print(const char *fmt, ...) RT_PRINTF(1, 2);
static void print(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	efikexec_print(buf);
}

static efikexec_status fail(efikexec_status st, const char *subsys, const char *fmt, ...)
	RT_PRINTF(3, 4);
static efikexec_status fail(efikexec_status st, const char *subsys, const char *fmt, ...)
{
	char buf[512], line[600];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rt_snprintf(line, sizeof(line), "%s: %s", buf, efikexec_status_name(st));
	efikexec_log(EFIKEXEC_LOG_ERROR, subsys, line);
	return st;
}

static efikexec_status do_sha256(const char *path)
{
	uint8_t d[32];
	uint64_t size;
	char hex[65];
	efikexec_status st = efikexec_file_sha256(NULL, path, d, &size);

	if (st != EFIKEXEC_SUCCESS)
		return st;
	for (int i = 0; i < 32; i++)
		rt_snprintf(hex + 2 * i, 3, "%02x", d[i]);
	print("sha256 %s size %llu path %s\n", hex, (unsigned long long)size, path);
	return EFIKEXEC_SUCCESS;
}

static efikexec_status capture_status(void)
{
	struct efikexec_capture_state s = { .struct_size = sizeof(s) };
	efikexec_status st = efikexec_capture_status(&s);

	if (st != EFIKEXEC_SUCCESS)
		return st;
	if (!s.armed) {
		print("capture: not armed; newest crash record: %s\n", s.record[0] ? s.record : "none");
		return EFIKEXEC_SUCCESS;
	}
	print("capture: armed, region [%#llx, %#llx) %llu MiB, at %llu (seconds since 1970)\n",
	      (unsigned long long)s.base, (unsigned long long)s.end,
	      (unsigned long long)((s.end - s.base) >> 20), (unsigned long long)s.armed_at);
	if (!s.checked)
		print("capture: the region is not RAM in this boot: not checked\n");
	else if (s.intact)
		print("capture: region intact, capture kernel %s\n", s.kernel);
	else
		print("capture: region overwritten: %s\n", s.why);
	if (s.crashed)
		print("capture: crashed since arming: %s\n", s.record);
	else
		print("capture: no crash since arming\n");
	return EFIKEXEC_SUCCESS;
}

static efikexec_status capture_disarm(void)
{
	uint64_t base, end;

	if (efikexec_capture_disarm(&base, &end) == EFIKEXEC_NOT_FOUND) {
		print("capture: nothing armed\n");
		return EFIKEXEC_SUCCESS;
	}
	print("capture: disarmed the region [%#llx, %#llx)\n", (unsigned long long)base,
	      (unsigned long long)end);
	return EFIKEXEC_SUCCESS;
}

static EFI_SYSTEM_TABLE *systab;
static void *parent_initrd;  /* a parent loader's LoadFile2 initrd (pool) */
static uint64_t parent_initrd_size;

/* The boot options as one request: files on efikexec's own volume. A
 * parent loader's LoadFile2 initrd comes first, as the kernel's EFI stub
 * takes it; the leading initrd= arguments then name that same initrd
 * (systemd-boot passes both) and are not read again. */
static efikexec_status build(struct efikexec *r, const struct efikexec_opts *o)
{
	static char cmdline[EFIKEXEC_MAX_CMDLINE + 2];
	struct efikexec_input in = EFIKEXEC_INPUT_FILE(NULL, o->kernel);
	struct efikexec_input cap_initrd[OPT_MAX_INITRDS];
	efikexec_status st;
	size_t len;

	if ((st = efikexec_add_kernel(r, &in)))
		return st;
	if (!o->nmodule && read_parent_initrd(systab, &parent_initrd, &parent_initrd_size)) {
		struct efikexec_input pi = EFIKEXEC_INPUT_BUFFER(parent_initrd, parent_initrd_size,
								 "the parent loader's initrd (LoadFile2)");
		if ((st = efikexec_add_initrd(r, &pi)))
			return st;
	} else {
		for (unsigned i = 0; i < o->nlead_initrd; i++) {
			struct efikexec_input ii = EFIKEXEC_INPUT_FILE(NULL, o->lead_initrd[i]);
			if ((st = efikexec_add_initrd(r, &ii)))
				return st;
		}
	}
	for (unsigned i = 0; i < o->ninitrd; i++) {
		struct efikexec_input ii = EFIKEXEC_INPUT_FILE(NULL, o->initrd[i]);
		if ((st = efikexec_add_initrd(r, &ii)))
			return st;
	}
	for (unsigned i = 0; i < o->nmodule; i++) {
		struct efikexec_input mi = EFIKEXEC_INPUT_FILE(NULL, o->module[i]);
		if ((st = efikexec_add_module(r, &mi, o->module_args[i])))
			return st;
	}
	len = options_kernel_cmdline(o, cmdline, sizeof(cmdline));
	if (len >= sizeof(cmdline) - 1)
		return fail(EFIKEXEC_BAD_BUFFER_SIZE, "boot", "%s: a command line of %zu bytes, more than the limit of %u",
			    o->kernel, len, EFIKEXEC_MAX_CMDLINE);
	if ((st = efikexec_set_cmdline(r, len ? cmdline : NULL)))
		return st;
	if (o->dtb) {
		struct efikexec_input d = EFIKEXEC_INPUT_FILE(NULL, o->dtb);
		if ((st = efikexec_set_dtb(r, &d)))
			return st;
	}
	if ((st = efikexec_set_verify(r, o->no_verify ? EFIKEXEC_VERIFY_OFF : o->verify_sha256 ? EFIKEXEC_VERIFY_SHA256 : EFIKEXEC_VERIFY_ON)) ||
	    (st = efikexec_set_mem_range(r, o->mem_min, o->mem_max)) ||
	    (o->direct_entry && (st = efikexec_set_entry(r, EFIKEXEC_ENTRY_DIRECT))))
		return st;
	if (o->capture_kernel) {
		struct efikexec_capture c = {
			.struct_size = sizeof(c), .ninitrd = o->ncapture_initrd,
			.kernel = EFIKEXEC_INPUT_FILE(NULL, o->capture_kernel), .initrd = cap_initrd,
			.cmdline = o->capture_append, .size = o->capture_size, .addr = o->capture_addr,
		};
		for (unsigned i = 0; i < o->ncapture_initrd; i++)
			cap_initrd[i] = (struct efikexec_input)EFIKEXEC_INPUT_FILE(NULL, o->capture_initrd[i]);
		if ((st = efikexec_set_capture(r, &c)))
			return st;
	}
	if (o->test_occupy || o->test_corrupt >= 0 || o->test_corrupt_capture || o->test_net_keep_nothing)
		st = efikexec_set_test(r, (o->test_occupy ? EFIKEXEC_TEST_OCCUPY : 0) |
					       (o->test_corrupt_capture ? EFIKEXEC_TEST_CORRUPT_CAPTURE : 0) |
					       (o->test_net_keep_nothing ? EFIKEXEC_TEST_NET_KEEP_NOTHING : 0),
				       o->test_corrupt);
	return st;
}

static efikexec_status do_boot(const struct efikexec_opts *o)
{
	struct efikexec *r;
	efikexec_status st = efikexec_request_new(&r);

	if (st)
		return st;
	st = build(r, o);
	if (!st && o->dry_run) {
		st = efikexec_plan(r);
		if (!st)
			st = efikexec_plan_print(r);
	} else if (!st) {
		st = efikexec_boot(r); /* returns only on a failure */
	}
	efikexec_release(r);
	if (parent_initrd) {
		systab->BootServices->FreePool(parent_initrd);
		parent_initrd = NULL;
	}
	return st;
}

#ifdef EFIKEXEC_TEST_HOOKS
/*
 * --test-bench-fetch=URL (bench/net-fetch.sh): the same file fetched by
 * efikexec (efikexec_fetch: EFI_HTTP_PROTOCOL) and by the firmware's own
 * HTTP boot (LoadFile on the NIC's HTTP boot child, given a Uri() path:
 * first for the size, then into pages), each timed by the CPU's counter.
 */
static void bench_quiet(void *ctx, int level, const char *subsystem, const char *message)
{
}

static efikexec_status bench_fetch(const char *url)
{
	static EFI_GUID lf_guid = LOAD_FILE_PROTOCOL, dp_guid = DEVICE_PATH_PROTOCOL;
	static uint8_t dp[4 + 1024 + 4];
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	EFI_HANDLE *hs = NULL;
	EFI_LOAD_FILE_INTERFACE *lf = NULL;
	EFI_PHYSICAL_ADDRESS a = 0;
	UINTN n = 0, size = 0, len = RT_FN(strlen)(url);
	uint64_t t0, t1, t2, ts, bytes;
	void *buf;
	efikexec_status s;
	EFI_STATUS st;

	/* the NIC's address first (the firmware's HTTP boot of the round
	 * before may have dropped it): a fetch refused at its Content-Length,
	 * said nowhere, so both sides are timed from a configured NIC on */
	efikexec_set_log(bench_quiet, NULL, EFIKEXEC_LOG_INFO);
	efikexec_fetch(url, 1, &buf, &bytes);
	efikexec_set_log(NULL, NULL, EFIKEXEC_LOG_INFO);
	t0 = efikexec_counter();
	s = efikexec_fetch(url, 1ull << 32, &buf, &bytes);
	t1 = efikexec_counter();
	if (s)
		return s;
	efikexec_fetch_free(buf, bytes);
	/* the HTTP boot child: a LoadFile handle whose path ends in Uri() */
	if (bs->LocateHandleBuffer(ByProtocol, &lf_guid, NULL, &n, &hs) == EFI_SUCCESS) {
		for (UINTN i = 0; i < n && !lf; i++) {
			const uint8_t *p, *last = NULL;
			if (bs->HandleProtocol(hs[i], &dp_guid, (void **)&p) != EFI_SUCCESS)
				continue;
			bool v4 = false;
			for (; p[0] != 0x7f; p += p[2] | p[3] << 8) {
				last = p;
				v4 |= p[0] == 3 && p[1] == 12;
			}
			if (v4 && last && last[0] == 3 && last[1] == 24)
				bs->HandleProtocol(hs[i], &lf_guid, (void **)&lf);
		}
		bs->FreePool(hs);
	}
	if (!lf || len > 1024)
		return fail(EFIKEXEC_NOT_FOUND, "bench", "no HTTP boot child with an IPv4 path to compare with");
	dp[0] = 3, dp[1] = 24, dp[2] = (uint8_t)(4 + len), dp[3] = (uint8_t)((4 + len) >> 8);
	RT_FN(memcpy)(dp + 4, url, len);
	dp[4 + len] = 0x7f, dp[5 + len] = 0xff, dp[6 + len] = 4, dp[7 + len] = 0;
	st = lf->LoadFile(lf, (EFI_DEVICE_PATH *)dp, TRUE, &size, NULL);
	ts = efikexec_counter();
	if (st == EFI_BUFFER_TOO_SMALL &&
	    (st = bs->AllocatePages(AllocateAnyPages, EfiLoaderData, (size + 4095) / 4096, &a)) == EFI_SUCCESS) {
		st = lf->LoadFile(lf, (EFI_DEVICE_PATH *)dp, TRUE, &size, (void *)(uintptr_t)a);
		bs->FreePages(a, (size + 4095) / 4096);
	}
	t2 = efikexec_counter();
	if (st != EFI_SUCCESS)
		return fail(st, "bench", "the firmware's LoadFile of %s (status %#llx, size %llu)", url,
			    (unsigned long long)st, (unsigned long long)size);
	/* (a newline first: the firmware's progress line has none) */
	print("\nbench-net: efikexec %llu bytes in %llu us; firmware LoadFile %llu bytes in %llu us, %llu us of it for the size (DHCP, HEAD)\n",
	      (unsigned long long)bytes, (unsigned long long)efikexec_counter_usec(t1 - t0),
	      (unsigned long long)size, (unsigned long long)efikexec_counter_usec(t2 - t1),
	      (unsigned long long)efikexec_counter_usec(ts - t1));
	return EFIKEXEC_SUCCESS;
}
#endif

static efikexec_status act(const struct efikexec_opts *o)
{
	switch (o->action) {
	case ACTION_VERSION:
		print("efikexec %s\n", efikexec_version());
		return EFIKEXEC_SUCCESS;
	case ACTION_SHA256:
		return do_sha256(o->sha256_path);
#ifdef EFIKEXEC_TEST_HOOKS
	case ACTION_BENCH_FETCH:
		return bench_fetch(o->sha256_path);
#endif
	case ACTION_MEMMAP:
		return efikexec_print_memmap();
	case ACTION_SELFTEST:
		return efikexec_selftest();
	case ACTION_BOOT:
		return do_boot(o);
	case ACTION_CAPTURE_STATUS:
		return capture_status();
	case ACTION_CAPTURE_DISARM:
		return capture_disarm();
	case ACTION_HELP:
	default:
		print("efikexec %s\n", efikexec_version());
		efikexec_print(options_usage);
		return EFIKEXEC_SUCCESS;
	}
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	static char line[4096], storage[4096 + CMDLINE_MAX_ARGS];
	static struct cmdline cl;
	EFI_LOADED_IMAGE *li;
	struct efikexec_opts o;
	EFI_STATUS s;

	stage_mark_start(); /* LoaderTimeInitUSec: as early as can be */
	systab = st;
	s = efikexec_init(image, st);
	if (EFI_ERROR(s))
		return s;
	rt_log_set_sink(front_sink);
	s = st->BootServices->HandleProtocol(image, &li_guid, (void **)&li);
	if (EFI_ERROR(s))
		return s;
	if (options_are_text(li->LoadOptions, li->LoadOptionsSize)) {
		size_t units = li->LoadOptionsSize / 2;
		size_t need = ucs2_to_utf8(li->LoadOptions, units, line, sizeof(line));
		if (need >= sizeof(line))
			return fail(EFI_BAD_BUFFER_SIZE, "options", "command line of %zu bytes, more than the limit of %zu",
				    need, sizeof(line) - 1);
	}
	if (cmdline_split(line, &cl, storage, sizeof(storage)) != RT_OK)
		return EFI_INVALID_PARAMETER;
	/* nothing asked (the firmware started it, or the shell with no
	 * arguments): the boot stage, configured from files (app/stage.c) */
	if (cl.argc <= (options_first_is_program(&cl) ? 1u : 0u))
		return stage_run(image, st, li);
	if (options_parse(&cl, options_first_is_program(&cl) ? 1 : 0, &o) != RT_OK)
		return EFI_INVALID_PARAMETER;
	/* A boot says one line (efi/kexec.c say_entering) and what went
	 * wrong; the plan is -v away, and what --dry-run is for. */
	if (o.quiet)
		efikexec_set_log(NULL, NULL, EFIKEXEC_LOG_ERROR);
	else if (o.verbose)
		efikexec_set_log(NULL, NULL, EFIKEXEC_LOG_DEBUG);
	else if (o.plan || o.dry_run || o.action != ACTION_BOOT)
		efikexec_set_log(NULL, NULL, EFIKEXEC_LOG_INFO);
	else
		efikexec_set_log(NULL, NULL, EFIKEXEC_LOG_NOTICE);
	if (o.test_fail_call && (s = efikexec_test_fail_call(o.test_fail_call, NULL)))
		return s;
	s = act(&o);
	if (o.test_fail_call) {
		/* what the fault test checks: nothing of efikexec's is left */
		int64_t pages = -1, pool = -1;
		efikexec_test_held(&pages, &pool);
		print("test: efikexec holds %lld pages and %lld pool blocks on return\n", (long long)pages,
		      (long long)pool);
	}
	return s;
}
