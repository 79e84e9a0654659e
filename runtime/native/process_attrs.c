/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_attrs.c - scheduler, I/O priority, exec CPU affinity and
 * personality of the container process.  See process_attrs.h.
 */
#include "process_attrs.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

/* struct sched_attr of sched_setattr(2); glibc 2.36 does not declare it. */
struct strata_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;  /* ns */
	uint64_t sched_deadline; /* ns */
	uint64_t sched_period;   /* ns */
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

struct name_value {
	const char *name;
	long value;
};

static const struct name_value sched_policies[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },     { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};

/* include/uapi/linux/sched.h */
static const struct name_value sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

/* include/uapi/linux/ioprio.h */
static const struct name_value ioprio_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 },
	{ "IOPRIO_CLASS_BE", 2 },
	{ "IOPRIO_CLASS_IDLE", 3 },
};

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

static long lookup(const struct name_value *t, size_t n, const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return -1;
}

#define LOOKUP(t, name) lookup((t), sizeof(t) / sizeof((t)[0]), (name))

int sched_policy_from_name(const char *name)
{
	return (int)LOOKUP(sched_policies, name);
}

long sched_flag_from_name(const char *name)
{
	return LOOKUP(sched_flags, name);
}

int ioprio_class_from_name(const char *name)
{
	return (int)LOOKUP(ioprio_classes, name);
}

static int parse_cpu_number(const char **s, long *out)
{
	char *end = NULL;
	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	long v = strtol(*s, &end, 10);
	if (errno != 0 || v < 0 || v > 65535)
		return -1;
	*s = end;
	*out = v;
	return 0;
}

int cpu_list_parse(const char *list, cpu_set_t **set, size_t *setsize, strata_error_t *err)
{
	if (list == NULL || *list == '\0')
		return strata_error_set(err, EINVAL, "cpu list is empty");
	/* First pass: the highest cpu, to size the set. */
	long max = -1;
	const char *s = list;
	for (;;) {
		long a, b;
		if (parse_cpu_number(&s, &a) < 0)
			return strata_error_set(err, EINVAL, "cpu list `%s`: expected a cpu number at `%s`", list, s);
		b = a;
		if (*s == '-') {
			s++;
			if (parse_cpu_number(&s, &b) < 0)
				return strata_error_set(err, EINVAL, "cpu list `%s`: expected a cpu number at `%s`",
							list, s);
			if (b < a)
				return strata_error_set(err, EINVAL, "cpu list `%s`: range %ld-%ld is reversed", list,
							a, b);
		}
		if (b > max)
			max = b;
		if (*s == '\0')
			break;
		if (*s != ',')
			return strata_error_set(err, EINVAL, "cpu list `%s`: unexpected `%c`", list, *s);
		s++;
	}
	size_t ncpus = (size_t)max + 1;
	cpu_set_t *cs = CPU_ALLOC(ncpus);
	if (cs == NULL)
		return strata_error_errno(err, ENOMEM, "cpu list `%s`", list);
	size_t size = CPU_ALLOC_SIZE(ncpus);
	CPU_ZERO_S(size, cs);
	s = list;
	for (;;) {
		long a, b;
		parse_cpu_number(&s, &a);
		b = a;
		if (*s == '-') {
			s++;
			parse_cpu_number(&s, &b);
		}
		for (long c = a; c <= b; c++)
			CPU_SET_S((size_t)c, size, cs);
		if (*s == '\0')
			break;
		s++;
	}
	*set = cs;
	*setsize = size;
	return 0;
}

static int affinity_set(const char *list, const char *which, strata_error_t *err)
{
	cpu_set_t *cs = NULL;
	size_t size = 0;
	if (cpu_list_parse(list, &cs, &size, err) < 0)
		return strata_error_wrap(err, "process.execCPUAffinity.%s", which);
	int rc = sched_setaffinity(0, size, cs);
	int saved = errno;
	CPU_FREE(cs);
	if (rc < 0)
		return strata_error_errno(err, saved, "sched_setaffinity `%s` (execCPUAffinity.%s)", list, which);
	return 0;
}

static int scheduler_apply(const struct oci_scheduler *s, strata_error_t *err)
{
	int policy = sched_policy_from_name(s->policy);
	if (policy < 0)
		return strata_error_set(err, EINVAL, "scheduler policy `%s` is not known", s->policy ? s->policy : "");
	struct strata_sched_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = (uint32_t)policy;
	for (size_t i = 0; i < s->flags_len; i++) {
		long f = sched_flag_from_name(s->flags[i]);
		if (f < 0)
			return strata_error_set(err, EINVAL, "scheduler flag `%s` is not known", s->flags[i]);
		a.sched_flags |= (uint64_t)f;
	}
	if (s->has_nice)
		a.sched_nice = s->nice;
	if (s->has_priority)
		a.sched_priority = (uint32_t)s->priority;
	if (s->has_runtime)
		a.sched_runtime = s->runtime;
	if (s->has_deadline)
		a.sched_deadline = s->deadline;
	if (s->has_period)
		a.sched_period = s->period;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return strata_error_errno(err, errno, "sched_setattr policy `%s`", s->policy);
	return 0;
}

static int io_priority_apply(const struct oci_io_priority *io, strata_error_t *err)
{
	int cls = ioprio_class_from_name(io->class);
	if (cls < 0)
		return strata_error_set(err, EINVAL, "ioPriority class `%s` is not known", io->class ? io->class : "");
	if (io->priority < 0 || io->priority > 7)
		return strata_error_set(err, EINVAL, "ioPriority priority %d is out of range 0..7", io->priority);
	int value = (cls << IOPRIO_CLASS_SHIFT) | io->priority;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
		return strata_error_errno(err, errno, "ioprio_set class `%s` priority %d", io->class, io->priority);
	return 0;
}

int process_attrs_apply(const struct oci_process *p, strata_error_t *err)
{
	if (p->scheduler != NULL && scheduler_apply(p->scheduler, err) < 0)
		return -1;
	if (p->io_priority != NULL && io_priority_apply(p->io_priority, err) < 0)
		return -1;
	if (p->exec_cpu_affinity != NULL && p->exec_cpu_affinity->initial != NULL &&
	    affinity_set(p->exec_cpu_affinity->initial, "initial", err) < 0)
		return -1;
	return 0;
}

int process_affinity_final(const struct oci_process *p, strata_error_t *err)
{
	if (p->exec_cpu_affinity == NULL || p->exec_cpu_affinity->final == NULL)
		return 0;
	return affinity_set(p->exec_cpu_affinity->final, "final", err);
}

int personality_apply(const struct oci_personality *p, strata_error_t *err)
{
	if (p == NULL)
		return 0;
	unsigned long persona;
	if (p->domain != NULL && strcmp(p->domain, "LINUX") == 0)
		persona = PER_LINUX;
	else if (p->domain != NULL && strcmp(p->domain, "LINUX32") == 0)
		persona = PER_LINUX32;
	else
		return strata_error_set(err, EINVAL, "personality domain `%s` is not known (LINUX or LINUX32)",
					p->domain ? p->domain : "");
	if (p->flags_len > 0)
		return strata_error_set(err, EINVAL, "personality flag `%s` is not supported", p->flags[0]);
	if (personality(persona) < 0)
		return strata_error_errno(err, errno, "personality `%s`", p->domain);
	return 0;
}
