/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmm_bus.c - address-range dispatch for port I/O and MMIO exits. */
#include "kvm-shim/vmm_bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void vmm_bus_init(struct vmm_bus *bus, const char *name)
{
	bus->ranges = NULL;
	bus->n = 0;
	bus->name = name;
}

void vmm_bus_free(struct vmm_bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->n = 0;
}

int vmm_bus_register(struct vmm_bus *bus, uint64_t base, uint64_t len, vmm_io_fn fn, void *opaque,
		     strata_error_t *err)
{
	if (len == 0 || base + len < base)
		return strata_error_set(err, EINVAL, "%s range 0x%llx+0x%llx is invalid", bus->name,
					(unsigned long long)base, (unsigned long long)len);
	size_t pos = 0;
	for (; pos < bus->n; pos++) {
		const struct vmm_bus_range *r = &bus->ranges[pos];
		if (base < r->base + r->len && r->base < base + len)
			return strata_error_set(err, EEXIST, "%s range 0x%llx+0x%llx overlaps 0x%llx+0x%llx",
						bus->name, (unsigned long long)base, (unsigned long long)len,
						(unsigned long long)r->base, (unsigned long long)r->len);
		if (r->base > base)
			break;
	}
	struct vmm_bus_range *nr = realloc(bus->ranges, (bus->n + 1) * sizeof(*nr));
	if (nr == NULL)
		return strata_error_errno(err, ENOMEM, "%s bus", bus->name);
	bus->ranges = nr;
	/* Overlap was checked against every range before `pos` and the loop
	 * stopped at the first range above base; check the rest too. */
	for (size_t i = pos; i < bus->n; i++) {
		const struct vmm_bus_range *r = &bus->ranges[i];
		if (base < r->base + r->len && r->base < base + len)
			return strata_error_set(err, EEXIST, "%s range 0x%llx overlaps 0x%llx", bus->name,
						(unsigned long long)base, (unsigned long long)r->base);
	}
	memmove(&nr[pos + 1], &nr[pos], (bus->n - pos) * sizeof(*nr));
	nr[pos] = (struct vmm_bus_range){ .base = base, .len = len, .fn = fn, .opaque = opaque };
	bus->n++;
	return 0;
}

bool vmm_bus_dispatch(const struct vmm_bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	size_t lo = 0, hi = bus->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vmm_bus_range *r = &bus->ranges[mid];
		if (addr < r->base) {
			hi = mid;
		} else if (addr - r->base >= r->len) {
			lo = mid + 1;
		} else {
			/* The whole access must sit inside the range. */
			if (len > r->len - (addr - r->base))
				return false;
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			return true;
		}
	}
	return false;
}
