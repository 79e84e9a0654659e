/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot_pvh.c - hvm_start_info for the PVH entry.
 * Layout from Xen xen/include/public/arch-x86/hvm/start_info.h (version 1,
 * which adds the memory map); magic XEN_HVM_START_MAGIC_VALUE 0x336ec578.
 */
#include "kvm-shim/boot.h"

#include <errno.h>
#include <string.h>

#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"

#define HVM_START_MAGIC 0x336ec578U

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry layout");
_Static_assert(BOOT_PVH_MEMMAP_ADDR + BOOT_MAX_E820 * 24 <= BOOT_PVH_MODLIST_ADDR, "PVH memmap overlaps modlist");

int pvh_write_start_info(struct vm *vm, uint64_t cmdline_addr, uint64_t initrd_addr, uint64_t initrd_size,
			 uint64_t *addr, strata_error_t *err)
{
	struct e820_range map[BOOT_MAX_E820];
	size_t n = vm_e820_map(vm, map, BOOT_MAX_E820);
	struct hvm_start_info *si = vm_gpa(vm, BOOT_PVH_INFO_ADDR, sizeof(*si));
	struct hvm_memmap_table_entry *mm = vm_gpa(vm, BOOT_PVH_MEMMAP_ADDR, n * sizeof(*mm));
	struct hvm_modlist_entry *mod = vm_gpa(vm, BOOT_PVH_MODLIST_ADDR, sizeof(*mod));
	if (si == NULL || mm == NULL || mod == NULL)
		return strata_error_set(err, ENOSPC, "guest RAM too small for hvm_start_info");
	memset(si, 0, sizeof(*si));
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	si->cmdline_paddr = cmdline_addr;
	si->memmap_paddr = BOOT_PVH_MEMMAP_ADDR;
	si->memmap_entries = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_table_entry){ .addr = map[i].addr, .size = map[i].size, .type = map[i].type };
	if (initrd_size > 0) {
		*mod = (struct hvm_modlist_entry){ .paddr = initrd_addr, .size = initrd_size };
		si->nr_modules = 1;
		si->modlist_paddr = BOOT_PVH_MODLIST_ADDR;
	}
	*addr = BOOT_PVH_INFO_ADDR;
	return 0;
}
