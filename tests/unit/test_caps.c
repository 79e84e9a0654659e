/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_caps.c - capability names (runtime/native/creds.c) and the error a
 * bad name gives, checked before any credential changes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/native/creds.h"

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(cap_from_name("CAP_CHOWN"), 0);
	assert_int_equal(cap_from_name("CAP_NET_BIND_SERVICE"), 10);
	assert_int_equal(cap_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(cap_from_name("CAP_AUDIT_WRITE"), 29);
	assert_int_equal(cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(cap_from_name("cap_kill"), 5);
	assert_int_equal(cap_from_name("KILL"), 5);
	assert_int_equal(cap_from_name("CAP_FOO"), -1);
	assert_int_equal(cap_from_name("CAP_"), -1);
	assert_int_equal(cap_from_name(""), -1);
	assert_int_equal(cap_from_name("5"), -1);
	assert_int_equal(cap_from_name("CAP_CHOWN "), -1);
	assert_int_equal(cap_from_name(NULL), -1);
	assert_true(cap_last_cap() >= 40);
}

/* A bad name fails before anything changes, and the message names it and its set. */
static void test_unknown_name_error(void **state)
{
	(void)state;
	char *good[] = { "CAP_CHOWN", NULL };
	char *bad[] = { "CAP_CHOWN", "CAP_MAKE_COFFEE", NULL };
	struct oci_capabilities caps = { .bounding = good, .bounding_len = 1, .effective = good,
					 .effective_len = 1, .permitted = good, .permitted_len = 1,
					 .ambient = bad, .ambient_len = 2 };
	struct oci_process p = { .user = { .uid = getuid(), .gid = getgid() }, .capabilities = &caps };
	strata_error_t err = NULL;
	assert_int_equal(creds_apply(&p, &err), -1);
	assert_int_equal(err->code, EINVAL);
	assert_string_equal(err->msg, "unknown capability `CAP_MAKE_COFFEE` in process.capabilities.ambient");
	strata_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unknown_name_error),
	};
	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
