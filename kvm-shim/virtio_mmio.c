/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_mmio.c - virtio-mmio version 2 register file (virtio 1.2 §4.2.2). */
#include "kvm-shim/virtio_mmio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"

void virtio_mmio_init(struct virtio_mmio_dev *t, struct vm *vm, struct guest_mem mem, uint64_t base, uint32_t irq,
		      const struct virtio_device_ops *ops, void *dev)
{
	memset(t, 0, sizeof(*t));
	t->vm = vm;
	t->mem = mem;
	t->base = base;
	t->irq = irq;
	t->ops = ops;
	t->dev = dev;
	pthread_mutex_init(&t->lock, NULL);
}

static void update_irq(struct virtio_mmio_dev *t)
{
	int level = t->interrupt_status != 0;
	if (level == t->irq_level)
		return;
	t->irq_level = level;
	if (t->vm != NULL && t->vm->has_irqchip)
		(void)vm_irq_line(t->vm, t->irq, level);
}

void virtio_mmio_used(struct virtio_mmio_dev *t, unsigned q)
{
	(void)q;
	t->interrupt_status |= VIRTIO_INT_USED_BUFFER;
	update_irq(t);
}

void virtio_mmio_fail(struct virtio_mmio_dev *t, const char *why)
{
	(void)why; /* not logged: a guest must not be able to flood the host log */
	t->errors++;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (t->status & VIRTIO_STATUS_DRIVER_OK) {
		t->interrupt_status |= VIRTIO_INT_CONFIG_CHANGE;
		update_irq(t);
	}
}

static uint64_t offered_features(struct virtio_mmio_dev *t)
{
	uint64_t f = t->ops->features ? t->ops->features(t->dev) : 0;
	return f | (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_INDIRECT_DESC);
}

static void device_reset(struct virtio_mmio_dev *t)
{
	if (t->ops->reset)
		t->ops->reset(t->dev);
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
		virtqueue_reset(&t->queues[i]);
	t->status = 0;
	t->driver_features = 0;
	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->interrupt_status = 0;
	update_irq(t);
}

static void write_status(struct virtio_mmio_dev *t, uint32_t v)
{
	if (v == 0) {
		device_reset(t);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
		/* §2.2.2: accept only a subset of what we offer, and we are a
		 * modern-only device, so VERSION_1 must be negotiated. */
		uint64_t offered = offered_features(t);
		if ((t->driver_features & ~offered) || !(t->driver_features & (1ULL << VIRTIO_F_VERSION_1)))
			v &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	t->status = v | (t->status & VIRTIO_STATUS_NEEDS_RESET);
}

static struct virtqueue *selected(struct virtio_mmio_dev *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->queues[t->queue_sel] : NULL;
}

static uint32_t reg_read(struct virtio_mmio_dev *t, uint64_t off)
{
	struct virtqueue *vq = selected(t);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG: return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID: return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_VENDOR_STRATA;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->device_features_sel > 1)
			return 0;
		return (uint32_t)(offered_features(t) >> (32 * t->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return vq ? VIRTQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY: return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return t->interrupt_status;
	case VIRTIO_MMIO_STATUS: return t->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffffU; /* no shared memory regions */
	case VIRTIO_MMIO_CONFIG_GENERATION: return t->config_generation;
	default: return 0;
	}
}

static void set_low(uint64_t *v, uint32_t x) { *v = (*v & 0xffffffff00000000ULL) | x; }
static void set_high(uint64_t *v, uint32_t x) { *v = (*v & 0xffffffffULL) | ((uint64_t)x << 32); }

static void reg_write(struct virtio_mmio_dev *t, uint64_t off, uint32_t v)
{
	struct virtqueue *vq = selected(t);
	/* Queue layout registers are only writable while the queue is not ready (§4.2.2). */
	bool vq_writable = vq != NULL && !vq->ready;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: t->device_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: t->driver_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->status & VIRTIO_STATUS_FEATURES_OK)
			break; /* features are fixed once accepted */
		if (t->driver_features_sel == 0)
			set_low(&t->driver_features, v);
		else if (t->driver_features_sel == 1)
			set_high(&t->driver_features, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL: t->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM: if (vq_writable) vq->num = (uint16_t)(v > 0xffff ? 0 : v); break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: if (vq_writable) set_low(&vq->desc_addr, v); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: if (vq_writable) set_high(&vq->desc_addr, v); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW: if (vq_writable) set_low(&vq->avail_addr, v); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: if (vq_writable) set_high(&vq->avail_addr, v); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW: if (vq_writable) set_low(&vq->used_addr, v); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: if (vq_writable) set_high(&vq->used_addr, v); break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vq == NULL)
			break;
		if (v == 0) {
			vq->ready = false;
		} else if (!vq->ready) {
			strata_error_t err = NULL;
			if (virtqueue_check(vq, &t->mem, &err) < 0) {
				virtio_mmio_fail(t, err->msg);
				strata_error_free(&err);
			} else {
				vq->last_avail = vq->used_idx = 0;
				vq->ready = true;
			}
		}
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v < t->ops->num_queues && t->queues[v].ready && (t->status & VIRTIO_STATUS_DRIVER_OK) &&
		    !(t->status & VIRTIO_STATUS_NEEDS_RESET) && t->ops->queue_notify)
			t->ops->queue_notify(t, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->interrupt_status &= ~v;
		update_irq(t);
		break;
	case VIRTIO_MMIO_STATUS: write_status(t, v); break;
	default: break;
	}
}

void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_mmio_dev *t = opaque;
	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t coff = offset - VIRTIO_MMIO_CONFIG;
		if (coff < t->ops->config_size && len <= t->ops->config_size - coff) {
			if (is_write) {
				if (t->ops->config_write)
					t->ops->config_write(t->dev, (uint32_t)coff, data, len);
			} else if (t->ops->config_read) {
				t->ops->config_read(t->dev, (uint32_t)coff, data, len);
			} else {
				memset(data, 0, len);
			}
		} else if (!is_write) {
			memset(data, 0, len);
		}
	} else if (len != 4 || (offset & 3)) {
		/* §4.2.2: registers are 32 bits wide and accessed as such. */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		uint32_t v;
		memcpy(&v, data, 4);
		reg_write(t, offset, v);
	} else {
		uint32_t v = reg_read(t, offset);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&t->lock);
}

int vm_add_virtio(struct vm *vm, const struct virtio_device_ops *ops, void *dev, struct virtio_mmio_dev **out,
		  strata_error_t *err)
{
	if (vm->nr_virtio >= VM_MAX_VIRTIO)
		return strata_error_set(err, ENOSPC, "at most %d virtio devices", VM_MAX_VIRTIO);
	if (ops->num_queues > VIRTIO_MAX_QUEUES)
		return strata_error_set(err, EINVAL, "virtio-%s wants %u queues, at most %d", ops->name,
					ops->num_queues, VIRTIO_MAX_QUEUES);
	unsigned idx = vm->nr_virtio;
	uint64_t base = VIRTIO_MMIO_BASE + idx * VIRTIO_MMIO_SIZE;
	uint32_t irq = VIRTIO_MMIO_FIRST_IRQ + idx;
	struct virtio_mmio_dev *t = malloc(sizeof(*t));
	if (t == NULL)
		return strata_error_errno(err, ENOMEM, "virtio-%s", ops->name);
	virtio_mmio_init(t, vm, (struct guest_mem){ .base = vm->mem, .size = vm->mem_size }, base, irq, ops, dev);
	char word[64];
	snprintf(word, sizeof(word), "virtio_mmio.device=4K@0x%llx:%u", (unsigned long long)base, irq);
	size_t old = vm->virtio_cmdline ? strlen(vm->virtio_cmdline) : 0;
	char *cl = realloc(vm->virtio_cmdline, old + 1 + strlen(word) + 1);
	if (cl == NULL) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return strata_error_errno(err, ENOMEM, "kernel command line");
	}
	if (old == 0)
		cl[0] = '\0';
	else
		strcat(cl, " ");
	strcat(cl, word);
	if (vmm_bus_register(&vm->mmio, base, VIRTIO_MMIO_SIZE, virtio_mmio_io, t, err) < 0) {
		cl[old] = '\0';
		vm->virtio_cmdline = cl;
		pthread_mutex_destroy(&t->lock);
		free(t);
		return strata_error_wrap(err, "virtio-%s", ops->name);
	}
	vm->virtio_cmdline = cl;
	vm->virtio[vm->nr_virtio++] = t;
	if (out != NULL)
		*out = t;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio_dev *t)
{
	if (t == NULL)
		return;
	if (t->ops->destroy)
		t->ops->destroy(t->dev);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
