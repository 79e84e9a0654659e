/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uart_8250.h - the 8250/16550 UART at I/O port 0x3f8 (COM1, IRQ 4).
 *
 * Enough of the chip for Linux's early console and 8250 driver and for the
 * test stubs: THR (transmit), LSR (always "transmitter empty"), IER/IIR with
 * the THR-empty interrupt, LCR with the divisor latch, MCR, MSR, SCR.  There is
 * no input yet (LSR.DR stays 0).  Output goes to a caller-given fd - the
 * strata log, never the container's stdout - line-buffered, and is capped at
 * UART_OUTPUT_LIMIT bytes per VM so a guest cannot flood the host log.
 * Source: National Semiconductor PC16550D data sheet (register map, IIR
 * priorities); Linux drivers/tty/serial/8250 for what the driver touches.
 */
#ifndef STRATA_KVM_UART_8250_H
#define STRATA_KVM_UART_8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ 4
/* Bytes of guest serial output written to the log before it is cut off: 4 MiB. */
#define UART_OUTPUT_LIMIT (4u << 20)

struct vm;

struct uart_8250 {
	struct vm *vm;
	int out_fd;          /* not owned; -1 = discard */
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	int thre_pending;    /* THR-empty interrupt not yet acknowledged by an IIR read */
	int irq_level;       /* what we last told the irqchip */
	char line[256];
	size_t line_len;
	size_t written;      /* total bytes passed to out_fd */
	int truncated;
};

/* uart_8250_init - reset state; output to out_fd (not owned, -1 = discard). */
void uart_8250_init(struct uart_8250 *u, struct vm *vm, int out_fd);

/* uart_8250_io - the port-bus callback for ports base..base+7 (vmm_io_fn). */
void uart_8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* uart_8250_flush - write out a partial line (at VM exit). */
void uart_8250_flush(struct uart_8250 *u);

/* uart_8250_destroy - flush and free the lock. */
void uart_8250_destroy(struct uart_8250 *u);

#endif
