/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmm_iothread.h - the device I/O thread: virtqueue processing off the vCPU
 * threads.
 *
 * For every queue of every virtio-mmio device an eventfd is bound with
 * KVM_IOEVENTFD to the device's QueueNotify register (base + 0x50, 4 bytes,
 * KVM_IOEVENTFD_FLAG_DATAMATCH on the queue index).  A guest notify then
 * completes inside KVM (no exit to userspace); the I/O thread polls those
 * eventfds plus a stop eventfd and runs the device's queue_notify callback.
 * All other register accesses (status, InterruptStatus/InterruptACK, queue
 * layout) still exit to userspace on the vCPU thread.
 *
 * Locking: every transport field (status, queues, interrupt_status,
 * irq_level) is only touched under the device's transport mutex
 * (virtio_mmio_dev.lock): the vCPU thread takes it in virtio_mmio_io, the I/O
 * thread around queue_notify, the main thread in virtio_console_input.  The
 * IRQ line is set with KVM_IRQ_LINE from whichever thread changes
 * interrupt_status, still under that mutex, so the level the IOAPIC sees
 * always matches InterruptStatus != 0 (a level-triggered line; KVM_IRQFD
 * would need a resample fd for that, so it is not used).  A long 9p request
 * holds its device's mutex: a vCPU reading that device's registers waits
 * for it, other devices are independent.
 *
 * Fallback: without KVM_CAP_IOEVENTFD, or when a KVM_IOEVENTFD
 * registration fails (the reason is logged at debug level), no thread is
 * made and QueueNotify is processed on the vCPU thread as before.
 * Source: Documentation/virt/kvm/api.rst (KVM_IOEVENTFD, KVM_CAP_IOEVENTFD).
 */
#ifndef STRATA_KVM_VMM_IOTHREAD_H
#define STRATA_KVM_VMM_IOTHREAD_H

#include <stdbool.h>

#include "common/error.h"

struct vm;
struct vmm_iothread;

/*
 * vmm_iothread_create - bind the QueueNotify eventfds of all of vm's virtio
 * devices.  On success *out owns the thread object, or is NULL when the
 * fallback applies (no KVM_IOEVENTFD, a registration refused, or no virtio
 * device); the reason is logged at debug level.  seccomp: the thread loads
 * the VMM_THREAD_IO filter before serving.  Errors (-1 with err): ENOMEM,
 * eventfd(2) failures.  Call before vm_start's vCPU threads exist.
 */
int vmm_iothread_create(struct vm *vm, bool seccomp, struct vmm_iothread **out, strata_error_t *err);

/* vmm_iothread_start - start serving.  Errors: the pthread_create errno. */
int vmm_iothread_start(struct vmm_iothread *io, strata_error_t *err);

/*
 * vmm_iothread_stop - wake the thread through its stop eventfd and join it.
 * Idempotent; a no-op when it never started.  Call after the vCPU threads
 * are joined (they may be waiting on a device mutex the thread holds).
 */
void vmm_iothread_stop(struct vmm_iothread *io);

/* vmm_iothread_notifies - queue notifies served so far (tests, stats); thread-safe. */
unsigned long vmm_iothread_notifies(const struct vmm_iothread *io);

/*
 * vmm_iothread_free - stop it if needed, close all its eventfds, free it.
 * The KVM_IOEVENTFD bindings go away with the VM fd. NULL is fine.
 */
void vmm_iothread_free(struct vmm_iothread *io);

#endif
