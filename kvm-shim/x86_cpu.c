/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86_cpu.c - CPUID, GDT, identity paging and entry register state. */
#include "kvm-shim/x86_cpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL /* 2 MiB page in a PD entry */

int x86_cpu_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out, strata_error_t *err)
{
	for (unsigned nent = 128; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(struct kvm_cpuid_entry2));
		if (c == NULL)
			return strata_error_errno(err, ENOMEM, "CPUID table");
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*out = c;
			return 0;
		}
		int e = errno;
		free(c);
		if (e != E2BIG)
			return strata_error_errno(err, e, "KVM_GET_SUPPORTED_CPUID");
	}
	return strata_error_set(err, E2BIG, "KVM_GET_SUPPORTED_CPUID: table too large");
}

int x86_cpu_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *base, unsigned apic_id, bool tsc_deadline,
		      strata_error_t *err)
{
	size_t sz = sizeof(*base) + base->nent * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = malloc(sz);
	if (c == NULL)
		return strata_error_errno(err, ENOMEM, "CPUID table");
	memcpy(c, base, sz);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 1) {
			e->ebx = (e->ebx & 0x00ffffffU) | (apic_id << 24);
			/* KVM leaves the "running under a hypervisor" bit to the VMM;
			 * without it Linux never looks at leaf 0x40000000 and runs
			 * without kvm-clock (jiffies clock, uncalibrated TSC). */
			e->ecx |= 1U << 31;
			/* KVM emulates the TSC-deadline LAPIC timer but leaves
			 * announcing it to the VMM (KVM_CAP_TSC_DEADLINE_TIMER);
			 * without it Linux calibrates the LAPIC timer against the
			 * PIT, which fails under nested/emulated timing. */
			if (tsc_deadline)
				e->ecx |= 1U << 24;
		}
		else if (e->function == 0xb)
			e->edx = apic_id;
	}
	int r = ioctl(vcpu_fd, KVM_SET_CPUID2, c);
	int e = errno;
	free(c);
	if (r < 0)
		return strata_error_errno(err, e, "KVM_SET_CPUID2 on vCPU %u", apic_id);
	return 0;
}

int x86_boot_tables_write(struct vm *vm, strata_error_t *err)
{
	/* GDT: null, 32-bit code, 64-bit code, data, TSS (accessed bits set so
	 * the cached state below matches the descriptors). */
	static const uint64_t gdt[5] = {
		0,
		0x00cf9b000000ffffULL, /* 0x08: code, 32-bit, 4 GiB */
		0x00af9b000000ffffULL, /* 0x10: code, 64-bit */
		0x00cf93000000ffffULL, /* 0x18: data, 4 GiB */
		0x00808b0000000067ULL, /* 0x20: busy TSS at 0 */
	};
	uint64_t *g = vm_gpa(vm, BOOT_GDT_ADDR, sizeof(gdt));
	uint64_t *pml4 = vm_gpa(vm, BOOT_PML4_ADDR, 4096);
	uint64_t *pdpt = vm_gpa(vm, BOOT_PDPT_ADDR, 4096);
	uint64_t *pd = vm_gpa(vm, BOOT_PD_ADDR, 4 * 4096);
	if (g == NULL || pml4 == NULL || pdpt == NULL || pd == NULL)
		return strata_error_set(err, ENOSPC, "guest RAM too small for boot page tables");
	memcpy(g, gdt, sizeof(gdt));
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = BOOT_PDPT_ADDR | PTE_P | PTE_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + i * 4096ULL) | PTE_P | PTE_RW;
	/* 2048 entries of 2 MiB = 4 GiB; never 1 GiB pages (PVM triple-faults). */
	for (uint64_t i = 0; i < 2048; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static struct kvm_segment seg_flat(uint16_t sel, uint8_t type, int code64)
{
	struct kvm_segment s = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code64 ? 0 : 1,
		.s = 1,
		.l = code64 ? 1 : 0,
		.g = 1,
	};
	return s;
}

int x86_cpu_set_boot_state(int vcpu_fd, const struct vm_boot_state *boot, strata_error_t *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (boot->mode == VM_BOOT_NONE)
		return strata_error_set(err, EINVAL, "no kernel loaded");
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return strata_error_errno(err, errno, "KVM_GET_SREGS");

	sregs.gdt.base = BOOT_GDT_ADDR;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	struct kvm_segment data = seg_flat(BOOT_SEL_DATA, 3, 0);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = BOOT_SEL_TSS, .type = 11,
					 .present = 1, .s = 0 };
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2; /* reserved bit 1; interrupts off */
	regs.rip = boot->entry;
	regs.rsp = BOOT_STACK_TOP;

	if (boot->mode == VM_BOOT_PVH32) {
		sregs.cs = seg_flat(BOOT_SEL_CODE32, 11, 0);
		sregs.cr0 = CR0_PE | CR0_ET;
		sregs.cr3 = 0;
		sregs.cr4 = 0;
		sregs.efer = 0;
		regs.rbx = boot->arg;
	} else {
		sregs.cs = seg_flat(BOOT_SEL_CODE64, 11, 1);
		sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
		sregs.cr3 = BOOT_PML4_ADDR;
		sregs.cr4 = CR4_PAE;
		sregs.efer = EFER_LME | EFER_LMA;
		regs.rsi = boot->arg;
	}
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return strata_error_errno(err, errno, "KVM_SET_SREGS");
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return strata_error_errno(err, errno, "KVM_SET_REGS");
	return 0;
}
