// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Parsing the "vmctl" generic netlink family's messages, built here by
 * hand the way the module builds them (kmod/netlink.c): whole replies,
 * unknown attributes, and malformed ones.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <netlink/genl/genl.h>
#include <linux/vmctl.h>
#include <linux/vmctl_netlink.h>

#include "netlink_parse.h"

#define FAMILY	0x20	/* any id: the parsers do not look at it */

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd,
				    VMCTL_GENL_VERSION));
	return msg;
}

static void put_identity(struct nl_msg *msg, uint32_t id, const char *name)
{
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VM_ID, id), 0);
	assert_int_equal(nla_put_string(msg, VMCTL_A_VM_NAME, name), 0);
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VM_OWNER_PID, 4242), 0);
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VM_OWNER_UID, 1000), 0);
}

static struct nl_msg *vm_msg(uint8_t cmd)
{
	struct nl_msg *msg = new_msg(cmd);

	put_identity(msg, 7, "web");
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VM_NR_VCPUS, 2), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_A_VM_MEM_BYTES, 16 << 20), 0);
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VM_STATE,
				     VMCTL_GENL_VM_RUNNING), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_A_VM_CREATED, 1700000000), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_A_VM_UPTIME, 65), 0);
	return msg;
}

static void test_status(void **state)
{
	struct nl_msg *msg = vm_msg(VMCTL_CMD_GET_VM);
	struct vmctl_vm_status st;

	(void)state;
	/* An attribute from a newer module is skipped. */
	assert_int_equal(nla_put_u32(msg, VMCTL_A_MAX + 5, 1), 0);
	assert_int_equal(vmctl_nl_parse_status(msg, &st), 0);
	assert_int_equal(st.id, 7);
	assert_string_equal(st.name, "web");
	assert_int_equal(st.owner_pid, 4242);
	assert_int_equal(st.owner_uid, 1000);
	assert_int_equal(st.nr_vcpus, 2);
	assert_true(st.mem_bytes == 16 << 20);
	assert_int_equal(st.state, VMCTL_VM_RUNNING);
	assert_true(st.created == 1700000000);
	assert_true(st.uptime == 65);
	nlmsg_free(msg);
}

static void test_status_malformed(void **state)
{
	struct vmctl_vm_status st;
	struct nl_msg *msg;
	char unterminated[4] = "abcd";

	(void)state;
	msg = new_msg(VMCTL_CMD_GET_VM);
	assert_int_equal(nla_put_u64(msg, VMCTL_A_VM_ID, 7), 0);
	assert_int_equal(vmctl_nl_parse_status(msg, &st), -EIO);
	nlmsg_free(msg);

	msg = new_msg(VMCTL_CMD_GET_VM);
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VM_MEM_BYTES, 7), 0);
	assert_int_equal(vmctl_nl_parse_status(msg, &st), -EIO);
	nlmsg_free(msg);

	msg = new_msg(VMCTL_CMD_GET_VM);
	assert_int_equal(nla_put(msg, VMCTL_A_VM_NAME, sizeof(unterminated),
				 unterminated), 0);
	assert_int_equal(vmctl_nl_parse_status(msg, &st), -EIO);
	nlmsg_free(msg);
}

static void put_counters(struct nl_msg *msg, int type, uint32_t vcpu,
			 uint64_t runs, const uint32_t *reasons,
			 const uint64_t *counts, int n)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	struct nlattr *r;
	int i;

	assert_non_null(nest);
	if (type == VMCTL_A_VCPU_STATS)
		assert_int_equal(nla_put_u32(msg, VMCTL_STATS_VCPU_ID, vcpu),
				 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_STATS_RUNS, runs), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_STATS_EXITS, 2 * runs), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_STATS_USER_EXITS, runs - 1),
			 0);
	for (i = 0; i < n; i++) {
		r = nla_nest_start(msg, VMCTL_STATS_EXIT_REASON);
		assert_non_null(r);
		assert_int_equal(nla_put_u32(msg, VMCTL_REASON_ID, reasons[i]),
				 0);
		assert_int_equal(nla_put_u64(msg, VMCTL_REASON_COUNT,
					     counts[i]), 0);
		nla_nest_end(msg, r);
	}
	nla_nest_end(msg, nest);
}

static void put_mem(struct nl_msg *msg, uint64_t mapped, uint64_t f4k,
		    uint64_t f2m, uint64_t inval)
{
	struct nlattr *nest = nla_nest_start(msg, VMCTL_A_MEM_STATS);

	assert_non_null(nest);
	assert_int_equal(nla_put_u64(msg, VMCTL_MEMSTAT_MAPPED_PAGES, mapped),
			 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_MEMSTAT_FAULTS_4K, f4k), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_MEMSTAT_FAULTS_2M, f2m), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_MEMSTAT_INVALIDATIONS, inval),
			 0);
	nla_nest_end(msg, nest);
}

static void test_stats(void **state)
{
	static const uint32_t r0[] = { 10, 30 }, r1[] = { 30, 200 };
	static const uint64_t c0[] = { 3, 17 }, c1[] = { 5, 9 };
	static const uint32_t rt[] = { 10, 30 };
	static const uint64_t ct[] = { 3, 22 };
	struct nl_msg *msg = vm_msg(VMCTL_CMD_GET_STATS);
	struct vmctl_vm_stats s = { 0 };

	(void)state;
	put_counters(msg, VMCTL_A_VCPU_STATS, 0, 20, r0, c0, 2);
	put_counters(msg, VMCTL_A_VCPU_STATS, 3, 6, r1, c1, 2);
	put_counters(msg, VMCTL_A_TOTAL_STATS, 0, 26, rt, ct, 2);
	put_mem(msg, 1536, 1000, 1, 7);
	assert_int_equal(vmctl_nl_parse_stats(msg, &s), 0);
	assert_true(s.mem.mapped_pages == 1536);
	assert_true(s.mem.faults_4k == 1000);
	assert_true(s.mem.faults_2m == 1);
	assert_true(s.mem.invalidations == 7);
	assert_string_equal(s.vm.name, "web");
	assert_int_equal(s.nr_vcpus, 2);
	assert_int_equal(s.vcpus[0].vcpu, 0);
	assert_true(s.vcpus[0].runs == 20);
	assert_true(s.vcpus[0].exits == 40);
	assert_true(s.vcpus[0].user_exits == 19);
	assert_true(s.vcpus[0].by_reason[10] == 3);
	assert_true(s.vcpus[0].by_reason[30] == 17);
	assert_int_equal(s.vcpus[1].vcpu, 3);
	assert_true(s.vcpus[1].by_reason[30] == 5);
	/* Reason 200 has no slot in the library: left out. */
	assert_true(s.total.runs == 26);
	assert_true(s.total.by_reason[30] == 22);
	assert_true(s.total.by_reason[0] == 0);
	vmctl_vm_stats_free(&s);
	assert_null(s.vcpus);
	nlmsg_free(msg);
}

static void test_stats_malformed(void **state)
{
	struct nl_msg *msg = vm_msg(VMCTL_CMD_GET_STATS);
	struct vmctl_vm_stats s = { 0 };
	struct nlattr *nest, *r;

	(void)state;
	nest = nla_nest_start(msg, VMCTL_A_VCPU_STATS);
	r = nla_nest_start(msg, VMCTL_STATS_EXIT_REASON);
	assert_int_equal(nla_put_u64(msg, VMCTL_REASON_ID, 30), 0);
	nla_nest_end(msg, r);
	nla_nest_end(msg, nest);
	assert_int_equal(vmctl_nl_parse_stats(msg, &s), -EIO);
	vmctl_vm_stats_free(&s);
	nlmsg_free(msg);
}

/* A memory counter of the wrong size: the whole reply is refused. */
static void test_stats_mem_malformed(void **state)
{
	struct nl_msg *msg = vm_msg(VMCTL_CMD_GET_STATS);
	struct vmctl_vm_stats s = { 0 };
	struct nlattr *nest;

	(void)state;
	nest = nla_nest_start(msg, VMCTL_A_MEM_STATS);
	assert_int_equal(nla_put_u32(msg, VMCTL_MEMSTAT_FAULTS_4K, 5), 0);
	nla_nest_end(msg, nest);
	assert_int_equal(vmctl_nl_parse_stats(msg, &s), -EIO);
	vmctl_vm_stats_free(&s);
	nlmsg_free(msg);
}

static void test_events(void **state)
{
	struct vmctl_event ev;
	struct nl_msg *msg;

	(void)state;
	msg = new_msg(VMCTL_CMD_EVENT_VM_CREATED);
	put_identity(msg, 3, "db");
	assert_int_equal(vmctl_nl_parse_event(msg, &ev), 0);
	assert_int_equal(ev.type, VMCTL_EVENT_VM_CREATED);
	assert_int_equal(ev.vm_id, 3);
	assert_string_equal(ev.vm_name, "db");
	assert_int_equal(ev.owner_pid, 4242);
	assert_int_equal(ev.owner_uid, 1000);
	assert_int_equal(ev.vcpu, -1);
	nlmsg_free(msg);

	msg = new_msg(VMCTL_CMD_EVENT_VCPU_FAIL_ENTRY);
	put_identity(msg, 3, "db");
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VCPU_ID, 2), 0);
	assert_int_equal(nla_put_u64(msg, VMCTL_A_HW_REASON, 0x80000021), 0);
	assert_int_equal(vmctl_nl_parse_event(msg, &ev), 0);
	assert_int_equal(ev.type, VMCTL_EVENT_VCPU_FAIL_ENTRY);
	assert_int_equal(ev.vcpu, 2);
	assert_true(ev.hw_reason == 0x80000021);
	nlmsg_free(msg);

	msg = new_msg(VMCTL_CMD_EVENT_VCPU_SHUTDOWN);
	put_identity(msg, 3, "db");
	assert_int_equal(nla_put_u32(msg, VMCTL_A_VCPU_ID, 0), 0);
	assert_int_equal(vmctl_nl_parse_event(msg, &ev), 0);
	assert_int_equal(ev.type, VMCTL_EVENT_VCPU_SHUTDOWN);
	assert_int_equal(ev.vcpu, 0);
	nlmsg_free(msg);

	msg = new_msg(VMCTL_CMD_MAX + 1);	/* from a newer module */
	put_identity(msg, 3, "db");
	assert_int_equal(vmctl_nl_parse_event(msg, &ev), 0);
	assert_int_equal(ev.type, 0);
	nlmsg_free(msg);
}

static void test_exit_reason_names(void **state)
{
	(void)state;
	assert_string_equal(vmctl_exit_reason_name(0), "EXCEPTION_NMI");
	assert_string_equal(vmctl_exit_reason_name(30), "IO_INSTRUCTION");
	assert_string_equal(vmctl_exit_reason_name(48), "EPT_VIOLATION");
	assert_null(vmctl_exit_reason_name(35));
	assert_null(vmctl_exit_reason_name(VMCTL_COUNTED_EXIT_REASONS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_malformed),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_malformed),
		cmocka_unit_test(test_stats_mem_malformed),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_exit_reason_names),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
