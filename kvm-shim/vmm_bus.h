/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmm_bus.h - guest address ranges bound to device callbacks.
 *
 * The VMM has two buses per VM: port I/O (KVM_EXIT_IO, 16-bit port numbers)
 * and MMIO (KVM_EXIT_MMIO, guest-physical addresses).  A device registers a
 * range [base, base+len) with a callback and an opaque pointer to its own
 * state; the vCPU loop hands every exit in that range to the callback with the
 * offset inside the range.  Nothing is global: the buses live in struct vm.
 * Source: Documentation/virt/kvm/api.rst (KVM_RUN exit reasons IO and MMIO).
 */
#ifndef STRATA_KVM_VMM_BUS_H
#define STRATA_KVM_VMM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * vmm_io_fn - a device's access callback.
 * offset: bytes from the start of the registered range; data: `len` bytes
 * (1, 2, 4 or 8) in guest (little-endian) byte order, to fill on a read, to
 * consume on a write.  Called from a vCPU thread with the bus lock not held:
 * a device with state shared between vCPUs takes its own lock.
 */
typedef void (*vmm_io_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

struct vmm_bus_range {
	uint64_t base;
	uint64_t len;
	vmm_io_fn fn;
	void *opaque;
};

struct vmm_bus {
	struct vmm_bus_range *ranges; /* sorted by base, owned */
	size_t n;
	const char *name; /* "pio" or "mmio", for messages */
};

/* vmm_bus_init - empty bus called `name` (a static string). */
void vmm_bus_init(struct vmm_bus *bus, const char *name);

/* vmm_bus_free - release the range table (not the devices). */
void vmm_bus_free(struct vmm_bus *bus);

/*
 * vmm_bus_register - bind [base, base+len) to fn(opaque, ...).
 * len is in bytes and must be > 0.  Fails with EEXIST when the range
 * overlaps one already registered, EINVAL on len 0 or wrap-around, ENOMEM.
 * Must be called before the vCPUs run (the table is not locked).
 */
int vmm_bus_register(struct vmm_bus *bus, uint64_t base, uint64_t len, vmm_io_fn fn, void *opaque,
		     strata_error_t *err);

/*
 * vmm_bus_dispatch - route one access.  Returns true when a device claimed
 * addr..addr+len-1; false when nothing is registered there (the caller then
 * reads all-ones / drops the write, as unclaimed ISA/MMIO space does).
 */
bool vmm_bus_dispatch(const struct vmm_bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write);

#endif
