/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * sha256-ce.S - SHA-256 blocks with the Armv8 SHA2 instructions (SHA256H,
 * SHA256H2, SHA256SU0, SHA256SU1; ARM DDI 0487, C7.2): four rounds per
 * instruction pair instead of some sixty instructions each. Used by the
 * application and by purgatory when ID_AA64ISAR0_EL1.SHA2 says the CPU has
 * them and FP/SIMD is not trapped (arch/aarch64/cpu.h); lib/sha256.c checks
 * it against the portable code before using it.
 *
 *   aarch64_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n)
 *     x0 = h, x1 = p (n 64-byte blocks, any alignment), x2 = n
 * Register contract: AAPCS64; clobbers v0-v7, v16-v19 (caller-saved) and
 * x3-x4. Position independent (ADRP), so purgatory can run it at any
 * page-aligned address, with the MMU on or off (byte-element loads only).
 */
	.arch	armv8-a+crypto
	.text
	.global aarch64_sha256_blocks
	.type aarch64_sha256_blocks, %function

/* four rounds with W in \wa; with \sched, also the next four words of the
 * schedule into \wa from \wa..\wd (W[t-16..t-1]) */
	.macro	QUAD wa, wb, wc, wd, sched
	ld1	{v4.4s}, [x4], #16
	add	v5.4s, \wa\().4s, v4.4s
	.if \sched
	sha256su0 \wa\().4s, \wb\().4s
	.endif
	mov	v6.16b, v0.16b
	sha256h	q0, q1, v5.4s
	sha256h2 q1, q6, v5.4s
	.if \sched
	sha256su1 \wa\().4s, \wc\().4s, \wd\().4s
	.endif
	.endm

aarch64_sha256_blocks:
	cbz	x2, 2f
	adrp	x3, sha256_k
	add	x3, x3, :lo12:sha256_k
	ld1	{v0.4s, v1.4s}, [x0]
1:	ld1	{v16.16b, v17.16b, v18.16b, v19.16b}, [x1], #64
	rev32	v16.16b, v16.16b
	rev32	v17.16b, v17.16b
	rev32	v18.16b, v18.16b
	rev32	v19.16b, v19.16b
	mov	v2.16b, v0.16b
	mov	v3.16b, v1.16b
	mov	x4, x3
	.rept	3
	QUAD	v16, v17, v18, v19, 1
	QUAD	v17, v18, v19, v16, 1
	QUAD	v18, v19, v16, v17, 1
	QUAD	v19, v16, v17, v18, 1
	.endr
	QUAD	v16, v17, v18, v19, 0
	QUAD	v17, v18, v19, v16, 0
	QUAD	v18, v19, v16, v17, 0
	QUAD	v19, v16, v17, v18, 0
	add	v0.4s, v0.4s, v2.4s
	add	v1.4s, v1.4s, v3.4s
	subs	x2, x2, #1
	b.ne	1b
	st1	{v0.4s, v1.4s}, [x0]
2:	ret
	.size aarch64_sha256_blocks, . - aarch64_sha256_blocks

	.section .rodata
	.balign	16
/* FIPS 180-4 4.2.2 */
sha256_k:
	.word	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.word	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.word	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.word	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.word	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.word	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.word	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.word	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

	.section .note.GNU-stack, "", %progbits
