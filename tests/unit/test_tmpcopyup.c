/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tmpcopyup.c - copying a directory of the image into the tmpfs that
 * covers it (runtime/native/tmpcopyup.h), between two real temporary
 * directories.  Needs no privileges (owners are kept as they are).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/native/tmpcopyup.h"

struct dirs {
	char src[64], dst[64];
	int srcfd, dstfd;
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -1;
	snprintf(d->src, sizeof(d->src), "/tmp/strata-copyup-src.XXXXXX");
	snprintf(d->dst, sizeof(d->dst), "/tmp/strata-copyup-dst.XXXXXX");
	if (mkdtemp(d->src) == NULL || mkdtemp(d->dst) == NULL)
		return -1;
	d->srcfd = open(d->src, O_PATH | O_DIRECTORY | O_CLOEXEC);
	d->dstfd = open(d->dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = d;
	return d->srcfd < 0 || d->dstfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", d->src, d->dst);
	int rc = system(cmd);
	close(d->srcfd);
	close(d->dstfd);
	free(d);
	return rc == 0 ? 0 : -1;
}

static void put(const char *dir, const char *name, const char *content, mode_t mode)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static void test_copies_tree(void **state)
{
	struct dirs *d = *state;
	char p[PATH_MAX];
	put(d->src, "a", "alpha", 0640);
	snprintf(p, sizeof(p), "%s/sub", d->src);
	assert_int_equal(mkdir(p, 0711), 0);
	assert_int_equal(chmod(p, 0711), 0);
	put(p, "b", "beta", 0600);
	snprintf(p, sizeof(p), "%s/sub/deeper", d->src);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/link", d->src);
	assert_int_equal(symlink("/etc/passwd", p), 0); /* copied as a link, never followed */
	snprintf(p, sizeof(p), "%s/fifo", d->src);
	assert_int_equal(mkfifo(p, 0620), 0);
	assert_int_equal(chmod(p, 0620), 0); /* not the umask's */
	struct timespec t[2] = { { 1000000000, 0 }, { 1100000000, 0 } };
	assert_int_equal(utimensat(d->srcfd, "a", t, 0), 0);

	strata_error_t err = NULL;
	assert_int_equal(tmpcopyup_copy(d->srcfd, d->dstfd, "/run", &err), 0);
	assert_null(err);

	struct stat st;
	char buf[64] = "";
	snprintf(p, sizeof(p), "%s/a", d->dst);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_mtim.tv_sec, 1100000000);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "alpha");

	snprintf(p, sizeof(p), "%s/sub", d->dst);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0711);
	snprintf(p, sizeof(p), "%s/sub/b", d->dst);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(p, sizeof(p), "%s/sub/deeper", d->dst);
	assert_true(stat(p, &st) == 0 && S_ISDIR(st.st_mode));

	snprintf(p, sizeof(p), "%s/link", d->dst);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "/etc/passwd");

	snprintf(p, sizeof(p), "%s/fifo", d->dst);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0620);
}

static void test_existing_entry_is_an_error(void **state)
{
	struct dirs *d = *state;
	put(d->src, "x", "new", 0644);
	put(d->dst, "x", "old", 0644);
	strata_error_t err = NULL;
	assert_int_equal(tmpcopyup_copy(d->srcfd, d->dstfd, "/run", &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, EEXIST);
	assert_non_null(strstr(err->msg, "/run/x"));
	strata_error_free(&err);
}

static void test_empty_source(void **state)
{
	struct dirs *d = *state;
	strata_error_t err = NULL;
	assert_int_equal(tmpcopyup_copy(d->srcfd, d->dstfd, "/run", &err), 0);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copies_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_entry_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_source, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
