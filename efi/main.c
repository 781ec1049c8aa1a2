/*
 * main.c - efikexec's entry from firmware.
 *
 * Reads the request (LoadOptions, as the UEFI shell or a boot entry passes
 * it), acts on it, and returns an EFI status to whoever started us. Until
 * the point of no return (ExitBootServices), every failure unwinds and
 * returns, so the shell or boot manager that started efikexec stays usable.
 */
#include "efi.h"
#include "boot.h"
#include "capture.h"
#include "../arch/arch.h"
#include "../lib/sha256.h"

#ifndef EFIKEXEC_VERSION
#error "the Makefile defines EFIKEXEC_VERSION"
#endif

EFI_HANDLE efi_image;
EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;
EFI_RUNTIME_SERVICES *efi_rs;
EFI_LOADED_IMAGE *efi_loaded_image;

/* Largest file --sha256 reads: enough for any kernel or initrd we boot. */
#define SHA256_MAX_FILE (1ull << 30)

static EFI_STATUS do_sha256(const char *path)
{
	void *buf;
	uint64_t size;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[65];
	EFI_STATUS st;

	st = efi_file_load(path, SHA256_MAX_FILE, &buf, &size);
	if (EFI_ERROR(st))
		return st;
	sha256(buf, (size_t)size, d);
	sha256_hex(d, hex);
	efi_print("sha256 %s size %llu path %s\n", hex, (unsigned long long)size, path);
	efi_file_unload(buf, size);
	return EFI_SUCCESS;
}

static EFI_STATUS do_memmap(void)
{
	static struct memmap m;
	uint64_t bytes[MEM_TYPE_COUNT] = { 0 };
	EFI_STATUS st;

	st = efi_memmap_now(&m);
	if (EFI_ERROR(st))
		return st;
	for (size_t i = 0; i < m.n; i++) {
		efi_print("memmap [%#014llx, %#014llx) %-10s %llu KiB\n",
			  (unsigned long long)m.r[i].start, (unsigned long long)m.r[i].end,
			  mem_type_name(m.r[i].type),
			  (unsigned long long)((m.r[i].end - m.r[i].start) >> 10));
		bytes[m.r[i].type] += m.r[i].end - m.r[i].start;
	}
	efi_print("memmap: %zu ranges, %llu MiB free now, %llu MiB busy until exit, %llu MiB runtime\n",
		  m.n, (unsigned long long)(bytes[MEM_FREE] >> 20),
		  (unsigned long long)(bytes[MEM_BUSY] >> 20),
		  (unsigned long long)(bytes[MEM_RUNTIME] >> 20));
	return EFI_SUCCESS;
}

static EFI_STATUS act(const struct efikexec_opts *o)
{
	switch (o->action) {
	case ACTION_VERSION:
		efi_print("efikexec %s\n", EFIKEXEC_VERSION);
		return EFI_SUCCESS;
	case ACTION_SHA256:
		return do_sha256(o->sha256_path);
	case ACTION_MEMMAP:
		return do_memmap();
	case ACTION_SELFTEST:
		return efi_selftest();
	case ACTION_BOOT:
		return efi_boot(o);
	case ACTION_CAPTURE_STATUS:
		return capture_status();
	case ACTION_CAPTURE_DISARM:
		return capture_disarm();
	case ACTION_HELP:
	default:
		efi_print("efikexec %s\n%s", EFIKEXEC_VERSION, options_usage);
		return EFI_SUCCESS;
	}
}

/* malloc for the decompressors (lib/heap.c) */
static void *heap_alloc(size_t n)
{
	void *p = NULL;

	return efi_bs && efi_bs->AllocatePool(EfiLoaderData, n, &p) == EFI_SUCCESS ? p : NULL;
}

static void heap_free(void *p)
{
	if (efi_bs)
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

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	static char line[4096], storage[4096 + CMDLINE_MAX_ARGS];
	static struct cmdline cl;
	struct efikexec_opts o;
	EFI_STATUS s;

	efi_image = image;
	efi_st = st;
	efi_bs = st->BootServices;
	efi_rs = st->RuntimeServices;
	s = efi_bs->HandleProtocol(image, &li_guid, (void **)&efi_loaded_image);
	if (EFI_ERROR(s))
		return s;
	efi_console_init();

	if (efi_loaded_image->LoadOptionsSize >= 2 && efi_loaded_image->LoadOptions) {
		size_t units = efi_loaded_image->LoadOptionsSize / 2;
		size_t need = ucs2_to_utf8(efi_loaded_image->LoadOptions, units, line, sizeof(line));
		if (need >= sizeof(line))
			return efi_fail(EFI_BAD_BUFFER_SIZE, "options",
					"command line of %zu bytes, more than the limit of %zu",
					need, sizeof(line) - 1);
	}
	if (cmdline_split(line, &cl, storage, sizeof(storage)) != RT_OK)
		return EFI_INVALID_PARAMETER;
	if (options_parse(&cl, options_first_is_program(&cl) ? 1 : 0, &o) != RT_OK)
		return EFI_INVALID_PARAMETER;
	if (o.verbose)
		rt_log_set_level(RT_LOG_DEBUG);
	if (o.quiet)
		rt_log_set_level(RT_LOG_ERR);
	rt_heap_set(&(struct rt_heap){ heap_alloc, heap_free, heap_quiet, heap_unquiet });
	arch_init();
	s = act(&o);
	arch_fini();
	return s;
}
