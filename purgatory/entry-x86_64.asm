; SPDX-License-Identifier: BSD-2-Clause-Patent
; entry-x86_64.asm - the purgatory's first and last instructions (x86_64).
;
; Register contract on entry (from the relocation trampoline):
;   long mode, paging on with an identity map of all RAM, interrupts off,
;   any valid stack (the trampoline's, in the control pages), DF clear.
;   No other register is read.
; On exit to the kernel (Documentation/arch/x86/boot.rst, 64-bit boot
; protocol): a GDT with flat 64-bit code at 0x10 and data at 0x18, CS = 0x10,
; DS = ES = SS = 0x18, interrupts off, RSI = boot_params, jump to the
; kernel's 64-bit entry (load address + 0x200).
;
; On exit to a Multiboot2 payload instead (params flags has
; PURGATORY_F_MULTIBOOT2; Multiboot2 specification 3.3): 32-bit protected
; mode with paging off (CR0.PG = 0, PE = 1; EFER.LME = 0; CR4 = 0), CS =
; 0x08 a flat 32-bit code segment, DS = ES = FS = GS = SS = 0x18 flat data,
; interrupts off, EAX = 0x36D76289, EBX = the boot information (params
; arg0), ECX = EDX = ESI = EBP = 0, EDI = the entry, jumped to. Purgatory,
; the information and the entry lie below 4 GiB (boot/place.c).
;
; Position independent: only RIP-relative addressing, so the blob runs
; wherever its segment was placed. The header comes first in the file.

%include "purgatory/purgatory-asm.inc"
%include "arch/x86_64/segments.inc"

bits 64
default rel

section .head
global purgatory_header_start
purgatory_header_start:
	dq PURGATORY_MAGIC
	dd purgatory_entry - purgatory_header_start
	dd purgatory_params - purgatory_header_start
	dd purgatory_memsz_end - purgatory_header_start
	dd purgatory_file_end - purgatory_header_start

section .text
extern purgatory_main
extern purgatory_params
extern purgatory_memsz_end
extern purgatory_file_end
global purgatory_entry
purgatory_entry:
	cli
	cld
	lea rsp, [stack_top]
	call purgatory_main        ; returns only when the kernel may run

	lea rax, [purgatory_params]
	test dword [rax + PURG_OFF_FLAGS], PURGATORY_F_MULTIBOOT2
	jnz multiboot2

	; the boot GDT, at this copy's address
	LOAD_BOOT_SEGMENTS gdt, gdtr

	lea rax, [purgatory_params]
	mov rsi, [rax + PURG_OFF_ARG0]
	mov rax, [rax + PURG_OFF_ENTRY]
	xor ebx, ebx
	xor ecx, ecx
	xor edx, edx
	xor edi, edi
	xor ebp, ebp
	jmp rax

; A Multiboot2 payload (Multiboot2 specification 3.3, "I386 machine state"):
; EAX = 0x36D76289, EBX = the boot information's physical address; CS a
; 32-bit read/execute and DS, ES, FS, GS, SS 32-bit read/write flat
; segments; CR0.PE = 1, CR0.PG = 0; interrupts off. Leaving long mode
; (Intel SDM vol. 3, 10.8.5 "Initializing IA-32e Mode", the reverse steps):
; far return to a 32-bit code segment (compatibility mode), paging off
; (which clears EFER.LMA), then EFER.LME off. Purgatory, its GDT, its stack,
; the information and the entry are below 4 GiB (boot/place.c): the code
; runs on under the identity mapping at the same addresses.
multiboot2:
	mov esi, [rax + PURG_OFF_ARG0]     ; the information
	mov edi, [rax + PURG_OFF_ENTRY]    ; the payload's entry
	lea rax, [gdt]
	lea rdx, [gdtr]
	mov [rdx + 2], rax
	lgdt [rdx]
	push MB2_CS
	lea rax, [compat32]
	push rax
	o64 retf
bits 32
compat32:
	mov eax, BOOT_DS
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	mov eax, cr0
	and eax, 0x7fffffff                ; CR0.PG off: long mode inactive
	mov cr0, eax
	mov ecx, 0xc0000080                ; IA32_EFER
	rdmsr
	and eax, ~(1 << 8)                 ; LME off
	wrmsr
	xor eax, eax
	mov cr4, eax                       ; no PAE, PGE, LA57 left for the payload
	mov eax, 0x36d76289
	mov ebx, esi
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor ebp, ebp
	jmp edi
bits 64

section .data
align 16
gdt:
	dq 0                       ; null
	dq GDT_CODE32              ; MB2_CS: a Multiboot2 payload's
	dq GDT_CODE64              ; BOOT_CS
	dq GDT_DATA                ; BOOT_DS
gdt_end:
align 8
gdtr:
	dw gdt_end - gdt - 1
	dq 0

section .bss
align 16
	resb 16384
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
