/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forkexec.c - bench-forkexec PROGRAM: fork(2) + execve(2) of the trivial
 * static PROGRAM (bench-true) + waitpid(2), repeated until the budget is
 * spent (at least 5 times).  Prints the mean time of one cycle:
 * "strata-bench forkexec_us N".
 */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-forkexec PROGRAM\n");
		return 2;
	}
	char *child_argv[] = { argv[1], NULL };
	char *child_env[] = { NULL };
	long long start = bench_now_ns(), now, iters = 0;
	do {
		pid_t pid = fork();
		if (pid < 0)
			return bench_fail("forkexec_us", "fork");
		if (pid == 0) {
			execve(argv[1], child_argv, child_env);
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0)
			return bench_fail("forkexec_us", "waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			errno = ENOEXEC;
			return bench_fail("forkexec_us", argv[1]);
		}
		iters++;
		now = bench_now_ns();
	} while (now - start < BENCH_BUDGET_NS || iters < 5);
	return bench_result("forkexec_us", (double)(now - start) / 1000.0 / (double)iters);
}
