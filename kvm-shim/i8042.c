/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8042.c - CPU reset through the keyboard controller (port 0x64, 0xfe). */
#include "kvm-shim/i8042.h"

#include <string.h>

#include "kvm-shim/vm.h"

void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct vm *vm = opaque;
	(void)offset; /* registered for port 0x64 only */
	if (!is_write) {
		/* No controller behind it: the bus floats high.  Linux's i8042
		 * driver sees a status of 0xff and gives up at once ("No
		 * controller found") instead of timing out on every probe. */
		memset(data, 0xff, len);
		return;
	}
	if (data[0] == I8042_CMD_RESET)
		vm_request_stop(vm, VM_EXIT_RESET, 0, "i8042 reset");
}
