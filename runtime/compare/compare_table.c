/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_table.c - the Markdown report of `strata compare` (compare.h):
 * one table of figures (median, min–max, ratio to native), one table of the
 * security probe per subject, then the skipped subjects and the notes.
 */
#include <string.h>

#include "compare.h"




struct probe_label {
	const char *name, *label;
};

static const struct probe_label PROBE_LABELS[] = {
	{ "host_file_dotdot", "read a host file by `..`" },
	{ "host_file_proc1_root", "read a host file by /proc/1/root" },
	{ "host_file_symlink", "read a host file by an absolute symlink" },
	{ "host_processes", "see a host process" },
	{ "raw_socket", "open a raw socket" },
	{ "mount", "mount a filesystem (tmpfs)" },
	{ "kernel_module", "load a kernel module" },
	{ "ptrace_outside", "ptrace a process outside" },
	{ "keyctl", "keyctl (session keyring)" },
	{ "bpf", "bpf (create a map)" },
	{ "perf_event_open", "perf_event_open" },
	{ "userfaultfd", "userfaultfd" },
	{ "io_uring_setup", "io_uring_setup" },
	{ "write_proc_sys", "open /proc/sys for writing" },
	{ "write_sys", "open /sys for writing" },
	{ "host_abstract_socket", "connect to a host abstract unix socket" },
	{ NULL, NULL },
};

static const char *probe_label(const char *name)
{
	for (const struct probe_label *p = PROBE_LABELS; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p->label;
	return name;
}

const struct compare_subject *compare_base(const struct compare_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->subjects[i].kind == COMPARE_LEVEL && strcmp(r->subjects[i].name, "native") == 0 &&
		    !r->subjects[i].skipped)
			return &r->subjects[i];
	return NULL;
}

/* Numbers with about three significant digits. */
static void fmt_num(char *buf, size_t n, double v)
{
	if (v >= 100 || v == 0)
		snprintf(buf, n, "%.0f", v);
	else if (v >= 10)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

static void print_cell(FILE *out, const struct compare_subject *s, const struct compare_subject *base,
		       enum compare_figure f)
{
	struct compare_stats st = compare_stats_of(&s->fig[f]);
	if (st.n == 0) {
		fprintf(out, " %s |", s->fig_error[f] != NULL ? "failed" : "–");
		return;
	}
	char med[32], lo[32], hi[32];
	fmt_num(med, sizeof(med), st.median);
	fmt_num(lo, sizeof(lo), st.min);
	fmt_num(hi, sizeof(hi), st.max);
	fprintf(out, " %s (%s–%s)", med, lo, hi);
	if (base != NULL && base != s) {
		struct compare_stats bs = compare_stats_of(&base->fig[f]);
		double ratio = compare_ratio(&st, &bs, f == FIG_MEMORY_MIB ? COMPARE_MEMORY_RATIO_FLOOR_MIB : 0);
		if (ratio >= 0)
			fprintf(out, " ×%.2f", ratio);
	}
	fputs(" |", out);
}

static void print_header(FILE *out, const char *first, const struct compare_report *r)
{
	fprintf(out, "| %s |", first);
	for (size_t i = 0; i < r->n; i++)
		if (!r->subjects[i].skipped)
			fprintf(out, " %s |", r->subjects[i].name);
	fputs("\n|---|", out);
	for (size_t i = 0; i < r->n; i++)
		if (!r->subjects[i].skipped)
			fputs("---|", out);
	fputc('\n', out);
}

/* The probe entry named name in a subject's report, or NULL. */
static const struct json_value *probe_entry(const struct compare_subject *s, const char *name)
{
	const struct json_value *list = json_object_get(s->probe, "probes");
	if (list == NULL || list->type != JSON_ARRAY)
		return NULL;
	for (size_t i = 0; i < list->u.array.len; i++) {
		const struct json_value *n = json_object_get(list->u.array.items[i], "name");
		if (n != NULL && n->type == JSON_STRING && strcmp(n->u.string.ptr, name) == 0)
			return list->u.array.items[i];
	}
	return NULL;
}

static const char *str_member(const struct json_value *o, const char *key)
{
	const struct json_value *v = json_object_get(o, key);
	return (v != NULL && v->type == JSON_STRING) ? v->u.string.ptr : NULL;
}

static void print_probes(FILE *out, const struct compare_report *r)
{
	fputs("\nSecurity probe: what a process inside the container can reach (root in the container).\n\n", out);
	print_header(out, "attempt", r);
	for (const struct probe_label *p = PROBE_LABELS; p->name != NULL; p++) {
		fprintf(out, "| %s |", probe_label(p->name));
		for (size_t i = 0; i < r->n; i++) {
			const struct compare_subject *s = &r->subjects[i];
			if (s->skipped)
				continue;
			const struct json_value *e = probe_entry(s, p->name);
			const char *res = e ? str_member(e, "result") : NULL;
			const char *en = e ? str_member(e, "errno") : NULL;
			if (res == NULL)
				fputs(" – |", out);
			else if (strcmp(res, "reachable") == 0)
				fputs(" **reachable** |", out);
			else if (en != NULL)
				fprintf(out, " %s (%s) |", res, en);
			else
				fprintf(out, " %s |", res);
		}
		fputc('\n', out);
	}
	fputs("| syscall numbers 0..450 that reach a handler (not ENOSYS) |", out);
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_subject *s = &r->subjects[i];
		if (s->skipped)
			continue;
		const struct json_value *sc = json_object_get(s->probe, "syscalls");
		const struct json_value *reach = json_object_get(sc, "reachable");
		const struct json_value *probed = json_object_get(sc, "probed");
		if (reach != NULL && probed != NULL && reach->type == JSON_NUMBER && probed->type == JSON_NUMBER)
			fprintf(out, " %s / %s |", reach->u.number, probed->u.number);
		else
			fputs(" – |", out);
	}
	fputc('\n', out);
}

void compare_print_table(FILE *out, const struct compare_report *r)
{
	const struct compare_subject *base = compare_base(r);
	fprintf(out, "## strata compare: %s, %d run%s per figure\n\n", r->bundle, r->runs, r->runs == 1 ? "" : "s");
	fputs("Each cell: median (min–max) over the runs, ×ratio to native.\n\n", out);
	print_header(out, "figure", r);
	for (int f = 0; f < FIG_COUNT; f++) {
		const struct compare_figure_def *d = compare_figure_get(f);
		fprintf(out, "| %s, %s%s |", d->label, d->unit, d->higher_is_better ? " (higher is better)" : "");
		for (size_t i = 0; i < r->n; i++)
			if (!r->subjects[i].skipped)
				print_cell(out, &r->subjects[i], base, f);
		fputc('\n', out);
	}
	print_probes(out, r);
	bool any = false;
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_subject *s = &r->subjects[i];
		if (s->skipped) {
			fprintf(out, "%s- %s: skipped: %s\n", any ? "" : "\n", s->name, s->skip_reason);
			any = true;
		}
	}
	fputc('\n', out);
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_subject *s = &r->subjects[i];
		if (!s->skipped && s->note != NULL)
			fprintf(out, "- note: %s: %s\n", s->name, s->note);
		for (int f = 0; f < FIG_COUNT && !s->skipped; f++)
			if (s->fig_error[f] != NULL)
				fprintf(out, "- %s: %s failed: %s\n", s->name, compare_figure_get(f)->key, s->fig_error[f]);
		if (!s->skipped && s->probe_error != NULL)
			fprintf(out, "- %s: probe failed: %s\n", s->name, s->probe_error);
	}
	for (char **n = r->notes; n != NULL && *n != NULL; n++)
		fprintf(out, "- note: %s\n", *n);
}
