/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_process.c - decode and free the `process` object
 * (runtime-spec v1.3.0 config.md#process, config.md#posix-process,
 * config.md#linux-process).
 */
#include <stdlib.h>
#include <string.h>

#include "config_decode.h"

/* getrlimit(2) resource names, as the spec names them (config.md#posix-process). */
static const char *const rlimit_types[] = {
	"RLIMIT_AS",	 "RLIMIT_CORE",	      "RLIMIT_CPU",    "RLIMIT_DATA",	"RLIMIT_FSIZE", "RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",  "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
	"RLIMIT_RTPRIO", "RLIMIT_RTTIME",    "RLIMIT_SIGPENDING", "RLIMIT_STACK", NULL,
};

/* sched_setattr(2) policies and flags (config.md#linux-process, scheduler). */
static const char *const sched_policies[] = {
	"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};
static const char *const sched_flags[] = {
	"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",	  "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
	"SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

/* ioprio_set(2) classes (config.md#linux-process, ioPriority). */
static const char *const ioprio_classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };

static int dec_sched_flag(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out)
{
	return dec_enum(d, p, v, sched_flags, out);
}

static int dec_user(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_user *u)
{
	if (dec_field_u32(d, p, v, "uid", true, &u->uid, NULL) < 0 ||
	    dec_field_u32(d, p, v, "gid", true, &u->gid, NULL) < 0 ||
	    dec_field_u32(d, p, v, "umask", false, &u->umask, &u->has_umask) < 0 ||
	    dec_field_string(d, p, v, "username", false, &u->username) < 0)
		return -1;
	const struct json_value *g;
	int r = dec_field(d, p, v, "additionalGids", false, "an array", &g);
	if (r < 0)
		return -1;
	if (r > 0) {
		struct dec_path gp = DEC_PATH_KEY(p, "additionalGids");
		if (g->type != JSON_ARRAY)
			return dec_expected(d, &gp, "an array of integers", g);
		size_t n = g->u.array.len;
		uint32_t *gids = calloc(n ? n : 1, sizeof(uint32_t));
		if (gids == NULL)
			return dec_oom(d);
		for (size_t i = 0; i < n; i++) {
			struct dec_path ip = DEC_PATH_INDEX(&gp, i);
			uint64_t x;
			if (dec_uint(d, &ip, g->u.array.items[i], UINT32_MAX, &x) < 0) {
				free(gids);
				return -1;
			}
			gids[i] = (uint32_t)x;
		}
		u->additional_gids = gids;
		u->additional_gids_len = n;
	}
	return 0;
}

static void capabilities_free(struct oci_capabilities *c)
{
	if (c == NULL)
		return;
	dec_strv_free(c->bounding, c->bounding_len);
	dec_strv_free(c->effective, c->effective_len);
	dec_strv_free(c->inheritable, c->inheritable_len);
	dec_strv_free(c->permitted, c->permitted_len);
	dec_strv_free(c->ambient, c->ambient_len);
	free(c);
}

static int dec_capabilities(struct dec *d, const struct dec_path *p, const struct json_value *v,
			    struct oci_capabilities *c)
{
	/* Names are left to the capability code: runc warns about unknown ones
	 * and ignores them, so rejecting them here would break configs. */
	if (dec_field_strv(d, p, v, "bounding", false, NULL, &c->bounding, &c->bounding_len) < 0 ||
	    dec_field_strv(d, p, v, "effective", false, NULL, &c->effective, &c->effective_len) < 0 ||
	    dec_field_strv(d, p, v, "inheritable", false, NULL, &c->inheritable, &c->inheritable_len) < 0 ||
	    dec_field_strv(d, p, v, "permitted", false, NULL, &c->permitted, &c->permitted_len) < 0 ||
	    dec_field_strv(d, p, v, "ambient", false, NULL, &c->ambient, &c->ambient_len) < 0)
		return -1;
	return 0;
}

static void rlimit_clear(void *elem)
{
	struct oci_rlimit *r = elem;
	free(r->type);
}

static int dec_rlimit(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_rlimit *r = elem;
	if (dec_object(d, p, v) < 0 || dec_field_enum(d, p, v, "type", true, rlimit_types, &r->type) < 0 ||
	    dec_field_u64(d, p, v, "hard", true, &r->hard, NULL) < 0 ||
	    dec_field_u64(d, p, v, "soft", true, &r->soft, NULL) < 0)
		return -1;
	return 0;
}

static int dec_rlimits(struct dec *d, const struct dec_path *p, const struct json_value *obj, struct oci_process *pr)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, "rlimits", false, "an array", &v);
	if (r <= 0)
		return r;
	struct dec_path rp = DEC_PATH_KEY(p, "rlimits");
	if (dec_array_of(d, &rp, v, sizeof(struct oci_rlimit), dec_rlimit, rlimit_clear, (void **)&pr->rlimits,
			 &pr->rlimits_len) < 0)
		return -1;
	/* config.md: "the runtime MUST generate an error for any duplicated type" */
	for (size_t i = 0; i < pr->rlimits_len; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(pr->rlimits[i].type, pr->rlimits[j].type) == 0) {
				struct dec_path ip = DEC_PATH_INDEX(&rp, i);
				struct dec_path tp = DEC_PATH_KEY(&ip, "type");
				return dec_fail(d, &tp, "duplicate rlimit type \"%s\"", pr->rlimits[i].type);
			}
		}
	}
	return 0;
}

static void scheduler_free(struct oci_scheduler *s)
{
	if (s == NULL)
		return;
	free(s->policy);
	dec_strv_free(s->flags, s->flags_len);
	free(s);
}

static int dec_scheduler(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_scheduler *s)
{
	if (dec_field_enum(d, p, v, "policy", true, sched_policies, &s->policy) < 0 ||
	    dec_field_i32(d, p, v, "nice", false, &s->nice, &s->has_nice) < 0 ||
	    dec_field_i32(d, p, v, "priority", false, &s->priority, &s->has_priority) < 0 ||
	    dec_field_strv(d, p, v, "flags", false, dec_sched_flag, &s->flags, &s->flags_len) < 0 ||
	    dec_field_u64(d, p, v, "runtime", false, &s->runtime, &s->has_runtime) < 0 ||
	    dec_field_u64(d, p, v, "deadline", false, &s->deadline, &s->has_deadline) < 0 ||
	    dec_field_u64(d, p, v, "period", false, &s->period, &s->has_period) < 0)
		return -1;
	return 0;
}

static int dec_io_priority(struct dec *d, const struct dec_path *p, const struct json_value *v,
			   struct oci_io_priority *io)
{
	int64_t prio = 0;
	if (dec_field_enum(d, p, v, "class", true, ioprio_classes, &io->class) < 0 ||
	    dec_field_int(d, p, v, "priority", true, 0, 7, &prio, NULL) < 0)
		return -1;
	io->priority = (int32_t)prio;
	return 0;
}

void oci_process_free(struct oci_process *p)
{
	if (p == NULL)
		return;
	free(p->console_size);
	free(p->user.additional_gids);
	free(p->user.username);
	dec_strv_free(p->args, p->args_len);
	free(p->command_line);
	dec_strv_free(p->env, p->env_len);
	free(p->cwd);
	capabilities_free(p->capabilities);
	for (size_t i = 0; i < p->rlimits_len; i++)
		rlimit_clear(&p->rlimits[i]);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	scheduler_free(p->scheduler);
	if (p->io_priority != NULL)
		free(p->io_priority->class);
	free(p->io_priority);
	if (p->exec_cpu_affinity != NULL) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
	}
	free(p->exec_cpu_affinity);
	free(p);
}

int dec_process(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_process *pr)
{
	const struct json_value *o;
	int r;

	if (dec_object(d, p, v) < 0 || dec_field_bool(d, p, v, "terminal", &pr->terminal, NULL) < 0)
		return -1;

	r = dec_field_new_object(d, p, v, "consoleSize", sizeof(*pr->console_size), (void **)&pr->console_size, &o);
	if (r < 0)
		return -1;
	if (r > 0) {
		struct dec_path cp = DEC_PATH_KEY(p, "consoleSize");
		if (dec_field_u32(d, &cp, o, "height", true, &pr->console_size->height, NULL) < 0 ||
		    dec_field_u32(d, &cp, o, "width", true, &pr->console_size->width, NULL) < 0)
			return -1;
	}

	/* user is REQUIRED on POSIX platforms (config.md#posix-platform-user). */
	if (dec_field_object(d, p, v, "user", true, &o) < 0)
		return -1;
	struct dec_path up = DEC_PATH_KEY(p, "user");
	if (dec_user(d, &up, o, &pr->user) < 0)
		return -1;

	/* args: at least one entry is REQUIRED on non-Windows (config.md#process). */
	if (dec_field_strv(d, p, v, "args", true, NULL, &pr->args, &pr->args_len) < 0)
		return -1;
	if (pr->args_len == 0) {
		struct dec_path ap = DEC_PATH_KEY(p, "args");
		return dec_fail(d, &ap, "expected at least one element");
	}
	if (dec_field_string(d, p, v, "commandLine", false, &pr->command_line) < 0 ||
	    dec_field_strv(d, p, v, "env", false, NULL, &pr->env, &pr->env_len) < 0 ||
	    dec_field_abs_path(d, p, v, "cwd", true, &pr->cwd) < 0)
		return -1;

	r = dec_field_new_object(d, p, v, "capabilities", sizeof(*pr->capabilities), (void **)&pr->capabilities, &o);
	if (r < 0)
		return -1;
	if (r > 0) {
		struct dec_path cp = DEC_PATH_KEY(p, "capabilities");
		if (dec_capabilities(d, &cp, o, pr->capabilities) < 0)
			return -1;
	}

	if (dec_rlimits(d, p, v, pr) < 0 ||
	    dec_field_bool(d, p, v, "noNewPrivileges", &pr->no_new_privileges, NULL) < 0 ||
	    dec_field_string(d, p, v, "apparmorProfile", false, &pr->apparmor_profile) < 0 ||
	    dec_field_string(d, p, v, "selinuxLabel", false, &pr->selinux_label) < 0)
		return -1;

	int64_t adj = 0;
	if (dec_field_int(d, p, v, "oomScoreAdj", false, -1000, 1000, &adj, &pr->has_oom_score_adj) < 0)
		return -1;
	pr->oom_score_adj = (int32_t)adj;

	r = dec_field_new_object(d, p, v, "scheduler", sizeof(*pr->scheduler), (void **)&pr->scheduler, &o);
	if (r < 0)
		return -1;
	if (r > 0) {
		struct dec_path sp = DEC_PATH_KEY(p, "scheduler");
		if (dec_scheduler(d, &sp, o, pr->scheduler) < 0)
			return -1;
	}

	r = dec_field_new_object(d, p, v, "ioPriority", sizeof(*pr->io_priority), (void **)&pr->io_priority, &o);
	if (r < 0)
		return -1;
	if (r > 0) {
		struct dec_path ip = DEC_PATH_KEY(p, "ioPriority");
		if (dec_io_priority(d, &ip, o, pr->io_priority) < 0)
			return -1;
	}

	r = dec_field_new_object(d, p, v, "execCPUAffinity", sizeof(*pr->exec_cpu_affinity),
		       (void **)&pr->exec_cpu_affinity, &o);
	if (r < 0)
		return -1;
	if (r > 0) {
		struct dec_path ep = DEC_PATH_KEY(p, "execCPUAffinity");
		if (dec_field_string(d, &ep, o, "initial", false, &pr->exec_cpu_affinity->initial) < 0 ||
		    dec_field_string(d, &ep, o, "final", false, &pr->exec_cpu_affinity->final) < 0)
			return -1;
	}
	return 0;
}

int oci_process_parse(const char *name, const char *json, size_t len, struct oci_process **out, strata_error_t *err)
{
	struct dec d = { .name = name ? name : "process.json", .err = err };
	struct json_value *root = NULL;
	*out = NULL;
	if (dec_document(&d, json, len, &root) < 0)
		return -1;
	struct oci_process *pr = calloc(1, sizeof(*pr));
	if (pr == NULL) {
		json_free(root);
		return dec_oom(&d);
	}
	struct dec_path p = DEC_PATH_ROOT;
	int r = dec_process(&d, &p, root, pr);
	json_free(root);
	if (r < 0) {
		oci_process_free(pr);
		return -1;
	}
	*out = pr;
	return 0;
}
