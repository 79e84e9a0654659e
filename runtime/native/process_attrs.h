/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_attrs.h - scheduling and execution attributes of the container
 * process: process.scheduler, process.ioPriority, process.execCPUAffinity
 * and linux.personality.
 *
 * Call order in the container's init process:
 *
 *     process_attrs_apply()     before creds_apply() (still privileged:
 *                               SCHED_FIFO/RR/DEADLINE need CAP_SYS_NICE,
 *                               IOPRIO_CLASS_RT needs CAP_SYS_ADMIN)
 *     personality_apply()       any time before execve
 *     process_affinity_final()  right before execve (after seccomp is NOT
 *                               required: it is called before seccomp_apply)
 *
 * Source: runtime-spec v1.3.0 config.md#scheduler, #io-priority,
 * #exec-cpu-affinity, config-linux.md#personality; sched_setattr(2),
 * ioprio_set(2), sched_setaffinity(2), personality(2).
 */
#ifndef STRATA_RUNTIME_NATIVE_PROCESS_ATTRS_H
#define STRATA_RUNTIME_NATIVE_PROCESS_ATTRS_H

#include <sched.h>
#include <stddef.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * process_attrs_apply - apply p->scheduler (sched_setattr(2) on the calling
 * thread: policy, nice, priority, flags, runtime/deadline/period in ns),
 * p->io_priority (ioprio_set(2) IOPRIO_WHO_PROCESS, class RT/BE/IDLE,
 * priority 0..7) and p->exec_cpu_affinity->initial (sched_setaffinity(2)).
 * Absent fields are left alone.  Returns 0, or -1 with *err set: EINVAL
 * naming the bad value ("scheduler policy `SCHED_FOO` is not known"), or the
 * syscall's errno ("sched_setattr: Operation not permitted").
 */
int process_attrs_apply(const struct oci_process *p, strata_error_t *err);

/*
 * process_affinity_final - apply p->exec_cpu_affinity->final with
 * sched_setaffinity(2).  Call right before execve (the spec: "final" is the
 * affinity of the process once it runs the container program).  No-op when
 * absent.  Returns 0, or -1 with *err set (EINVAL for a bad list, or the
 * sched_setaffinity errno).
 */
int process_affinity_final(const struct oci_process *p, strata_error_t *err);

/*
 * personality_apply - personality(2) with the execution domain of
 * p->domain ("LINUX" = PER_LINUX, "LINUX32" = PER_LINUX32).  NULL p is a
 * no-op.  The spec defines no flags yet: any flag is an EINVAL error naming
 * it.  Returns 0, or -1 with *err set.
 */
int personality_apply(const struct oci_personality *p, strata_error_t *err);

/*
 * cpu_list_parse - parse a cpu list ("0-3,7", "1", "0-7:2" is NOT accepted)
 * into a CPU_ALLOC'd set.  *set is owned by the caller (CPU_FREE), *setsize
 * receives its size in bytes for the CPU_*_S macros and sched_setaffinity.
 * Errors: EINVAL naming the list ("cpu list `x`: ..."), ENOMEM.
 * Exposed for the unit tests.
 */
int cpu_list_parse(const char *list, cpu_set_t **set, size_t *setsize, strata_error_t *err);

/*
 * sched_policy_from_name / sched_flag_from_name / ioprio_class_from_name -
 * the kernel values of the spec's names (SCHED_OTHER=0 ... SCHED_DEADLINE=6;
 * SCHED_FLAG_RESET_ON_FORK=0x01 ...; IOPRIO_CLASS_RT=1, BE=2, IDLE=3).
 * Return the value, or -1 for an unknown name.  Pure; for the unit tests.
 */
int sched_policy_from_name(const char *name);
long sched_flag_from_name(const char *name);
int ioprio_class_from_name(const char *name);

#endif
