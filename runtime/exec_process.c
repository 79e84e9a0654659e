/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec_process.c - the process of `strata exec` (see exec_process.h).
 *
 * Inline flags are turned into a runtime-spec process JSON document and then
 * parsed by oci_process_parse(), so both modes go through the one parser and
 * its validation.
 */
#include "exec_process.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../oci-spec/json.h"

/* Fill the fields the process leaves out from the container's config.json. */
static void complete_from_config(struct exec_process *out, const struct oci_config *config)
{
	out->eff = *out->parsed;
	const struct oci_process *cp = config != NULL ? config->process : NULL;
	if (cp == NULL)
		return;
	struct oci_process *e = &out->eff;
	if (e->capabilities == NULL)
		e->capabilities = cp->capabilities;
	if (e->rlimits_len == 0) {
		e->rlimits = cp->rlimits;
		e->rlimits_len = cp->rlimits_len;
	}
	if (e->apparmor_profile == NULL)
		e->apparmor_profile = cp->apparmor_profile;
	if (e->selinux_label == NULL)
		e->selinux_label = cp->selinux_label;
	if (!e->has_oom_score_adj && cp->has_oom_score_adj) {
		e->has_oom_score_adj = true;
		e->oom_score_adj = cp->oom_score_adj;
	}
	if (!e->user.has_umask && cp->user.has_umask) {
		e->user.has_umask = true;
		e->user.umask = cp->user.umask;
	}
	/* Security: a container created with no_new_privs keeps it for every
	 * process exec'd into it, whatever the process JSON says. */
	e->no_new_privileges = e->no_new_privileges || cp->no_new_privileges;
}

static int check_args(const struct oci_process *p, strata_error_t *err)
{
	if (p->args == NULL || p->args_len == 0 || p->args[0] == NULL || p->args[0][0] == '\0')
		return strata_error_set(err, EINVAL, "process.args must not be empty");
	return 0;
}

int exec_process_load(const char *file, bool tty_flag, const struct oci_config *config, struct exec_process *out,
		      strata_error_t *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_file_at(AT_FDCWD, file, &text, &len, err) < 0)
		return strata_error_wrap(err, "open process file `%s`", file);
	if (oci_process_parse("process", text, len, &out->parsed, err) < 0)
		return -1;
	if (tty_flag)
		out->parsed->terminal = true;
	if (check_args(out->parsed, err) < 0) {
		exec_process_free(out);
		return -1;
	}
	complete_from_config(out, config);
	out->json = steal_pointer(&text);
	out->json_len = len;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > UINT32_MAX || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The env of the new process: config's, with each --env replacing the same key or appended. */
static void gen_env(struct json_gen *g, const struct oci_process *cp, const struct opt_strv *extra)
{
	json_gen_array_open(g);
	for (size_t i = 0; cp != NULL && i < cp->env_len; i++) {
		const char *eq = strchr(cp->env[i], '=');
		size_t klen = eq != NULL ? (size_t)(eq - cp->env[i]) : strlen(cp->env[i]);
		bool replaced = false;
		for (int j = 0; j < extra->n; j++)
			if (strncmp(extra->v[j], cp->env[i], klen) == 0 && extra->v[j][klen] == '=')
				replaced = true;
		if (!replaced)
			json_gen_string(g, cp->env[i]);
	}
	for (int j = 0; j < extra->n; j++)
		json_gen_string(g, extra->v[j]);
	json_gen_array_close(g);
}

/* One capability set: config's names plus the --cap names not already in it. */
static void gen_cap_set(struct json_gen *g, const char *key, char **set, size_t n, const struct opt_strv *add)
{
	json_gen_key(g, key);
	json_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_string(g, set[i]);
	for (int j = 0; add != NULL && j < add->n; j++) {
		bool have = false;
		for (size_t i = 0; i < n; i++)
			if (strcmp(set[i], add->v[j]) == 0)
				have = true;
		if (!have)
			json_gen_string(g, add->v[j]);
	}
	json_gen_array_close(g);
}

static void gen_caps(struct json_gen *g, const struct oci_capabilities *c, const struct opt_strv *add)
{
	static const struct oci_capabilities none;
	if (c == NULL)
		c = &none;
	json_gen_key(g, "capabilities");
	json_gen_object_open(g);
	gen_cap_set(g, "bounding", c->bounding, c->bounding_len, add);
	gen_cap_set(g, "effective", c->effective, c->effective_len, add);
	gen_cap_set(g, "permitted", c->permitted, c->permitted_len, add);
	gen_cap_set(g, "inheritable", c->inheritable, c->inheritable_len, NULL);
	gen_cap_set(g, "ambient", c->ambient, c->ambient_len, NULL);
	json_gen_object_close(g);
}

static int gen_user(struct json_gen *g, const struct exec_inline *in, const struct oci_process *cp,
		    strata_error_t *err)
{
	uint32_t uid = cp != NULL ? cp->user.uid : 0, gid = cp != NULL ? cp->user.gid : 0;
	if (in->user != NULL) {
		_cleanup_free_ char *u = strdup(in->user);
		if (u == NULL)
			return strata_error_errno(err, ENOMEM, "--user");
		char *colon = strchr(u, ':');
		if (colon != NULL)
			*colon = '\0';
		/* Names would need the container's /etc/passwd; runc's exec takes numbers too. */
		if (parse_u32(u, &uid) < 0 || (colon != NULL && parse_u32(colon + 1, &gid) < 0))
			return strata_error_set(err, EINVAL, "invalid --user `%s`: want uid[:gid] (numbers)", in->user);
	}
	json_gen_key(g, "user");
	json_gen_object_open(g);
	json_gen_key(g, "uid");
	json_gen_uint(g, uid);
	json_gen_key(g, "gid");
	json_gen_uint(g, gid);
	json_gen_key(g, "additionalGids");
	json_gen_array_open(g);
	if (in->additional_gids.n > 0) {
		for (int j = 0; j < in->additional_gids.n; j++) {
			uint32_t v;
			if (parse_u32(in->additional_gids.v[j], &v) < 0)
				return strata_error_set(err, EINVAL, "invalid --additional-gids `%s`",
							in->additional_gids.v[j]);
			json_gen_uint(g, v);
		}
	} else if (in->user == NULL && cp != NULL) {
		for (size_t i = 0; i < cp->user.additional_gids_len; i++)
			json_gen_uint(g, cp->user.additional_gids[i]);
	}
	json_gen_array_close(g);
	json_gen_object_close(g);
	return 0;
}

int exec_process_inline(const struct exec_inline *in, const struct oci_config *config, struct exec_process *out,
			strata_error_t *err)
{
	memset(out, 0, sizeof(*out));
	const struct oci_process *cp = config != NULL ? config->process : NULL;
	if (in->args_len < 1)
		return strata_error_set(err, EINVAL, "exec: no command given (use --process FILE or ID COMMAND...)");
	for (int j = 0; j < in->env.n; j++)
		if (strchr(in->env.v[j], '=') == NULL)
			return strata_error_set(err, EINVAL, "invalid --env `%s`: want KEY=VALUE", in->env.v[j]);

	struct json_gen *g = json_gen_new(false);
	if (g == NULL)
		return strata_error_errno(err, ENOMEM, "exec process");
	json_gen_object_open(g);
	json_gen_key(g, "terminal");
	json_gen_bool(g, in->tty);
	if (gen_user(g, in, cp, err) < 0) {
		json_gen_free(g);
		return -1;
	}
	json_gen_key(g, "args");
	json_gen_strv(g, in->args, (size_t)in->args_len);
	json_gen_key(g, "env");
	gen_env(g, cp, &in->env);
	json_gen_key(g, "cwd");
	json_gen_string(g, in->cwd != NULL ? in->cwd : (cp != NULL && cp->cwd != NULL ? cp->cwd : "/"));
	gen_caps(g, cp != NULL ? cp->capabilities : NULL, &in->caps);
	json_gen_key(g, "noNewPrivileges");
	json_gen_bool(g, in->no_new_privs);
	if (in->apparmor != NULL) {
		json_gen_key(g, "apparmorProfile");
		json_gen_string(g, in->apparmor);
	}
	if (in->process_label != NULL) {
		json_gen_key(g, "selinuxLabel");
		json_gen_string(g, in->process_label);
	}
	json_gen_object_close(g);
	size_t len = 0;
	_cleanup_free_ char *text = json_gen_finish(g, &len);
	json_gen_free(g);
	if (text == NULL)
		return strata_error_set(err, EINVAL, "exec: cannot encode the process (invalid UTF-8 in an argument?)");
	if (oci_process_parse("process", text, len, &out->parsed, err) < 0)
		return -1;
	if (check_args(out->parsed, err) < 0) {
		exec_process_free(out);
		return -1;
	}
	complete_from_config(out, config);
	out->json = steal_pointer(&text);
	out->json_len = len;
	return 0;
}

void exec_process_free(struct exec_process *p)
{
	oci_process_free(p->parsed);
	free(p->json);
	memset(p, 0, sizeof(*p));
}
