/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm.h - the VM object of strata's VMM: one KVM VM straight on /dev/kvm.
 *
 * Everything a VM owns hangs off struct vm (memory, buses, vCPUs, devices), so
 * two VMs in one process would work.  Life cycle:
 *
 *     vm_create()           open /dev/kvm, create the VM, irqchip, PIT, memory, vCPUs,
 *                           UART 0x3f8 and i8042 on the port bus
 *     vm_add_virtio_*()     optional virtio-mmio devices (virtio_mmio.h)
 *     vm_load_kernel()      boot.h: PVH ELF, vmlinux or bzImage; sets the boot vCPU state
 *     vm_run()              run the vCPU threads until shutdown/reset/HLT/error/timeout
 *                           (or vm_start + vm_wait + vm_stop for a caller with its own loop)
 *     vm_destroy()          free everything (also safe on a partly created or running VM)
 *
 * Source: Documentation/virt/kvm/api.rst (KVM_CREATE_VM, KVM_SET_USER_MEMORY_REGION,
 * KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2, KVM_CREATE_VCPU, KVM_RUN).
 */
#ifndef STRATA_KVM_VM_H
#define STRATA_KVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "kvm-shim/uart_8250.h"
#include "kvm-shim/vmm_bus.h"

/* Default guest RAM: 128 MiB (issue 8). */
#define VM_DEFAULT_MEM_BYTES (128ULL << 20)
/* Smallest guest RAM accepted: 2 MiB (tiny guests); a Linux kernel needs far more,
 * which vm_load_kernel() reports. */
#define VM_MIN_MEM_BYTES (2ULL << 20)
/* RAM ends below the 32-bit MMIO hole (virtio-mmio, IOAPIC, LAPIC): 3 GiB. */
#define VM_MAX_MEM_BYTES (3ULL << 30)
/* Most vCPUs one VM may have (MP table and APIC ids fit in 8 bits comfortably). */
#define VM_MAX_VCPUS 16
/* Most virtio-mmio devices one VM may have. */
#define VM_MAX_VIRTIO 8

struct vm_config {
	uint64_t mem_bytes;  /* guest RAM in bytes; 0 = VM_DEFAULT_MEM_BYTES; rounded up to 2 MiB */
	unsigned nr_vcpus;   /* 0 = 1 */
	int console_fd;      /* where UART output goes (the strata log); -1 = discarded; not owned */
	bool no_irqchip;     /* no in-kernel LAPIC/IOAPIC/PIC: HLT exits to userspace (tests) */
	bool seccomp;        /* each vCPU thread loads its filter before its first KVM_RUN, the device
			      * I/O thread (vmm_iothread.h) the VMM_THREAD_IO one before serving */
	bool no_iothread;    /* process virtqueues on the vCPU thread even when KVM_IOEVENTFD works
			      * (tests of the fallback) */
};

/* Why the VM stopped. */
enum vm_exit_reason {
	VM_EXIT_NONE = 0,
	VM_EXIT_RESET,    /* the guest wrote 0xfe to i8042 port 0x64 */
	VM_EXIT_SHUTDOWN, /* triple fault (KVM_EXIT_SHUTDOWN), Linux `reboot=t` */
	VM_EXIT_HLT,      /* a vCPU halted (only without in-kernel irqchip) */
	VM_EXIT_TIMEOUT,  /* vm_run's timeout passed; the vCPUs were stopped */
	VM_EXIT_ERROR,    /* KVM reported an error (emulation failure, failed entry...) */
	VM_EXIT_STOPPED,  /* the VMM stopped it (vm_stop, vm_destroy) */
};

/* vm_exit_reason_name - "reset", "shutdown", ... (static string). */
const char *vm_exit_reason_name(enum vm_exit_reason r);

struct vm_exit {
	enum vm_exit_reason reason;
	unsigned vcpu;        /* the vCPU that caused it */
	char detail[160];     /* human text for VM_EXIT_ERROR (KVM exit code, rip...) */
	uint64_t elapsed_ns;  /* from vm_run() start to the exit, CLOCK_MONOTONIC */
};

struct vcpu;
struct virtio_mmio_dev;
struct vmm_iothread;

/* Boot vCPU state chosen by vm_load_kernel(), applied by vm_run(). */
enum vm_boot_mode {
	VM_BOOT_NONE = 0,
	VM_BOOT_PVH32,  /* 32-bit protected mode, paging off, EBX = hvm_start_info */
	VM_BOOT_LONG64, /* 64-bit mode, identity paging, RSI = boot_params */
};

struct vm_boot_state {
	enum vm_boot_mode mode;
	uint64_t entry;    /* guest-physical entry point */
	uint64_t arg;      /* EBX (PVH) or RSI (64-bit boot protocol) */
};

struct vm {
	int kvm_fd;
	int vm_fd;
	bool is_pvm;       /* /sys/module/kvm_pvm exists: /dev/kvm is PVM */
	bool has_irqchip;
	int run_size;      /* KVM_GET_VCPU_MMAP_SIZE */
	uint8_t *mem;      /* guest RAM, guest-physical 0..mem_size */
	uint64_t mem_size; /* bytes */
	struct vmm_bus pio;
	struct vmm_bus mmio;
	unsigned nr_vcpus;
	struct vcpu *vcpus;
	struct uart_8250 uart;
	struct vm_boot_state boot;
	struct virtio_mmio_dev *virtio[VM_MAX_VIRTIO];
	unsigned nr_virtio;
	char *virtio_cmdline; /* "virtio_mmio.device=..." words for the kernel cmdline, owned */
	bool seccomp;         /* vm_config.seccomp */
	bool no_iothread;     /* vm_config.no_iothread */
	/* The device I/O thread, set by vm_start before the vCPU threads exist
	 * (NULL: virtqueues are processed on the vCPU thread), owned. */
	struct vmm_iothread *io;

	/* Run state shared by the vCPU threads and vm_run(). */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool stopping;
	struct vm_exit exit;  /* first exit reason wins; under lock */
	uint64_t run_start_ns;
	bool sync_init;
};

/*
 * vm_host_is_pvm - true when this host's /dev/kvm is PVM (/sys/module/kvm_pvm
 * exists).  Under PVM only guest user mode and PVM-enabled guest kernels run
 * natively; an ordinary kernel's ring-0 code is emulated and does not boot.
 */
bool vm_host_is_pvm(void);

/*
 * vm_create - create a VM from cfg.  On success *out owns the VM (free with
 * vm_destroy).  Errors: ENOENT/EACCES opening /dev/kvm ("no /dev/kvm ..."),
 * EINVAL for a memory size or vCPU count out of range, any KVM ioctl errno.
 * The VM is fully unwound on failure.
 */
int vm_create(const struct vm_config *cfg, struct vm **out, strata_error_t *err);

/* vm_destroy - stop the vCPUs if they still run, free all VM resources. NULL is fine. */
void vm_destroy(struct vm *vm);

/*
 * vm_gpa - host pointer for guest-physical [gpa, gpa+len), or NULL when any
 * byte of it is outside guest RAM (overflow-safe).  The pointer is valid until
 * vm_destroy.  Every guest-supplied address goes through this check.
 */
void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len);

/*
 * vm_irq_line - set in-kernel irqchip input `gsi` to `level` (0/1) with
 * KVM_IRQ_LINE.  Returns 0, or -1 with errno (ENXIO without irqchip).
 * Thread-safe (a plain ioctl on the VM fd).
 */
int vm_irq_line(struct vm *vm, uint32_t gsi, int level);

/*
 * vm_request_stop - ask all vCPUs to stop with `reason` (first reason wins)
 * and kick them out of KVM_RUN.  Callable from any thread, also from device
 * callbacks on a vCPU thread.
 */
void vm_request_stop(struct vm *vm, enum vm_exit_reason reason, unsigned vcpu, const char *detail);

/*
 * vm_start - start the device I/O thread when KVM_IOEVENTFD works
 * (vmm_iothread.h) and one thread per vCPU (vCPU 0 with the boot state of
 * vm_load_kernel), and return at once.  Once per VM.  Errors: EBUSY when it
 * ran before, EINVAL with no kernel loaded, the KVM/pthread errno (the VM is
 * then stopped again).
 */
int vm_start(struct vm *vm, strata_error_t *err);

/*
 * vm_wait - wait until the guest stops (true) or timeout_ms passes (false;
 * the VM keeps running).  timeout_ms 0 waits without limit.
 */
bool vm_wait(struct vm *vm, unsigned timeout_ms);

/*
 * vm_stop - stop the VM with `reason` unless it already stopped (the first
 * reason wins), join the vCPU threads, then stop and join the device I/O
 * thread, flush the UART, and fill *exit.
 */
void vm_stop(struct vm *vm, enum vm_exit_reason reason, struct vm_exit *exit);

/*
 * vm_run - vm_start, wait until the guest stops or timeout_ms passes (0 = no
 * limit; then VM_EXIT_TIMEOUT), vm_stop.  *exit says why it stopped.
 * Returns 0 when the VM ran (whatever the exit reason), -1 with err when it
 * could not be started.
 */
int vm_run(struct vm *vm, unsigned timeout_ms, struct vm_exit *exit, strata_error_t *err);

/* vm_monotonic_ns - CLOCK_MONOTONIC in nanoseconds. */
uint64_t vm_monotonic_ns(void);

#endif
