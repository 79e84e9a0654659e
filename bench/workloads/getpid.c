/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * getpid.c - bench-getpid: the system call round trip.  Calls getpid(2)
 * through syscall(2) (no libc caching) in batches of 1000 until the budget is
 * spent and prints the mean time per call: "strata-bench getpid_ns N".
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

int main(void)
{
	long long start = bench_now_ns(), now, calls = 0;
	do {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getpid);
		calls += 1000;
		now = bench_now_ns();
	} while (now - start < BENCH_BUDGET_NS);
	return bench_result("getpid_ns", (double)(now - start) / (double)calls);
}
