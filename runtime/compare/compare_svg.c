/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_svg.c - the --plot chart of `strata compare` (compare.h): for each
 * figure, one bar per subject showing its ratio to native on a log scale,
 * drawn from the 1× line up (slower / more) or down (faster / less).
 * Written as plain SVG 1.1, no external tool.  Source: W3C SVG 1.1 (rect,
 * line, text, g elements).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/util.h"
#include "compare.h"

/*
 * Small math without libm (the tree links no -lm): the chart needs only
 * decades and a log10 good to a pixel.
 */
static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static double dmin(double a, double b)
{
	return a < b ? a : b;
}

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

/* log10(x) for x > 0: x = m·2^e with m in [0.5, 1), ln m = 2·atanh((m-1)/(m+1)). */
static double log10_approx(double x)
{
	int e = 0;
	while (x >= 1) {
		x /= 2;
		e++;
	}
	while (x < 0.5) {
		x *= 2;
		e--;
	}
	double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return (2 * sum + e * 0.69314718055994531) / 2.30258509299404568;
}

/* 10^k for an integer k. */
static double pow10_int(int k)
{
	double r = 1;
	for (; k > 0; k--)
		r *= 10;
	for (; k < 0; k++)
		r /= 10;
	return r;
}

/* The decade at or below (down) / at or above (up) q. */
static double decade(double q, bool up)
{
	double l = log10_approx(q);
	int k = (int)l;
	if (up && (double)k < l - 1e-9)
		k++;
	if (!up && (double)k > l + 1e-9)
		k--;
	return pow10_int(k);
}

static const char *const COLORS[] = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1" };

/* XML-escape s into out (for names that reach <text>). */
static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static double subject_ratio(const struct compare_subject *s, const struct compare_subject *base, int f)
{
	if (base == NULL)
		return -1;
	struct compare_stats st = compare_stats_of(&s->fig[f]);
	struct compare_stats bs = compare_stats_of(&base->fig[f]);
	return compare_ratio(&st, &bs, f == FIG_MEMORY_MIB ? COMPARE_MEMORY_RATIO_FLOOR_MIB : 0);
}

int compare_write_svg(const char *path, const struct compare_report *r, strata_error_t *err)
{
	const struct compare_subject *base = compare_base(r);
	const struct compare_subject *shown[16];
	size_t ns = 0;
	for (size_t i = 0; i < r->n && ns < 16; i++)
		if (!r->subjects[i].skipped)
			shown[ns++] = &r->subjects[i];
	/* the log axis spans whole decades around every ratio, at least 0.1× .. 10× */
	double lo = 0.1, hi = 10;
	for (size_t i = 0; i < ns; i++)
		for (int f = 0; f < FIG_COUNT; f++) {
			double q = subject_ratio(shown[i], base, f);
			if (q > 0) {
				lo = dmin(lo, decade(q, false));
				hi = dmax(hi, decade(q, true));
			}
		}
	const double W = 960, H = 480, left = 70, right = 20, top = 50, bottom = 110;
	const double plot_w = W - left - right, plot_h = H - top - bottom;
	const double l_lo = log10_approx(lo), l_hi = log10_approx(hi);
#define Y(q) (top + plot_h * (l_hi - log10_approx(q)) / (l_hi - l_lo))
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (out == NULL)
		return strata_error_errno(err, ENOMEM, "svg");
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
	fputs("<text x=\"10\" y=\"22\" font-size=\"16\">strata compare: ratio to native (log scale; 1× = native)</text>\n", out);
	fputs("<text x=\"10\" y=\"40\" fill=\"#555\">bundle ", out);
	xml_text(out, r->bundle);
	fprintf(out, ", %d run%s, median</text>\n", r->runs, r->runs == 1 ? "" : "s");
	/* decade grid lines */
	for (double d = lo; d <= hi * 1.0001; d *= 10) {
		double y = Y(d);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>\n", left, y,
			left + plot_w, y, dabs(d - 1) < 1e-9 ? "#000" : "#ccc", dabs(d - 1) < 1e-9 ? " stroke-width=\"1.5\"" : "");
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g×</text>\n", left - 6, y + 4, d);
	}
	double group_w = plot_w / FIG_COUNT;
	double bar_w = ns ? (group_w * 0.8) / (double)ns : 0;
	for (int f = 0; f < FIG_COUNT; f++) {
		const struct compare_figure_def *d = compare_figure_get(f);
		double gx = left + group_w * f + group_w * 0.1;
		for (size_t i = 0; i < ns; i++) {
			double q = subject_ratio(shown[i], base, f);
			double x = gx + bar_w * (double)i;
			if (q <= 0) {
				fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\" fill=\"#888\">n/a</text>\n",
					x + bar_w / 2, Y(1) - 3);
				continue;
			}
			double y1 = Y(1), yq = Y(q);
			double y = dmin(y1, yq), h = dmax(dabs(y1 - yq), 1);
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
				x, y, bar_w * 0.9, h, COLORS[i % 7]);
			xml_text(out, shown[i]->name);
			fprintf(out, " %s: %.3g×</title></rect>\n", d->key, q);
			char label[32];
			snprintf(label, sizeof(label), q >= 10 ? "%.0f" : "%.2g", q);
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\">%s</text>\n",
				x + bar_w * 0.45, q >= 1 ? yq - 3 : yq + 11, label);
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", left + group_w * (f + 0.5),
			top + plot_h + 18, d->key);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">%s</text>\n",
			left + group_w * (f + 0.5), top + plot_h + 32, d->higher_is_better ? "higher is better" : "lower is better");
	}
	/* legend */
	for (size_t i = 0; i < ns; i++) {
		double x = left + 110 * (double)i, y = H - 40;
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", x, y, COLORS[i % 7]);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 20, y + 12);
		xml_text(out, shown[i]->name);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
#undef Y
	if (fclose(out) != 0) {
		free(buf);
		return strata_error_errno(err, ENOMEM, "svg");
	}
	int rc = write_file_atomic(path, buf, len, 0644, err);
	free(buf);
	return rc;
}
