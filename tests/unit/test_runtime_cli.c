/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_runtime_cli.c - the pure parts of the CLI and the state store:
 * runc-style flag parsing (runtime/options.c), signal names
 * (runtime/lifecycle.c), container ids and the state.json round trip
 * (runtime/container*.c), rlimit names and the executable lookup
 * (runtime/native/process_setup.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/container.h"
#include "runtime/container_json.h"
#include "runtime/lifecycle.h"
#include "runtime/native/process_setup.h"
#include "runtime/native/sync.h"
#include "runtime/options.h"

static void test_opts_forms(void **state)
{
	(void)state;
	const char *bundle = NULL, *pid = NULL;
	bool detach = false, keep = true;
	int fds = 0;
	const struct opt_spec specs[] = {
		{ "bundle", 'b', OPT_STRING, &bundle }, { "pid-file", 0, OPT_STRING, &pid },
		{ "detach", 'd', OPT_BOOL, &detach },	{ "keep", 0, OPT_BOOL, &keep },
		{ "preserve-fds", 0, OPT_INT, &fds },	{ NULL, 0, 0, NULL },
	};
	char *argv[] = { "run", "-b", "/b", "--pid-file=/p", "-d", "--keep=false", "-preserve-fds", "2", "id", "x", NULL };
	int first = 0;
	strata_error_t err = NULL;
	assert_int_equal(opts_parse(specs, 10, argv, &first, &err), 0);
	assert_string_equal(bundle, "/b");
	assert_string_equal(pid, "/p");
	assert_true(detach);
	assert_false(keep);
	assert_int_equal(fds, 2);
	assert_int_equal(first, 8);
	assert_null(opts_one_id("run", 10, argv, first, &err));
	assert_string_equal(err->msg, "\"run\" requires exactly 1 argument(s)");
	strata_error_free(&err);
}

static void test_opts_errors(void **state)
{
	(void)state;
	const char *bundle = NULL;
	int fds = 0;
	const struct opt_spec specs[] = { { "bundle", 'b', OPT_STRING, &bundle },
					  { "preserve-fds", 0, OPT_INT, &fds },
					  { NULL, 0, 0, NULL } };
	strata_error_t err = NULL;
	int first = 0;
	char *a1[] = { "create", "--nope", "x", NULL };
	assert_int_equal(opts_parse(specs, 3, a1, &first, &err), -1);
	assert_string_equal(err->msg, "flag provided but not defined: -nope");
	char *a2[] = { "create", "--bundle", NULL };
	assert_int_equal(opts_parse(specs, 2, a2, &first, &err), -1);
	assert_string_equal(err->msg, "flag needs an argument: -bundle");
	char *a3[] = { "create", "--preserve-fds=-1", "x", NULL };
	assert_int_equal(opts_parse(specs, 3, a3, &first, &err), -1);
	assert_string_equal(err->msg, "invalid value `-1` for flag -preserve-fds");
	/* "--" ends the flags; "-" alone is an argument */
	char *a4[] = { "create", "--", "--bundle", NULL };
	assert_int_equal(opts_parse(specs, 3, a4, &first, &err), 0);
	assert_int_equal(first, 2);
	strata_error_free(&err);
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("9"), SIGKILL);
	assert_int_equal(signal_parse("KILL"), SIGKILL);
	assert_int_equal(signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(signal_parse("sigterm"), SIGTERM);
	assert_int_equal(signal_parse("USR1"), SIGUSR1);
	assert_int_equal(signal_parse("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(signal_parse("0"), -1);
	assert_int_equal(signal_parse("65"), -1);
	assert_int_equal(signal_parse("SIGNOPE"), -1);
	assert_int_equal(signal_parse(""), -1);
}

static void test_ids(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	assert_int_equal(container_id_validate("abc-1.2_3+x", &err), 0);
	assert_int_equal(container_id_validate("0123456789abcdef", &err), 0);
	const char *bad[] = { "", "../x", "a/b", ".x", "-x", "a b", "a\nb" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(container_id_validate(bad[i], &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
}

static void test_state_roundtrip(void **state)
{
	(void)state;
	char *keys[] = { "k1", "k2" }, *values[] = { "v1", "v \"2\"" };
	struct container_state s = {
		.id = "c1",
		.bundle = "/b",
		.rootfs = "/b/rootfs",
		.pid = 1234,
		.pid_start_time = 987654321ULL,
		.created = "2026-11-21T09:02:27.689076158Z",
		.owner_uid = 1000,
		.level = ISOLATION_SENTRY,
		.cgroup = "{\"x\":1}",
		.systemd_cgroup = true,
		.annotations = { keys, values, 2 },
	};
	char *json = container_state_to_json(&s);
	assert_non_null(json);
	struct container_state t = { 0 };
	strata_error_t err = NULL;
	assert_int_equal(container_state_from_json(json, strlen(json), &t, &err), 0);
	assert_string_equal(t.id, "c1");
	assert_string_equal(t.bundle, "/b");
	assert_string_equal(t.rootfs, "/b/rootfs");
	assert_int_equal(t.pid, 1234);
	assert_true(t.pid_start_time == 987654321ULL);
	assert_string_equal(t.created, s.created);
	assert_int_equal(t.owner_uid, 1000);
	assert_int_equal(t.level, ISOLATION_SENTRY);
	assert_string_equal(t.cgroup, "{\"x\":1}");
	assert_true(t.systemd_cgroup);
	assert_int_equal(t.annotations.len, 2);
	assert_string_equal(t.annotations.values[1], "v \"2\"");
	free(json);
	free(t.id);
	free(t.bundle);
	free(t.rootfs);
	free(t.created);
	free(t.cgroup);
	for (size_t i = 0; i < t.annotations.len; i++) {
		free(t.annotations.keys[i]);
		free(t.annotations.values[i]);
	}
	free(t.annotations.keys);
	free(t.annotations.values);

	assert_int_equal(container_state_from_json("{\"id\":1}", 8, &t, &err), -1);
	assert_string_equal(err->msg, ".id: expected a string");
	strata_error_free(&err);
}

static void test_runc_state(void **state)
{
	(void)state;
	struct container_state s = { .id = "s5", .bundle = "/b", .rootfs = "/b/rootfs", .created = "2026-11-21T09:02:27Z" };
	char *json = container_runc_state_json(&s, "stopped", 0, "", false);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"status\":\"stopped\""));
	assert_non_null(strstr(json, "\"pid\":0"));
	assert_non_null(strstr(json, "\"owner\":\"\""));
	assert_null(strstr(json, "annotations"));
	free(json);
	assert_null(container_runc_state_json(&s, "bogus", 0, "", false));
}

static void test_rlimits_and_exec(void **state)
{
	(void)state;
	assert_int_equal(rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_int_equal(rlimit_from_name("NOFILE"), -1);
	char *env[] = { "FOO=1", "PATH=/nonexistent:/bin:/usr/bin", NULL };
	char *out = NULL;
	strata_error_t err = NULL;
	assert_int_equal(exec_path_resolve("sh", env, &out, &err), 0);
	assert_non_null(strstr(out, "/sh"));
	free(out);
	assert_int_equal(exec_path_resolve("no-such-cmd-xyz", env, &out, &err), -1);
	assert_string_equal(err->msg, "exec: \"no-such-cmd-xyz\": executable file not found in $PATH");
	assert_int_equal(exec_path_resolve("/no/such", env, &out, &err), -1);
	assert_string_equal(err->msg, "exec: \"/no/such\": stat /no/such: no such file or directory");
	char *nopath[] = { NULL };
	assert_int_equal(exec_path_resolve("sh", nopath, &out, &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(env_lookup(env, "FOO"), "1");
	assert_null(env_lookup(env, "FO"));
	strata_error_free(&err);
}

static void test_sync_protocol(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct sync_msg m;
	strata_error_t err = NULL;
	/* a message keeps its type, value and payload */
	assert_int_equal(sync_send(sv[0], SYNC_HOOKS_DONE, 7, "{\"a\":1}", 7), 0);
	assert_int_equal(sync_expect(sv[1], SYNC_HOOKS_DONE, &m, &err), 0);
	assert_int_equal(m.value, 7);
	assert_string_equal(m.payload, "{\"a\":1}");
	sync_msg_clear(&m);
	/* an ERROR from the peer becomes the caller's error, errno kept */
	struct strata_error e = { .code = ENOENT, .msg = "exec: \"x\": not found" };
	sync_send_error(sv[0], &e);
	assert_int_equal(sync_expect(sv[1], SYNC_READY, &m, &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "exec: \"x\": not found");
	/* an unexpected type is a protocol error */
	assert_int_equal(sync_send(sv[0], SYNC_CONTINUE, 0, NULL, 0), 0);
	assert_int_equal(sync_expect(sv[1], SYNC_READY, &m, &err), -1);
	assert_int_equal(err->code, EPROTO);
	/* the peer closing its end is EOF */
	close(sv[0]);
	assert_int_equal(sync_expect(sv[1], SYNC_READY, &m, &err), -1);
	assert_int_equal(err->code, EPIPE);
	close(sv[1]);
	strata_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_forms),   cmocka_unit_test(test_opts_errors), cmocka_unit_test(test_signals),
		cmocka_unit_test(test_ids),	     cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_runc_state),   cmocka_unit_test(test_rlimits_and_exec),
		cmocka_unit_test(test_sync_protocol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
