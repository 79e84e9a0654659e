/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_idmap.c - the user namespace behind an idmapped mount
 * (runtime/native/idmap.h): the uid_map text, the limits, and (as root) a
 * real namespace.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/native/idmap.h"

static void test_format(void **state)
{
	(void)state;
	struct oci_id_mapping m[] = { { 0, 100000, 65536 }, { 65536, 1000, 1 } };
	char buf[128];
	int n = idmap_format(m, 2, buf, sizeof(buf));
	assert_string_equal(buf, "0 100000 65536\n65536 1000 1\n");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(idmap_format(m, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* too small: refused, not truncated */
	assert_int_equal(idmap_format(m, 2, buf, 10), -1);
	assert_int_equal(idmap_format(m, 1, buf, 0), -1);
}

static void test_limits(void **state)
{
	(void)state;
	struct oci_id_mapping m = { 0, 1000, 1 };
	strata_error_t err = NULL;
	assert_int_equal(idmap_userns_open(&m, 0, &m, 1, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	assert_int_equal(idmap_userns_open(&m, 1, &m, 341, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
}

static void test_real_namespace(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct oci_id_mapping u = { 0, 1000, 1 }, g = { 0, 2000, 1 };
	strata_error_t err = NULL;
	int fd = idmap_userns_open(&u, 1, &g, 1, &err);
	assert_true(fd >= 0);
	assert_null(err);
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_memory_equal(target, "user:[", 6);
	/* a different namespace from ours */
	n = readlink("/proc/self/ns/user", link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_not_equal(link, target);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_real_namespace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
