/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmm_iothread.c - virtqueue processing on a device I/O thread (KVM_IOEVENTFD). */
#include "kvm-shim/vmm_iothread.h"

#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"
#include "kvm-shim/virtio_mmio.h"
#include "kvm-shim/vm.h"
#include "kvm-shim/vmm_seccomp.h"

#define IOTHREAD_MAX_NOTIFY (VM_MAX_VIRTIO * VIRTIO_MAX_QUEUES)

struct iothread_notify {
	int fd;                     /* eventfd bound to QueueNotify == q */
	struct virtio_mmio_dev *t;
	unsigned q;
};

struct vmm_iothread {
	struct vm *vm;
	bool seccomp;
	bool started;
	pthread_t thread;
	int stop_fd;                /* eventfd: written once by vmm_iothread_stop */
	unsigned nr_notify;
	atomic_ulong served;        /* notifies served (eventfd reads that returned a count) */
	struct iothread_notify notify[IOTHREAD_MAX_NOTIFY];
};

static int bind_notify(struct vm *vm, int fd, uint64_t addr, unsigned q)
{
	struct kvm_ioeventfd ev = {
		.datamatch = q,
		.addr = addr,
		.len = 4,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &ev);
}

static void unbind_notify(struct vm *vm, int fd, uint64_t addr, unsigned q)
{
	struct kvm_ioeventfd ev = {
		.datamatch = q,
		.addr = addr,
		.len = 4,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH | KVM_IOEVENTFD_FLAG_DEASSIGN,
	};
	(void)ioctl(vm->vm_fd, KVM_IOEVENTFD, &ev);
}

static void close_all(struct vmm_iothread *io, bool unbind)
{
	for (unsigned i = 0; i < io->nr_notify; i++) {
		struct iothread_notify *n = &io->notify[i];
		if (unbind)
			unbind_notify(io->vm, n->fd, n->t->base + VIRTIO_MMIO_QUEUE_NOTIFY, n->q);
		close(n->fd);
	}
	io->nr_notify = 0;
	if (io->stop_fd >= 0)
		close(io->stop_fd);
	io->stop_fd = -1;
}

int vmm_iothread_create(struct vm *vm, bool seccomp, struct vmm_iothread **out, strata_error_t *err)
{
	*out = NULL;
	if (vm->nr_virtio == 0)
		return 0;
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
		log_debug("vmm: no KVM_CAP_IOEVENTFD: virtqueues are processed on the vCPU thread");
		return 0;
	}
	struct vmm_iothread *io = calloc(1, sizeof(*io));
	if (io == NULL)
		return strata_error_errno(err, ENOMEM, "I/O thread");
	io->vm = vm;
	io->seccomp = seccomp;
	io->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->stop_fd < 0) {
		int e = errno;
		free(io);
		return strata_error_errno(err, e, "eventfd for the I/O thread");
	}
	for (unsigned d = 0; d < vm->nr_virtio; d++) {
		struct virtio_mmio_dev *t = vm->virtio[d];
		for (unsigned q = 0; q < t->ops->num_queues; q++) {
			int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (fd < 0) {
				int e = errno;
				close_all(io, true);
				free(io);
				return strata_error_errno(err, e, "eventfd for virtio-%s queue %u", t->ops->name, q);
			}
			if (bind_notify(vm, fd, t->base + VIRTIO_MMIO_QUEUE_NOTIFY, q) < 0) {
				log_debug("vmm: KVM_IOEVENTFD on virtio-%s queue %u refused (%s): virtqueues are "
					  "processed on the vCPU thread",
					  t->ops->name, q, strerror(errno));
				close(fd);
				close_all(io, true);
				free(io);
				return 0;
			}
			io->notify[io->nr_notify++] = (struct iothread_notify){ .fd = fd, .t = t, .q = q };
		}
	}
	log_debug("vmm: %u virtqueue notify eventfds bound with KVM_IOEVENTFD: device I/O thread", io->nr_notify);
	*out = io;
	return 0;
}

/* Same checks as a QueueNotify write handled on the vCPU thread (virtio_mmio.c). */
static void serve_notify(struct vmm_iothread *io, struct iothread_notify *n)
{
	uint64_t count;
	if (read(n->fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
		return; /* EAGAIN: nothing pending */
	atomic_fetch_add(&io->served, 1);
	struct virtio_mmio_dev *t = n->t;
	pthread_mutex_lock(&t->lock);
	if (t->queues[n->q].ready && (t->status & VIRTIO_STATUS_DRIVER_OK) &&
	    !(t->status & VIRTIO_STATUS_NEEDS_RESET) && t->ops->queue_notify)
		t->ops->queue_notify(t, n->q);
	pthread_mutex_unlock(&t->lock);
}

static void *iothread_main(void *arg)
{
	struct vmm_iothread *io = arg;
	/* Signals are the main thread's business (the vCPU kick too). */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	if (io->seccomp) {
		strata_error_t err = NULL;
		if (vmm_seccomp_install(VMM_THREAD_IO, &err) < 0) {
			strata_error_free(&err);
			vm_request_stop(io->vm, VM_EXIT_ERROR, 0, "I/O thread setup (seccomp) failed");
			return NULL;
		}
	}
	struct pollfd pfd[IOTHREAD_MAX_NOTIFY + 1];
	pfd[0] = (struct pollfd){ .fd = io->stop_fd, .events = POLLIN };
	for (unsigned i = 0; i < io->nr_notify; i++)
		pfd[i + 1] = (struct pollfd){ .fd = io->notify[i].fd, .events = POLLIN };
	for (;;) {
		int n = poll(pfd, io->nr_notify + 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			vm_request_stop(io->vm, VM_EXIT_ERROR, 0, "I/O thread poll failed");
			break;
		}
		if (pfd[0].revents != 0)
			break;
		for (unsigned i = 0; i < io->nr_notify; i++)
			if (pfd[i + 1].revents & POLLIN)
				serve_notify(io, &io->notify[i]);
	}
	return NULL;
}

int vmm_iothread_start(struct vmm_iothread *io, strata_error_t *err)
{
	int e = pthread_create(&io->thread, NULL, iothread_main, io);
	if (e != 0)
		return strata_error_errno(err, e, "start the device I/O thread");
	io->started = true;
	return 0;
}

unsigned long vmm_iothread_notifies(const struct vmm_iothread *io)
{
	return atomic_load(&((struct vmm_iothread *)io)->served);
}

void vmm_iothread_stop(struct vmm_iothread *io)
{
	if (io == NULL || !io->started)
		return;
	uint64_t one = 1;
	(void)!write(io->stop_fd, &one, sizeof(one));
	pthread_join(io->thread, NULL);
	io->started = false;
}

void vmm_iothread_free(struct vmm_iothread *io)
{
	if (io == NULL)
		return;
	vmm_iothread_stop(io);
	close_all(io, false);
	free(io);
}
