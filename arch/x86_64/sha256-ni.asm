; SPDX-License-Identifier: BSD-2-Clause-Patent
; sha256-ni.asm - SHA-256 blocks with the x86 SHA extensions (SHA-NI):
;   void x86_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t n)
; System V ABI (rdi = h, rsi = p, rdx = n blocks of 64 bytes). Used only
; when CPUID.(EAX=7,ECX=0):EBX[29] (SHA), SSSE3 and SSE4.1 are set
; (x86_sha256_ni_usable below), and checked against the portable code on a
; test message by lib/sha256.c before it is installed, and on the host by
; tests/unit/test_sha256.c.
;
; The state lives as ABEF in xmm1 and CDGH in xmm2, the order SHA256RNDS2
; works in (Intel, "Intel SHA Extensions", 2013, and the SDM's SHA256RNDS2,
; SHA256MSG1, SHA256MSG2); xmm0 carries message + round constants, four
; rounds per 16 bytes; xmm3-xmm6 are the message schedule.
; Assembled for the EFI application and for purgatory alike
; (position independent: the constants are addressed RIP-relative).

bits 64
default rel
section .text

; one group of four rounds, i = 0..15 (W in M(i % 4)); the schedule for
; later groups is advanced alongside, as the instructions' latencies allow
%macro ROUNDS4 1
	%assign i %1
	%assign cur 3 + (i % 4)
	%assign prev 3 + ((i + 3) % 4)
	%assign next 3 + ((i + 1) % 4)
	%xdefine Mcur xmm %+ cur
	%xdefine Mprev xmm %+ prev
	%xdefine Mnext xmm %+ next
	movdqa xmm0, Mcur
	paddd xmm0, [k256 + 16 * i]
	sha256rnds2 xmm2, xmm1
	%if i >= 3 && i <= 14
	movdqa xmm7, Mcur
	palignr xmm7, Mprev, 4
	paddd Mnext, xmm7
	sha256msg2 Mnext, Mcur
	%endif
	pshufd xmm0, xmm0, 0x0e
	sha256rnds2 xmm1, xmm2
	%if i >= 1 && i <= 12
	sha256msg1 Mprev, Mcur
	%endif
%endmacro

global x86_sha256_ni_blocks
x86_sha256_ni_blocks:
	test rdx, rdx
	jz .done
	movdqu xmm1, [rdi]            ; d c b a (a in the low dword)
	movdqu xmm2, [rdi + 16]       ; h g f e
	pshufd xmm1, xmm1, 0xb1       ; c d a b
	pshufd xmm2, xmm2, 0x1b       ; e f g h
	movdqa xmm7, xmm1
	palignr xmm1, xmm2, 8         ; a b e f
	pblendw xmm2, xmm7, 0xf0      ; c d g h
	movdqa xmm8, [bswap32]
.block:
	movdqa xmm9, xmm1
	movdqa xmm10, xmm2
	movdqu xmm3, [rsi]
	pshufb xmm3, xmm8
	movdqu xmm4, [rsi + 16]
	pshufb xmm4, xmm8
	movdqu xmm5, [rsi + 32]
	pshufb xmm5, xmm8
	movdqu xmm6, [rsi + 48]
	pshufb xmm6, xmm8
	%assign g 0
	%rep 16
	ROUNDS4 g
	%assign g g + 1
	%endrep
	paddd xmm1, xmm9
	paddd xmm2, xmm10
	add rsi, 64
	dec rdx
	jnz .block
	pshufd xmm1, xmm1, 0x1b       ; f e b a
	pshufd xmm2, xmm2, 0xb1       ; d c h g
	movdqa xmm7, xmm1
	pblendw xmm1, xmm2, 0xf0      ; d c b a
	palignr xmm2, xmm7, 8         ; h g f e
	movdqu [rdi], xmm1
	movdqu [rdi + 16], xmm2
.done:
	ret

; bool x86_sha256_ni_usable(void): CPUID says SHA, SSSE3 and SSE4.1
global x86_sha256_ni_usable
x86_sha256_ni_usable:
	push rbx
	xor eax, eax
	cpuid
	cmp eax, 7
	jb .no
	mov eax, 1
	cpuid
	mov r8d, ecx                  ; SSSE3: ECX[9], SSE4.1: ECX[19]
	and r8d, (1 << 9) | (1 << 19)
	cmp r8d, (1 << 9) | (1 << 19)
	jne .no
	mov eax, 7
	xor ecx, ecx
	cpuid
	bt ebx, 29                    ; SHA
	jnc .no
	mov eax, 1
	pop rbx
	ret
.no:
	xor eax, eax
	pop rbx
	ret

section .rodata
align 16
bswap32:                              ; big-endian message words
	db 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12
align 16
k256:                                 ; FIPS 180-4, 4.2.2
	dd 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	dd 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	dd 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	dd 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	dd 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	dd 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	dd 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	dd 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

section .note.GNU-stack noalloc noexec nowrite progbits
