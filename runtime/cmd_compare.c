/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_compare.c - `strata compare`: run one bundle at each isolation level
 * and in each installed peer runtime, interleaved, and report the figures
 * and the security probe side by side (design.md §7; the pieces are in
 * runtime/compare/, see compare.h).
 *
 * Order of work: for each subject a warm-up `run` of bench-true (a level
 * that is not built, or a runtime that cannot run the bundle, is skipped
 * here with one line on stderr), then the probe once per subject, then
 * `--runs` rounds; within a round every figure is measured in every subject
 * before the next figure, so a noisy machine slows all subjects alike and
 * the ratios hold.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "commands.h"
#include "compare/compare.h"

/* Time limits, ms: a workload runs ~0.3 s natively; the probe forks ~470 times. */
#define WORKLOAD_TIMEOUT_MS 120000
#define PROBE_TIMEOUT_MS 600000
/* The warm-up runs bench-true, which exits at once: a level slower than this is not usable. */
#define WARM_UP_TIMEOUT_MS 30000

struct runner {
	struct compare_opts opts;
	struct compare_env env;
	struct compare_subject subjects[8];
	size_t n;
	unsigned counter; /* container ids */
	bool progress;    /* stderr is a terminal */
};

/* First executable `name` in $PATH, heap, or NULL. */
static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = strdup(path != NULL && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (copy == NULL)
		return NULL;
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		char *cand = NULL;
		if (asprintf(&cand, "%s/%s", dir, name) < 0)
			return NULL;
		struct stat st;
		if (cand[0] == '/' && stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

static void skip_subject(struct compare_subject *s, const char *why)
{
	s->skipped = true;
	free(s->skip_reason);
	s->skip_reason = strdup(why);
	fprintf(stderr, "strata compare: %s: skipped: %s\n", s->name, why);
}

static int add_subjects(struct runner *r, const struct strata_global_opts *g, strata_error_t *err)
{
	for (int pass = 0; pass < 2; pass++) {
		char **names = pass == 0 ? r->opts.levels : r->opts.peers;
		for (char **nm = names; *nm != NULL && r->n < 8; nm++) {
			struct compare_subject *s = &r->subjects[r->n++];
			s->name = strdup(*nm);
			s->kind = pass == 0 ? COMPARE_LEVEL : COMPARE_PEER;
			if (asprintf(&s->state_root, "%s/state-%s", r->env.tmp, *nm) < 0)
				s->state_root = NULL;
			if (s->name == NULL || s->state_root == NULL)
				return strata_error_errno(err, ENOMEM, "subjects");
			if (mkdir(s->state_root, 0700) < 0)
				return strata_error_errno(err, errno, "mkdir `%s`", s->state_root);
			if (pass == 0) {
				s->exe = strdup(g->self_exe != NULL ? g->self_exe : "/proc/self/exe");
				continue;
			}
			s->exe = find_in_path(*nm);
			if (s->exe == NULL) {
				skip_subject(s, "not installed (not found in PATH)");
			} else if (strcmp(*nm, "crun") == 0) {
				s->note = strdup("run with --cgroup-manager=disabled inside a private mount namespace whose "
						 "/sys/fs/cgroup is the cgroup2 hierarchy alone: crun 1.8 refuses this "
						 "host's hybrid cgroup v1+v2 layout, so it creates no cgroup; ociVersion "
						 "given as 1.0.2, the newest crun 1.8 accepts");
			} else if (strcmp(*nm, "runsc") == 0) {
				s->note = strdup("run with --network=none --ignore-cgroups (default platform)");
			}
		}
	}
	return 0;
}

static char *next_id(struct runner *r, char *buf, size_t n)
{
	snprintf(buf, n, "strata-compare-%d-%u", (int)r->env.self, r->counter++);
	return buf;
}

/* Warm-up: one untimed bench-true.  Decides whether the subject runs at all. */
static void warm_up(struct runner *r, struct compare_subject *s)
{
	char id[64], line[512];
	char prog[128];
	char *const args[] = { compare_env_path(&r->env, "bench-true", prog, sizeof(prog)), NULL };
	struct compare_output o;
	_cleanup_error_ strata_error_t err = NULL;
	if (r->progress)
		fprintf(stderr, "\r\033[K[%s] warm-up", s->name);
	if (compare_run_workload(s, &r->env, next_id(r, id, sizeof(id)), args, WARM_UP_TIMEOUT_MS, &o, &err) < 0) {
		skip_subject(s, err->msg);
		return;
	}
	if (compare_interrupted()) {
		/* cut short by Ctrl-C: not the subject's fault */
	} else if (o.status == -1) {
		snprintf(line, sizeof(line), "`run` of bench-true (which exits at once) did not finish within %d s",
			 WARM_UP_TIMEOUT_MS / 1000);
		skip_subject(s, line);
	} else if (o.status != 0) {
		const char *nb = strstr(o.err, "not built yet");
		if (nb != NULL) {
			/* the runtime's own sentence, e.g. "the sentry isolation level is not built yet" */
			const char *start = nb;
			while (start > o.err && start[-1] != '\n' && start[-1] != '"' && start[-1] != ':')
				start--;
			while (*start == ' ')
				start++;
			snprintf(line, sizeof(line), "%.*s", (int)(nb + strlen("not built yet") - start), start);
			skip_subject(s, line);
		} else {
			char why[700];
			snprintf(why, sizeof(why), "cannot run the bundle (exit %d): %s", o.status,
				 compare_last_line(o.err, line, sizeof(line)));
			skip_subject(s, why);
		}
	}
	compare_output_free(&o);
}

static void run_probe(struct runner *r, struct compare_subject *s)
{
	char id[64], pid[16], line[512], prog[128], scratch[128];
	snprintf(pid, sizeof(pid), "%d", (int)r->env.target_pid);
	char *const args[] = { compare_env_path(&r->env, "bench-probe", prog, sizeof(prog)), "--host-file",
			       r->env.host_file, "--token", r->env.token, "--host-pid", pid, "--host-comm",
			       (char *)r->env.target_comm, "--abstract", r->env.abstract_name, "--scratch",
			       compare_env_path(&r->env, "scratch", scratch, sizeof(scratch)), NULL };
	struct compare_output o;
	_cleanup_error_ strata_error_t err = NULL;
	if (r->progress)
		fprintf(stderr, "\r\033[K[%s] security probe", s->name);
	if (compare_run_workload(s, &r->env, next_id(r, id, sizeof(id)), args, PROBE_TIMEOUT_MS, &o, &err) < 0) {
		s->probe_error = strdup(err->msg);
		return;
	}
	const char *json = strstr(o.out, "{\"probes\"");
	_cleanup_free_ char *perr = NULL;
	if (o.status == -1) {
		if (asprintf(&s->probe_error, "did not finish within %d s", PROBE_TIMEOUT_MS / 1000) < 0)
			s->probe_error = NULL;
	} else if (o.status != 0 || json == NULL) {
		if (asprintf(&s->probe_error, "exit %d: %s", o.status, compare_last_line(o.err, line, sizeof(line))) < 0)
			s->probe_error = NULL;
	} else if (json_parse(json, strcspn(json, "\n"), &s->probe, &perr) < 0) {
		s->probe_error = strdup(perr ? perr : "out of memory");
	}
	compare_output_free(&o);
	/* accept and drop the probe's connection to the host socket, if it got one (the listener is non-blocking) */
	int c;
	while ((c = accept4(r->env.abstract_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		close(c);
}

/* One sample of figure f in subject s. */
static void measure(struct runner *r, struct compare_subject *s, enum compare_figure f)
{
	const struct compare_figure_def *d = compare_figure_get(f);
	char id[64], line[512];
	_cleanup_error_ strata_error_t err = NULL;
	double value = 0;
	next_id(r, id, sizeof(id));
	if (f == FIG_MEMORY_MIB) {
		if (compare_run_idle(s, &r->env, id, &value, &err) < 0) {
			if (compare_interrupted())
				return;
			goto failed;
		}
		goto sample;
	}
	char *args[3] = { NULL, NULL, NULL };
	char prog[128], arg[128];
	args[0] = compare_env_path(&r->env, d->workload, prog, sizeof(prog));
	if (f == FIG_OPEN_US)
		args[1] = compare_env_path(&r->env, "small.txt", arg, sizeof(arg));
	else if (f == FIG_SEQREAD_MIBS)
		args[1] = compare_env_path(&r->env, "scratch", arg, sizeof(arg));
	else if (f == FIG_FORKEXEC_US)
		args[1] = compare_env_path(&r->env, "bench-true", arg, sizeof(arg));
	struct compare_output o;
	if (compare_run_workload(s, &r->env, id, args, WORKLOAD_TIMEOUT_MS, &o, &err) < 0)
		goto failed;
	if (compare_interrupted()) {
		compare_output_free(&o);
		return; /* cut short by Ctrl-C: no sample, no error */
	}
	if (o.status == -1) {
		strata_error_set(&err, ETIMEDOUT, "did not finish within %d s", WORKLOAD_TIMEOUT_MS / 1000);
		compare_output_free(&o);
		goto failed;
	}
	if (o.status != 0) {
		strata_error_set(&err, EIO, "exit %d: %s", o.status, compare_last_line(o.err, line, sizeof(line)));
		compare_output_free(&o);
		goto failed;
	}
	if (f == FIG_START_MS) {
		value = o.elapsed_ms;
	} else if (compare_result_value(o.out, d->key, &value) < 0) {
		strata_error_set(&err, EIO, "no `strata-bench %s` line in the output", d->key);
		compare_output_free(&o);
		goto failed;
	}
	compare_output_free(&o);
sample:
	if (compare_samples_add(&s->fig[f], value, &err) < 0)
		goto failed;
	return;
failed:
	if (s->fig_error[f] == NULL) {
		s->fig_error[f] = strdup(err != NULL ? err->msg : "failed");
		fprintf(stderr, "%sstrata compare: %s: %s: %s\n", r->progress ? "\r\033[K" : "", s->name, d->key,
			s->fig_error[f] ? s->fig_error[f] : "failed");
	}
}

static void runner_free(struct runner *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct compare_subject *s = &r->subjects[i];
		free(s->name);
		free(s->exe);
		free(s->state_root);
		free(s->skip_reason);
		free(s->note);
		free(s->probe_error);
		json_free(s->probe);
		for (int f = 0; f < FIG_COUNT; f++) {
			compare_samples_free(&s->fig[f]);
			free(s->fig_error[f]);
		}
	}
	compare_env_cleanup(&r->env);
	compare_opts_free(&r->opts);
}

int cmd_compare(const struct strata_global_opts *g, int argc, char **argv)
{
	struct runner r;
	memset(&r, 0, sizeof(r));
	r.env.abstract_fd = -1;
	_cleanup_error_ strata_error_t err = NULL;
	if (compare_opts_parse(argc, argv, &r.opts, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	if (r.opts.help) {
		compare_usage(stdout);
		compare_opts_free(&r.opts);
		return 0;
	}
	int status = 1;
	sigset_t old_mask;
	bool blocked = false;
	_cleanup_free_ char *wdir = compare_workloads_dir(g->self_exe, &err);
	if (wdir == NULL)
		goto out;
	if (compare_env_setup(r.opts.bundle, wdir, &r.env, &err) < 0) {
		strata_error_wrap(&err, "bundle `%s`", r.opts.bundle);
		goto out;
	}
	/* Orphans of the runtimes (sentry, VMM, runsc's sandbox) re-parent to us: memory is
	 * measured over our descendants, and we reap them. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		strata_error_errno(&err, errno, "PR_SET_CHILD_SUBREAPER");
		goto out;
	}
	r.progress = isatty(2);
	if (add_subjects(&r, g, &err) < 0)
		goto out;
	compare_block_stop_signals(&old_mask);
	blocked = true;
	for (size_t i = 0; i < r.n && !compare_interrupted(); i++)
		if (!r.subjects[i].skipped)
			warm_up(&r, &r.subjects[i]);
	for (size_t i = 0; i < r.n && !compare_interrupted(); i++)
		if (!r.subjects[i].skipped)
			run_probe(&r, &r.subjects[i]);
	for (int run = 1; run <= r.opts.runs; run++)
		for (int f = 0; f < FIG_COUNT; f++)
			for (size_t i = 0; i < r.n; i++) {
				struct compare_subject *s = &r.subjects[i];
				if (compare_interrupted()) {
					strata_error_set(&err, EINTR, "interrupted: every container was deleted");
					status = 130;
					goto out;
				}
				if (s->skipped)
					continue;
				if (r.progress)
					fprintf(stderr, "\r\033[K[%s] %s, run %d of %d", s->name, compare_figure_get(f)->key,
						run, r.opts.runs);
				measure(&r, s, f);
			}
	if (r.progress)
		fputs("\r\033[K", stderr);
	char where[256];
	snprintf(where, sizeof(where),
		 "each workload is a static program from bench/workloads, bind-mounted read-only at %s through a "
		 "temporary copy of the bundle's config.json (the bundle is not modified)",
		 r.env.bench_mount);
	char *notes[] = {
		where,
		"memory: PSS of the host processes a runtime leaves running for an idle container, "
		"its own container process excluded; sentry and VMM include the memory they hold for the container",
		"syscall count: numbers 0..450 called with harmless arguments that did not fail with ENOSYS or a seccomp kill",
		NULL,
	};
	struct compare_report rep = { .bundle = r.opts.bundle, .runs = r.opts.runs, .subjects = r.subjects,
				      .n = r.n, .notes = notes };
	if (r.opts.json)
		compare_print_json(stdout, &rep);
	else
		compare_print_table(stdout, &rep);
	fflush(stdout);
	if (r.opts.plot != NULL && compare_write_svg(r.opts.plot, &rep, &err) < 0)
		goto out;
	status = 0;
	for (size_t i = 0; i < r.n; i++)
		if (!r.subjects[i].skipped)
			goto out; /* something ran */
	strata_error_set(&err, EIO, "no isolation level or peer could run the bundle");
	status = 1;
out:
	if (r.progress)
		fputs("\r\033[K", stderr);
	for (size_t i = 0; i < r.n; i++)
		if (r.subjects[i].state_root != NULL && !r.subjects[i].skipped)
			compare_sweep(&r.subjects[i], r.env.self);
	if (r.env.self > 0) {
		const pid_t keep[] = { r.env.target_pid, 0 };
		compare_kill_strays(r.env.self, keep);
	}
	if (err != NULL)
		log_error("compare: %s", err->msg);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	runner_free(&r);
	compare_reap();
	if (blocked)
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
