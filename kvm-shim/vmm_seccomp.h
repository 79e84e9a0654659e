/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmm_seccomp.h - seccomp allowlists for the VMM's own threads, one per
 * thread class (the Firecracker model), each installed by the thread itself
 * right before it starts handling guest-controlled work.
 *
 *   VMM_THREAD_VCPU  the vCPU threads when a device I/O thread exists
 *                    (vmm_iothread.h): ioctl only KVM_RUN, KVM_GET_REGS and
 *                    KVM_IRQ_LINE, plus what MMIO/PIO register emulation
 *                    needs (UART writes, locks, signals to kick sibling
 *                    vCPUs, memory for malloc).  No file system calls at all:
 *                    no read, openat2, *at().
 *   VMM_THREAD_VCPU_DEVICES  the vCPU threads in the fallback without
 *                    KVM_IOEVENTFD, where QueueNotify is processed on the
 *                    vCPU thread: VMM_THREAD_VCPU plus the 9p server's *at()
 *                    file calls relative to the share's fd and console I/O.
 *   VMM_THREAD_IO    the device I/O thread: poll/ppoll and read on its
 *                    eventfds, the 9p server's file calls, console writes,
 *                    ioctl only KVM_IRQ_LINE.
 *                    None of the vCPU/I/O classes has execve, socket, clone,
 *                    ptrace, mount, open (only openat2), kill of other
 *                    processes.
 *   VMM_THREAD_MAIN  the VMM main thread once the guest runs: waiting,
 *                    signals, joining vCPU threads, tearing the VM down.
 * Violations kill the whole VMM process (SCMP_ACT_KILL_PROCESS): a VMM thread
 * doing something outside its list means it is no longer ours.
 * Filters are per thread (no TSYNC), so each class only ever constrains its
 * own threads.  The allowlists are data (arrays of names) in vmm_seccomp.c.
 * Source: seccomp(2); libseccomp seccomp_rule_add(3); Firecracker's
 * documented thread model (api, VMM, vCPU threads with separate filters).
 */
#ifndef STRATA_KVM_VMM_SECCOMP_H
#define STRATA_KVM_VMM_SECCOMP_H

#include "common/error.h"

enum vmm_thread_class {
	VMM_THREAD_VCPU,
	VMM_THREAD_VCPU_DEVICES,
	VMM_THREAD_IO,
	VMM_THREAD_MAIN,
};

/* vmm_thread_class_name - "vCPU", "vCPU+devices", "I/O", "main" (static string). */
const char *vmm_thread_class_name(enum vmm_thread_class cls);

/*
 * vmm_seccomp_install - set no_new_privs and load the class's filter on the
 * calling thread only.  Returns 0, or -1 with err (libseccomp's errno).
 * Irreversible for the thread.
 */
int vmm_seccomp_install(enum vmm_thread_class cls, strata_error_t *err);

#endif
