/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vmm_boot.c - the VMM's boot structures on a plain buffer standing in
 * for guest RAM (no KVM): ELF loading with hostile headers, the Xen PVH note,
 * the e820 map, boot_params fields, hvm_start_info, and the MP table.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvm-shim/boot.h"
#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"

#define RAM (16u << 20)

static int setup(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	vm->mem = calloc(1, RAM);
	vm->mem_size = RAM;
	vm->nr_vcpus = 2;
	*state = vm;
	return 0;
}

static int teardown(void **state)
{
	struct vm *vm = *state;
	free(vm->mem);
	free(vm);
	return 0;
}

/* A small ELF: one PT_LOAD (16 bytes + 16 bss at 1 MiB) and a PT_NOTE with the PVH note. */
struct test_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	Elf64_Nhdr nh;
	char name[4];
	uint32_t desc;
	uint8_t code[16];
} __attribute__((packed));

static void make_elf(struct test_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_entry = 0x100000;
	e->eh.e_phoff = offsetof(struct test_elf, ph);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 2;
	e->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = offsetof(struct test_elf, code), .p_paddr = 0x100000,
				 .p_filesz = 16, .p_memsz = 32 };
	e->ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = offsetof(struct test_elf, nh),
				 .p_filesz = sizeof(Elf64_Nhdr) + 8 };
	e->nh = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 4, .n_type = 18 };
	memcpy(e->name, "Xen", 4);
	e->desc = 0x100004;
	memset(e->code, 0x90, 16);
}

static int load(struct vm *vm, const struct test_elf *e, int *code)
{
	strata_error_t err = NULL;
	struct elf_kernel_info info;
	int rc = elf_kernel_load(vm, (const uint8_t *)e, sizeof(*e), &info, &err);
	*code = rc < 0 ? err->code : 0;
	strata_error_free(&err);
	return rc;
}

static void test_elf_load(void **state)
{
	struct vm *vm = *state;
	struct test_elf e;
	make_elf(&e);
	memset(vm->mem + 0x100010, 0xee, 16); /* bss must be zeroed */
	strata_error_t err = NULL;
	struct elf_kernel_info info;
	assert_int_equal(elf_kernel_load(vm, (const uint8_t *)&e, sizeof(e), &info, &err), 0);
	assert_int_equal(info.entry, 0x100000);
	assert_int_equal(info.pvh_entry, 0x100004);
	assert_int_equal(info.lowest, 0x100000);
	assert_int_equal(info.highest, 0x100020);
	assert_int_equal(vm->mem[0x100000], 0x90);
	assert_int_equal(vm->mem[0x100010], 0);
	assert_int_equal(vm->mem[0x10001f], 0);
}

static void test_elf_hostile_headers(void **state)
{
	struct vm *vm = *state;
	struct test_elf e;
	int code;
	make_elf(&e);
	e.eh.e_machine = EM_386;
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOEXEC);
	make_elf(&e);
	e.eh.e_phoff = 1u << 30; /* table outside the file */
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOEXEC);
	make_elf(&e);
	e.eh.e_phnum = 0xffff; /* table runs past the file */
	assert_int_equal(load(vm, &e, &code), -1);
	make_elf(&e);
	e.ph[0].p_filesz = 64; /* more file bytes than memory */
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOEXEC);
	make_elf(&e);
	e.ph[0].p_offset = UINT64_MAX - 4; /* offset + size wraps */
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOEXEC);
	make_elf(&e);
	e.ph[0].p_paddr = RAM - 8; /* segment past the end of RAM */
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOSPC);
	make_elf(&e);
	e.ph[0].p_paddr = UINT64_MAX - 8; /* paddr + memsz wraps */
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOSPC);
	make_elf(&e);
	e.ph[0].p_type = PT_NULL; /* nothing to load */
	assert_int_equal(load(vm, &e, &code), -1);
	assert_int_equal(code, ENOEXEC);
}

static void test_pvh_note_parsing(void **state)
{
	(void)state;
	struct test_elf e;
	make_elf(&e);
	assert_int_equal(elf_find_pvh_entry((const uint8_t *)&e, sizeof(e)), 0x100004);
	e.nh.n_namesz = 0xfffffff0; /* name runs past the segment */
	assert_int_equal(elf_find_pvh_entry((const uint8_t *)&e, sizeof(e)), 0);
	make_elf(&e);
	e.nh.n_descsz = 400;
	assert_int_equal(elf_find_pvh_entry((const uint8_t *)&e, sizeof(e)), 0);
	make_elf(&e);
	e.nh.n_type = 17; /* another Xen note */
	assert_int_equal(elf_find_pvh_entry((const uint8_t *)&e, sizeof(e)), 0);
	make_elf(&e);
	e.ph[1].p_filesz = 1u << 20; /* PT_NOTE beyond the file */
	assert_int_equal(elf_find_pvh_entry((const uint8_t *)&e, sizeof(e)), 0);
	/* Truncated images never read past their size. */
	make_elf(&e);
	for (size_t n = 1; n < sizeof(e); n++) {
		uint8_t *copy = malloc(n); /* exactly n bytes: ASan sees any overread */
		memcpy(copy, &e, n);
		(void)elf_find_pvh_entry(copy, n);
		free(copy);
	}
}

static void test_e820_and_boot_params(void **state)
{
	struct vm *vm = *state;
	struct e820_range map[8];
	assert_int_equal(vm_e820_map(vm, map, 8), 3);
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].size, 0x9fc00);
	assert_int_equal(map[1].type, E820_RESERVED);
	assert_int_equal(map[2].addr, 0x100000);
	assert_int_equal(map[2].addr + map[2].size, RAM);
	assert_int_equal(map[2].type, E820_RAM);

	strata_error_t err = NULL;
	assert_int_equal(boot_params_write(vm, NULL, 0, BOOT_CMDLINE_ADDR, 12, 0x800000, 4096, &err), 0);
	const uint8_t *bp = vm->mem + BOOT_ZERO_PAGE_ADDR;
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(bp[0x1fe] | bp[0x1ff] << 8, 0xaa55);
	assert_int_equal(bp[0x210], 0xff);
	uint32_t v;
	memcpy(&v, bp + 0x228, 4);
	assert_int_equal(v, BOOT_CMDLINE_ADDR);
	memcpy(&v, bp + 0x218, 4);
	assert_int_equal(v, 0x800000);
	memcpy(&v, bp + 0x21c, 4);
	assert_int_equal(v, 4096);
	assert_int_equal(bp[0x1e8], 3);
	uint64_t addr;
	memcpy(&addr, bp + 0x2d0 + 2 * 20, 8);
	assert_int_equal(addr, 0x100000);
}

static void test_pvh_start_info(void **state)
{
	struct vm *vm = *state;
	strata_error_t err = NULL;
	uint64_t si;
	assert_int_equal(pvh_write_start_info(vm, BOOT_CMDLINE_ADDR, 0x800000, 8192, &si, &err), 0);
	const uint8_t *p = vm->mem + si;
	uint32_t magic, nr_modules, memmap_entries;
	uint64_t modlist, cmdline, memmap, mod_addr, mod_size;
	memcpy(&magic, p, 4);
	memcpy(&nr_modules, p + 12, 4);
	memcpy(&modlist, p + 16, 8);
	memcpy(&cmdline, p + 24, 8);
	memcpy(&memmap, p + 40, 8);
	memcpy(&memmap_entries, p + 48, 4);
	assert_int_equal(magic, 0x336ec578);
	assert_int_equal(nr_modules, 1);
	assert_int_equal(cmdline, BOOT_CMDLINE_ADDR);
	assert_int_equal(memmap_entries, 3);
	memcpy(&mod_addr, vm->mem + modlist, 8);
	memcpy(&mod_size, vm->mem + modlist + 8, 8);
	assert_int_equal(mod_addr, 0x800000);
	assert_int_equal(mod_size, 8192);
	uint32_t type;
	memcpy(&type, vm->mem + memmap + 24 + 16, 4);
	assert_int_equal(type, E820_RESERVED);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static void test_mptable(void **state)
{
	struct vm *vm = *state;
	strata_error_t err = NULL;
	assert_int_equal(mptable_write(vm, &err), 0);
	const uint8_t *mpf = vm->mem + BOOT_MPTABLE_ADDR;
	assert_memory_equal(mpf, "_MP_", 4);
	assert_int_equal(sum(mpf, 16), 0);
	uint32_t physptr;
	memcpy(&physptr, mpf + 4, 4);
	const uint8_t *mpc = vm->mem + physptr;
	assert_memory_equal(mpc, "PCMP", 4);
	uint16_t len, count;
	memcpy(&len, mpc + 4, 2);
	memcpy(&count, mpc + 34, 2);
	assert_int_equal(sum(mpc, len), 0);
	/* 2 CPUs, 1 bus, 1 IOAPIC, 24 I/O interrupts, 2 local interrupts. */
	assert_int_equal(count, 2 + 1 + 1 + 24 + 2);
	const uint8_t *cpu0 = mpc + 44, *cpu1 = cpu0 + 20;
	assert_int_equal(cpu0[0], 0);
	assert_int_equal(cpu0[3], 3); /* enabled + bootstrap */
	assert_int_equal(cpu1[1], 1);
	assert_int_equal(cpu1[3], 1);
	/* The whole table sits in the reserved BIOS area, below 1 MiB. */
	assert_true(physptr + len <= 0x100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_elf_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_hostile_headers, setup, teardown),
		cmocka_unit_test(test_pvh_note_parsing),
		cmocka_unit_test_setup_teardown(test_e820_and_boot_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_start_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mptable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
