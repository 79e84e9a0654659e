/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_path.c - path_clean (common/path.h): the lexical cleaner behind
 * cgroupsPath resolution (cgroups/manager.c) and the sentry's mount table
 * (sentry/vfs.c).  Pure string work: no filesystem, no privileges.
 *
 * The allocation-failure case replaces malloc for the whole binary, which
 * AddressSanitizer also does, so it is skipped in the sanitizer build (as in
 * test_oci_alloc_failure.c).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/path.h"

#include "alloc_fail.h"

/* Clean `in` and compare with `want`; no error may be left behind. */
static void check(const char *in, const char *want)
{
	strata_error_t err = NULL;
	char *got = path_clean(in, &err);
	if (got == NULL)
		fail_msg("path_clean(\"%s\") failed: %s", in, err != NULL ? err->msg : "(no error)");
	if (strcmp(got, want) != 0)
		fail_msg("path_clean(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	assert_null(err);
	free(got);
}

static void test_root_and_empty(void **state)
{
	(void)state;
	check("/", "/");
	check("", "/");
	check("//", "/");
	check("///", "/");
	check(".", "/");
	check("/.", "/");
	check("./", "/");
	check("/././/./", "/");
}

static void test_dotdot_clamped_at_root(void **state)
{
	(void)state;
	check("..", "/");
	check("/..", "/");
	check("a/../..", "/");
	check("/../x", "/x");
	check("/../../../etc/passwd", "/etc/passwd");
	check("/a/b/../../..", "/");
	check("/a/b/../../../c", "/c");
	check("../a/../../b", "/b");
}

static void test_separators_and_dots(void **state)
{
	(void)state;
	check("//a//b/", "/a/b");
	check("/a/./b/../c", "/a/c");
	check("/a/b/", "/a/b");
	check("/a/b//", "/a/b");
	check("/a/b/.", "/a/b");
	check("/a/b/..", "/a");
	check("/a/b/../", "/a");
	check("/a/./././b", "/a/b");
	check("/a/b/c/../../d/./e/..", "/a/d");
}

static void test_relative_is_rooted(void **state)
{
	(void)state;
	check("a", "/a"); /* the one case where the result is longer than the input */
	check("a/b", "/a/b");
	check("./a/b/", "/a/b");
	check("a/../b", "/b");
	check("kubepods/pod1/../pod2/ctr", "/kubepods/pod2/ctr");
}

/* Names that only look like "." or "..": ordinary components. */
static void test_dot_lookalikes(void **state)
{
	(void)state;
	check("/...", "/...");
	check("/.a", "/.a");
	check("/a.", "/a.");
	check("/..a/b..", "/..a/b..");
	check("/a/.../..", "/a");
	check("/ a/. /.. ", "/ a/. /.. ");
}

/* Longer than PATH_MAX: no limit, no truncation. */
static void test_long_paths(void **state)
{
	(void)state;
	const size_t n = 3 * PATH_MAX / 4; /* components of "ab/": ~3 * PATH_MAX bytes */
	char *in = malloc(2 * 3 * n + 16);
	char *want = malloc(3 * n + 16);
	assert_non_null(in);
	assert_non_null(want);

	/* n components, doubled slashes and a "." between each: nothing to remove but the noise */
	char *p = in, *w = want;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, "//ab/.", 6);
		p += 6;
		memcpy(w, "/ab", 3);
		w += 3;
	}
	*p = '\0';
	*w = '\0';
	assert_true(strlen(want) > PATH_MAX);
	check(in, want);

	/* n components, then n - 1 "..": one is left */
	p = in;
	for (size_t i = 0; i < n; i++, p += 3)
		memcpy(p, "ab/", 3);
	for (size_t i = 0; i + 1 < n; i++, p += 3)
		memcpy(p, "../", 3);
	*p = '\0';
	check(in, "/ab");

	/* more ".." than components: clamped at the root */
	memcpy(p, "../..", 6);
	check(in, "/");

	/* one component longer than PATH_MAX */
	memset(in, 'x', 2 * PATH_MAX);
	in[2 * PATH_MAX] = '\0';
	want[0] = '/';
	memcpy(want + 1, in, 2 * PATH_MAX + 1);
	check(in, want);

	free(in);
	free(want);
}

static void test_alloc_failure(void **state)
{
	(void)state;
#ifdef ALLOC_FAIL_UNDER_ASAN
	skip();
#else
	strata_error_t err = NULL;
	alloc_fail_arm(1);
	char *got = path_clean("/a/../b", &err);
	alloc_fail_disarm();
	assert_null(got);
	assert_non_null(err);
	assert_int_equal(err->code, ENOMEM);
	assert_non_null(strstr(err->msg, "/a/../b"));
	strata_error_free(&err);

	/* the next call works again */
	check("/a/../b", "/b");
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_and_empty),	     cmocka_unit_test(test_dotdot_clamped_at_root),
		cmocka_unit_test(test_separators_and_dots), cmocka_unit_test(test_relative_is_rooted),
		cmocka_unit_test(test_dot_lookalikes),	     cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_alloc_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
