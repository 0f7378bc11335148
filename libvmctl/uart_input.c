// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The UART's input pump.  A guest driving its serial port by interrupts
 * only looks at the UART after the line rises, and with the in-kernel
 * irqchip its vCPUs sleep in HLT inside the module, never exiting to us:
 * someone has to notice input on in_fd, take it into the receive FIFO and
 * raise the line.  That is this thread.  It holds the UART's lock while
 * touching the FIFO (the vCPU threads do the same through the port
 * handlers), never while waiting: it sleeps in poll() on in_fd, or on a
 * condition variable while the FIFO is full or in loopback.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "uart.h"

static void *pump(void *arg)
{
	struct vmctl_uart *u = arg;
	struct pollfd pfd[2];
	sigset_t all;

	/* Signals are the application's business, as in vCPU threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);

	pthread_mutex_lock(&u->lock);
	while (!u->pump_stop && u->in_fd >= 0) {
		if (!vmctl_uart_wants_input(u)) {
			pthread_cond_wait(&u->rx_room, &u->lock);
			continue;
		}
		pfd[0] = (struct pollfd){ .fd = u->in_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = u->pump_wake, .events = POLLIN };
		pthread_mutex_unlock(&u->lock);
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			vmctl_log("UART at 0x%x: input: %s", u->base,
				  vmctl_strerror(-errno));
			return NULL;
		}
		pthread_mutex_lock(&u->lock);
		if (pfd[0].revents & (POLLERR | POLLNVAL))
			break;
		vmctl_uart_rx_fill_locked(u);
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

int vmctl_uart_pump_start(struct vmctl_uart *u)
{
	int ret;

	if (u->pump_running || u->in_fd < 0)
		return 0;
	u->pump_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->pump_wake < 0)
		return vmctl_fail(-errno, "eventfd for the UART input thread");
	u->pump_stop = false;
	ret = -pthread_create(&u->pump, NULL, pump, u);
	if (ret) {
		close(u->pump_wake);
		u->pump_wake = -1;
		return vmctl_fail(ret, "starting the UART input thread");
	}
	u->pump_running = true;
	return 0;
}

void vmctl_uart_pump_stop(struct vmctl_uart *u)
{
	uint64_t one = 1;

	if (!u->pump_running)
		return;
	pthread_mutex_lock(&u->lock);
	u->pump_stop = true;
	pthread_cond_broadcast(&u->rx_room);
	pthread_mutex_unlock(&u->lock);
	if (write(u->pump_wake, &one, sizeof(one)) < 0)
		vmctl_log("waking the UART input thread: %s",
			  vmctl_strerror(-errno));
	pthread_join(u->pump, NULL);
	close(u->pump_wake);
	u->pump_wake = -1;
	u->pump_running = false;
}
