// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CMOS clock: the host's time in BCD and binary, 24 and 12-hour
 * form, never an update in progress (Linux would spin on it), the valid
 * bit, NVRAM that keeps what is written, read-only clock and status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rtc.h"

static struct vmctl_rtc rtc;

/* 2026-11-22 20:07:09 UTC, a Sunday. */
static time_t fixed_now(time_t *t)
{
	time_t v = 1795378029;

	if (t)
		*t = v;
	return v;
}

static int setup(void **state)
{
	(void)state;
	vmctl_rtc_init(&rtc);
	rtc.now = fixed_now;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pthread_mutex_destroy(&rtc.lock);
	return 0;
}

static uint8_t reg(uint8_t index)
{
	vmctl_rtc_ops.write(&rtc, 0, 1, index);
	return vmctl_rtc_ops.read(&rtc, 1, 1);
}

static void set_reg(uint8_t index, uint8_t v)
{
	vmctl_rtc_ops.write(&rtc, 0, 1, index);
	vmctl_rtc_ops.write(&rtc, 1, 1, v);
}

static void test_bcd_24h(void **state)
{
	(void)state;
	assert_int_equal(reg(0x00), 0x09);
	assert_int_equal(reg(0x02), 0x07);
	assert_int_equal(reg(0x04), 0x20);
	assert_int_equal(reg(0x06), 0x01);	/* Sunday is day 1 */
	assert_int_equal(reg(0x07), 0x22);
	assert_int_equal(reg(0x08), 0x11);
	assert_int_equal(reg(0x09), 0x26);
	assert_int_equal(reg(0x32), 0x20);
}

static void test_binary_12h(void **state)
{
	(void)state;
	set_reg(0x0b, 0x04);			/* binary, 12-hour */
	assert_int_equal(reg(0x04), 0x80 | 8);	/* 8 PM */
	assert_int_equal(reg(0x07), 22);
	assert_int_equal(reg(0x09), 26);
	set_reg(0x0b, 0x00);			/* BCD, 12-hour */
	assert_int_equal(reg(0x04), 0x88);
}

static void test_status_registers(void **state)
{
	(void)state;
	assert_int_equal(reg(0x0a) & 0x80, 0);	/* no update in progress */
	assert_int_equal(reg(0x0a), 0x26);
	set_reg(0x0a, 0xa6);			/* UIP is not writable */
	assert_int_equal(reg(0x0a), 0x26);
	assert_int_equal(reg(0x0b), 0x02);
	assert_int_equal(reg(0x0c), 0);
	assert_int_equal(reg(0x0d), 0x80);	/* battery good */
	set_reg(0x0c, 0xff);
	set_reg(0x0d, 0x00);
	assert_int_equal(reg(0x0c), 0);
	assert_int_equal(reg(0x0d), 0x80);
}

static void test_clock_is_read_only(void **state)
{
	(void)state;
	set_reg(0x00, 0x42);
	set_reg(0x09, 0x99);
	assert_int_equal(reg(0x00), 0x09);
	assert_int_equal(reg(0x09), 0x26);
}

static void test_nvram_and_alarm(void **state)
{
	(void)state;
	set_reg(0x01, 0x30);			/* alarm seconds: plain RAM */
	set_reg(0x0f, 0x0a);			/* shutdown status */
	set_reg(0x7f, 0x5a);
	assert_int_equal(reg(0x01), 0x30);
	assert_int_equal(reg(0x0f), 0x0a);
	assert_int_equal(reg(0x7f), 0x5a);
}

static void test_index_port(void **state)
{
	(void)state;
	/* Bit 7 of the index masks NMI; it is not part of the index. */
	vmctl_rtc_ops.write(&rtc, 0, 1, 0x80 | 0x0d);
	assert_int_equal(vmctl_rtc_ops.read(&rtc, 1, 1), 0x80);
	assert_int_equal(vmctl_rtc_ops.read(&rtc, 0, 1), 0x0d);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bcd_24h),
		T(test_binary_12h),
		T(test_status_registers),
		T(test_clock_is_read_only),
		T(test_nvram_and_alarm),
		T(test_index_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
