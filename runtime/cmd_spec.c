/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_spec.c - `strata spec [--bundle|-b DIR] [--rootless]`: write a default
 * config.json (runc's), refusing to overwrite one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../oci-spec/config.h"
#include "commands.h"
#include "options.h"

int cmd_spec(const struct strata_global_opts *g, int argc, char **argv)
{
	const char *bundle = NULL;
	bool rootless = false;
	const struct opt_spec specs[] = {
		{ "bundle", 'b', OPT_STRING, &bundle },
		{ "rootless", 0, OPT_BOOL, &rootless },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int fd = -1;
	int first = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0)
		goto fail;
	if (first != argc) {
		strata_error_set(&err, EINVAL, "\"spec\" requires exactly 0 argument(s)");
		goto fail;
	}
	if (asprintf(&path, "%s/config.json", bundle != NULL && bundle[0] != '\0' ? bundle : ".") < 0) {
		strata_error_errno(&err, ENOMEM, "spec");
		goto fail;
	}
	json = oci_config_default_json(rootless);
	if (json == NULL) {
		strata_error_errno(&err, ENOMEM, "spec");
		goto fail;
	}
	/* O_EXCL: never overwrite the user's config (runc refuses the same way). */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			strata_error_set(&err, EEXIST, "File %s exists. Remove it first", "config.json");
		else
			strata_error_errno(&err, errno, "open `%s`", path);
		goto fail;
	}
	if (write_all(fd, json, strlen(json)) < 0) {
		strata_error_errno(&err, errno, "write `%s`", path);
		goto fail;
	}
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
