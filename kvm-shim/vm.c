/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.c - VM creation, guest memory, irqchip, run/stop. */
#include "kvm-shim/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm-shim/i8042.h"
#include "kvm-shim/vcpu.h"
#include "kvm-shim/virtio_mmio.h"
#include "kvm-shim/vmm_iothread.h"
#include "kvm-shim/vmm_seccomp.h"
#include "kvm-shim/x86_cpu.h"

/* Addresses KVM needs for VMX real-mode support, in the 32-bit hole just below the BIOS. */
#define KVM_TSS_ADDR 0xfffbd000UL
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL

const char *vm_exit_reason_name(enum vm_exit_reason r)
{
	switch (r) {
	case VM_EXIT_NONE: return "none";
	case VM_EXIT_RESET: return "reset";
	case VM_EXIT_SHUTDOWN: return "shutdown";
	case VM_EXIT_HLT: return "hlt";
	case VM_EXIT_TIMEOUT: return "timeout";
	case VM_EXIT_ERROR: return "error";
	case VM_EXIT_STOPPED: return "stopped";
	}
	return "unknown";
}

uint64_t vm_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool vm_host_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return vm->mem + gpa;
}

int vm_irq_line(struct vm *vm, uint32_t gsi, int level)
{
	if (!vm->has_irqchip) {
		errno = ENXIO;
		return -1;
	}
	struct kvm_irq_level irq = { .irq = gsi, .level = level ? 1 : 0 };
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
}

static int open_kvm(struct vm *vm, strata_error_t *err)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			return strata_error_errno(err, errno,
						  "no /dev/kvm: this host has no KVM (load kvm_intel or kvm_amd, or "
						  "use a machine with hardware virtualization)");
		return strata_error_errno(err, errno, "open /dev/kvm");
	}
	int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return strata_error_set(err, ENOTSUP, "/dev/kvm API version %d, need %d", api, KVM_API_VERSION);
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run))
		return strata_error_errno(err, errno, "KVM_GET_VCPU_MMAP_SIZE");
	return 0;
}

static int create_vm_fd(struct vm *vm, const struct vm_config *cfg, strata_error_t *err)
{
	do {
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0)
		return strata_error_errno(err, errno, "KVM_CREATE_VM");
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		return strata_error_errno(err, errno, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t a = KVM_IDENTITY_MAP_ADDR;
		if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &a) < 0)
			return strata_error_errno(err, errno, "KVM_SET_IDENTITY_MAP_ADDR");
	}
	if (!cfg->no_irqchip) {
		/* In-kernel PIC + IOAPIC + LAPICs (PVM supports them too); the PIT
		 * gives Linux its calibration timer, with a dummy speaker port 0x61. */
		if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
			return strata_error_errno(err, errno, "KVM_CREATE_IRQCHIP");
		vm->has_irqchip = true;
		struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
			return strata_error_errno(err, errno, "KVM_CREATE_PIT2");
	}
	return 0;
}

static int create_memory(struct vm *vm, uint64_t bytes, strata_error_t *err)
{
	void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return strata_error_errno(err, errno, "mmap %llu bytes of guest memory", (unsigned long long)bytes);
	vm->mem = mem;
	vm->mem_size = bytes;
	/* Guest memory must never be inherited by a child we fork (hooks, helpers):
	 * it is the guest's data and large. */
	(void)madvise(mem, bytes, MADV_DONTFORK);
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = 0,
		.guest_phys_addr = 0,
		.memory_size = bytes,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return strata_error_errno(err, errno, "KVM_SET_USER_MEMORY_REGION (%llu bytes)",
					  (unsigned long long)bytes);
	return 0;
}

/* vCPU thread hook: the vCPU seccomp filter, right before guest code runs.
 * With a device I/O thread the vCPU thread does no device file I/O and gets
 * the short list; otherwise (fallback) the one with the 9p/console calls. */
static int vcpu_seccomp_hook(struct vcpu *vcpu, void *opaque)
{
	(void)opaque;
	strata_error_t err = NULL;
	enum vmm_thread_class cls = vcpu->vm->io != NULL ? VMM_THREAD_VCPU : VMM_THREAD_VCPU_DEVICES;
	if (vmm_seccomp_install(cls, &err) < 0) {
		strata_error_free(&err);
		return -1;
	}
	return 0;
}

static int create_vcpus(struct vm *vm, unsigned n, bool seccomp, strata_error_t *err)
{
	struct kvm_cpuid2 *cpuid = NULL;
	if (x86_cpu_supported_cpuid(vm->kvm_fd, &cpuid, err) < 0)
		return -1;
	bool tsc_deadline = vm->has_irqchip && ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	vm->vcpus = calloc(n, sizeof(*vm->vcpus));
	if (vm->vcpus == NULL) {
		free(cpuid);
		return strata_error_errno(err, ENOMEM, "vCPU table");
	}
	for (unsigned i = 0; i < n; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned i = 0; i < n; i++) {
		if (vcpu_create(vm, i, &vm->vcpus[i], err) < 0 ||
		    x86_cpu_set_cpuid(vm->vcpus[i].fd, cpuid, i, tsc_deadline, err) < 0) {
			vm->nr_vcpus = i + 1;
			free(cpuid);
			return -1;
		}
		vm->nr_vcpus = i + 1;
		if (seccomp)
			vm->vcpus[i].before_run = vcpu_seccomp_hook;
	}
	free(cpuid);
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out, strata_error_t *err)
{
	uint64_t mem = cfg->mem_bytes ? cfg->mem_bytes : VM_DEFAULT_MEM_BYTES;
	unsigned nr = cfg->nr_vcpus ? cfg->nr_vcpus : 1;
	if (mem < VM_MIN_MEM_BYTES || mem > VM_MAX_MEM_BYTES)
		return strata_error_set(err, EINVAL, "guest memory %llu bytes is outside %llu..%llu",
					(unsigned long long)mem, VM_MIN_MEM_BYTES, VM_MAX_MEM_BYTES);
	if (nr > VM_MAX_VCPUS)
		return strata_error_set(err, EINVAL, "%u vCPUs requested, at most %d", nr, VM_MAX_VCPUS);
	mem = (mem + (2ULL << 20) - 1) & ~((2ULL << 20) - 1); /* whole 2 MiB pages */

	struct vm *vm = calloc(1, sizeof(*vm));
	if (vm == NULL)
		return strata_error_errno(err, ENOMEM, "VM object");
	vm->kvm_fd = vm->vm_fd = -1;
	vmm_bus_init(&vm->pio, "pio");
	vmm_bus_init(&vm->mmio, "mmio");
	pthread_mutex_init(&vm->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	vm->sync_init = true;
	atomic_init(&vm->stopping, false);
	uart_8250_init(&vm->uart, vm, cfg->console_fd);
	vm->is_pvm = vm_host_is_pvm();
	vm->seccomp = cfg->seccomp;
	vm->no_iothread = cfg->no_iothread;

	if (open_kvm(vm, err) < 0 || create_vm_fd(vm, cfg, err) < 0 || create_memory(vm, mem, err) < 0 ||
	    create_vcpus(vm, nr, cfg->seccomp, err) < 0 ||
	    vmm_bus_register(&vm->pio, UART_COM1_BASE, 8, uart_8250_io, &vm->uart, err) < 0 ||
	    vmm_bus_register(&vm->pio, I8042_COMMAND_PORT, 1, i8042_io, vm, err) < 0) {
		vm_destroy(vm);
		return strata_error_wrap(err, "create VM");
	}
	*out = vm;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm == NULL)
		return;
	if (vm->run_start_ns != 0) {
		/* Still running (the caller did not vm_stop): stop and join first. */
		struct vm_exit ignored;
		vm_stop(vm, VM_EXIT_STOPPED, &ignored);
	}
	vmm_iothread_free(vm->io);
	vm->io = NULL;
	for (unsigned i = 0; i < vm->nr_virtio; i++)
		virtio_mmio_destroy(vm->virtio[i]);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	if (vm->mem != NULL)
		munmap(vm->mem, vm->mem_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vmm_bus_free(&vm->pio);
	vmm_bus_free(&vm->mmio);
	uart_8250_destroy(&vm->uart);
	free(vm->virtio_cmdline);
	if (vm->sync_init) {
		pthread_cond_destroy(&vm->cond);
		pthread_mutex_destroy(&vm->lock);
	}
	free(vm);
}

void vm_request_stop(struct vm *vm, enum vm_exit_reason reason, unsigned vcpu, const char *detail)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->exit.reason == VM_EXIT_NONE) {
		vm->exit.reason = reason;
		vm->exit.vcpu = vcpu;
		snprintf(vm->exit.detail, sizeof(vm->exit.detail), "%s", detail ? detail : "");
		vm->exit.elapsed_ns = vm_monotonic_ns() - vm->run_start_ns;
		atomic_store(&vm->stopping, true);
		/* Kick under the lock: vm_run joins threads only after taking it,
		 * so no thread we signal has been joined yet. */
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			vcpu_kick(&vm->vcpus[i]);
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

int vm_start(struct vm *vm, strata_error_t *err)
{
	if (vm->run_start_ns != 0)
		return strata_error_set(err, EBUSY, "VM already ran");
	if (x86_cpu_set_boot_state(vm->vcpus[0].fd, &vm->boot, err) < 0)
		return strata_error_wrap(err, "set boot vCPU state");
	if (vcpu_install_kick_handler(err) < 0)
		return -1;
	if (!vm->no_iothread && vmm_iothread_create(vm, vm->seccomp, &vm->io, err) < 0)
		return strata_error_wrap(err, "device I/O thread");

	/* vCPU threads run with every signal blocked except the kick: signals
	 * for the container are the VMM main thread's business. */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	vm->run_start_ns = vm_monotonic_ns();
	int rc = vm->io != NULL ? vmm_iothread_start(vm->io, err) : 0;
	for (unsigned i = 0; rc == 0 && i < vm->nr_vcpus; i++) {
		pthread_mutex_lock(&vm->lock);
		int e = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread_main, &vm->vcpus[i]);
		if (e == 0)
			vm->vcpus[i].started = true;
		pthread_mutex_unlock(&vm->lock);
		if (e != 0) {
			rc = strata_error_errno(err, e, "start vCPU %u thread", i);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		struct vm_exit ignored;
		vm_stop(vm, VM_EXIT_ERROR, &ignored);
	}
	return rc;
}

bool vm_wait(struct vm *vm, unsigned timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&vm->lock);
	int e = 0;
	while (vm->exit.reason == VM_EXIT_NONE && e != ETIMEDOUT)
		e = timeout_ms ? pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline)
			       : pthread_cond_wait(&vm->cond, &vm->lock);
	bool stopped = vm->exit.reason != VM_EXIT_NONE;
	pthread_mutex_unlock(&vm->lock);
	return stopped;
}

void vm_stop(struct vm *vm, enum vm_exit_reason reason, struct vm_exit *exit)
{
	vm_request_stop(vm, reason, 0, reason == VM_EXIT_STOPPED ? "stopped by the VMM" : "");
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		pthread_mutex_lock(&vm->lock);
		bool started = vm->vcpus[i].started;
		pthread_mutex_unlock(&vm->lock);
		if (!started)
			continue;
		pthread_join(vm->vcpus[i].thread, NULL);
		pthread_mutex_lock(&vm->lock);
		vm->vcpus[i].started = false;
		pthread_mutex_unlock(&vm->lock);
	}
	/* After the vCPUs: one may wait on a device mutex the I/O thread holds. */
	vmm_iothread_stop(vm->io);
	uart_8250_flush(&vm->uart);
	pthread_mutex_lock(&vm->lock);
	*exit = vm->exit;
	pthread_mutex_unlock(&vm->lock);
}

int vm_run(struct vm *vm, unsigned timeout_ms, struct vm_exit *exit, strata_error_t *err)
{
	if (vm_start(vm, err) < 0)
		return -1;
	if (!vm_wait(vm, timeout_ms)) {
		char d[64];
		snprintf(d, sizeof(d), "no exit within %u ms", timeout_ms);
		vm_request_stop(vm, VM_EXIT_TIMEOUT, 0, d);
	}
	vm_stop(vm, VM_EXIT_TIMEOUT, exit);
	return 0;
}
