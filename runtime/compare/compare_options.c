/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_options.c - the command line of `strata compare` (compare.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../options.h"
#include "compare.h"

static const char *const LEVELS[] = { "native", "sentry", "vm", NULL };
static const char *const PEERS[] = { "runc", "crun", "runsc", NULL };

const char *compare_default_bundle(void)
{
	const char *e = getenv("STRATA_DEFAULT_BUNDLE");
	return (e != NULL && *e != '\0') ? e : COMPARE_DEFAULT_BUNDLE;
}

void compare_usage(FILE *out)
{
	fprintf(out,
		"usage: strata compare [--bundle DIR] [--levels native,sentry,vm] [--peers runc,crun,runsc]\n"
		"                      [--runs N] [--json] [--plot FILE.svg]\n"
		"\n"
		"Runs small static workloads from the bundle at each isolation level and in each installed\n"
		"peer runtime, interleaved, and prints a Markdown table of the figures (median, min-max over\n"
		"N runs, ratio to native) and of a security probe (what a process inside can reach).\n"
		"\n"
		"  --bundle DIR   the bundle (default: $STRATA_DEFAULT_BUNDLE, else %s,\n"
		"                 the one `make demo` builds); it is never modified: a copy of its\n"
		"                 config.json is used, with the workloads bind-mounted read-only at\n"
		"                 %s (or %s when the config has no /dev tmpfs)\n"
		"  --levels LIST  isolation levels to run (default native,sentry,vm; unbuilt ones are skipped)\n"
		"  --peers LIST   peer runtimes to run when found in PATH (default runc,crun,runsc; \"\" for none)\n"
		"  --runs N       runs per figure (default 5)\n"
		"  --json         print the JSON report with every sample instead of the table\n"
		"  --plot FILE    also write an SVG bar chart of the ratios to native\n"
		"\n"
		"Workloads are looked up in $STRATA_WORKLOADS_DIR, DIR(strata)/workloads, DIR(strata)/../libexec/strata.\n",
		COMPARE_DEFAULT_BUNDLE, COMPARE_BENCH_MOUNT_DEV, COMPARE_BENCH_MOUNT_TOP);
}

/* Split a comma list, checking each item against allowed.  Empty items are dropped. */
static int split_list(const char *flag, const char *s, const char *const *allowed, char ***out, strata_error_t *err)
{
	_cleanup_free_ char *copy = strdup(s);
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	_cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
	if (copy == NULL || v == NULL)
		return strata_error_errno(err, ENOMEM, "parse --%s", flag);
	size_t k = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		bool ok = false;
		for (const char *const *a = allowed; *a != NULL; a++)
			ok |= strcmp(*a, tok) == 0;
		if (!ok)
			return strata_error_set(err, EINVAL, "invalid value `%s` for flag -%s", tok, flag);
		for (size_t j = 0; j < k; j++)
			if (strcmp(v[j], tok) == 0)
				ok = false;
		if (!ok)
			continue; /* named twice: run it once */
		if ((v[k++] = strdup(tok)) == NULL)
			return strata_error_errno(err, ENOMEM, "parse --%s", flag);
	}
	*out = steal_pointer(&v);
	return 0;
}

int compare_opts_parse(int argc, char **argv, struct compare_opts *o, strata_error_t *err)
{
	const char *levels = "native,sentry,vm", *peers = "runc,crun,runsc";
	int runs = 5, first = 0;
	bool help = false;
	memset(o, 0, sizeof(*o));
	const struct opt_spec specs[] = {
		{ "bundle", 'b', OPT_STRING, &o->bundle },
		{ "levels", 0, OPT_STRING, &levels },
		{ "peers", 0, OPT_STRING, &peers },
		{ "runs", 0, OPT_INT, &runs },
		{ "json", 0, OPT_BOOL, &o->json },
		{ "plot", 0, OPT_STRING, &o->plot },
		{ "help", 'h', OPT_BOOL, &help },
		{ NULL, 0, 0, NULL },
	};
	if (opts_parse(specs, argc, argv, &first, err) < 0)
		return -1;
	o->help = help;
	if (first < argc)
		return strata_error_set(err, EINVAL, "`compare` takes no arguments, got `%s`", argv[first]);
	if (runs < 1)
		return strata_error_set(err, EINVAL, "invalid value `%d` for flag -runs: at least 1", runs);
	o->runs = runs;
	if (o->bundle == NULL)
		o->bundle = compare_default_bundle();
	if (split_list("levels", levels, LEVELS, &o->levels, err) < 0 ||
	    split_list("peers", peers, PEERS, &o->peers, err) < 0) {
		compare_opts_free(o);
		return -1;
	}
	return 0;
}

void compare_opts_free(struct compare_opts *o)
{
	cleanup_strvp(&o->levels);
	cleanup_strvp(&o->peers);
}
