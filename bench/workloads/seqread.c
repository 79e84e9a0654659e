/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seqread.c - bench-seqread DIR: writes a 64 MiB file in DIR (a tmpfs the
 * runner mounts), then reads it sequentially in 1 MiB read(2) calls, from the
 * start, until the budget is spent (at least one whole pass).  Prints the
 * read throughput: "strata-bench seqread_mibs N" (MiB/s).  Removes the file.
 */
#include <fcntl.h>
#include <unistd.h>

#include "bench.h"

#define FILE_MIB 64
#define CHUNK (1 << 20)

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	char path[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: bench-seqread DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/seqread.%d", argv[1], (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return bench_fail("seqread_mibs", path);
	unlink(path); /* the file lives as long as fd: nothing is left behind */
	memset(buf, 0xa5, sizeof(buf));
	for (int i = 0; i < FILE_MIB; i++)
		if (write(fd, buf, CHUNK) != CHUNK)
			return bench_fail("seqread_mibs", "write");
	long long start = bench_now_ns(), now, bytes = 0;
	do {
		if (lseek(fd, 0, SEEK_SET) < 0)
			return bench_fail("seqread_mibs", "lseek");
		for (;;) {
			ssize_t n = read(fd, buf, CHUNK);
			if (n < 0)
				return bench_fail("seqread_mibs", "read");
			if (n == 0)
				break;
			bytes += n;
		}
		now = bench_now_ns();
	} while (now - start < BENCH_BUDGET_NS);
	close(fd);
	return bench_result("seqread_mibs", ((double)bytes / (1 << 20)) / ((double)(now - start) / 1e9));
}
