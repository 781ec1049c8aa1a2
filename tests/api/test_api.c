/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * test_api.c - include/efikexec.h at its edges, on the host (ASan and
 * UBSan), against tests/api/fakefw.c: NULL pointers, zero sizes, buffers
 * that are not page-aligned or shorter than their header says, more than
 * 16 initrds, a struct_size too small, calls in the wrong order, boot and
 * release twice. Each must give a clear status and a message naming the
 * value, never a crash, and leave no pool or pages behind.
 */
#include "../../include/efikexec.h"
#include "../unit/test.h"
#include "fakefw.h"

static char lines[8192];

static void EFIKEXEC_API capture(void *ctx, int level, const char *subsystem, const char *message)
{
	size_t n = strlen(lines);

	(void)ctx;
	snprintf(lines + n, sizeof(lines) - n, "%d %s: %s\n", level, subsystem, message);
}

static void fresh(void)
{
	void *st = fakefw_init();

	lines[0] = 0;
	CHECK_EQ_U64(efikexec_init(fakefw.image, st), EFIKEXEC_SUCCESS);
	efikexec_set_log(capture, NULL, EFIKEXEC_LOG_INFO);
}

/* No pool or pages left behind. */
static void nothing_held(void)
{
	CHECK_EQ_U64(fakefw.pool_live, 0);
	CHECK_EQ_U64(fakefw.pages_live, 0);
}

/* A bzImage of 4 sectors of setup and `payload` bytes of kernel whose
 * header claims `syssize` paragraphs (tests/unit/test.h). */
static uint8_t *bzimage(size_t payload, uint32_t syssize, size_t *len)
{
	size_t n = 4 * 512 + payload;
	uint8_t *b = calloc(1, n);

	test_bzimage_header(b, 3, (uint32_t)payload, 0x400000);
	w32(b, 0x1f4, syssize);
	*len = n;
	return b;
}

TEST(api_init_checks_its_arguments)
{
	/* no firmware given: nothing is touched, the status says why */
	fakefw_init();
	CHECK_EQ_U64(efikexec_init(NULL, NULL), EFIKEXEC_INVALID_PARAMETER);
}

TEST(api_null_pointers)
{
	struct efikexec *r;
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER("x", 1, "x");
	struct efikexec_plan p = { .struct_size = sizeof(p) };
	struct efikexec_segment s = { .struct_size = sizeof(s) };

	fresh();
	CHECK_EQ_U64(efikexec_request_new(NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "efikexec_request_new: out is NULL");
	CHECK_EQ_U64(efikexec_add_kernel(NULL, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "efikexec_add_kernel: the request is NULL");
	CHECK_EQ_U64(efikexec_boot(NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_release(NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_plan_get(NULL, &p), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "the input is NULL");
	CHECK_EQ_U64(efikexec_add_initrd(r, NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_set_capture(r, NULL), EFIKEXEC_SUCCESS); /* NULL: none */
	CHECK_EQ_U64(efikexec_set_dtb(r, NULL), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_set_cmdline(r, NULL), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_capture_status(NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_file_sha256(NULL, NULL, NULL, NULL), EFIKEXEC_INVALID_PARAMETER);
	/* a buffer input with neither buffer nor path */
	in = (struct efikexec_input)EFIKEXEC_INPUT_BUFFER(NULL, 0, NULL);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "neither a buffer nor a path");
	/* the plan's data before a plan */
	CHECK_EQ_U64(efikexec_plan_get(r, &p), EFIKEXEC_NOT_READY);
	CHECK_EQ_U64(efikexec_plan_segment(r, 0, &s), EFIKEXEC_NOT_READY);
	CHECK_EQ_U64(efikexec_plan_get(r, NULL), EFIKEXEC_NOT_READY);
	/* planning with no kernel */
	CHECK_EQ_U64(efikexec_plan(r), EFIKEXEC_NOT_READY);
	CHECK_CONTAINS(efikexec_last_error(), "no kernel added");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
}

TEST(api_zero_sizes_and_struct_sizes)
{
	struct efikexec *r;
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER("abc", 0, "empty.img");
	struct efikexec_capture c = { .struct_size = 8 };

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_BAD_BUFFER_SIZE);
	CHECK_CONTAINS(efikexec_last_error(), "empty.img: a buffer of 0 bytes");
	CHECK_EQ_U64(efikexec_add_initrd(r, &in), EFIKEXEC_BAD_BUFFER_SIZE);
	in = (struct efikexec_input)EFIKEXEC_INPUT_BUFFER("abc", 3, "x");
	in.struct_size = 4;
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "struct_size 4, less than");
	in.struct_size = sizeof(in);
	in.flags = 0x80;
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "flags 0x80");
	CHECK_EQ_U64(efikexec_set_capture(r, &c), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "struct_size 8");
	c = (struct efikexec_capture){ .struct_size = sizeof(c), .kernel = EFIKEXEC_INPUT_FILE(NULL, "\\k") };
	CHECK_EQ_U64(efikexec_set_capture(r, &c), EFIKEXEC_INVALID_PARAMETER); /* size 0 */
	CHECK_CONTAINS(efikexec_last_error(), "the size must be a non-zero multiple of 4 KiB");
	CHECK_EQ_U64(efikexec_set_mem_range(r, 0x2000, 0x1000), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "max 0x1000 is not above min 0x2000");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
}

TEST(api_more_than_16_initrds)
{
	static const char data[] = "an initrd";
	struct efikexec *r;

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	for (int i = 0; i < EFIKEXEC_MAX_INITRDS; i++) {
		struct efikexec_input in = EFIKEXEC_INPUT_BUFFER(data, sizeof(data), "initrd");
		CHECK_EQ_U64(efikexec_add_initrd(r, &in), EFIKEXEC_SUCCESS);
	}
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER(data, sizeof(data), "seventeenth.img");
	CHECK_EQ_U64(efikexec_add_initrd(r, &in), EFIKEXEC_OUT_OF_RESOURCES);
	CHECK_CONTAINS(efikexec_last_error(), "seventeenth.img: more than 16 initrds");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
}

/* Modules and initrds do not mix, in either order; the seventeenth module
 * is refused like the seventeenth initrd; a module's command line is
 * checked against the limit. */
TEST(api_modules_or_initrds)
{
	static const char data[] = "a module";
	static char long_args[EFIKEXEC_MAX_CMDLINE + 2];
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER(data, sizeof(data), "dom0.img");
	struct efikexec_input rd = EFIKEXEC_INPUT_BUFFER(data, sizeof(data), "initrd.img");
	struct efikexec *r;

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_module(r, &in, "console=hvc0"), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_initrd(r, &rd), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "initrd.img: the request has Multiboot2 modules already (dom0.img)");
	for (int i = 1; i < EFIKEXEC_MAX_INITRDS; i++)
		CHECK_EQ_U64(efikexec_add_module(r, &in, NULL), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_module(r, &in, NULL), EFIKEXEC_OUT_OF_RESOURCES);
	CHECK_CONTAINS(efikexec_last_error(), "dom0.img: more than 16 modules");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);

	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_initrd(r, &rd), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_module(r, &in, NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "dom0.img: the request has initrds already (initrd.img)");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);

	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	memset(long_args, 'x', sizeof(long_args) - 1);
	CHECK_EQ_U64(efikexec_add_module(r, &in, long_args), EFIKEXEC_BAD_BUFFER_SIZE);
	CHECK_CONTAINS(efikexec_last_error(), "efikexec_add_module: a command line longer than 4095 bytes");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
}

/* URL inputs: refused before any firmware call when they are no URL, and
 * the fetch calls check their arguments; nothing is held after. */
TEST(api_url_inputs)
{
	struct efikexec *r;
	struct efikexec_input in = EFIKEXEC_INPUT_URL("http:///vmlinuz");
	struct efikexec_net n = { .struct_size = 4 };
	void *buf;
	uint64_t size;

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "efikexec_add_kernel: http:///vmlinuz: no host");
	in.path = "http://h/initrd.img#sha256=abcd";
	CHECK_EQ_U64(efikexec_add_initrd(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "#sha256=abcd: 4 hex digits, expected 64");
	in.path = "\\EFI\\vmlinuz";
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "not a URL efikexec fetches");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_fetch("tftp://10.0.2.2/", 1 << 20, &buf, &size), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "tftp://10.0.2.2/: no file named");
	CHECK_EQ_U64(efikexec_fetch(NULL, 1, &buf, &size), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_net_info(&n), EFIKEXEC_INVALID_PARAMETER);
	nothing_held();
}

TEST(api_unaligned_buffer_is_only_read)
{
	struct efikexec *r;
	size_t len;
	uint8_t *k = bzimage(64 << 10, (64 << 10) / 16, &len);
	uint8_t *odd = malloc(len + 1), *copy = malloc(len);
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER(odd + 1, len, "odd.img");

	memcpy(odd + 1, k, len);
	memcpy(copy, k, len);
	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	/* handing over a buffer that does not start a page is refused */
	in.flags = EFIKEXEC_INPUT_HANDOVER;
	CHECK_EQ_U64(efikexec_add_initrd(r, &in), EFIKEXEC_UNSUPPORTED);
	CHECK_EQ_U64(efikexec_set_cmdline(r, "console=ttyS0"), EFIKEXEC_SUCCESS);
	/* the checks purgatory knows, and no other */
	CHECK_EQ_U64(efikexec_set_verify(r, 3), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "3 is none of EFIKEXEC_VERIFY_OFF, _ON, _SHA256");
	CHECK_EQ_U64(efikexec_set_verify(r, EFIKEXEC_VERIFY_SHA256), EFIKEXEC_SUCCESS);
	/* the two entries of a bzImage, and no other */
	CHECK_EQ_U64(efikexec_set_entry(r, 2), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "2 is neither EFIKEXEC_ENTRY_LEGACY nor _DIRECT");
	CHECK_EQ_U64(efikexec_set_entry(r, EFIKEXEC_ENTRY_LEGACY), EFIKEXEC_SUCCESS);
	/* the plan reads it (through the loader table) and places it; this
	 * firmware grants no address, so every page is staged in its pool */
	CHECK_EQ_U64(efikexec_plan(r), EFIKEXEC_SUCCESS);
	struct efikexec_plan p = { .struct_size = sizeof(p) };
	CHECK_EQ_U64(efikexec_plan_get(r, &p), EFIKEXEC_SUCCESS);
	CHECK(p.nsegments >= 3);
	CHECK_EQ_U64(p.verify, EFIKEXEC_VERIFY_SHA256);
	CHECK_CONTAINS(p.image, "odd.img: bzImage");
	struct efikexec_segment s = { .struct_size = sizeof(s) };
	CHECK_EQ_U64(efikexec_plan_segment(r, 0, &s), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(s.role, EFIKEXEC_SEG_KERNEL);
	CHECK_CONTAINS(s.source, "odd.img+0x800");
	CHECK_EQ_U64(efikexec_plan_segment(r, p.nsegments, &s), EFIKEXEC_INVALID_PARAMETER);
	/* an older caller's smaller struct gets only what it knows */
	struct efikexec_segment small = { .struct_size = 8 };
	CHECK_EQ_U64(efikexec_plan_segment(r, 0, &small), EFIKEXEC_INVALID_PARAMETER);
	/* inputs are fixed once planned */
	CHECK_EQ_U64(efikexec_set_verify(r, 0), EFIKEXEC_ACCESS_DENIED);
	CHECK_CONTAINS(efikexec_last_error(), "the request is planned");
	/* the boot fails before the exit (this firmware enters nothing) ... */
	CHECK(efikexec_boot(r) != EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(fakefw.prepare_calls, 1);
	CHECK_EQ_U64(fakefw.exit_calls, 0);
	/* ... and a second boot is refused */
	CHECK_EQ_U64(efikexec_boot(r), EFIKEXEC_ALREADY_STARTED);
	CHECK_CONTAINS(efikexec_last_error(), "booted already");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
	CHECK(!memcmp(odd + 1, copy, len)); /* never written */
	free(k);
	free(odd);
	free(copy);
}

TEST(api_buffer_shorter_than_its_header)
{
	struct efikexec *r;
	size_t len;
	/* 4 KiB of kernel after the setup, the header claiming 64 KiB */
	uint8_t *k = bzimage(4 << 10, (64 << 10) / 16, &len);
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER(k, len, "short.img");

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	CHECK(efikexec_plan(r) != EFIKEXEC_SUCCESS);
	CHECK_CONTAINS(lines, "short.img: truncated: 6144 bytes, the header declares 2048 of setup and 65536 of kernel");
	nothing_held();
	/* the plan failed whole: the request is as before it, and booting it
	 * fails the same way, once */
	CHECK(efikexec_boot(r) != EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_boot(r), EFIKEXEC_ALREADY_STARTED);
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
	free(k);
}

TEST(api_release_twice_and_one_request_at_a_time)
{
	struct efikexec *r, *r2;

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_request_new(&r2), EFIKEXEC_ALREADY_STARTED);
	CHECK_CONTAINS(efikexec_last_error(), "a request is live already");
	CHECK(r2 == NULL);
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "is not a live request (released already");
	struct efikexec_input in = EFIKEXEC_INPUT_FILE(NULL, "\\vmlinuz");
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_boot(r), EFIKEXEC_INVALID_PARAMETER);
	/* a pointer that never was a request */
	CHECK_EQ_U64(efikexec_release((struct efikexec *)&in), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_request_new(&r2), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_release(r2), EFIKEXEC_SUCCESS);
	nothing_held();
}

TEST(api_paths_and_strings_are_checked_and_copied)
{
	struct efikexec *r;
	char path[400], *cmdline = malloc(5000);

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	struct efikexec_input in = EFIKEXEC_INPUT_FILE(NULL, path);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_BAD_BUFFER_SIZE);
	CHECK_CONTAINS(efikexec_last_error(), "longer than 255 bytes");
	memset(cmdline, 'c', 4999);
	cmdline[4999] = 0;
	CHECK_EQ_U64(efikexec_set_cmdline(r, cmdline), EFIKEXEC_BAD_BUFFER_SIZE);
	CHECK_CONTAINS(efikexec_last_error(), "longer than 4095 bytes");
	/* a file on a volume this firmware does not have */
	strcpy(path, "\\vmlinuz");
	in = (struct efikexec_input)EFIKEXEC_INPUT_FILE(NULL, path);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	memset(path, 0, sizeof(path)); /* copied when given */
	CHECK(efikexec_plan(r) != EFIKEXEC_SUCCESS);
	CHECK_CONTAINS(lines, "has no file system");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
	free(cmdline);
}

TEST(api_test_hooks_absent_from_release_builds)
{
	struct efikexec *r;
	uint32_t n;

	fresh();
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_set_test(r, EFIKEXEC_TEST_OCCUPY, -1), EFIKEXEC_UNSUPPORTED);
	CHECK_EQ_U64(efikexec_test_fail_call(1, &n), EFIKEXEC_UNSUPPORTED);
	int64_t pages, pool;
	CHECK_EQ_U64(efikexec_test_held(&pages, &pool), EFIKEXEC_UNSUPPORTED);
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	CHECK_STR(efikexec_status_name(EFIKEXEC_ALREADY_STARTED), "EFI_ALREADY_STARTED");
	CHECK_STR(efikexec_version(), EFIKEXEC_VERSION_TEST);
}

/* Secure Boot on: a kernel that cannot carry a signature is refused with
 * why, and the verifier is never asked; a PE image the firmware refuses
 * is refused with the reason efikexec finds (no certificate table here);
 * both leave nothing behind. */
TEST(api_secure_boot_refuses_and_says_why)
{
	struct efikexec *r;
	size_t len;
	uint8_t *k = bzimage(64 << 10, (64 << 10) / 16, &len);
	struct efikexec_input in = EFIKEXEC_INPUT_BUFFER(k, len, "plain.img");

	fresh();
	fakefw.secure_boot = 1;
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_plan(r), EFIKEXEC_SECURITY_VIOLATION);
	CHECK_CONTAINS(lines, "plain.img: a bzImage without an EFI stub cannot carry a signature, and Secure Boot is on");
	CHECK_EQ_U64(fakefw.load_image_calls, 0);
	nothing_held();
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);

	/* the same with an MZ header and a PE32+ optional header, unsigned */
	k[0] = 'M';
	k[1] = 'Z';
	w32(k, 0x3c, 0x80);
	memcpy(k + 0x80, "PE\0\0", 4);
	w16(k, 0x84, 0x8664);
	w16(k, 0x94, 240);
	w16(k, 0x98, 0x20b);
	w32(k, 0x98 + 60, 0x200);
	w32(k, 0x98 + 108, 16);
	in.path = "pe.img";
	lines[0] = 0;
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_plan(r), EFIKEXEC_SECURITY_VIOLATION);
	CHECK_CONTAINS(lines, "pe.img: not signed (the firmware says EFI_ACCESS_DENIED); refused");
	CHECK_EQ_U64(fakefw.load_image_calls, 1);
	CHECK(efikexec_boot(r) != EFIKEXEC_SUCCESS); /* boot plans again: refused again */
	CHECK_EQ_U64(fakefw.prepare_calls, 0);
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();

	/* a device tree from a file is refused under Secure Boot */
	struct efikexec_input dtb = EFIKEXEC_INPUT_FILE(NULL, "\\virt.dtb");
	lines[0] = 0;
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_set_dtb(r, &dtb), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_plan(r), EFIKEXEC_SECURITY_VIOLATION);
	CHECK_CONTAINS(lines, "device tree \\virt.dtb: Secure Boot is on");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();

	/* so are modules: nothing verifies them */
	struct efikexec_input mod = EFIKEXEC_INPUT_BUFFER(k, 4096, "dom0.img");
	lines[0] = 0;
	CHECK_EQ_U64(efikexec_request_new(&r), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_kernel(r, &in), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_add_module(r, &mod, "console=hvc0"), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_plan(r), EFIKEXEC_SECURITY_VIOLATION);
	CHECK_CONTAINS(lines, "module dom0.img: Secure Boot is on, and modules (a dom0 kernel among them) are not verified; refused");
	CHECK_EQ_U64(efikexec_release(r), EFIKEXEC_SUCCESS);
	nothing_held();
	free(k);
}

/* The plain helpers the boot stage uses (a UKI's sections for its menu
 * title; the counter for the Boot Loader Interface's timestamps). */
TEST(api_pe_section_and_counter)
{
	const struct test_section s[] = { { ".osrel", "ID=x\n", 5 }, { ".cmdline", "quiet", 5 },
					  { ".linux", "MZ", 2 } };
	uint64_t off = 0, size = 0, a, b;
	size_t n;
	uint8_t *pe = test_pe(s, 3, &n);

	fresh();
	CHECK_EQ_U64(efikexec_pe_section(pe, n, ".cmdline", &off, &size), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(size, 5);
	CHECK(off + size <= n && !memcmp(pe + off, "quiet", 5));
	CHECK_EQ_U64(efikexec_pe_section(pe, n, ".osrel", &off, &size), EFIKEXEC_SUCCESS);
	CHECK(!memcmp(pe + off, "ID=x\n", 5));
	CHECK_EQ_U64(efikexec_pe_section(pe, n, ".initrd", &off, &size), EFIKEXEC_NOT_FOUND);
	/* headers cut short, not a PE file, NULLs */
	CHECK_EQ_U64(efikexec_pe_section(pe, 0x100, ".linux", &off, &size), EFIKEXEC_LOAD_ERROR);
	CHECK(efikexec_last_error()[0] != 0);
	CHECK_EQ_U64(efikexec_pe_section("ELF", 3, ".linux", &off, &size), EFIKEXEC_LOAD_ERROR);
	CHECK_EQ_U64(efikexec_pe_section(NULL, n, ".linux", &off, &size), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_pe_section(pe, n, NULL, &off, &size), EFIKEXEC_INVALID_PARAMETER);
	free(pe);
	/* a UKI's profiles: profile 1's own .cmdline, the base's .osrel */
	{
		const struct test_section u[] = { { ".osrel", "ID=x\n", 5 }, { ".cmdline", "base", 4 },
						  { ".linux", "MZ", 2 }, { ".profile", "ID=a", 4 },
						  { ".profile", "ID=b", 4 }, { ".cmdline", "rescue", 6 } };
		uint8_t *uk = test_pe(u, 6, &n);
		CHECK_EQ_U64(efikexec_uki_section(uk, n, 1, ".cmdline", &off, &size), EFIKEXEC_SUCCESS);
		CHECK(size == 6 && !memcmp(uk + off, "rescue", 6));
		CHECK_EQ_U64(efikexec_uki_section(uk, n, 1, ".osrel", &off, &size), EFIKEXEC_SUCCESS);
		CHECK_EQ_U64(efikexec_uki_section(uk, n, 0, ".cmdline", &off, &size), EFIKEXEC_SUCCESS);
		CHECK(size == 4 && !memcmp(uk + off, "base", 4));
		CHECK_EQ_U64(efikexec_uki_section(uk, n, 2, ".profile", &off, &size), EFIKEXEC_NOT_FOUND);
		CHECK_EQ_U64(efikexec_uki_section(uk, n, 0, ".dtb", &off, &size), EFIKEXEC_NOT_FOUND);
		CHECK_EQ_U64(efikexec_uki_section(uk, n, 0, ".nosuch", &off, &size), EFIKEXEC_NOT_FOUND);
		CHECK_EQ_U64(efikexec_uki_section(uk, 0x40, 0, ".linux", &off, &size), EFIKEXEC_LOAD_ERROR);
		CHECK_EQ_U64(efikexec_uki_section(NULL, n, 0, ".linux", &off, &size), EFIKEXEC_INVALID_PARAMETER);
		free(uk);
	}
	/* the counter runs forward, and converts to microseconds */
	a = efikexec_counter();
	b = efikexec_counter();
	CHECK(b >= a);
	CHECK(efikexec_counter_usec(b) >= efikexec_counter_usec(a));
	nothing_held();
}

/* For efikexec_folder_list: the names seen, one line each. */
static void EFIKEXEC_API listed(void *ctx, const char *folder, const char *name, uint64_t size)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s|%s|%llu\n", folder, name, (unsigned long long)size);
}

TEST(api_files_on_a_volume)
{
	static const char conf[] = "title A\nlinux /vmlinuz\n", big[4096] = "x";
	void *vol = fakefs_volume(), *buf = (void *)1;
	struct efikexec_file_info i = { .struct_size = sizeof(i) };
	struct efikexec_file *f = NULL;
	uint64_t size = 0;
	char seen[512] = "", part[8];

	fresh();
	fakefs_reset();
	fakefs_add("\\loader\\entries\\a.conf", conf, sizeof(conf) - 1, sizeof(conf) - 1);
	fakefs_add("\\loader\\entries\\sub\\b.conf", conf, 4, 4);
	fakefs_add("\\loader\\entries\\c+3.conf", conf, 4, 4);
	fakefs_add("\\EFI\\Linux\\cut.efi", big, 100, 4096); /* claims more than it has */
	fakefs_add("\\big", big, sizeof(big), sizeof(big));

	/* info: a file, a folder, nothing (an answer, said nowhere) */
	CHECK_EQ_U64(efikexec_file_info(vol, "/loader/entries/A.CONF", &i), EFIKEXEC_SUCCESS);
	CHECK(i.kind == EFIKEXEC_FILE_REGULAR && i.size == sizeof(conf) - 1);
	CHECK_EQ_U64(efikexec_file_info(vol, "\\loader\\entries", &i), EFIKEXEC_SUCCESS);
	CHECK(i.kind == EFIKEXEC_FILE_FOLDER && i.size == 0);
	lines[0] = 0;
	CHECK_EQ_U64(efikexec_file_info(vol, "\\loader\\nosuch.conf", &i), EFIKEXEC_NOT_FOUND);
	CHECK_STR(lines, "");
	/* load: NUL-terminated, a limit, a folder, a truncated file, a URL */
	CHECK_EQ_U64(efikexec_file_load(vol, "\\loader\\entries\\a.conf", 1024, &buf, &size), EFIKEXEC_SUCCESS);
	CHECK(size == sizeof(conf) - 1 && !strcmp(buf, conf));
	CHECK_EQ_U64(efikexec_file_free(buf), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_file_load(vol, "\\big", 4095, &buf, &size), EFIKEXEC_BAD_BUFFER_SIZE);
	CHECK(buf == NULL);
	CHECK_CONTAINS(efikexec_last_error(), "\\big: 4096 bytes, more than the limit of 4095");
	CHECK_EQ_U64(efikexec_file_load(vol, "\\loader\\entries", 4096, &buf, &size), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "\\loader\\entries: is a directory");
	CHECK_EQ_U64(efikexec_file_load(vol, "\\EFI\\Linux\\cut.efi", 1 << 20, &buf, &size), EFIKEXEC_END_OF_FILE);
	CHECK_CONTAINS(efikexec_last_error(), "cut.efi: truncated: ends at 100, expected 4096 bytes");
	CHECK_EQ_U64(efikexec_file_load(vol, "http://10.0.2.2/x", 4096, &buf, &size), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "is a URL, not a file");
	CHECK_EQ_U64(efikexec_file_load(vol, NULL, 4096, &buf, &size), EFIKEXEC_INVALID_PARAMETER);
	/* the calling image's volume: fakefw's loaded image has none */
	CHECK_EQ_U64(efikexec_file_load(NULL, "a.conf", 4096, &buf, &size), EFIKEXEC_UNSUPPORTED);
	CHECK_CONTAINS(efikexec_last_error(), "the device efikexec was loaded from has no file system");
	/* an open file: reads at offsets, exactly or not at all */
	CHECK_EQ_U64(efikexec_file_open(vol, "\\EFI\\Linux\\cut.efi", &f, &size), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(size, 4096);
	CHECK_EQ_U64(efikexec_file_read(f, 1, part, 4), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_file_read(f, 96, part, 8), EFIKEXEC_END_OF_FILE);
	CHECK_EQ_U64(efikexec_file_read(f, 4090, part, 8), EFIKEXEC_END_OF_FILE);
	CHECK_CONTAINS(efikexec_last_error(), "read of 8 bytes at 4090 passes its end (4096 bytes)");
	CHECK_EQ_U64(efikexec_file_read(f, 0, NULL, 8), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_file_close(f), EFIKEXEC_SUCCESS);
	CHECK_EQ_U64(efikexec_file_read(NULL, 0, part, 1), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_file_close(NULL), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "is not an open efikexec_file");
	lines[0] = 0;
	CHECK_EQ_U64(efikexec_file_open(vol, "\\nosuch", &f, &size), EFIKEXEC_NOT_FOUND);
	CHECK(f == NULL);
	CHECK_STR(lines, "");
	/* a folder's files, not its sub-folders; a missing folder */
	CHECK_EQ_U64(efikexec_folder_list(vol, "/loader/entries", listed, seen), EFIKEXEC_SUCCESS);
	CHECK_STR(seen, "\\loader\\entries|a.conf|23\n\\loader\\entries|c+3.conf|4\n");
	CHECK_EQ_U64(efikexec_folder_list(vol, "\\nosuch", listed, seen), EFIKEXEC_NOT_FOUND);
	CHECK_EQ_U64(efikexec_folder_list(vol, "\\loader", NULL, seen), EFIKEXEC_INVALID_PARAMETER);
	/* rename: in its folder, flushed; names with a slash or empty refused */
	CHECK_EQ_U64(efikexec_file_rename(vol, "\\loader\\entries\\c+3.conf", "c+2-1.conf"), EFIKEXEC_SUCCESS);
	CHECK_STR(fakefs_name(2), "\\loader\\entries\\c+2-1.conf");
	CHECK_EQ_U64(fakefw.fs_flushes, 1);
	CHECK_EQ_U64(efikexec_file_rename(vol, "\\loader\\entries\\c+3.conf", "x.conf"), EFIKEXEC_NOT_FOUND);
	CHECK_EQ_U64(efikexec_file_rename(vol, "\\loader\\entries\\a.conf", "..\\a.conf"), EFIKEXEC_INVALID_PARAMETER);
	CHECK_CONTAINS(efikexec_last_error(), "is not a file name");
	CHECK_EQ_U64(efikexec_file_rename(vol, "\\loader\\entries\\a.conf", ""), EFIKEXEC_INVALID_PARAMETER);
	CHECK_EQ_U64(efikexec_file_rename(vol, "\\loader\\entries\\a.conf", "c+2-1.conf"), EFIKEXEC_ACCESS_DENIED);
	CHECK_CONTAINS(efikexec_last_error(), "a.conf: cannot rename it to c+2-1.conf");
	CHECK_STR(fakefs_name(0), "\\loader\\entries\\a.conf");
	/* every handle closed, every byte given back */
	CHECK_EQ_U64(fakefw.fs_live, 0);
	nothing_held();
}
