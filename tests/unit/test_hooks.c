/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hooks.c - runtime/native/hooks.c with real hook processes (/bin/sh):
 * state on stdin, args and env, order, failure and timeout messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/util.h"
#include "runtime/native/hooks.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/strata-hooks.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static char *read_out(const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *buf = NULL;
	strata_error_t err = NULL;
	if (read_file_at(-1, path, &buf, NULL, &err) < 0) {
		strata_error_free(&err);
		return NULL;
	}
	return buf;
}

static void test_state_args_env_order(void **state)
{
	(void)state;
	char s1[256], s2[256];
	snprintf(s1, sizeof(s1), "read s; echo \"first $1 $FOO $s\" >> %s/out", dir);
	snprintf(s2, sizeof(s2), "echo second >> %s/out", dir);
	char *a1[] = { "sh", "-c", s1, "sh", "arg1", NULL };
	char *e1[] = { "FOO=bar", NULL };
	char *a2[] = { "sh", "-c", s2, NULL };
	struct oci_hook h[] = {
		{ .path = "/bin/sh", .args = a1, .args_len = 5, .env = e1, .env_len = 1 },
		{ .path = "/bin/sh", .args = a2, .args_len = 3 },
	};
	strata_error_t err = NULL;
	assert_int_equal(hooks_run(h, 2, "prestart", "{\"id\":\"c1\",\"status\":\"creating\"}\n", &err), 0);
	char *out = read_out("out");
	assert_non_null(out);
	assert_string_equal(out, "first arg1 bar {\"id\":\"c1\",\"status\":\"creating\"}\nsecond\n");
	free(out);
}

static void test_failure_message(void **state)
{
	(void)state;
	char s[256];
	snprintf(s, sizeof(s), "echo never >> %s/never", dir);
	char *a1[] = { "sh", "-c", "echo something broke >&2; exit 3", NULL };
	char *a2[] = { "sh", "-c", s, NULL };
	struct oci_hook h[] = {
		{ .path = "/bin/true" },
		{ .path = "/bin/sh", .args = a1, .args_len = 3 },
		{ .path = "/bin/sh", .args = a2, .args_len = 3 },
	};
	strata_error_t err = NULL;
	assert_int_equal(hooks_run(h, 3, "createRuntime", "{}", &err), -1);
	assert_string_equal(err->msg, "createRuntime hook #1 `/bin/sh`: exited with status 3: something broke");
	strata_error_free(&err);
	/* The hook after the failing one did not run. */
	assert_null(read_out("never"));
}

static void test_missing_binary(void **state)
{
	(void)state;
	struct oci_hook h = { .path = "/nonexistent/hook" };
	strata_error_t err = NULL;
	assert_int_equal(hooks_run(&h, 1, "poststop", "{}", &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "poststop hook #0 `/nonexistent/hook`: exec: No such file or directory");
	strata_error_free(&err);
}

static void test_timeout(void **state)
{
	(void)state;
	char *a[] = { "sh", "-c", "echo waiting; exec sleep 30", NULL };
	struct oci_hook h = { .path = "/bin/sh", .args = a, .args_len = 3, .has_timeout = true, .timeout = 1 };
	strata_error_t err = NULL;
	time_t t0 = time(NULL);
	assert_int_equal(hooks_run(&h, 1, "startContainer", "{}", &err), -1);
	assert_true(time(NULL) - t0 < 5);
	assert_int_equal(err->code, ETIMEDOUT);
	assert_string_equal(err->msg, "startContainer hook #0 `/bin/sh`: timed out after 1 s: waiting");
	strata_error_free(&err);
}

/* A hook that leaves a background child holding its stdout must not hang us. */
static void test_background_child(void **state)
{
	(void)state;
	char *a[] = { "sh", "-c", "sleep 4 & echo done", NULL };
	struct oci_hook h = { .path = "/bin/sh", .args = a, .args_len = 3 };
	strata_error_t err = NULL;
	time_t t0 = time(NULL);
	assert_int_equal(hooks_run(&h, 1, "poststart", "{}", &err), 0);
	assert_true(time(NULL) - t0 < 3); /* the sleep ends by itself */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_args_env_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_background_child, setup, teardown),
	};
	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
