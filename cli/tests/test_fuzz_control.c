// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing the control socket's reading of requests (libvmctl's
 * tests/fuzz_host.h for the knobs and the replay line): HTTP requests
 * built from the routes' valid ones (methods, paths, versions, header
 * fields, Content-Length, JSON bodies with each route's fields and
 * values of every type and size), then damaged byte by byte, several in
 * a row as a client may send them, parsed as the server does
 * (http_parse_request() along the buffer) and each one that parses
 * handed to the routes (control_dispatch()) of a running VM on the
 * fake module with a balloon.  A request must be refused with one of
 * the errors http.h documents, or answered with a status the routes
 * use and, for JSON, a well-formed body.  The same requests go to the
 * server itself (control_serve()) over its socket, which must answer
 * with whole responses and close.  And http_parse_response(), the
 * client's side, must keep within what it is given, and so must
 * run_config_parse() with the run options a snapshot or stream carries.  Built with
 * AddressSanitizer and UBSan: an access outside the request's exact
 * buffer, a leak or undefined behaviour fails the run.
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
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"
#include "fake_module.h"
#include "fuzz_host.h"
#include "json_in.h"
#include "run_config.h"
#include "vmctl.h"

#define SEED		1
#define RUNS		3000	/* make check's bounded runs */
#define SOCKET_RUNS	300
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static char dir[] = "/tmp/vmctl-fuzz-control.XXXXXX";
static char snap_ok[64];	/* a snapshot path inside dir */
static const char *self;
static struct vmctl *sys;
static struct vmctl_vm *vm;
static struct run_opts opts = { .cpus = 2, .mem = 64 << 20 };
static struct control_vm cv = { .id = 7, .name = "fuzz", .opts = &opts };

/* In each list, the first CLEAN_* are what a well-behaved client sends. */
#define CLEAN_METHODS	4
#define CLEAN_VERSIONS	2
#define CLEAN_FIELDS	5
static const char *const methods[] = {
	"GET", "PUT", "PATCH", "DELETE", "POST", "", "GETGETGET", "get",
};
static const char *const paths[] = {
	"/", "/vm", "/machine-config", "/balloon", "/balloon/statistics",
	"/snapshot/create", "/snapshot/load", "/vmctl/device-counters",
	"/vmctl/migrate", "/vm/config", "/nope", "//", "/balloon/", "/vmctl",
	"/vm?state=Paused", "/snapshotx", "x", "/%00",
};
static const char *const versions[] = {
	"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "HTTP/", "H",
	"HTTP/1.10", "", "http/1.1",
};
static const char *const fields[] = {
	"Host: localhost", "Content-Type: application/json",
	"Connection: close", "Connection: keep-alive", "Accept: */*",
	"Transfer-Encoding: chunked", " folded", "NoColon", "Content-Length:",
	"Content-Length: -1", "Content-Length: +5", "Content-Length: 0x10",
	"Content-Length: 99999999999999999999", "Content-Length: 65537",
	"content-length: 2", "X: \x01\xff",
};
/* Each route's fields in a row (paths[i] starts at keys[key_at[i]]). */
static const char *const keys[] = {
	"state", "amount_mib", "snapshot_path", "snapshot_type",
	"mem_file_path", "version", "destination_url", "max_rounds",
	"max_final_pages", "max_downtime_ms", "timeout_s", "auto_converge",
	"progress", "x", "",
};
#define SNAPSHOT_CREATE	5	/* paths[] */
#define MIGRATE		8
static const unsigned int key_at[][2] = {	/* first, count */
	[1] = { 0, 1 }, [3] = { 1, 1 }, [5] = { 2, 4 }, [8] = { 6, 7 },
};
static const char *const values[] = {
	"\"Paused\"", "\"Resumed\"", "\"Full\"", "\"Diff\"", "0", "1", "-1",
	"64", "4096", "18446744073709551615", "9223372036854775807",
	"9223372036854775808", "17592186044415", "17592186044416", "1e3",
	"1.5", "true", "false", "null", "[]", "{}", "[1,2", "\"\\u0000\"",
	"\"\\ud800\"", "\"\xff\"", "\"tcp:127.0.0.1:1\"", "\"127.0.0.1:1\"",
	"\"\"", "\"a\\\"b\"", "SNAP", "LONG", "HUGE",
};

/* A JSON value from values[], SNAP and the long ones made here. */
static void put_value(struct fuzz_host *f, FILE *o)
{
	const char *v = values[fz_below(f, ARRAY_LEN(values))];
	size_t n, i;

	if (strcmp(v, "SNAP") && strcmp(v, "LONG") && strcmp(v, "HUGE")) {
		fputs(v, o);
		return;
	}
	if (!strcmp(v, "SNAP")) {
		fprintf(o, "\"%s\"", snap_ok);
		return;
	}
	n = v[0] == 'L' ? 250 + fz_below(f, 60) : 4000 + fz_below(f, 5000);
	fputc('"', o);
	for (i = 0; i < n; i++)
		fputc('a' + i % 26, o);
	fputc('"', o);
}

/*
 * An object of the fields of route (an index into paths[]) or any, or
 * not quite one.
 */
static void put_body(struct fuzz_host *f, FILE *o, unsigned int route)
{
	unsigned int n = fz_chance(f, 5) ? 40 : fz_below(f, 4), i, k;
	unsigned int first = 0, count = ARRAY_LEN(keys);

	if (fz_chance(f, 5)) {		/* not an object */
		put_value(f, o);
		return;
	}
	if (route < ARRAY_LEN(key_at) && key_at[route][1] &&
	    fz_chance(f, 80)) {
		first = key_at[route][0];
		count = key_at[route][1];
	}
	fputc('{', o);
	for (i = 0; i < n; i++) {
		k = first + fz_below(f, count);
		fprintf(o, "%s\"%s\":", i ? "," : "", keys[k]);
		put_value(f, o);
	}
	if (!fz_chance(f, 5))
		fputc('}', o);
}

/* One of the first clean entries of list (n in all), or any. */
#define PICK(f, clean, list, n_clean) \
	((list)[fz_below(f, (clean) ? (n_clean) : ARRAY_LEN(list))])

/* One request: half of them as a well-behaved client sends them. */
static void put_request(struct fuzz_host *f, FILE *o, bool quiet)
{
	unsigned int route = fz_below(f, ARRAY_LEN(paths));
	bool clean = fz_chance(f, 50);
	char *body = NULL;
	size_t body_len = 0, i, n;
	FILE *b = open_memstream(&body, &body_len);

	assert_non_null(b);
	/* quiet: no route that writes a file or connects anywhere. */
	if (quiet && (route == SNAPSHOT_CREATE || route == MIGRATE))
		route = 0;
	if (fz_chance(f, 70))
		put_body(f, b, route);
	fclose(b);
	fprintf(o, "%s%s ", fz_chance(f, 5) ? "\r\n" : "",
		PICK(f, clean, methods, CLEAN_METHODS));
	if (!clean && fz_chance(f, 5))	/* a path over the limit */
		for (i = 0; i < 300; i++)
			fputc('/', o);
	fprintf(o, "%s %s\r\n", paths[route],
		PICK(f, clean, versions, CLEAN_VERSIONS));
	for (n = fz_below(f, 4); n; n--)
		fprintf(o, "%s\r\n", PICK(f, clean, fields, CLEAN_FIELDS));
	if (body_len || fz_chance(f, 10))
		fprintf(o, "Content-Length: %zu\r\n",
			clean || fz_chance(f, 80) ? body_len :
			(size_t)fz_interesting(f) % 100000);
	fprintf(o, "\r\n");
	fwrite(body, 1, body_len, o);
	free(body);
}

/* Bytes damaged: flipped, set to a delimiter, cut, dropped, repeated. */
static void damage(struct fuzz_host *f, char **buf, size_t *len)
{
	static const char delims[] = " :\r\n/?\t0{}\"\\";
	size_t at = *len ? fz_below(f, *len) : 0, n;

	if (!*len)
		return;
	switch (fz_below(f, 5)) {
	case 0:
		(*buf)[at] ^= 1U << fz_below(f, 8);
		break;
	case 1:
		(*buf)[at] = fz_chance(f, 80) ?
			     delims[fz_below(f, sizeof(delims))] : 0;
		break;
	case 2:
		*len = at;
		break;
	case 3:
		n = fz_below(f, *len - at + 1);
		memmove(*buf + at, *buf + at + n, *len - at - n);
		*len -= n;
		break;
	default:
		n = fz_below(f, *len - at + 1);
		*buf = realloc(*buf, *len + n);
		assert_non_null(*buf);
		memmove(*buf + at + n, *buf + at, *len - at);
		*len += n;
		break;
	}
}

/*
 * text (freed) in a buffer of exactly len bytes: a read past them is
 * AddressSanitizer's to see.
 */
static char *exact(char *text, size_t len)
{
	char *buf = malloc(len ? len : 1);

	assert_non_null(buf);
	memcpy(buf, text, len);
	free(text);
	return buf;
}

static bool one_of(long v, const long *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v == set[i])
			return true;
	return false;
}

/*
 * Whether req may reach its route here: a snapshot written only inside
 * dir, a migration only to a port where nobody listens (no name looked
 * up, nothing sent anywhere).
 */
static bool harmless(const struct http_request *req)
{
	char s[512];

	if (!strncmp(req->path, "/snapshot", 9))
		return json_get_string(req->body, req->body_len,
				       "snapshot_path", s, sizeof(s)) ||
		       !strncmp(s, dir, strlen(dir));
	if (!strncmp(req->path, "/vmctl/migrate", 14))
		return json_get_string(req->body, req->body_len,
				       "destination_url", s, sizeof(s)) ||
		       !strcmp(s, "tcp:127.0.0.1:1") ||
		       !strcmp(s, "127.0.0.1:1");
	return true;
}

/* The routes' answer to req: a status they use, JSON that parses. */
static void answer(struct fuzz_host *f, const struct http_request *req,
		   unsigned long *statuses)
{
	static const long ok[] = { 200, 204, 400, 404, 405, 409, 500, 502 };
	struct control_reply reply = { .content_type = "application/json" };
	char *body = NULL, why[128];
	size_t len = 0;
	int status;

	reply.body = open_memstream(&body, &len);
	assert_non_null(reply.body);
	status = control_dispatch(&cv, req, &reply);
	fclose(reply.body);
	if (!one_of(status, ok, ARRAY_LEN(ok)))
		fuzz_host_fail(f, "%s %s: status %d", req->method, req->path,
			       status);
	else
		statuses[status / 100]++;
	if (len && !strcmp(reply.content_type, "application/json")) {
		if (json_check_object(body, len, NULL, why, sizeof(why)))
			fuzz_host_fail(f, "%s %s: %d with a body that is not a JSON object (%s): %.*s",
				       req->method, req->path, status, why,
				       (int)len, body);
	}
	free(body);
}

/* Requests along buf as the server takes them; buf is exactly len bytes. */
static void serve(struct fuzz_host *f, const char *buf, size_t len,
		  unsigned long *statuses, unsigned long *refused,
		  unsigned long *skipped)
{
	static const long errs[] = { -EINVAL, -E2BIG, -EOPNOTSUPP };
	struct http_request req;
	size_t at = 0;
	long used;

	while (at < len) {
		used = http_parse_request(buf + at, len - at, &req);
		if (used <= 0) {
			if (used && !one_of(used, errs, ARRAY_LEN(errs)))
				fuzz_host_fail(f, "http_parse_request: %ld",
					       used);
			*refused += used < 0;
			return;
		}
		if ((size_t)used > len - at ||
		    strnlen(req.method, sizeof(req.method)) ==
		    sizeof(req.method) ||
		    strnlen(req.path, sizeof(req.path)) == sizeof(req.path) ||
		    (req.body_len && (req.body < buf + at ||
				      req.body + req.body_len > buf + at + used))) {
			fuzz_host_fail(f, "http_parse_request: %ld bytes of %zu, a request out of bounds",
				       used, len - at);
			return;
		}
		if (harmless(&req))
			answer(f, &req, statuses);
		else
			(*skipped)++;
		at += used;
	}
}

/* Requests as a client may send them in one go, maybe damaged. */
static char *requests(struct fuzz_host *f, size_t *len, bool quiet)
{
	char *text = NULL;
	FILE *o = open_memstream(&text, len);
	unsigned int n;

	assert_non_null(o);
	for (n = 1 + (fz_chance(f, 20) ? fz_below(f, 3) : 0); n; n--)
		put_request(f, o, quiet);
	fclose(o);
	for (n = fz_chance(f, 30) ? 1 + fz_below(f, 4) : 0; n; n--)
		damage(f, &text, len);
	return exact(text, *len);
}

static void test_requests(void **state)
{
	unsigned long statuses[6] = { 0 }, refused = 0, skipped = 0;
	struct fuzz_host f;
	size_t len;
	char *buf;

	(void)state;
	fuzz_host_init(&f, self, SEED, RUNS);
	while (fuzz_host_next(&f)) {
		buf = requests(&f, &len, false);
		serve(&f, buf, len, statuses, &refused, &skipped);
		free(buf);
	}
	fuzz_host_done(&f);
	printf("# answered 2xx %lu, 4xx %lu, 5xx %lu; refused by the parser %lu; not sent to their route %lu\n",
	       statuses[2], statuses[4], statuses[5], refused, skipped);
	assert_int_equal(f.failures, 0);
}

/* A response as the server writes it, damaged. */
static char *response(struct fuzz_host *f, size_t *len)
{
	static const int status[] = { 200, 204, 400, 404, 500 };
	char *text = NULL;
	FILE *o = open_memstream(&text, len);

	assert_non_null(o);
	http_write_response(o, status[fz_below(f, ARRAY_LEN(status))],
			    "application/json", "{\"a\":1}", fz_below(f, 8));
	fclose(o);
	damage(f, &text, len);
	return exact(text, *len);
}

/* The client's side: a damaged response parsed within its bytes. */
static void test_responses(void **state)
{
	struct fuzz_host f;
	const char *body;
	size_t len, body_len;
	char *buf;
	long used;
	int st;

	(void)state;
	fuzz_host_init(&f, self, SEED, RUNS);
	while (fuzz_host_next(&f)) {
		buf = response(&f, &len);
		used = http_parse_response(buf, len, fz_chance(&f, 50), &st,
					   &body, &body_len);
		if ((used < 0 && used != -EINVAL) || (used > 0 &&
		    ((size_t)used > len || body < buf ||
		     body + body_len > buf + used)))
			fuzz_host_fail(&f, "http_parse_response: %ld of %zu",
				       used, len);
		free(buf);
	}
	fuzz_host_done(&f);
	assert_int_equal(f.failures, 0);
}

/* buf to the server's socket, its end, and what comes back until it closes. */
static char *converse(const char *buf, size_t len, size_t *got)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char *out = NULL;
	size_t cap = 0, done = 0;
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(control_socket_path(cv.id, sun.sun_path,
					     sizeof(sun.sun_path)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	/* The server may stop reading (a refusal): what it took is enough. */
	while (done < len) {
		n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		done += n;
	}
	shutdown(fd, SHUT_WR);
	*got = 0;
	do {
		if (*got == cap) {
			cap = cap ? 2 * cap : 4096;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		n = recv(fd, out + *got, cap - *got, 0);
		*got += n > 0 ? n : 0;
	} while (n > 0);
	close(fd);
	return out;
}

/*
 * The server itself (control_serve(): the connection's buffer, requests
 * one after the other, the refusal that ends a connection): whatever a
 * client sends, what comes back is whole responses with statuses the
 * server uses, then the end of the connection.  Without the routes that
 * write files or connect elsewhere: test_requests has those.
 */
static void test_socket(void **state)
{
	static const long ok[] = {
		200, 204, 400, 404, 405, 409, 413, 500, 501, 502,
	};
	struct control_server *srv;
	struct fuzz_host f;
	const char *body;
	char *buf, *out, *p;
	size_t len, got, body_len;
	long used;
	int status;

	(void)state;
	srv = control_serve(&cv);
	assert_non_null(srv);
	fuzz_host_init(&f, self, SEED, SOCKET_RUNS);
	while (fuzz_host_next(&f)) {
		buf = requests(&f, &len, true);
		out = converse(buf, len, &got);
		for (p = out; p < out + got; p += used) {
			used = http_parse_response(p, out + got - p, true,
						   &status, &body, &body_len);
			if (used <= 0 || !one_of(status, ok, ARRAY_LEN(ok))) {
				fuzz_host_fail(&f, "the server answered %.*s",
					       (int)(out + got - p), p);
				break;
			}
		}
		free(out);
		free(buf);
	}
	fuzz_host_done(&f);
	control_stop(srv);
	assert_int_equal(f.failures, 0);
}

/* What run_config_parse() allocated in o. */
static void free_opts(struct run_opts *o)
{
	unsigned int i;

	free((char *)o->name);
	free((char *)o->image);
	free((char *)o->elf);
	free((char *)o->kernel);
	free((char *)o->initrd);
	free((char *)o->cmdline);
	for (i = 0; i < o->nr_disks; i++) {
		free((char *)o->disks[i].path);
		free((char *)o->disks[i].serial);
	}
	for (i = 0; i < o->nr_nets; i++)
		free((char *)o->nets[i].tap);
}

/*
 * The run options a snapshot or a migration carries (run_config.c: what
 * vmctl run --restore and --incoming read first), written for a VM with
 * every kind of option, then damaged: parsed, or refused with a reason;
 * what parses is within the limits vmctl run has.
 */
static void test_run_options(void **state)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct run_opts o = {
		.name = "fuzz", .mem = 64 << 20, .cpus = 2, .kernel = "/k",
		.initrd = "/i", .cmdline = "console=ttyS0", .nr_disks = 2,
		.nr_nets = 2, .rng = true, .has_balloon = true,
		.balloon = { .size = 8 << 20, .no_stats = 1 },
		.load = VMCTL_ENTRY_DEFAULT, .entry = VMCTL_ENTRY_DEFAULT,
	}, back;
	struct fuzz_host f;
	char *text, *buf, why[256];
	size_t len, n;
	int ret;

	(void)state;
	o.disks[0] = (struct vmctl_disk){ .path = "/d0", .serial = "s0" };
	o.disks[1] = (struct vmctl_disk){ .path = "/d1", .read_only = 1 };
	o.nets[0] = (struct vmctl_net){ .tap = "tap0", .mac = mac };
	assert_int_equal(run_config_format(&o, &text, &len), 0);
	fuzz_host_init(&f, self, SEED, RUNS);
	while (fuzz_host_next(&f)) {
		buf = malloc(len);
		assert_non_null(buf);
		memcpy(buf, text, len);
		n = len;
		damage(&f, &buf, &n);
		while (fz_chance(&f, 50))
			damage(&f, &buf, &n);
		buf = exact(buf, n);
		why[0] = '\0';
		ret = run_config_parse(buf, n, &back, why, sizeof(why));
		if (ret && (ret != -EINVAL || !why[0]))
			fuzz_host_fail(&f, "run_config_parse: %d (%s)", ret,
				       why);
		if (!ret && (!back.cpus || back.cpus > VMCTL_MAX_VCPUS ||
			     !back.mem || back.mem % 4096 ||
			     back.nr_disks > RUN_MAX_DISKS ||
			     back.nr_nets > RUN_MAX_NETS ||
			     !!back.image + !!back.elf + !!back.kernel != 1))
			fuzz_host_fail(&f, "run_config_parse took %.*s",
				       (int)n, buf);
		free_opts(&back);
		free(buf);
	}
	fuzz_host_done(&f);
	free(text);
	assert_int_equal(f.failures, 0);
}

static int setup(void **state)
{
	static const struct step spin[] = { { S_BLOCK, 0, 0 } };
	struct vmctl_balloon b = { .size = 0 };

	if (fake_device_setup(state) || !mkdtemp(dir))
		return -1;
	snprintf(snap_ok, sizeof(snap_ok), "%s/snap", dir);
	setenv("VMCTL_RUNTIME_DIR", dir, 1);
	scripts[0] = scripts[1] = spin;
	script_len[0] = script_len[1] = 1;
	if (vmctl_open(&sys) || vmctl_vm_create(sys, "fuzz", &vm) ||
	    vmctl_vm_add_memory(vm, 0, 64 << 20, 0) < 0 ||
	    vmctl_balloon_create(vm, &b) ||
	    vmctl_vcpu_create(vm, 0, NULL) || vmctl_vcpu_create(vm, 1, NULL) ||
	    vmctl_vm_start(vm))
		return -1;
	cv.vm = vm;
	return 0;
}

static int teardown(void **state)
{
	vmctl_vm_stop(vm);
	vmctl_vm_wait(vm, NULL);
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
	rmdir(dir);
	return fake_device_teardown(state);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_run_options),
	};

	(void)argc;
	self = argv[0];
	return cmocka_run_group_tests(tests, setup, teardown);
}
