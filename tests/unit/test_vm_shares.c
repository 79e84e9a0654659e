/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vm_shares.c - the vm level's bind-mount plan (runtime/vm_shares.h)
 * and the guest config's rewritten sources (runtime/vm_guest_config.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "runtime/vm_guest_config.h"
#include "runtime/vm_shares.h"

static void test_rewrite_sources(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	const char *t = "{\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
			"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/var/lib/x/hosts\","
			"\"options\":[\"rbind\",\"ro\"]},"
			"{\"destination\":\"/data\",\"source\":\"/srv/data\",\"options\":[\"bind\"]}],"
			"\"hooks\":{\"poststop\":[{\"path\":\"/h\"}]}}";
	struct vm_guest_source src[] = { { 1, (char *)"/g/1" }, { 2, (char *)"/g/2" } };
	size_t len = 0;
	char *out = vm_guest_config_rewrite(t, strlen(t), src, 2, &len, &err);
	assert_non_null(out);
	assert_string_equal(out, "{\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
				 "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/g/1\","
				 "\"options\":[\"rbind\",\"ro\"]},"
				 "{\"destination\":\"/data\",\"source\":\"/g/2\",\"options\":[\"bind\"]}]}");
	assert_int_equal(len, strlen(out));
	free(out);

	/* No sources: the text is only stripped of the host's hooks. */
	out = vm_guest_config_rewrite(t, strlen(t), NULL, 0, &len, &err);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"source\":\"/var/lib/x/hosts\""));
	assert_null(strstr(out, "hooks"));
	free(out);
}

static void test_rewrite_rejects_bad_index(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	size_t len = 0;
	const char *t = "{\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\"}]}";
	struct vm_guest_source past[] = { { 1, (char *)"/g/1" } };
	assert_null(vm_guest_config_rewrite(t, strlen(t), past, 1, &len, &err));
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	/* mounts[0] has no source to replace. */
	struct vm_guest_source nosrc[] = { { 0, (char *)"/g/0" } };
	assert_null(vm_guest_config_rewrite(t, strlen(t), nosrc, 1, &len, &err));
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	const char *none = "{\"x\":1}";
	assert_null(vm_guest_config_rewrite(none, strlen(none), nosrc, 1, &len, &err));
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
}

/* A bundle directory with a file `f` and a directory `d`. */
static char *make_bundle(void)
{
	char *dir = strdup("/tmp/strata-vmshares.XXXXXX");
	assert_non_null(mkdtemp(dir));
	char p[256];
	snprintf(p, sizeof(p), "%s/f", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/d", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	return dir;
}

static void remove_bundle(char *dir)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/f", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/d", dir);
	rmdir(p);
	rmdir(dir);
	free(dir);
}

static void test_plan(void **state)
{
	(void)state;
	char *b = make_bundle();
	char abs_d[256];
	snprintf(abs_d, sizeof(abs_d), "%s/d", b);
	char *ro_opts[] = { (char *)"rbind", (char *)"ro", NULL };
	char *bind_opts[] = { (char *)"bind", NULL };
	char *rro_opts[] = { (char *)"bind", (char *)"rro", NULL };
	struct oci_mount m[] = {
		{ .destination = (char *)"/proc", .type = (char *)"proc", .source = (char *)"proc" },
		{ .destination = (char *)"/etc/hosts", .type = (char *)"bind", .source = (char *)"f",
		  .options = ro_opts, .options_len = 2 },
		{ .destination = (char *)"/data", .source = abs_d, .options = bind_opts, .options_len = 1 },
		/* a device node: left for the guest's own /dev/null */
		{ .destination = (char *)"/n", .type = (char *)"bind", .source = (char *)"/dev/null" },
		{ .destination = (char *)"/missing", .type = (char *)"bind", .source = (char *)"/no/such/path" },
		{ .destination = (char *)"/r", .type = (char *)"bind", .source = (char *)"d", .options = rro_opts,
		  .options_len = 2 },
	};
	struct oci_config c = { .mounts = m, .mounts_len = sizeof(m) / sizeof(m[0]) };
	strata_error_t err = NULL;
	struct vm_shares_plan p;
	assert_int_equal(vm_shares_plan(&c, b, &p, &err), 0);
	assert_int_equal(p.len, 3);
	char want[256];

	assert_int_equal(p.binds[0].mount_index, 1);
	snprintf(want, sizeof(want), "%s/f", b);
	assert_string_equal(p.binds[0].source, want);
	assert_false(p.binds[0].directory);
	assert_true(p.binds[0].recursive);
	assert_true(p.binds[0].read_only);
	assert_int_equal(p.guest[0].mount_index, 1);
	assert_string_equal(p.guest[0].source, VM_SHARES_GUEST_DIR "/1");

	assert_int_equal(p.binds[1].mount_index, 2);
	assert_string_equal(p.binds[1].source, abs_d);
	assert_true(p.binds[1].directory);
	assert_false(p.binds[1].recursive);
	assert_false(p.binds[1].read_only);
	assert_string_equal(p.guest[1].source, VM_SHARES_GUEST_DIR "/2");

	assert_int_equal(p.binds[2].mount_index, 5);
	assert_true(p.binds[2].directory);
	assert_true(p.binds[2].read_only);
	assert_null(p.staging);

	/* prepare: the staging directory in the state directory, empty. */
	assert_int_equal(vm_shares_prepare(&p, b, &err), 0);
	snprintf(want, sizeof(want), "%s/" VM_SHARES_STAGING, b);
	assert_string_equal(p.staging, want);
	struct stat st;
	assert_int_equal(stat(want, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(rmdir(want), 0);
	vm_shares_plan_free(&p);
	assert_int_equal(p.len, 0);
	assert_null(p.binds);
	remove_bundle(b);
}

static void test_plan_empty_and_bad_options(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	struct vm_shares_plan p;
	struct oci_config none = { 0 };
	assert_int_equal(vm_shares_plan(&none, NULL, &p, &err), 0);
	assert_int_equal(p.len, 0);
	/* An empty plan prepares nothing. */
	assert_int_equal(vm_shares_prepare(&p, "/nonexistent-state-dir", &err), 0);
	assert_null(p.staging);
	vm_shares_plan_free(&p);

	char *bad[] = { (char *)"", NULL };
	struct oci_mount m = { .destination = (char *)"/x", .type = (char *)"bind", .source = (char *)"/tmp",
			       .options = bad, .options_len = 1 };
	struct oci_config c = { .mounts = &m, .mounts_len = 1 };
	assert_int_equal(vm_shares_plan(&c, NULL, &p, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	assert_null(p.binds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrite_sources),
		cmocka_unit_test(test_rewrite_rejects_bad_index),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_empty_and_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
