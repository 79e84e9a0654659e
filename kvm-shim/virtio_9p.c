/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_9p.c - virtio-9p device on top of p9_server (virtio 1.2 §5.13). */
#include "kvm-shim/virtio_9p.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm-shim/p9_server.h"
#include "kvm-shim/virtio_mmio.h"
#include "kvm-shim/vm.h"

#define VIRTIO_9P_MOUNT_TAG 0 /* feature bit: config holds the tag */

struct virtio_9p {
	struct p9_server *server;
	uint16_t tag_len;
	char tag[VIRTIO_9P_MAX_TAG];
	uint8_t *req;   /* P9_MAX_MSIZE bytes */
	uint8_t *resp;  /* P9_MAX_MSIZE bytes */
};

static uint64_t p9_features(void *dev)
{
	(void)dev;
	return 1ULL << VIRTIO_9P_MOUNT_TAG;
}

static void p9_config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_9p *d = dev;
	uint8_t cfg[2 + VIRTIO_9P_MAX_TAG] = { 0 };
	cfg[0] = (uint8_t)d->tag_len;
	cfg[1] = (uint8_t)(d->tag_len >> 8);
	memcpy(cfg + 2, d->tag, d->tag_len);
	memcpy(data, cfg + offset, len); /* the transport bounds offset+len by config_size */
}

static void p9_notify(struct virtio_mmio_dev *t, unsigned q)
{
	struct virtio_9p *d = t->dev;
	struct virtqueue *vq = &t->queues[q];
	struct virtq_chain chain;
	bool irq = false;
	for (;;) {
		strata_error_t err = NULL;
		int r = virtqueue_pop(vq, &t->mem, &chain, &err);
		if (r < 0) {
			virtio_mmio_fail(t, err->msg);
			strata_error_free(&err);
			break;
		}
		if (r == 0)
			break;
		uint32_t msize = p9_server_msize(d->server);
		size_t in_len = virtq_chain_readable_len(&chain);
		if (in_len > msize)
			in_len = msize;
		in_len = virtq_chain_read(&chain, &t->mem, 0, d->req, in_len);
		size_t out_cap = virtq_chain_writable_len(&chain);
		if (out_cap > msize)
			out_cap = msize;
		size_t out_len = p9_server_handle(d->server, d->req, in_len, d->resp, out_cap);
		size_t written = virtq_chain_write(&chain, &t->mem, 0, d->resp, out_len);
		irq |= virtqueue_push(vq, &t->mem, chain.head, (uint32_t)written);
	}
	if (irq)
		virtio_mmio_used(t, q);
}

static void p9_destroy(void *dev)
{
	struct virtio_9p *d = dev;
	if (d == NULL)
		return;
	p9_server_free(d->server);
	free(d->req);
	free(d->resp);
	free(d);
}

static const struct virtio_device_ops p9_ops = {
	.name = "9p",
	.device_id = VIRTIO_ID_9P,
	.num_queues = 1,
	.config_size = 2 + VIRTIO_9P_MAX_TAG,
	.features = p9_features,
	.config_read = p9_config_read,
	.queue_notify = p9_notify,
	.destroy = p9_destroy,
};

int vm_add_virtio_9p(struct vm *vm, const char *tag, const char *dir, bool read_only, strata_error_t *err)
{
	size_t tl = strlen(tag);
	if (tl == 0 || tl > VIRTIO_9P_MAX_TAG)
		return strata_error_set(err, EINVAL, "9p mount tag `%s` must be 1..%d bytes", tag, VIRTIO_9P_MAX_TAG);
	struct virtio_9p *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return strata_error_errno(err, ENOMEM, "virtio-9p");
	d->tag_len = (uint16_t)tl;
	memcpy(d->tag, tag, tl);
	d->req = malloc(P9_MAX_MSIZE);
	d->resp = malloc(P9_MAX_MSIZE);
	if (d->req == NULL || d->resp == NULL) {
		p9_destroy(d);
		return strata_error_errno(err, ENOMEM, "virtio-9p buffers");
	}
	if (p9_server_new(dir, read_only, &d->server, err) < 0) {
		p9_destroy(d);
		return strata_error_wrap(err, "virtio-9p `%s`", tag);
	}
	if (vm_add_virtio(vm, &p9_ops, d, NULL, err) < 0) {
		p9_destroy(d);
		return -1;
	}
	return 0;
}
