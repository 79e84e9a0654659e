/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare.h - `strata compare`: one bundle at each isolation level (and
 * installed peers such as runc, crun, runsc), side by side (design.md §7).
 *
 * The pieces, one file each:
 *   compare_options.c  the command line
 *   compare_env.c      the temporary world: a copy of the bundle's config
 *                      with the workloads bind-mounted read-only at
 *                      /.strata-bench, and the host-side probe targets
 *   compare_config.c   editing and re-serialising the copied config.json
 *   compare_spawn.c    running one runtime command, its output and its time
 *   compare_runner.c   one workload (or the idle container) in one subject
 *   compare_memory.c   PSS of the runtime's own host processes
 *   compare_stats.c    median, min and max of the samples
 *   compare_table.c    the Markdown table
 *   compare_json.c     the --json report
 *   compare_svg.c      the --plot bar chart
 * The workloads themselves are static programs in bench/workloads/.
 */
#ifndef STRATA_RUNTIME_COMPARE_H
#define STRATA_RUNTIME_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <sys/types.h>

#include "../../common/error.h"
#include "../../oci-spec/json.h"

/*
 * Where the workloads appear inside the container: under /dev when the
 * config mounts a tmpfs there (the mount point is then made in that tmpfs,
 * so nothing is created in the user's rootfs), else at the rootfs top (the
 * runtimes create the empty mount point directory there).
 */
#define COMPARE_BENCH_MOUNT_DEV "/dev/.strata-bench"
#define COMPARE_BENCH_MOUNT_TOP "/.strata-bench"
/* The bundle `make demo` builds (tests/fixtures/cache.sh); env STRATA_DEFAULT_BUNDLE overrides it. */
#define COMPARE_DEFAULT_BUNDLE "/var/cache/strata/bundles/busybox"

/* Memory ratios are not given when native's overhead is below this (MiB):
 * native leaves nothing running, so its ~0 MiB would make any ratio noise. */
#define COMPARE_MEMORY_RATIO_FLOOR_MIB 0.5

/* ---- figures ---- */

enum compare_figure {
	FIG_START_MS,     /* create -> start -> exit -> delete of bench-true, ms */
	FIG_GETPID_NS,    /* getpid round trip, ns */
	FIG_OPEN_US,      /* open+read+close of a small file, µs */
	FIG_SEQREAD_MIBS, /* sequential read of a 64 MiB tmpfs file, MiB/s */
	FIG_PIPE_MIBS,    /* pipe throughput between two processes, MiB/s */
	FIG_FORKEXEC_US,  /* fork+exec+wait of a static program, µs */
	FIG_MEMORY_MIB,   /* PSS of the runtime's own host processes, idle container, MiB */
	FIG_COUNT,
};

struct compare_figure_def {
	const char *key;      /* JSON key, e.g. "getpid_ns" (also the workload's result name) */
	const char *label;    /* table row, e.g. "syscall round trip (getpid)" */
	const char *unit;     /* "ms", "ns", "µs", "MiB/s", "MiB" */
	bool higher_is_better;
	const char *workload; /* program in the workloads dir, e.g. "bench-getpid" */
};

/* compare_figure_get - the static description of figure f. */
const struct compare_figure_def *compare_figure_get(enum compare_figure f);

/* ---- statistics (compare_stats.c) ---- */

/* A growable list of samples (heap array owned by the struct). */
struct compare_samples {
	double *v;
	size_t n, cap;
};

struct compare_stats {
	size_t n;      /* 0 when there is no sample: the other fields are then 0 */
	double median; /* middle value; mean of the two middle values for even n */
	double min, max;
};

/* compare_samples_add - append v.  Errors: ENOMEM. */
int compare_samples_add(struct compare_samples *s, double v, strata_error_t *err);
/* compare_samples_free - release the array (the struct itself is the caller's). */
void compare_samples_free(struct compare_samples *s);
/* compare_stats_of - median, min, max of s (s is not reordered). */
struct compare_stats compare_stats_of(const struct compare_samples *s);
/*
 * compare_ratio - value / base, or a negative number when there is no
 * meaningful ratio (base has no sample, or base median below `floor` so the
 * ratio would be noise, e.g. native's ~0 MiB memory overhead).
 */
double compare_ratio(const struct compare_stats *value, const struct compare_stats *base, double floor);

/* ---- options (compare_options.c) ---- */

struct compare_opts {
	const char *bundle; /* --bundle, default compare_default_bundle() */
	char **levels;      /* --levels, NULL-terminated heap strv; default native,sentry,vm */
	char **peers;       /* --peers, NULL-terminated heap strv; default runc,crun,runsc */
	int runs;           /* --runs N >= 1, default 5 */
	bool json;          /* --json: the JSON report instead of the table */
	const char *plot;   /* --plot FILE.svg or NULL */
	bool help;          /* --help/-h */
};

/*
 * compare_opts_parse - parse compare's argv (argv[0] is "compare").
 * Errors: EINVAL for an unknown flag, a level that is not native/sentry/vm,
 * a peer that is not runc/crun/runsc, --runs below 1, a positional argument.
 * The strvs in *o are heap (compare_opts_free).
 */
int compare_opts_parse(int argc, char **argv, struct compare_opts *o, strata_error_t *err);
void compare_opts_free(struct compare_opts *o);
/* compare_default_bundle - $STRATA_DEFAULT_BUNDLE if set and non-empty, else COMPARE_DEFAULT_BUNDLE. */
const char *compare_default_bundle(void);
/* compare_usage - the help text. */
void compare_usage(FILE *out);

/* ---- the temporary world (compare_env.c, compare_config.c) ---- */

struct compare_env {
	char *tmp;            /* mkdtemp directory holding everything below; removed by cleanup */
	char *bundle;         /* TMP/bundle: config.json only (the rootfs is referenced by absolute path) */
	char *bench_dir;      /* TMP/bench: copies of the workloads, small.txt, scratch/ (bind source) */
	const char *bench_mount; /* COMPARE_BENCH_MOUNT_DEV or _TOP: where bench_dir is inside the container */
	struct json_value *config; /* the user's config.json, edited in memory */
	char *oci_version;    /* the user's ociVersion (heap), or NULL */
	char *host_file;      /* TMP/host-secret: a host file outside every rootfs */
	char *token;          /* its content */
	pid_t target_pid;     /* an idle host child named target_comm (seen / ptraced by the probe) */
	const char *target_comm;
	int abstract_fd;      /* listening host abstract unix socket, -1 if none */
	char *abstract_name;  /* its name without the leading NUL */
	pid_t self;           /* the runner's pid (ancestor of every runtime process) */
};

/*
 * compare_env_setup - make the temporary world for user_bundle: read and
 * parse its config.json (never written), resolve root.path to an absolute,
 * symlink-free path, set process.terminal to false, add the read-only bind
 * mount of TMP/bench at env->bench_mount and a tmpfs at its scratch/,
 * copy the workloads from workloads_dir, and start the probe's host targets.
 * On failure everything made so far is undone.  Errors: the bundle's
 * read/parse errors, "workloads not found in DIR", mkdtemp/copy errnos.
 */
int compare_env_setup(const char *user_bundle, const char *workloads_dir, struct compare_env *env,
		      strata_error_t *err);

/*
 * compare_env_set_args - write TMP/bundle/config.json with process.args =
 * args (NULL-terminated) and ociVersion = oci_version, or the user's
 * ociVersion when oci_version is NULL.  Errors: ENOMEM, write errors.
 */
int compare_env_set_args(struct compare_env *env, char *const *args, const char *oci_version, strata_error_t *err);

/* compare_env_path - "BENCH_MOUNT/name" (the container's view) into buf of size n; returns buf. */
char *compare_env_path(const struct compare_env *env, const char *name, char *buf, size_t n);

/* compare_env_cleanup - stop the targets, close the socket, remove TMP. Safe on a partly set-up env. */
void compare_env_cleanup(struct compare_env *env);

/*
 * compare_workloads_dir - where the workloads are: $STRATA_WORKLOADS_DIR,
 * else DIR(self_exe)/workloads (the build tree), else
 * DIR(self_exe)/../libexec/strata (make install); the first holding
 * bench-probe.  Returns a heap string or NULL with *err set (ENOENT).
 */
char *compare_workloads_dir(const char *self_exe, strata_error_t *err);

/* compare_config_set - set member key of object obj to v (replacing, or appending); takes v. ENOMEM. */
int compare_config_set(struct json_value *obj, const char *key, struct json_value *v, strata_error_t *err);
/* compare_json_new_string / _bool / _strv - new tree nodes (heap; NULL on ENOMEM). */
struct json_value *compare_json_new_string(const char *s);
struct json_value *compare_json_new_bool(bool b);
struct json_value *compare_json_new_strv(char *const *v);
/* compare_json_serialize - the tree as compact JSON text (heap; NULL on ENOMEM).  Numbers are written as parsed. */
char *compare_json_serialize(const struct json_value *v);
/* compare_json_string - append s to f as a JSON string literal (RFC 8259 §7 escapes). */
void compare_json_string(FILE *f, const char *s);

/* ---- subjects and runs (compare_spawn.c, compare_runner.c, compare_memory.c) ---- */

enum compare_kind { COMPARE_LEVEL, COMPARE_PEER };

/* One column of the comparison: an isolation level of strata, or a peer runtime. */
struct compare_subject {
	char *name;             /* "native", "sentry", "vm", "runc", "crun", "runsc" */
	enum compare_kind kind;
	char *exe;              /* strata itself (levels) or the peer's path in PATH */
	char *state_root;       /* TMP/state-NAME: the --root of every command */
	bool skipped;           /* not run at all */
	char *skip_reason;      /* why, one line */
	char *note;             /* how it was run, when it is not plain, or NULL */
	struct compare_samples fig[FIG_COUNT];
	char *fig_error[FIG_COUNT];  /* the first failure of each figure, or NULL */
	struct json_value *probe;    /* the probe's parsed report, or NULL */
	char *probe_error;           /* why the probe gave no report, or NULL */
};

/* What one runtime command did. */
struct compare_output {
	int status;        /* exit status; 128+N when killed by signal N; -1 when it timed out */
	double elapsed_ms; /* fork to exit, CLOCK_MONOTONIC */
	char *out;         /* its stdout (heap, NUL-terminated) */
	char *err;         /* its stderr (heap, NUL-terminated) */
};

void compare_output_free(struct compare_output *o);

/*
 * compare_block_stop_signals - block SIGINT, SIGTERM and SIGHUP in the runner
 * (saving the old mask in *old) so that a Ctrl-C is seen between two steps
 * (compare_interrupted) and every container is deleted before exiting.
 * Commands spawned by compare_spawn_run get an empty mask.
 */
void compare_block_stop_signals(sigset_t *old);

/* compare_interrupted - true when one of the blocked stop signals is pending. */
bool compare_interrupted(void);

/*
 * compare_spawn_run - run argv (argv[0] an absolute path) with stdin from
 * /dev/null and stdout/stderr captured, wait until it exits (killing it after
 * timeout_ms), and fill *o.  When private_cgroup2 is set the child first
 * enters a new mount namespace where /sys/fs/cgroup is the cgroup2
 * hierarchy alone, the v1 hierarchies detached (how crun is run on this
 * hybrid-cgroup host).  If keep_out
 * is non-NULL the read end of stdout is handed back open there (for a
 * detached container that keeps writing) instead of being drained to EOF.
 * A pending stop signal (compare_interrupted) ends the wait like a timeout.
 * Errors: pipe/fork/pidfd_open errnos (the command's own failure is in *o).
 */
int compare_spawn_run(char *const *argv, bool private_cgroup2, int timeout_ms, struct compare_output *o,
		      int *keep_out, strata_error_t *err);

/*
 * compare_subject_argv - the command line for `verb` of subject s:
 * strata:  EXE --root R --isolation LEVEL VERB ARGS...
 * runc:    EXE --root R VERB ARGS...
 * crun:    EXE --root R --cgroup-manager=disabled VERB ARGS...
 * runsc:   EXE --root R --network=none --ignore-cgroups VERB ARGS...
 * extra is NULL-terminated.  Returns a heap strv (free with _cleanup_strv_), NULL on ENOMEM.
 */
char **compare_subject_argv(const struct compare_subject *s, const char *verb, char *const *extra);

/*
 * compare_run_workload - run args (NULL-terminated, paths inside the
 * container) in a new container of subject s with `run`, and fill *o.
 * id names the container.  Errors: spawn errors; a non-zero exit is
 * reported through o->status.
 */
int compare_run_workload(struct compare_subject *s, struct compare_env *env, const char *id, char *const *args,
			 int timeout_ms, struct compare_output *o, strata_error_t *err);

/*
 * compare_run_idle - create and start bench-idle in subject s, wait for its
 * ready line, measure the PSS of the runtime's own host processes (MiB,
 * into *mib), then kill and delete it.  Errors: a failing create/start/
 * delete (with its stderr), no ready line within 60 s.
 */
int compare_run_idle(struct compare_subject *s, struct compare_env *env, const char *id, double *mib,
		     strata_error_t *err);

/*
 * compare_pss_runtime_mib - sum of Pss (from /proc/PID/smaps_rollup) of
 * every process descended from `ancestor` (the runner, a child subreaper)
 * except the runner itself, pids in `exclude` (0-terminated) and processes
 * whose comm is `container_comm` (the container's own process).  MiB.
 * Errors: ENOENT if /proc cannot be read.  Processes vanishing meanwhile are skipped.
 */
int compare_pss_runtime_mib(pid_t ancestor, const pid_t *exclude, const char *container_comm, double *mib,
			    strata_error_t *err);

/*
 * compare_kill_strays - SIGKILL every process still descended from ancestor
 * (the runner) except the pids of exclude (0-terminated), then reap: what a
 * runtime failed to delete is not left on the machine.
 */
void compare_kill_strays(pid_t ancestor, const pid_t *exclude);

/*
 * compare_sweep - `delete --force` every container of this runner (ids
 * "strata-compare-PID-N") still known in s's state root: what an
 * interrupted or failed run left is removed by the runtime that made it
 * (its cgroups included).
 */
void compare_sweep(struct compare_subject *s, pid_t self);

/* compare_reap - reap every exited child (the runner is a subreaper), without blocking. */
void compare_reap(void);

/*
 * compare_last_line - the last non-empty line of text (a command's stderr)
 * copied into buf of size n, reduced to its msg="..." part when it is a
 * runc-style log line; returns buf.
 */
const char *compare_last_line(const char *text, char *buf, size_t n);

/* compare_result_value - the value of "strata-bench NAME VALUE" in out; -1 if absent. */
int compare_result_value(const char *out, const char *name, double *value);

/* ---- the report (compare_table.c, compare_json.c, compare_svg.c) ---- */

struct compare_report {
	const char *bundle;
	int runs;
	struct compare_subject *subjects; /* subjects[0] is native when it ran */
	size_t n;
	char **notes;                     /* NULL-terminated lines for the table's notes */
};

/* compare_base - the native subject when it has samples, else NULL (no ratios then). */
const struct compare_subject *compare_base(const struct compare_report *r);

/* compare_print_table - the Markdown tables (figures; security probes) and notes. */
void compare_print_table(FILE *out, const struct compare_report *r);

/*
 * compare_print_json - the JSON report with every sample:
 * {"bundle","runs","notes":[..],"subjects":[{"name","kind","status":"ok|skipped",
 *  "reason","note","figures":{KEY:{"unit","samples":[..],"median","min","max",
 *  "ratio_to_native"|null,"error"|null}},"probe":{...}|null}]}
 */
void compare_print_json(FILE *out, const struct compare_report *r);

/*
 * compare_write_svg - write an SVG bar chart of each figure's ratio to native
 * (log scale, one bar per subject) to path, atomically.
 * Errors: ENOMEM, write errors with the path.
 */
int compare_write_svg(const char *path, const struct compare_report *r, strata_error_t *err);

#endif
