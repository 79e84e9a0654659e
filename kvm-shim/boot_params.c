/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot_params.c - the Linux "zero page" for the 64-bit boot protocol.
 * Offsets from Linux Documentation/x86/zero-page.rst and boot.rst (setup
 * header at 0x1f1, e820_table at 0x2d0, e820_entries at 0x1e8).
 */
#include "kvm-shim/boot.h"

#include <errno.h>
#include <string.h>

#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"

#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HEADER 0x1f1
#define BP_BOOT_FLAG 0x1fe
#define BP_HEADER 0x202
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_HEAP_END_PTR 0x224
#define BP_CMD_LINE_PTR 0x228
#define BP_CMDLINE_SIZE 0x238
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define BP_SIZE 4096

#define LOADFLAG_LOADED_HIGH 0x01
#define LOADFLAG_CAN_USE_HEAP 0x80

static void put16(uint8_t *bp, size_t off, uint16_t v) { memcpy(bp + off, &v, 2); }
static void put32(uint8_t *bp, size_t off, uint32_t v) { memcpy(bp + off, &v, 4); }

int boot_params_write(struct vm *vm, const uint8_t *setup_hdr, size_t hdr_len, uint64_t cmdline_addr,
		      size_t cmdline_len, uint64_t initrd_addr, uint64_t initrd_size, strata_error_t *err)
{
	uint8_t *bp = vm_gpa(vm, BOOT_ZERO_PAGE_ADDR, BP_SIZE);
	if (bp == NULL)
		return strata_error_set(err, ENOSPC, "guest RAM too small for boot_params");
	memset(bp, 0, BP_SIZE);
	if (setup_hdr != NULL) {
		if (hdr_len > BP_E820_TABLE - BP_SETUP_HEADER)
			hdr_len = BP_E820_TABLE - BP_SETUP_HEADER;
		memcpy(bp + BP_SETUP_HEADER, setup_hdr, hdr_len);
	} else {
		/* A vmlinux has no setup header: write the fields a boot loader
		 * would find in one (protocol 2.15). */
		put16(bp, BP_BOOT_FLAG, 0xaa55);
		memcpy(bp + BP_HEADER, "HdrS", 4);
		put16(bp, BP_VERSION, 0x020f);
	}
	bp[BP_TYPE_OF_LOADER] = 0xff; /* undefined loader */
	bp[BP_LOADFLAGS] |= LOADFLAG_LOADED_HIGH | LOADFLAG_CAN_USE_HEAP;
	put16(bp, BP_HEAP_END_PTR, 0xfe00);
	put32(bp, BP_CMD_LINE_PTR, (uint32_t)cmdline_addr);
	put32(bp, BP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline_addr >> 32));
	put32(bp, BP_CMDLINE_SIZE, (uint32_t)cmdline_len);
	put32(bp, BP_RAMDISK_IMAGE, (uint32_t)initrd_addr);
	put32(bp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_addr >> 32));
	put32(bp, BP_RAMDISK_SIZE, (uint32_t)initrd_size);
	put32(bp, BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));

	struct e820_range map[BOOT_MAX_E820];
	size_t n = vm_e820_map(vm, map, BOOT_MAX_E820);
	for (size_t i = 0; i < n && i < BP_E820_MAX; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * 20; /* packed: u64 addr, u64 size, u32 type */
		memcpy(e, &map[i].addr, 8);
		memcpy(e + 8, &map[i].size, 8);
		memcpy(e + 16, &map[i].type, 4);
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	return 0;
}
