/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_probe.c - the security probe of `strata compare` (bench/workloads/probe*.c).
 *
 * The probe is a static program outside libstrata, so its logic files are
 * compiled into this test directly.  Two kinds of tests:
 *  - classification (pure): facts in, verdict out;
 *  - the attempts run for real on the host: as root outside any container,
 *    every probe the host kernel allows root to do must come out "reachable"
 *    (a probe that reports "blocked" there would make the matrix lie).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../bench/workloads/probe_attempts.c"
#include "../../bench/workloads/probe_classify.c"
#include "../../bench/workloads/probe_report.c"
#include "../../bench/workloads/probe_syscalls.c"

#include <sys/prctl.h>

static struct probe_outcome classify(enum probe_rule rule, long ret, int err, bool match)
{
	struct probe_facts f = { .ret = ret, .err = err, .token_match = match };
	snprintf(f.detail, sizeof(f.detail), "tried");
	struct probe_outcome o = { 0 };
	probe_classify(rule, &f, &o);
	return o;
}

static void test_classify_token(void **state)
{
	assert_int_equal(classify(PROBE_RULE_TOKEN, 7, 0, true).verdict, PROBE_REACHABLE);
	/* a file was read, but not the host's: the container's own file of that name */
	struct probe_outcome o = classify(PROBE_RULE_TOKEN, 7, 0, false);
	assert_int_equal(o.verdict, PROBE_BLOCKED);
	assert_non_null(strstr(o.evidence, "not the host's data"));
	o = classify(PROBE_RULE_TOKEN, -1, ENOENT, false);
	assert_int_equal(o.verdict, PROBE_BLOCKED);
	assert_string_equal(o.evidence, "tried: ENOENT");
}

static void test_classify_success(void **state)
{
	assert_int_equal(classify(PROBE_RULE_SUCCESS, 3, 0, false).verdict, PROBE_REACHABLE);
	assert_int_equal(classify(PROBE_RULE_SUCCESS, 0, 0, false).verdict, PROBE_REACHABLE);
	struct probe_outcome o = classify(PROBE_RULE_SUCCESS, -1, EPERM, false);
	assert_int_equal(o.verdict, PROBE_BLOCKED);
	assert_int_equal(o.err, EPERM);
	assert_string_equal(o.evidence, "tried: EPERM");
}

static void test_classify_permission(void **state)
{
	/* past the capability check, the empty module image is refused: the handler was reached */
	assert_int_equal(classify(PROBE_RULE_PERMISSION, -1, ENOEXEC, false).verdict, PROBE_REACHABLE);
	assert_int_equal(classify(PROBE_RULE_PERMISSION, -1, EPERM, false).verdict, PROBE_BLOCKED);
	assert_int_equal(classify(PROBE_RULE_PERMISSION, -1, ENOSYS, false).verdict, PROBE_BLOCKED);
	assert_int_equal(classify(PROBE_RULE_PERMISSION, -1, EROFS, false).verdict, PROBE_BLOCKED);
	/* an attempt that died without an errno is not evidence of reach */
	assert_int_equal(classify(PROBE_RULE_PERMISSION, -1, 0, false).verdict, PROBE_BLOCKED);
}

static void test_classify_skipped(void **state)
{
	struct probe_facts f = { .skipped = true };
	struct probe_outcome o = { 0 };
	probe_classify(PROBE_RULE_SUCCESS, &f, &o);
	assert_int_equal(o.verdict, PROBE_SKIPPED);
}

static void test_syscall_reached_rules(void **state)
{
	struct probe_syscall_fact f = { .replied = true, .ret = -1, .err = ENOSYS };
	assert_false(probe_syscall_reached(&f));
	f.err = EINVAL;
	assert_true(probe_syscall_reached(&f));
	f.err = EPERM;
	assert_true(probe_syscall_reached(&f));
	f = (struct probe_syscall_fact){ .signal = SIGSYS };
	assert_false(probe_syscall_reached(&f));
	f = (struct probe_syscall_fact){ .signal = SIGSEGV };
	assert_true(probe_syscall_reached(&f));
	f = (struct probe_syscall_fact){ .exited = true };
	assert_true(probe_syscall_reached(&f));
	f = (struct probe_syscall_fact){ .timed_out = true };
	assert_true(probe_syscall_reached(&f));
}

static void test_syscall_args_neutralised(void **state)
{
	char scratch[64];
	long a[6];
	probe_syscall_args(SYS_kill, a, scratch);
	assert_true(a[0] > 4194304); /* never -1 (every process) nor 0 (our group) */
	assert_int_equal(a[1], 0);
	probe_syscall_args(SYS_msgget, a, scratch);
	assert_int_equal(a[1], 0); /* no IPC_CREAT */
	probe_syscall_args(SYS_reboot, a, scratch);
	assert_int_equal(a[0], 0); /* not LINUX_REBOOT_MAGIC1 */
	probe_syscall_args(SYS_read, a, scratch);
	assert_int_equal(a[0], -1);
}

static void test_syscall_try_native(void **state)
{
	struct probe_syscall_fact f;
	assert_int_equal(probe_syscall_try(SYS_getpid, &f), 0);
	assert_true(f.replied);
	assert_true(f.ret > 0);
	assert_true(probe_syscall_reached(&f));
	/* 400 is a hole in the x86_64 table (336..423 are unused): ENOSYS natively */
	assert_int_equal(probe_syscall_try(400, &f), 0);
	assert_true(f.replied);
	assert_int_equal(f.err, ENOSYS);
	assert_false(probe_syscall_reached(&f));
	/* exit(-1) ends the child without a reply: it reached the handler */
	assert_int_equal(probe_syscall_try(SYS_exit, &f), 0);
	assert_true(f.exited);
	assert_true(probe_syscall_reached(&f));
	/* fork returns in the parent only: the new process leaves at once */
	assert_int_equal(probe_syscall_try(SYS_fork, &f), 0);
	assert_true(f.replied);
	assert_true(f.ret > 0);
	/* pause blocks until the child's interval timer interrupts it */
	assert_int_equal(probe_syscall_try(SYS_pause, &f), 0);
	assert_true(f.replied);
	assert_int_equal(f.err, EINTR);
}

static bool path_ok(const char *p, int flags)
{
	int fd = open(p, flags | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int read_int(const char *p, int dflt)
{
	FILE *f = fopen(p, "re");
	int v = dflt;
	if (f != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

/* Run every probe on the host as root: each one the host allows must be "reachable". */
static void test_probes_reachable_natively_as_root(void **state)
{
	if (geteuid() != 0)
		skip();
	char dir[] = "/tmp/strata-probe-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char file[256];
	snprintf(file, sizeof(file), "%s/secret", dir);
	FILE *fp = fopen(file, "we");
	assert_non_null(fp);
	fputs("token-4242\n", fp);
	fclose(fp);

	/* a host process to see and ptrace: a child that idles under a known name */
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		prctl(PR_SET_NAME, "probe-target");
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

	/* a host abstract unix socket */
	char aname[64];
	snprintf(aname, sizeof(aname), "strata-probe-test-%d", (int)getpid());
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(ls >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path + 1, aname, strlen(aname));
	assert_int_equal(bind(ls, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(aname))), 0);
	assert_int_equal(listen(ls, 4), 0);

	struct probe_target t = { .host_file = file, .token = "token-4242", .host_pid = target,
				  .host_comm = "probe-target", .abstract_socket = aname, .scratch_dir = dir };
	/* What this host lets root do, found independently of the probe's own code. */
	char p1[300];
	snprintf(p1, sizeof(p1), "/proc/1/root%s", file);
	bool proc1_ok = path_ok(p1, O_RDONLY);
	bool modules = access("/proc/modules", F_OK) == 0 && read_int("/proc/sys/kernel/modules_disabled", 0) == 0;
	bool uring = read_int("/proc/sys/kernel/io_uring_disabled", 0) == 0;

	size_t n;
	const struct probe_def *defs = probe_list(&n);
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++) {
		struct probe_facts f;
		struct probe_outcome o = { .name = defs[i].name };
		probe_run_contained(&defs[i], &t, &f, 5000);
		probe_classify(defs[i].rule, &f, &o);
		bool expect = true;
		if (strcmp(o.name, "host_file_proc1_root") == 0)
			expect = proc1_ok;
		else if (strcmp(o.name, "kernel_module") == 0)
			expect = modules;
		else if (strcmp(o.name, "io_uring_setup") == 0)
			expect = uring;
		print_message("%-22s %-9s %s\n", o.name, o.verdict == PROBE_REACHABLE ? "reachable" : "blocked",
			      o.evidence);
		assert_int_equal(o.verdict, expect ? PROBE_REACHABLE : PROBE_BLOCKED);
	}
	close(ls);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	unlink(file);
	assert_int_equal(rmdir(dir), 0); /* the attempts left nothing in the scratch dir */
}

/* The report is one JSON line with every probe and the syscall counts. */
static void test_report_json(void **state)
{
	struct probe_outcome o[2] = { { .name = "a", .verdict = PROBE_BLOCKED, .err = EPERM },
				      { .name = "b", .verdict = PROBE_REACHABLE } };
	snprintf(o[0].evidence, sizeof(o[0].evidence), "say \"no\"");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	probe_report_json(m, o, 2, 451, 300);
	fclose(m);
	assert_string_equal(buf, "{\"probes\":[{\"name\":\"a\",\"result\":\"blocked\",\"errno\":\"EPERM\","
				 "\"evidence\":\"say \\\"no\\\"\"},{\"name\":\"b\",\"result\":\"reachable\","
				 "\"errno\":null,\"evidence\":\"\"}],\"syscalls\":{\"probed\":451,\"reachable\":300}}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_token),
		cmocka_unit_test(test_classify_success),
		cmocka_unit_test(test_classify_permission),
		cmocka_unit_test(test_classify_skipped),
		cmocka_unit_test(test_syscall_reached_rules),
		cmocka_unit_test(test_syscall_args_neutralised),
		cmocka_unit_test(test_syscall_try_native),
		cmocka_unit_test(test_probes_reachable_natively_as_root),
		cmocka_unit_test(test_report_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
