/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_oci_state.c - state JSON in runc's shape and its parser (oci-spec/state.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oci-spec/state.h"

static struct oci_state sample(void)
{
	return (struct oci_state){
		.oci_version = "1.3.0",
		.id = "s5",
		.status = OCI_STATUS_RUNNING,
		.pid = 12854,
		.bundle = "/run/b/s5",
		.rootfs = "/run/b/s5/rootfs",
		.created = "2026-11-21T09:02:27.689076158Z",
		.owner = NULL,
	};
}

static void test_state_pretty_runc_shape(void **state)
{
	(void)state;
	struct oci_state s = sample();
	char *j = oci_state_to_json(&s, true);
	assert_non_null(j);
	assert_string_equal(j, "{\n"
			       "  \"ociVersion\": \"1.3.0\",\n"
			       "  \"id\": \"s5\",\n"
			       "  \"pid\": 12854,\n"
			       "  \"status\": \"running\",\n"
			       "  \"bundle\": \"/run/b/s5\",\n"
			       "  \"rootfs\": \"/run/b/s5/rootfs\",\n"
			       "  \"created\": \"2026-11-21T09:02:27.689076158Z\",\n"
			       "  \"owner\": \"\"\n"
			       "}");
	free(j);
}

static void test_state_stopped_and_annotations(void **state)
{
	(void)state;
	struct oci_state s = sample();
	char *keys[] = { "z.key", "a.key" }, *values[] = { "last", "first" };
	s.status = OCI_STATUS_STOPPED;
	s.annotations = (struct oci_string_map){ .keys = keys, .values = values, .len = 2 };
	s.owner = "root";
	char *j = oci_state_to_json(&s, false);
	assert_non_null(j);
	/* pid 0 when stopped; annotations sorted like Go maps, before owner */
	assert_string_equal(j, "{\"ociVersion\":\"1.3.0\",\"id\":\"s5\",\"pid\":0,\"status\":\"stopped\","
			       "\"bundle\":\"/run/b/s5\",\"rootfs\":\"/run/b/s5/rootfs\","
			       "\"created\":\"2026-11-21T09:02:27.689076158Z\","
			       "\"annotations\":{\"a.key\":\"first\",\"z.key\":\"last\"},\"owner\":\"root\"}");
	free(j);

	j = oci_state_to_json(&s, true);
	assert_non_null(strstr(j, "  \"annotations\": {\n    \"a.key\": \"first\",\n    \"z.key\": \"last\"\n  },\n"));
	free(j);
}

static void test_hook_state(void **state)
{
	(void)state;
	struct oci_state s = sample();
	s.status = OCI_STATUS_CREATED;
	char *j = oci_state_to_hook_json(&s);
	assert_string_equal(j, "{\"ociVersion\":\"1.3.0\",\"id\":\"s5\",\"status\":\"created\",\"pid\":12854,"
			       "\"bundle\":\"/run/b/s5\"}");
	free(j);
	s.status = OCI_STATUS_STOPPED;
	j = oci_state_to_hook_json(&s);
	assert_null(strstr(j, "pid"));
	free(j);
}

static void test_state_round_trip(void **state)
{
	(void)state;
	struct oci_state s = sample();
	char *keys[] = { "k" }, *values[] = { "v" };
	s.annotations = (struct oci_string_map){ .keys = keys, .values = values, .len = 1 };
	s.status = OCI_STATUS_PAUSED;
	char *j = oci_state_to_json(&s, true);
	struct oci_state *p = NULL;
	strata_error_t err = NULL;
	assert_int_equal(oci_state_parse("state.json", j, strlen(j), &p, &err), 0);
	assert_string_equal(p->id, "s5");
	assert_int_equal(p->status, OCI_STATUS_PAUSED);
	assert_int_equal(p->pid, 12854);
	assert_string_equal(p->bundle, "/run/b/s5");
	assert_string_equal(p->rootfs, "/run/b/s5/rootfs");
	assert_string_equal(p->created, "2026-11-21T09:02:27.689076158Z");
	assert_string_equal(p->owner, "");
	assert_string_equal(oci_string_map_get(&p->annotations, "k"), "v");
	oci_state_free(p);
	free(j);
}

static void test_state_parse_errors(void **state)
{
	(void)state;
	struct oci_state *p = NULL;
	strata_error_t err = NULL;
	const char *bad = "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"gone\",\"bundle\":\"/b\"}";
	assert_int_equal(oci_state_parse("state.json", bad, strlen(bad), &p, &err), -1);
	assert_string_equal(err->msg, "state.json: .status: expected one of creating, created, running, stopped, "
				      "paused, got \"gone\"");
	strata_error_free(&err);
	const char *missing = "{\"ociVersion\":\"1\",\"status\":\"running\",\"bundle\":\"/b\"}";
	assert_int_equal(oci_state_parse("state.json", missing, strlen(missing), &p, &err), -1);
	assert_string_equal(err->msg, "state.json: .id: required field is missing");
	strata_error_free(&err);
	const char *negpid = "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"bundle\":\"/b\",\"pid\":-4}";
	assert_int_equal(oci_state_parse("state.json", negpid, strlen(negpid), &p, &err), -1);
	assert_string_equal(err->msg, "state.json: .pid: expected an integer between 0 and 2147483647, got -4");
	strata_error_free(&err);
	assert_null(p);
}

static void test_status_names(void **state)
{
	(void)state;
	enum oci_status s;
	assert_string_equal(oci_status_name(OCI_STATUS_CREATING), "creating");
	assert_string_equal(oci_status_name(OCI_STATUS_PAUSED), "paused");
	assert_int_equal(oci_status_from_name("stopped", &s), 0);
	assert_int_equal(s, OCI_STATUS_STOPPED);
	assert_int_equal(oci_status_from_name("Stopped", &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_pretty_runc_shape),
		cmocka_unit_test(test_state_stopped_and_annotations),
		cmocka_unit_test(test_hook_state),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_parse_errors),
		cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
