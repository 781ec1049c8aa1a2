/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * mb2-payload.c - a Multiboot2 payload of the tests' own: entered by
 * efikexec in 32-bit protected mode, it prints the machine state and every
 * tag of the boot information it gets on COM1, one "MB2-..." line each, so
 * tests/qemu/multiboot.sh checks each value exactly (as GRUB's own tests
 * check theirs), then powers the q35 machine off.
 *
 * Position independent (-fPIE, everything hidden: only PC-relative and
 * GOT-relative addressing, no GOT loads), so efikexec may move it: its
 * relocatable tag allows [16 MiB, 1 GiB) with 2 MiB alignment, preference
 * high, and it prints where it runs so the test can compare tag 21.
 *
 * Built for i386 with the host's gcc -m32 -ffreestanding (no libc).
 */
#include <stdint.h>
#include <stddef.h>

#include "../../arch/x86_64/io.h" /* port I/O and the polled UART, i386 alike */

/* The header: required information 1 2 3 4 6, optional 8 12 14 15 17 21,
 * modules page-aligned, relocatable (Multiboot2 spec 3.1). Built with
 * MB2_EFI (x86_64, -m64): also the EFI boot services tag (7) and an EFI
 * amd64 entry (9), so it is entered in long mode with boot services
 * running (spec 3.5), where it checks the image handle it is given with
 * the firmware's HandleProtocol. */
#ifdef MB2_EFI
#define EFI_TAGS ".balign 8\n.short 7, 0\n.long 8\n" \
		 ".balign 8\n.short 9, 0\n.long 12\n.long _start\n"
#define ENTRY ".code64\n" \
	      "_start:\n" \
	      "  mov %eax, %edi\n" \
	      "  mov %ebx, %esi\n" \
	      "  lea _start(%rip), %rdx\n" \
	      "  lea stack_top(%rip), %rsp\n" \
	      "  call payload_main\n"
#else
#define EFI_TAGS ""
#define ENTRY "_start:\n" \
	      "  cli\n" \
	      "  mov %eax, %esi\n" \
	      "  call 1f\n" \
	      "1: pop %ebp\n" \
	      "  lea (stack_top - 1b)(%ebp), %esp\n" \
	      "  lea (_start - 1b)(%ebp), %ecx\n" \
	      "  push %ecx\n" \
	      "  push %ebx\n" \
	      "  push %esi\n" \
	      "  call payload_main\n"
#endif
__asm__(".section .multiboot, \"a\"\n"
	".balign 8\n"
	"mb2_header:\n"
	".long 0xe85250d6, 0, mb2_header_end - mb2_header\n"
	".long 0x100000000 - (0xe85250d6 + (mb2_header_end - mb2_header))\n"
	".balign 8\n.short 1, 0\n.long 8 + 4 * 5\n.long 1, 2, 3, 4, 6\n"
	".balign 8\n.short 1, 1\n.long 8 + 4 * 6\n.long 8, 12, 14, 15, 17, 21\n"
	".balign 8\n.short 6, 0\n.long 8\n"
	".balign 8\n.short 10, 1\n.long 24\n.long 0x1000000, 0x40000000, 0x200000, 2\n"
	EFI_TAGS
	".balign 8\n.short 0, 0\n.long 8\n"
	"mb2_header_end:\n"
	".text\n"
	".globl _start\n"
	ENTRY
	"2: hlt\n"
	"  jmp 2b\n"
	".bss\n"
	".balign 16\n"
	".space 16384\n"
	"stack_top:\n"
	".text\n");

extern char __image_start[], _start[];
void payload_main(uint32_t magic, uint32_t mbi, uint32_t self) __attribute__((used));

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static void putc_(char c)
{
	x86_uart_putc(X86_COM1, c);
}

static void puts_(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_('\r');
		putc_(*s);
	}
}

static void hex(uint64_t v)
{
	char b[19];
	int i = 18;

	b[i] = 0;
	do {
		b[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	b[--i] = 'x';
	b[--i] = '0';
	puts_(b + i);
}

static void dec(uint32_t v)
{
	char b[11];
	int i = 10;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_(b + i);
}

/* a 16-bit read of a fixed low address (hidden from the compiler, which
 * takes constant addresses in page 0 for null-pointer arithmetic) */
static uint16_t rd16(uint32_t a)
{
	__asm__("" : "+r"(a));
	return *(volatile uint16_t *)(uintptr_t)a;
}

static uint32_t rd32(uint32_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static uint64_t rd64(uint32_t a)
{
	return rd32(a) | (uint64_t)rd32(a + 4) << 32;
}

/* the bytes' 8-bit sum, as ACPI checksums them */
static uint8_t sum8(uint32_t a, uint32_t n)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + *(volatile uint8_t *)(uintptr_t)(a + i));
	return s;
}

static void str_at(uint32_t a, uint32_t max)
{
	char c[2] = { 0, 0 };

	for (uint32_t i = 0; i < max && (c[0] = *(volatile char *)(uintptr_t)(a + i)); i++)
		puts_(c);
}

static void rsdp(const char *what, uint32_t a, uint32_t len)
{
	puts_(what);
	puts_(" oem=");
	str_at(a + 9, 6);
	puts_(" rev=");
	dec(*(volatile uint8_t *)(uintptr_t)(a + 15));
	puts_(" rsdt=");
	hex(rd32(a + 16));
	puts_(" sum20=");
	puts_(sum8(a, 20) ? "bad" : "ok");
	if (len >= 36) {
		puts_(" xsdt=");
		hex(rd64(a + 24));
		puts_(" sum=");
		puts_(sum8(a, rd32(a + 20)) ? "bad" : "ok");
	}
	puts_("\n");
}

/* the RSDP a BIOS-style scan finds in the EBDA's first KiB, if any */
static uint32_t ebda_rsdp(void)
{
	uint32_t ebda = (uint32_t)rd16(0x40e) << 4;

	puts_("MB2-BDA: ebda=");
	hex(ebda);
	puts_(" basemem=");
	dec(rd16(0x413));
	puts_("\n");
	if (!ebda)
		return 0;
	for (uint32_t a = ebda; a < ebda + 1024; a += 16)
		if (rd32(a) == 0x20445352 && rd32(a + 4) == 0x20525450) /* "RSD PTR " */
			return a;
	return 0;
}

#ifdef MB2_EFI
/* The image handle answers HandleProtocol for EFI_LOADED_IMAGE_PROTOCOL
 * (UEFI 2.10, 9.1: 5b1b31a1-9562-11d2-8e3f-00a0c969723b): boot services
 * still run, and the handle is a live image's. EFI_BOOT_SERVICES at the
 * system table's +96; HandleProtocol at its +152 (UEFI 2.10, 4.4). */
static int loaded_image(uint64_t systab, uint64_t handle)
{
	static const uint8_t guid[16] = { 0xa1, 0x31, 0x1b, 0x5b, 0x62, 0x95, 0xd2, 0x11,
					  0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b };
	typedef uint64_t __attribute__((ms_abi)) (*handle_protocol)(uint64_t, const void *, void **);
	uint64_t bs = rd64((uint32_t)systab + 96);
	handle_protocol hp = (handle_protocol)(uintptr_t)rd64((uint32_t)bs + 152);
	void *li = 0;

	return bs && hp && hp(handle, guid, &li) == 0 && li;
}
#endif

void payload_main(uint32_t magic, uint32_t mbi, uint32_t self)
{
	unsigned long cr0, cr4, eflags; /* the register's width: 32 or 64 bits */
	uint32_t efer_lo, efer_hi, total, at, acpi = 0, acpi_len = 0;
	uint16_t cs, ds, ss;
#ifdef MB2_EFI
	uint64_t systab = 0;
#endif

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("pushf; pop %0" : "=r"(eflags));
	__asm__ volatile("rdmsr" : "=a"(efer_lo), "=d"(efer_hi) : "c"(0xc0000080));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	(void)efer_hi;
	puts_("MB2-PAYLOAD: magic=");
	hex(magic);
	puts_(" mbi=");
	hex(mbi);
	puts_(" image=");
	hex(self - (uint32_t)(_start - __image_start));
	puts_("\nMB2-STATE: cr0=");
	hex(cr0);
	puts_(" pe=");
	dec(cr0 & 1);
	puts_(" pg=");
	dec(cr0 >> 31);
	puts_(" cr4=");
	hex(cr4);
	puts_(" efer.lme=");
	dec((efer_lo >> 8) & 1);
	puts_(" if=");
	dec((eflags >> 9) & 1);
	puts_(" cs=");
	hex(cs);
	puts_(" ds=");
	hex(ds);
	puts_(" ss=");
	hex(ss);
	puts_("\n");
	if (magic != 0x36d76289 || (mbi & 7)) {
		puts_("MB2-FAIL: not entered by a Multiboot2 loader\n");
		goto off;
	}
	total = rd32(mbi);
	puts_("MB2-INFO: total_size=");
	dec(total);
	puts_(" reserved=");
	dec(rd32(mbi + 4));
	puts_("\n");
	for (at = mbi + 8; at + 8 <= mbi + total;) {
		uint32_t type = rd32(at), size = rd32(at + 4);

		if (size < 8 || at + size > mbi + total) {
			puts_("MB2-FAIL: tag size ");
			dec(size);
			puts_("\n");
			goto off;
		}
		puts_("MB2-TAG: type=");
		dec(type);
		puts_(" size=");
		dec(size);
		puts_("\n");
		switch (type) {
		case 1:
			puts_("MB2-CMDLINE: ");
			str_at(at + 8, size - 8);
			puts_("\n");
			break;
		case 2:
			puts_("MB2-LOADER: ");
			str_at(at + 8, size - 8);
			puts_("\n");
			break;
		case 3: {
			uint32_t s = rd32(at + 8), e = rd32(at + 12), sum = 0;
			for (uint32_t a = s; a < e; a++)
				sum += *(volatile uint8_t *)(uintptr_t)a;
			puts_("MB2-MODULE: start=");
			hex(s);
			puts_(" end=");
			hex(e);
			puts_(" aligned=");
			dec(!(s & 0xfff));
			puts_(" sum=");
			hex(sum);
			puts_(" string=");
			str_at(at + 16, size - 16);
			puts_("\n");
			break;
		}
		case 4:
			puts_("MB2-MEMINFO: lower=");
			dec(rd32(at + 8));
			puts_(" upper=");
			dec(rd32(at + 12));
			puts_("\n");
			break;
		case 6: {
			uint32_t esz = rd32(at + 8);
			puts_("MB2-MMAP-HEAD: entry_size=");
			dec(esz);
			puts_(" version=");
			dec(rd32(at + 12));
			puts_("\n");
			for (uint32_t e = at + 16; esz && e + esz <= at + size; e += esz) {
				puts_("MB2-MMAP: ");
				hex(rd64(e));
				puts_(" ");
				hex(rd64(e + 8));
				puts_(" ");
				dec(rd32(e + 16));
				puts_("\n");
			}
			break;
		}
		case 8:
			puts_("MB2-FB: addr=");
			hex(rd64(at + 8));
			puts_(" pitch=");
			dec(rd32(at + 16));
			puts_(" width=");
			dec(rd32(at + 20));
			puts_(" height=");
			dec(rd32(at + 24));
			puts_(" bpp=");
			dec(*(volatile uint8_t *)(uintptr_t)(at + 28));
			puts_(" type=");
			dec(*(volatile uint8_t *)(uintptr_t)(at + 29));
			puts_("\n");
			break;
		case 12:
			puts_("MB2-EFI64: systab=");
			hex(rd64(at + 8));
			puts_(" signature=");
			hex(rd64((uint32_t)rd64(at + 8)));
#ifdef MB2_EFI
			systab = rd64(at + 8);
#endif
			puts_("\n");
			break;
		case 14:
			rsdp("MB2-ACPI-OLD:", at + 8, size - 8);
			if (!acpi)
				acpi = at + 8, acpi_len = size - 8;
			break;
		case 15:
			rsdp("MB2-ACPI-NEW:", at + 8, size - 8);
			acpi = at + 8, acpi_len = size - 8;
			break;
		case 17: {
			uint32_t dsz = rd32(at + 8);
			puts_("MB2-EFI-MMAP: descr_size=");
			dec(dsz);
			puts_(" descr_vers=");
			dec(rd32(at + 12));
			puts_(" descriptors=");
			dec(dsz ? (size - 16) / dsz : 0);
			puts_("\n");
			/* each EFI_MEMORY_DESCRIPTOR: type, physical start, pages */
			for (uint32_t d = at + 16; dsz >= 40 && d + dsz <= at + size; d += dsz) {
				puts_("MB2-EFI-DESC: ");
				dec(rd32(d));
				puts_(" ");
				hex(rd64(d + 8));
				puts_(" ");
				hex(rd64(d + 24));
				puts_("\n");
			}
			break;
		}
#ifdef MB2_EFI
		case 18:
			puts_("MB2-EFI-BS: not terminated\n");
			break;
		case 20:
			puts_("MB2-EFI64-IH: handle=");
			hex(rd64(at + 8));
			puts_(" loaded-image=");
			puts_(systab && loaded_image(systab, rd64(at + 8)) ? "ok" : "none");
			puts_("\n");
			break;
#endif
		case 21:
			puts_("MB2-LOADBASE: ");
			hex(rd32(at + 8));
			puts_("\n");
			break;
		default:
			break;
		}
		if (type == 0)
			break;
		at += (size + 7) & ~7u;
	}
	{
		uint32_t e = ebda_rsdp();
		if (e) {
			uint32_t same = acpi && acpi_len >= 20;
			for (uint32_t i = 0; same && i < acpi_len; i++)
				same = *(volatile uint8_t *)(uintptr_t)(e + i) == *(volatile uint8_t *)(uintptr_t)(acpi + i);
			puts_("MB2-EBDA-RSDP: at=");
			hex(e);
			puts_(same ? " same as the tag\n" : " differs from the tag\n");
		} else {
			puts_("MB2-EBDA-RSDP: none\n");
		}
	}
	puts_("MB2-DONE\n");
off:
	/* S5 on q35: PM1a_CNT at OVMF's PMBASE 0x600 + 4, SLP_EN | SLP_TYP 0
	 * (QEMU's ich9 _S5 package is 0) */
	outw(0x604, 0x2000);
}
