/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idle.c - bench-idle: prints "strata-bench idle_ready 1" and sleeps until
 * killed.  `strata compare` measures the memory (PSS) of the runtime's own
 * host processes while this container idles.
 */
#include <unistd.h>

#include "bench.h"

int main(void)
{
	bench_result("idle_ready", 1);
	for (;;)
		pause();
}
