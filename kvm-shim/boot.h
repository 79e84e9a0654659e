/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot.h - load a guest kernel and prepare the boot vCPU.
 *
 * Accepted images, tried in this order:
 *  1. ELF64 x86-64 with a Xen ELF note 18 (XEN_ELFNOTE_PHYS32_ENTRY): the PVH
 *     entry (Xen docs/misc/pvh.pandoc) - EBX -> hvm_start_info with the e820
 *     map, the command line and the initrd as module 0.
 *  2. ELF64 x86-64 without it (or with VM_KERNEL_FORCE_LINUX64): the Linux
 *     64-bit boot protocol at e_entry (a vmlinux's e_entry is physical),
 *     RSI -> boot_params built from scratch.
 *  3. bzImage ("HdrS" at 0x202, protocol >= 2.12 with XLF_KERNEL_64): the
 *     protected-mode part at 1 MiB, 64-bit entry at +0x200, boot_params
 *     starting from the image's setup header.
 * Every layout writes an MP table (SMP without ACPI) and the e820 map
 * RAM 0..0x9fc00, reserved 0x9fc00..1 MiB, RAM 1 MiB..end.
 * Sources: Linux Documentation/x86/boot.rst; Xen public/elfnote.h and
 * public/arch-x86/hvm/start_info.h; Intel MultiProcessor Specification 1.4.
 */
#ifndef STRATA_KVM_BOOT_H
#define STRATA_KVM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct vm;

#define VM_KERNEL_FORCE_LINUX64 0x1 /* ignore a PVH note: use the 64-bit boot protocol */
#define VM_KERNEL_PVM_OK 0x2        /* caller vouches the kernel runs under PVM (PVM-enabled, or a test stub) */

struct vm_kernel {
	const char *path;     /* vmlinux ELF or bzImage */
	const char *cmdline;  /* kernel command line, may be NULL; the virtio_mmio.device= words are
			       * added at its end, or before " -- " (the start of init's arguments) */
	const char *initrd;   /* initramfs path or NULL */
	unsigned flags;       /* VM_KERNEL_* */
};

/* e820 entry types (ACPI spec "Address Range Types"). */
#define E820_RAM 1
#define E820_RESERVED 2

struct e820_range {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/*
 * vm_e820_map - the VM's memory map into out[0..max); returns the count.
 * Pure function of vm->mem_size.
 */
size_t vm_e820_map(const struct vm *vm, struct e820_range *out, size_t max);

/*
 * vm_load_kernel - load k into guest memory and set vm->boot.
 * On a PVM host without VM_KERNEL_PVM_OK this fails with ENOTSUP and the
 * message "this host's /dev/kvm is PVM (kvm_pvm): ..." before touching guest
 * memory - an ordinary guest kernel would never finish booting there.
 * Other errors: ENOENT/EACCES opening files, ENOEXEC for an image that is
 * neither a usable ELF nor bzImage, ENOSPC when RAM is too small for the
 * kernel or initrd ("too little memory"), E2BIG for a too long cmdline.
 */
int vm_load_kernel(struct vm *vm, const struct vm_kernel *k, strata_error_t *err);

/* --- internals shared by the boot files (boot_elf.c, boot_pvh.c, boot_params.c, mptable.c) --- */

struct elf_kernel_info {
	uint64_t entry;      /* e_entry (physical for vmlinux) */
	uint64_t pvh_entry;  /* from note 18, 0 when absent */
	uint64_t lowest;     /* lowest loaded physical address */
	uint64_t highest;    /* end (exclusive) of the highest segment incl. bss */
};

/*
 * elf_kernel_load - check an ELF64 x86-64 executable image[0..size), copy its
 * PT_LOAD segments to their physical addresses in guest RAM (zeroing bss) and
 * fill *info.  Every offset and size in the file is bounds-checked.
 * Returns 0, or -1 (ENOEXEC bad ELF, ENOSPC segment outside RAM).
 */
int elf_kernel_load(struct vm *vm, const uint8_t *image, size_t size, struct elf_kernel_info *info,
		    strata_error_t *err);

/*
 * elf_find_pvh_entry - the XEN_ELFNOTE_PHYS32_ENTRY value of an ELF64 image
 * (PT_NOTE segments, then SHT_NOTE sections), 0 when there is none.
 */
uint64_t elf_find_pvh_entry(const uint8_t *image, size_t size);

/* pvh_write_start_info - hvm_start_info + memmap (+ initrd module) at BOOT_PVH_*; returns its address via *addr. */
int pvh_write_start_info(struct vm *vm, uint64_t cmdline_addr, uint64_t initrd_addr, uint64_t initrd_size,
			 uint64_t *addr, strata_error_t *err);

/*
 * boot_params_write - zero page at BOOT_ZERO_PAGE_ADDR.  setup_hdr/hdr_len is
 * the bzImage's setup header (from offset 0x1f1), or NULL for a vmlinux.
 */
int boot_params_write(struct vm *vm, const uint8_t *setup_hdr, size_t hdr_len, uint64_t cmdline_addr,
		      size_t cmdline_len, uint64_t initrd_addr, uint64_t initrd_size, strata_error_t *err);

/* mptable_write - MP floating pointer + configuration table at BOOT_MPTABLE_ADDR for vm->nr_vcpus CPUs. */
int mptable_write(struct vm *vm, strata_error_t *err);

#endif
