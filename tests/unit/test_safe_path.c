/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_safe_path.c - path resolution and creation confined to a root
 * (runtime/native/safe_path.h), on a real temporary directory holding
 * hostile symlinks.  Needs no privileges.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/native/safe_path.h"

struct root {
	char dir[64];  /* the temporary root on the host */
	char away[96]; /* a host path outside it that must never appear */
	int fd;
};

static int setup(void **state)
{
	struct root *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	snprintf(r->dir, sizeof(r->dir), "/tmp/strata-safe-path.XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		return -1;
	snprintf(r->away, sizeof(r->away), "/tmp/strata-safe-path-away-%d", (int)getpid());
	r->fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = r;
	return r->fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct root *r = *state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", r->dir, r->away);
	int rc = system(cmd);
	close(r->fd);
	free(r);
	return rc == 0 ? 0 : -1;
}

/* inside(r, "a/b"): the host path <root>/a/b */
static const char *inside(const struct root *r, const char *rel)
{
	static char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s/%s", r->dir, rel);
	return buf;
}

static void link_in(const struct root *r, const char *target, const char *name)
{
	assert_int_equal(symlinkat(target, r->fd, name), 0);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_absolute_symlink_to_host_root(void **state)
{
	struct root *r = *state;
	link_in(r, "/", "etc"); /* etc -> / */
	char path[160];
	snprintf(path, sizeof(path), "/etc%s/x", r->away);
	strata_error_t err = NULL;
	int fd = safe_mkdir_all_in_root(r->fd, path, 0755, SAFE_CREATE_DIR, 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	/* "/etc" is the root itself: created as <root><away>/x, not on the host */
	char want[256];
	snprintf(want, sizeof(want), "%s%s/x", r->dir, r->away);
	assert_true(is_dir(want));
	assert_int_equal(access(r->away, F_OK), -1);
}

static void test_dangling_symlink_is_created_inside(void **state)
{
	struct root *r = *state;
	char target[160];
	snprintf(target, sizeof(target), "%s/deep", r->away);
	link_in(r, target, "dangle");
	strata_error_t err = NULL;
	int fd = safe_mkdir_all_in_root(r->fd, "dangle/sub", 0755, SAFE_CREATE_DIR, 0700, &err);
	assert_true(fd >= 0);
	close(fd);
	char want[256];
	snprintf(want, sizeof(want), "%s%s/deep/sub", r->dir, r->away);
	assert_true(is_dir(want));
	struct stat st;
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700 & ~(mode_t)0);
	assert_int_equal(access(r->away, F_OK), -1);
}

static void test_relative_climb_is_clamped(void **state)
{
	struct root *r = *state;
	link_in(r, "../../../../../../..", "up");
	strata_error_t err = NULL;
	int fd = safe_mkdir_all_in_root(r->fd, "/up/../../climbed", 0755, SAFE_CREATE_DIR, 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(is_dir(inside(r, "climbed")));
	assert_int_equal(access("/climbed", F_OK), -1);
}

static void test_file_creation_and_symlinked_last_component(void **state)
{
	struct root *r = *state;
	char target[160];
	snprintf(target, sizeof(target), "%s-file", r->away);
	link_in(r, target, "hosts"); /* hosts -> <away>-file (absent) */
	strata_error_t err = NULL;
	int fd = safe_mkdir_all_in_root(r->fd, "/hosts", 0755, SAFE_CREATE_FILE, 0644, &err);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	char want[256];
	snprintf(want, sizeof(want), "%s%s-file", r->dir, r->away);
	assert_int_equal(access(want, F_OK), 0);
	assert_int_equal(access(target, F_OK), -1);
}

static void test_open_does_not_leave_root(void **state)
{
	struct root *r = *state;
	strata_error_t err = NULL;
	/* the host has /etc/passwd; the root does not */
	assert_int_equal(safe_open_in_root(r->fd, "../../../etc/passwd", O_PATH, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, ENOENT);
	strata_error_free(&err);
	int fd = safe_open_in_root(r->fd, "/", O_PATH | O_DIRECTORY, &err);
	assert_true(fd >= 0);
	close(fd);
}

static void test_parent_and_name(void **state)
{
	struct root *r = *state;
	char target[160];
	snprintf(target, sizeof(target), "%s/devdir", r->away);
	link_in(r, target, "dev"); /* dev -> <away>/devdir */
	strata_error_t err = NULL;
	char *name = NULL;
	int fd = safe_parent_in_root(r->fd, "/dev//null", 0755, &name, &err);
	assert_true(fd >= 0);
	assert_string_equal(name, "null");
	/* the node would be made relative to the parent fd: check where that is */
	assert_int_equal(mkdirat(fd, name, 0755), 0);
	char want[256];
	snprintf(want, sizeof(want), "%s%s/devdir/null", r->dir, r->away);
	assert_true(is_dir(want));
	assert_int_equal(access(r->away, F_OK), -1);
	free(name);
	close(fd);

	name = NULL;
	assert_int_equal(safe_parent_in_root(r->fd, "/a/..", 0755, &name, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	assert_int_equal(safe_parent_in_root(r->fd, "/", 0755, &name, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	assert_null(name);
}

static void test_deep_path(void **state)
{
	struct root *r = *state;
	strata_error_t err = NULL;
	const char *deep = "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t";
	int fd = safe_mkdir_all_in_root(r->fd, deep, 0755, SAFE_CREATE_DIR, 0755, &err);
	assert_true(fd >= 0);
	assert_null(err);
	close(fd);
	assert_true(is_dir(inside(r, deep + 1)));
}

static void test_symlink_loop(void **state)
{
	struct root *r = *state;
	link_in(r, "b", "a");
	link_in(r, "a", "b");
	strata_error_t err = NULL;
	assert_int_equal(safe_mkdir_all_in_root(r->fd, "a/x", 0755, SAFE_CREATE_DIR, 0755, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, ELOOP);
	strata_error_free(&err);
}

static void test_not_a_directory(void **state)
{
	struct root *r = *state;
	int f = openat(r->fd, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(f >= 0);
	close(f);
	strata_error_t err = NULL;
	assert_int_equal(safe_mkdir_all_in_root(r->fd, "file/x", 0755, SAFE_CREATE_DIR, 0755, &err), -1);
	assert_int_equal(err->code, ENOTDIR);
	strata_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absolute_symlink_to_host_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling_symlink_is_created_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_climb_is_clamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_creation_and_symlinked_last_component, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_does_not_leave_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_and_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_directory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
