/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_stats.c - the figures' descriptions and their statistics (compare.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "compare.h"

static const struct compare_figure_def FIGURES[FIG_COUNT] = {
	[FIG_START_MS] = { "start_ms", "start latency: `run` of a no-op (create→start→exit→delete)", "ms", false, "bench-true" },
	[FIG_GETPID_NS] = { "getpid_ns", "syscall round trip (getpid)", "ns", false, "bench-getpid" },
	[FIG_OPEN_US] = { "open_us", "file open+read+close", "µs", false, "bench-open" },
	[FIG_SEQREAD_MIBS] = { "seqread_mibs", "sequential read, 64 MiB", "MiB/s", true, "bench-seqread" },
	[FIG_PIPE_MIBS] = { "pipe_mibs", "pipe throughput", "MiB/s", true, "bench-pipe" },
	[FIG_FORKEXEC_US] = { "forkexec_us", "fork+exec+wait", "µs", false, "bench-forkexec" },
	[FIG_MEMORY_MIB] = { "memory_mib", "runtime memory, idle container (PSS)", "MiB", false, "bench-idle" },
};

const struct compare_figure_def *compare_figure_get(enum compare_figure f)
{
	return &FIGURES[f];
}

int compare_samples_add(struct compare_samples *s, double v, strata_error_t *err)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		double *nv = reallocarray(s->v, ncap, sizeof(double));
		if (nv == NULL)
			return strata_error_errno(err, ENOMEM, "add a sample");
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = v;
	return 0;
}

void compare_samples_free(struct compare_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct compare_stats compare_stats_of(const struct compare_samples *s)
{
	struct compare_stats st = { 0 };
	if (s->n == 0)
		return st;
	_cleanup_free_ double *sorted = malloc(s->n * sizeof(double));
	if (sorted == NULL)
		return st;
	memcpy(sorted, s->v, s->n * sizeof(double));
	qsort(sorted, s->n, sizeof(double), cmp_double);
	st.n = s->n;
	st.min = sorted[0];
	st.max = sorted[s->n - 1];
	st.median = (s->n % 2) ? sorted[s->n / 2] : (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2.0;
	return st;
}

double compare_ratio(const struct compare_stats *value, const struct compare_stats *base, double floor)
{
	if (value->n == 0 || base->n == 0 || base->median < floor || base->median <= 0)
		return -1;
	return value->median / base->median;
}
