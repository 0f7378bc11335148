// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A 16550A UART: the registers Linux's 8250 driver and simple polled
 * drivers use.  Transmission is instant, so THR-empty and transmitter-empty
 * always read as set; received bytes come from an fd, read when the guest
 * looks (LSR, RBR, IIR) or when the owner calls vmctl_uart_poll().  A
 * device on the VM's list (device.h): with the in-kernel irqchip, COM
 * ports drive their ISA line and run the input pump (uart_input.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uart.h"

/* Register offsets (DLAB = LCR bit 7 swaps 0 and 1 for the divisor). */
enum { UART_RBR_THR, UART_IER, UART_IIR_FCR, UART_LCR, UART_MCR, UART_LSR,
	UART_MSR, UART_SCR };

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_MSI		0x08	/* modem status change */
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08	/* gates the interrupt line on a PC */
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DELTAS	0x0f
#define MSR_TERI	0x04
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

/* What the modem lines say: wired to MCR in loopback, "all ready" else. */
static uint8_t modem_status(uint8_t mcr)
{
	uint8_t s = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	if (mcr & MCR_RTS)
		s |= MSR_CTS;
	if (mcr & MCR_DTR)
		s |= MSR_DSR;
	if (mcr & MCR_OUT1)
		s |= MSR_RI;
	if (mcr & MCR_OUT2)
		s |= MSR_DCD;
	return s;
}

static void set_modem_status(struct vmctl_uart *u, uint8_t status)
{
	uint8_t old = u->msr & 0xf0, changed = old ^ status;
	uint8_t delta = 0;

	if (changed & MSR_CTS)
		delta |= 0x01;
	if (changed & MSR_DSR)
		delta |= 0x02;
	if ((old & MSR_RI) && !(status & MSR_RI))
		delta |= MSR_TERI;
	if (changed & MSR_DCD)
		delta |= 0x08;
	u->msr = status | (u->msr & MSR_DELTAS) | delta;
}

static uint8_t iir(const struct vmctl_uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return fifo | IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

static void update_irq(struct vmctl_uart *u)
{
	int level = !(iir(u) & IIR_NO_INT) && (u->mcr & MCR_OUT2);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->set_irq)
		u->set_irq(u->irq_opaque, level);
}

static void rx_push(struct vmctl_uart *u, uint8_t byte)
{
	if (u->rx_count == VMCTL_UART_RX_BUF)
		return;
	u->rbr_fifo[(u->rx_head + u->rx_count) % VMCTL_UART_RX_BUF] = byte;
	u->rx_count++;
}

static uint8_t rx_pop(struct vmctl_uart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rbr_fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VMCTL_UART_RX_BUF;
	u->rx_count--;
	pthread_cond_broadcast(&u->rx_room);
	return byte;
}

bool vmctl_uart_wants_input(const struct vmctl_uart *u)
{
	return u->in_fd >= 0 && u->rx_count < VMCTL_UART_RX_BUF &&
	       !(u->mcr & MCR_LOOP);
}

/* Take whatever input is ready, without blocking, as room allows. */
static void rx_fill(struct vmctl_uart *u)
{
	uint8_t buf[VMCTL_UART_RX_BUF];
	struct pollfd pfd = { .fd = u->in_fd, .events = POLLIN };
	size_t room = VMCTL_UART_RX_BUF - u->rx_count;
	ssize_t i, n;

	if (!vmctl_uart_wants_input(u))
		return;
	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
		return;
	n = read(u->in_fd, buf, room);
	if (n == 0)
		u->in_fd = -1;		/* end of input: stop looking */
	for (i = 0; i < n; i++)
		rx_push(u, buf[i]);
}

static void transmit(struct vmctl_uart *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP) {
		rx_push(u, byte);
	} else if (u->out_fd >= 0) {
		while (write(u->out_fd, &byte, 1) < 0 && errno == EINTR)
			;
	}
	/* The byte left at once: THR is empty again. */
	u->thre_pending = true;
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct vmctl_uart *u = opaque;
	uint8_t v = 0;

	(void)size;
	pthread_mutex_lock(&u->lock);
	if (offset == UART_LSR || offset == UART_RBR_THR ||
	    offset == UART_IIR_FCR)
		rx_fill(u);
	switch (offset) {
	case UART_RBR_THR:
		v = (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
		break;
	case UART_IER:
		v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case UART_IIR_FCR:
		v = iir(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			u->thre_pending = false;
		break;
	case UART_LCR:
		v = u->lcr;
		break;
	case UART_MCR:
		v = u->mcr;
		break;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
		break;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		break;
	case UART_SCR:
		v = u->scr;
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return v;
}

static void uart_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t value)
{
	struct vmctl_uart *u = opaque;
	uint8_t v = value & 0xff;

	(void)size;
	pthread_mutex_lock(&u->lock);
	switch (offset) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			u->thre_pending = false;
			transmit(u, v);
		}
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with THR empty raises the interrupt at once. */
		if (!(u->ier & IER_THRI) && (v & IER_THRI))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR_FCR:
		if (v & FCR_CLEAR_RX)
			u->rx_head = u->rx_count = 0;
		u->fcr = v & 0xc9;	/* enable, DMA mode, trigger level */
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		set_modem_status(u, modem_status(u->mcr));
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:		/* LSR and MSR are read-only */
		break;
	}
	update_irq(u);
	/* FIFO cleared or loopback left: the input pump may read again. */
	pthread_cond_broadcast(&u->rx_room);
	pthread_mutex_unlock(&u->lock);
}

const struct vmctl_io_ops vmctl_uart_ops = {
	.read = uart_read,
	.write = uart_write,
};

void vmctl_uart_init(struct vmctl_uart *u, int in_fd, int out_fd)
{
	*u = (struct vmctl_uart){ .in_fd = in_fd, .out_fd = out_fd,
				  .pump_wake = -1 };
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->rx_room, NULL);
	u->msr = modem_status(0);
}

void vmctl_uart_destroy(struct vmctl_uart *u)
{
	vmctl_uart_pump_stop(u);
	pthread_cond_destroy(&u->rx_room);
	pthread_mutex_destroy(&u->lock);
}

void vmctl_uart_rx_fill_locked(struct vmctl_uart *u)
{
	rx_fill(u);
	update_irq(u);
}

void vmctl_uart_poll(struct vmctl_uart *u)
{
	pthread_mutex_lock(&u->lock);
	vmctl_uart_rx_fill_locked(u);
	pthread_mutex_unlock(&u->lock);
}

/* The new sink learns the line's level at once if it is high. */
void vmctl_uart_set_irq(struct vmctl_uart *u,
			void (*set_irq)(void *opaque, int level), void *opaque)
{
	pthread_mutex_lock(&u->lock);
	u->set_irq = set_irq;
	u->irq_opaque = opaque;
	if (set_irq && u->irq_level)
		set_irq(opaque, 1);
	pthread_mutex_unlock(&u->lock);
}

static void uart_line(void *opaque, int level)
{
	struct vmctl_uart *u = opaque;
	int ret = vmctl_irq_set(&u->irq, level);

	/* Called under the UART's lock: irq_warned needs no other. */
	if (ret && !u->irq_warned) {
		u->irq_warned = true;
		vmctl_log("UART at 0x%x: VMCTL_IRQ_LINE pin %u: %s",
			  u->base, u->irq.pin, vmctl_strerror(ret));
	}
}

/* The PC's wiring: COM1 and COM3 on ISA IRQ 4, COM2 and COM4 on 3. */
static int isa_irq(uint16_t base)
{
	switch (base) {
	case 0x3f8:
	case 0x3e8:
		return 4;
	case 0x2f8:
	case 0x2e8:
		return 3;
	default:
		return -1;
	}
}

static void uart_connect_irqchip(struct vmctl_device *dev)
{
	struct vmctl_uart *u = container_of(dev, struct vmctl_uart, dev);
	int irq = isa_irq(u->base);

	if (irq < 0) {
		vmctl_log("UART at 0x%x is not at a COM port: no interrupt line",
			  u->base);
		return;
	}
	vmctl_irq_connect_isa(&u->irq, dev->vm, irq);
	vmctl_uart_set_irq(u, uart_line, u);
}

/* A UART on the irqchip takes input by itself while the VM runs. */
static int uart_start(struct vmctl_device *dev)
{
	struct vmctl_uart *u = container_of(dev, struct vmctl_uart, dev);

	if (u->irq.kind != VMCTL_IRQ_NONE && vmctl_uart_pump_start(u))
		vmctl_log("UART at 0x%x: %s; guest input arrives only when the guest polls",
			  u->base, vmctl_error_detail());
	return 0;
}

static void uart_stop(struct vmctl_device *dev)
{
	vmctl_uart_pump_stop(container_of(dev, struct vmctl_uart, dev));
}

static void uart_free(struct vmctl_device *dev)
{
	struct vmctl_uart *u = container_of(dev, struct vmctl_uart, dev);

	vmctl_uart_destroy(u);
	free(u);
}

/* The registers and the receive FIFO, as a snapshot holds them. */
struct uart_state {
	uint8_t fifo[VMCTL_UART_RX_BUF];
	uint32_t rx_head, rx_count;
	uint8_t ier, lcr, mcr, msr, scr, fcr, dll, dlm;
	uint8_t thre_pending, irq_level, pad[6];
};

static int uart_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	struct vmctl_uart *u = container_of(dev, struct vmctl_uart, dev);
	struct uart_state st = { 0 };

	pthread_mutex_lock(&u->lock);
	memcpy(st.fifo, u->rbr_fifo, sizeof(st.fifo));
	st.rx_head = u->rx_head;
	st.rx_count = u->rx_count;
	st.ier = u->ier;
	st.lcr = u->lcr;
	st.mcr = u->mcr;
	st.msr = u->msr;
	st.scr = u->scr;
	st.fcr = u->fcr;
	st.dll = u->dll;
	st.dlm = u->dlm;
	st.thre_pending = u->thre_pending;
	st.irq_level = u->irq_level;
	pthread_mutex_unlock(&u->lock);
	return vmctl_state_put(w, &st, sizeof(st));
}

static int uart_restore(struct vmctl_device *dev, struct vmctl_state_reader *r)
{
	struct vmctl_uart *u = container_of(dev, struct vmctl_uart, dev);
	struct uart_state st;
	int ret = vmctl_state_get(r, &st, sizeof(st));

	if (ret)
		return ret;
	if (st.rx_head >= VMCTL_UART_RX_BUF || st.rx_count > VMCTL_UART_RX_BUF ||
	    st.thre_pending > 1 || st.irq_level > 1)
		return vmctl_fail(-EPROTO, "UART state out of range");
	pthread_mutex_lock(&u->lock);
	memcpy(u->rbr_fifo, st.fifo, sizeof(st.fifo));
	u->rx_head = st.rx_head;
	u->rx_count = st.rx_count;
	u->ier = st.ier;
	u->lcr = st.lcr;
	u->mcr = st.mcr;
	u->msr = st.msr;
	u->scr = st.scr;
	u->fcr = st.fcr;
	u->dll = st.dll;
	u->dlm = st.dlm;
	u->thre_pending = st.thre_pending;
	/* The I/O APIC's saved lines hold this level: drive only a change. */
	u->irq_level = st.irq_level;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

static const struct vmctl_device_ops uart_device_ops = {
	.name = "uart",
	.start = uart_start,
	.stop = uart_stop,
	.destroy = uart_free,
	.connect_irqchip = uart_connect_irqchip,
	.save = uart_save,
	.restore = uart_restore,
};

int vmctl_uart_create(struct vmctl_vm *vm, uint16_t base, int in_fd,
		      int out_fd, struct vmctl_uart **out)
{
	struct vmctl_uart *u;
	int ret;

	u = malloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	vmctl_uart_init(u, in_fd, out_fd);
	u->base = base;
	ret = vmctl_vm_register_pio(vm, base, 8, &vmctl_uart_ops, u);
	if (ret) {
		vmctl_uart_destroy(u);
		free(u);
		return ret;
	}
	vmctl_device_add(vm, &u->dev, &uart_device_ops);
	if (out)
		*out = u;
	return 0;
}
