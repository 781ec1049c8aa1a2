/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * fakefw.c - a firmware for the API's host tests (tests/api/test_api.c):
 * an EFI system table whose boot and runtime services are host functions,
 * and the architecture's non-planning half (arch/arch.h) as a test double
 * that never enters anything.
 *
 * Pool and pages come from the host heap and are counted, so a test checks
 * that everything efikexec took was given back. AllocateAddress always
 * fails (host addresses are not the map's), so planning stages every page
 * in host memory; the map is one free range above 1 MiB. No variables (but
 * SecureBoot and SetupMode when fakefw.secure_boot asks for Secure Boot),
 * no protocols but the loaded image and fakefs.c's volume, a LoadImage whose verification
 * always fails, no console beyond a sink.
 */
#include <efi.h>
#include <efiapi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../arch/arch.h"
#include "fakefw.h"

struct fakefw fakefw;

static EFI_LOADED_IMAGE loaded_image;
static EFI_BOOT_SERVICES bs;
static EFI_RUNTIME_SERVICES rs;
static EFI_SYSTEM_TABLE st;
static SIMPLE_TEXT_OUTPUT_INTERFACE conout;

static EFI_STATUS EFIAPI output_string(SIMPLE_TEXT_OUTPUT_INTERFACE *self, CHAR16 *s)
{
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI handle_protocol(EFI_HANDLE h, EFI_GUID *guid, void **iface)
{
	static EFI_GUID li = LOADED_IMAGE_PROTOCOL;

	if (h == fakefw.image && !memcmp(guid, &li, sizeof(li))) {
		*iface = &loaded_image;
		return EFI_SUCCESS;
	}
	if (fakefs_protocol(h, guid, iface))
		return EFI_SUCCESS;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI allocate_pool(EFI_MEMORY_TYPE type, UINTN size, void **p)
{
	*p = malloc(size ? size : 1);
	if (!*p)
		return EFI_OUT_OF_RESOURCES;
	fakefw.pool_live++;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI free_pool(void *p)
{
	fakefw.pool_live--;
	free(p);
	return EFI_SUCCESS;
}

/* Pages: an arena of host memory, page by page, so a run may be freed in
 * parts as firmware allows (UEFI 2.10, 7.2 FreePages). */
#define ARENA_PAGES 16384 /* 64 MiB */
static uint8_t *arena, used[ARENA_PAGES];

static EFI_STATUS EFIAPI allocate_pages(EFI_ALLOCATE_TYPE type, EFI_MEMORY_TYPE mt, UINTN n,
					EFI_PHYSICAL_ADDRESS *a)
{
	if (type != AllocateAnyPages)
		return EFI_NOT_FOUND;
	/* top-down, as EDK II */
	for (size_t end = ARENA_PAGES; n && end >= n; end--) {
		size_t k = 0;
		while (k < n && !used[end - 1 - k])
			k++;
		if (k == n) {
			memset(used + end - n, 1, n);
			fakefw.pages_live += n;
			*a = (EFI_PHYSICAL_ADDRESS)(uintptr_t)(arena + (end - n) * 4096);
			return EFI_SUCCESS;
		}
		end -= k;
	}
	return EFI_OUT_OF_RESOURCES;
}

static EFI_STATUS EFIAPI free_pages(EFI_PHYSICAL_ADDRESS a, UINTN n)
{
	uintptr_t off = (uintptr_t)a - (uintptr_t)arena;
	size_t first = off / 4096;

	if ((uintptr_t)a < (uintptr_t)arena || off % 4096 || first + n > ARENA_PAGES)
		return EFI_NOT_FOUND;
	for (size_t i = first; i < first + n; i++)
		if (!used[i])
			return EFI_NOT_FOUND;
	memset(used + first, 0, n);
	fakefw.pages_live -= n;
	return EFI_SUCCESS;
}

/* One free range, [1 MiB, 1 GiB): where destinations go. */
static EFI_STATUS EFIAPI get_memory_map(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
					UINTN *desc_size, UINT32 *version)
{
	*desc_size = sizeof(EFI_MEMORY_DESCRIPTOR);
	*version = 1;
	*key = 1;
	if (*size < sizeof(EFI_MEMORY_DESCRIPTOR)) {
		*size = sizeof(EFI_MEMORY_DESCRIPTOR);
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = sizeof(EFI_MEMORY_DESCRIPTOR);
	*map = (EFI_MEMORY_DESCRIPTOR){ .Type = EfiConventionalMemory, .PhysicalStart = 1u << 20,
					.NumberOfPages = ((1u << 30) - (1u << 20)) / 4096 };
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI locate_protocol(EFI_GUID *guid, void *reg, void **iface)
{
	return EFI_NOT_FOUND;
}

static EFI_TPL EFIAPI raise_tpl(EFI_TPL t)
{
	return TPL_APPLICATION;
}

static void EFIAPI restore_tpl(EFI_TPL t)
{
}

static EFI_STATUS EFIAPI exit_boot_services(EFI_HANDLE h, UINTN key)
{
	fakefw.exit_calls++;
	return EFI_INVALID_PARAMETER;
}

/* Stall: the host's own sleep (the counter's calibration stalls 1 ms) */
static EFI_STATUS EFIAPI stall(UINTN usec)
{
	struct timespec t = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 };

	nanosleep(&t, NULL);
	return EFI_SUCCESS;
}

static int wide_is(const CHAR16 *w, const char *s)
{
	for (; *s; w++, s++)
		if (*w != (CHAR16)*s)
			return 0;
	return *w == 0;
}

static EFI_STATUS EFIAPI get_variable(CHAR16 *name, EFI_GUID *guid, UINT32 *attrs, UINTN *size, void *data)
{
	int is_sb = wide_is(name, "SecureBoot"), is_setup = wide_is(name, "SetupMode");

	if (!fakefw.secure_boot || (!is_sb && !is_setup))
		return EFI_NOT_FOUND;
	if (*size < 1) {
		*size = 1;
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = 1;
	*(UINT8 *)data = is_sb ? 1 : 0;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI load_image(BOOLEAN boot_policy, EFI_HANDLE parent, EFI_DEVICE_PATH *dp, VOID *buf,
				    UINTN size, EFI_HANDLE *child)
{
	fakefw.load_image_calls++;
	*child = NULL;
	return EFI_ACCESS_DENIED;
}

static EFI_STATUS EFIAPI get_next_variable_name(UINTN *size, CHAR16 *name, EFI_GUID *guid)
{
	return EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI set_variable(CHAR16 *name, EFI_GUID *guid, UINT32 attrs, UINTN size, void *data)
{
	return EFI_NOT_FOUND;
}

void *fakefw_init(void)
{
	memset(&fakefw, 0, sizeof(fakefw));
	if (!arena)
		arena = aligned_alloc(4096, (size_t)ARENA_PAGES * 4096);
	memset(used, 0, sizeof(used));
	fakefw.image = &fakefw;
	conout.OutputString = output_string;
	bs.HandleProtocol = handle_protocol;
	bs.AllocatePool = allocate_pool;
	bs.FreePool = free_pool;
	bs.AllocatePages = allocate_pages;
	bs.FreePages = free_pages;
	bs.GetMemoryMap = get_memory_map;
	bs.LocateProtocol = locate_protocol;
	bs.LoadImage = load_image;
	bs.RaiseTPL = raise_tpl;
	bs.RestoreTPL = restore_tpl;
	bs.ExitBootServices = exit_boot_services;
	bs.Stall = stall;
	rs.GetVariable = get_variable;
	rs.GetNextVariableName = get_next_variable_name;
	rs.SetVariable = set_variable;
	st.BootServices = &bs;
	st.RuntimeServices = &rs;
	st.ConOut = &conout;
	loaded_image.ImageBase = &fakefw;
	loaded_image.ImageSize = 4096;
	return &st;
}

/* --- the architecture's non-planning half: nothing is ever entered ------------ */

void arch_init(void)
{
}

void arch_fini(void)
{
}

bool arch_la57(void)
{
	return false;
}

size_t arch_avoid(const struct boot_plan *bp, struct mem_span *out, size_t max)
{
	return 0;
}

/* The hand-off cannot be built here: a boot that gets this far fails
 * before the exit, as a real one whose hand-off data does not fit would. */
rt_status arch_prepare(struct boot_plan *bp)
{
	fakefw.prepare_calls++;
	return rt_fail(RT_ENOTSUP, "test", "the host's firmware enters no kernel");
}

rt_status arch_finish(struct boot_plan *bp)
{
	abort();
}

void arch_enter(struct boot_plan *bp)
{
	abort();
}

/* never reached: arch_prepare fails first */
rt_status arch_firmware_info(struct boot_plan *bp, const struct memmap *map, size_t *len)
{
	abort();
}

rt_status arch_firmware_enter(struct boot_plan *bp, uint64_t info)
{
	abort();
}

void arch_release(struct boot_plan *bp)
{
}

uint64_t arch_uart(const struct boot_plan *bp)
{
	return 0;
}

void arch_serial_write(const char *s)
{
}

void arch_halt(void)
{
	abort();
}

void arch_capture_window(const struct memmap *m, uint64_t *lo, uint64_t *hi)
{
	*lo = 0;
	*hi = ~0ull;
}

size_t arch_capture_rewritten(const struct memmap *m, struct mem_span *out, size_t max)
{
	return 0;
}

uint16_t arch_elf_machine(void)
{
	return 62; /* EM_X86_64 */
}

bool arch_dump_vaddr(const void *note, size_t len, const struct mem_span *ram, size_t nram,
		     uint64_t *delta)
{
	return false;
}
