/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_guest_config.c - the guest's copy of config.json (see vm_guest_config.h):
 * the host's hooks left out, bind sources pointed at the guest's share.
 */
#include "vm_guest_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../oci-spec/json.h"
#include "../oci-spec/json_write.h"

/* Whether `hooks` holds a startContainer member (the only one kept). */
static bool keeps_some_hook(const struct json_value *root)
{
	const struct json_value *h = json_object_get(root, "hooks");
	return h != NULL && h->type == JSON_OBJECT && json_object_get(h, "startContainer") != NULL;
}

static bool skip_host_hooks(size_t depth, const char *parent, const char *key, void *ctx)
{
	bool keep_hooks = *(bool *)ctx;
	if (depth == 1)
		return strcmp(key, "hooks") == 0 && !keep_hooks;
	return depth == 2 && parent != NULL && strcmp(parent, "hooks") == 0 && strcmp(key, "startContainer") != 0;
}

/* Replace the `source` member(s) of mounts[index] with `source`; EINVAL when
 * there is no such mount object or it has no string source. */
static int set_mount_source(struct json_value *root, size_t index, const char *source, strata_error_t *err)
{
	const struct json_value *mounts = json_object_get(root, "mounts");
	if (mounts == NULL || mounts->type != JSON_ARRAY || index >= mounts->u.array.len ||
	    mounts->u.array.items[index]->type != JSON_OBJECT)
		return strata_error_set(err, EINVAL, "config.json: mounts[%zu] is not a mount object", index);
	struct json_value *m = mounts->u.array.items[index];
	bool found = false;
	for (size_t i = 0; i < m->u.object.len; i++) {
		struct json_value *v = m->u.object.values[i];
		if (strcmp(m->u.object.keys[i], "source") != 0 || v->type != JSON_STRING)
			continue;
		char *copy = strdup(source);
		if (copy == NULL)
			return strata_error_errno(err, ENOMEM, "config.json for the guest");
		free(v->u.string.ptr);
		v->u.string.ptr = copy;
		v->u.string.len = strlen(copy);
		found = true;
	}
	if (!found)
		return strata_error_set(err, EINVAL, "config.json: mounts[%zu] has no source", index);
	return 0;
}

char *vm_guest_config_rewrite(const char *text, size_t len, const struct vm_guest_source *src, size_t n,
			      size_t *out_len, strata_error_t *err)
{
	struct json_value *root = NULL;
	_cleanup_free_ char *msg = NULL;
	if (json_parse(text, len, &root, &msg) < 0) {
		strata_error_set(err, EINVAL, "config.json: %s", msg != NULL ? msg : "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (set_mount_source(root, src[i].mount_index, src[i].source, err) < 0) {
			json_free(root);
			return NULL;
		}
	}
	bool keep = keeps_some_hook(root);
	char *out = json_write_filtered(root, skip_host_hooks, &keep, out_len);
	json_free(root);
	if (out == NULL)
		strata_error_errno(err, ENOMEM, "config.json for the guest");
	return out;
}

char *vm_guest_config_json(const char *text, size_t len, size_t *out_len, strata_error_t *err)
{
	return vm_guest_config_rewrite(text, len, NULL, 0, out_len, err);
}
