/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_cpu.h - x86 vCPU state for booting: CPUID, GDT, identity page tables,
 * and the register state of the two entry paths.
 *
 * - PVH: 32-bit protected mode, paging off, flat CS/DS, EBX = hvm_start_info
 *   (Xen docs/misc/pvh.pandoc, "x86/HVM direct boot ABI").
 * - Linux 64-bit boot protocol: long mode, identity mapping, CS = 0x10,
 *   DS/ES/SS = 0x18, RSI = boot_params (Linux Documentation/x86/boot.rst §64-bit).
 * The identity map covers 4 GiB with 2 MiB pages: PVM triple-faults on
 * 1 GiB pages.  Source for bits: Intel SDM vol. 3A §2.5 (CR0/CR4), §4.5
 * (4-level paging), §3.4.5 (segment descriptors).
 */
#ifndef STRATA_KVM_X86_CPU_H
#define STRATA_KVM_X86_CPU_H

#include <linux/kvm.h>
#include <stdbool.h>

#include "common/error.h"

struct vm;
struct vm_boot_state;

/*
 * x86_cpu_supported_cpuid - KVM_GET_SUPPORTED_CPUID into a new table.
 * *out is malloc'd, owned by the caller.  Errors: the ioctl's errno.
 */
int x86_cpu_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out, strata_error_t *err);

/*
 * x86_cpu_set_cpuid - KVM_SET_CPUID2 on vcpu_fd from `base` with the initial
 * APIC id set to apic_id (leaf 1 EBX[31:24], leaf 0xb EDX), the hypervisor
 * bit (leaf 1 ECX[31]) so the guest finds KVM's leaves 0x40000000+
 * (kvm-clock, PV features), and - when tsc_deadline (in-kernel LAPIC and
 * KVM_CAP_TSC_DEADLINE_TIMER) - the TSC-deadline timer bit (leaf 1 ECX[24]).
 * base is not modified.  Errors: the ioctl's errno.
 */
int x86_cpu_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *base, unsigned apic_id, bool tsc_deadline,
		      strata_error_t *err);

/*
 * x86_boot_tables_write - write the GDT (BOOT_GDT_ADDR) and the 4 GiB
 * identity map (BOOT_PML4_ADDR..) into guest memory.  Fails with ENOSPC when
 * RAM is too small to hold them (needs 64 KiB).
 */
int x86_boot_tables_write(struct vm *vm, strata_error_t *err);

/*
 * x86_cpu_set_boot_state - put the boot vCPU (vcpu_fd) into the entry state
 * of boot->mode with RIP = boot->entry and EBX/RSI = boot->arg.
 * Errors: KVM_GET/SET_SREGS/REGS errno; EINVAL for VM_BOOT_NONE.
 */
int x86_cpu_set_boot_state(int vcpu_fd, const struct vm_boot_state *boot, strata_error_t *err);

#endif
