/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uart_8250.c - COM1 8250 UART emulation: output side. */
#include "kvm-shim/uart_8250.h"

#include <string.h>

#include "common/util.h"
#include "kvm-shim/vm.h"

/* Register offsets (PC16550D data sheet, table 2). */
enum {
	UART_RBR_THR = 0, /* DLL when LCR.DLAB */
	UART_IER = 1,     /* DLM when LCR.DLAB */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};
#define UART_LCR_DLAB 0x80
#define UART_IER_THRI 0x02
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_FIFO_ON 0xc0
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MCR_LOOP 0x10
#define UART_MSR_DCD_DSR_CTS 0xb0

void uart_8250_init(struct uart_8250 *u, struct vm *vm, int out_fd)
{
	memset(u, 0, sizeof(*u));
	u->vm = vm;
	u->out_fd = out_fd;
	pthread_mutex_init(&u->lock, NULL);
	u->lcr = 0x03; /* 8N1 */
	u->dll = 0x0c; /* 9600 baud */
}

/* Called with the lock held. */
static void uart_flush_locked(struct uart_8250 *u)
{
	if (u->line_len == 0)
		return;
	if (u->out_fd >= 0 && !u->truncated) {
		size_t n = u->line_len;
		if (u->written + n > UART_OUTPUT_LIMIT)
			n = UART_OUTPUT_LIMIT - u->written;
		/* A failing log write must not stop the guest: drop the text. */
		(void)write_all(u->out_fd, u->line, n);
		u->written += n;
		if (u->written >= UART_OUTPUT_LIMIT) {
			static const char cut[] = "\n[strata: guest serial output limit reached, rest dropped]\n";
			(void)write_all(u->out_fd, cut, sizeof(cut) - 1);
			u->truncated = 1;
		}
	}
	u->line_len = 0;
}

void uart_8250_flush(struct uart_8250 *u)
{
	pthread_mutex_lock(&u->lock);
	uart_flush_locked(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_8250_destroy(struct uart_8250 *u)
{
	uart_8250_flush(u);
	pthread_mutex_destroy(&u->lock);
}

/* Interrupt line = THR-empty interrupt enabled and pending.  Lock held. */
static void uart_update_irq_locked(struct uart_8250 *u)
{
	int level = (u->ier & UART_IER_THRI) && u->thre_pending;
	if (level != u->irq_level && u->vm != NULL && u->vm->has_irqchip) {
		(void)vm_irq_line(u->vm, UART_COM1_IRQ, level);
		u->irq_level = level;
	}
}

static void uart_put(struct uart_8250 *u, uint8_t c)
{
	u->line[u->line_len++] = (char)c;
	if (c == '\n' || u->line_len == sizeof(u->line))
		uart_flush_locked(u);
}

void uart_8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct uart_8250 *u = opaque;
	pthread_mutex_lock(&u->lock);
	/* Wider accesses touch only the first register (the chip is 8 bits wide). */
	uint8_t v = is_write ? data[0] : 0;
	bool dlab = u->lcr & UART_LCR_DLAB;
	switch (offset) {
	case UART_RBR_THR:
		if (dlab) {
			if (is_write) u->dll = v; else v = u->dll;
		} else if (is_write) {
			if (!(u->mcr & UART_MCR_LOOP))
				uart_put(u, v);
			u->thre_pending = 1; /* transmitted at once: THR empty again */
		} else {
			v = 0; /* no input */
		}
		break;
	case UART_IER:
		if (dlab) {
			if (is_write) u->dlm = v; else v = u->dlm;
		} else if (is_write) {
			/* Enabling THRI with an empty THR raises the interrupt at once. */
			if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
				u->thre_pending = 1;
			u->ier = v & 0x0f;
		} else {
			v = u->ier;
		}
		break;
	case UART_IIR_FCR:
		if (!is_write) {
			if ((u->ier & UART_IER_THRI) && u->thre_pending) {
				v = UART_IIR_THRI | UART_IIR_FIFO_ON;
				u->thre_pending = 0; /* reading IIR acknowledges THRE */
			} else {
				v = UART_IIR_NO_INT | UART_IIR_FIFO_ON;
			}
		}
		break;
	case UART_LCR:
		if (is_write) u->lcr = v; else v = u->lcr;
		break;
	case UART_MCR:
		if (is_write) u->mcr = v & 0x1f; else v = u->mcr;
		break;
	case UART_LSR:
		if (!is_write)
			v = UART_LSR_THRE | UART_LSR_TEMT;
		break;
	case UART_MSR:
		if (!is_write)
			v = (u->mcr & UART_MCR_LOOP) ? 0 : UART_MSR_DCD_DSR_CTS;
		break;
	case UART_SCR:
		if (is_write) u->scr = v; else v = u->scr;
		break;
	default:
		break;
	}
	if (!is_write) {
		memset(data, 0, len);
		data[0] = v;
	}
	uart_update_irq_locked(u);
	pthread_mutex_unlock(&u->lock);
}
