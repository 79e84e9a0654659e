/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8042.h - the keyboard controller's reset line, nothing else.
 *
 * Writing command 0xfe (pulse output port bit 0 = CPU reset) to port 0x64
 * stops the VM with VM_EXIT_RESET; Linux uses it for `reboot=k` and as one of
 * its fallbacks.  Reads of port 0x64 return 0xff, as an absent controller
 * does, so the guest's i8042 driver gives up at once instead of timing out.
 * Source: IBM PC/AT Technical Reference, 8042 commands; Linux
 * arch/x86/kernel/reboot.c (BOOT_KBD).
 */
#ifndef STRATA_KVM_I8042_H
#define STRATA_KVM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT 0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET 0xfe

/* i8042_io - port-bus callback (vmm_io_fn); opaque is the struct vm. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
