/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_json.c - the --json report of `strata compare` with every sample
 * (layout in compare.h).  Numbers are written with %.6g; a ratio that has no
 * meaning (no native sample, native memory overhead near zero) is null.
 */
#include <stdlib.h>
#include <string.h>

#include "compare.h"



static void str_or_null(FILE *out, const char *s)
{
	if (s != NULL)
		compare_json_string(out, s);
	else
		fputs("null", out);
}

static void print_figure(FILE *out, const struct compare_subject *s, const struct compare_subject *base,
			 enum compare_figure f)
{
	const struct compare_figure_def *d = compare_figure_get(f);
	struct compare_stats st = compare_stats_of(&s->fig[f]);
	compare_json_string(out, d->key);
	fputs(":{\"unit\":", out);
	compare_json_string(out, d->unit);
	fprintf(out, ",\"higher_is_better\":%s,\"samples\":[", d->higher_is_better ? "true" : "false");
	for (size_t i = 0; i < s->fig[f].n; i++)
		fprintf(out, "%s%.6g", i ? "," : "", s->fig[f].v[i]);
	fputc(']', out);
	if (st.n > 0)
		fprintf(out, ",\"median\":%.6g,\"min\":%.6g,\"max\":%.6g", st.median, st.min, st.max);
	else
		fputs(",\"median\":null,\"min\":null,\"max\":null", out);
	double ratio = -1;
	if (base != NULL) {
		struct compare_stats bs = compare_stats_of(&base->fig[f]);
		ratio = compare_ratio(&st, &bs, f == FIG_MEMORY_MIB ? COMPARE_MEMORY_RATIO_FLOOR_MIB : 0);
	}
	if (ratio >= 0)
		fprintf(out, ",\"ratio_to_native\":%.6g", ratio);
	else
		fputs(",\"ratio_to_native\":null", out);
	fputs(",\"error\":", out);
	str_or_null(out, s->fig_error[f]);
	fputc('}', out);
}

void compare_print_json(FILE *out, const struct compare_report *r)
{
	const struct compare_subject *base = compare_base(r);
	fputs("{\"bundle\":", out);
	compare_json_string(out, r->bundle);
	fprintf(out, ",\"runs\":%d,\"notes\":[", r->runs);
	for (char **n = r->notes; n != NULL && *n != NULL; n++) {
		if (n != r->notes)
			fputc(',', out);
		compare_json_string(out, *n);
	}
	fputs("],\"subjects\":[", out);
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_subject *s = &r->subjects[i];
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		compare_json_string(out, s->name);
		fprintf(out, ",\"kind\":\"%s\",\"status\":\"%s\",\"reason\":", s->kind == COMPARE_LEVEL ? "level" : "peer",
			s->skipped ? "skipped" : "ok");
		str_or_null(out, s->skip_reason);
		fputs(",\"note\":", out);
		str_or_null(out, s->note);
		fputs(",\"figures\":{", out);
		for (int f = 0; f < FIG_COUNT && !s->skipped; f++) {
			if (f)
				fputc(',', out);
			print_figure(out, s, base, f);
		}
		fputs("},\"probe\":", out);
		if (s->probe != NULL) {
			char *text = compare_json_serialize(s->probe);
			fputs(text != NULL ? text : "null", out);
			free(text);
		} else {
			fputs("null", out);
		}
		fputs(",\"probe_error\":", out);
		str_or_null(out, s->probe_error);
		fputc('}', out);
	}
	fputs("]}\n", out);
}
