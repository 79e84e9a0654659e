/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_json_write.c - writing a json.h tree back out (oci-spec/json_write.h)
 * and the vm level's guest config without the host's hooks
 * (runtime/vm_guest_config.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "oci-spec/json.h"
#include "oci-spec/json_write.h"
#include "runtime/vm_guest_config.h"

static char *round_trip(const char *t, size_t *len)
{
	struct json_value *v = NULL;
	char *msg = NULL;
	assert_int_equal(json_parse(t, strlen(t), &v, &msg), 0);
	char *out = json_write_filtered(v, NULL, NULL, len);
	json_free(v);
	return out;
}

static void test_round_trip_exact(void **state)
{
	(void)state;
	/* Raw number text, NUL inside a string, duplicates, nesting, empties. */
	const char *t = "{\"n\":18446744073709551615,\"f\":-1.5e3,\"s\":\"a\\u0000b\\\"\\n\",\"a\":[true,false,null,[],{}],"
			"\"n\":1,\"o\":{\"k\":[{\"x\":\"\xc3\xa9\"}]}}";
	size_t len = 0;
	char *out = round_trip(t, &len);
	assert_non_null(out);
	assert_int_equal(len, strlen(t));
	assert_memory_equal(out, t, len);
	free(out);
}

static void test_write_value_null_and_scalar(void **state)
{
	(void)state;
	struct json_gen *g = json_gen_new(false);
	json_gen_array_open(g);
	json_write_value(g, NULL);
	struct json_value *v = NULL;
	char *msg = NULL;
	assert_int_equal(json_parse("\"x\"", 3, &v, &msg), 0);
	json_write_value(g, v);
	json_gen_array_close(g);
	char *out = json_gen_finish(g, NULL);
	assert_string_equal(out, "[null,\"x\"]");
	free(out);
	json_free(v);
	json_gen_free(g);
}

static bool skip_b(size_t depth, const char *parent, const char *key, void *ctx)
{
	(void)ctx;
	return (depth == 1 && strcmp(key, "b") == 0) || (depth == 2 && parent != NULL && strcmp(parent, "c") == 0 &&
							  strcmp(key, "d") == 0);
}

static void test_filter(void **state)
{
	(void)state;
	const char *t = "{\"a\":1,\"b\":{\"d\":1},\"c\":{\"d\":2,\"e\":[{\"d\":3}]}}";
	struct json_value *v = NULL;
	char *msg = NULL;
	assert_int_equal(json_parse(t, strlen(t), &v, &msg), 0);
	char *out = json_write_filtered(v, skip_b, NULL, NULL);
	/* Only top-level b and c.d go; the d inside the array is not c's member. */
	assert_string_equal(out, "{\"a\":1,\"c\":{\"e\":[{\"d\":3}]}}");
	free(out);
	json_free(v);
}

static void test_guest_config_strips_host_hooks(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	const char *t = "{\"ociVersion\":\"1.3.0\",\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\"}],"
			"\"createRuntime\":[{\"path\":\"/h\"}],\"createContainer\":[{\"path\":\"/h\"}],"
			"\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"true\"]}],"
			"\"poststart\":[{\"path\":\"/h\"}],\"poststop\":[{\"path\":\"/h\"}]},\"process\":{\"args\":[\"sh\"]}}";
	size_t len = 0;
	char *out = vm_guest_config_json(t, strlen(t), &len, &err);
	assert_non_null(out);
	assert_string_equal(out, "{\"ociVersion\":\"1.3.0\",\"hooks\":{\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":"
				 "[\"sh\",\"-c\",\"true\"]}]},\"process\":{\"args\":[\"sh\"]}}");
	assert_int_equal(len, strlen(out));
	free(out);

	const char *u = "{\"hooks\":{\"poststop\":[{\"path\":\"/h\"}]},\"x\":1}";
	out = vm_guest_config_json(u, strlen(u), &len, &err);
	assert_string_equal(out, "{\"x\":1}");
	free(out);

	const char *none = "{\"x\":[1,2]}";
	out = vm_guest_config_json(none, strlen(none), &len, &err);
	assert_string_equal(out, none);
	free(out);
}

static void test_guest_config_rejects_garbage(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	size_t len = 0;
	assert_null(vm_guest_config_json("{\"x\":", 5, &len, &err));
	assert_non_null(err);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_exact),
		cmocka_unit_test(test_write_value_null_and_scalar),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_guest_config_strips_host_hooks),
		cmocka_unit_test(test_guest_config_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
