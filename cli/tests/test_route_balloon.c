// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's /balloon (route_balloon.c) on libvmctl's fake
 * module: PATCH /balloon sets the size the device asks (GET /balloon and
 * /balloon/statistics say it back), sizes above the RAM, malformed
 * bodies, other methods and a VM without a balloon are refused as
 * Firecracker refuses them; vmctl balloon's command line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "control.h"
#include "fake_module.h"
#include "vmview.h"

struct rig {
	struct vmctl *sys;
	struct vmctl_vm *vm;		/* with a balloon */
	struct vmctl_vm *plain;		/* without */
	struct run_opts opts;
};

static int setup(void **state)
{
	static struct rig r;
	struct vmctl_balloon b = { .size = 8 << 20, .no_deflate_on_oom = 1 };

	if (fake_device_setup(state))
		return -1;
	r.opts = (struct run_opts){ .cpus = 1, .mem = 64 << 20,
				    .has_balloon = true, .balloon = b };
	if (vmctl_open(&r.sys) || vmctl_vm_create(r.sys, "bal", &r.vm) ||
	    vmctl_vm_add_memory(r.vm, 0, 64 << 20, 0) < 0 ||
	    vmctl_balloon_create(r.vm, &b) ||
	    vmctl_vm_create(r.sys, "plain", &r.plain) ||
	    vmctl_vm_add_memory(r.plain, 0, 64 << 20, 0) < 0)
		return -1;
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	vmctl_vm_destroy(r->vm);
	vmctl_vm_destroy(r->plain);
	vmctl_close(r->sys);
	return fake_device_teardown(state);
}

/* One request to vm's routes; the reply's body (static). */
static const char *call(struct rig *r, struct vmctl_vm *vm,
			const char *method, const char *path,
			const char *body, int want_status)
{
	static char *out;
	struct control_vm cv = { .vm = vm, .id = 3, .name = "bal",
				 .opts = &r->opts };
	struct http_request req = { .body = body,
				    .body_len = body ? strlen(body) : 0 };
	struct control_reply reply = { .content_type = "application/json" };
	size_t len;

	free(out);
	snprintf(req.method, sizeof(req.method), "%s", method);
	snprintf(req.path, sizeof(req.path), "%s", path);
	reply.body = open_memstream(&out, &len);
	assert_int_equal(control_dispatch(&cv, &req, &reply), want_status);
	fclose(reply.body);
	return out;
}

static void test_patch_get(void **state)
{
	struct rig *r = *state;
	struct vmctl_balloon_info info;

	assert_string_equal(call(r, r->vm, "GET", "/balloon", NULL, 200),
			    "{\"amount_mib\":8,\"deflate_on_oom\":false,\"stats_polling_interval_s\":0}");
	assert_string_equal(call(r, r->vm, "PATCH", "/balloon",
				 "{\"amount_mib\": 40}", 204), "");
	assert_int_equal(vmctl_vm_balloon_info(r->vm, &info), 0);
	assert_int_equal(info.target, 40 << 20);
	assert_string_equal(call(r, r->vm, "GET", "/balloon/statistics", NULL,
				 200),
			    "{\"target_pages\":10240,\"actual_pages\":0,\"target_mib\":40,\"actual_mib\":0,\"free_memory\":0,\"total_memory\":0,\"available_memory\":0}");
	/* All of RAM, then none. */
	call(r, r->vm, "PATCH", "/balloon", "{\"amount_mib\": 64}", 204);
	call(r, r->vm, "PATCH", "/balloon", "{\"amount_mib\": 0}", 204);
	assert_int_equal(vmctl_vm_balloon_info(r->vm, &info), 0);
	assert_int_equal(info.target, 0);
}

static void test_refused(void **state)
{
	struct rig *r = *state;
	struct vmctl_balloon_info info;

	call(r, r->vm, "PATCH", "/balloon", "{\"amount_mib\": 12}", 204);
	assert_string_equal(call(r, r->vm, "PATCH", "/balloon",
				 "{\"amount_mib\": 65}", 400),
			    "{\"fault_message\":\"PATCH /balloon: 65 MiB is more than the VM's RAM\"}");
	/* Would wrap to 0 when shifted into bytes. */
	call(r, r->vm, "PATCH", "/balloon",
	     "{\"amount_mib\": 17592186044416}", 400);
	call(r, r->vm, "PATCH", "/balloon", "{\"amount_mib\": -1}", 400);
	call(r, r->vm, "PATCH", "/balloon", "{\"amount_mib\": \"8\"}", 400);
	call(r, r->vm, "PATCH", "/balloon", "{}", 400);
	call(r, r->vm, "PATCH", "/balloon",
	     "{\"amount_mib\": 8, \"deflate_on_oom\": true}", 400);
	call(r, r->vm, "PATCH", "/balloon", NULL, 400);
	assert_int_equal(vmctl_vm_balloon_info(r->vm, &info), 0);
	assert_int_equal(info.target, 12 << 20);	/* unchanged */
	call(r, r->vm, "PUT", "/balloon", "{\"amount_mib\": 8}", 405);
	call(r, r->vm, "PATCH", "/balloon/statistics", "{}", 405);
	call(r, r->vm, "GET", "/balloon/other", NULL, 404);
	assert_string_equal(call(r, r->plain, "PATCH", "/balloon",
				 "{\"amount_mib\": 8}", 400),
			    "{\"fault_message\":\"the VM has no balloon (vmctl run --balloon)\"}");
	call(r, r->plain, "GET", "/balloon", NULL, 400);
	call(r, r->plain, "GET", "/balloon/statistics", NULL, 400);
}

static void test_command_line(void **state)
{
	const char *t;
	uint64_t size;

	capture(state);
	assert_int_equal(balloon_parse(ARGC("balloon", "vm1", "64M"),
				       ARGV("balloon", "vm1", "64M"), &t,
				       &size), PARSE_OK);
	assert_string_equal(t, "vm1");
	assert_true(size == 64 << 20);
	assert_int_equal(balloon_parse(ARGC("balloon", "vm1", "0"),
				       ARGV("balloon", "vm1", "0"), &t, &size),
			 PARSE_OK);
	assert_true(size == 0);
	assert_int_equal(balloon_parse(ARGC("balloon", "vm1"),
				       ARGV("balloon", "vm1"), &t, &size),
			 PARSE_ERROR);
	assert_non_null(strstr(errors(), "what size?"));
	assert_int_equal(balloon_parse(ARGC("balloon", "vm1", "3K"),
				       ARGV("balloon", "vm1", "3K"), &t,
				       &size), PARSE_ERROR);
	assert_non_null(strstr(errors(), "'3K' is not a multiple of 1M"));
	assert_int_equal(balloon_parse(ARGC("balloon", "vm1", "lots"),
				       ARGV("balloon", "vm1", "lots"), &t,
				       &size), PARSE_ERROR);
	assert_non_null(strstr(errors(), "'lots' is not a size"));
	assert_int_equal(balloon_parse(ARGC("balloon", "-h"),
				       ARGV("balloon", "-h"), &t, &size),
			 PARSE_HELP);
	assert_int_equal(balloon_parse(ARGC("balloon"), ARGV("balloon"), &t,
				       &size), PARSE_ERROR);
	assert_non_null(strstr(errors(), "which VM?"));
	release(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_get),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_command_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
