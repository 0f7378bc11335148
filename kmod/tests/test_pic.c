// SPDX-License-Identifier: GPL-2.0
/*
 * 8259A pair model tests: Linux's initialisation sequence, masking,
 * edge and level inputs with the ELCR, the cascade, non-specific,
 * specific and automatic EOI, rotation, poll, IRR/ISR reads, spurious
 * acknowledges and re-initialisation; a snapshot's state loaded into a
 * new pair (its request comes out) and states no guest makes refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "pic.h"

static struct vmctl_pic pic;

static void out(u16 port, u8 val)
{
	assert_true(vmctl_pic_write(&pic, port, val));
}

static u8 in(u16 port)
{
	u8 v = 0;

	assert_true(vmctl_pic_read(&pic, port, &v));
	return v;
}

/* Linux's init_8259A(): vectors 0x30 and 0x38, slave on input 2. */
static void linux_init(bool auto_eoi)
{
	out(0x21, 0xff);
	out(0xa1, 0xff);
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 0x04);
	out(0x21, auto_eoi ? 0x03 : 0x01);
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 0x02);
	out(0xa1, 0x01);
	out(0x21, 0);
	out(0xa1, 0);
}

static int setup(void **state)
{
	(void)state;
	vmctl_pic_init(&pic);
	linux_init(false);
	return 0;
}

static void test_other_ports(void **state)
{
	u8 v;

	(void)state;
	assert_false(vmctl_pic_write(&pic, 0x22, 0));
	assert_false(vmctl_pic_read(&pic, 0x80, &v));
	assert_false(pic.output);
}

static void test_edge_ack_eoi(void **state)
{
	(void)state;
	vmctl_pic_set_irq(&pic, 4, true);
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_ack(&pic), 0x34);
	assert_false(pic.output);
	/* Still high: an edge input asks once per rising edge. */
	vmctl_pic_set_irq(&pic, 4, true);
	assert_false(pic.output);
	out(0x20, 0x0b);			/* OCW3: read ISR */
	assert_int_equal(in(0x20), 0x10);
	out(0x20, 0x20);			/* non-specific EOI */
	assert_int_equal(in(0x20), 0);
	vmctl_pic_set_irq(&pic, 4, false);
	vmctl_pic_set_irq(&pic, 4, true);
	assert_true(pic.output);
	out(0x20, 0x0a);			/* OCW3: read IRR */
	assert_int_equal(in(0x20), 0x10);
}

static void test_mask(void **state)
{
	(void)state;
	out(0x21, 0x10);
	vmctl_pic_set_irq(&pic, 4, true);
	assert_false(pic.output);
	assert_int_equal(in(0x21), 0x10);
	out(0x21, 0);				/* the request waited */
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_ack(&pic), 0x34);
}

static void test_priority_and_nesting(void **state)
{
	(void)state;
	vmctl_pic_set_irq(&pic, 4, true);
	vmctl_pic_set_irq(&pic, 1, true);
	assert_int_equal(vmctl_pic_ack(&pic), 0x31);
	/* IRQ 4 ranks below IRQ 1 in service: it waits for the EOI. */
	assert_false(pic.output);
	vmctl_pic_set_irq(&pic, 0, true);	/* IRQ 0 ranks higher: nests */
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_ack(&pic), 0x30);
	out(0x20, 0x60);			/* specific EOI of IRQ 0 */
	assert_false(pic.output);
	out(0x20, 0x20);			/* of IRQ 1, the highest left */
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_ack(&pic), 0x34);
}

static void test_cascade_and_elcr(void **state)
{
	(void)state;
	out(0x4d1, 0xff);			/* IRQs 8 and 13 stay edge */
	assert_int_equal(in(0x4d1), 0xde);
	out(0x4d0, 0xff);			/* IRQs 0-2 stay edge */
	assert_int_equal(in(0x4d0), 0xf8);
	vmctl_pic_set_irq(&pic, 10, true);	/* level */
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_ack(&pic), 0x3a);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	/* Still asserted: a level input asks again after its EOI. */
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_ack(&pic), 0x3a);
	vmctl_pic_set_irq(&pic, 10, false);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	assert_false(pic.output);
	/* A level request that goes away before the acknowledge. */
	vmctl_pic_set_irq(&pic, 10, true);
	vmctl_pic_set_irq(&pic, 10, false);
	assert_false(pic.output);
	/* Masking the slave's input hides it from the master too. */
	out(0xa1, 0x04);
	vmctl_pic_set_irq(&pic, 10, true);
	assert_false(pic.output);
}

static void test_spurious(void **state)
{
	(void)state;
	assert_int_equal(vmctl_pic_ack(&pic), 0x37);
	out(0x20, 0x0b);
	assert_int_equal(in(0x20), 0);		/* not in service */
}

static void test_auto_eoi_and_rotation(void **state)
{
	(void)state;
	linux_init(true);
	vmctl_pic_set_irq(&pic, 3, true);
	assert_int_equal(vmctl_pic_ack(&pic), 0x33);
	out(0x20, 0x0b);
	assert_int_equal(in(0x20), 0);
	/* Rotate in auto-EOI: the served input drops to the lowest rank. */
	out(0x20, 0x80);
	vmctl_pic_set_irq(&pic, 3, false);
	vmctl_pic_set_irq(&pic, 3, true);
	vmctl_pic_set_irq(&pic, 5, true);
	assert_int_equal(vmctl_pic_ack(&pic), 0x33);
	vmctl_pic_set_irq(&pic, 3, false);
	vmctl_pic_set_irq(&pic, 3, true);
	assert_int_equal(vmctl_pic_ack(&pic), 0x35);	/* 4 now ranks first */
	assert_int_equal(vmctl_pic_ack(&pic), 0x33);
	/* Set priority: IRQ 6 the lowest, so 7 the highest. */
	out(0x20, 0xc6);
	vmctl_pic_set_irq(&pic, 0, true);
	vmctl_pic_set_irq(&pic, 7, true);
	assert_int_equal(vmctl_pic_ack(&pic), 0x37);
}

static void test_poll(void **state)
{
	(void)state;
	out(0x20, 0x0c);
	assert_int_equal(in(0x20), 0);		/* nothing: bit 7 clear */
	vmctl_pic_set_irq(&pic, 6, true);
	out(0x20, 0x0c);
	assert_int_equal(in(0x20), 0x86);
	assert_false(pic.output);		/* polled, so in service */
	out(0x20, 0x0b);
	assert_int_equal(in(0x20), 0x40);
}

static void test_reinit_clears(void **state)
{
	(void)state;
	out(0x21, 0x55);
	vmctl_pic_set_irq(&pic, 4, true);
	out(0x21, 0xff);
	out(0x20, 0x11);			/* ICW1 clears the mask ... */
	assert_int_equal(in(0x21), 0);
	out(0x21, 0x40);
	out(0x21, 0x04);
	out(0x21, 0x01);
	/* ... and the edge detectors: IRQ 4 must rise again. */
	assert_false(pic.output);
	vmctl_pic_set_irq(&pic, 4, false);
	vmctl_pic_set_irq(&pic, 4, true);
	assert_int_equal(vmctl_pic_ack(&pic), 0x44);
	/* The cascade input is not an ISA line. */
	vmctl_pic_set_irq(&pic, 2, true);
	vmctl_pic_set_irq(&pic, 16, true);
	out(0x20, 0x0a);
	assert_int_equal(in(0x20), 0);
}

static void test_load_and_check(void **state)
{
	struct vmctl_pic other, bad;

	(void)state;
	out(0x4d1, 0xff);			/* slave: level where it may be */
	out(0xa1, 0xf7);			/* IRQ 11 only */
	vmctl_pic_set_irq(&pic, 11, true);
	assert_true(pic.output);
	assert_int_equal(vmctl_pic_check(&pic), 0);
	vmctl_pic_init(&other);
	vmctl_pic_load(&other, &pic);
	assert_true(other.output);
	assert_int_equal(vmctl_pic_ack(&other), 0x3b);
	/* The same with the cascade's request stale: recomputed. */
	bad = pic;
	bad.chip[0].irr = 0;
	bad.output = false;
	vmctl_pic_load(&other, &bad);
	assert_true(other.output);
#define REFUSED(field, value) do {					\
		bad = pic;						\
		bad.field = value;					\
		assert_int_equal(vmctl_pic_check(&bad), -EINVAL);	\
	} while (0)
	REFUSED(chip[0].elcr, 0x01);		/* IRQ 0 is wired to edge */
	REFUSED(chip[1].elcr, 0x21);		/* IRQ 13 too */
	REFUSED(chip[0].vector_base, 0x31);
	REFUSED(chip[1].priority_add, 8);
	REFUSED(chip[0].init_state, 4);
#undef REFUSED
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_other_ports),
		T(test_edge_ack_eoi),
		T(test_mask),
		T(test_priority_and_nesting),
		T(test_cascade_and_elcr),
		T(test_spurious),
		T(test_auto_eoi_and_rotation),
		T(test_poll),
		T(test_reinit_clears),
		T(test_load_and_check),
	};

	return cmocka_run_group_tests_name("pic", tests, NULL, NULL);
}
