/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_cli.c - the agent runs its own binary as the strata CLI (the native
 * runtime) for create/start/exec/delete (see agent.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../common/cleanup.h"
#include "../../../common/util.h"
#include "agent.h"

#define CLI_ARGS_MAX 16

/* Exit status as a shell reports it: 0-255, or 128+N for signal N. */
int agent_status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/*
 * Start the agent's own binary as the strata CLI with global options
 * `--root AGENT_STATE_ROOT --log LOG` then args (NULL-terminated), stdio on
 * in/out/errfd.  Returns the child's pid or -1 (errno set).
 */
pid_t agent_cli_spawn(const char *log, const char *const *args, int in, int out, int errfd)
{
	const char *argv[CLI_ARGS_MAX + 6] = { "strata", "--root", AGENT_STATE_ROOT, "--log", log };
	size_t n = 5;
	for (size_t i = 0; args[i] != NULL && n < CLI_ARGS_MAX + 5; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	(void)unlink(log); /* one log per command: its last line is the error */
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the agent blocks SIGCHLD for its signalfd */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	/* Only stdio crosses into the runtime: the port and the agent's pipes
	 * to other processes must not leak into the container. */
	(void)syscall(SYS_close_range, 3U, ~0U, 0U);
	execv("/proc/self/exe", (char *const *)argv);
	_exit(127);
}

/* Wait for a CLI child; returns its exit status (status_code). */
int agent_cli_wait(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 255;
	}
	return agent_status_code(st);
}

/* The last non-empty line of a CLI log file, into buf (n bytes). */
void agent_cli_log_tail(const char *log, char *buf, size_t n)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_error_ strata_error_t err = NULL;
	size_t len = 0;
	snprintf(buf, n, "no message (see the guest console)");
	if (read_file_at(AT_FDCWD, log, &text, &len, &err) < 0)
		return;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	char *line = strrchr(text, '\n');
	line = line != NULL ? line + 1 : text;
	/* Text log lines read `time="..." level=error msg="TEXT"`: keep TEXT. */
	char *msg = strstr(line, "msg=\"");
	size_t mlen = msg != NULL ? strlen(msg) : 0;
	if (msg != NULL && mlen >= 6 && msg[mlen - 1] == '"') {
		msg[mlen - 1] = '\0';
		line = msg + 5;
	}
	if (*line != '\0')
		snprintf(buf, n, "%s", line);
}

/* Run one CLI command to completion with stdin /dev/null and stdout/stderr
 * on the console.  Returns its exit status; on failure errbuf holds the
 * last log line. */
int agent_cli_run(const char *name, const char *const *args, char *errbuf, size_t errlen)
{
	char log[128];
	snprintf(log, sizeof(log), AGENT_RUN_DIR "/%s.log", name);
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		snprintf(errbuf, errlen, "open /dev/null: %s", strerror(errno));
		return 255;
	}
	pid_t pid = agent_cli_spawn(log, args, null, 2, 2);
	if (pid < 0) {
		snprintf(errbuf, errlen, "fork: %s", strerror(errno));
		return 255;
	}
	int code = agent_cli_wait(pid);
	if (code != 0)
		agent_cli_log_tail(log, errbuf, errlen);
	return code;
}

/* Read a pid file; 0 when absent or empty. */
pid_t agent_read_pid_file(const char *path)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_error_ strata_error_t err = NULL;
	if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0)
		return 0;
	long v = strtol(text, NULL, 10);
	return v > 0 && v < INT32_MAX ? (pid_t)v : 0;
}
