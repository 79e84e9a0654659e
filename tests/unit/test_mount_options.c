/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mount_options.c - runtime-spec mount options to MS_* flags,
 * propagation steps, mount_setattr attributes and filesystem data
 * (runtime/native/mount_options.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "runtime/native/mount_options.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void parse_ok(char *const *opts, size_t n, struct mount_options *o)
{
	strata_error_t err = NULL;
	assert_int_equal(mount_options_parse(opts, n, o, &err), 0);
	assert_null(err);
}

static void test_flags_set_and_clear(void **state)
{
	(void)state;
	char *opts[] = { "nosuid", "nodev", "noexec", "ro", "relatime", "sync", "dirsync" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_int_equal(o.flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_RELATIME | MS_SYNCHRONOUS |
					  MS_DIRSYNC);
	assert_int_equal(o.clear_flags, 0);
	assert_null(o.data);
	mount_options_free(&o);
}

static void test_last_option_wins(void **state)
{
	(void)state;
	char *opts[] = { "ro", "rw", "nosuid", "suid", "noexec", "exec", "dev", "nodev" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_int_equal(o.flags, MS_NODEV);
	assert_int_equal(o.clear_flags, MS_RDONLY | MS_NOSUID | MS_NOEXEC);
	mount_options_free(&o);

	char *opts2[] = { "rw", "ro" };
	parse_ok(opts2, N(opts2), &o);
	assert_int_equal(o.flags, MS_RDONLY);
	assert_int_equal(o.clear_flags, 0);
	mount_options_free(&o);
}

static void test_all_clear_options(void **state)
{
	(void)state;
	char *opts[] = { "async", "atime", "diratime", "nomand", "norelatime", "nostrictatime", "nolazytime", "loud" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.clear_flags, MS_SYNCHRONOUS | MS_NOATIME | MS_NODIRATIME | MS_MANDLOCK | MS_RELATIME |
						MS_STRICTATIME | MS_LAZYTIME | MS_SILENT);
	mount_options_free(&o);
}

static void test_bind_rbind(void **state)
{
	(void)state;
	struct mount_options o;
	char *bind[] = { "bind" };
	parse_ok(bind, 1, &o);
	assert_true(mount_options_is_bind(&o));
	assert_false(mount_options_is_recursive_bind(&o));
	mount_options_free(&o);

	char *rbind[] = { "rbind", "ro" };
	parse_ok(rbind, 2, &o);
	assert_true(mount_options_is_bind(&o));
	assert_true(mount_options_is_recursive_bind(&o));
	assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
	mount_options_free(&o);

	char *none[] = { "nosuid" };
	parse_ok(none, 1, &o);
	assert_false(mount_options_is_bind(&o));
	mount_options_free(&o);
}

static void test_propagation_in_order(void **state)
{
	(void)state;
	char *opts[] = { "rprivate", "shared", "rslave", "unbindable", "runbindable", "private", "slave", "rshared" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_int_equal(o.propagation_len, 8);
	assert_int_equal(o.propagation[0], MS_PRIVATE | MS_REC);
	assert_int_equal(o.propagation[1], MS_SHARED);
	assert_int_equal(o.propagation[2], MS_SLAVE | MS_REC);
	assert_int_equal(o.propagation[3], MS_UNBINDABLE);
	assert_int_equal(o.propagation[4], MS_UNBINDABLE | MS_REC);
	assert_int_equal(o.propagation[5], MS_PRIVATE);
	assert_int_equal(o.propagation[6], MS_SLAVE);
	assert_int_equal(o.propagation[7], MS_SHARED | MS_REC);
	assert_int_equal(o.flags, 0);
	assert_null(o.data);
	mount_options_free(&o);
}

static void test_too_many_propagation(void **state)
{
	(void)state;
	char *opts[] = { "shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared" };
	struct mount_options o;
	strata_error_t err = NULL;
	assert_int_equal(mount_options_parse(opts, N(opts), &o, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
}

static void test_empty_option_rejected(void **state)
{
	(void)state;
	char *opts[] = { "ro", "" };
	struct mount_options o;
	strata_error_t err = NULL;
	assert_int_equal(mount_options_parse(opts, N(opts), &o, &err), -1);
	assert_string_equal(err->msg, "mount option 1 is empty");
	strata_error_free(&err);
}

static void test_data_joined(void **state)
{
	(void)state;
	char *opts[] = { "nosuid", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "noexec" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_string_equal(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC);
	mount_options_free(&o);
	assert_null(o.data);
}

static void test_recursive_attrs(void **state)
{
	(void)state;
	char *opts[] = { "rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rsuid" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_int_equal(o.rec_attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_NOSUID);
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	mount_options_free(&o);

	char *rrw[] = { "rro", "rrw" };
	parse_ok(rrw, 2, &o);
	assert_int_equal(o.rec_attr_set, 0);
	assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_RDONLY);
	mount_options_free(&o);
}

static void test_recursive_atime(void **state)
{
	(void)state;
	char *opts[] = { "rnoatime", "rstrictatime" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	/* atime is an enum: the last wins and the whole field is cleared */
	assert_int_equal(o.rec_attr_set, MOUNT_ATTR_STRICTATIME);
	assert_int_equal(o.rec_attr_clr, MOUNT_ATTR__ATIME);
	mount_options_free(&o);

	char *rel[] = { "rnoatime", "rrelatime", "rnodiratime" };
	parse_ok(rel, N(rel), &o);
	assert_int_equal(o.rec_attr_set, MOUNT_ATTR_RELATIME | MOUNT_ATTR_NODIRATIME);
	assert_int_equal(o.rec_attr_clr, MOUNT_ATTR__ATIME);
	mount_options_free(&o);
}

static void test_extensions(void **state)
{
	(void)state;
	char *opts[] = { "tmpcopyup", "ridmap" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	assert_true(o.tmpcopyup);
	assert_true(o.idmap);
	assert_true(o.idmap_recursive);
	assert_null(o.data);
	mount_options_free(&o);

	char *no[] = { "tmpcopyup", "notmpcopyup" };
	parse_ok(no, 2, &o);
	assert_false(o.tmpcopyup);
	assert_null(o.data);
	mount_options_free(&o);

	char *idmap[] = { "idmap" };
	parse_ok(idmap, 1, &o);
	assert_true(o.idmap);
	assert_false(o.idmap_recursive);
	mount_options_free(&o);
}

static void test_attr_from_flags(void **state)
{
	(void)state;
	struct mount_options o;
	uint64_t set, clr;

	char *ro[] = { "ro", "nosuid", "nodev", "noexec" };
	parse_ok(ro, N(ro), &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	assert_int_equal(clr, 0);
	mount_options_free(&o);

	char *rw[] = { "rw", "suid", "nodiratime" };
	parse_ok(rw, N(rw), &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, MOUNT_ATTR_NODIRATIME);
	assert_int_equal(clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	mount_options_free(&o);

	char *none[] = { "mode=755" };
	parse_ok(none, 1, &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, 0);
	assert_int_equal(clr, 0);
	mount_options_free(&o);
}

static void test_attr_atime_like_mount2(void **state)
{
	(void)state;
	struct mount_options o;
	uint64_t set, clr;

	char *strict[] = { "noatime", "strictatime" };
	parse_ok(strict, 2, &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, MOUNT_ATTR_STRICTATIME);
	assert_int_equal(clr, MOUNT_ATTR__ATIME);
	mount_options_free(&o);

	char *noatime[] = { "relatime", "noatime" };
	parse_ok(noatime, 2, &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, MOUNT_ATTR_NOATIME);
	assert_int_equal(clr, MOUNT_ATTR__ATIME);
	mount_options_free(&o);

	char *rel[] = { "relatime" };
	parse_ok(rel, 1, &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, MOUNT_ATTR_RELATIME);
	assert_int_equal(clr, MOUNT_ATTR__ATIME);
	mount_options_free(&o);

	char *atime[] = { "noatime", "atime" };
	parse_ok(atime, 2, &o);
	mount_options_attr(&o, &set, &clr);
	assert_int_equal(set, MOUNT_ATTR_RELATIME);
	assert_int_equal(clr, MOUNT_ATTR__ATIME);
	mount_options_free(&o);
}

static void test_sb_flags(void **state)
{
	(void)state;
	char *opts[] = { "ro", "sync", "dirsync", "lazytime", "nosuid" };
	struct mount_options o;
	parse_ok(opts, N(opts), &o);
	const char *names[8];
	size_t n = mount_options_sb_flags(&o, names, 8);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "ro");
	assert_string_equal(names[1], "sync");
	assert_string_equal(names[2], "dirsync");
	assert_string_equal(names[3], "lazytime");
	assert_int_equal(mount_options_sb_flags(&o, names, 2), 2);
	mount_options_free(&o);
}

static void test_data_next(void **state)
{
	(void)state;
	char data[] = "mode=755,,newinstance,context=\"a,b\",size=64k";
	char *cursor = data, *key, *value;
	assert_true(mount_data_next(&cursor, &key, &value));
	assert_string_equal(key, "mode");
	assert_string_equal(value, "755");
	assert_true(mount_data_next(&cursor, &key, &value));
	assert_string_equal(key, "newinstance");
	assert_null(value);
	assert_true(mount_data_next(&cursor, &key, &value));
	assert_string_equal(key, "context");
	assert_string_equal(value, "\"a,b\"");
	assert_true(mount_data_next(&cursor, &key, &value));
	assert_string_equal(key, "size");
	assert_string_equal(value, "64k");
	assert_false(mount_data_next(&cursor, &key, &value));

	char empty[] = "";
	cursor = empty;
	assert_false(mount_data_next(&cursor, &key, &value));
}

static void test_propagation_names(void **state)
{
	(void)state;
	assert_int_equal(mount_propagation_parse("rslave"), MS_SLAVE | MS_REC);
	assert_int_equal(mount_propagation_parse("shared"), MS_SHARED);
	assert_int_equal(mount_propagation_parse("runbindable"), MS_UNBINDABLE | MS_REC);
	assert_int_equal(mount_propagation_parse("rprivate"), MS_PRIVATE | MS_REC);
	assert_int_equal(mount_propagation_parse("bogus"), 0);
	assert_int_equal(mount_propagation_parse(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_set_and_clear),
		cmocka_unit_test(test_last_option_wins),
		cmocka_unit_test(test_all_clear_options),
		cmocka_unit_test(test_bind_rbind),
		cmocka_unit_test(test_propagation_in_order),
		cmocka_unit_test(test_too_many_propagation),
		cmocka_unit_test(test_empty_option_rejected),
		cmocka_unit_test(test_data_joined),
		cmocka_unit_test(test_recursive_attrs),
		cmocka_unit_test(test_recursive_atime),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_attr_from_flags),
		cmocka_unit_test(test_attr_atime_like_mount2),
		cmocka_unit_test(test_sb_flags),
		cmocka_unit_test(test_data_next),
		cmocka_unit_test(test_propagation_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
