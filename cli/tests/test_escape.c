// SPDX-License-Identifier: GPL-2.0
/* The console's Ctrl-A escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "console.h"

static size_t filter(struct escape *e, const char *in, char *out,
		     enum escape_action *a)
{
	size_t n = escape_filter(e, (const uint8_t *)in, strlen(in),
				 (uint8_t *)out, a);

	out[n] = '\0';
	return n;
}

static void test_plain_input_passes(void **state)
{
	struct escape e = { 0 };
	enum escape_action a;
	char out[64];

	(void)state;
	assert_int_equal(filter(&e, "ls -l\r\x03", out, &a), 7);
	assert_string_equal(out, "ls -l\r\x03");	/* Ctrl-C too */
	assert_int_equal(a, ESC_NONE);
}

static void test_quit(void **state)
{
	struct escape e = { 0 };
	enum escape_action a;
	char out[64];

	(void)state;
	filter(&e, "ab\x01xcd", out, &a);
	assert_int_equal(a, ESC_QUIT);
	assert_string_equal(out, "ab");		/* nothing after the quit */
}

static void test_quit_split_across_reads(void **state)
{
	struct escape e = { 0 };
	enum escape_action a;
	char out[64];

	(void)state;
	filter(&e, "a\x01", out, &a);
	assert_string_equal(out, "a");
	assert_int_equal(a, ESC_NONE);
	filter(&e, "x", out, &a);
	assert_int_equal(a, ESC_QUIT);
}

static void test_literal_ctrl_a_and_others(void **state)
{
	struct escape e = { 0 };
	enum escape_action a;
	char out[64];

	(void)state;
	filter(&e, "\x01\x01z\x01qy", out, &a);
	assert_string_equal(out, "\x01zy");	/* C-a C-a sends one, C-a q dropped */
	assert_int_equal(a, ESC_NONE);
	filter(&e, "\x01h", out, &a);
	assert_int_equal(a, ESC_HELP);
	assert_string_equal(out, "");
	/* a plain x is just an x */
	filter(&e, "x", out, &a);
	assert_string_equal(out, "x");
	assert_int_equal(a, ESC_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_input_passes),
		cmocka_unit_test(test_quit),
		cmocka_unit_test(test_quit_split_across_reads),
		cmocka_unit_test(test_literal_ctrl_a_and_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
