/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_features.c - `strata features`: print the runtime-spec features
 * document of this build (features.h), as runc's `features` does.
 * Source: runtime-spec v1.3.0 features.md; client-contract.md §3.3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "features.h"
#include "options.h"

int cmd_features(const struct strata_global_opts *g, int argc, char **argv)
{
	const struct opt_spec specs[] = { { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_free_ char *doc = NULL;
	int first = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0)
		goto fail;
	if (first != argc) {
		strata_error_set(&err, EINVAL, "\"features\" requires exactly 0 arguments");
		goto fail;
	}
	doc = features_json(&err);
	if (doc == NULL)
		goto fail;
	if (printf("%s\n", doc) < 0 || fflush(stdout) != 0) {
		strata_error_errno(&err, errno, "write features");
		goto fail;
	}
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
