/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rootless.c - the --rootless decision (runtime/rootless.h): parsing the
 * flag, auto-detection, and which cgroup errors may become warnings.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rootless.h"

static void test_mode_parse(void **state)
{
	(void)state;
	enum rootless_mode m = ROOTLESS_TRUE;
	strata_error_t err = NULL;
	const char *autos[] = { NULL, "", "auto", "AUTO", "Auto" };
	for (size_t i = 0; i < sizeof(autos) / sizeof(autos[0]); i++) {
		m = ROOTLESS_TRUE;
		assert_int_equal(rootless_mode_parse(autos[i], &m, &err), 0);
		assert_int_equal(m, ROOTLESS_AUTO);
	}
	const char *yes[] = { "true", "1", "t", "T", "TRUE", "True" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(rootless_mode_parse(yes[i], &m, &err), 0);
		assert_int_equal(m, ROOTLESS_TRUE);
	}
	const char *no[] = { "false", "0", "f", "F", "FALSE", "False" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(rootless_mode_parse(no[i], &m, &err), 0);
		assert_int_equal(m, ROOTLESS_FALSE);
	}
	const char *bad[] = { "bogus", "yes", "tRUE", "2", " true" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = ROOTLESS_AUTO;
		assert_int_equal(rootless_mode_parse(bad[i], &m, &err), -1);
		assert_non_null(err);
		assert_int_equal(err->code, EINVAL);
		assert_non_null(strstr(err->msg, bad[i]));
		assert_non_null(strstr(err->msg, "use true, false or auto"));
		strata_error_free(&err);
	}
}

static void test_resolve(void **state)
{
	(void)state;
	/* explicit values win over everything */
	assert_true(rootless_resolve(ROOTLESS_TRUE, 0, false));
	assert_false(rootless_resolve(ROOTLESS_FALSE, 1000, true));
	/* auto: real root in the initial user namespace is not rootless */
	assert_false(rootless_resolve(ROOTLESS_AUTO, 0, false));
	assert_true(rootless_resolve(ROOTLESS_AUTO, 1000, false));
	assert_true(rootless_resolve(ROOTLESS_AUTO, 0, true));
	/* the tests run as root on the host, outside any user namespace */
	if (geteuid() == 0)
		assert_false(rootless_in_user_namespace());
}

static void test_cgroup_error_ignorable(void **state)
{
	(void)state;
	struct oci_resources r;
	memset(&r, 0, sizeof(r));
	/* permission errors, rootless, no resources: a warning */
	assert_true(rootless_cgroup_error_ignorable(true, EACCES, NULL));
	assert_true(rootless_cgroup_error_ignorable(true, EPERM, NULL));
	assert_true(rootless_cgroup_error_ignorable(true, EROFS, &r));
	/* not rootless, or another errno: an error */
	assert_false(rootless_cgroup_error_ignorable(false, EACCES, NULL));
	assert_false(rootless_cgroup_error_ignorable(true, ENOENT, NULL));
	assert_false(rootless_cgroup_error_ignorable(true, EBUSY, NULL));
	assert_false(rootless_cgroup_error_ignorable(true, 0, NULL));
	/* device rules alone (the default spec's deny-all) do not count */
	struct oci_device_cgroup dev;
	memset(&dev, 0, sizeof(dev));
	r.devices = &dev;
	r.devices_len = 1;
	assert_false(rootless_resources_set(&r));
	assert_true(rootless_cgroup_error_ignorable(true, EACCES, &r));
	/* any limit the config asks for makes the error stand */
	struct oci_memory mem;
	struct oci_cpu cpu;
	memset(&mem, 0, sizeof(mem));
	memset(&cpu, 0, sizeof(cpu));
	struct oci_resources one;
	memset(&one, 0, sizeof(one));
	one.memory = &mem;
	assert_true(rootless_resources_set(&one));
	assert_false(rootless_cgroup_error_ignorable(true, EACCES, &one));
	memset(&one, 0, sizeof(one));
	one.cpu = &cpu;
	assert_false(rootless_cgroup_error_ignorable(true, EPERM, &one));
	memset(&one, 0, sizeof(one));
	one.has_pids_limit = true;
	one.pids_limit = 10;
	assert_false(rootless_cgroup_error_ignorable(true, EROFS, &one));
	memset(&one, 0, sizeof(one));
	one.hugepage_limits_len = 1;
	assert_true(rootless_resources_set(&one));
	memset(&one, 0, sizeof(one));
	one.rdma_len = 1;
	assert_true(rootless_resources_set(&one));
	memset(&one, 0, sizeof(one));
	one.unified.len = 1;
	assert_true(rootless_resources_set(&one));
	assert_false(rootless_resources_set(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_parse),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_cgroup_error_ignorable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
