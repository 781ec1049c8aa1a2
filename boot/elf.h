/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * elf.h - the program headers of an ELF executable as loader pieces, for
 * the ELF vmlinux loader (boot/elf.c) and the Multiboot2 loader, whose
 * payloads (Xen's xen.gz) are ELF32 i386 files.
 */
#ifndef EFIKEXEC_ELF_H
#define EFIKEXEC_ELF_H

#include "loader.h"

#define ELF_EM_386 3
#define ELF_EM_X86_64 62
#define ELF_EM_AARCH64 183

struct elf_layout {
	uint16_t machine;      /* e_machine */
	bool is64;             /* ELFCLASS64 */
	uint64_t lo, hi;       /* the PT_LOADs' page-aligned span, by p_paddr */
	uint64_t entry;        /* e_entry */
	uint64_t entry_phys;   /* e_entry inside a PT_LOAD, physical; ~0: in none */
};

/*
 * Every PT_LOAD of the ELF `s` (its head read) as c->k.piece[], mem_off
 * from l->lo; checks that each lies in the file, that filesz <= memsz, that
 * none overlap. ELFCLASS32 EM_386 only with allow32.
 */
rt_status elf_layout(struct ld_ctx *c, struct ld_src *s, bool allow32, struct elf_layout *l);

#endif
