// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl migrate's and vmctl run --incoming's command lines, and the
 * addresses they take ([tcp:][HOST:]PORT, tcp.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "tcp.h"
#include "vmview.h"

#define MIGRATE(o, ...) \
	migrate_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)
#define RUN(o, ...) run_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

static void said(const char *text)
{
	if (!strstr(errors(), text))
		fail_msg("\"%s\" not in \"%s\"", text, errors());
}

static void test_migrate_options(void **state)
{
	struct migrate_opts o;

	capture(state);
	assert_int_equal(MIGRATE(&o, "migrate", "vm1", "tcp:h:4444"),
			 PARSE_OK);
	assert_string_equal(o.target, "vm1");
	assert_string_equal(o.addr, "tcp:h:4444");
	assert_true(!o.max_rounds && !o.max_final_pages);
	assert_int_equal(MIGRATE(&o, "migrate", "--max-rounds", "3",
				 "--max-final-pages", "10", "vm1", "h:1"),
			 PARSE_OK);
	assert_true(o.max_rounds == 3 && o.max_final_pages == 10);
	assert_true(!o.max_downtime_ms && !o.timeout_s && !o.no_auto_converge);
	assert_int_equal(MIGRATE(&o, "migrate", "--max-downtime", "50",
				 "--timeout", "30", "--no-auto-converge", "vm1",
				 "h:1"), PARSE_OK);
	assert_true(o.max_downtime_ms == 50 && o.timeout_s == 30 &&
		    o.no_auto_converge);
	assert_int_equal(o.max_bandwidth, 0);
	assert_int_equal(MIGRATE(&o, "migrate", "--max-bandwidth", "32M", "v",
				 "h:1"), PARSE_OK);
	assert_int_equal(o.max_bandwidth, 32 << 20);
	assert_int_equal(MIGRATE(&o, "migrate", "--max-bandwidth", "0", "v",
				 "h:1"), PARSE_ERROR);
	said("--max-bandwidth: '0' is not a number of bytes a second");
	assert_int_equal(MIGRATE(&o, "migrate", "--max-bandwidth", "1X", "v",
				 "h:1"), PARSE_ERROR);
	assert_int_equal(MIGRATE(&o, "migrate", "--max-downtime", "0", "v",
				 "h:1"), PARSE_ERROR);
	said("--max-downtime: '0' is not a number of milliseconds");
	assert_int_equal(MIGRATE(&o, "migrate", "--timeout", "5000000000",
				 "v", "h:1"), PARSE_ERROR);
	said("--timeout: '5000000000' is not a number of seconds");
	assert_int_equal(MIGRATE(&o, "migrate", "vm1"), PARSE_ERROR);
	said("Give the destination's HOST:PORT");
	assert_int_equal(MIGRATE(&o, "migrate"), PARSE_ERROR);
	said("which VM?");
	assert_int_equal(MIGRATE(&o, "migrate", "--max-rounds", "65", "v",
				 "h:1"), PARSE_ERROR);
	said("not between 1 and 64");
	assert_int_equal(MIGRATE(&o, "migrate", "--max-final-pages", "x", "v",
				 "h:1"), PARSE_ERROR);
	assert_int_equal(MIGRATE(&o, "migrate", "v", "h:1", "more"),
			 PARSE_ERROR);
	said("unexpected argument 'more'");
	assert_int_equal(MIGRATE(&o, "migrate", "-h"), PARSE_HELP);
	release(state);
}

static void test_run_incoming(void **state)
{
	struct run_opts o;

	capture(state);
	assert_int_equal(RUN(&o, "run", "--incoming", "4444", "--name", "n",
			     "--console", "log"), PARSE_OK);
	assert_string_equal(o.incoming, "4444");
	assert_null(o.restore);
	assert_int_equal(RUN(&o, "run", "--incoming", "4444", "--cpus", "2"),
			 PARSE_ERROR);
	said("--incoming takes only --name, --console and --net");
	assert_int_equal(RUN(&o, "run", "--incoming", "4444", "--net",
			     "tap=t1"), PARSE_OK);
	assert_string_equal(o.nets[0].tap, "t1");
	assert_int_equal(RUN(&o, "run", "--incoming", "1", "--restore", "f"),
			 PARSE_ERROR);
	said("not both");
	release(state);
}

static void test_addresses(void **state)
{
	char host[64], port[8];

	(void)state;
	assert_int_equal(tcp_addr_parse("tcp:example.org:4444", 1, host,
					sizeof(host), port, sizeof(port)), 0);
	assert_string_equal(host, "example.org");
	assert_string_equal(port, "4444");
	assert_int_equal(tcp_addr_parse("[::1]:5", 1, host, sizeof(host),
					port, sizeof(port)), 0);
	assert_string_equal(host, "::1");
	assert_string_equal(port, "5");
	/* The destination's host may be left out: every address. */
	assert_int_equal(tcp_addr_parse("tcp:4444", 0, host, sizeof(host),
					port, sizeof(port)), 0);
	assert_string_equal(host, "");
	assert_int_equal(tcp_addr_parse(":4444", 0, host, sizeof(host), port,
					sizeof(port)), 0);
	assert_string_equal(port, "4444");
	assert_int_equal(tcp_addr_parse("4444", 1, host, sizeof(host), port,
					sizeof(port)), -EINVAL);
	assert_int_equal(tcp_addr_parse("h:", 1, host, sizeof(host), port,
					sizeof(port)), -EINVAL);
	assert_int_equal(tcp_addr_parse("h:http", 1, host, sizeof(host), port,
					sizeof(port)), -EINVAL);
	assert_int_equal(tcp_addr_parse("h:123456789", 1, host, sizeof(host),
					port, sizeof(port)), -EINVAL);
	assert_int_equal(tcp_addr_parse("[::1:5", 1, host, sizeof(host),
					port, sizeof(port)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_options),
		cmocka_unit_test(test_run_incoming),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
