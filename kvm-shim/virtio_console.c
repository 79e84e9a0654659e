/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_console.c - single-port virtio console (virtio 1.2 §5.3). */
#include "kvm-shim/virtio_console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kvm-shim/virtio_mmio.h"
#include "kvm-shim/vm.h"

#define CONSOLE_RX 0
#define CONSOLE_TX 1
#define CONSOLE_CONFIG_SIZE 12 /* cols u16, rows u16, max_nr_ports u32, emerg_wr u32 */

struct virtio_console {
	int out_fd;
	uint64_t bytes_out;
};

static uint64_t console_features(void *dev)
{
	(void)dev;
	return 0; /* no SIZE, MULTIPORT or EMERG_WRITE */
}

static void console_config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	(void)dev;
	(void)offset;
	memset(data, 0, len);
}

static void console_tx(struct virtio_mmio_dev *t)
{
	struct virtio_console *c = t->dev;
	struct virtqueue *vq = &t->queues[CONSOLE_TX];
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
		for (unsigned i = 0; i < chain.n_readable; i++) {
			const void *p = guest_mem_ptr(&t->mem, chain.bufs[i].gpa, chain.bufs[i].len);
			if (p != NULL && c->out_fd >= 0)
				(void)write_all(c->out_fd, p, chain.bufs[i].len);
			c->bytes_out += chain.bufs[i].len;
		}
		irq |= virtqueue_push(vq, &t->mem, chain.head, 0);
	}
	if (irq)
		virtio_mmio_used(t, CONSOLE_TX);
}

static void console_notify(struct virtio_mmio_dev *t, unsigned q)
{
	if (q == CONSOLE_TX)
		console_tx(t);
	/* RX notify: new receive buffers; input is pushed by virtio_console_input. */
}

static void console_destroy(void *dev)
{
	free(dev);
}

static const struct virtio_device_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.config_size = CONSOLE_CONFIG_SIZE,
	.features = console_features,
	.config_read = console_config_read,
	.queue_notify = console_notify,
	.destroy = console_destroy,
};

int vm_add_virtio_console(struct vm *vm, int out_fd, struct virtio_mmio_dev **out, strata_error_t *err)
{
	struct virtio_console *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return strata_error_errno(err, ENOMEM, "virtio-console");
	c->out_fd = out_fd;
	if (vm_add_virtio(vm, &console_ops, c, out, err) < 0) {
		free(c);
		return -1;
	}
	return 0;
}

size_t virtio_console_input(struct virtio_mmio_dev *t, const void *data, size_t len)
{
	size_t done = 0;
	bool irq = false;
	pthread_mutex_lock(&t->lock);
	struct virtqueue *vq = &t->queues[CONSOLE_RX];
	while (done < len && vq->ready && !(t->status & VIRTIO_STATUS_NEEDS_RESET)) {
		struct virtq_chain chain;
		strata_error_t err = NULL;
		int r = virtqueue_pop(vq, &t->mem, &chain, &err);
		if (r < 0) {
			virtio_mmio_fail(t, err->msg);
			strata_error_free(&err);
			break;
		}
		if (r == 0)
			break;
		size_t n = virtq_chain_write(&chain, &t->mem, 0, (const uint8_t *)data + done, len - done);
		done += n;
		irq |= virtqueue_push(vq, &t->mem, chain.head, (uint32_t)n);
	}
	if (irq)
		virtio_mmio_used(t, CONSOLE_RX);
	pthread_mutex_unlock(&t->lock);
	return done;
}

uint64_t virtio_console_bytes_out(struct virtio_mmio_dev *t)
{
	pthread_mutex_lock(&t->lock);
	uint64_t n = ((struct virtio_console *)t->dev)->bytes_out;
	pthread_mutex_unlock(&t->lock);
	return n;
}
