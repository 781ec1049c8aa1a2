; SPDX-License-Identifier: BSD-2-Clause-Patent
; relocate.asm - the x86_64 relocation trampoline: after ExitBootServices,
; copy every staged page to its destination and enter purgatory.
;
; Register contract. Called from C (System V ABI) as
;   x86_relocate(head, purgatory_entry, cr3, control)   never returns
;     rdi = head      first entry of the kimage list (INDIRECTION|page or DONE)
;     rsi = entry     physical address of purgatory's entry point
;     rdx = cr3       PML4 (or PML5) of the identity map in the control pages
;     rcx = control   first control page, holding a copy of x86_relocate_body
;                     at offset 0, the GDT at X86_CTRL_GDT, the stack top at
;                     X86_CTRL_STACK_TOP (arch/x86_64/handoff.h)
; Interrupts are disabled first. x86_relocate itself runs in efikexec's own
; image (executable under the firmware's page tables, which may mark loader
; data no-execute); it switches CR3 to the control pages' identity map, under
; which every RAM page is writable and executable, and jumps to the copy of
; the body in the first control page. The body loads its GDT (64-bit code at
; 0x10, data at 0x18, as the boot protocol has them) and its stack, walks the
; entry list exactly as the kernel's relocate_kernel does - DESTINATION sets
; the cursor, SOURCE copies one page there with rep movsq and advances it,
; INDIRECTION continues in another page, DONE ends - and jumps to purgatory
; with interrupts still off and DF clear. Nothing it needs lies in a page the
; copy writes: the control pages and the staging and indirection pages are
; nobody's destination (lib/kimage.c keeps that invariant).

%include "arch/x86_64/handoff.inc"
%include "arch/x86_64/segments.inc"

bits 64
default rel

section .text
global x86_relocate
global x86_relocate_body
global x86_relocate_body_end

x86_relocate:
	cli
	cld
	mov cr3, rdx
	jmp rcx                         ; the body's copy in the control page

align 16
x86_relocate_body:
	mov r12, rsi                    ; purgatory entry
	mov r13, rcx                    ; control page
	LOAD_BOOT_SEGMENTS r13 + X86_CTRL_GDT, r13 + X86_CTRL_GDTR
	lea rsp, [r13 + X86_CTRL_STACK_TOP]

	; for (entry = head; !(entry & DONE); entry = *ptr++) {
	;	if (entry & DESTINATION) dest = page;
	;	else if (entry & INDIRECTION) ptr = page;
	;	else if (entry & SOURCE) { copy_page(dest, page); dest += 4096; }
	; }
	mov rax, rdi                    ; the entry being looked at
	xor ebx, ebx                    ; copy cursor (destination)
	xor r14d, r14d                  ; where the next entry is read
.next_entry:
	mov r8, rax
	and r8, -4096                   ; the page the entry names
	test al, 0x1                    ; IND_DESTINATION
	jz .not_dest
	mov rbx, r8
	jmp .advance
.not_dest:
	test al, 0x2                    ; IND_INDIRECTION
	jz .not_ind
	mov r14, r8
	jmp .advance
.not_ind:
	test al, 0x4                    ; IND_DONE
	jnz .done
	test al, 0x8                    ; IND_SOURCE
	jz .advance
	mov rsi, r8
	mov rdi, rbx
	mov ecx, 512
	rep movsq
	add rbx, 4096
.advance:
	mov rax, [r14]
	add r14, 8
	jmp .next_entry
.done:
	xor eax, eax
	xor ebx, ebx
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	jmp r12
x86_relocate_body_end:

section .note.GNU-stack noalloc noexec nowrite progbits
