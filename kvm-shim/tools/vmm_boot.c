/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmm_boot.c - `vmm-boot`: boot a kernel or test stub in strata's VMM from the
 * command line (development and the test-machine scripts; not part of strata).
 *
 *   vmm-boot [-m MIB] [-c CPUS] [-t TIMEOUT_MS] [-i INITRD] [-s TAG=DIR]... [-S] [-N] [-p] [-6] KERNEL [CMDLINE]
 *
 * -s: share DIR over virtio-9p with mount tag TAG; -S: vCPU and I/O thread
 * seccomp filters on; -N: no device I/O thread (virtqueues on the vCPU
 * thread, as without KVM_IOEVENTFD);
 * -p: the kernel runs under PVM (VM_KERNEL_PVM_OK); -6: force the 64-bit boot
 * protocol.  The UART goes to stderr, the virtio-console to stdout.  Prints
 * "vmm-boot: virtqueues on the <I/O|vCPU> thread" and
 * "vmm-boot: exit <reason> after <ms> ms" on stderr; exit status 0 for
 * reset/shutdown, 2 for timeout, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm-shim/boot.h"
#include "kvm-shim/virtio_9p.h"
#include "kvm-shim/virtio_console.h"
#include "kvm-shim/vm.h"
#include "kvm-shim/vmm_iothread.h"

int main(int argc, char **argv)
{
	struct vm_config cfg = { .console_fd = 2 };
	struct vm_kernel k = { 0 };
	unsigned timeout_ms = 30000;
	char *shares[VM_MAX_VIRTIO];
	unsigned nshares = 0;
	int opt;
	while ((opt = getopt(argc, argv, "+m:c:t:i:s:SNp6")) != -1) {
		switch (opt) {
		case 'm': cfg.mem_bytes = strtoull(optarg, NULL, 10) << 20; break;
		case 'c': cfg.nr_vcpus = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': k.initrd = optarg; break;
		case 's':
			if (nshares < VM_MAX_VIRTIO - 1 && strchr(optarg, '=') != NULL)
				shares[nshares++] = optarg;
			break;
		case 'S': cfg.seccomp = true; break;
		case 'N': cfg.no_iothread = true; break;
		case 'p': k.flags |= VM_KERNEL_PVM_OK; break;
		case '6': k.flags |= VM_KERNEL_FORCE_LINUX64; break;
		default:
			fprintf(stderr, "usage: vmm-boot [-m MIB] [-c CPUS] [-t MS] [-i INITRD] [-s TAG=DIR] [-S] [-N] [-p] [-6] KERNEL [CMDLINE]\n");
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vmm-boot: no kernel given\n");
		return 1;
	}
	k.path = argv[optind];
	k.cmdline = optind + 1 < argc ? argv[optind + 1] : "console=ttyS0";
	strata_error_t err = NULL;
	struct vm *vm = NULL;
	struct vm_exit ex = { 0 };
	uint64_t t0 = vm_monotonic_ns();
	int rc = vm_create(&cfg, &vm, &err) < 0 || vm_add_virtio_console(vm, 1, NULL, &err) < 0 ? -1 : 0;
	for (unsigned i = 0; rc == 0 && i < nshares; i++) {
		char *eq = strchr(shares[i], '=');
		*eq = '\0';
		rc = vm_add_virtio_9p(vm, shares[i], eq + 1, false, &err);
	}
	if (rc < 0 || vm_load_kernel(vm, &k, &err) < 0 || vm_run(vm, timeout_ms, &ex, &err) < 0) {
		fprintf(stderr, "vmm-boot: %s\n", err ? err->msg : "failed");
		strata_error_free(&err);
		vm_destroy(vm);
		return 1;
	}
	if (vm->io != NULL)
		fprintf(stderr, "vmm-boot: virtqueues on the I/O thread (%lu notifies)\n", vmm_iothread_notifies(vm->io));
	else
		fprintf(stderr, "vmm-boot: virtqueues on the vCPU thread\n");
	vm_destroy(vm);
	fprintf(stderr, "vmm-boot: exit %s%s%s after %.1f ms (total %.1f ms)\n", vm_exit_reason_name(ex.reason),
		ex.detail[0] ? ": " : "", ex.detail, ex.elapsed_ns / 1e6, (vm_monotonic_ns() - t0) / 1e6);
	if (ex.reason == VM_EXIT_RESET || ex.reason == VM_EXIT_SHUTDOWN)
		return 0;
	return ex.reason == VM_EXIT_TIMEOUT ? 2 : 1;
}
