// SPDX-License-Identifier: GPL-2.0
/*
 * `vmctl run` on a terminal, end to end on the host: the real vmctl binary
 * runs on a pseudo-terminal with the fake module preloaded
 * (libvmctl/tests/fake_module.so), so raw mode, Ctrl-A x, signals, exit
 * statuses and the closing line are checked without VT-x.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tmp_file.h"

static char vmctl_path[PATH_MAX], preload[PATH_MAX], guest[PATH_MAX];
static char dev_path[] = "/tmp/test_console_dev_XXXXXX";

struct child {
	pid_t pid;
	int master;
	char out[4096];
	size_t len;
};

/* Find vmctl and the fake module next to this test binary. */
static int setup(void **state)
{
	char self[PATH_MAX - 64];	/* room for the suffixes below */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)state;
	if (n < 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';		/* .../cli/tests */
	snprintf(vmctl_path, sizeof(vmctl_path), "%s/../vmctl", self);
	snprintf(preload, sizeof(preload),
		 "%s/../../libvmctl/tests/fake_module.so", self);
	snprintf(guest, sizeof(guest), "%s/../guests/hello.bin", self);
	return tmp_file_make(dev_path);
}

static int teardown(void **state)
{
	(void)state;
	unlink(dev_path);
	return 0;
}

static void start(struct child *c, const char *script, const char *console)
{
	memset(c, 0, sizeof(*c));
	c->pid = forkpty(&c->master, NULL, NULL, NULL);
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		setenv("LD_PRELOAD", preload, 1);
		setenv("VMCTL_DEVICE", dev_path, 1);
		setenv("FAKE_VMCTL_SCRIPT", script, 1);
		if (console)
			execl(vmctl_path, "vmctl", "run", "--name", "tty",
			      "--image", guest, "--console", console, NULL);
		else
			execl(vmctl_path, "vmctl", "run", "--name", "tty",
			      "--image", guest, NULL);
		_exit(127);
	}
}

/* Collect output until it holds want (or until EOF/5 s for NULL). */
static bool expect(struct child *c, const char *want)
{
	struct pollfd pfd = { .fd = c->master, .events = POLLIN };
	time_t deadline = time(NULL) + 5;
	ssize_t n;

	while (time(NULL) < deadline) {
		c->out[c->len] = '\0';
		if (want && strstr(c->out, want))
			return true;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(c->master, c->out + c->len, sizeof(c->out) - 1 - c->len);
		if (n <= 0)
			return !want;	/* EIO: the child closed the terminal */
		c->len += n;
	}
	return false;
}

static int finish(struct child *c)
{
	int status;

	expect(c, NULL);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	close(c->master);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static bool terminal_raw(int fd)
{
	struct termios t;

	assert_int_equal(tcgetattr(fd, &t), 0);
	return !(t.c_lflag & (ICANON | ECHO | ISIG));
}

static void test_ctrl_a_x_quits(void **state)
{
	struct child c;

	(void)state;
	start(&c, "spin", NULL);
	assert_true(expect(&c, "hi"));
	assert_true(terminal_raw(c.master));
	assert_int_equal(write(c.master, "\x01x", 2), 2);
	assert_int_equal(finish(&c), 6);
	assert_non_null(strstr(c.out, "vmctl run: tty: stopped by Ctrl-A x"));
}

static void test_ctrl_a_h_helps(void **state)
{
	struct child c;

	(void)state;
	start(&c, "spin", NULL);
	assert_true(expect(&c, "hi"));
	assert_int_equal(write(c.master, "\x01h", 2), 2);
	assert_true(expect(&c, "C-a x    quit"));
	assert_int_equal(write(c.master, "\x01X", 2), 2);
	assert_int_equal(finish(&c), 6);
}

static void test_signal_stops_and_restores(void **state)
{
	struct child c;

	(void)state;
	start(&c, "spin", NULL);
	assert_true(expect(&c, "hi"));
	assert_true(terminal_raw(c.master));
	kill(c.pid, SIGTERM);
	assert_true(expect(&c, "stopped by SIGTERM"));
	/* The terminal is back to cooked mode before vmctl exits. */
	assert_false(terminal_raw(c.master));
	assert_int_equal(finish(&c), 6);
}

static void test_poweroff_exit_status(void **state)
{
	struct child c;

	(void)state;
	start(&c, "poweroff", NULL);
	assert_int_equal(finish(&c), 0);
	assert_non_null(strstr(c.out, "hi"));
	assert_non_null(strstr(c.out, "vmctl run: tty: guest powered off"));
}

static void test_shutdown_exit_status(void **state)
{
	struct child c;

	(void)state;
	start(&c, "shutdown", NULL);
	assert_int_equal(finish(&c), 3);
	assert_non_null(strstr(c.out, "triple fault"));
}

static void test_console_file(void **state)
{
	char log[] = "/tmp/test_console_log_XXXXXX";
	char buf[64] = "";
	struct child c;
	int fd = mkstemp(log);

	(void)state;
	close(fd);
	start(&c, "poweroff", log);
	assert_int_equal(finish(&c), 0);
	assert_null(strstr(c.out, "hi\r"));
	assert_null(strstr(c.out, "hivmctl"));
	fd = open(log, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 2);
	assert_string_equal(buf, "hi");
	close(fd);
	unlink(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctrl_a_x_quits),
		cmocka_unit_test(test_ctrl_a_h_helps),
		cmocka_unit_test(test_signal_stops_and_restores),
		cmocka_unit_test(test_poweroff_exit_status),
		cmocka_unit_test(test_shutdown_exit_status),
		cmocka_unit_test(test_console_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
