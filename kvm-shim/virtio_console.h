/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_console.h - virtio-console (device id 3), one port, no multiport.
 *
 * Queue 0 (receiveq) carries host->guest bytes given to virtio_console_input();
 * queue 1 (transmitq) carries guest->host bytes, written to out_fd.  This is
 * the stdio / control channel to the guest agent (hvc0 in the guest).
 * Source: virtio 1.2 §5.3.
 */
#ifndef STRATA_KVM_VIRTIO_CONSOLE_H
#define STRATA_KVM_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct vm;
struct virtio_mmio_dev;

#define VIRTIO_ID_CONSOLE 3

/*
 * vm_add_virtio_console - add a console whose guest output goes to out_fd
 * (not owned; -1 discards).  *out (may be NULL) is the transport, for
 * virtio_console_input.  Errors as vm_add_virtio.
 */
int vm_add_virtio_console(struct vm *vm, int out_fd, struct virtio_mmio_dev **out, strata_error_t *err);

/*
 * virtio_console_input - give the guest up to len bytes through the receive
 * queue.  Returns the bytes accepted (0 when the guest has posted no receive
 * buffer yet; the caller retries after the next notify).  Thread-safe.
 */
size_t virtio_console_input(struct virtio_mmio_dev *t, const void *data, size_t len);

/* virtio_console_bytes_out - guest->host bytes written so far (tests, stats). */
uint64_t virtio_console_bytes_out(struct virtio_mmio_dev *t);

#endif
