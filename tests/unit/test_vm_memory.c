/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vm_memory.c - guest RAM and the host cgroup's memory settings of a vm
 * container (runtime/vm_host.h): the container's limit holds in the guest,
 * the host cgroup must fit the whole VMM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kvm-shim/vm.h"
#include "runtime/vm_host.h"

#define MiB (1LL << 20)

static void config_with(struct oci_config *c, struct oci_linux *l, struct oci_resources *r, struct oci_memory *m)
{
	*c = (struct oci_config){ 0 };
	*l = (struct oci_linux){ 0 };
	*r = (struct oci_resources){ 0 };
	r->memory = m;
	l->resources = r;
	c->linux_ = l;
}

static void test_guest_mem(void **state)
{
	(void)state;
	struct oci_config c = { 0 };
	/* No limit: the default plus the kernel/agent overhead. */
	assert_int_equal(vm_host_guest_mem_bytes(&c), VM_DEFAULT_MEM_BYTES + VM_HOST_MEM_OVERHEAD);
	struct oci_linux l;
	struct oci_resources r;
	struct oci_memory m = { .has_limit = true, .limit = 100 * MiB + 1 };
	config_with(&c, &l, &r, &m);
	/* Rounded up to 2 MiB. */
	assert_int_equal(vm_host_guest_mem_bytes(&c), 102 * MiB + VM_HOST_MEM_OVERHEAD);
	m.limit = 64LL << 30;
	assert_int_equal(vm_host_guest_mem_bytes(&c), VM_MAX_MEM_BYTES);
}

static void test_host_cgroup_fits_the_vmm(void **state)
{
	(void)state;
	struct oci_config c;
	struct oci_linux l;
	struct oci_resources r;
	struct oci_memory m = { .has_limit = true, .limit = 64 * MiB, .has_swap = true, .swap = 128 * MiB,
				.has_reservation = true, .reservation = 32 * MiB };
	config_with(&c, &l, &r, &m);
	struct oci_memory out;
	vm_host_cgroup_memory(&c, &m, &out);
	int64_t want = 64 * MiB + (int64_t)VM_HOST_MEM_OVERHEAD + (int64_t)VM_HOST_VMM_OVERHEAD;
	assert_int_equal(out.limit, want);
	assert_true(out.limit >= (int64_t)vm_host_guest_mem_bytes(&c));
	assert_int_equal(out.swap, 128 * MiB + (want - 64 * MiB));
	assert_int_equal(out.reservation, 32 * MiB);
	/* The input is not changed. */
	assert_int_equal(m.limit, 64 * MiB);
}

static void test_unlimited_is_unchanged(void **state)
{
	(void)state;
	struct oci_config c;
	struct oci_linux l;
	struct oci_resources r;
	struct oci_memory m = { .has_limit = true, .limit = -1, .has_swap = true, .swap = -1 };
	config_with(&c, &l, &r, &m);
	struct oci_memory out;
	vm_host_cgroup_memory(&c, &m, &out);
	assert_int_equal(out.limit, -1);
	assert_int_equal(out.swap, -1);
	m = (struct oci_memory){ .has_swappiness = true, .swappiness = 10 };
	vm_host_cgroup_memory(&c, &m, &out);
	assert_false(out.has_limit);
	assert_int_equal(out.swappiness, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_mem),
		cmocka_unit_test(test_host_cgroup_fits_the_vmm),
		cmocka_unit_test(test_unlimited_is_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
