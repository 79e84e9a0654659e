/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcpu.h - one KVM vCPU and its run loop thread.
 *
 * The run loop dispatches KVM_EXIT_IO to the VM's port bus and KVM_EXIT_MMIO
 * to its MMIO bus, and turns HLT (without irqchip), SHUTDOWN (triple fault),
 * SYSTEM_EVENT and errors into vm_request_stop().  vm_request_stop() kicks a
 * vCPU out of KVM_RUN with `immediate_exit` plus VCPU_KICK_SIGNAL.
 * Source: Documentation/virt/kvm/api.rst §4.10 KVM_RUN, §5 struct kvm_run.
 */
#ifndef STRATA_KVM_VCPU_H
#define STRATA_KVM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "common/error.h"

/* Signal that interrupts KVM_RUN; its handler does nothing. */
#define VCPU_KICK_SIGNAL (SIGRTMIN + 1)

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;               /* KVM vCPU fd, owned */
	struct kvm_run *run;  /* mmap of the fd, run_size bytes */
	pthread_t thread;
	bool started;         /* thread created and not yet joined */
	/* Called on the vCPU thread right before the first KVM_RUN (seccomp). */
	int (*before_run)(struct vcpu *vcpu, void *opaque);
	void *before_run_opaque;
};

/* vcpu_create - KVM_CREATE_VCPU id `id` and map its kvm_run. */
int vcpu_create(struct vm *vm, unsigned id, struct vcpu *out, strata_error_t *err);

/* vcpu_destroy - unmap and close (the thread must have been joined). */
void vcpu_destroy(struct vcpu *vcpu);

/* vcpu_thread_main - the run loop; pthread start routine, arg = struct vcpu *. */
void *vcpu_thread_main(void *arg);

/* vcpu_kick - make the vCPU leave KVM_RUN soon (immediate_exit + signal). */
void vcpu_kick(struct vcpu *vcpu);

/* vcpu_install_kick_handler - install the no-op VCPU_KICK_SIGNAL handler (idempotent). */
int vcpu_install_kick_handler(strata_error_t *err);

#endif
