// SPDX-License-Identifier: GPL-2.0
/*
 * The devices' counters between vmctl run and vmctl stats
 * (device_stats.c): a VM on libvmctl's fake module with a virtio disk
 * serves them on its control socket in the runtime directory, a client
 * reads them back, the socket goes when the server stops, a stale
 * socket is "none" and is replaced; the lines parsed strictly; the text
 * and JSON that vmctl stats prints.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"
#include "device_stats.h"
#include "fake_module.h"
#include "output.h"
#include "vmctl.h"

static char dir[] = "/tmp/vmctl-test-rundir.XXXXXX";
static char img[] = "/tmp/vmctl-test-stats-img.XXXXXX";

static int group_setup(void **state)
{
	int fd;

	if (fake_device_setup(state) || !mkdtemp(dir))
		return -1;
	setenv("VMCTL_RUNTIME_DIR", dir, 1);
	fd = mkstemp(img);
	if (fd < 0 || ftruncate(fd, 1 << 20))
		return -1;
	close(fd);
	return 0;
}

static int group_teardown(void **state)
{
	unlink(img);
	rmdir(dir);
	return fake_device_teardown(state);
}

static const struct device_counter *find(const struct device_counters *dc,
					 const char *device, const char *queue,
					 const char *name)
{
	unsigned int i;

	for (i = 0; i < dc->n; i++)
		if (!strcmp(dc->c[i].device, device) &&
		    !strcmp(dc->c[i].queue, queue) &&
		    !strcmp(dc->c[i].name, name))
			return &dc->c[i];
	return NULL;
}

static void test_serve_and_fetch(void **state)
{
	static struct device_counters dc;
	struct vmctl_disk disk = { .path = img };
	struct control_vm cv = { .id = 7, .name = "stats" };
	struct control_server *s;
	struct vmctl *sys;
	struct vmctl_vm *vm;
	char path[108];

	(void)state;
	assert_int_equal(vmctl_open(&sys), 0);
	assert_int_equal(vmctl_vm_create(sys, "stats", &vm), 0);
	assert_int_equal(vmctl_vm_add_memory(vm, 0, 16 << 20, 0), 0);
	assert_int_equal(vmctl_disk_create(vm, &disk), 0);
	assert_int_equal(vmctl_rng_create(vm), 0);
	cv.vm = vm;
	/* Nobody serves VM 7 yet. */
	assert_int_equal(device_stats_fetch(7, &dc), -ENOENT);
	s = control_serve(&cv);
	assert_non_null(s);
	assert_int_equal(control_socket_path(7, path, sizeof(path)), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(device_stats_fetch(7, &dc), 0);
	/* 4 per queue and 3 for the device, for each of the two. */
	assert_int_equal(dc.n, 14);
	assert_non_null(find(&dc, "virtio-blk 00:01.0", "0", "requests"));
	assert_non_null(find(&dc, "virtio-blk 00:01.0", "0", "notifications"));
	assert_non_null(find(&dc, "virtio-blk 00:01.0", "", "broken"));
	assert_non_null(find(&dc, "virtio-rng 00:02.0", "0", "interrupts"));
	assert_int_equal(find(&dc, "virtio-rng 00:02.0", "0", "bytes")->value,
			 0);
	/* Asked again: answered again. */
	assert_int_equal(device_stats_fetch(7, &dc), 0);
	assert_int_equal(dc.n, 14);
	control_stop(s);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(device_stats_fetch(7, &dc), -ENOENT);

	/* A socket left by a killed vmctl run: none, then replaced. */
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)),
				 0);
		close(fd);
	}
	assert_int_equal(device_stats_fetch(7, &dc), -ENOENT);
	s = control_serve(&cv);
	assert_non_null(s);
	assert_int_equal(device_stats_fetch(7, &dc), 0);
	assert_int_equal(dc.n, 14);
	control_stop(s);
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
}

static void test_parse_line(void **state)
{
	struct device_counter c;

	(void)state;
	assert_true(device_stats_parse_line("virtio-net 00:03.0\trx\tbytes\t1234\n",
					    &c));
	assert_string_equal(c.device, "virtio-net 00:03.0");
	assert_string_equal(c.queue, "rx");
	assert_string_equal(c.name, "bytes");
	assert_int_equal(c.value, 1234);
	assert_true(device_stats_parse_line("d\t\tbroken\t18446744073709551615\n",
					    &c));
	assert_string_equal(c.queue, "");
	assert_int_equal(c.value, UINT64_MAX);
	/* Missing fields, an empty name, a bad number, too long a field. */
	assert_false(device_stats_parse_line("d\t0\tbytes\n", &c));
	assert_false(device_stats_parse_line("d\t0\t\t5\n", &c));
	assert_false(device_stats_parse_line("\t0\tx\t5\n", &c));
	assert_false(device_stats_parse_line("d\t0\tx\t5x\n", &c));
	assert_false(device_stats_parse_line("d\t0\tx\t-5\n", &c));
	assert_false(device_stats_parse_line("d\t0\tx\t99999999999999999999\n",
					     &c));
	assert_false(device_stats_parse_line(
		"a device name far longer than the field\t0\tx\t5\n", &c));
}

static void test_print(void **state)
{
	static struct device_counters dc = {
		.n = 2,
		.c = {
			{ "virtio-blk 00:01.0", "0", "requests", 7 },
			{ "virtio-blk 00:01.0", "", "broken", 0 },
		},
	};

	(void)state;
	device_stats_print_text(f, &dc);
	assert_string_equal(output(),
"\nDEVICE               QUEUE  COUNTER                         VALUE\n"
"virtio-blk 00:01.0   0      requests                            7\n"
"virtio-blk 00:01.0   -      broken                              0\n");
	close_out(NULL);
	open_out(NULL);
	device_stats_print_json(f, &dc);
	assert_string_equal(output(),
"{\"device\":\"virtio-blk 00:01.0\",\"queue\":\"0\",\"counter\":\"requests\",\"value\":7},"
"{\"device\":\"virtio-blk 00:01.0\",\"queue\":\"\",\"counter\":\"broken\",\"value\":0}");
	/* Nothing to say: nothing printed. */
	close_out(NULL);
	open_out(NULL);
	dc.n = 0;
	device_stats_print_text(f, &dc);
	assert_string_equal(output(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_and_fetch),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test_setup_teardown(test_print, open_out, close_out),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
