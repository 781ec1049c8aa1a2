/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * purgatory-blob.S - the aarch64 purgatory (build/aarch64/purgatory.bin,
 * built from purgatory/ with linker/purgatory-aarch64.lds), embedded in the
 * application as read-only data. efi/boot.c loads it as a segment.
 */
	.section .rodata
	.global purgatory_blob
	.global purgatory_blob_end
	.balign 16
purgatory_blob:
	.incbin PURGATORY_BIN
purgatory_blob_end:

	.section .note.GNU-stack, "", %progbits
