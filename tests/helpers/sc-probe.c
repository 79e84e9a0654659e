/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sc-probe - make one raw system call and report its result (static, runs
 * inside test containers).
 *
 *   sc-probe NR [ARG...]
 *
 * NR is the syscall number of this architecture; each ARG is a number
 * (decimal, 0x hex) or s:TEXT for a pointer to the string TEXT.  Prints
 * "ret=R errno=E" (errno 0 on success) and exits 0, whatever the call did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: sc-probe NR [ARG...]\n");
		return 2;
	}
	long nr = strtol(argv[1], NULL, 0);
	long a[6] = { 0 };
	for (int i = 2; i < argc && i < 8; i++)
		a[i - 2] = strncmp(argv[i], "s:", 2) == 0 ? (long)(argv[i] + 2) : (long)strtoull(argv[i], NULL, 0);
	errno = 0;
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = r < 0 ? errno : 0;
	printf("ret=%ld errno=%d\n", r, e);
	return 0;
}
