/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vmm_seccomp.c - the VMM's per-thread-class seccomp filters: a stub
 * guest still boots with the vCPU and I/O thread filters in place (and with
 * the fallback vCPU+devices filter when the I/O thread is turned off), and
 * calls outside each class's list kill the process with SIGSYS (checked in
 * forked children).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/openat2.h>

#include "kvm-shim/boot.h"
#include "kvm-shim/virtio_9p.h"
#include "kvm-shim/virtio_console.h"
#include "kvm-shim/vm.h"
#include "kvm-shim/vmm_iothread.h"
#include "kvm-shim/vmm_seccomp.h"

/* Run fn in a child after installing cls; returns the wait status. */
static int in_child(enum vmm_thread_class cls, void (*fn)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		strata_error_t err = NULL;
		if (vmm_seccomp_install(cls, &err) < 0)
			_exit(100);
		fn();
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void do_socket(void) { (void)socket(AF_UNIX, SOCK_STREAM, 0); }
static void do_execve(void)
{
	char *argv[] = { "/bin/true", NULL };
	execve("/bin/true", argv, NULL);
}
static void do_kvm_create_vm(void) { (void)ioctl(0, KVM_CREATE_VM, 0); }
static void do_kvm_run_on_other_fd(void)
{
	/* KVM_RUN is allowed whatever the fd: this returns ENOTTY, no kill. */
	(void)ioctl(0, KVM_RUN, 0);
}
static void do_open(void) { (void)open("/etc/hostname", O_RDONLY); }
static void do_openat2(void)
{
	/* What the 9p server does (relative to the share's fd). */
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH };
	long fd = syscall(SYS_openat2, AT_FDCWD, "/etc/hostname", &how, sizeof(how));
	if (fd >= 0)
		close((int)fd);
}
static void do_read(void)
{
	char c;
	(void)!read(-1, &c, 1); /* EBADF, but the call itself is what the filter sees */
}
static void do_poll(void) { (void)poll(NULL, 0, 0); }
static void do_irq_line(void)
{
	struct kvm_irq_level irq = { .irq = 5, .level = 0 };
	(void)ioctl(-1, KVM_IRQ_LINE, &irq);
}

static bool exited_ok(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static bool killed_by_sigsys(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

static void test_vcpu_class_denies(void **state)
{
	(void)state;
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_socket)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_execve)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_kvm_create_vm)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_open)));
	/* With the device I/O thread the vCPU thread does no file I/O at all. */
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_openat2)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_read)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU, do_poll)));
	assert_true(exited_ok(in_child(VMM_THREAD_VCPU, do_kvm_run_on_other_fd)));
	assert_true(exited_ok(in_child(VMM_THREAD_VCPU, do_irq_line)));
}

static void test_vcpu_devices_class(void **state)
{
	(void)state;
	/* The fallback: queues processed on the vCPU thread need the 9p calls. */
	assert_true(exited_ok(in_child(VMM_THREAD_VCPU_DEVICES, do_openat2)));
	assert_true(exited_ok(in_child(VMM_THREAD_VCPU_DEVICES, do_read)));
	assert_true(exited_ok(in_child(VMM_THREAD_VCPU_DEVICES, do_kvm_run_on_other_fd)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU_DEVICES, do_socket)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU_DEVICES, do_execve)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU_DEVICES, do_open)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_VCPU_DEVICES, do_kvm_create_vm)));
}

static void test_io_class(void **state)
{
	(void)state;
	assert_true(exited_ok(in_child(VMM_THREAD_IO, do_openat2)));
	assert_true(exited_ok(in_child(VMM_THREAD_IO, do_read)));
	assert_true(exited_ok(in_child(VMM_THREAD_IO, do_poll)));
	assert_true(exited_ok(in_child(VMM_THREAD_IO, do_irq_line)));
	/* No KVM_RUN (it is not a vCPU), no new fds other than the share's files. */
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_IO, do_kvm_run_on_other_fd)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_IO, do_kvm_create_vm)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_IO, do_socket)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_IO, do_execve)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_IO, do_open)));
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_thread_class_name(VMM_THREAD_VCPU), "vCPU");
	assert_string_equal(vmm_thread_class_name(VMM_THREAD_VCPU_DEVICES), "vCPU+devices");
	assert_string_equal(vmm_thread_class_name(VMM_THREAD_IO), "I/O");
	assert_string_equal(vmm_thread_class_name(VMM_THREAD_MAIN), "main");
}

static void test_main_class_denies(void **state)
{
	(void)state;
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_MAIN, do_socket)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_MAIN, do_execve)));
	assert_true(killed_by_sigsys(in_child(VMM_THREAD_MAIN, do_kvm_run_on_other_fd)));
}

/* Boot the PVH stub with seccomp on; no_iothread forces the fallback. */
static void boot_stub_with_filters(bool no_iothread)
{
	int kfd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kfd < 0) {
		fprintf(stderr, "skip: no usable /dev/kvm (%s)\n", strerror(errno));
		skip();
	}
	close(kfd);
	char exe[PATH_MAX], stub[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	const char *env = getenv("STRATA_VMM_STUB_DIR");
	if (env)
		snprintf(stub, sizeof(stub), "%s/stub_pvh.elf", env);
	else
		snprintf(stub, sizeof(stub), "%s/../kvm-shim/stubs/stub_pvh.elf", dirname(exe));

	int ufd = memfd_create("uart", MFD_CLOEXEC), cfd = memfd_create("console", MFD_CLOEXEC);
	struct vm_config cfg = { .console_fd = ufd, .seccomp = true, .no_iothread = no_iothread };
	struct vm *vm = NULL;
	strata_error_t err = NULL;
	struct vm_exit ex;
	struct vm_kernel k = { .path = stub, .cmdline = "exit=reset", .flags = VM_KERNEL_PVM_OK };
	int rc = vm_create(&cfg, &vm, &err);
	if (rc == 0)
		rc = vm_add_virtio_console(vm, cfd, NULL, &err);
	if (rc == 0)
		rc = vm_add_virtio_9p(vm, "share", "/tmp", true, &err);
	if (rc == 0)
		rc = vm_load_kernel(vm, &k, &err);
	if (rc == 0)
		rc = vm_run(vm, 10000, &ex, &err);
	if (rc < 0)
		fprintf(stderr, "%s\n", err->msg);
	assert_int_equal(rc, 0);
	/* vm_start made the I/O thread exactly when KVM_IOEVENTFD works (PVM
	 * included) and it was not turned off. */
	bool ioeventfd = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) > 0;
	printf("  %s: KVM_CAP_IOEVENTFD %d, virtqueues on the %s thread (%lu notifies served there)\n",
	       no_iothread ? "fallback" : "default", ioeventfd, vm->io != NULL ? "I/O" : "vCPU",
	       vm->io != NULL ? vmm_iothread_notifies(vm->io) : 0UL);
	if (no_iothread || !ioeventfd) {
		assert_null(vm->io);
	} else {
		/* The stub's notifies completed in KVM and reached the I/O thread. */
		assert_non_null(vm->io);
		assert_true(vmm_iothread_notifies(vm->io) >= 1);
	}
	vm_destroy(vm);
	assert_int_equal(ex.reason, VM_EXIT_RESET);
	char buf[4096] = { 0 };
	assert_true(pread(ufd, buf, sizeof(buf) - 1, 0) > 0);
	assert_non_null(strstr(buf, "virtqueue: used idx 1 id 0 isr 1\n"));
	assert_non_null(strstr(buf, "virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6"));
	memset(buf, 0, sizeof(buf));
	assert_true(pread(cfd, buf, sizeof(buf) - 1, 0) > 0);
	assert_string_equal(buf, "hello through the virtqueue\n");
	close(ufd);
	close(cfd);
}

static void test_stub_boots_under_vcpu_filter(void **state)
{
	(void)state;
	boot_stub_with_filters(false);
}

static void test_stub_boots_under_fallback_filter(void **state)
{
	(void)state;
	boot_stub_with_filters(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_class_denies),
		cmocka_unit_test(test_main_class_denies),
		cmocka_unit_test(test_vcpu_devices_class),
		cmocka_unit_test(test_io_class),
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_stub_boots_under_vcpu_filter),
		cmocka_unit_test(test_stub_boots_under_fallback_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
