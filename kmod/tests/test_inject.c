// SPDX-License-Identifier: GPL-2.0
/*
 * The injection decision (inject.c): what goes into the guest at the next
 * VM entry and which window exits the run loop asks for instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "inject.h"

/* A guest that can take anything: IF=1, no blocking, nothing queued. */
static struct vmctl_inject_in open_guest(void)
{
	struct vmctl_inject_in in = { .vector = -1, .if_set = true };

	return in;
}

static void test_nothing_pending(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	assert_int_equal(vmctl_inject_decide(&in), 0);
	in.if_set = false;
	in.shadow = true;
	in.event_queued = true;
	assert_int_equal(vmctl_inject_decide(&in), 0);
}

static void test_irq_injected_when_open(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.vector = 0x40;
	assert_int_equal(vmctl_inject_decide(&in), VMCTL_INJECT_IRQ);
}

static void test_irq_waits_for_if(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.vector = 0x40;
	in.if_set = false;
	assert_int_equal(vmctl_inject_decide(&in), VMCTL_WANT_IRQ_WINDOW);
}

static void test_irq_waits_for_sti_shadow(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.vector = 0x40;
	in.shadow = true;
	assert_int_equal(vmctl_inject_decide(&in), VMCTL_WANT_IRQ_WINDOW);
}

static void test_queued_event_goes_first(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.vector = 0x40;
	in.nmi_pending = true;
	in.event_queued = true;
	assert_int_equal(vmctl_inject_decide(&in),
			 VMCTL_WANT_NMI_WINDOW | VMCTL_WANT_IRQ_WINDOW);
}

static void test_nmi_before_irq(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.vector = 0x40;
	in.nmi_pending = true;
	assert_int_equal(vmctl_inject_decide(&in),
			 VMCTL_INJECT_NMI | VMCTL_WANT_IRQ_WINDOW);
}

static void test_nmi_ignores_if(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.nmi_pending = true;
	in.if_set = false;
	assert_int_equal(vmctl_inject_decide(&in), VMCTL_INJECT_NMI);
}

static void test_nmi_blocked_waits(void **state)
{
	struct vmctl_inject_in in = open_guest();

	(void)state;
	in.nmi_pending = true;
	in.nmi_blocked = true;
	in.vector = 0x40;
	/* The interrupt still goes in: NMI blocking does not mask it. */
	assert_int_equal(vmctl_inject_decide(&in),
			 VMCTL_WANT_NMI_WINDOW | VMCTL_INJECT_IRQ);
	in.nmi_blocked = false;
	in.shadow = true;
	assert_int_equal(vmctl_inject_decide(&in),
			 VMCTL_WANT_NMI_WINDOW | VMCTL_WANT_IRQ_WINDOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_pending),
		cmocka_unit_test(test_irq_injected_when_open),
		cmocka_unit_test(test_irq_waits_for_if),
		cmocka_unit_test(test_irq_waits_for_sti_shadow),
		cmocka_unit_test(test_queued_event_goes_first),
		cmocka_unit_test(test_nmi_before_irq),
		cmocka_unit_test(test_nmi_ignores_if),
		cmocka_unit_test(test_nmi_blocked_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
