/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_resources.c - decode and free `linux.resources`
 * (runtime-spec v1.3.0 config-linux.md#control-groups and the sections
 * after it: devices, memory, cpu, blockIO, hugepageLimits, network, pids,
 * rdma, unified).
 */
#include <stdlib.h>
#include <string.h>

#include "config_decode.h"

static const char *const device_cgroup_types[] = { "a", "c", "b", NULL };

/* blkio.weight / blkio.leaf_weight range (config-linux.md#block-io). */
#define BLKIO_WEIGHT_MIN 10
#define BLKIO_WEIGHT_MAX 1000

void dec_clear_nothing(void *elem)
{
	(void)elem;
}

static void device_cgroup_clear(void *elem)
{
	struct oci_device_cgroup *c = elem;
	free(c->type);
	free(c->access);
}

static int dec_device_cgroup(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_device_cgroup *c = elem;
	const struct json_value *a;
	if (dec_object(d, p, v) < 0)
		return -1;
	int r = dec_field(d, p, v, "allow", true, "a boolean", &a);
	if (r < 0)
		return -1;
	struct dec_path ap = DEC_PATH_KEY(p, "allow");
	if (dec_bool(d, &ap, a, &c->allow) < 0 ||
	    dec_field_enum(d, p, v, "type", false, device_cgroup_types, &c->type) < 0 ||
	    dec_field_i64(d, p, v, "major", false, &c->major, &c->has_major) < 0 ||
	    dec_field_i64(d, p, v, "minor", false, &c->minor, &c->has_minor) < 0 ||
	    dec_field_string(d, p, v, "access", false, &c->access) < 0)
		return -1;
	if (c->access != NULL && strspn(c->access, "rwm") != strlen(c->access)) {
		struct dec_path xp = DEC_PATH_KEY(p, "access");
		return dec_expected(d, &xp, "a combination of r, w and m", json_object_get(v, "access"));
	}
	return 0;
}

static int dec_memory(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_memory *m)
{
	if (dec_field_i64(d, p, v, "limit", false, &m->limit, &m->has_limit) < 0 ||
	    dec_field_i64(d, p, v, "reservation", false, &m->reservation, &m->has_reservation) < 0 ||
	    dec_field_i64(d, p, v, "swap", false, &m->swap, &m->has_swap) < 0 ||
	    dec_field_i64(d, p, v, "kernel", false, &m->kernel, &m->has_kernel) < 0 ||
	    dec_field_i64(d, p, v, "kernelTCP", false, &m->kernel_tcp, &m->has_kernel_tcp) < 0 ||
	    dec_field_uint(d, p, v, "swappiness", false, 100, &m->swappiness, &m->has_swappiness) < 0 ||
	    dec_field_bool(d, p, v, "disableOOMKiller", &m->disable_oom_killer, &m->has_disable_oom_killer) < 0 ||
	    dec_field_bool(d, p, v, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy) < 0 ||
	    dec_field_bool(d, p, v, "checkBeforeUpdate", &m->check_before_update, &m->has_check_before_update) < 0)
		return -1;
	return 0;
}

static int dec_cpu(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_cpu *c)
{
	if (dec_field_u64(d, p, v, "shares", false, &c->shares, &c->has_shares) < 0 ||
	    dec_field_i64(d, p, v, "quota", false, &c->quota, &c->has_quota) < 0 ||
	    dec_field_u64(d, p, v, "burst", false, &c->burst, &c->has_burst) < 0 ||
	    dec_field_u64(d, p, v, "period", false, &c->period, &c->has_period) < 0 ||
	    dec_field_i64(d, p, v, "realtimeRuntime", false, &c->realtime_runtime, &c->has_realtime_runtime) < 0 ||
	    dec_field_u64(d, p, v, "realtimePeriod", false, &c->realtime_period, &c->has_realtime_period) < 0 ||
	    dec_field_string(d, p, v, "cpus", false, &c->cpus) < 0 ||
	    dec_field_string(d, p, v, "mems", false, &c->mems) < 0 ||
	    dec_field_i64(d, p, v, "idle", false, &c->idle, &c->has_idle) < 0)
		return -1;
	return 0;
}

/* zero_ok: per-device weights may be 0, which Docker writes to mean "no weight". */
static int dec_weight(struct dec *d, const struct dec_path *p, const struct json_value *v, const char *key,
		      bool zero_ok, uint16_t *out, bool *has)
{
	int64_t w;
	bool h = false;
	const struct json_value *x = json_object_get(v, key);
	if (zero_ok && x != NULL && x->type == JSON_NUMBER && strcmp(x->u.number, "0") == 0) {
		*out = 0;
		*has = true;
		return 0;
	}
	if (dec_field_int(d, p, v, key, false, BLKIO_WEIGHT_MIN, BLKIO_WEIGHT_MAX, &w, &h) < 0)
		return -1;
	if (h) {
		*out = (uint16_t)w;
		*has = true;
	}
	return 0;
}

static int dec_weight_device(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_weight_device *w = elem;
	if (dec_object(d, p, v) < 0 || dec_field_i64(d, p, v, "major", true, &w->major, NULL) < 0 ||
	    dec_field_i64(d, p, v, "minor", true, &w->minor, NULL) < 0 ||
	    dec_weight(d, p, v, "weight", true, &w->weight, &w->has_weight) < 0 ||
	    dec_weight(d, p, v, "leafWeight", true, &w->leaf_weight, &w->has_leaf_weight) < 0)
		return -1;
	return 0;
}

static int dec_throttle_device(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_throttle_device *t = elem;
	if (dec_object(d, p, v) < 0 || dec_field_i64(d, p, v, "major", true, &t->major, NULL) < 0 ||
	    dec_field_i64(d, p, v, "minor", true, &t->minor, NULL) < 0 ||
	    dec_field_u64(d, p, v, "rate", true, &t->rate, NULL) < 0)
		return -1;
	return 0;
}

static int dec_block_io(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_block_io *b)
{
	const size_t tsz = sizeof(struct oci_throttle_device);
	if (dec_weight(d, p, v, "weight", false, &b->weight, &b->has_weight) < 0 ||
	    dec_weight(d, p, v, "leafWeight", false, &b->leaf_weight, &b->has_leaf_weight) < 0 ||
	    dec_field_array_of(d, p, v, "weightDevice", sizeof(struct oci_weight_device), dec_weight_device,
			       dec_clear_nothing, (void **)&b->weight_device, &b->weight_device_len) < 0 ||
	    dec_field_array_of(d, p, v, "throttleReadBpsDevice", tsz, dec_throttle_device, dec_clear_nothing,
			       (void **)&b->throttle_read_bps_device, &b->throttle_read_bps_device_len) < 0 ||
	    dec_field_array_of(d, p, v, "throttleWriteBpsDevice", tsz, dec_throttle_device, dec_clear_nothing,
			       (void **)&b->throttle_write_bps_device, &b->throttle_write_bps_device_len) < 0 ||
	    dec_field_array_of(d, p, v, "throttleReadIOPSDevice", tsz, dec_throttle_device, dec_clear_nothing,
			       (void **)&b->throttle_read_iops_device, &b->throttle_read_iops_device_len) < 0 ||
	    dec_field_array_of(d, p, v, "throttleWriteIOPSDevice", tsz, dec_throttle_device, dec_clear_nothing,
			       (void **)&b->throttle_write_iops_device, &b->throttle_write_iops_device_len) < 0)
		return -1;
	return 0;
}

static void hugepage_clear(void *elem)
{
	free(((struct oci_hugepage_limit *)elem)->page_size);
}

static int dec_hugepage(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_hugepage_limit *h = elem;
	if (dec_object(d, p, v) < 0 || dec_field_string(d, p, v, "pageSize", true, &h->page_size) < 0 ||
	    dec_field_u64(d, p, v, "limit", true, &h->limit, NULL) < 0)
		return -1;
	return 0;
}

static void net_priority_clear(void *elem)
{
	free(((struct oci_network_priority *)elem)->name);
}

static int dec_net_priority(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_network_priority *n = elem;
	if (dec_object(d, p, v) < 0 || dec_field_string(d, p, v, "name", true, &n->name) < 0 ||
	    dec_field_u32(d, p, v, "priority", true, &n->priority, NULL) < 0)
		return -1;
	return 0;
}

static void rdma_clear(void *elem)
{
	free(((struct oci_rdma_limit *)elem)->device);
}

static int dec_rdma(struct dec *d, const struct dec_path *p, const char *key, const struct json_value *v, void *elem)
{
	struct oci_rdma_limit *r = elem;
	if (dec_object(d, p, v) < 0 ||
	    dec_field_u32(d, p, v, "hcaHandles", false, &r->hca_handles, &r->has_hca_handles) < 0 ||
	    dec_field_u32(d, p, v, "hcaObjects", false, &r->hca_objects, &r->has_hca_objects) < 0)
		return -1;
	r->device = strdup(key);
	return r->device ? 0 : dec_oom(d);
}

static void network_free(struct oci_network *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->priorities_len; i++)
		net_priority_clear(&n->priorities[i]);
	free(n->priorities);
	free(n);
}

static void block_io_free(struct oci_block_io *b)
{
	if (b == NULL)
		return;
	free(b->weight_device);
	free(b->throttle_read_bps_device);
	free(b->throttle_write_bps_device);
	free(b->throttle_read_iops_device);
	free(b->throttle_write_iops_device);
	free(b);
}

void oci_resources_free(struct oci_resources *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->devices_len; i++)
		device_cgroup_clear(&r->devices[i]);
	free(r->devices);
	free(r->memory);
	if (r->cpu != NULL) {
		free(r->cpu->cpus);
		free(r->cpu->mems);
	}
	free(r->cpu);
	block_io_free(r->block_io);
	for (size_t i = 0; i < r->hugepage_limits_len; i++)
		hugepage_clear(&r->hugepage_limits[i]);
	free(r->hugepage_limits);
	network_free(r->network);
	for (size_t i = 0; i < r->rdma_len; i++)
		rdma_clear(&r->rdma[i]);
	free(r->rdma);
	oci_string_map_clear(&r->unified);
	free(r);
}

int dec_resources(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_resources *r)
{
	const struct json_value *o;
	int k;
	if (dec_object(d, p, v) < 0 ||
	    dec_field_array_of(d, p, v, "devices", sizeof(struct oci_device_cgroup), dec_device_cgroup,
			       device_cgroup_clear, (void **)&r->devices, &r->devices_len) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "memory", sizeof(*r->memory), (void **)&r->memory, &o)) < 0)
		return -1;
	struct dec_path mp = DEC_PATH_KEY(p, "memory");
	if (k > 0 && dec_memory(d, &mp, o, r->memory) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "cpu", sizeof(*r->cpu), (void **)&r->cpu, &o)) < 0)
		return -1;
	struct dec_path cp = DEC_PATH_KEY(p, "cpu");
	if (k > 0 && dec_cpu(d, &cp, o, r->cpu) < 0)
		return -1;

	if ((k = dec_field_object(d, p, v, "pids", false, &o)) < 0)
		return -1;
	struct dec_path pp = DEC_PATH_KEY(p, "pids");
	/* limit is REQUIRED up to v1.2; accept its absence (v1.3 pointer form). */
	if (k > 0 && dec_field_i64(d, &pp, o, "limit", false, &r->pids_limit, &r->has_pids_limit) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "blockIO", sizeof(*r->block_io), (void **)&r->block_io, &o)) < 0)
		return -1;
	struct dec_path bp = DEC_PATH_KEY(p, "blockIO");
	if (k > 0 && dec_block_io(d, &bp, o, r->block_io) < 0)
		return -1;

	if (dec_field_array_of(d, p, v, "hugepageLimits", sizeof(struct oci_hugepage_limit), dec_hugepage,
			       hugepage_clear, (void **)&r->hugepage_limits, &r->hugepage_limits_len) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "network", sizeof(*r->network), (void **)&r->network, &o)) < 0)
		return -1;
	struct dec_path np = DEC_PATH_KEY(p, "network");
	if (k > 0 && (dec_field_u32(d, &np, o, "classID", false, &r->network->class_id, &r->network->has_class_id) < 0 ||
		      dec_field_array_of(d, &np, o, "priorities", sizeof(struct oci_network_priority),
					 dec_net_priority, net_priority_clear, (void **)&r->network->priorities,
					 &r->network->priorities_len) < 0))
		return -1;

	if (dec_field_map_of(d, p, v, "rdma", sizeof(struct oci_rdma_limit), dec_rdma, rdma_clear, (void **)&r->rdma,
			     &r->rdma_len) < 0)
		return -1;

	if ((k = dec_field(d, p, v, "unified", false, "an object", &o)) < 0)
		return -1;
	struct dec_path yp = DEC_PATH_KEY(p, "unified");
	if (k > 0 && dec_string_map(d, &yp, o, &r->unified) < 0)
		return -1;
	return 0;
}

int oci_resources_parse(const char *name, const char *json, size_t len, struct oci_resources **out,
			strata_error_t *err)
{
	struct dec d = { .name = name ? name : "resources.json", .err = err };
	struct json_value *root = NULL;
	*out = NULL;
	if (dec_document(&d, json, len, &root) < 0)
		return -1;
	struct oci_resources *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		json_free(root);
		return dec_oom(&d);
	}
	struct dec_path p = DEC_PATH_ROOT;
	int rc = dec_resources(&d, &p, root, r);
	json_free(root);
	if (rc < 0) {
		oci_resources_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
