/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container_json.c - strata's state.json and runc's state JSON (see container_json.h).
 */
#include "container_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../oci-spec/json.h"
#include "../oci-spec/state.h"

const char *container_level_name(enum isolation_level_id level)
{
	switch (level) {
	case ISOLATION_SENTRY:
		return "sentry";
	case ISOLATION_VM:
		return "vm";
	default:
		return "native";
	}
}

int container_level_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "native") == 0)
		return ISOLATION_NATIVE;
	if (strcmp(s, "sentry") == 0)
		return ISOLATION_SENTRY;
	if (strcmp(s, "vm") == 0)
		return ISOLATION_VM;
	return -1;
}

static void gen_annotations(struct json_gen *g, const struct oci_string_map *m)
{
	json_gen_object_open(g);
	for (size_t i = 0; i < m->len; i++) {
		json_gen_key(g, m->keys[i]);
		json_gen_string(g, m->values[i]);
	}
	json_gen_object_close(g);
}

char *container_state_to_json(const struct container_state *s)
{
	struct json_gen *g = json_gen_new(false);
	if (g == NULL)
		return NULL;
	json_gen_object_open(g);
	json_gen_key(g, "id");
	json_gen_string(g, s->id);
	json_gen_key(g, "bundle");
	json_gen_string(g, s->bundle);
	json_gen_key(g, "rootfs");
	json_gen_string(g, s->rootfs);
	json_gen_key(g, "pid");
	json_gen_int(g, s->pid);
	json_gen_key(g, "pid_start_time");
	json_gen_uint(g, s->pid_start_time);
	json_gen_key(g, "created");
	json_gen_string(g, s->created);
	json_gen_key(g, "owner_uid");
	json_gen_uint(g, s->owner_uid);
	json_gen_key(g, "level");
	json_gen_string(g, container_level_name(s->level));
	json_gen_key(g, "cgroup");
	json_gen_string(g, s->cgroup);
	json_gen_key(g, "systemd_cgroup");
	json_gen_bool(g, s->systemd_cgroup);
	json_gen_key(g, "annotations");
	gen_annotations(g, &s->annotations);
	json_gen_object_close(g);
	char *out = json_gen_finish(g, NULL);
	json_gen_free(g);
	return out;
}

static int get_string(const struct json_value *root, const char *key, bool required, char **out, strata_error_t *err)
{
	const struct json_value *v = json_object_get(root, key);
	if (v == NULL || v->type == JSON_NULL) {
		if (required)
			return strata_error_set(err, EINVAL, ".%s: missing", key);
		return 0;
	}
	if (v->type != JSON_STRING)
		return strata_error_set(err, EINVAL, ".%s: expected a string", key);
	*out = strdup(v->u.string.ptr);
	if (*out == NULL)
		return strata_error_errno(err, ENOMEM, ".%s", key);
	return 0;
}

static int get_uint(const struct json_value *root, const char *key, unsigned long long *out, strata_error_t *err)
{
	const struct json_value *v = json_object_get(root, key);
	if (v == NULL)
		return 0;
	if (v->type != JSON_NUMBER)
		return strata_error_set(err, EINVAL, ".%s: expected a number", key);
	char *end = NULL;
	errno = 0;
	*out = strtoull(v->u.number, &end, 10);
	if (errno != 0 || *end != '\0')
		return strata_error_set(err, EINVAL, ".%s: expected an unsigned integer", key);
	return 0;
}

int container_state_from_json(const char *text, size_t len, struct container_state *s, strata_error_t *err)
{
	struct json_value *root = NULL;
	_cleanup_free_ char *msg = NULL;
	if (json_parse(text, len, &root, &msg) < 0)
		return strata_error_set(err, EINVAL, "%s", msg != NULL ? msg : "malformed JSON");
	int ret = -1;
	unsigned long long num = 0;
	_cleanup_free_ char *level = NULL;
	if (root->type != JSON_OBJECT) {
		strata_error_set(err, EINVAL, "expected an object");
		goto out;
	}
	if (get_string(root, "id", true, &s->id, err) < 0 || get_string(root, "bundle", true, &s->bundle, err) < 0 ||
	    get_string(root, "rootfs", true, &s->rootfs, err) < 0 ||
	    get_string(root, "created", false, &s->created, err) < 0 ||
	    get_string(root, "cgroup", false, &s->cgroup, err) < 0 || get_string(root, "level", false, &level, err) < 0)
		goto out;
	if (get_uint(root, "pid", &num, err) < 0)
		goto out;
	s->pid = (pid_t)num;
	num = 0;
	if (get_uint(root, "pid_start_time", &s->pid_start_time, err) < 0 || get_uint(root, "owner_uid", &num, err) < 0)
		goto out;
	s->owner_uid = (uid_t)num;
	int lv = level != NULL ? container_level_parse(level) : ISOLATION_NATIVE;
	if (lv < 0) {
		strata_error_set(err, EINVAL, ".level: unknown isolation level `%s`", level);
		goto out;
	}
	s->level = (enum isolation_level_id)lv;
	const struct json_value *sc = json_object_get(root, "systemd_cgroup");
	s->systemd_cgroup = sc != NULL && sc->type == JSON_BOOL && sc->u.boolean;
	const struct json_value *an = json_object_get(root, "annotations");
	if (an != NULL && an->type == JSON_OBJECT && an->u.object.len > 0) {
		size_t n = an->u.object.len;
		s->annotations.keys = calloc(n, sizeof(char *));
		s->annotations.values = calloc(n, sizeof(char *));
		if (s->annotations.keys == NULL || s->annotations.values == NULL) {
			strata_error_errno(err, ENOMEM, ".annotations");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			const struct json_value *v = an->u.object.values[i];
			if (v->type != JSON_STRING)
				continue;
			size_t k = s->annotations.len;
			s->annotations.keys[k] = strdup(an->u.object.keys[i]);
			s->annotations.values[k] = strdup(v->u.string.ptr);
			s->annotations.len++;
			if (s->annotations.keys[k] == NULL || s->annotations.values[k] == NULL) {
				strata_error_errno(err, ENOMEM, ".annotations");
				goto out;
			}
		}
	}
	ret = 0;
out:
	json_free(root);
	return ret;
}

char *container_runc_state_json(const struct container_state *s, const char *status, pid_t pid, const char *owner,
				bool pretty)
{
	enum oci_status st = OCI_STATUS_STOPPED;
	if (oci_status_from_name(status, &st) < 0)
		return NULL;
	/* The strings are only read by oci_state_to_json: casting const away is safe. */
	struct oci_state os = {
		.oci_version = (char *)OCI_SPEC_VERSION,
		.id = s->id,
		.status = st,
		.pid = pid,
		.bundle = s->bundle,
		.annotations = s->annotations,
		.rootfs = s->rootfs,
		.created = s->created,
		.owner = (char *)(owner != NULL ? owner : ""),
	};
	return oci_state_to_json(&os, pretty);
}

char *container_hook_state_json(const struct container_state *s, const char *status, pid_t pid)
{
	enum oci_status st = OCI_STATUS_STOPPED;
	if (oci_status_from_name(status, &st) < 0)
		return NULL;
	struct oci_state os = {
		.oci_version = (char *)OCI_SPEC_VERSION,
		.id = s->id,
		.status = st,
		.pid = pid,
		.bundle = s->bundle,
		.annotations = s->annotations,
	};
	return oci_state_to_hook_json(&os);
}
