/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.c - render and parse the container state document (state.h).
 */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "decode.h"
#include "json.h"

static const char *const status_names[] = {
	[OCI_STATUS_CREATING] = "creating", [OCI_STATUS_CREATED] = "created", [OCI_STATUS_RUNNING] = "running",
	[OCI_STATUS_STOPPED] = "stopped",   [OCI_STATUS_PAUSED] = "paused",   NULL,
};

const char *oci_status_name(enum oci_status s)
{
	if ((unsigned)s > OCI_STATUS_PAUSED)
		return NULL;
	return status_names[s];
}

int oci_status_from_name(const char *s, enum oci_status *out)
{
	for (int i = 0; status_names[i] != NULL; i++) {
		if (strcmp(status_names[i], s) == 0) {
			*out = (enum oci_status)i;
			return 0;
		}
	}
	return -1;
}

static int cmp_index_by_key(const void *a, const void *b, void *keys)
{
	char **k = keys;
	return strcmp(k[*(const size_t *)a], k[*(const size_t *)b]);
}

/* Annotations as an object, keys in byte order (Go's encoding of a map). */
static void gen_annotations(struct json_gen *g, const struct oci_string_map *m)
{
	_cleanup_free_ size_t *order = calloc(m->len ? m->len : 1, sizeof(size_t));
	if (order == NULL) {
		json_gen_fail(g);
		return;
	}
	for (size_t i = 0; i < m->len; i++)
		order[i] = i;
	qsort_r(order, m->len, sizeof(size_t), cmp_index_by_key, m->keys);
	json_gen_object_open(g);
	for (size_t i = 0; i < m->len; i++) {
		json_gen_key(g, m->keys[order[i]]);
		json_gen_string(g, m->values[order[i]]);
	}
	json_gen_object_close(g);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

char *oci_state_to_json(const struct oci_state *s, bool pretty)
{
	struct json_gen *g = json_gen_new(pretty);
	if (g == NULL)
		return NULL;
	json_gen_object_open(g);
	json_gen_key(g, "ociVersion");
	json_gen_string(g, or_empty(s->oci_version));
	json_gen_key(g, "id");
	json_gen_string(g, or_empty(s->id));
	json_gen_key(g, "pid");
	json_gen_int(g, s->status == OCI_STATUS_STOPPED ? 0 : s->pid);
	json_gen_key(g, "status");
	json_gen_string(g, or_empty(oci_status_name(s->status)));
	json_gen_key(g, "bundle");
	json_gen_string(g, or_empty(s->bundle));
	json_gen_key(g, "rootfs");
	json_gen_string(g, or_empty(s->rootfs));
	json_gen_key(g, "created");
	json_gen_string(g, or_empty(s->created));
	if (s->annotations.len > 0) {
		json_gen_key(g, "annotations");
		gen_annotations(g, &s->annotations);
	}
	json_gen_key(g, "owner");
	json_gen_string(g, or_empty(s->owner));
	json_gen_object_close(g);
	char *out = json_gen_finish(g, NULL);
	json_gen_free(g);
	return out;
}

char *oci_state_to_hook_json(const struct oci_state *s)
{
	struct json_gen *g = json_gen_new(false);
	if (g == NULL)
		return NULL;
	json_gen_object_open(g);
	json_gen_key(g, "ociVersion");
	json_gen_string(g, or_empty(s->oci_version));
	json_gen_key(g, "id");
	json_gen_string(g, or_empty(s->id));
	json_gen_key(g, "status");
	json_gen_string(g, or_empty(oci_status_name(s->status)));
	if (s->pid > 0 && s->status != OCI_STATUS_STOPPED) {
		json_gen_key(g, "pid");
		json_gen_int(g, s->pid);
	}
	json_gen_key(g, "bundle");
	json_gen_string(g, or_empty(s->bundle));
	if (s->annotations.len > 0) {
		json_gen_key(g, "annotations");
		gen_annotations(g, &s->annotations);
	}
	json_gen_object_close(g);
	char *out = json_gen_finish(g, NULL);
	json_gen_free(g);
	return out;
}

void oci_state_free(struct oci_state *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	free(s->id);
	free(s->bundle);
	oci_string_map_clear(&s->annotations);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s);
}

static int dec_state(struct dec *d, const struct json_value *v, struct oci_state *s)
{
	struct dec_path root = DEC_PATH_ROOT;
	_cleanup_free_ char *status = NULL;
	int64_t pid = 0;
	const struct json_value *o;
	if (dec_field_string(d, &root, v, "ociVersion", true, &s->oci_version) < 0 ||
	    dec_field_string(d, &root, v, "id", true, &s->id) < 0 ||
	    dec_field_enum(d, &root, v, "status", true, status_names, &status) < 0 ||
	    dec_field_int(d, &root, v, "pid", false, 0, INT32_MAX, &pid, NULL) < 0 ||
	    dec_field_string(d, &root, v, "bundle", true, &s->bundle) < 0 ||
	    dec_field_string(d, &root, v, "rootfs", false, &s->rootfs) < 0 ||
	    dec_field_string(d, &root, v, "created", false, &s->created) < 0 ||
	    dec_field_string(d, &root, v, "owner", false, &s->owner) < 0)
		return -1;
	oci_status_from_name(status, &s->status);
	s->pid = (pid_t)pid;
	int k = dec_field(d, &root, v, "annotations", false, "an object", &o);
	if (k < 0)
		return -1;
	struct dec_path ap = DEC_PATH_KEY(&root, "annotations");
	if (k > 0 && dec_string_map(d, &ap, o, &s->annotations) < 0)
		return -1;
	return 0;
}

int oci_state_parse(const char *name, const char *json, size_t len, struct oci_state **out, strata_error_t *err)
{
	struct dec d = { .name = name ? name : "state.json", .err = err };
	struct json_value *root = NULL;
	*out = NULL;
	if (dec_document(&d, json, len, &root) < 0)
		return -1;
	struct oci_state *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		json_free(root);
		return dec_oom(&d);
	}
	int r = dec_state(&d, root, s);
	json_free(root);
	if (r < 0) {
		oci_state_free(s);
		return -1;
	}
	*out = s;
	return 0;
}
