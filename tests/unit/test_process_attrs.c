/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_process_attrs.c - cpu lists and the scheduler / ioprio names of
 * runtime/native/process_attrs.c.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/native/process_attrs.h"

static void test_cpu_list(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	cpu_set_t *cs = NULL;
	size_t size = 0;
	assert_int_equal(cpu_list_parse("0-3,7", &cs, &size, &err), 0);
	assert_int_equal(CPU_COUNT_S(size, cs), 5);
	assert_true(CPU_ISSET_S(0, size, cs) && CPU_ISSET_S(3, size, cs) && CPU_ISSET_S(7, size, cs));
	assert_false(CPU_ISSET_S(4, size, cs));
	CPU_FREE(cs);
	assert_int_equal(cpu_list_parse("1", &cs, &size, &err), 0);
	assert_int_equal(CPU_COUNT_S(size, cs), 1);
	assert_true(CPU_ISSET_S(1, size, cs));
	CPU_FREE(cs);
	assert_int_equal(cpu_list_parse("1000", &cs, &size, &err), 0);
	assert_true(CPU_ISSET_S(1000, size, cs));
	CPU_FREE(cs);

	const char *bad[] = { "", "a", "3-1", "1,", "1-", "0-3:2", "-1", "1,,2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cpu_list_parse(bad[i], &cs, &size, &err), -1);
		assert_int_equal(err->code, EINVAL);
		strata_error_free(&err);
	}
	assert_int_equal(cpu_list_parse("3-1", &cs, &size, &err), -1);
	assert_string_equal(err->msg, "cpu list `3-1`: range 3-1 is reversed");
	strata_error_free(&err);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(sched_policy_from_name("SCHED_OTHER"), SCHED_OTHER);
	assert_int_equal(sched_policy_from_name("SCHED_FIFO"), SCHED_FIFO);
	assert_int_equal(sched_policy_from_name("SCHED_RR"), SCHED_RR);
	assert_int_equal(sched_policy_from_name("SCHED_BATCH"), SCHED_BATCH);
	assert_int_equal(sched_policy_from_name("SCHED_IDLE"), SCHED_IDLE);
	assert_int_equal(sched_policy_from_name("SCHED_DEADLINE"), 6);
	assert_int_equal(sched_policy_from_name("SCHED_TURBO"), -1);
	assert_int_equal(sched_flag_from_name("SCHED_FLAG_RESET_ON_FORK"), 1);
	assert_int_equal(sched_flag_from_name("SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40);
	assert_int_equal(sched_flag_from_name("SCHED_FLAG_X"), -1);
	assert_int_equal(ioprio_class_from_name("IOPRIO_CLASS_RT"), 1);
	assert_int_equal(ioprio_class_from_name("IOPRIO_CLASS_BE"), 2);
	assert_int_equal(ioprio_class_from_name("IOPRIO_CLASS_IDLE"), 3);
	assert_int_equal(ioprio_class_from_name("IOPRIO_CLASS_NONE"), -1);
}

static void test_personality_errors(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	struct oci_personality p = { .domain = "LINUX64" };
	assert_int_equal(personality_apply(&p, &err), -1);
	assert_string_equal(err->msg, "personality domain `LINUX64` is not known (LINUX or LINUX32)");
	strata_error_free(&err);
	char *flags[] = { "ADDR_NO_RANDOMIZE", NULL };
	struct oci_personality q = { .domain = "LINUX", .flags = flags, .flags_len = 1 };
	assert_int_equal(personality_apply(&q, &err), -1);
	assert_string_equal(err->msg, "personality flag `ADDR_NO_RANDOMIZE` is not supported");
	strata_error_free(&err);
	assert_int_equal(personality_apply(NULL, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_list),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_personality_errors),
	};
	return cmocka_run_group_tests_name("process_attrs", tests, NULL, NULL);
}
