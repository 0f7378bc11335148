// SPDX-License-Identifier: GPL-2.0
/* What ps, stats and events print: tables, JSON, sizes and durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmview.h"
#include "output.h"


static void expect_output(const char *s)
{
	if (!strstr(output(), s))
		fail_msg("\"%s\" not in \"%s\"", s, output());
}

static void test_format_size(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(format_size(0, b, sizeof(b)), "0");
	assert_string_equal(format_size(1023, b, sizeof(b)), "1023");
	assert_string_equal(format_size(1024, b, sizeof(b)), "1K");
	assert_string_equal(format_size(16 << 20, b, sizeof(b)), "16M");
	assert_string_equal(format_size(1536ULL << 20, b, sizeof(b)), "1.5G");
	assert_string_equal(format_size(16ULL << 30, b, sizeof(b)), "16G");
	assert_string_equal(format_size(3ULL << 60, b, sizeof(b)), "3E");
	assert_string_equal(format_size(UINT64_MAX, b, sizeof(b)), "16.0E");
}

static void test_format_duration(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(format_duration(0, b, sizeof(b)), "0s");
	assert_string_equal(format_duration(59, b, sizeof(b)), "59s");
	assert_string_equal(format_duration(65, b, sizeof(b)), "1m05s");
	assert_string_equal(format_duration(3600 + 180, b, sizeof(b)),
			    "1h03m");
	assert_string_equal(format_duration(2 * 86400 + 7200, b, sizeof(b)),
			    "2d02h");
}

static void test_json_string(void **state)
{
	(void)state;
	json_string(f, "a\"b\\c\n\x01");
	assert_string_equal(output(), "\"a\\\"b\\\\c\\u000a\\u0001\"");
}

/*
 * Bytes that are not UTF-8 (a control request's path) come out as
 * U+FFFD; well-formed sequences as they are.  A stray continuation, a
 * lead without its continuation, an overlong form, a surrogate, a
 * code point above U+10FFFF.
 */
static void test_json_string_utf8(void **state)
{
	(void)state;
	json_string(f, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \x80 \xc3x "
		    "\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xff");
	assert_string_equal(output(),
			    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \\ufffd \\ufffdx "
			    "\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd "
			    "\\ufffd\\ufffd\\ufffd\\ufffd \\ufffd\"");
}

static const struct vmctl_vm_status vms[] = {
	{ .id = 0, .name = "web", .owner_pid = 100, .owner_uid = 0,
	  .nr_vcpus = 2, .mem_bytes = 16 << 20, .state = VMCTL_VM_RUNNING,
	  .created = 1700000000, .uptime = 65 },
	{ .id = 3, .name = "a-longer-name", .owner_pid = 4242,
	  .owner_uid = 1000, .nr_vcpus = 1, .mem_bytes = 1 << 20,
	  .state = VMCTL_VM_IDLE, .created = 1700000100, .uptime = 5 },
};

static char *const sockets[] = { "/run/vmctl/0.sock", NULL };

static void test_ps_table(void **state)
{
	(void)state;
	ps_print(f, vms, 2, sockets, false);
	assert_string_equal(output(),
"ID    NAME              PID    UID VCPUS  MEMORY STATE   UPTIME  SOCKET\n"
"0     web               100      0     2     16M running 1m05s   /run/vmctl/0.sock\n"
"3     a-longer-name    4242   1000     1      1M idle    5s      -\n");
}

static void test_ps_empty(void **state)
{
	(void)state;
	ps_print(f, NULL, 0, NULL, false);
	assert_string_equal(output(),
"ID    NAME     PID    UID VCPUS  MEMORY STATE   UPTIME  SOCKET\n");
	close_out(state);
	open_out(state);
	ps_print(f, NULL, 0, NULL, true);
	assert_string_equal(output(), "[]\n");
}

static void test_ps_json(void **state)
{
	(void)state;
	ps_print(f, vms, 2, sockets, true);
	assert_string_equal(output(),
"[{\"id\":0,\"name\":\"web\",\"owner_pid\":100,\"owner_uid\":0,\"vcpus\":2,"
"\"mem_bytes\":16777216,\"state\":\"running\",\"created\":1700000000,"
"\"uptime_s\":65,\"control_socket\":\"/run/vmctl/0.sock\"},"
"{\"id\":3,\"name\":\"a-longer-name\",\"owner_pid\":4242,\"owner_uid\":1000,"
"\"vcpus\":1,\"mem_bytes\":1048576,\"state\":\"idle\",\"created\":1700000100,"
"\"uptime_s\":5,\"control_socket\":null}]\n");
}

/* Two vCPUs: 0 did I/O and CPUID, 1 only I/O; reason 35 has no name. */
static void make_stats(struct vmctl_vm_stats *s,
		       struct vmctl_exit_counters *vcpus)
{
	memset(s, 0, sizeof(*s));
	memset(vcpus, 0, 2 * sizeof(*vcpus));
	s->vm = vms[0];
	vcpus[0] = (struct vmctl_exit_counters){
		.vcpu = 0, .runs = 10, .exits = 30, .user_exits = 9 };
	vcpus[0].by_reason[30] = 20;
	vcpus[0].by_reason[10] = 10;
	vcpus[1] = (struct vmctl_exit_counters){
		.vcpu = 1, .runs = 4, .exits = 5, .user_exits = 4 };
	vcpus[1].by_reason[30] = 4;
	vcpus[1].by_reason[35] = 1;
	s->total = (struct vmctl_exit_counters){
		.runs = 14, .exits = 35, .user_exits = 13 };
	s->total.by_reason[30] = 24;
	s->total.by_reason[10] = 10;
	s->total.by_reason[35] = 1;
	s->nr_vcpus = 2;
	s->vcpus = vcpus;
	s->mem = (struct vmctl_mem_counters){
		.mapped_pages = 1536, .faults_4k = 1000, .faults_2m = 1,
		.invalidations = 7 };
}

static void test_stats_text(void **state)
{
	struct vmctl_exit_counters vcpus[2];
	struct vmctl_vm_stats s;

	(void)state;
	make_stats(&s, vcpus);
	stats_print(f, &s, NULL, false);
	assert_string_equal(output(),
"VM 0 (web): 2 vCPUs, running, up 1m05s\n"
"COUNTER                               TOTAL        VCPU0        VCPU1\n"
"runs                                     14           10            4\n"
"exits                                    35           30            5\n"
"user_exits                               13            9            4\n"
"CPUID (10)                               10           10            0\n"
"IO_INSTRUCTION (30)                      24           20            4\n"
"reason 35                                 1            0            1\n"
"ept_mapped_pages                       1536\n"
"ept_faults_4k                          1000\n"
"ept_faults_2m                             1\n"
"ept_invalidations                         7\n");
}

static void test_stats_json(void **state)
{
	struct vmctl_exit_counters vcpus[2];
	struct vmctl_vm_stats s;

	(void)state;
	make_stats(&s, vcpus);
	stats_print(f, &s, NULL, true);
	assert_string_equal(output(),
"{\"id\":0,\"name\":\"web\",\"state\":\"running\",\"uptime_s\":65,"
"\"total\":{\"runs\":14,\"exits\":35,\"user_exits\":13,\"exit_reasons\":"
"{\"CPUID\":10,\"IO_INSTRUCTION\":24,\"REASON_35\":1}},"
"\"vcpus\":[{\"vcpu\":0,\"runs\":10,\"exits\":30,\"user_exits\":9,"
"\"exit_reasons\":{\"CPUID\":10,\"IO_INSTRUCTION\":20}},"
"{\"vcpu\":1,\"runs\":4,\"exits\":5,\"user_exits\":4,"
"\"exit_reasons\":{\"IO_INSTRUCTION\":4,\"REASON_35\":1}}],"
"\"memory\":{\"ept_mapped_pages\":1536,\"ept_faults_4k\":1000,"
"\"ept_faults_2m\":1,\"ept_invalidations\":7},\"devices\":[]}\n");
}

static void test_events(void **state)
{
	struct vmctl_event created = {
		.type = VMCTL_EVENT_VM_CREATED, .vm_id = 4, .vm_name = "web",
		.owner_pid = 100, .owner_uid = 0, .vcpu = -1,
	};
	struct vmctl_event failed = {
		.type = VMCTL_EVENT_VCPU_FAIL_ENTRY, .vm_id = 4,
		.vm_name = "web", .owner_pid = 100, .owner_uid = 0, .vcpu = 1,
		.hw_reason = 0x80000021,
	};

	(void)state;
	event_print(f, &created, false);
	event_print(f, &failed, false);
	event_print(f, &created, true);
	event_print(f, &failed, true);
	assert_string_equal(output(),
"vm-created id=4 name=web pid=100 uid=0\n"
"vcpu-fail-entry id=4 name=web pid=100 uid=0 vcpu=1 hw_reason=0x80000021\n"
"{\"event\":\"vm-created\",\"id\":4,\"name\":\"web\",\"owner_pid\":100,"
"\"owner_uid\":0}\n"
"{\"event\":\"vcpu-fail-entry\",\"id\":4,\"name\":\"web\",\"owner_pid\":100,"
"\"owner_uid\":0,\"vcpu\":1,\"hw_reason\":2147483681}\n");
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(vmctl_event_name(VMCTL_EVENT_VM_DESTROYED),
			    "vm-destroyed");
	assert_string_equal(vmctl_event_name(VMCTL_EVENT_VCPU_SHUTDOWN),
			    "vcpu-shutdown");
	assert_string_equal(vmctl_event_name(0), "unknown");
	assert_string_equal(vmctl_event_name(99), "unknown");
	expect_output("");
}

#define OUT_TEST(t) cmocka_unit_test_setup_teardown(t, open_out, close_out)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_duration),
		OUT_TEST(test_json_string),
		OUT_TEST(test_json_string_utf8),
		OUT_TEST(test_ps_table),
		OUT_TEST(test_ps_empty),
		OUT_TEST(test_ps_json),
		OUT_TEST(test_stats_text),
		OUT_TEST(test_stats_json),
		OUT_TEST(test_events),
		OUT_TEST(test_event_names),
	};

	return cmocka_run_group_tests_name("vmview_output", tests, NULL, NULL);
}
