// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (control.c, control_routes.c, route_*.c) against a
 * running VM on libvmctl's fake module: Firecracker's GET /, PATCH /vm
 * (pause and resume, seen in GET /), GET /machine-config; errors as
 * Firecracker's fault_message with 400, 404, 405, 409; two requests on
 * one connection; a malformed request answered and the connection
 * closed; vm_control()'s exit status and message.  A migration whose
 * client asked for progress and went away is cancelled before the guest
 * is paused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"
#include "fake_module.h"
#include "migrate.h"
#include "capture.h"
#include "vmview.h"

static char dir[] = "/tmp/vmctl-test-control.XXXXXX";

struct rig {
	struct vmctl *sys;
	struct vmctl_vm *vm;
	struct run_opts opts;
	struct control_vm cv;
	struct control_server *s;
};

static int setup(void **state)
{
	static const struct step spin[] = { { S_BLOCK, 0, 0 } };
	static struct rig r;

	if (fake_device_setup(state) || !mkdtemp(dir))
		return -1;
	setenv("VMCTL_RUNTIME_DIR", dir, 1);
	scripts[0] = scripts[1] = spin;
	script_len[0] = script_len[1] = 1;
	nr_fake_vcpus = 0;
	r.opts = (struct run_opts){ .cpus = 2, .mem = 64 << 20 };
	if (vmctl_open(&r.sys) || vmctl_vm_create(r.sys, "ctl", &r.vm) ||
	    vmctl_vm_add_memory(r.vm, 0, 64 << 20, 0) < 0 ||
	    vmctl_vcpu_create(r.vm, 0, NULL) ||
	    vmctl_vcpu_create(r.vm, 1, NULL) || vmctl_vm_start(r.vm))
		return -1;
	r.cv = (struct control_vm){ .vm = r.vm, .id = 3, .name = "ctl",
				    .opts = &r.opts };
	r.s = control_serve(&r.cv);
	*state = &r;
	return r.s ? 0 : -1;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	control_stop(r->s);
	vmctl_vm_stop(r->vm);
	vmctl_vm_wait(r->vm, NULL);
	vmctl_vm_destroy(r->vm);
	vmctl_close(r->sys);
	rmdir(dir);
	return fake_device_teardown(state);
}

/* One request; the reply's body (static). */
static const char *call(const char *method, const char *path,
			const char *body, int want_status)
{
	static char *reply;
	size_t len;
	int status;

	free(reply);
	reply = NULL;
	assert_int_equal(control_call(3, method, path, body, 5, &status,
				      &reply, &len), 0);
	assert_int_equal(status, want_status);
	assert_int_equal(strlen(reply), len);
	return reply;
}

static void test_instance_and_pause(void **state)
{
	struct rig *r = *state;

	assert_string_equal(call("GET", "/", NULL, 200),
			    "{\"app_name\":\"vmctl\",\"id\":\"ctl\",\"state\":\"Running\",\"vmm_version\":\"" VMCTL_CLI_VERSION "\"}");
	assert_string_equal(call("PATCH", "/vm", "{\"state\": \"Paused\"}",
				 204), "");
	assert_int_equal(vmctl_vm_paused(r->vm), 1);
	assert_non_null(strstr(call("GET", "/", NULL, 200),
			       "\"state\":\"Paused\""));
	/* Paused again: fine. */
	call("PATCH", "/vm", "{\"state\": \"Paused\"}", 204);
	call("PATCH", "/vm", "{\"state\": \"Resumed\"}", 204);
	assert_int_equal(vmctl_vm_paused(r->vm), 0);
	assert_string_equal(call("GET", "/machine-config", NULL, 200),
			    "{\"vcpu_count\":2,\"mem_size_mib\":64,\"smt\":false,\"track_dirty_pages\":false}");
}

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(call("PATCH", "/vm", "{\"state\": \"Asleep\"}",
				 400),
			    "{\"fault_message\":\"PATCH /vm: \\\"state\\\" must be \\\"Paused\\\" or \\\"Resumed\\\"\"}");
	assert_string_equal(call("PATCH", "/vm", "{\"state\": \"Paused\", \"x\": 1}",
				 400),
			    "{\"fault_message\":\"PATCH /vm: unknown field \\\"x\\\"\"}");
	call("PATCH", "/vm", "{\"state\": ", 400);
	call("PATCH", "/vm", NULL, 400);
	call("GET", "/vm", NULL, 405);
	call("PUT", "/", NULL, 405);
	call("PUT", "/machine-config", "{}", 405);
	call("GET", "/vm/config", NULL, 404);
	assert_string_equal(call("GET", "/nope", NULL, 404),
			    "{\"fault_message\":\"no route /nope\"}");
	/* The counters route answers text. */
	assert_string_equal(call("GET", "/vmctl/device-counters", NULL, 200),
			    "");
}

/* Raw bytes to the socket; what comes back until it closes. */
static char *raw(const char *req)
{
	static char buf[4096];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t have = 0;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_int_equal(control_socket_path(3, sun.sun_path,
					     sizeof(sun.sun_path)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
			 0);
	assert_int_equal(write(fd, req, strlen(req)), strlen(req));
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += n;
	buf[have] = '\0';
	close(fd);
	return buf;
}

static void test_connection(void **state)
{
	const char *out;

	(void)state;
	/* Keep-alive: both answered, in order. */
	out = raw("GET /machine-config HTTP/1.1\r\n\r\n"
		  "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
		  "GET / HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(out, "vcpu_count"));
	assert_non_null(strstr(strstr(out, "vcpu_count"), "app_name"));
	/* Connection: close: the third is not answered. */
	assert_null(strstr(strstr(out, "app_name") + 1, "app_name"));
	out = raw("HELLO\r\n\r\n");
	assert_non_null(strstr(out, "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(out, "malformed HTTP request"));
	out = raw("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_non_null(strstr(out, "HTTP/1.1 501 "));
}

/*
 * A destination that says READY at once and reads the stream to its
 * END or its end: whether the VM's state came (the guest was paused).
 */
struct fake_dest {
	int listen_fd;
	bool state_came;
};

static void *fake_dest(void *arg)
{
	struct fake_dest *d = arg;
	struct snap_in in = { .size = UINT64_MAX, .read = mig_stream_read };
	struct mig_reply r = { .magic = MIG_REPLY_MAGIC, .kind = MIG_READY };
	uint64_t pos = sizeof(struct snap_header);
	struct snap_header h;
	struct snap_data sec;

	in.fd = accept(d->listen_fd, NULL, NULL);
	r.crc = vmctl_crc32(0, &r, sizeof(r));
	assert_int_equal(write(in.fd, &r, sizeof(r)), sizeof(r));
	if (!mig_stream_read(&in, &h, sizeof(h), 0))
		while (sec.data = NULL, !snap_read_section(&in, &sec, &pos)) {
			free(sec.data);
			d->state_came |= sec.h.type == SNAP_CLOCK;
			if (sec.h.type == SNAP_END)
				break;
		}
	close(in.fd);
	return NULL;
}

/* PUT /vmctl/migrate with progress to d; the client gone at once or not. */
static void migrate_to(struct fake_dest *d, bool gone)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char body[128], req[256];
	pthread_t t;

	d->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(d->listen_fd, (struct sockaddr *)&a, len), 0);
	assert_int_equal(listen(d->listen_fd, 1), 0);
	getsockname(d->listen_fd, (struct sockaddr *)&a, &len);
	snprintf(body, sizeof(body),
		 "{\"destination_url\": \"tcp:127.0.0.1:%u\", \"progress\": true}",
		 ntohs(a.sin_port));
	snprintf(req, sizeof(req),
		 "PUT /vmctl/migrate HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(body), body);
	assert_int_equal(pthread_create(&t, NULL, fake_dest, d), 0);
	if (gone) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		assert_int_equal(control_socket_path(3, sun.sun_path,
						     sizeof(sun.sun_path)), 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sun,
					 sizeof(sun)), 0);
		assert_int_equal(write(fd, req, strlen(req)), strlen(req));
		close(fd);
	} else {
		/* The first progress line, the failure (no DONE) last. */
		const char *out = raw(req);

		assert_non_null(strstr(out, "HTTP/1.1 102 Processing\r\n"
				       "Vmctl-Progress: migrate: first copy: "));
		assert_non_null(strstr(out, "HTTP/1.1 500 "));
	}
	pthread_join(t, NULL);
	close(d->listen_fd);
}

static void test_migrate_cancelled(void **state)
{
	struct rig *r = *state;
	struct fake_dest d = { 0 };

	fake_state = true;
	/* The client reads on: the guest paused for its state, which goes. */
	migrate_to(&d, false);
	assert_true(d.state_came);
	/* The client gone: given up at the next progress line, no pause. */
	d = (struct fake_dest){ 0 };
	migrate_to(&d, true);
	assert_false(d.state_came);
	fake_state = false;
	/* The server answers again: the migration is over, the VM runs. */
	assert_non_null(strstr(call("GET", "/", NULL, 200),
			       "\"state\":\"Running\""));
	assert_false(r->cv.migrated);
	assert_int_equal(vmctl_vm_paused(r->vm), 0);
}

static void test_vm_control_errors(void **state)
{
	(void)state;
	/* No VM by that name (the fake module has no netlink view). */
	capture(state);
	assert_int_equal(cmd_state(ARGC("pause", "nosuch"),
				   ARGV("pause", "nosuch")), EXIT_ERROR);
	assert_non_null(strstr(errors(), "vmctl pause: "));
	assert_int_equal(cmd_state(ARGC("resume", "nosuch"),
				   ARGV("resume", "nosuch")), EXIT_ERROR);
	assert_non_null(strstr(errors(), "vmctl resume: "));
	release(state);
}

static void test_target_parse(void **state)
{
	const char *t, *a;

	capture(state);
	assert_int_equal(target_parse("pause", ARGC("pause", "vm1"),
				      ARGV("pause", "vm1"), &t, NULL),
			 PARSE_OK);
	assert_string_equal(t, "vm1");
	assert_int_equal(target_parse("pause", ARGC("pause", "-h"),
				      ARGV("pause", "-h"), &t, NULL),
			 PARSE_HELP);
	assert_int_equal(target_parse("pause", ARGC("pause"), ARGV("pause"),
				      &t, NULL), PARSE_ERROR);
	assert_non_null(strstr(errors(), "which VM?"));
	assert_int_equal(target_parse("pause", ARGC("pause", "a", "b"),
				      ARGV("pause", "a", "b"), &t, NULL),
			 PARSE_ERROR);
	assert_non_null(strstr(errors(), "unexpected argument 'b'"));
	assert_int_equal(target_parse("snapshot", ARGC("snapshot", "a"),
				      ARGV("snapshot", "a"), &t, &a),
			 PARSE_ERROR);
	assert_non_null(strstr(errors(), "which file?"));
	assert_int_equal(target_parse("pause", ARGC("pause", "-x"),
				      ARGV("pause", "-x"), &t, NULL),
			 PARSE_ERROR);
	assert_int_equal(target_parse("snapshot", ARGC("snapshot", "a", "f"),
				      ARGV("snapshot", "a", "f"), &t, &a),
			 PARSE_OK);
	assert_string_equal(a, "f");
	release(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instance_and_pause),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_connection),
		cmocka_unit_test(test_migrate_cancelled),
		cmocka_unit_test(test_vm_control_errors),
		cmocka_unit_test(test_target_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
