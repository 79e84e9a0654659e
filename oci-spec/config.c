/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.c - decode the top level of config.json: ociVersion, root,
 * hostname, domainname, mounts, hooks, annotations (runtime-spec v1.3.0
 * config.md), delegating process and linux; load from a bundle; lookups.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/path.h"
#include "../common/util.h"
#include "config_decode.h"

static void mount_clear(void *elem)
{
	struct oci_mount *m = elem;
	free(m->destination);
	free(m->type);
	free(m->source);
	dec_strv_free(m->options, m->options_len);
	free(m->uid_mappings);
	free(m->gid_mappings);
}

static int dec_mount(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_mount *m = elem;
	/* destination: "This value MUST be an absolute path" (config.md#mounts). */
	if (dec_object(d, p, v) < 0 || dec_field_abs_path(d, p, v, "destination", true, &m->destination) < 0 ||
	    dec_field_string(d, p, v, "type", false, &m->type) < 0 ||
	    dec_field_string(d, p, v, "source", false, &m->source) < 0 ||
	    dec_field_strv(d, p, v, "options", false, NULL, &m->options, &m->options_len) < 0 ||
	    dec_field_array_of(d, p, v, "uidMappings", sizeof(struct oci_id_mapping), dec_id_mapping, dec_clear_nothing,
			       (void **)&m->uid_mappings, &m->uid_mappings_len) < 0 ||
	    dec_field_array_of(d, p, v, "gidMappings", sizeof(struct oci_id_mapping), dec_id_mapping, dec_clear_nothing,
			       (void **)&m->gid_mappings, &m->gid_mappings_len) < 0)
		return -1;
	/* Clean the destination once, here, so every level mounts on the same
	 * place: "//mnt/./x/../vol/" is "/mnt/vol", and the native rootfs code
	 * never creates the "x" it would walk through (runc applies Go's
	 * filepath.Clean to the destination for the same reason). */
	char *clean = path_clean(m->destination, d->err);
	if (clean == NULL)
		return dec_oom(d);
	free(m->destination);
	m->destination = clean;
	return 0;
}

static void hook_clear(void *elem)
{
	struct oci_hook *h = elem;
	free(h->path);
	dec_strv_free(h->args, h->args_len);
	dec_strv_free(h->env, h->env_len);
}

static int dec_hook(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_hook *h = elem;
	int64_t timeout = 0;
	/* path: absolute (config.md#posix-platform-hooks); timeout "MUST be greater than zero". */
	if (dec_object(d, p, v) < 0 || dec_field_abs_path(d, p, v, "path", true, &h->path) < 0 ||
	    dec_field_strv(d, p, v, "args", false, NULL, &h->args, &h->args_len) < 0 ||
	    dec_field_strv(d, p, v, "env", false, NULL, &h->env, &h->env_len) < 0 ||
	    dec_field_int(d, p, v, "timeout", false, 1, INT32_MAX, &timeout, &h->has_timeout) < 0)
		return -1;
	h->timeout = (int32_t)timeout;
	return 0;
}

static int field_hooks(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		       struct oci_hook **out, size_t *len)
{
	return dec_field_array_of(d, p, obj, key, sizeof(struct oci_hook), dec_hook, hook_clear, (void **)out, len);
}
static void hook_list_free(struct oci_hook *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hook_clear(&h[i]);
	free(h);
}

static void hooks_free(struct oci_hooks *h)
{
	if (h == NULL)
		return;
	hook_list_free(h->prestart, h->prestart_len);
	hook_list_free(h->create_runtime, h->create_runtime_len);
	hook_list_free(h->create_container, h->create_container_len);
	hook_list_free(h->start_container, h->start_container_len);
	hook_list_free(h->poststart, h->poststart_len);
	hook_list_free(h->poststop, h->poststop_len);
	free(h);
}

static int dec_hooks(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_hooks *h)
{
	if (field_hooks(d, p, v, "prestart", &h->prestart, &h->prestart_len) < 0 ||
	    field_hooks(d, p, v, "createRuntime", &h->create_runtime, &h->create_runtime_len) < 0 ||
	    field_hooks(d, p, v, "createContainer", &h->create_container, &h->create_container_len) < 0 ||
	    field_hooks(d, p, v, "startContainer", &h->start_container, &h->start_container_len) < 0 ||
	    field_hooks(d, p, v, "poststart", &h->poststart, &h->poststart_len) < 0 ||
	    field_hooks(d, p, v, "poststop", &h->poststop, &h->poststop_len) < 0)
		return -1;
	return 0;
}

void oci_config_free(struct oci_config *c)
{
	if (c == NULL)
		return;
	free(c->oci_version);
	oci_process_free(c->process);
	if (c->root != NULL)
		free(c->root->path);
	free(c->root);
	free(c->hostname);
	free(c->domainname);
	for (size_t i = 0; i < c->mounts_len; i++)
		mount_clear(&c->mounts[i]);
	free(c->mounts);
	hooks_free(c->hooks);
	oci_string_map_clear(&c->annotations);
	oci_linux_free(c->linux_);
	free(c);
}

static int dec_config(struct dec *d, const struct json_value *v, struct oci_config *c)
{
	struct dec_path root = DEC_PATH_ROOT;
	const struct json_value *o;
	int k;

	if (dec_field_string(d, &root, v, "ociVersion", true, &c->oci_version) < 0)
		return -1;

	if ((k = dec_field(d, &root, v, "process", false, "an object", &o)) < 0)
		return -1;
	if (k > 0) {
		struct dec_path pp = DEC_PATH_KEY(&root, "process");
		if ((c->process = calloc(1, sizeof(*c->process))) == NULL)
			return dec_oom(d);
		if (dec_process(d, &pp, o, c->process) < 0)
			return -1;
	}

	/* root.path is REQUIRED on POSIX when root is given (config.md#root). */
	if ((k = dec_field_object(d, &root, v, "root", false, &o)) < 0)
		return -1;
	if (k > 0) {
		struct dec_path rp = DEC_PATH_KEY(&root, "root");
		if ((c->root = calloc(1, sizeof(*c->root))) == NULL)
			return dec_oom(d);
		if (dec_field_string(d, &rp, o, "path", true, &c->root->path) < 0 ||
		    dec_field_bool(d, &rp, o, "readonly", &c->root->readonly, NULL) < 0)
			return -1;
	}

	if (dec_field_string(d, &root, v, "hostname", false, &c->hostname) < 0 ||
	    dec_field_string(d, &root, v, "domainname", false, &c->domainname) < 0)
		return -1;

	if (dec_field_array_of(d, &root, v, "mounts", sizeof(struct oci_mount), dec_mount, mount_clear,
			       (void **)&c->mounts, &c->mounts_len) < 0)
		return -1;

	if ((k = dec_field_object(d, &root, v, "hooks", false, &o)) < 0)
		return -1;
	if (k > 0) {
		struct dec_path hp = DEC_PATH_KEY(&root, "hooks");
		if ((c->hooks = calloc(1, sizeof(*c->hooks))) == NULL)
			return dec_oom(d);
		if (dec_hooks(d, &hp, o, c->hooks) < 0)
			return -1;
	}

	if ((k = dec_field(d, &root, v, "annotations", false, "an object", &o)) < 0)
		return -1;
	struct dec_path ap = DEC_PATH_KEY(&root, "annotations");
	if (k > 0 && dec_string_map(d, &ap, o, &c->annotations) < 0)
		return -1;

	if ((k = dec_field(d, &root, v, "linux", false, "an object", &o)) < 0)
		return -1;
	if (k > 0) {
		struct dec_path lp = DEC_PATH_KEY(&root, "linux");
		if ((c->linux_ = calloc(1, sizeof(*c->linux_))) == NULL)
			return dec_oom(d);
		if (dec_linux(d, &lp, o, c->linux_) < 0)
			return -1;
	}
	return 0;
}

int oci_config_parse(const char *name, const char *json, size_t len, struct oci_config **out, strata_error_t *err)
{
	struct dec d = { .name = name ? name : "config.json", .err = err };
	struct json_value *root = NULL;
	*out = NULL;
	if (dec_document(&d, json, len, &root) < 0)
		return -1;
	struct oci_config *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		json_free(root);
		return dec_oom(&d);
	}
	int r = dec_config(&d, root, c);
	json_free(root);
	if (r < 0) {
		oci_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int oci_config_load(const char *bundle, struct oci_config **out, strata_error_t *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	*out = NULL;
	if (asprintf(&path, "%s/config.json", bundle) < 0) {
		path = NULL;
		return strata_error_errno(err, ENOMEM, "load config of `%s`", bundle);
	}
	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	return oci_config_parse("config.json", text, len, out, err);
}

const char *oci_string_map_get(const struct oci_string_map *m, const char *key)
{
	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < m->len; i++)
		if (strcmp(m->keys[i], key) == 0)
			return m->values[i];
	return NULL;
}

const struct oci_namespace *oci_config_find_namespace(const struct oci_config *c, enum oci_namespace_type t)
{
	if (c == NULL || c->linux_ == NULL)
		return NULL;
	for (size_t i = 0; i < c->linux_->namespaces_len; i++)
		if (c->linux_->namespaces[i].type == t)
			return &c->linux_->namespaces[i];
	return NULL;
}
