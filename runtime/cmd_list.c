/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_list.c - `strata list [--format table|json] [--quiet|-q]`: runc's
 * columns ID PID STATUS BUNDLE CREATED OWNER, or a JSON array of state objects.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "container.h"
#include "container_json.h"
#include "options.h"

struct row {
	char *id, *pid, *status, *bundle, *created, *owner;
	char *json;
};

static char *owner_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);
	char *s = NULL;
	if (pw != NULL)
		return strdup(pw->pw_name);
	if (asprintf(&s, "#%u", (unsigned)uid) < 0)
		return NULL;
	return s;
}

static void row_clear(struct row *r)
{
	free(r->pid);
	free(r->owner);
	free(r->json);
}

int cmd_list(const struct strata_global_opts *g, int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	const struct opt_spec specs[] = {
		{ "format", 'f', OPT_STRING, &format },
		{ "quiet", 'q', OPT_BOOL, &quiet },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_strv_ char **ids = NULL;
	int first = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || container_list_ids(g->root, &ids, &err) < 0)
		goto fail;
	bool json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "table") != 0) {
		strata_error_set(&err, EINVAL, "invalid format option");
		goto fail;
	}
	size_t n = 0;
	while (ids[n] != NULL)
		n++;
	struct row *rows = calloc(n + 1, sizeof(*rows));
	struct container **cs = calloc(n + 1, sizeof(*cs));
	if (rows == NULL || cs == NULL) {
		free(rows);
		free(cs);
		strata_error_errno(&err, ENOMEM, "list");
		goto fail;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_error_ strata_error_t lerr = NULL;
		/* No lock: list must not wait behind a create in progress; a container
		 * without state.json yet is skipped. */
		if (container_load(g->root, ids[i], CONTAINER_LOCK_NONE, &cs[k], &lerr) < 0)
			continue;
		struct container *c = cs[k];
		struct row *r = &rows[k++];
		enum container_status s = container_status(c);
		pid_t pid = s == CONTAINER_STOPPED ? 0 : c->state.pid;
		r->id = c->state.id;
		r->status = (char *)container_status_name(s);
		r->bundle = c->state.bundle;
		r->created = c->state.created != NULL ? c->state.created : "";
		r->owner = owner_name(c->state.owner_uid);
		if (asprintf(&r->pid, "%d", (int)pid) < 0)
			r->pid = NULL;
		if (json)
			r->json = container_runc_state_json(&c->state, r->status, pid, r->owner, false);
	}
	if (quiet) {
		for (size_t i = 0; i < k; i++)
			printf("%s\n", rows[i].id);
	} else if (json) {
		printf("[");
		for (size_t i = 0; i < k; i++)
			printf("%s%s", i > 0 ? "," : "", rows[i].json != NULL ? rows[i].json : "null");
		printf("]\n");
	} else {
		/* Columns padded like runc's tabwriter: width = longest cell + 3, at least 12. */
		const char *head[6] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
		size_t w[6];
		for (int j = 0; j < 6; j++)
			w[j] = strlen(head[j]);
		for (size_t i = 0; i < k; i++) {
			const char *cell[6] = { rows[i].id, rows[i].pid ? rows[i].pid : "0", rows[i].status, rows[i].bundle,
						rows[i].created, rows[i].owner ? rows[i].owner : "" };
			for (int j = 0; j < 6; j++)
				if (strlen(cell[j]) > w[j])
					w[j] = strlen(cell[j]);
		}
		for (int j = 0; j < 6; j++)
			w[j] = w[j] + 3 < 12 ? 12 : w[j] + 3;
		printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], head[0], (int)w[1], head[1], (int)w[2], head[2], (int)w[3],
		       head[3], (int)w[4], head[4], head[5]);
		for (size_t i = 0; i < k; i++)
			printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], rows[i].id, (int)w[1], rows[i].pid ? rows[i].pid : "0",
			       (int)w[2], rows[i].status, (int)w[3], rows[i].bundle, (int)w[4], rows[i].created,
			       rows[i].owner ? rows[i].owner : "");
	}
	for (size_t i = 0; i < k; i++) {
		row_clear(&rows[i]);
		container_free(cs[i]);
	}
	free(rows);
	free(cs);
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
