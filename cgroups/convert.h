/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * convert.h - the value conversions users expect between cgroup v1 and v2
 * and runc's human-readable sizes.  Pure functions, unit-tested.
 * Source: kernel Documentation/admin-guide/cgroup-v2.rst (cpu.weight
 * [1, 10000] default 100, io.weight [1, 10000] default 100, memory.swap.max
 * counts swap only); cgroup-v1 cpu.shares [2, 262144] default 1024 and
 * blkio.weight [10, 1000] default 500; the formulas are the ones runc
 * (opencontainers/cgroups >= 0.0.3) and crun use.
 */
#ifndef STRATA_CGROUPS_CONVERT_H
#define STRATA_CGROUPS_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/error.h"

/*
 * cgroup_shares_to_weight - cpu.shares -> cpu.weight:
 *   weight = ceil(10^((L^2 + 125 L) / 612 - 7/34)),  L = log2(shares)
 * shares is clamped to [2, 262144]; so 2 -> 1, 1024 -> 100, 262144 -> 10000.
 * 0 (unset) returns 0.
 */
uint64_t cgroup_shares_to_weight(uint64_t shares);

/*
 * cgroup_blkio_weight_to_io_weight - blkio.weight [10, 1000] -> io.weight
 * [1, 10000]: 1 + (w - 10) * 9999 / 990 (clamped input).  0 (unset) -> 0.
 */
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t w);

/*
 * cgroup_swap_to_v2 - the spec's memory.swap (memory + swap, bytes) to
 * memory.swap.max (swap only).  -1 means unlimited in and out; 0 means unset.
 * memory -1 with swap unset gives -1 (unlimited both, as on v1).
 * Errors: EINVAL when swap is set without a memory limit, or swap < memory.
 */
int cgroup_swap_to_v2(int64_t swap, int64_t memory, int64_t *out, strata_error_t *err);

/*
 * cgroup_parse_size - runc's memory values: "-1" (unlimited), a plain number
 * of bytes, or a number (decimals allowed) with a binary suffix
 * b, k, m, g, t, p (case-insensitive, optionally followed by "b" or "ib"):
 * "128M" -> 134217728, "1g" -> 1073741824, "1.5k" -> 1536.
 * Errors: EINVAL naming the text.
 */
int cgroup_parse_size(const char *s, int64_t *out, strata_error_t *err);

#endif
