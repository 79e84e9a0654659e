/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot_layout.h - where the VMM puts boot structures in guest-physical memory.
 *
 * Everything below 1 MiB sits in the first e820 RAM range (0 .. 0x9fc00) except
 * the MP table, which lives in the BIOS area 0xf0000 that Linux scans for the
 * MP floating pointer and that the e820 map marks reserved.  The kernel is
 * loaded at its ELF physical address (vmlinux: 16 MiB) or at 1 MiB (bzImage);
 * the initrd goes at the top of RAM.  Virtio-mmio devices sit in the 32-bit
 * hole above RAM.  Sources: Linux Documentation/x86/boot.rst (zero page,
 * command line, 64-bit protocol), Intel MP spec 1.4 §4 (where to find the
 * floating pointer), Xen public/arch-x86/hvm/start_info.h (PVH).
 */
#ifndef STRATA_KVM_BOOT_LAYOUT_H
#define STRATA_KVM_BOOT_LAYOUT_H

#define BOOT_GDT_ADDR 0x500ULL          /* 5 entries * 8 bytes */
#define BOOT_PVH_INFO_ADDR 0x6000ULL    /* struct hvm_start_info */
#define BOOT_PVH_MEMMAP_ADDR 0x6040ULL  /* hvm_memmap_table_entry[BOOT_MAX_E820] */
#define BOOT_PVH_MODLIST_ADDR 0x6400ULL /* hvm_modlist_entry[1] (initrd) */
#define BOOT_ZERO_PAGE_ADDR 0x7000ULL   /* struct boot_params, 4 KiB */
#define BOOT_STACK_TOP 0x8ff0ULL        /* initial RSP/ESP handed to stubs */
#define BOOT_PML4_ADDR 0x9000ULL        /* identity map: PML4 */
#define BOOT_PDPT_ADDR 0xa000ULL        /*               PDPT */
#define BOOT_PD_ADDR 0xb000ULL          /*               4 PDs of 2 MiB pages = 4 GiB */
#define BOOT_CMDLINE_ADDR 0x20000ULL    /* kernel command line */
#define BOOT_CMDLINE_MAX 4096           /* bytes including NUL (Linux x86 COMMAND_LINE_SIZE 2048+) */
#define BOOT_EBDA_START 0x9fc00ULL      /* end of low RAM; reserved up to 1 MiB */
#define BOOT_MPTABLE_ADDR 0xf0000ULL    /* MP floating pointer + config table */
#define BOOT_HIGH_RAM 0x100000ULL       /* 1 MiB: start of the second RAM range */
#define BOOT_BZIMAGE_ADDR 0x100000ULL   /* protected-mode part of a bzImage */
#define BOOT_MAX_E820 8

/* GDT selectors (Linux 64-bit boot protocol wants __BOOT_CS 0x10, __BOOT_DS 0x18). */
#define BOOT_SEL_CODE32 0x08
#define BOOT_SEL_CODE64 0x10
#define BOOT_SEL_DATA 0x18
#define BOOT_SEL_TSS 0x20

/* 32-bit MMIO hole: virtio-mmio devices, one 4 KiB window each, IRQs from 5. */
#define VIRTIO_MMIO_BASE 0xd0000000ULL
#define VIRTIO_MMIO_SIZE 0x1000ULL
#define VIRTIO_MMIO_FIRST_IRQ 5
#define IOAPIC_ADDR 0xfec00000U
#define LAPIC_ADDR 0xfee00000U

#endif
