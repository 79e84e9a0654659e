/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cgroup_v1.c - the cgroup manager on this machine's real cgroup v1
 * (hybrid) hierarchy, with plain processes (no container runtime needed):
 * every limit is visible in the controller files and has its effect (a
 * memory hog is OOM-killed at its limit and the OOM notification fires, a
 * fork loop stops at pids.max, the freezer stops a counter), update changes
 * a live limit, stats grow with the workload, destroy leaves nothing behind.
 * Skipped where /sys/fs/cgroup/memory is not a v1 hierarchy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/internal.h"

static bool have_v1(void)
{
	return access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0 &&
	       access("/sys/fs/cgroup/freezer/cgroup.procs", F_OK) == 0 && access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0;
}

static char *file(struct cgroup_manager *m, const char *ctrl, const char *name)
{
	const struct cgroup_dir *d = cgroup_dir_for(m, ctrl);
	assert_non_null(d);
	char *s = NULL;
	strata_error_t err = NULL;
	if (cg_read(d->path, name, &s, &err) < 0) {
		strata_error_free(&err);
		return strdup("<missing>");
	}
	return s;
}

#define ASSERT_CG(m, ctrl, name, want)                 \
	do {                                           \
		char *_s = file(m, ctrl, name);        \
		assert_string_equal(_s, want);         \
		free(_s);                              \
	} while (0)

/* Each test keeps its manager in *state; the teardown destroys it even when
 * an assertion failed half-way, so a failing test leaves no cgroup behind. */
static int destroy_teardown(void **state)
{
	struct cgroup_manager *m = *state;
	if (m != NULL) {
		strata_error_t err = NULL;
		if (cgroup_destroy(m, &err) < 0)
			strata_error_free(&err);
		cgroup_manager_free(m);
	}
	*state = NULL;
	return 0;
}

static struct cgroup_manager *new_manager(const char *tag)
{
	char id[64];
	snprintf(id, sizeof(id), "unit-%s-%d", tag, getpid());
	struct cgroup_manager *m = NULL;
	strata_error_t err = NULL;
	if (cgroup_manager_new(id, NULL, false, &m, &err) < 0)
		fail_msg("%s", err->msg);
	return m;
}

/* A child that waits on a pipe for the go signal, so it can be placed in the cgroup first. */
static pid_t spawn_waiting(int *go, void (*body)(void))
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		char c;
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		body();
		_exit(0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void go(int fd)
{
	assert_int_equal(write(fd, "g", 1), 1);
	close(fd);
}

static void hog(void)
{
	/* touch 1 MiB at a time until killed */
	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		memset(p, 1, 1 << 20);
	}
}

static void test_create_files_and_destroy(void **state)
{
		if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("files");
	*state = m;
	strata_error_t err = NULL;
	struct oci_memory mem = { .has_limit = true, .limit = 64 << 20, .has_swap = true, .swap = 64 << 20,
				  .has_reservation = true, .reservation = 32 << 20, .has_swappiness = true,
				  .swappiness = 10 };
	struct oci_cpu cpu = { .has_shares = true, .shares = 512, .has_quota = true, .quota = 20000, .has_period = true,
			       .period = 100000, .cpus = "0", .mems = "0" };
	struct oci_device_cgroup devs[] = { { .allow = false, .access = "rwm" } };
	struct oci_resources r = { .memory = &mem, .cpu = &cpu, .has_pids_limit = true, .pids_limit = 7,
				   .devices = devs, .devices_len = 1 };
	if (cgroup_create(m, &r, &err) < 0)
		fail_msg("%s", err->msg);
	ASSERT_CG(m, "memory", "memory.limit_in_bytes", "67108864");
	ASSERT_CG(m, "memory", "memory.memsw.limit_in_bytes", "67108864");
	ASSERT_CG(m, "memory", "memory.soft_limit_in_bytes", "33554432");
	ASSERT_CG(m, "memory", "memory.swappiness", "10");
	ASSERT_CG(m, "cpu", "cpu.shares", "512");
	ASSERT_CG(m, "cpu", "cpu.cfs_quota_us", "20000");
	ASSERT_CG(m, "cpu", "cpu.cfs_period_us", "100000");
	ASSERT_CG(m, "cpuset", "cpuset.cpus", "0");
	ASSERT_CG(m, "pids", "pids.max", "7");
	/* deny all + runc's default allow list */
	char *list = file(m, "devices", "devices.list");
	assert_non_null(strstr(list, "c 1:3 rwm"));
	assert_non_null(strstr(list, "c 136:* rwm"));
	assert_non_null(strstr(list, "c *:* m"));
	assert_null(strstr(list, "a *:* rwm"));
	assert_null(strstr(list, "c 1:1 "));
	free(list);
	/* every hierarchy has the directory; destroy removes all of them */
	for (size_t i = 0; i < m->n; i++)
		assert_int_equal(access(m->dirs[i].path, F_OK), 0);
	assert_int_equal(cgroup_destroy(m, &err), 0);
	for (size_t i = 0; i < m->n; i++)
		assert_int_equal(access(m->dirs[i].path, F_OK), -1);
	/* destroy is idempotent */
	assert_int_equal(cgroup_destroy(m, &err), 0);
}

static void test_enter_joins_every_hierarchy(void **state)
{
		if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("enter");
	*state = m;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_create(m, NULL, &err), 0);
	int g;
	pid_t pid = spawn_waiting(&g, hog); /* never released: killed by destroy */
	assert_int_equal(cgroup_enter(m, pid, &err), 0);
	char path[64], *content = NULL;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t cap = 0, lines = 0, ours = 0;
	while (getline(&content, &cap, f) > 0) {
		lines++;
		if (strstr(content, m->id) != NULL)
			ours++;
	}
	fclose(f);
	free(content);
	assert_int_equal(lines, ours); /* every v1 hierarchy and the cgroup2 one */
	pid_t *pids = NULL;
	size_t n = 0;
	assert_int_equal(cgroup_pids(m, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], pid);
	free(pids);
	assert_int_equal(cgroup_destroy(m, &err), 0); /* SIGKILLs the waiting child */
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(g);
}

static void test_memory_oom(void **state)
{
		if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("oom");
	*state = m;
	strata_error_t err = NULL;
	struct oci_memory mem = { .has_limit = true, .limit = 32 << 20, .has_swap = true, .swap = 32 << 20 };
	struct oci_resources r = { .memory = &mem };
	assert_int_equal(cgroup_create(m, &r, &err), 0);
	int oomfd = -1;
	if (cgroup_oom_open(m, &oomfd, &err) < 0)
		fail_msg("%s", err->msg);
	uint64_t count = cgroup_oom_count(m);
	int g;
	pid_t pid = spawn_waiting(&g, hog);
	assert_int_equal(cgroup_enter(m, pid, &err), 0);
	go(g);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL); /* exit status 137 in a shell */
	assert_true(cgroup_oom_count(m) > count); /* memory.oom_control oom_kill */
	char *max = file(m, "memory", "memory.max_usage_in_bytes");
	assert_true(strtoull(max, NULL, 10) <= (32ULL << 20));
	assert_true(strtoull(max, NULL, 10) >= (16ULL << 20));
	free(max);
	struct pollfd pfd = { .fd = oomfd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	bool oom = false;
	assert_int_equal(cgroup_oom_consume(m, oomfd, &count, &oom, &err), 0);
	assert_true(oom);
	/* the stats say so too */
	char *json = NULL;
	assert_int_equal(cgroup_stats_json(m, &json, &err), 0);
	assert_non_null(strstr(json, "\"limit\":33554432"));
	free(json);
	assert_int_equal(cgroup_destroy(m, &err), 0);
	close(oomfd);
}

static void fork_loop(void)
{
	/* fork children that sleep; exit with the number created before fork failed */
	int n = 0;
	for (; n < 100; n++) {
		pid_t p = fork();
		if (p < 0)
			_exit(errno == EAGAIN ? n : 200);
		if (p == 0) {
			pause();
			_exit(0);
		}
	}
	_exit(100);
}

static void test_pids_limit(void **state)
{
		if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("pids");
	*state = m;
	strata_error_t err = NULL;
	struct oci_resources r = { .has_pids_limit = true, .pids_limit = 5 };
	assert_int_equal(cgroup_create(m, &r, &err), 0);
	int g;
	pid_t pid = spawn_waiting(&g, fork_loop);
	assert_int_equal(cgroup_enter(m, pid, &err), 0);
	go(g);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 4); /* 5 tasks: the loop itself and 4 children */
	char *ev = file(m, "pids", "pids.events");
	assert_non_null(strstr(ev, "max "));
	assert_null(strstr(ev, "max 0"));
	free(ev);
	/* kill --all reaches the orphaned children although their parent is gone */
	pid_t *pids = NULL;
	size_t n = 0;
	assert_int_equal(cgroup_pids(m, &pids, &n, &err), 0);
	assert_int_equal(n, 4);
	free(pids);
	assert_int_equal(cgroup_kill_all(m, SIGKILL, &err), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(cgroup_pids(m, &pids, &n, &err), 0);
		free(pids);
		if (n == 0)
			break;
		usleep(10000);
	}
	assert_int_equal(n, 0);
	assert_int_equal(cgroup_destroy(m, &err), 0);
}

static void counter(void)
{
	/* 8 MiB charged to the cgroup, then idle */
	char *p = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	memset(p, 1, 8 << 20);
	for (;;)
		usleep(5000);
}

static void test_freeze_update_stats(void **state)
{
		if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("freeze");
	*state = m;
	strata_error_t err = NULL;
	struct oci_memory mem = { .has_limit = true, .limit = 64 << 20 };
	struct oci_resources r = { .memory = &mem };
	assert_int_equal(cgroup_create(m, &r, &err), 0);
	int g;
	pid_t pid = spawn_waiting(&g, counter);
	assert_int_equal(cgroup_enter(m, pid, &err), 0);
	go(g);
	usleep(300000);
	assert_int_equal(cgroup_freeze(m, true, &err), 0);
	assert_true(cgroup_is_frozen(m));
	/* a frozen task is in state D/T-like "frozen": check /proc state is not R/S via freezer */
	ASSERT_CG(m, "freezer", "freezer.state", "FROZEN");
	assert_int_equal(cgroup_freeze(m, false, &err), 0);
	assert_false(cgroup_is_frozen(m));
	ASSERT_CG(m, "freezer", "freezer.state", "THAWED");

	/* update: raise the limit live, then lower it under usage with checkBeforeUpdate */
	struct oci_memory up = { .has_limit = true, .limit = 128 << 20, .has_swap = true, .swap = 256 << 20 };
	struct oci_resources ru = { .memory = &up };
	assert_int_equal(cgroup_update(m, &ru, &err), 0);
	ASSERT_CG(m, "memory", "memory.limit_in_bytes", "134217728");
	ASSERT_CG(m, "memory", "memory.memsw.limit_in_bytes", "268435456");
	/* shrink both: the limit must go first */
	struct oci_memory down = { .has_limit = true, .limit = 48 << 20, .has_swap = true, .swap = 48 << 20 };
	struct oci_resources rd = { .memory = &down };
	assert_int_equal(cgroup_update(m, &rd, &err), 0);
	ASSERT_CG(m, "memory", "memory.limit_in_bytes", "50331648");
	ASSERT_CG(m, "memory", "memory.memsw.limit_in_bytes", "50331648");
	struct oci_memory tiny = { .has_limit = true, .limit = 1 << 20, .has_check_before_update = true,
				   .check_before_update = true };
	struct oci_resources rt = { .memory = &tiny };
	assert_int_equal(cgroup_update(m, &rt, &err), -1);
	assert_non_null(strstr(err->msg, "below the current usage"));
	strata_error_free(&err);
	/* update never touches the device rules */
	struct oci_device_cgroup allow_all[] = { { .allow = true, .access = "rwm" } };
	struct oci_resources rdv = { .devices = allow_all, .devices_len = 1 };
	assert_int_equal(cgroup_update(m, &rdv, &err), 0);
	char *list = file(m, "devices", "devices.list");
	assert_null(strstr(list, "a *:* rwm"));
	free(list);

	char *json = NULL;
	assert_int_equal(cgroup_stats_json(m, &json, &err), 0);
	assert_non_null(strstr(json, "\"cpu\":{\"usage\":{\"total\":"));
	assert_non_null(strstr(json, "\"limit\":50331648"));
	assert_non_null(strstr(json, "\"pids\":{\"current\":1"));
	free(json);
	assert_int_equal(cgroup_kill_all(m, SIGTERM, &err), 0);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_int_equal(cgroup_destroy(m, &err), 0);
}

/* The lock-free join (cgroup.h): a child cloned into the cgroup2 directory
 * that writes "0" to every v1 `tasks` file ends up where cgroup_enter puts it. */
static void test_join_self_and_clone_into(void **state)
{
	if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("joinself");
	*state = m;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_create(m, NULL, &err), 0);
	int *fds = NULL;
	size_t n = 0;
	assert_int_equal(cgroup_v1_tasks_open(m, &fds, &n, &err), 0);
	size_t v1 = 0;
	for (size_t i = 0; i < m->n; i++)
		v1 += m->dirs[i].controllers != NULL;
	assert_int_equal(n, v1);
	int cgfd = cgroup_clone_into_fd(m, &err);
	if (cgfd < 0) {
		assert_int_equal(err->code, ENOTSUP); /* a v1-only host */
		strata_error_free(&err);
	}
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
			cgroup;
	} args = { .flags = cgfd >= 0 ? 0x200000000ULL : 0, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgfd };
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		char ok = cgroup_join_self(fds, n) == 0 ? 'y' : 'n';
		if (write(pipefd[1], &ok, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	char ok = 0;
	assert_int_equal(read(pipefd[0], &ok, 1), 1);
	close(pipefd[0]);
	assert_int_equal(ok, 'y');
	char path[64], *line = NULL;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t cap = 0, lines = 0, ours = 0;
	while (getline(&line, &cap, f) > 0) {
		lines++;
		if (strstr(line, m->id) != NULL)
			ours++;
	}
	fclose(f);
	free(line);
	assert_int_equal(lines, ours); /* every v1 hierarchy and the cgroup2 one */
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	if (cgfd >= 0)
		close(cgfd);
	assert_int_equal(cgroup_destroy(m, &err), 0); /* SIGKILLs the child */
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void test_unsupported_is_an_error(void **state)
{
		if (!have_v1())
		skip();
	struct cgroup_manager *m = new_manager("unsup");
	*state = m;
	strata_error_t err = NULL;
	/* hugetlb / net_cls are not mounted as v1 hierarchies here: a clear error, and nothing left behind */
	struct oci_hugepage_limit hp = { .page_size = "2MB", .limit = 1 << 21 };
	struct oci_resources r = { .hugepage_limits = &hp, .hugepage_limits_len = 1 };
	if (cgroup_dir_for(m, "hugetlb") == NULL) {
		assert_int_equal(cgroup_create(m, &r, &err), -1);
		assert_non_null(strstr(err->msg, "hugetlb"));
		strata_error_free(&err);
		for (size_t i = 0; i < m->n; i++)
			assert_int_equal(access(m->dirs[i].path, F_OK), -1);
	}
	char *k[] = { "memory.high" }, *v[] = { "1G" };
	struct oci_resources ru = { .unified = { .keys = k, .values = v, .len = 1 } };
	/* hybrid: the cgroup2 directory has no memory controller -> ENOENT naming the file */
	if (cgroup_dir_v2(m) != NULL) {
		assert_int_equal(cgroup_create(m, &ru, &err), -1);
		assert_non_null(strstr(err->msg, "memory.high"));
		strata_error_free(&err);
	}
	assert_int_equal(cgroup_destroy(m, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create_files_and_destroy, destroy_teardown), cmocka_unit_test_teardown(test_enter_joins_every_hierarchy, destroy_teardown),
		cmocka_unit_test_teardown(test_memory_oom, destroy_teardown),		 cmocka_unit_test_teardown(test_pids_limit, destroy_teardown),
		cmocka_unit_test_teardown(test_freeze_update_stats, destroy_teardown),	 cmocka_unit_test_teardown(test_unsupported_is_an_error, destroy_teardown),
		cmocka_unit_test_teardown(test_join_self_and_clone_into, destroy_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
