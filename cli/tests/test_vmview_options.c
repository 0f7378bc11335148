// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing of ps, stats, stop, kill and events, and the NAME|ID
 * argument they resolve against a VM list.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmview.h"

#include "capture.h"

static void expect_error(const char *msg)
{
	if (!strstr(errors(), msg))
		fail_msg("\"%s\" not in \"%s\"", msg, errors());
}

#define PARSE(fn, o, ...) fn(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)
#define SIGNAL(o, ...) \
	signal_parse(ARGV(__VA_ARGS__)[0], ARGC(__VA_ARGS__), \
		     ARGV(__VA_ARGS__), o)

static void test_ps(void **state)
{
	struct ps_opts o;

	(void)state;
	assert_int_equal(PARSE(ps_parse, &o, "ps"), PARSE_OK);
	assert_false(o.json);
	assert_int_equal(PARSE(ps_parse, &o, "ps", "--json"), PARSE_OK);
	assert_true(o.json);
	assert_int_equal(PARSE(ps_parse, &o, "ps", "-j"), PARSE_OK);
	assert_true(o.json);
	assert_int_equal(PARSE(ps_parse, &o, "ps", "--help"), PARSE_HELP);
	assert_int_equal(PARSE(ps_parse, &o, "ps", "-h"), PARSE_HELP);
}

static void test_ps_errors(void **state)
{
	struct ps_opts o;

	(void)state;
	assert_int_equal(PARSE(ps_parse, &o, "ps", "--bogus"), PARSE_ERROR);
	expect_error("vmctl ps: unknown option '--bogus'");
	expect_error("Try 'vmctl ps --help'");
	assert_int_equal(PARSE(ps_parse, &o, "ps", "vm0"), PARSE_ERROR);
	expect_error("unexpected argument 'vm0'");
}

static void test_stats(void **state)
{
	struct stats_opts o;

	(void)state;
	assert_int_equal(PARSE(stats_parse, &o, "stats", "vm0"), PARSE_OK);
	assert_string_equal(o.target, "vm0");
	assert_false(o.json);
	assert_false(o.watch);
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--json", "3"),
			 PARSE_OK);
	assert_true(o.json);
	assert_string_equal(o.target, "3");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--help"),
			 PARSE_HELP);
}

static void test_stats_watch(void **state)
{
	struct stats_opts o;

	(void)state;
	/* --watch alone: the default interval, the number is the VM. */
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch", "3"),
			 PARSE_OK);
	assert_true(o.watch);
	assert_true(o.interval == STATS_DEFAULT_INTERVAL);
	assert_string_equal(o.target, "3");
	/* --watch SECONDS NAME */
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch", "5",
			       "vm0"), PARSE_OK);
	assert_true(o.interval == 5.0);
	assert_string_equal(o.target, "vm0");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "-w", "0.5", "7"),
			 PARSE_OK);
	assert_true(o.interval == 0.5);
	assert_string_equal(o.target, "7");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch=1.5",
			       "vm0"), PARSE_OK);
	assert_true(o.interval == 1.5);
	assert_int_equal(PARSE(stats_parse, &o, "stats", "-w3", "--json",
			       "vm0"), PARSE_OK);
	assert_true(o.interval == 3.0);
	assert_true(o.json);
	/* The next word is an option: not an interval. */
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch", "--json",
			       "vm0"), PARSE_OK);
	assert_true(o.watch && o.json);
	assert_true(o.interval == STATS_DEFAULT_INTERVAL);
}

static void test_stats_errors(void **state)
{
	struct stats_opts o;

	(void)state;
	assert_int_equal(PARSE(stats_parse, &o, "stats"), PARSE_ERROR);
	expect_error("vmctl stats: which VM? Give its name or id");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "a", "b"),
			 PARSE_ERROR);
	expect_error("unexpected argument 'b'");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch", "soon",
			       "vm0"), PARSE_ERROR);
	expect_error("--watch: 'soon' is not a number of seconds");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch=0", "vm0"),
			 PARSE_ERROR);
	expect_error("--watch: '0' is not between 0 and 86400 seconds");
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch=-1", "vm0"),
			 PARSE_ERROR);
	assert_int_equal(PARSE(stats_parse, &o, "stats", "--watch=1e9", "vm0"),
			 PARSE_ERROR);
	assert_int_equal(PARSE(stats_parse, &o, "stats", "-x", "vm0"),
			 PARSE_ERROR);
	expect_error("unknown option '-x'");
}

static void test_stop_kill(void **state)
{
	struct signal_opts o;

	(void)state;
	assert_int_equal(SIGNAL(&o, "stop", "vm0"), PARSE_OK);
	assert_string_equal(o.target, "vm0");
	assert_true(o.wait);
	assert_true(o.timeout == 10.0);
	assert_int_equal(SIGNAL(&o, "kill", "--timeout", "2.5", "4"),
			 PARSE_OK);
	assert_true(o.timeout == 2.5);
	assert_string_equal(o.target, "4");
	assert_int_equal(SIGNAL(&o, "kill", "-n", "4"), PARSE_OK);
	assert_false(o.wait);
	assert_int_equal(SIGNAL(&o, "stop", "--no-wait", "-t", "1", "x"),
			 PARSE_OK);
	assert_false(o.wait);
	assert_int_equal(SIGNAL(&o, "stop", "--help"), PARSE_HELP);
}

static void test_stop_kill_errors(void **state)
{
	struct signal_opts o;

	(void)state;
	assert_int_equal(SIGNAL(&o, "stop"), PARSE_ERROR);
	expect_error("vmctl stop: which VM? Give its name or id");
	assert_int_equal(SIGNAL(&o, "kill", "a", "b"), PARSE_ERROR);
	expect_error("vmctl kill: unexpected argument 'b'");
	assert_int_equal(SIGNAL(&o, "kill", "--timeout"), PARSE_ERROR);
	expect_error("vmctl kill: option '--timeout' needs a value");
	assert_int_equal(SIGNAL(&o, "stop", "-t", "never", "x"), PARSE_ERROR);
	expect_error("--timeout: 'never' is not a number of seconds");
	assert_int_equal(SIGNAL(&o, "stop", "-t", "0", "x"), PARSE_ERROR);
	expect_error("--timeout: '0' is not between 0 and 86400 seconds");
}

/* What every command does with its parse result. */
static void test_parse_exit(void **state)
{
	(void)state;
	assert_int_equal(parse_exit(PARSE_OK, "# unused\n"), -1);
	assert_int_equal(parse_exit(PARSE_HELP, "# usage: printed\n"),
			 EXIT_OK);
	assert_int_equal(parse_exit(PARSE_ERROR, "# unused\n"), EXIT_USAGE);
}

/* stop and kill share one command body: exit statuses before any VM. */
static void test_signal_command(void **state)
{
	/* A TAP comment, should --help print it among the results. */
	static const char usage[] = "# usage: vmctl stop\n";

	(void)state;
	assert_int_equal(signal_command("stop", usage, SIGTERM, 2,
					ARGV("stop", "--help")), EXIT_OK);
	assert_int_equal(signal_command("kill", usage, SIGKILL, 3,
					ARGV("kill", "--bogus", "x")),
			 EXIT_USAGE);
	expect_error("vmctl kill: unknown option '--bogus'");
	assert_int_equal(signal_command("stop", usage, SIGTERM, 1,
					ARGV("stop")), EXIT_USAGE);
	expect_error("vmctl stop: which VM? Give its name or id");
}

static void test_events(void **state)
{
	struct events_opts o;

	(void)state;
	assert_int_equal(PARSE(events_parse, &o, "events"), PARSE_OK);
	assert_false(o.json);
	assert_int_equal(o.count, 0);
	assert_true(o.timeout == 0);
	assert_int_equal(PARSE(events_parse, &o, "events", "--json",
			       "--count", "3", "--timeout", "1.5"), PARSE_OK);
	assert_true(o.json);
	assert_int_equal(o.count, 3);
	assert_true(o.timeout == 1.5);
	assert_int_equal(PARSE(events_parse, &o, "events", "--count", "0"),
			 PARSE_ERROR);
	expect_error("--count: '0' is not a positive number");
	assert_int_equal(PARSE(events_parse, &o, "events", "-t", "x"),
			 PARSE_ERROR);
	expect_error("--timeout: 'x' is not a number of seconds");
	assert_int_equal(PARSE(events_parse, &o, "events", "-t", "90000"),
			 PARSE_ERROR);
	expect_error("vmctl events: --timeout: '90000' is not between 0 and 86400 seconds");
	assert_int_equal(PARSE(events_parse, &o, "events", "vm0"),
			 PARSE_ERROR);
	expect_error("unexpected argument 'vm0'");
}

static void test_seconds(void **state)
{
	double v;

	(void)state;
	assert_int_equal(parse_seconds("2", &v), 0);
	assert_true(v == 2.0);
	assert_int_equal(parse_seconds("0.25", &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(parse_seconds("86400", &v), 0);
	assert_int_equal(parse_seconds("86401", &v), -ERANGE);
	assert_int_equal(parse_seconds("0", &v), -ERANGE);
	assert_int_equal(parse_seconds("", &v), -EINVAL);
	assert_int_equal(parse_seconds("-1", &v), -EINVAL);
	assert_int_equal(parse_seconds(" 1", &v), -EINVAL);
	assert_int_equal(parse_seconds("1s", &v), -EINVAL);
	assert_int_equal(parse_seconds("nan", &v), -EINVAL);
	assert_int_equal(parse_seconds("inf", &v), -EINVAL);
}

static const struct vmctl_vm_status vms[] = {
	{ .id = 0, .name = "web" },
	{ .id = 1, .name = "7" },	/* a name that looks like an id */
	{ .id = 2, .name = "db" },
	{ .id = 3, .name = "db" },
	{ .id = 12, .name = "build" },
};

#define NR_VMS (sizeof(vms) / sizeof(vms[0]))

static void test_target(void **state)
{
	size_t idx = 99;

	(void)state;
	assert_int_equal(vm_target_find(vms, NR_VMS, "web", &idx),
			 TARGET_FOUND);
	assert_int_equal(idx, 0);
	assert_int_equal(vm_target_find(vms, NR_VMS, "12", &idx),
			 TARGET_FOUND);
	assert_int_equal(idx, 4);
	assert_int_equal(vm_target_find(vms, NR_VMS, "0x0c", &idx),
			 TARGET_FOUND);
	assert_int_equal(idx, 4);
	/* An id wins over a name; a number no VM has as id is a name. */
	assert_int_equal(vm_target_find(vms, NR_VMS, "1", &idx),
			 TARGET_FOUND);
	assert_int_equal(idx, 1);
	assert_int_equal(vm_target_find(vms, NR_VMS, "7", &idx),
			 TARGET_FOUND);
	assert_int_equal(idx, 1);
	assert_int_equal(vm_target_find(vms, NR_VMS, "db", &idx),
			 TARGET_AMBIGUOUS);
	assert_int_equal(vm_target_find(vms, NR_VMS, "8", &idx),
			 TARGET_NONE);
	assert_int_equal(vm_target_find(vms, NR_VMS, "Web", &idx),
			 TARGET_NONE);
	assert_int_equal(vm_target_find(vms, 0, "web", &idx), TARGET_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ps, capture, release),
		cmocka_unit_test_setup_teardown(test_ps_errors, capture,
						release),
		cmocka_unit_test_setup_teardown(test_stats, capture, release),
		cmocka_unit_test_setup_teardown(test_stats_watch, capture,
						release),
		cmocka_unit_test_setup_teardown(test_stats_errors, capture,
						release),
		cmocka_unit_test_setup_teardown(test_stop_kill, capture,
						release),
		cmocka_unit_test_setup_teardown(test_stop_kill_errors, capture,
						release),
		cmocka_unit_test(test_parse_exit),
		cmocka_unit_test_setup_teardown(test_signal_command, capture,
						release),
		cmocka_unit_test_setup_teardown(test_events, capture, release),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests_name("vmview_options", tests, NULL,
					   NULL);
}
