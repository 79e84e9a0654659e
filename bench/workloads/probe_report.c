/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe_report.c - print the probe's one-line JSON report (see probe.h).
 */
#include "probe.h"

#include <string.h>

/* Write s as a JSON string (RFC 8259 §7): quote, backslash and control characters escaped. */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static const char *verdict_name(enum probe_verdict v)
{
	switch (v) {
	case PROBE_REACHABLE:
		return "reachable";
	case PROBE_SKIPPED:
		return "skipped";
	case PROBE_BLOCKED:
	default:
		return "blocked";
	}
}

void probe_report_json(FILE *out, const struct probe_outcome *o, size_t n, int syscalls_probed,
		       int syscalls_reachable)
{
	fputs("{\"probes\":[", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, o[i].name);
		fprintf(out, ",\"result\":\"%s\",\"errno\":", verdict_name(o[i].verdict));
		const char *en = o[i].err ? strerrorname_np(o[i].err) : NULL;
		if (en != NULL)
			json_str(out, en);
		else
			fputs("null", out);
		fputs(",\"evidence\":", out);
		json_str(out, o[i].evidence);
		fputc('}', out);
	}
	fprintf(out, "],\"syscalls\":{\"probed\":%d,\"reachable\":%d}}\n", syscalls_probed, syscalls_reachable);
	fflush(out);
}
