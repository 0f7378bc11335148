/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's serial console on this terminal: raw mode (restored on exit
 * and on signals), the Ctrl-A escapes, and the loop that waits for the VM
 * while feeding it keyboard input.
 */
#ifndef VMCTL_CLI_CONSOLE_H
#define VMCTL_CLI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct vmctl_vm;
struct vmctl_uart;

enum escape_action { ESC_NONE, ESC_QUIT, ESC_HELP };

struct escape {
	bool pending;		/* Ctrl-A seen, command key next */
};

/* Copy in to out without the escapes; out has room for n bytes. */
size_t escape_filter(struct escape *e, const uint8_t *in, size_t n,
		     uint8_t *out, enum escape_action *action);

struct console {
	bool raw;		/* stdin is a terminal we put in raw mode */
	struct termios saved;
	int to_guest[2];	/* raw mode: filtered keyboard input */
	struct escape esc;
};

/* Why console_loop() returned. */
enum console_end { CONSOLE_VM_DONE, CONSOLE_QUIT, CONSOLE_SIGNAL };

int console_open(struct console *c);
/* The fd the UART reads guest input from. */
int console_input_fd(const struct console *c);
/* Wait for the VM to end, or stop it on Ctrl-A x / a signal (*sig). */
enum console_end console_loop(struct console *c, struct vmctl_vm *vm,
			      struct vmctl_uart *uart, int *sig);
void console_close(struct console *c);

#endif /* VMCTL_CLI_CONSOLE_H */
