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

section .data
align 16
gdt:
	dq 0                       ; null
	dq 0                       ; unused
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
