/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu.c - vCPU creation and the KVM_RUN loop. */
#include "kvm-shim/vcpu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm-shim/vm.h"

int vcpu_create(struct vm *vm, unsigned id, struct vcpu *out, strata_error_t *err)
{
	memset(out, 0, sizeof(*out));
	out->vm = vm;
	out->id = id;
	out->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (out->fd < 0)
		return strata_error_errno(err, errno, "KVM_CREATE_VCPU %u", id);
	void *run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, out->fd, 0);
	if (run == MAP_FAILED) {
		int e = errno;
		close(out->fd);
		out->fd = -1;
		return strata_error_errno(err, e, "mmap kvm_run of vCPU %u", id);
	}
	out->run = run;
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run != NULL)
		munmap(vcpu->run, (size_t)vcpu->vm->run_size);
	vcpu->run = NULL;
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->fd = -1;
}

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpu_install_kick_handler(strata_error_t *err)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: KVM_RUN must return EINTR. */
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return strata_error_errno(err, errno, "sigaction for the vCPU kick signal");
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (vcpu->run != NULL)
		__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vcpu->started)
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

static void stop_error_with_rip(struct vcpu *vcpu, const char *what)
{
	char detail[160];
	struct kvm_regs regs;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
		snprintf(detail, sizeof(detail), "%s at rip 0x%llx", what, (unsigned long long)regs.rip);
	else
		snprintf(detail, sizeof(detail), "%s", what);
	vm_request_stop(vcpu->vm, VM_EXIT_ERROR, vcpu->id, detail);
}

static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	/* data_offset/size/count come from KVM, which bounds them by the run page. */
	for (uint32_t i = 0; i < run->io.count; i++) {
		uint8_t *d = data + (size_t)i * run->io.size;
		if (!vmm_bus_dispatch(&vcpu->vm->pio, run->io.port, d, run->io.size, is_write) && !is_write)
			memset(d, 0xff, run->io.size); /* nothing there: the ISA bus floats high */
	}
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len;
	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (!vmm_bus_dispatch(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write) &&
	    !run->mmio.is_write)
		memset(run->mmio.data, 0xff, len);
}

void *vcpu_thread_main(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	char what[120];

	if (vcpu->before_run != NULL && vcpu->before_run(vcpu, vcpu->before_run_opaque) < 0) {
		vm_request_stop(vm, VM_EXIT_ERROR, vcpu->id, "vCPU thread setup (seccomp) failed");
		return NULL;
	}
	while (!atomic_load(&vm->stopping)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
				continue;
			}
			snprintf(what, sizeof(what), "KVM_RUN: %s", strerror(errno));
			vm_request_stop(vm, VM_EXIT_ERROR, vcpu->id, what);
			break;
		}
		struct kvm_run *run = vcpu->run;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(vcpu);
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(vcpu);
			break;
		case KVM_EXIT_HLT:
			vm_request_stop(vm, VM_EXIT_HLT, vcpu->id, "hlt");
			break;
		case KVM_EXIT_SHUTDOWN:
			vm_request_stop(vm, VM_EXIT_SHUTDOWN, vcpu->id, "triple fault");
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
				vm_request_stop(vm, VM_EXIT_RESET, vcpu->id, "system event reset");
			else
				vm_request_stop(vm, VM_EXIT_SHUTDOWN, vcpu->id, "system event shutdown");
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			snprintf(what, sizeof(what), "KVM internal error, suberror %u%s", run->internal.suberror,
				 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (instruction emulation failed)" : "");
			stop_error_with_rip(vcpu, what);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			snprintf(what, sizeof(what), "VM entry failed, hardware reason 0x%llx",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			stop_error_with_rip(vcpu, what);
			break;
		default:
			snprintf(what, sizeof(what), "unhandled KVM exit reason %u", run->exit_reason);
			stop_error_with_rip(vcpu, what);
			break;
		}
	}
	return NULL;
}
