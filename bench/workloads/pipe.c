/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipe.c - bench-pipe: throughput of a pipe(2) between two processes.  A
 * forked child writes 64 KiB chunks until the parent closes the read end;
 * the parent reads for the budget's duration and prints
 * "strata-bench pipe_mibs N" (MiB/s).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define CHUNK (64 * 1024)

int main(void)
{
	static char buf[CHUNK];
	int p[2];
	if (pipe(p) < 0)
		return bench_fail("pipe_mibs", "pipe");
	pid_t child = fork();
	if (child < 0)
		return bench_fail("pipe_mibs", "fork");
	if (child == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		memset(buf, 0x5a, sizeof(buf));
		while (write(p[1], buf, CHUNK) > 0)
			;
		_exit(0);
	}
	close(p[1]);
	long long start = bench_now_ns(), now, bytes = 0;
	do {
		for (int i = 0; i < 64; i++) {
			ssize_t n = read(p[0], buf, CHUNK);
			if (n <= 0)
				return bench_fail("pipe_mibs", "read");
			bytes += n;
		}
		now = bench_now_ns();
	} while (now - start < BENCH_BUDGET_NS);
	close(p[0]); /* the writer gets EPIPE/SIGPIPE and exits */
	waitpid(child, NULL, 0);
	return bench_result("pipe_mibs", ((double)bytes / (1 << 20)) / ((double)(now - start) / 1e9));
}
