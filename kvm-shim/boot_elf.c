/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot_elf.c - load an ELF64 vmlinux (or test stub) into guest RAM and find
 * its PVH entry note.  Source: System V gABI (ELF header, program headers,
 * note format), Xen public/elfnote.h (XEN_ELFNOTE_PHYS32_ENTRY = 18).
 */
#include "kvm-shim/boot.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#include "kvm-shim/vm.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static const Elf64_Ehdr *elf_header(const uint8_t *image, size_t size)
{
	if (size < sizeof(Elf64_Ehdr))
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return NULL;
	return eh;
}

/* Table of `num` entries of `entsize` bytes at `off`, all inside the image. */
static bool table_ok(size_t size, uint64_t off, uint64_t num, uint64_t entsize, size_t min_entsize)
{
	if (num == 0)
		return true;
	if (entsize < min_entsize || num > size / entsize)
		return false;
	return off <= size && num * entsize <= size - off;
}

/* Walk the notes in [p, p+len); return the PHYS32_ENTRY value or 0. */
static uint64_t scan_notes(const uint8_t *p, uint64_t len)
{
	uint64_t pos = 0;
	while (len - pos >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(p + pos);
		uint64_t name_off = pos + sizeof(*nh);
		uint64_t namesz = ((uint64_t)nh->n_namesz + 3) & ~3ULL;
		uint64_t descsz = ((uint64_t)nh->n_descsz + 3) & ~3ULL;
		if (namesz > len - name_off || descsz > len - name_off - namesz)
			return 0;
		const uint8_t *name = p + name_off;
		const uint8_t *desc = name + namesz;
		if (nh->n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh->n_namesz == 4 && memcmp(name, "Xen", 4) == 0) {
			if (nh->n_descsz == 4) {
				uint32_t v;
				memcpy(&v, desc, 4);
				return v;
			}
			if (nh->n_descsz == 8) {
				uint64_t v;
				memcpy(&v, desc, 8);
				return v;
			}
		}
		pos = name_off + namesz + descsz;
	}
	return 0;
}

uint64_t elf_find_pvh_entry(const uint8_t *image, size_t size)
{
	const Elf64_Ehdr *eh = elf_header(image, size);
	if (eh == NULL)
		return 0;
	if (table_ok(size, eh->e_phoff, eh->e_phnum, eh->e_phentsize, sizeof(Elf64_Phdr))) {
		for (unsigned i = 0; i < eh->e_phnum; i++) {
			const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + eh->e_phoff + (uint64_t)i * eh->e_phentsize);
			if (ph->p_type != PT_NOTE || ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
				continue;
			uint64_t v = scan_notes(image + ph->p_offset, ph->p_filesz);
			if (v != 0)
				return v;
		}
	}
	if (table_ok(size, eh->e_shoff, eh->e_shnum, eh->e_shentsize, sizeof(Elf64_Shdr))) {
		for (unsigned i = 0; i < eh->e_shnum; i++) {
			const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff + (uint64_t)i * eh->e_shentsize);
			if (sh->sh_type != SHT_NOTE || sh->sh_offset > size || sh->sh_size > size - sh->sh_offset)
				continue;
			uint64_t v = scan_notes(image + sh->sh_offset, sh->sh_size);
			if (v != 0)
				return v;
		}
	}
	return 0;
}

int elf_kernel_load(struct vm *vm, const uint8_t *image, size_t size, struct elf_kernel_info *info,
		    strata_error_t *err)
{
	const Elf64_Ehdr *eh = elf_header(image, size);
	if (eh == NULL)
		return strata_error_set(err, ENOEXEC, "not an ELF64 x86-64 executable");
	if (eh->e_phnum == 0 || !table_ok(size, eh->e_phoff, eh->e_phnum, eh->e_phentsize, sizeof(Elf64_Phdr)))
		return strata_error_set(err, ENOEXEC, "ELF program header table is out of bounds");
	memset(info, 0, sizeof(*info));
	info->lowest = UINT64_MAX;
	unsigned loaded = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + eh->e_phoff + (uint64_t)i * eh->e_phentsize);
		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
			return strata_error_set(err, ENOEXEC, "ELF segment %u is out of the file's bounds", i);
		uint8_t *dst = vm_gpa(vm, ph->p_paddr, ph->p_memsz);
		if (dst == NULL)
			return strata_error_set(err, ENOSPC,
						"too little memory: kernel segment at 0x%llx+0x%llx does not fit in "
						"%llu MiB of guest RAM",
						(unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz,
						(unsigned long long)(vm->mem_size >> 20));
		memcpy(dst, image + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (ph->p_paddr < info->lowest)
			info->lowest = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > info->highest)
			info->highest = ph->p_paddr + ph->p_memsz;
		loaded++;
	}
	if (loaded == 0)
		return strata_error_set(err, ENOEXEC, "ELF has no loadable segment");
	info->entry = eh->e_entry;
	info->pvh_entry = elf_find_pvh_entry(image, size);
	return 0;
}
