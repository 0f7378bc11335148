// SPDX-License-Identifier: GPL-2.0
/*
 * 8254 PIT model tests: counter 0 in modes 0, 2 and 3 (the count read
 * back, IRQ 0's edges), the counter latch and read-back commands with
 * the status byte, LSB/MSB access, counter 2 behind port 0x61's gate and
 * output as Linux's calibration drives it, values no guest sends, and
 * the state a snapshot carries: saved at one time, loaded at another,
 * the counter goes on where it was; states no guest makes are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "pit.h"

#define NS_PER_TICK	838	/* 1e9 / 1193182, rounded down */
#define T0		1000000000ULL	/* an arbitrary start */

static struct vmctl_pit pit;

static void out(u16 port, u8 val, u64 now)
{
	assert_true(vmctl_pit_write(&pit, port, val, now));
}

static u8 in(u16 port, u64 now)
{
	u8 v = 0;

	assert_true(vmctl_pit_read(&pit, port, &v, now));
	return v;
}

/* Ticks to ns, the model's way. */
static u64 ns(u64 ticks)
{
	return ticks * 1000000000ULL / VMCTL_PIT_HZ;
}

static u16 read16(u16 port, u64 now)
{
	u8 lo = in(port, now);

	return lo | in(port, now) << 8;
}

static int setup(void **state)
{
	(void)state;
	vmctl_pit_init(&pit);
	return 0;
}

static void test_unprogrammed(void **state)
{
	u8 v;

	(void)state;
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0), 0);
	assert_false(vmctl_pit_write(&pit, 0x44, 0, T0));
	assert_false(vmctl_pit_read(&pit, 0x3f, &v, T0));
	assert_int_equal(in(0x43, T0), 0xff);	/* write-only */
	/* Data with no control word yet: ignored. */
	out(0x40, 0x12, T0);
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0), 0);
}

static void test_mode2_periodic(void **state)
{
	u64 next;

	(void)state;
	out(0x43, 0x34, T0);		/* counter 0, LSB then MSB, mode 2 */
	out(0x40, 1000 & 0xff, T0);
	out(0x40, 1000 >> 8, T0);
	next = vmctl_pit_irq0_next(&pit, T0);
	assert_int_equal(next, T0 + ns(1000));
	/* Each period, from the first edge on. */
	assert_int_equal(vmctl_pit_irq0_next(&pit, next), T0 + ns(2000));
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0 + ns(5500)),
			 T0 + ns(6000));
	/* The count runs down from 1000 and reloads. */
	assert_int_equal(read16(0x40, T0 + ns(300) + 1), 700);
	assert_int_equal(read16(0x40, T0 + ns(1300) + 1), 700);
}

static void test_mode0_oneshot(void **state)
{
	(void)state;
	out(0x43, 0x30, T0);		/* mode 0 */
	out(0x40, 0x00, T0);
	out(0x40, 0x01, T0);		/* 256 */
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0), T0 + ns(256));
	/* Once: nothing after the terminal count. */
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0 + ns(256) + 1), 0);
	/* Past it the count wraps and goes on down. */
	assert_int_equal(read16(0x40, T0 + ns(260) + 1), 0xfffc);
	/* A count of 0 is 65536. */
	out(0x43, 0x30, T0);
	out(0x40, 0, T0);
	out(0x40, 0, T0);
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0), T0 + ns(65536));
}

static void test_mode3_square(void **state)
{
	u8 st;

	(void)state;
	out(0x43, 0x36, T0);		/* mode 3 */
	out(0x40, 100, T0);
	out(0x40, 0, T0);
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0 + 1), T0 + ns(100));
	out(0x43, 0xe2, T0 + ns(10) + 1);	/* read-back: status of 0 */
	st = in(0x40, T0);
	assert_int_equal(st, 0x80 | 0x30 | 0x06);	/* output high */
	out(0x43, 0xe2, T0 + ns(60) + 1);
	assert_int_equal(in(0x40, T0) & 0x80, 0);	/* second half: low */
	/* Modes 6 and 7 are 2 and 3. */
	out(0x43, 0x3e, T0);
	out(0x43, 0xe2, T0);
	assert_int_equal(in(0x40, T0) & 0x0e, 0x06);
}

static void test_latch_and_access_modes(void **state)
{
	(void)state;
	out(0x43, 0x34, T0);
	out(0x40, 0x10, T0);
	out(0x40, 0x27, T0);		/* 10000 */
	out(0x43, 0x00, T0 + ns(100) + 1);	/* latch counter 0 */
	/* The latched value holds while time goes on. */
	assert_int_equal(read16(0x40, T0 + ns(5000)), 9900);
	assert_int_equal(read16(0x40, T0 + ns(200) + 1), 9800);
	/* A second latch before the first is read changes nothing. */
	out(0x43, 0x00, T0 + ns(300) + 1);
	out(0x43, 0x00, T0 + ns(400) + 1);
	assert_int_equal(read16(0x40, T0), 9700);
	/* MSB only. */
	out(0x43, 0x24, T0);
	out(0x40, 0x02, T0);		/* 512 */
	assert_int_equal(vmctl_pit_irq0_next(&pit, T0), T0 + ns(512));
	assert_int_equal(in(0x40, T0 + ns(256) + 1), 0x01);
	/* LSB only. */
	out(0x43, 0x14, T0);
	out(0x40, 200, T0);
	assert_int_equal(in(0x40, T0 + ns(50) + 1), 150);
	/* Read-back of count and status together: status first. */
	out(0x43, 0xc2, T0 + ns(20) + 1);
	assert_int_equal(in(0x40, T0), 0x80 | 0x10 | 0x04);
	assert_int_equal(in(0x40, T0), 180);
}

/* Linux's pit_calibrate_tsc() and quick_pit_calibrate(). */
static void test_counter2_port61(void **state)
{
	u64 t;

	(void)state;
	assert_int_equal(in(0x61, T0) & 0x01, 0);	/* gate off */
	out(0x61, 0x01, T0);			/* gate on, speaker off */
	out(0x43, 0xb0, T0);			/* counter 2, mode 0 */
	out(0x42, 0xff, T0);
	out(0x42, 0xff, T0);
	assert_int_equal(in(0x61, T0) & 0x23, 0x01);	/* counting: out low */
	assert_int_equal(read16(0x42, T0 + ns(0x100) + 1), 0xfeff);
	/* The output rises at terminal count. */
	t = T0 + ns(0xffff);
	assert_int_equal(in(0x61, t - 1000) & 0x20, 0);
	assert_int_equal(in(0x61, t + 1) & 0x20, 0x20);
	/* Gate off in mode 0 pauses the count; on again resumes it. */
	out(0x43, 0xb0, T0);
	out(0x42, 0x00, T0);
	out(0x42, 0x10, T0);			/* 4096 */
	out(0x61, 0x00, T0 + ns(96) + 1);
	assert_int_equal(read16(0x42, T0 + ns(3000)), 4000);
	out(0x61, 0x01, T0 + ns(3000));
	assert_int_equal(read16(0x42, T0 + ns(3100) + 1), 3900);
	/* The speaker bit reads back; counter 0 knows nothing of the gate. */
	out(0x61, 0x03, T0);
	assert_int_equal(in(0x61, T0) & 0x03, 0x03);
	/* Bit 4 toggles with the refresh clock. */
	assert_int_not_equal(in(0x61, 0) & 0x10, in(0x61, 15085) & 0x10);
}

static void test_mode1_waits_for_gate(void **state)
{
	(void)state;
	out(0x43, 0xb2, T0);			/* counter 2, mode 1 */
	out(0x42, 100, T0);
	out(0x42, 0, T0);
	assert_int_equal(in(0x61, T0 + ns(200)) & 0x20, 0x20);
	out(0x61, 0x01, T0 + ns(200));		/* the trigger */
	assert_int_equal(in(0x61, T0 + ns(250)) & 0x20, 0);
	assert_int_equal(in(0x61, T0 + ns(301) + 1) & 0x20, 0x20);
}

static void test_hostile(void **state)
{
	u64 next;
	int i;

	(void)state;
	/* Every control word, then data, at times that go backwards. */
	for (i = 0; i < 256; i++) {
		out(0x43, i, T0 - i);
		out(0x40 + (i & 3) % 3, i, T0 + i);
		out(0x40 + (i & 3) % 3, 0, T0 - 5 * i);
		out(0x61, i, T0 + 2 * i);
		(void)in(0x40 + i % 3, T0 - i);
		(void)in(0x61, ~0ULL - i);
	}
	/* Mode 2 with count 1 and 2: the edge is still after @now. */
	out(0x43, 0x34, T0);
	out(0x40, 1, T0);
	out(0x40, 0, T0);
	next = vmctl_pit_irq0_next(&pit, T0 + ns(7));
	assert_true(next > T0 + ns(7));
	out(0x43, 0x36, T0);
	out(0x40, 1, T0);
	out(0x40, 0, T0);
	(void)read16(0x40, T0 + 12345);
	assert_true(vmctl_pit_irq0_next(&pit, ~0ULL >> 2) > ~0ULL >> 2);
}

static void test_save_load_keeps_phase(void **state)
{
	struct vmctl_pit saved, other;
	const u64 later = 777 * T0;	/* another host's clock */

	(void)state;
	out(0x43, 0x34, T0);		/* mode 2, 1000 ticks */
	out(0x40, 1000 & 0xff, T0);
	out(0x40, 1000 >> 8, T0);
	vmctl_pit_save(&pit, T0 + ns(2300), &saved);
	assert_int_equal(saved.c[0].start, 0);
	assert_in_range(saved.c[0].held, 2299, 2300);
	assert_int_equal(vmctl_pit_check(&saved), 0);
	vmctl_pit_init(&other);
	vmctl_pit_load(&other, &saved, later);
	/* 700 ticks to the next edge, then every 1000, as before. */
	pit = other;
	assert_in_range(vmctl_pit_irq0_next(&pit, later),
			later + ns(699), later + ns(701));
	assert_in_range(read16(0x40, later), 699, 701);
	assert_in_range(vmctl_pit_irq0_next(&pit, later + ns(800)),
			later + ns(1699), later + ns(1701));
}

static void test_check_refuses(void **state)
{
	struct vmctl_pit bad;

	(void)state;
	out(0x43, 0x34, T0);
	out(0x40, 0, T0);
	out(0x40, 0, T0);		/* 65536 */
	vmctl_pit_save(&pit, T0, &bad);
	assert_int_equal(bad.c[0].reload, 0x10000);
	assert_int_equal(vmctl_pit_check(&bad), 0);
#define REFUSED(field, value) do {					\
		vmctl_pit_save(&pit, T0, &bad);				\
		bad.field = value;					\
		assert_int_equal(vmctl_pit_check(&bad), -EINVAL);	\
	} while (0)
	REFUSED(c[0].reload, 0);	/* armed: a division by 0 */
	REFUSED(c[1].reload, 0x10001);
	REFUSED(c[2].mode, 6);
	REFUSED(c[0].rw, 4);
	REFUSED(c[1].bcd, 2);
	REFUSED(c[1].counting, true);	/* not armed */
	REFUSED(c[0].held, VMCTL_PIT_MAX_TICKS);
	REFUSED(c[0].held, ~0ULL);
#undef REFUSED
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_unprogrammed),
		T(test_mode2_periodic),
		T(test_mode0_oneshot),
		T(test_mode3_square),
		T(test_latch_and_access_modes),
		T(test_counter2_port61),
		T(test_mode1_waits_for_gate),
		T(test_hostile),
		T(test_save_load_keeps_phase),
		T(test_check_refuses),
	};

	return cmocka_run_group_tests_name("pit", tests, NULL, NULL);
}
