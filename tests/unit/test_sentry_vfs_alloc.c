/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sentry_vfs_alloc.c - every allocation of the sentry's mount table
 * (sentry/vfs.c vfs_new) may fail: make the 1st, 2nd, ... Nth allocation fail
 * in turn and check that vfs_new then fails cleanly (-1, error set, no table
 * returned, nothing left allocated) and that a table it does return has every
 * string filled in.
 *
 * Like test_oci_alloc_failure.c this replaces malloc/calloc/realloc/free for
 * the whole binary, so it is skipped under AddressSanitizer.  The config
 * holds no tmpfs mount: the sentry's tmpfs inodes live as long as the sentry
 * and vfs_free does not free them, which a leak count would report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oci-spec/config.h"
#include "sentry/vfs.h"

#include "alloc_fail.h"

/* Mounts of every kind but tmpfs, with uncleaned destinations and options. */
static const char config_doc[] =
	"{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev/\",\"type\":\"bind\",\"source\":\"/dev\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"ro\",\"nosuid\"]},"
	"{\"destination\":\"//mnt/./x/../vol\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"rw\"]},"
	"{\"destination\":\"/none\"}]}";

static void test_vfs_new_alloc_failures(void **state)
{
	(void)state;
#ifdef ALLOC_FAIL_UNDER_ASAN
	skip();
#else
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	if (oci_config_parse("config.json", config_doc, strlen(config_doc), &c, &err) < 0)
		fail_msg("config: %s", err->msg);
	long points = 0;
	for (long at = 1;; at++) {
		struct vfs *v = NULL;
		alloc_fail_arm(at);
		int r = vfs_new(c, &v, &err);
		bool failed_one = alloc_count >= at;
		if (r == 0) {
			/* every mount complete: no NULL path, source, type or options */
			for (size_t i = 0; i < v->nmounts; i++) {
				struct vmount *m = &v->mounts[i];
				if (m->path == NULL || m->source == NULL || m->fstype == NULL || m->options == NULL)
					fail_msg("failing allocation %ld leaves mount %zu incomplete", at, i);
			}
			vfs_free(v);
		}
		strata_error_free(&err);
		alloc_fail_disarm();
		if (failed_one && r == 0)
			fail_msg("failing allocation %ld: vfs_new succeeded anyway", at);
		if (failed_one && v != NULL && r < 0)
			fail_msg("failing allocation %ld: vfs_new failed but returned a table", at);
		if (alloc_live != 0)
			fail_msg("failing allocation %ld leaves %ld blocks allocated", at, alloc_live);
		if (!failed_one) {
			assert_int_equal(r, 0);
			break; /* fewer allocations than `at`: every point was failed once */
		}
		points++;
	}
	/* the root plus five mounts, four strings each, and the table */
	assert_true(points >= 24);
	oci_config_free(c);
#endif
}

/* The table a clean run builds: cleaned paths, defaults for missing fields. */
static void test_vfs_new_table(void **state)
{
	(void)state;
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	if (oci_config_parse("config.json", config_doc, strlen(config_doc), &c, &err) < 0)
		fail_msg("config: %s", err->msg);
	struct vfs *v = NULL;
	assert_int_equal(vfs_new(c, &v, &err), 0);
	assert_int_equal(v->nmounts, 6);
	assert_string_equal(v->mounts[0].path, "/");
	assert_string_equal(v->mounts[0].options, "ro");
	assert_string_equal(v->mounts[1].path, "/proc");
	assert_int_equal(v->mounts[1].kind, FS_PROC);
	assert_string_equal(v->mounts[2].path, "/dev");
	assert_int_equal(v->mounts[2].kind, FS_DEV);
	assert_string_equal(v->mounts[3].options, "ro,nosuid");
	assert_string_equal(v->mounts[4].path, "/mnt/vol");
	assert_string_equal(v->mounts[5].path, "/none");
	assert_string_equal(v->mounts[5].source, "none");
	assert_string_equal(v->mounts[5].fstype, "none");
	assert_string_equal(v->mounts[5].options, "rw");
	vfs_free(v);
	oci_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfs_new_table),
		cmocka_unit_test(test_vfs_new_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
