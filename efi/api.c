/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * api.c - libefikexec's public functions (include/efikexec.h) over the
 * engine (efi/kexec.h) and crash capture (efi/capture.h).
 *
 * A request is one static slot: the engine's plan is large and static, so
 * one request is live at a time, and a released request is told apart from
 * a live one by its magic - a second release is an error, never a crash.
 * Every argument is checked before anything is taken from the firmware;
 * every failure is logged (the last error line is kept for
 * efikexec_last_error) and returned as an EFI status.
 */
#include "efi.h"
#include "kexec.h"
#include "capture.h"
#include "trust.h"
#include "net.h"
#include "../lib/url.h"
#include "../arch/arch.h"
#include "../arch/counter.h"
#include "../boot/pe.h"
#include "../boot/uki.h"
#include "../lib/sha256.h"
#include "../include/efikexec.h"
#include "api-int.h"

#ifndef EFIKEXEC_VERSION
#error "the Makefile defines EFIKEXEC_VERSION"
#endif

/* The public statuses are the firmware's. */
_Static_assert(EFIKEXEC_INVALID_PARAMETER == EFI_INVALID_PARAMETER, "EFI_STATUS values");
_Static_assert(EFIKEXEC_ALREADY_STARTED == EFI_ALREADY_STARTED, "EFI_STATUS values");
_Static_assert(EFIKEXEC_ACCESS_DENIED == EFI_ACCESS_DENIED, "EFI_STATUS values");
_Static_assert(EFIKEXEC_SECURITY_VIOLATION == EFI_SECURITY_VIOLATION, "EFI_STATUS values");
_Static_assert(EFIKEXEC_MAX_INITRDS == BOOT_MAX_INITRD_FILES, "the plan has room for every initrd");
_Static_assert((int)EFIKEXEC_SEG_PURGATORY == (int)BOOT_SEG_PURGATORY &&
		       (int)EFIKEXEC_SEG_COREHDR == (int)BOOT_SEG_COREHDR &&
		       (int)EFIKEXEC_SEG_ROOM == (int)BOOT_SEG_ROOM,
	       "segment roles");
_Static_assert((int)EFIKEXEC_LOG_DEBUG == (int)RT_LOG_DEBUG && (int)EFIKEXEC_LOG_INFO == (int)RT_LOG_INFO &&
		       (int)EFIKEXEC_LOG_NOTICE == (int)RT_LOG_NOTE && (int)EFIKEXEC_LOG_ERROR == (int)RT_LOG_ERR,
	       "log levels");

EFI_HANDLE efi_image;
EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;
EFI_RUNTIME_SERVICES *efi_rs;
EFI_LOADED_IMAGE *efi_loaded_image;

/* The smallest struct_size of each struct a caller fills: its first version. */
#define INPUT_V1 (offsetof(struct efikexec_input, buf_size) + sizeof(uint64_t))
#define CAPTURE_V1 (offsetof(struct efikexec_capture, addr) + sizeof(uint64_t))
#define PATH_MAX 1024 /* URL_MAX: room for a URL */
#define FILE_PATH_MAX 256 /* a path on a volume, or a buffer's name */

/* --- logging ------------------------------------------------------------------------ */

static bool initialised;
static efikexec_log_fn user_log;
static void *user_log_ctx;
static int log_level = RT_LOG_INFO;
char api_last_error[API_ERROR_MAX];

static void api_sink(enum rt_log_level level, const char *subsys, const char *line)
{
	if (level == RT_LOG_ERR)
		rt_snprintf(api_last_error, sizeof(api_last_error), "%s: %s", subsys, line);
	if (user_log)
		user_log(user_log_ctx, (int)level, subsys, line);
	else
		efi_console_sink(level, subsys, line);
}

void EFIKEXEC_API efikexec_set_log(efikexec_log_fn fn, void *ctx, int max_level)
{
	user_log = fn;
	user_log_ctx = ctx;
	log_level = max_level < RT_LOG_ERR ? RT_LOG_ERR : max_level > RT_LOG_DEBUG ? RT_LOG_DEBUG : max_level;
	rt_log_set_level((enum rt_log_level)log_level);
}

void EFIKEXEC_API efikexec_log(int level, const char *subsystem, const char *message)
{
	if (level < RT_LOG_ERR)
		level = RT_LOG_ERR;
	if (level > RT_LOG_DEBUG)
		level = RT_LOG_DEBUG;
	if (initialised)
		rt_log((enum rt_log_level)level, subsystem ? subsystem : "", "%s", message ? message : "");
}

void EFIKEXEC_API efikexec_print(const char *text)
{
	if (initialised && text)
		efi_puts(text);
}

const char *EFIKEXEC_API efikexec_last_error(void)
{
	return api_last_error;
}

const char *EFIKEXEC_API efikexec_status_name(efikexec_status st)
{
	return efi_status_name((EFI_STATUS)st);
}

const char *EFIKEXEC_API efikexec_version(void)
{
	return EFIKEXEC_VERSION;
}

/* --- the library's state ------------------------------------------------------------ */

/* malloc for the decompressors (lib/heap.c). Large blocks (a
 * decompressor's window, a kernel decoded whole) are pages of their own,
 * remembered here: OVMF takes about 0.5 s to allocate 128 MiB from pool
 * under TCG, and milliseconds as pages (docs/DESIGN.md); past 8 at once,
 * pool. */
#define HEAP_PAGES_MIN (1u << 20)
static struct {
	void *p;
	uint64_t pages;
} heap_big[8];

static void *heap_alloc(size_t n)
{
	void *p = NULL;

	if (!efi_bs)
		return NULL;
	for (unsigned i = 0; n >= HEAP_PAGES_MIN && i < sizeof(heap_big) / sizeof(heap_big[0]); i++) {
		EFI_PHYSICAL_ADDRESS a;
		uint64_t pages = (n + 4095) / 4096;
		if (heap_big[i].p)
			continue;
		if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &a) != EFI_SUCCESS)
			return NULL;
		heap_big[i].p = (void *)(uintptr_t)a;
		heap_big[i].pages = pages;
		return heap_big[i].p;
	}
	return efi_bs->AllocatePool(EfiLoaderData, n, &p) == EFI_SUCCESS ? p : NULL;
}

static void heap_free(void *p)
{
	if (!efi_bs)
		return;
	for (unsigned i = 0; i < sizeof(heap_big) / sizeof(heap_big[0]); i++)
		if (heap_big[i].p && heap_big[i].p == p) {
			efi_bs->FreePages((uintptr_t)p, heap_big[i].pages);
			heap_big[i].p = NULL;
			return;
		}
	efi_bs->FreePool(p);
}

/* Interrupts held off (UEFI 2.10, 7.1: TPL_HIGH_LEVEL), for calls into
 * prebuilt libraries (lib/rt.h says why). */
static uintptr_t heap_quiet(void)
{
	return efi_bs ? efi_bs->RaiseTPL(TPL_HIGH_LEVEL) : 0;
}

static void heap_unquiet(uintptr_t old)
{
	if (efi_bs)
		efi_bs->RestoreTPL((EFI_TPL)old);
}

static unsigned depth;

/* Every public function runs between api_enter() and api_leave(): the arch's
 * per-call state (x86: the FS base that holds the stack canary the
 * prebuilt libraries read) is ours only meanwhile. */
EFI_STATUS api_enter(const char *fn)
{
	api_last_error[0] = '\0';
	if (!initialised) {
		rt_snprintf(api_last_error, sizeof(api_last_error), "api: %s before efikexec_init", fn);
		return EFI_NOT_READY;
	}
	if (!depth++)
		arch_init();
	return EFI_SUCCESS;
}

efikexec_status api_leave(EFI_STATUS st)
{
	if (!--depth)
		arch_fini();
	return st;
}

efikexec_status EFIKEXEC_API efikexec_init(void *image_handle, void *system_table)
{
	static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	EFI_SYSTEM_TABLE *st = system_table;
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS s;

	if (!image_handle || !st || !st->BootServices || !st->RuntimeServices)
		return EFI_INVALID_PARAMETER; /* nowhere to say it yet */
	s = st->BootServices->HandleProtocol(image_handle, &li_guid, (void **)&li);
	if (EFI_ERROR(s))
		return s;
	efi_image = image_handle;
	efi_st = st;
	efi_bs = st->BootServices;
	efi_rs = st->RuntimeServices;
	efi_loaded_image = li;
	efi_faults_install(); /* test builds */
	if (!initialised) {
		efi_console_init();
		rt_log_set_sink(api_sink);
		rt_log_set_level((enum rt_log_level)log_level);
		rt_heap_set(&(struct rt_heap){ heap_alloc, heap_free, heap_quiet, heap_unquiet });
	}
	initialised = true;
	return EFI_SUCCESS;
}

/* --- requests ------------------------------------------------------------------------- */

enum req_state { REQ_FREE, REQ_NEW, REQ_PLANNED, REQ_BOOTED };
#define REQ_MAGIC 0x7165526b4566454bull /* "KEfEkReq" */

struct efikexec {
	uint64_t magic;
	enum req_state state;
	struct boot_req req;
	struct boot_plan *bp;        /* the engine's plan while planned */
	/* copies of every string the caller gave */
	char kernel_path[PATH_MAX], dtb_path[PATH_MAX], cap_kernel_path[PATH_MAX];
	char initrd_path[EFIKEXEC_MAX_INITRDS][PATH_MAX];
	char cap_initrd_path[EFIKEXEC_MAX_INITRDS][PATH_MAX];
	char cmdline[EFIKEXEC_MAX_CMDLINE + 1], cap_cmdline[EFIKEXEC_MAX_CMDLINE + 1];
	char module_cmdline[EFIKEXEC_MAX_INITRDS][EFIKEXEC_MAX_CMDLINE + 1];
	/* kernels read whole to verify or measure them (efi/trust.h) */
	struct trust_req trust;
	/* handed-over pages (EFIKEXEC_INPUT_HANDOVER): efikexec's to free */
	uint64_t handover, handover_pages;
};

static struct efikexec slot;

static EFI_STATUS live(struct efikexec *r, const char *fn)
{
	if (!r)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: the request is NULL", fn);
	if (r != &slot || r->magic != REQ_MAGIC || r->state == REQ_FREE)
		return efi_fail(EFI_INVALID_PARAMETER, "api",
				"%s: %p is not a live request (released already, or never made by efikexec_request_new)",
				fn, (void *)r);
	return EFI_SUCCESS;
}

/* A request whose inputs may still change. */
static EFI_STATUS changeable(struct efikexec *r, const char *fn)
{
	EFI_STATUS st = live(r, fn);

	if (EFI_ERROR(st))
		return st;
	if (r->state != REQ_NEW)
		return efi_fail(EFI_ACCESS_DENIED, "api", "%s: the request is %s; inputs change only before efikexec_plan",
				fn, r->state == REQ_PLANNED ? "planned" : "booted already");
	return EFI_SUCCESS;
}


/* A call that changes request r's inputs. */
#define API_CHANGE(r, fn) API_WITH(fn, changeable(r, fn))

efikexec_status EFIKEXEC_API efikexec_request_new(struct efikexec **out)
{
	API("efikexec_request_new");
	if (!out)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_request_new: out is NULL"));
	*out = NULL;
	if (slot.magic == REQ_MAGIC && slot.state != REQ_FREE)
		return api_leave(efi_fail(EFI_ALREADY_STARTED, "api",
				      "efikexec_request_new: a request is live already (%s); release it first",
				      slot.req.kernel.path ? slot.kernel_path : "no kernel yet"));
	RT_FN(memset)(&slot, 0, sizeof(slot));
	slot.magic = REQ_MAGIC;
	slot.state = REQ_NEW;
	slot.req.verify = true;
	slot.req.test_corrupt = -1;
	*out = &slot;
	return api_leave(EFI_SUCCESS);
}

/* Checks an input and copies it (the path into `path`). */
static EFI_STATUS take_input(const char *fn, const struct efikexec_input *in, struct boot_input *to,
			     char *path, bool handover_ok)
{
	size_t len;

	if (!in)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: the input is NULL", fn);
	if (in->struct_size < INPUT_V1)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: struct_size %u, less than the %u of struct efikexec_input",
				fn, in->struct_size, (unsigned)INPUT_V1);
	if (in->flags & ~(EFIKEXEC_INPUT_HANDOVER | EFIKEXEC_INPUT_NET))
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: flags %#x, of which %#x unknown", fn,
				in->flags, in->flags & ~(EFIKEXEC_INPUT_HANDOVER | EFIKEXEC_INPUT_NET));
	if (in->flags & EFIKEXEC_INPUT_NET) {
		struct url u;
		char why[300];
		if (in->buf)
			return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: a URL input with a buffer", fn);
		if (url_parse(in->path, &u, why, sizeof(why)) != RT_OK)
			return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %s", fn, why);
	}
	if (!in->buf && (!in->path || !in->path[0]))
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: neither a buffer nor a path", fn);
	len = in->path ? RT_FN(strnlen)(in->path, PATH_MAX) : 0;
	bool url = in->path && url_is(in->path);
	size_t limit = url ? PATH_MAX : FILE_PATH_MAX;
	if (len >= limit)
		return efi_fail(EFI_BAD_BUFFER_SIZE, "api", "%s: a %s longer than %zu bytes", fn,
				url ? "URL" : "path or name", limit - 1);
	if (in->buf && !in->buf_size)
		return efi_fail(EFI_BAD_BUFFER_SIZE, "api", "%s: %s: a buffer of 0 bytes", fn,
				in->path ? in->path : "(buffer)");
	if (!in->buf && in->buf_size)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %s: buf_size %llu without a buffer", fn,
				in->path, (unsigned long long)in->buf_size);
	if (in->flags & EFIKEXEC_INPUT_HANDOVER) {
		if (!handover_ok)
			return efi_fail(EFI_UNSUPPORTED, "api", "%s: only a kernel can be handed over", fn);
		if (!in->buf || ((uintptr_t)in->buf & (KIMAGE_PAGE_SIZE - 1)))
			return efi_fail(EFI_INVALID_PARAMETER, "api",
					"%s: a handed-over buffer must start a page from AllocatePages, got %p",
					fn, in->buf);
	}
	rt_snprintf(path, PATH_MAX, "%s", in->path ? in->path : "(buffer)");
	*to = (struct boot_input){ path, in->buf || url_is(path) ? NULL : in->volume, in->buf,
				   in->buf ? in->buf_size : 0, !in->buf && !url_is(path) };
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_add_kernel(struct efikexec *r, const struct efikexec_input *in)
{
	EFI_STATUS st;

	API_CHANGE(r, "efikexec_add_kernel");
	if (r->req.kernel.path)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_add_kernel: the request has a kernel already (%s)",
				      r->kernel_path));
	st = take_input("efikexec_add_kernel", in, &r->req.kernel, r->kernel_path, true);
	if (EFI_ERROR(st))
		return api_leave(st);
	if (in->flags & EFIKEXEC_INPUT_HANDOVER) {
		r->handover = (uint64_t)(uintptr_t)in->buf;
		r->handover_pages = (in->buf_size + KIMAGE_PAGE_SIZE - 1) / KIMAGE_PAGE_SIZE;
		r->req.kernel_handover = true;
	}
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_add_initrd(struct efikexec *r, const struct efikexec_input *in)
{
	EFI_STATUS st;

	API_CHANGE(r, "efikexec_add_initrd");
	if (r->req.modules)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api",
				      "efikexec_add_initrd: %s: the request has Multiboot2 modules already (%s): a kernel takes modules or an initrd, not both",
				      in && in->struct_size >= INPUT_V1 && in->path ? in->path : "(buffer)",
				      r->initrd_path[0]));
	if (r->req.ninitrd == EFIKEXEC_MAX_INITRDS)
		return api_leave(efi_fail(EFI_OUT_OF_RESOURCES, "api", "efikexec_add_initrd: %s: more than %u initrds",
				      in && in->struct_size >= INPUT_V1 && in->path ? in->path : "(buffer)",
				      EFIKEXEC_MAX_INITRDS));
	st = take_input("efikexec_add_initrd", in, &r->req.initrd[r->req.ninitrd],
			r->initrd_path[r->req.ninitrd], false);
	if (!EFI_ERROR(st))
		r->req.ninitrd++;
	return api_leave(st);
}

static EFI_STATUS copy_cmdline(const char *fn, const char *s, char *to)
{
	size_t len = RT_FN(strnlen)(s, EFIKEXEC_MAX_CMDLINE + 1);

	if (len > EFIKEXEC_MAX_CMDLINE)
		return efi_fail(EFI_BAD_BUFFER_SIZE, "api", "%s: a command line longer than %u bytes", fn,
				EFIKEXEC_MAX_CMDLINE);
	RT_FN(memcpy)(to, s, len + 1);
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_add_module(struct efikexec *r, const struct efikexec_input *in,
						const char *cmdline)
{
	const char *name = in && in->struct_size >= INPUT_V1 && in->path ? in->path : "(buffer)";
	unsigned i;
	EFI_STATUS st;

	API_CHANGE(r, "efikexec_add_module");
	i = r->req.ninitrd;
	if (i && !r->req.modules)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api",
				      "efikexec_add_module: %s: the request has initrds already (%s): a kernel takes modules or an initrd, not both",
				      name, r->initrd_path[0]));
	if (i == EFIKEXEC_MAX_INITRDS)
		return api_leave(efi_fail(EFI_OUT_OF_RESOURCES, "api", "efikexec_add_module: %s: more than %u modules",
				      name, EFIKEXEC_MAX_INITRDS));
	st = copy_cmdline("efikexec_add_module", cmdline ? cmdline : "", r->module_cmdline[i]);
	if (!EFI_ERROR(st))
		st = take_input("efikexec_add_module", in, &r->req.initrd[i], r->initrd_path[i], false);
	if (!EFI_ERROR(st)) {
		r->req.module_args[i] = r->module_cmdline[i];
		r->req.modules = true;
		r->req.ninitrd++;
	}
	return api_leave(st);
}

efikexec_status EFIKEXEC_API efikexec_set_cmdline(struct efikexec *r, const char *cmdline)
{
	EFI_STATUS st;

	API_CHANGE(r, "efikexec_set_cmdline");
	if (!cmdline) {
		r->req.cmdline = NULL;
		return api_leave(EFI_SUCCESS);
	}
	st = copy_cmdline("efikexec_set_cmdline", cmdline, r->cmdline);
	if (!EFI_ERROR(st))
		r->req.cmdline = r->cmdline;
	return api_leave(st);
}

efikexec_status EFIKEXEC_API efikexec_set_dtb(struct efikexec *r, const struct efikexec_input *in)
{
	API_CHANGE(r, "efikexec_set_dtb");
	if (!in) {
		r->req.dtb = (struct boot_input){ 0 };
		return api_leave(EFI_SUCCESS);
	}
	return api_leave(take_input("efikexec_set_dtb", in, &r->req.dtb, r->dtb_path, false));
}

efikexec_status EFIKEXEC_API efikexec_set_verify(struct efikexec *r, int verify)
{
	API_CHANGE(r, "efikexec_set_verify");
	if (verify < EFIKEXEC_VERIFY_OFF || verify > EFIKEXEC_VERIFY_SHA256)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_set_verify: %d is none of EFIKEXEC_VERIFY_OFF, _ON, _SHA256",
				      verify));
	r->req.verify = verify != EFIKEXEC_VERIFY_OFF;
	r->req.verify_sha256 = verify == EFIKEXEC_VERIFY_SHA256;
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_set_entry(struct efikexec *r, int entry)
{
	API_CHANGE(r, "efikexec_set_entry");
	if (entry != EFIKEXEC_ENTRY_DIRECT && entry != EFIKEXEC_ENTRY_LEGACY)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api",
				      "efikexec_set_entry: %d is neither EFIKEXEC_ENTRY_LEGACY nor _DIRECT", entry));
	r->req.direct_entry = entry == EFIKEXEC_ENTRY_DIRECT;
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_set_mem_range(struct efikexec *r, uint64_t min, uint64_t max)
{
	API_CHANGE(r, "efikexec_set_mem_range");
	if (max && max <= min)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_set_mem_range: max %#llx is not above min %#llx",
				      (unsigned long long)max, (unsigned long long)min));
	r->req.mem_min = min;
	r->req.mem_max = max;
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_set_capture(struct efikexec *r, const struct efikexec_capture *c)
{
	const char *fn = "efikexec_set_capture";
	struct boot_req *q = &r->req;
	EFI_STATUS st;

	API_CHANGE(r, fn);
	if (!c) {
		q->cap_kernel = (struct boot_input){ 0 };
		q->ncap_initrd = 0;
		q->cap_size = q->cap_addr = 0;
		q->cap_cmdline = NULL;
		return api_leave(EFI_SUCCESS);
	}
	if (c->struct_size < CAPTURE_V1)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: struct_size %u, less than the %u of struct efikexec_capture",
				      fn, c->struct_size, (unsigned)CAPTURE_V1));
	if (!c->size || (c->size & (KIMAGE_PAGE_SIZE - 1)) || (c->addr & (KIMAGE_PAGE_SIZE - 1)) ||
	    c->addr + c->size < c->addr)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api",
				      "%s: region of %#llx bytes at %#llx: the size must be a non-zero multiple of 4 KiB, the address a multiple of 4 KiB, and the two must not wrap",
				      fn, (unsigned long long)c->size, (unsigned long long)c->addr));
	if (c->ninitrd > EFIKEXEC_MAX_INITRDS || (c->ninitrd && !c->initrd))
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: %u initrds at %p; at most %u", fn,
				      c->ninitrd, (const void *)c->initrd, EFIKEXEC_MAX_INITRDS));
	st = take_input(fn, &c->kernel, &q->cap_kernel, r->cap_kernel_path, false);
	for (uint32_t i = 0; !EFI_ERROR(st) && i < c->ninitrd; i++)
		st = take_input(fn, &c->initrd[i], &q->cap_initrd[i], r->cap_initrd_path[i], false);
	if (!EFI_ERROR(st) && c->cmdline)
		st = copy_cmdline(fn, c->cmdline, r->cap_cmdline);
	if (EFI_ERROR(st)) {
		q->cap_kernel = (struct boot_input){ 0 };
		return api_leave(st);
	}
	q->ncap_initrd = c->ninitrd;
	q->cap_cmdline = c->cmdline ? r->cap_cmdline : NULL;
	q->cap_size = c->size;
	q->cap_addr = c->addr;
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_set_test(struct efikexec *r, uint32_t flags, int corrupt)
{
	API_CHANGE(r, "efikexec_set_test");
#ifdef EFIKEXEC_TEST_HOOKS
	r->req.test_occupy = flags & EFIKEXEC_TEST_OCCUPY;
	r->req.test_corrupt_capture = flags & EFIKEXEC_TEST_CORRUPT_CAPTURE;
	efi_net_test_keep_nothing = flags & EFIKEXEC_TEST_NET_KEEP_NOTHING;
	r->req.test_corrupt = corrupt;
	return api_leave(EFI_SUCCESS);
#else
	return api_leave(efi_fail(EFI_UNSUPPORTED, "api", "efikexec_set_test: not a test build"));
#endif
}

efikexec_status EFIKEXEC_API efikexec_test_fail_call(uint32_t n, uint32_t *counted)
{
	API("efikexec_test_fail_call");
#ifdef EFIKEXEC_TEST_HOOKS
	if (counted)
		*counted = efi_faults_counted();
	efi_faults_set(n);
	return api_leave(EFI_SUCCESS);
#else
	(void)n;
	(void)counted;
	return api_leave(efi_fail(EFI_UNSUPPORTED, "api", "efikexec_test_fail_call: not a test build"));
#endif
}

efikexec_status EFIKEXEC_API efikexec_test_held(int64_t *pages, int64_t *pool)
{
	API("efikexec_test_held");
#ifdef EFIKEXEC_TEST_HOOKS
	if (!pages || !pool)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_test_held: pages %p, pool %p",
				      (void *)pages, (void *)pool));
	efi_faults_held(pages, pool);
	{
		unsigned users;
		bool held = efi_net_test_pxe_held(&users);
		rt_info("test", "a PXE base code efikexec started: %s (%u files open through it)",
			held ? "still started" : "none", users);
	}
	return api_leave(EFI_SUCCESS);
#else
	(void)pages;
	(void)pool;
	return api_leave(efi_fail(EFI_UNSUPPORTED, "api", "efikexec_test_held: not a test build"));
#endif
}

/* --- plan, boot, release ------------------------------------------------------------- */

/* Gives back what the plan took (the capture region too); NEW again. */
static void unplan(struct efikexec *r)
{
	if (r->bp) {
		capture_abort(r->bp);
		kexec_release(r->bp);
	}
	r->bp = NULL;
	if (r->state == REQ_PLANNED)
		r->state = REQ_NEW;
}

/* What the hand-off needs of the firmware, once per plan: 40 bytes of
 * seed cover x86's SETUP_RNG_SEED (32) and arm64's rng-seed and kaslr-seed. */
static void gather_facts(void)
{
	efi_gather_facts(&efi_facts, 40);
}

/* facts_fresh: efikexec_boot gathered them already for this boot (a
 * capture kernel armed), and they are not asked of the firmware again */
static EFI_STATUS plan(struct efikexec *r, bool facts_fresh)
{
	struct boot_plan *bp;
	EFI_STATUS st;

	if (r->state == REQ_PLANNED)
		return EFI_SUCCESS;
	if (!r->req.kernel.path)
		return efi_fail(EFI_NOT_READY, "api", "no kernel added to the request");
	r->req.verbose = log_level >= RT_LOG_DEBUG;
	if (!facts_fresh)
		gather_facts();
	bp = r->bp = kexec_plan();
	bp->o = &r->req;
	st = kexec_check_purgatory();
	/* Secure Boot and the TPM: the kernels read whole, verified */
	if (!EFI_ERROR(st))
		st = trust_request(&r->req, &r->trust);
	/* The capture region is reserved before the main kernel is placed,
	 * so nothing of the main boot lands in it. */
	if (!EFI_ERROR(st) && r->req.cap_kernel.path)
		st = capture_arm(bp);
	if (!EFI_ERROR(st))
		st = kexec_open_inputs(bp);
	if (!EFI_ERROR(st))
		st = kexec_place(bp);
	if (EFI_ERROR(st)) {
		/* everything back, the kernels read whole too */
		unplan(r);
		trust_release(&r->req, &r->trust);
		return st;
	}
	r->state = REQ_PLANNED;
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_plan(struct efikexec *r)
{
	EFI_STATUS st;

	API("efikexec_plan");
	st = live(r, "efikexec_plan");
	if (!EFI_ERROR(st) && r->state == REQ_BOOTED)
		st = efi_fail(EFI_ALREADY_STARTED, "api", "efikexec_plan: the request was booted already");
	if (!EFI_ERROR(st))
		st = plan(r, false);
	return api_leave(st);
}

static EFI_STATUS planned(struct efikexec *r, const char *fn)
{
	EFI_STATUS st = live(r, fn);

	if (!EFI_ERROR(st) && r->state != REQ_PLANNED)
		st = efi_fail(EFI_NOT_READY, "api", "%s: the request is not planned (efikexec_plan first)", fn);
	return st;
}

/* Copies min(have, sizeof) bytes of a filled struct to the caller's. */
EFI_STATUS api_give(const char *fn, void *out, uint32_t have, const void *mine, size_t size,
		       size_t v1)
{
	if (!out)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: out is NULL", fn);
	if (have < v1)
		return efi_fail(EFI_INVALID_PARAMETER, "api", "%s: struct_size %u, less than the %zu of its first version",
				fn, have, v1);
	RT_FN(memcpy)(out, mine, have < size ? have : size);
	*(uint32_t *)out = have < size ? have : (uint32_t)size;
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_plan_get(struct efikexec *r, struct efikexec_plan *out)
{
	const char *fn = "efikexec_plan_get";
	struct efikexec_plan p = { 0 };
	struct boot_plan *bp;

	API_WITH(fn, planned(r, fn));
	bp = r->bp;
	p.nsegments = bp->img.nr_segments;
	p.entry = bp->entry;
	p.purgatory_entry = bp->purgatory_entry;
	p.control_page = bp->img.control_page;
	p.control_pages = bp->img.control_pages;
	p.entries = bp->img.entries;
	p.indirection_pages = bp->img.indirection_pages;
	for (unsigned i = 0; i < bp->img.nr_segments; i++)
		p.bytes_loaded += bp->img.segment[i].bufsz;
	p.bytes_copied = bp->img.pages_staged * KIMAGE_PAGE_SIZE;
	p.copied_per_loaded_milli = p.bytes_loaded ? (uint32_t)(p.bytes_copied * 1000 / p.bytes_loaded) : 0;
	p.verify = !r->req.verify ? EFIKEXEC_VERIFY_OFF : r->req.verify_sha256 ? EFIKEXEC_VERIFY_SHA256 : EFIKEXEC_VERIFY_ON;
	rt_snprintf(p.image, sizeof(p.image), "%s: %s", bp->kernel_name, bp->k->desc);
	return api_leave(api_give(fn, out, out ? out->struct_size : 0, &p, sizeof(p),
			  offsetof(struct efikexec_plan, image) + sizeof(p.image)));
}

efikexec_status EFIKEXEC_API efikexec_plan_segment(struct efikexec *r, uint32_t index,
						   struct efikexec_segment *out)
{
	const char *fn = "efikexec_plan_segment";
	struct efikexec_segment s = { 0 };
	const struct kimage_segment *ks;
	const struct kimage_seg_plan *kp;
	struct boot_plan *bp;

	API_WITH(fn, planned(r, fn));
	bp = r->bp;
	if (index >= bp->img.nr_segments)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: segment %u of %u", fn, index,
				      bp->img.nr_segments));
	ks = &bp->img.segment[index];
	kp = &bp->img.plan[index];
	s.role = boot_segment_role(bp, index, s.source, sizeof(s.source));
	s.mem = ks->mem;
	s.memsz = ks->memsz;
	s.bufsz = ks->bufsz;
	s.pages = kp->npages;
	s.scratch = ks->scratch;
	s.pages_staged = ks->scratch ? 0 : kp->npages - kp->in_place;
	s.in_place = !ks->scratch && kp->in_place == kp->npages;
	return api_leave(api_give(fn, out, out ? out->struct_size : 0, &s, sizeof(s),
			  offsetof(struct efikexec_segment, source) + sizeof(s.source)));
}

efikexec_status EFIKEXEC_API efikexec_plan_print(struct efikexec *r)
{
	EFI_STATUS st;

	API("efikexec_plan_print");
	if (!EFI_ERROR((st = planned(r, "efikexec_plan_print"))))
		boot_print_plan(r->bp);
	return api_leave(st);
}

efikexec_status EFIKEXEC_API efikexec_boot(struct efikexec *r)
{
	EFI_STATUS st;

	API_WITH("efikexec_boot", live(r, "efikexec_boot"));
	if (r->state == REQ_BOOTED)
		return api_leave(efi_fail(EFI_ALREADY_STARTED, "api",
				      "efikexec_boot: this request was booted already and failed; release it"));
	/* After a crash, the capture kernel first (no return when entered):
	 * its region must be free, so a plan made already is made again. */
	bool fresh = false;
	if (capture_armed()) {
		unplan(r);
		r->req.verbose = log_level >= RT_LOG_DEBUG;
		gather_facts();
		fresh = true;
		capture_at_start(&r->req);
	}
	st = plan(r, fresh);
	if (!EFI_ERROR(st)) {
		boot_print_plan(r->bp);
		st = kexec_load_and_enter(r->bp);
	}
	unplan(r);
	r->state = REQ_BOOTED;
	return api_leave(st);
}

efikexec_status EFIKEXEC_API efikexec_release(struct efikexec *r)
{
	API_WITH("efikexec_release", live(r, "efikexec_release"));
	unplan(r);
	trust_release(&r->req, &r->trust);
	if (r->handover_pages)
		efi_bs->FreePages(r->handover, r->handover_pages);
	r->handover_pages = 0;
	r->state = REQ_FREE;
	return api_leave(EFI_SUCCESS);
}

