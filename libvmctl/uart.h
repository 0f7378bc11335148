/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The 16550A UART's insides, shared by its register logic (uart.c), its
 * input pump (uart_input.c) and the unit tests.  The rest of the library
 * sees the UART only as a device on the VM's list (device.h).
 */
#ifndef VMCTL_UART_H
#define VMCTL_UART_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

#define VMCTL_UART_RX_BUF	64

struct vmctl_uart {
	struct vmctl_device dev;
	pthread_mutex_t lock;
	int in_fd;
	int out_fd;
	uint8_t rbr_fifo[VMCTL_UART_RX_BUF];
	unsigned int rx_head, rx_count;
	uint8_t ier, lcr, mcr, msr, scr, fcr;
	uint8_t dll, dlm;
	bool thre_pending;	/* THR-empty interrupt not yet acknowledged */
	int irq_level;
	void (*set_irq)(void *opaque, int level);
	void *irq_opaque;
	uint16_t base;
	/* wired to the in-kernel irqchip: the input pump feeds the FIFO */
	struct vmctl_irq irq;
	bool irq_warned;
	pthread_cond_t rx_room;		/* signalled when the FIFO drains */
	pthread_t pump;
	bool pump_running;
	bool pump_stop;
	int pump_wake;			/* eventfd that ends the pump's poll */
};

extern const struct vmctl_io_ops vmctl_uart_ops;
void vmctl_uart_init(struct vmctl_uart *u, int in_fd, int out_fd);
void vmctl_uart_destroy(struct vmctl_uart *u);
/* Take input now and update the line; called with u->lock held. */
void vmctl_uart_rx_fill_locked(struct vmctl_uart *u);
/* Whether input would be taken now (room in the FIFO, no loopback). */
bool vmctl_uart_wants_input(const struct vmctl_uart *u);

/*
 * The input pump (uart_input.c): a thread per interrupt-driven UART that
 * waits for input and raises the line, so input reaches a guest whose
 * vCPUs all sleep in HLT inside the kernel.  The device's start and stop.
 */
int vmctl_uart_pump_start(struct vmctl_uart *u);
void vmctl_uart_pump_stop(struct vmctl_uart *u);

#endif /* VMCTL_UART_H */
