// SPDX-License-Identifier: LGPL-2.1-or-later
/* Error text, opening the device when it is missing or wrong, end lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"

static void test_strerror(void **state)
{
	int e;

	(void)state;
	assert_string_equal(vmctl_strerror(-VMCTL_E_NO_MODULE),
			    "the vmctl module is not loaded: sudo insmod kmod/vmctl.ko");
	assert_string_equal(vmctl_strerror(VMCTL_E_NO_MODULE),
			    vmctl_strerror(-VMCTL_E_NO_MODULE));
	assert_non_null(strstr(vmctl_strerror(-VMCTL_E_DEVICE_ACCESS),
			       "permission"));
	assert_string_equal(vmctl_strerror(-ENOENT), strerror(ENOENT));
	assert_string_equal(vmctl_strerror(0), "success");
	/* Every library code has its own text. */
	for (e = VMCTL_E_BASE + 1; e < VMCTL_E_END; e++) {
		assert_non_null(vmctl_strerror(-e));
		assert_null(strstr(vmctl_strerror(-e), "Unknown error"));
	}
	assert_non_null(vmctl_strerror(-VMCTL_E_END));
}

static void test_open_missing_device(void **state)
{
	struct vmctl *sys = NULL;

	(void)state;
	setenv("VMCTL_DEVICE", "/nonexistent/vmctl", 1);
	assert_int_equal(vmctl_open(&sys), -VMCTL_E_NO_MODULE);
	assert_null(sys);
	assert_non_null(strstr(vmctl_error_detail(), "/nonexistent/vmctl"));
	unsetenv("VMCTL_DEVICE");
}

static void test_open_not_a_vmctl_device(void **state)
{
	struct vmctl *sys = NULL;

	(void)state;
	/* /dev/null opens but knows no vmctl ioctl. */
	setenv("VMCTL_DEVICE", "/dev/null", 1);
	assert_int_equal(vmctl_open(&sys), -ENOTTY);
	assert_non_null(strstr(vmctl_error_detail(), "VMCTL_GET_API_VERSION"));
	unsetenv("VMCTL_DEVICE");
}

static void test_open_no_permission(void **state)
{
	char path[] = "/tmp/test_errors_XXXXXX";
	int fd, status;
	pid_t pid;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	chmod(path, 0);
	/* In a child without root's override of file permissions. */
	pid = fork();
	if (pid == 0) {
		struct vmctl *sys;

		if (geteuid() == 0 && setuid(65534) < 0)
			_exit(2);
		setenv("VMCTL_DEVICE", path, 1);
		_exit(vmctl_open(&sys) == -VMCTL_E_DEVICE_ACCESS ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_end_lines(void **state)
{
	struct vmctl_vm_end e = { .vcpu = 0, .rip = 0x7c42 };
	char buf[256];

	(void)state;
	e.reason = VMCTL_END_POWEROFF;
	assert_string_equal(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			    "guest powered off (hypercall from vCPU 0)");
	e.reason = VMCTL_END_SHUTDOWN;
	assert_non_null(strstr(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			       "triple fault on vCPU 0 at rip 0x7c42"));
	e.reason = VMCTL_END_FAIL_ENTRY;
	e.hw_reason = 0x80000021;
	assert_non_null(strstr(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			       "0x80000021 (invalid guest state)"));
	e.reason = VMCTL_END_INTERNAL;
	e.suberror = VMCTL_INTERNAL_UNHANDLED_EXIT;
	e.data0 = 10;
	assert_non_null(strstr(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			       "unhandled VM exit (suberror 3, data 0xa)"));
	e.suberror = 99;
	assert_non_null(strstr(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			       "unknown internal error"));
	e.reason = VMCTL_END_ERROR;
	e.err = -EFAULT;
	strcpy(e.detail, "VMCTL_RUN on vCPU 0");
	assert_non_null(strstr(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			       "Bad address: VMCTL_RUN on vCPU 0"));
	e.reason = VMCTL_END_HALT;
	assert_non_null(strstr(vmctl_vm_end_describe(&e, buf, sizeof(buf)),
			       "interrupts disabled"));
	/* A short buffer truncates, never overflows. */
	assert_int_equal(strlen(vmctl_vm_end_describe(&e, buf, 8)), 7);
}

static const char *logged;

static void capture_log(void *opaque, const char *msg)
{
	(void)opaque;
	logged = strdup(msg);
}

static void test_log_hook(void **state)
{
	(void)state;
	vmctl_set_log(capture_log, NULL);
	vmctl_log("port 0x%x", 0x80);
	assert_string_equal(logged, "port 0x80");
	free((void *)logged);
	vmctl_set_log(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_open_missing_device),
		cmocka_unit_test(test_open_not_a_vmctl_device),
		cmocka_unit_test(test_open_no_permission),
		cmocka_unit_test(test_end_lines),
		cmocka_unit_test(test_log_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
