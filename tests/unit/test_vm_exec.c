/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vm_exec.c - the vm level's exec socket without a guest: the VMM side
 * (runtime/vm_exec_server.h) driven by a scripted agent in this process, the
 * client side (runtime/vm_exec_client.h) in forked children.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-shim/agent_protocol.h"
#include "runtime/vm_exec_client.h"
#include "runtime/vm_exec_server.h"

/* What the server sent to the "agent". */
struct sent {
	uint32_t type[64], id[64], len[64];
	char data[64][64];
	int n;
};

static int fake_send(void *ctx, uint32_t type, uint32_t id, const void *payload, uint32_t len)
{
	struct sent *s = ctx;
	if (s->n < 64) {
		s->type[s->n] = type;
		s->id[s->n] = id;
		s->len[s->n] = len;
		memcpy(s->data[s->n], payload, len < 63 ? len : 63);
		s->data[s->n][len < 63 ? len : 63] = '\0';
		s->n++;
	}
	return 0;
}

static void agent_frame(struct vm_exec_server *srv, uint32_t type, uint32_t id, const void *p, uint32_t len)
{
	struct agent_frame_header h = { type, id, len };
	assert_true(vm_exec_server_agent_frame(srv, &h, p));
}

static void agent_u32(struct vm_exec_server *srv, uint32_t type, uint32_t id, uint32_t v)
{
	uint8_t b[4];
	agent_put_u32(b, v);
	agent_frame(srv, type, id, b, 4);
}

/* One round of the VMM's poll loop. */
static void pump(struct vm_exec_server *srv, struct sent *s, bool running, int ms)
{
	struct pollfd pf[VM_EXEC_POLLFDS_MAX];
	size_t n = vm_exec_server_pollfds(srv, pf);
	if (poll(pf, n, ms) <= 0)
		return;
	vm_exec_server_handle(srv, pf, n, running, fake_send, s);
}

/* A client child: exec `json`, copy stdin from in_fd, output to out_fd; exits
 * with the status, or 200 + a step number on failure (message on stderr).
 * `other` (-1 if none) is a pipe end of the test's that the child closes. */
static pid_t client(int dir_fd, const char *json, int in_fd, int out_fd, int other)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	if (other >= 0)
		close(other);
	struct vm_exec_client cl;
	strata_error_t err = NULL;
	if (vm_exec_client_connect(dir_fd, &cl, &err) < 0) {
		fprintf(stderr, "connect: %s\n", err->msg);
		_exit(201);
	}
	if (vm_exec_client_start(&cl, json, strlen(json), in_fd >= 0, &err) < 0) {
		if (out_fd >= 0)
			(void)!write(out_fd, err->msg, strlen(err->msg));
		_exit(202);
	}
	int st = vm_exec_client_relay(&cl, in_fd, out_fd, out_fd, NULL, &err);
	_exit(st < 0 ? 203 : st);
}

static int wait_status(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Run the server until child pid exits; its exit status. */
static int reap_pumping(struct vm_exec_server *srv, struct sent *s, bool running, pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		assert_true(r >= 0);
		if (r == pid) {
			assert_true(WIFEXITED(st));
			return WEXITSTATUS(st);
		}
		pump(srv, s, running, 10);
	}
	fail_msg("client %d did not exit", (int)pid);
	return -1;
}

/* Pump until `n` frames of `type` were sent to the agent (bounded). */
static int await_sent(struct vm_exec_server *srv, struct sent *s, uint32_t type, int n, bool running)
{
	for (int i = 0; i < 500; i++) {
		int c = 0, last = -1;
		for (int j = 0; j < s->n; j++)
			if (s->type[j] == type && ++c == n)
				last = j;
		if (last >= 0)
			return last;
		pump(srv, s, running, 10);
	}
	fail_msg("the server never sent %d frame(s) of type %u", n, type);
	return -1;
}

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/strata-test-vmexec.XXXXXX");
	assert_non_null(mkdtemp(dir));
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	*state = (void *)(intptr_t)fd;
	return 0;
}

static int teardown(void **state)
{
	close((int)(intptr_t)*state);
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", dir, VM_EXEC_SOCKET);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void test_exec_output_status_and_socket(void **state)
{
	int dfd = (int)(intptr_t)*state;
	struct vm_exec_server *srv = NULL;
	strata_error_t err = NULL;
	assert_int_equal(vm_exec_server_open(dfd, &srv, &err), 0);
	struct stat st;
	assert_int_equal(fstatat(dfd, VM_EXEC_SOCKET, &st, 0), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);

	int out[2];
	assert_int_equal(pipe(out), 0);
	struct sent s = { .n = 0 };
	pid_t c = client(dfd, "{\"args\":[\"x\"]}", -1, out[1], out[0]);
	close(out[1]);
	int i = await_sent(srv, &s, AGENT_MSG_EXEC, 1, true);
	assert_string_equal(s.data[i], "{\"args\":[\"x\"]}");
	uint32_t k = s.id[i];
	assert_true(k >= 1);
	agent_u32(srv, AGENT_MSG_STARTED, k, 42);
	agent_frame(srv, AGENT_MSG_STDOUT, k, "out-", 4);
	agent_frame(srv, AGENT_MSG_STDERR, k, "err", 3);
	agent_u32(srv, AGENT_MSG_EXIT, k, 137);
	assert_int_equal(reap_pumping(srv, &s, true, c), 137);
	char buf[64] = { 0 };
	assert_int_equal(read(out[0], buf, sizeof(buf) - 1), 7);
	assert_string_equal(buf, "out-err");
	close(out[0]);
	/* A frame about an id nobody waits for any more is still the server's. */
	agent_u32(srv, AGENT_MSG_EXIT, k, 0);
	vm_exec_server_close(srv);
	assert_int_equal(fstatat(dfd, VM_EXEC_SOCKET, &st, 0), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_not_running_and_agent_error(void **state)
{
	int dfd = (int)(intptr_t)*state;
	struct vm_exec_server *srv = NULL;
	strata_error_t err = NULL;
	assert_int_equal(vm_exec_server_open(dfd, &srv, &err), 0);
	int out[2];
	assert_int_equal(pipe(out), 0);
	struct sent s = { .n = 0 };
	pid_t c = client(dfd, "{}", -1, out[1], out[0]);
	assert_int_equal(reap_pumping(srv, &s, false, c), 202);
	assert_int_equal(s.n, 0); /* nothing reached the agent */

	c = client(dfd, "{}", -1, out[1], out[0]);
	close(out[1]);
	int i = await_sent(srv, &s, AGENT_MSG_EXEC, 1, true);
	agent_frame(srv, AGENT_MSG_ERROR, s.id[i], "exec: no such file", 18);
	agent_u32(srv, AGENT_MSG_EXIT, s.id[i], 1); /* ignored: the ERROR was final */
	assert_int_equal(reap_pumping(srv, &s, true, c), 202);
	char buf[256] = { 0 };
	assert_true(read(out[0], buf, sizeof(buf) - 1) > 0);
	assert_non_null(strstr(buf, "container not running"));
	assert_non_null(strstr(buf, "exec: no such file"));
	close(out[0]);
	vm_exec_server_close(srv);
}

static void test_concurrent_stdin_and_disconnect(void **state)
{
	int dfd = (int)(intptr_t)*state;
	struct vm_exec_server *srv = NULL;
	strata_error_t err = NULL;
	assert_int_equal(vm_exec_server_open(dfd, &srv, &err), 0);
	struct sent s = { .n = 0 };
	int in[2], out1[2], out2[2];
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out1), 0);
	assert_int_equal(pipe(out2), 0);
	pid_t c1 = client(dfd, "{\"n\":1}", in[0], out1[1], in[1]);
	int i1 = await_sent(srv, &s, AGENT_MSG_EXEC_STDIN, 1, true);
	pid_t c2 = client(dfd, "{\"n\":2}", -1, out2[1], in[1]);
	int i2 = await_sent(srv, &s, AGENT_MSG_EXEC, 1, true);
	close(in[0]);
	close(out1[1]);
	close(out2[1]);
	uint32_t k1 = s.id[i1], k2 = s.id[i2];
	assert_int_not_equal(k1, k2);
	agent_u32(srv, AGENT_MSG_STARTED, k1, 10);
	agent_u32(srv, AGENT_MSG_STARTED, k2, 11);
	/* stdin of client 1 reaches the agent as STDIN(k1), EOF as an empty one. */
	assert_int_equal(write(in[1], "abc", 3), 3);
	close(in[1]);
	int j = await_sent(srv, &s, AGENT_MSG_STDIN, 2, true);
	assert_int_equal(s.id[j], k1);
	assert_int_equal(s.len[j], 0);
	assert_string_equal(s.data[j - 1], "abc");
	/* Client 2 dies: its process keeps running, its output is dropped. */
	kill(c2, SIGKILL);
	waitpid(c2, NULL, 0);
	for (int r = 0; r < 20; r++)
		pump(srv, &s, true, 10);
	agent_frame(srv, AGENT_MSG_STDOUT, k2, "lost", 4);
	agent_u32(srv, AGENT_MSG_EXIT, k2, 0);
	agent_frame(srv, AGENT_MSG_STDOUT, k1, "one", 3);
	agent_u32(srv, AGENT_MSG_EXIT, k1, 3);
	assert_int_equal(reap_pumping(srv, &s, true, c1), 3);
	char buf[16] = { 0 };
	assert_int_equal(read(out1[0], buf, sizeof(buf) - 1), 3);
	assert_string_equal(buf, "one");
	assert_int_equal(read(out2[0], buf, sizeof(buf)), 0);
	close(out1[0]);
	close(out2[0]);
	vm_exec_server_close(srv);
}

static void test_vmm_gone(void **state)
{
	int dfd = (int)(intptr_t)*state;
	struct vm_exec_client cl;
	strata_error_t err = NULL;
	assert_int_equal(vm_exec_client_connect(dfd, &cl, &err), -1);
	assert_int_equal(err->code, ESRCH);
	assert_non_null(strstr(err->msg, "container not running"));
	strata_error_free(&err);

	/* The VMM stops while the process runs: 128+SIGKILL. */
	struct vm_exec_server *srv = NULL;
	assert_int_equal(vm_exec_server_open(dfd, &srv, &err), 0);
	struct sent s = { .n = 0 };
	pid_t c = client(dfd, "{}", -1, -1, -1);
	int i = await_sent(srv, &s, AGENT_MSG_EXEC, 1, true);
	agent_u32(srv, AGENT_MSG_STARTED, s.id[i], 7);
	for (int r = 0; r < 20; r++)
		pump(srv, &s, true, 10);
	vm_exec_server_close(srv);
	assert_int_equal(wait_status(c), 137);
}

/* A client streaming stdin as fast as it can (/dev/zero) must not overrun the
 * server's request buffer: the server stops reading at each whole frame.
 * Regression: it read until EAGAIN, so the buffer grew past its bound,
 * the client got "request too large" and a reset socket instead of EXIT. */
static void test_stdin_flood(void **state)
{
	int dfd = (int)(intptr_t)*state;
	struct vm_exec_server *srv = NULL;
	strata_error_t err = NULL;
	assert_int_equal(vm_exec_server_open(dfd, &srv, &err), 0);
	struct sent s = { .n = 0 };
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	assert_true(zero >= 0);
	pid_t c = client(dfd, "{}", zero, -1, -1);
	close(zero);
	int i = await_sent(srv, &s, AGENT_MSG_EXEC_STDIN, 1, true);
	uint32_t k = s.id[i];
	agent_u32(srv, AGENT_MSG_STARTED, k, 9);
	/* Let a few MiB of stdin stream through the server. */
	for (int r = 0; r < 200; r++)
		pump(srv, &s, true, 1);
	agent_u32(srv, AGENT_MSG_EXIT, k, 0);
	assert_int_equal(reap_pumping(srv, &s, true, c), 0);
	vm_exec_server_close(srv);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_output_status_and_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_running_and_agent_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_stdin_and_disconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmm_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin_flood, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
