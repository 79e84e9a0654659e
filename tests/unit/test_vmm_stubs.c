/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vmm_stubs.c - boot the project's tiny guests (kvm-shim/stubs) in
 * strata's VMM on the real /dev/kvm and check what they report on the UART,
 * the virtio-console output, and how the VM stopped.  Runs on PVM hosts too
 * (tiny guests need no emulated ring-0 kernel work).  Skips, saying why, only
 * when the host has no usable /dev/kvm.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-shim/boot.h"
#include "kvm-shim/virtio_console.h"
#include "kvm-shim/vm.h"

static char stub_dir[PATH_MAX];

static int find_stubs(void **state)
{
	(void)state;
	const char *env = getenv("STRATA_VMM_STUB_DIR");
	if (env != NULL) {
		snprintf(stub_dir, sizeof(stub_dir), "%s", env);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	/* $(BUILD)/tests/test_vmm_stubs -> $(BUILD)/kvm-shim/stubs */
	snprintf(stub_dir, sizeof(stub_dir), "%s/../kvm-shim/stubs", dirname(exe));
	return 0;
}

static bool kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "skip: no usable /dev/kvm (%s)\n", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static char *read_memfd(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, (size_t)len + 1);
	assert_non_null(s);
	assert_int_equal(pread(fd, s, (size_t)len, 0), len);
	return s;
}

struct stub_run {
	struct vm_exit exit;
	char *uart;
	char *console;
};

static void free_run(struct stub_run *r)
{
	free(r->uart);
	free(r->console);
}

/* Boot stub `name` with cmdline; returns 0, or -1 with *err from create/load. */
static int boot_stub(const char *name, const char *cmdline, const struct vm_config *base_cfg, unsigned timeout_ms,
		     struct stub_run *r, strata_error_t *err)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s", stub_dir, name);
	int ufd = memfd_create("uart", MFD_CLOEXEC), cfd = memfd_create("console", MFD_CLOEXEC);
	assert_true(ufd >= 0 && cfd >= 0);
	struct vm_config cfg = base_cfg ? *base_cfg : (struct vm_config){ 0 };
	cfg.console_fd = ufd;
	struct vm *vm = NULL;
	int rc = vm_create(&cfg, &vm, err);
	if (rc == 0)
		rc = vm_add_virtio_console(vm, cfd, NULL, err);
	struct vm_kernel k = { .path = path, .cmdline = cmdline, .flags = VM_KERNEL_PVM_OK };
	if (rc == 0)
		rc = vm_load_kernel(vm, &k, err);
	if (rc == 0)
		rc = vm_run(vm, timeout_ms, &r->exit, err);
	vm_destroy(vm);
	r->uart = read_memfd(ufd);
	r->console = read_memfd(cfd);
	close(ufd);
	close(cfd);
	return rc;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		fprintf(stderr, "expected `%s` in output:\n%s\n", needle, hay);
		fail();
	}
}

static void check_virtio_lines(const struct stub_run *r)
{
	assert_contains(r->uart, "virtio: device id 3\n");
	/* The buffer went through the descriptor table + available ring, the
	 * device consumed it (used idx 1, id 0) and raised the used-buffer interrupt. */
	assert_contains(r->uart, "virtqueue: used idx 1 id 0 isr 1\n");
	/* A descriptor outside guest RAM is refused: not consumed, NEEDS_RESET set. */
	assert_contains(r->uart, "virtqueue: bad buffer used idx 1 needs_reset 1\n");
	assert_string_equal(r->console, "hello through the virtqueue\n");
}

static void test_pvh_stub_reset(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	strata_error_t err = NULL;
	struct stub_run r = { 0 };
	int rc = boot_stub("stub_pvh.elf", "console=ttyS0 exit=reset", NULL, 10000, &r, &err);
	if (rc < 0)
		fprintf(stderr, "error: %s\nuart:\n%s\n", err->msg, r.uart);
	assert_int_equal(rc, 0);
	if (r.exit.reason != VM_EXIT_RESET)
		fprintf(stderr, "exit %s (%s)\nuart:\n%s\n", vm_exit_reason_name(r.exit.reason), r.exit.detail, r.uart);
	assert_int_equal(r.exit.reason, VM_EXIT_RESET);
	assert_contains(r.uart, "stub: pvh entry ok\n");
	assert_contains(r.uart, "boot: start_info magic 0x336ec578 memmap entries 3\n");
	assert_contains(r.uart, "cmdline: console=ttyS0 exit=reset virtio_mmio.device=4K@0xd0000000:5\n");
	check_virtio_lines(&r);
	assert_contains(r.uart, "stub: reset\n");
	free_run(&r);
}

static void test_pvh_stub_fallback_without_iothread(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	/* Queues processed on the vCPU thread (what a host without
	 * KVM_IOEVENTFD gets): the same guest-visible behaviour. */
	strata_error_t err = NULL;
	struct stub_run r = { 0 };
	struct vm_config cfg = { .no_iothread = true };
	int rc = boot_stub("stub_pvh.elf", "exit=reset", &cfg, 10000, &r, &err);
	if (rc < 0)
		fprintf(stderr, "error: %s\n", err->msg);
	assert_int_equal(rc, 0);
	assert_int_equal(r.exit.reason, VM_EXIT_RESET);
	check_virtio_lines(&r);
	free_run(&r);
}

static unsigned count_fds(void)
{
	unsigned n = 0;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void test_iothread_stop_and_no_fd_leak(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/stub_64.elf", stub_dir);
	unsigned before = count_fds();
	for (unsigned round = 0; round < 3; round++) {
		struct vm_kernel k = { .path = path, .cmdline = "exit=hlt", .flags = VM_KERNEL_PVM_OK };
		struct vm_config cfg = { .console_fd = -1 };
		strata_error_t err = NULL;
		struct vm *vm = NULL;
		assert_int_equal(vm_create(&cfg, &vm, &err), 0);
		assert_int_equal(vm_add_virtio_console(vm, -1, NULL, &err), 0);
		assert_int_equal(vm_add_virtio_console(vm, -1, NULL, &err), 0);
		assert_int_equal(vm_load_kernel(vm, &k, &err), 0);
		assert_int_equal(vm_start(vm, &err), 0);
		assert_false(vm_wait(vm, 50)); /* the guest idles in `cli; hlt`, the I/O thread in poll */
		if (round == 0) {
			struct vm_exit ex;
			vm_stop(vm, VM_EXIT_STOPPED, &ex); /* wakes and joins the I/O thread */
			assert_int_equal(ex.reason, VM_EXIT_STOPPED);
			vm_stop(vm, VM_EXIT_STOPPED, &ex); /* twice is fine */
		}
		vm_destroy(vm); /* rounds 1, 2: destroy a running VM with its I/O thread */
	}
	assert_int_equal(count_fds(), before);
}

static void test_linux64_stub_triple_fault(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	strata_error_t err = NULL;
	struct stub_run r = { 0 };
	/* Device words go before " -- " (init's arguments follow it). */
	int rc = boot_stub("stub_64.elf", "exit=triple -- /bin/true x", NULL, 10000, &r, &err);
	if (rc < 0)
		fprintf(stderr, "error: %s\n", err->msg);
	assert_int_equal(rc, 0);
	if (r.exit.reason != VM_EXIT_SHUTDOWN)
		fprintf(stderr, "exit %s (%s)\nuart:\n%s\n", vm_exit_reason_name(r.exit.reason), r.exit.detail, r.uart);
	assert_int_equal(r.exit.reason, VM_EXIT_SHUTDOWN);
	assert_contains(r.uart, "stub: linux64 entry ok\n");
	assert_contains(r.uart, "boot: boot_params header HdrS e820 entries 3\n");
	assert_contains(r.uart, "cmdline: exit=triple virtio_mmio.device=4K@0xd0000000:5 -- /bin/true x\n");
	check_virtio_lines(&r);
	assert_contains(r.uart, "stub: triple fault\n");
	free_run(&r);
}

static void test_hlt_without_irqchip(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	strata_error_t err = NULL;
	struct stub_run r = { 0 };
	struct vm_config cfg = { .no_irqchip = true };
	assert_int_equal(boot_stub("stub_pvh.elf", "exit=hlt", &cfg, 10000, &r, &err), 0);
	assert_int_equal(r.exit.reason, VM_EXIT_HLT);
	assert_contains(r.uart, "stub: hlt\n");
	free_run(&r);
}

static void test_timeout_is_bounded(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	/* With an in-kernel irqchip `cli; hlt` never exits to us: only the timeout ends it. */
	strata_error_t err = NULL;
	struct stub_run r = { 0 };
	uint64_t t0 = vm_monotonic_ns();
	assert_int_equal(boot_stub("stub_64.elf", "exit=hlt", NULL, 300, &r, &err), 0);
	uint64_t ms = (vm_monotonic_ns() - t0) / 1000000;
	assert_int_equal(r.exit.reason, VM_EXIT_TIMEOUT);
	assert_true(ms >= 300 && ms < 5000);
	free_run(&r);
}

static void test_pvm_host_refuses_ordinary_kernel(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	struct vm *vm = NULL;
	strata_error_t err = NULL;
	struct vm_config cfg = { .console_fd = -1 };
	assert_int_equal(vm_create(&cfg, &vm, &err), 0);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/stub_64.elf", stub_dir);
	struct vm_kernel k = { .path = path }; /* no VM_KERNEL_PVM_OK: "an ordinary kernel" */
	int rc = vm_load_kernel(vm, &k, &err);
	if (vm_host_is_pvm()) {
		assert_int_equal(rc, -1);
		assert_int_equal(err->code, ENOTSUP);
		assert_non_null(strstr(err->msg, "this host's /dev/kvm is PVM (kvm_pvm)"));
		assert_non_null(strstr(err->msg, "run on hardware KVM"));
		strata_error_free(&err);
	} else {
		assert_int_equal(rc, 0);
	}
	vm_destroy(vm);
}

static void test_bad_input(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	strata_error_t err = NULL;
	struct vm *vm = NULL;
	struct vm_config cfg = { .console_fd = -1, .mem_bytes = 1 << 20 };
	assert_int_equal(vm_create(&cfg, &vm, &err), -1); /* < 2 MiB: too little memory */
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);

	cfg.mem_bytes = 2 << 20;
	assert_int_equal(vm_create(&cfg, &vm, &err), 0);
	struct vm_kernel k = { .path = "/nonexistent/vmlinux", .flags = VM_KERNEL_PVM_OK };
	assert_int_equal(vm_load_kernel(vm, &k, &err), -1);
	assert_int_equal(err->code, ENOENT);
	strata_error_free(&err);

	k.path = "/etc/passwd"; /* neither ELF nor bzImage */
	assert_int_equal(vm_load_kernel(vm, &k, &err), -1);
	assert_int_equal(err->code, ENOEXEC);
	strata_error_free(&err);

	/* A 4 MiB initrd cannot fit in 2 MiB of RAM above the stub. */
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/stub_64.elf", stub_dir);
	char initrd[] = "/tmp/strata-test-initrd-XXXXXX";
	int fd = mkstemp(initrd);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4 << 20), 0);
	close(fd);
	k.path = path;
	k.initrd = initrd;
	assert_int_equal(vm_load_kernel(vm, &k, &err), -1);
	assert_int_equal(err->code, ENOSPC);
	assert_non_null(strstr(err->msg, "too little memory"));
	strata_error_free(&err);
	unlink(initrd);

	/* No kernel loaded: vm_run refuses instead of running garbage. */
	struct vm_exit ex;
	assert_int_equal(vm_run(vm, 100, &ex, &err), -1);
	strata_error_free(&err);
	vm_destroy(vm);
}

static void test_start_wait_stop(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/stub_64.elf", stub_dir);
	struct vm_kernel k = { .path = path, .cmdline = "exit=hlt", .flags = VM_KERNEL_PVM_OK };
	struct vm_config cfg = { .console_fd = -1, .nr_vcpus = 2 };
	strata_error_t err = NULL;
	struct vm *vm = NULL;
	assert_int_equal(vm_create(&cfg, &vm, &err), 0);
	assert_int_equal(vm_load_kernel(vm, &k, &err), 0);
	assert_int_equal(vm_start(vm, &err), 0);
	assert_int_equal(vm_start(vm, &err), -1); /* once per VM */
	assert_int_equal(err->code, EBUSY);
	strata_error_free(&err);
	/* The guest sits in `cli; hlt` (handled in the kernel): it keeps running. */
	assert_false(vm_wait(vm, 100));
	struct vm_exit ex;
	vm_stop(vm, VM_EXIT_STOPPED, &ex);
	assert_int_equal(ex.reason, VM_EXIT_STOPPED);
	assert_true(vm_wait(vm, 0));
	vm_destroy(vm);

	/* vm_destroy on a running VM stops and joins it first. */
	assert_int_equal(vm_create(&cfg, &vm, &err), 0);
	assert_int_equal(vm_load_kernel(vm, &k, &err), 0);
	assert_int_equal(vm_start(vm, &err), 0);
	vm_destroy(vm);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Not an assertion on speed: prints the median boot-to-exit time of 10 runs. */
static void test_measure_boot_to_exit(void **state)
{
	(void)state;
	if (!kvm_usable())
		skip();
	const char *stubs[] = { "stub_pvh.elf", "stub_64.elf" };
	for (unsigned s = 0; s < 2; s++) {
		uint64_t run_ns[10], total_ns[10];
		for (unsigned i = 0; i < 10; i++) {
			strata_error_t err = NULL;
			struct stub_run r = { 0 };
			uint64_t t0 = vm_monotonic_ns();
			assert_int_equal(boot_stub(stubs[s], "exit=reset", NULL, 10000, &r, &err), 0);
			total_ns[i] = vm_monotonic_ns() - t0;
			assert_int_equal(r.exit.reason, VM_EXIT_RESET);
			run_ns[i] = r.exit.elapsed_ns;
			free_run(&r);
		}
		qsort(run_ns, 10, sizeof(uint64_t), cmp_u64);
		qsort(total_ns, 10, sizeof(uint64_t), cmp_u64);
		printf("measure: %s boot-to-exit median %.3f ms (vCPU start to reset), create+load+run+destroy "
		       "median %.3f ms, n=10\n",
		       stubs[s], run_ns[5] / 1e6, total_ns[5] / 1e6);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvh_stub_reset),
		cmocka_unit_test(test_pvh_stub_fallback_without_iothread),
		cmocka_unit_test(test_iothread_stop_and_no_fd_leak),
		cmocka_unit_test(test_linux64_stub_triple_fault),
		cmocka_unit_test(test_hlt_without_irqchip),
		cmocka_unit_test(test_timeout_is_bounded),
		cmocka_unit_test(test_pvm_host_refuses_ordinary_kernel),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_start_wait_stop),
		cmocka_unit_test(test_measure_boot_to_exit),
	};
	return cmocka_run_group_tests(tests, find_stubs, NULL);
}
