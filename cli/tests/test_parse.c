// SPDX-License-Identifier: GPL-2.0
/* Numbers and sizes on the command line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmctl.h"

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("2M", &v), 0);
	assert_int_equal(v, 2ULL << 20);
	assert_int_equal(parse_size("2m", &v), 0);
	assert_int_equal(v, 2ULL << 20);
	assert_int_equal(parse_size("64K", &v), 0);
	assert_int_equal(v, 64ULL << 10);
	assert_int_equal(parse_size("3G", &v), 0);
	assert_true(v == 3ULL << 30);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_true(v == 1ULL << 40);
	assert_int_equal(parse_size("0x1000", &v), 0);
	assert_int_equal(v, 0x1000);
	assert_int_equal(parse_size("0x10M", &v), 0);
	assert_int_equal(v, 16ULL << 20);
	assert_int_equal(parse_size("0", &v), 0);
	assert_int_equal(v, 0);
}

static void test_size_garbage(void **state)
{
	static const char *const bad[] = {
		"", "M", "abc", "12x", "12MB", "12 M", " 12", "-1", "+1",
		"1.5G", "0x", "0xG", "1e6", "12k3", "0x1g0",
	};
	uint64_t v = 77;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_size(bad[i], &v) != -EINVAL)
			fail_msg("parse_size(\"%s\") accepted", bad[i]);
	}
	assert_int_equal(v, 77);	/* untouched on error */
}

static void test_size_overflow(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE); /* 2^64 */
	assert_int_equal(parse_size("17179869183G", &v), 0);
	assert_int_equal(parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(parse_size("0xffffffffffffffffK", &v), -ERANGE);
	assert_int_equal(parse_size("99999999999999999999999", &v), -ERANGE);
}

static void test_numbers(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("0x7c00", &v), 0);
	assert_int_equal(v, 0x7c00);
	assert_int_equal(parse_u64("0X7C00", &v), 0);
	assert_int_equal(v, 0x7c00);
	assert_int_equal(parse_u64("31744", &v), 0);
	assert_int_equal(v, 31744);
	assert_int_equal(parse_u64("010", &v), 0);	/* decimal, not octal */
	assert_int_equal(v, 10);
	assert_int_equal(parse_u64("1K", &v), -EINVAL);	/* no suffixes */
	assert_int_equal(parse_u64("0x", &v), -EINVAL);
	assert_int_equal(parse_u64("-5", &v), -EINVAL);
	assert_int_equal(parse_u64("", &v), -EINVAL);
	assert_int_equal(parse_u64("7c00", &v), -EINVAL);
	assert_int_equal(parse_u64("0x10000000000000000", &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_size_garbage),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
