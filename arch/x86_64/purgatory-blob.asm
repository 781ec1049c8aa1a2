; SPDX-License-Identifier: BSD-2-Clause-Patent
; purgatory-blob.asm - the x86_64 purgatory (build/x86_64/purgatory.bin,
; built from purgatory/ with linker/purgatory-x86_64.lds), embedded in the
; application as read-only data. efi/boot.c loads it as a segment.
section .rodata
global purgatory_blob
global purgatory_blob_end
align 16
purgatory_blob:
	incbin PURGATORY_BIN
purgatory_blob_end:

section .note.GNU-stack noalloc noexec nowrite progbits
