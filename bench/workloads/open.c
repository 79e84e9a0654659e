/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * open.c - bench-open PATH: open(2) + read(2) of up to 4 KiB + close(2) of
 * the small file PATH, repeated until the budget is spent.  Prints the mean
 * time of one open+read+close: "strata-bench open_us N".
 */
#include <fcntl.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	char buf[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: bench-open PATH\n");
		return 2;
	}
	long long start = bench_now_ns(), now, iters = 0;
	do {
		for (int i = 0; i < 100; i++) {
			int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return bench_fail("open_us", argv[1]);
			if (read(fd, buf, sizeof(buf)) < 0)
				return bench_fail("open_us", "read");
			close(fd);
		}
		iters += 100;
		now = bench_now_ns();
	} while (now - start < BENCH_BUDGET_NS);
	return bench_result("open_us", (double)(now - start) / 1000.0 / (double)iters);
}
