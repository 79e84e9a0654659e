/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_compare.c - the pure parts of `strata compare` (runtime/compare/):
 * statistics and ratios, the workloads' result lines, the config.json
 * editing and re-serialisation, and the option parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/compare/compare.h"

static struct compare_samples samples(const double *v, size_t n)
{
	struct compare_samples s = { 0 };
	for (size_t i = 0; i < n; i++)
		assert_int_equal(compare_samples_add(&s, v[i], NULL), 0);
	return s;
}

static void test_stats_median_min_max(void **state)
{
	const double odd[] = { 5, 1, 3 };
	struct compare_samples s = samples(odd, 3);
	struct compare_stats st = compare_stats_of(&s);
	assert_int_equal(st.n, 3);
	assert_true(st.median == 3 && st.min == 1 && st.max == 5);
	assert_true(s.v[0] == 5); /* not reordered: the JSON keeps the run order */
	compare_samples_free(&s);
	const double even[] = { 4, 1, 2, 10 };
	s = samples(even, 4);
	st = compare_stats_of(&s);
	assert_true(st.median == 3);
	compare_samples_free(&s);
	struct compare_samples none = { 0 };
	assert_int_equal(compare_stats_of(&none).n, 0);
}

static void test_ratio(void **state)
{
	struct compare_stats a = { .n = 1, .median = 30 }, base = { .n = 1, .median = 10 }, empty = { 0 };
	assert_true(compare_ratio(&a, &base, 0) == 3);
	assert_true(compare_ratio(&a, &empty, 0) < 0);
	assert_true(compare_ratio(&empty, &base, 0) < 0);
	/* native's ~0 MiB memory overhead gives no ratio */
	struct compare_stats tiny = { .n = 1, .median = 0.01 };
	assert_true(compare_ratio(&a, &tiny, COMPARE_MEMORY_RATIO_FLOOR_MIB) < 0);
}

static void test_result_line(void **state)
{
	double v = 0;
	const char *out = "noise\nstrata-bench getpid_ns 52.500\nstrata-bench open_us 3.25\n";
	assert_int_equal(compare_result_value(out, "getpid_ns", &v), 0);
	assert_true(v == 52.5);
	assert_int_equal(compare_result_value(out, "open_us", &v), 0);
	assert_true(v == 3.25);
	assert_int_equal(compare_result_value(out, "open", &v), -1); /* whole names only */
	assert_int_equal(compare_result_value(out, "pipe_mibs", &v), -1);
	assert_int_equal(compare_result_value("strata-bench pipe_mibs x\n", "pipe_mibs", &v), -1);
}

static void test_last_line(void **state)
{
	char buf[128];
	assert_string_equal(compare_last_line("a\nsecond line\n\n", buf, sizeof(buf)), "second line");
	assert_string_equal(compare_last_line("time=\"2026-11-21T10:00:00Z\" level=error msg=\"container does not exist\"\n",
					      buf, sizeof(buf)),
			    "container does not exist");
	assert_string_equal(compare_last_line("", buf, sizeof(buf)), "");
}

/* Editing keeps every other member and number exactly as written. */
static void test_config_edit_roundtrip(void **state)
{
	const char *text = "{\"ociVersion\":\"1.3.0\",\"process\":{\"terminal\":true,\"args\":[\"sh\"],"
			   "\"user\":{\"uid\":0,\"gid\":0}},\"x\":18446744073709551615,\"s\":\"a\\\"b\\n\"}";
	struct json_value *v = NULL;
	char *perr = NULL;
	assert_int_equal(json_parse(text, strlen(text), &v, &perr), 0);
	struct json_value *proc = (struct json_value *)json_object_get(v, "process");
	char *const args[] = { "/dev/.strata-bench/bench-true", NULL };
	assert_int_equal(compare_config_set(proc, "args", compare_json_new_strv(args), NULL), 0);
	assert_int_equal(compare_config_set(proc, "terminal", compare_json_new_bool(false), NULL), 0);
	assert_int_equal(compare_config_set(proc, "cwd", compare_json_new_string("/"), NULL), 0);
	char *out = compare_json_serialize(v);
	assert_non_null(out);
	assert_string_equal(out, "{\"ociVersion\":\"1.3.0\",\"process\":{\"terminal\":false,"
				 "\"args\":[\"/dev/.strata-bench/bench-true\"],\"user\":{\"uid\":0,\"gid\":0},"
				 "\"cwd\":\"/\"},\"x\":18446744073709551615,\"s\":\"a\\\"b\\n\"}");
	free(out);
	json_free(v);
}

static void test_options(void **state)
{
	struct compare_opts o;
	strata_error_t err = NULL;
	char *ok[] = { "compare", "--levels", "native,vm,native", "--peers=", "--runs", "2", "--json", NULL };
	assert_int_equal(compare_opts_parse(7, ok, &o, &err), 0);
	assert_string_equal(o.levels[0], "native");
	assert_string_equal(o.levels[1], "vm");
	assert_null(o.levels[2]); /* named twice, run once */
	assert_null(o.peers[0]);
	assert_int_equal(o.runs, 2);
	assert_true(o.json);
	compare_opts_free(&o);
	char *bad[] = { "compare", "--peers", "docker", NULL };
	assert_int_equal(compare_opts_parse(3, bad, &o, &err), -1);
	assert_string_equal(err->msg, "invalid value `docker` for flag -peers");
	strata_error_free(&err);
	char *zero[] = { "compare", "--runs", "0", NULL };
	assert_int_equal(compare_opts_parse(3, zero, &o, &err), -1);
	strata_error_free(&err);
	setenv("STRATA_DEFAULT_BUNDLE", "/tmp/elsewhere", 1);
	char *dflt[] = { "compare", NULL };
	assert_int_equal(compare_opts_parse(1, dflt, &o, &err), 0);
	assert_string_equal(o.bundle, "/tmp/elsewhere");
	assert_int_equal(o.runs, 5);
	compare_opts_free(&o);
	unsetenv("STRATA_DEFAULT_BUNDLE");
	assert_string_equal(compare_default_bundle(), COMPARE_DEFAULT_BUNDLE);
}

/* A descendant's PSS is counted, unless excluded by pid or comm; kill_strays ends it. */
static void test_pss_and_strays(void **state)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "pss-probe-kid");
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	double mib = 0;
	const pid_t none[] = { 0 };
	assert_int_equal(compare_pss_runtime_mib(getpid(), none, "no-such-comm", &mib, NULL), 0);
	assert_true(mib > 0);
	assert_int_equal(compare_pss_runtime_mib(getpid(), none, "pss-probe-kid", &mib, NULL), 0);
	assert_true(mib == 0);
	const pid_t just_child[] = { child, 0 };
	assert_int_equal(compare_pss_runtime_mib(getpid(), just_child, "no-such-comm", &mib, NULL), 0);
	assert_true(mib == 0);
	compare_kill_strays(getpid(), none);
	int status;
	assert_int_equal(waitpid(child, &status, WNOHANG), -1); /* already reaped by compare_kill_strays */
	assert_int_equal(kill(child, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_median_min_max),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_result_line),
		cmocka_unit_test(test_last_line),
		cmocka_unit_test(test_config_edit_roundtrip),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_pss_and_strays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
