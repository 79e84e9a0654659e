/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - command-line flags parsed the way runc's parser (urfave/cli on
 * Go's flag package) parses them: `--name value`, `--name=value`, `-name`,
 * short aliases (`-b DIR`), boolean flags as `--flag` or `--flag=true|false`.
 * Flags come before the positional arguments; the first argument that is not
 * a flag (or `--`) ends them.  An unknown flag is an error.
 * Source: client-contract.md §3.4, Go flag package documentation.
 */
#ifndef STRATA_RUNTIME_OPTIONS_H
#define STRATA_RUNTIME_OPTIONS_H

#include <stdbool.h>

#include "../common/error.h"

enum opt_kind {
	OPT_BOOL,   /* dest is bool *: set to true, or to the value of --flag=true|false */
	OPT_STRING, /* dest is const char **: points into argv */
	OPT_INT,    /* dest is int *: a decimal integer >= 0 */
	OPT_STRV,   /* dest is struct opt_strv *: repeatable string flag, values appended */
};

/* A repeatable string flag's values (pointers into argv); the array is heap, owned by the holder. */
struct opt_strv {
	const char **v;
	int n;
};

struct opt_spec {
	const char *name;  /* long name without dashes, e.g. "bundle" */
	char short_name;   /* e.g. 'b', or 0 */
	enum opt_kind kind;
	void *dest;
};

/*
 * opts_parse - parse the flags of argv[1..argc-1] against specs (an array
 * ended by an entry whose name is NULL).  On success *first_arg is the index
 * of the first positional argument (argc when there is none).
 * Errors: EINVAL "flag provided but not defined: -X", "flag needs an
 * argument: -X", "invalid value `V` for flag -X".
 */
int opts_parse(const struct opt_spec *specs, int argc, char **argv, int *first_arg, strata_error_t *err);

/*
 * opts_one_id - check that exactly one positional argument (the container
 * id) remains at argv[first]; returns it, or NULL with *err set to runc's
 * usage text: "`CMD` requires exactly 1 argument(s)" (EINVAL).
 */
const char *opts_one_id(const char *cmd, int argc, char **argv, int first, strata_error_t *err);

/* opts_strv_free - free the array of a struct opt_strv (the strings belong to argv). */
void opts_strv_free(struct opt_strv *s);

#endif
