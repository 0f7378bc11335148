// SPDX-License-Identifier: GPL-2.0
/*
 * The console loop.  vCPU threads block signals, so SIGINT/SIGTERM/SIGHUP
 * land here; their handler only writes to a self-pipe, and the loop turns
 * them into a clean stop that restores the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vmctl/libvmctl.h>

#include "console.h"
#include "vmctl.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
static int signal_pipe[2] = { -1, -1 };
static bool log_raw;
static struct termios saved_termios;	/* for the fatal-signal handler */

static void on_signal(int sig)
{
	unsigned char s = sig;
	int saved = errno;

	if (write(signal_pipe[1], &s, 1) < 0)
		errno = saved;
	errno = saved;
}

/* Even a crash must not leave the terminal raw (tcsetattr is signal safe). */
static void on_fatal_signal(int sig)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	raise(sig);		/* SA_RESETHAND: now with the default action */
}

/* Library warnings: a raw terminal needs \r to start a new line. */
static void log_line(void *opaque, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "vmctl: %s%s", msg, log_raw ? "\r\n" : "\n");
}

static int set_raw(struct console *c)
{
	struct termios t;

	struct sigaction sa = { .sa_handler = on_fatal_signal,
				.sa_flags = SA_RESETHAND };
	size_t i;

	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return -errno;
	saved_termios = c->saved;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) < 0)
		return -errno;
	c->raw = true;
	log_raw = true;
	return 0;
}

int console_open(struct console *c)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	c->to_guest[0] = c->to_guest[1] = -1;
	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &sa, NULL);
	vmctl_set_log(log_line, NULL);

	if (!isatty(STDIN_FILENO))
		return 0;
	if (pipe2(c->to_guest, O_CLOEXEC) < 0)
		return -errno;
	/* A guest that never reads must not block the keyboard loop. */
	fcntl(c->to_guest[1], F_SETFL, O_NONBLOCK);
	ret = set_raw(c);
	return ret;
}

int console_input_fd(const struct console *c)
{
	return c->raw ? c->to_guest[0] : STDIN_FILENO;
}

static void print_help(void)
{
	fprintf(stderr, "\r\nC-a x    quit\r\nC-a C-a  send C-a\r\n"
			"C-a h    this help\r\n");
}

/* Keyboard input to the guest; true when the user asked to quit. */
static bool forward_input(struct console *c, struct vmctl_uart *uart,
			  bool *eof)
{
	uint8_t in[256], out[256];
	enum escape_action action;
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));
	size_t len;

	if (n <= 0) {
		*eof = n == 0 || (errno != EINTR && errno != EAGAIN);
		return false;
	}
	len = escape_filter(&c->esc, in, n, out, &action);
	if (len && write(c->to_guest[1], out, len) < 0 && errno != EAGAIN)
		*eof = true;
	vmctl_uart_poll(uart);
	if (action == ESC_HELP)
		print_help();
	return action == ESC_QUIT;
}

enum console_end console_loop(struct console *c, struct vmctl_vm *vm,
			      struct vmctl_uart *uart, int *sig)
{
	struct pollfd fds[3] = {
		{ .fd = vmctl_vm_done_fd(vm), .events = POLLIN },
		{ .fd = signal_pipe[0], .events = POLLIN },
		{ .fd = c->raw ? STDIN_FILENO : -1, .events = POLLIN },
	};
	enum console_end why = CONSOLE_VM_DONE;
	unsigned char s;
	bool eof = false;

	for (;;) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			return why;
		if (fds[1].revents && read(signal_pipe[0], &s, 1) == 1 &&
		    why == CONSOLE_VM_DONE) {
			*sig = s;
			why = CONSOLE_SIGNAL;
			vmctl_vm_stop(vm);
		}
		if (fds[2].revents && forward_input(c, uart, &eof) &&
		    why == CONSOLE_VM_DONE) {
			why = CONSOLE_QUIT;
			vmctl_vm_stop(vm);
		}
		if (eof)
			fds[2].fd = -1;	/* terminal gone: stop reading it */
	}
	vmctl_vm_stop(vm);
	return why;
}

void console_close(struct console *c)
{
	size_t i;

	if (c->raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &c->saved);
		for (i = 0; i < ARRAY_SIZE(fatal_signals); i++)
			signal(fatal_signals[i], SIG_DFL);
	}
	c->raw = false;
	log_raw = false;
	for (i = 0; i < 2; i++) {
		if (c->to_guest[i] >= 0)
			close(c->to_guest[i]);
		c->to_guest[i] = -1;
	}
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		signal(stop_signals[i], SIG_DFL);
	vmctl_set_log(NULL, NULL);
	for (i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}
