/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mptable.c - Intel MultiProcessor Specification 1.4 tables, so Linux finds
 * the CPUs, the ISA bus and the IOAPIC without ACPI (CONFIG_X86_MPPARSE).
 * Floating pointer (§4.1), configuration table header (§4.2), processor
 * (§4.3.1), bus (§4.3.2), I/O APIC (§4.3.3), I/O interrupt assignment
 * (§4.3.4) and local interrupt assignment (§4.3.5) entries.
 */
#include "kvm-shim/boot.h"

#include <errno.h>
#include <string.h>

#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"

#define MP_SPEC_REV 4
#define MP_LAPIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_IOAPIC_PINS 24

struct mpf_intel {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;
	uint8_t length;    /* in 16-byte units: 1 */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature1;  /* 0: a configuration table is present */
	uint8_t feature2;
	uint8_t feature3[3];
} __attribute__((packed));

struct mpc_table {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type; /* 0 */
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag; /* bit 0 enabled, bit 1 bootstrap processor */
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type; /* 1 */
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type; /* 2 */
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags; /* bit 0 enabled */
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type; /* 3 I/O interrupt, 4 local interrupt */
	uint8_t irqtype; /* 0 INT, 1 NMI, 2 SMI, 3 ExtINT */
	uint16_t irqflag; /* 0: conforms to the bus */
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic; /* 0xff for local entries: all LAPICs */
	uint8_t dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "mpf layout");
_Static_assert(sizeof(struct mpc_table) == 44, "mpc layout");
_Static_assert(sizeof(struct mpc_cpu) == 20, "mpc_cpu layout");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "mpc_intsrc layout");

static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)(0 - sum);
}

int mptable_write(struct vm *vm, strata_error_t *err)
{
	unsigned ncpu = vm->nr_vcpus;
	size_t table_len = sizeof(struct mpc_table) + ncpu * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
			   sizeof(struct mpc_ioapic) + (MP_IOAPIC_PINS + 2) * sizeof(struct mpc_intsrc);
	uint8_t *base = vm_gpa(vm, BOOT_MPTABLE_ADDR, sizeof(struct mpf_intel) + table_len);
	if (base == NULL)
		return strata_error_set(err, ENOSPC, "guest RAM too small for the MP table");
	memset(base, 0, sizeof(struct mpf_intel) + table_len);
	uint8_t ioapic_id = (uint8_t)ncpu; /* APIC ids 0..ncpu-1 are the CPUs */

	struct mpf_intel *mpf = (struct mpf_intel *)base;
	uint8_t *p = base + sizeof(*mpf);
	struct mpc_table *mpc = (struct mpc_table *)p;
	p += sizeof(*mpc);
	uint16_t count = 0;
	for (unsigned i = 0; i < ncpu; i++, count++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;
		c->type = 0;
		c->apicid = (uint8_t)i;
		c->apicver = MP_LAPIC_VERSION;
		c->cpuflag = 0x1 | (i == 0 ? 0x2 : 0);
		c->cpufeature = 0x600; /* family 6 */
		c->featureflag = 0x201; /* FPU, APIC */
		p += sizeof(*c);
	}
	struct mpc_bus *bus = (struct mpc_bus *)p;
	bus->type = 1;
	bus->busid = 0;
	memcpy(bus->bustype, "ISA   ", 6);
	p += sizeof(*bus);
	count++;
	struct mpc_ioapic *io = (struct mpc_ioapic *)p;
	io->type = 2;
	io->apicid = ioapic_id;
	io->apicver = MP_IOAPIC_VERSION;
	io->flags = 1;
	io->apicaddr = IOAPIC_ADDR;
	p += sizeof(*io);
	count++;
	/* ISA IRQ n -> IOAPIC pin n, as KVM's default GSI routing has it. */
	for (unsigned irq = 0; irq < MP_IOAPIC_PINS; irq++, count++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;
		s->type = 3;
		s->irqtype = 0;
		s->srcbus = 0;
		s->srcbusirq = (uint8_t)irq;
		s->dstapic = ioapic_id;
		s->dstirq = (uint8_t)irq;
		p += sizeof(*s);
	}
	/* LINT0 = ExtINT (the PIC), LINT1 = NMI, on every LAPIC. */
	for (unsigned lint = 0; lint < 2; lint++, count++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;
		s->type = 4;
		s->irqtype = lint == 0 ? 3 : 1;
		s->srcbus = 0;
		s->srcbusirq = 0;
		s->dstapic = 0xff;
		s->dstirq = (uint8_t)lint;
		p += sizeof(*s);
	}
	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)table_len;
	mpc->spec = MP_SPEC_REV;
	memcpy(mpc->oem, "STRATA  ", 8);
	memcpy(mpc->productid, "MICROVM     ", 12);
	mpc->oemcount = count;
	mpc->lapic = LAPIC_ADDR;
	mpc->checksum = mp_checksum((const uint8_t *)mpc, table_len);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(BOOT_MPTABLE_ADDR + sizeof(*mpf));
	mpf->length = 1;
	mpf->specification = MP_SPEC_REV;
	mpf->checksum = mp_checksum((const uint8_t *)mpf, sizeof(*mpf));
	return 0;
}
