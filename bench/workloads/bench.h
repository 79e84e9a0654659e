/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench.h - helpers shared by the static workload programs of `strata compare`.
 *
 * Each workload runs inside a container (mounted read-only at /.strata-bench),
 * measures one thing for a bounded wall-clock time so that it stays short even
 * at the slow isolation levels, and prints exactly one result line on stdout:
 *
 *     strata-bench NAME VALUE
 *
 * NAME carries the unit (getpid_ns, open_us, seqread_mibs, pipe_mibs,
 * forkexec_us); VALUE is a decimal number.  On failure a workload prints
 * "strata-bench-error NAME: reason" on stderr and exits 1.
 * The programs are built with `gcc -static` (bench/workloads/workloads.mk),
 * so they run in any rootfs.
 */
#ifndef STRATA_BENCH_H
#define STRATA_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Wall-clock budget of one measurement loop, in nanoseconds (250 ms). */
#define BENCH_BUDGET_NS 250000000LL

/* bench_now_ns - CLOCK_MONOTONIC in nanoseconds. Source: clock_gettime(2). */
static inline long long bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* bench_result - print the one result line and flush it; returns 0. */
static inline int bench_result(const char *name, double value)
{
	printf("strata-bench %s %.3f\n", name, value);
	fflush(stdout);
	return 0;
}

/* bench_fail - report a failed measurement with errno text; returns 1 (the exit status). */
static inline int bench_fail(const char *name, const char *what)
{
	fprintf(stderr, "strata-bench-error %s: %s: %s\n", name, what, strerror(errno));
	return 1;
}

#endif
