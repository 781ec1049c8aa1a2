/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * boot-buffer.c - a boot loader stage of its own that boots Linux through
 * libefikexec: it reads the kernel and the initrd itself, with the
 * firmware's file protocol, into pages it allocated; builds its own command
 * line; prints efikexec's plan from the plan's data; and boots.
 *
 *   boot-buffer.efi [--handover] [KERNEL [INITRD [EXTRA ARGUMENTS...]]]
 *
 * Paths are on the volume this program was loaded from (default \vmlinuz
 * and \initrd.img). With --handover the kernel is read so that its code
 * starts at a 2 MiB boundary, and its pages are given to efikexec, which
 * then runs it where it lies instead of copying it. A GNU-EFI program: it links GNU-EFI's libefi (which has
 * its own memcpy and memset) beside libefikexec.a without a clash.
 */
#include <efi.h>
#include <efilib.h>
#include <efikexec.h>

#if defined(__x86_64__)
#define CONSOLE "console=ttyS0"
#else
#define CONSOLE "console=ttyAMA0"
#endif

#define MIB2 0x200000ull

/* Where a kernel's code starts in its file, and the memory it needs from
 * there: a bzImage's after its setup sectors (setup_sects at 0x1f1, "HdrS"
 * at 0x202, init_size at 0x260), an arm64 Image's at 0 (image_size at 16). */
static UINTN code_offset(EFI_FILE_HANDLE f, UINTN *need)
{
	UINT8 h[0x264];
	UINTN n = sizeof(h);

	*need = 0;
	if (f->Read(f, &n, h) || n < sizeof(h) || f->SetPosition(f, 0))
		return 0;
	if (!CompareMem(h + 0x38, "ARM\x64", 4)) {
		*need = *(UINT64 *)(h + 16);
		return 0;
	}
	if (CompareMem(h + 0x202, "HdrS", 4))
		return 0;
	*need = *(UINT32 *)(h + 0x260);
	return ((UINTN)(h[0x1f1] ? h[0x1f1] : 4) + 1) * 512;
}

/* Reads a whole file into pages of its own; *buf is NULL on failure.
 * aligned: its code (code_offset) at a 2 MiB boundary, in a block as large
 * as the kernel needs, the pages around the file given back (so the room
 * after it is free memory when efikexec plans). */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, CHAR16 *path, BOOLEAN aligned, void **buf, UINTN *size)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_PHYSICAL_ADDRESS at, start;
	UINTN extra = 0, skew = 0, need;
	EFI_STATUS st;

	*buf = NULL;
	st = root->Open(root, &f, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		Print(L"example: %s: cannot open it: %r\n", path, st);
		return st;
	}
	info = LibFileInfo(f);
	if (!info) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	*size = info->FileSize;
	FreePool(info);
	if (aligned) {
		skew = code_offset(f, &need);
		extra = MIB2 + (skew + need > *size ? skew + need - *size : 0);
	}
	st = BS->AllocatePages(AllocateAnyPages, EfiLoaderData, EFI_SIZE_TO_PAGES(*size + extra), &at);
	if (!EFI_ERROR(st) && aligned) {
		UINTN pages = EFI_SIZE_TO_PAGES(*size), all = EFI_SIZE_TO_PAGES(*size + extra), head;
		start = (((at + skew + MIB2 - 1) & ~(MIB2 - 1)) - skew) & ~0xfffull;
		head = (start - at) / 4096;
		if (head)
			BS->FreePages(at, head);
		BS->FreePages(start + pages * 4096, all - head - pages);
		at = start;
	}
	if (!EFI_ERROR(st)) {
		UINTN got = *size;
		*buf = (void *)(UINTN)at;
		st = f->Read(f, &got, *buf);
		if (!EFI_ERROR(st) && got != *size)
			st = EFI_END_OF_FILE;
		if (EFI_ERROR(st)) {
			BS->FreePages(at, EFI_SIZE_TO_PAGES(*size));
			*buf = NULL;
		}
	}
	f->Close(f);
	if (EFI_ERROR(st))
		Print(L"example: %s: cannot read %lu bytes: %r\n", path, *size, st);
	return st;
}

/* Appends an argument to the command line, ASCII only. */
static void append(char *cl, UINTN size, const CHAR16 *w)
{
	UINTN n = 0;

	while (cl[n])
		n++;
	if (n && n + 1 < size)
		cl[n++] = ' ';
	for (; *w && n + 1 < size; w++)
		cl[n++] = *w < 0x80 ? (char)*w : '?';
	cl[n] = 0;
}

static const char *const role[] = { "kernel", "room", "initrd", "params", "corehdr", "purgatory" };

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	CHAR16 *kpath = L"\\vmlinuz", *ipath = L"\\initrd.img", **argv;
	BOOLEAN handover = FALSE;
	static char cmdline[1024] = CONSOLE " example.loader=boot-buffer";
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;
	void *kbuf = NULL, *ibuf = NULL;
	UINTN ksize = 0, isize = 0, argc, i;
	struct efikexec *r = NULL;
	efikexec_status st;

	InitializeLib(image, systab);
	argc = GetShellArgcArgv(image, &argv);
	if (argc > 1 && !StrCmp(argv[1], L"--handover")) {
		handover = TRUE;
		argv++;
		argc--;
	}
	if (argc > 1)
		kpath = argv[1];
	if (argc > 2)
		ipath = argv[2];
	/* the command line: ours, then what was typed after the paths */
	for (i = 3; i < argc; i++)
		append(cmdline, sizeof(cmdline), argv[i]);

	if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS ||
	    !(root = LibOpenRoot(li->DeviceHandle)))
		return EFI_NOT_FOUND;
	st = read_file(root, kpath, handover, &kbuf, &ksize);
	if (!st)
		st = read_file(root, ipath, FALSE, &ibuf, &isize);
	root->Close(root);
	if (st)
		goto out;
	Print(L"example: read %s (%lu bytes) and %s (%lu bytes) into pages of mine\n", kpath,
	      ksize, ipath, isize);

	st = efikexec_init(image, systab);
	if (!st)
		st = efikexec_request_new(&r);
	if (st)
		goto out;
	struct efikexec_input k = EFIKEXEC_INPUT_BUFFER(kbuf, ksize, "kernel buffer");
	k.flags = handover ? EFIKEXEC_INPUT_HANDOVER : 0;
	struct efikexec_input i0 = EFIKEXEC_INPUT_BUFFER(ibuf, isize, "initrd buffer");
	if ((st = efikexec_add_kernel(r, &k)))
		goto out;
	if (handover)
		kbuf = NULL; /* efikexec's now */
	if ((st = efikexec_add_initrd(r, &i0)) ||
	    (st = efikexec_set_cmdline(r, cmdline)) || (st = efikexec_plan(r)))
		goto out;

	struct efikexec_plan p = { .struct_size = sizeof(p) };
	efikexec_plan_get(r, &p);
	Print(L"example: %a\n", p.image);
	for (UINT32 s = 0; s < p.nsegments; s++) {
		struct efikexec_segment seg = { .struct_size = sizeof(seg) };
		efikexec_plan_segment(r, s, &seg);
		Print(L"example: segment %u %a [%lx, %lx) %a from %a\n", s, role[seg.role], seg.mem,
		      seg.mem + seg.memsz, seg.scratch ? "room" : seg.in_place ? "in place" : "staged",
		      seg.source);
	}
	Print(L"example: entry %lx, %lu of %lu bytes copied; command line: %a\n", p.entry,
	      p.bytes_copied, p.bytes_loaded, cmdline);
	st = efikexec_boot(r); /* returns only on a failure */
out:
	if (st)
		Print(L"example: boot failed: %a (%a)\n", efikexec_status_name(st), efikexec_last_error());
	if (r)
		efikexec_release(r);
	if (kbuf)
		BS->FreePages((UINTN)kbuf, EFI_SIZE_TO_PAGES(ksize));
	if (ibuf)
		BS->FreePages((UINTN)ibuf, EFI_SIZE_TO_PAGES(isize));
	return st;
}
