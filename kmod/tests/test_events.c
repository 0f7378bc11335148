// SPDX-License-Identifier: GPL-2.0
/*
 * The events a vCPU may be given (events.c): each combination the next
 * VM entry would refuse is refused, the ones it takes pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "events.h"

static const struct vmctl_events_ctx prot_if = {
	.pe = true, .if_set = true, .irqchip = true,
};

static void test_exception_rules(void **state)
{
	struct vmctl_exc e = { .vector = 13, .has_error_code = true };
	int v;

	(void)state;
	assert_true(vmctl_exception_valid(&e, true));
	assert_false(vmctl_exception_valid(&e, false));	/* real mode */
	e.error_code = 0x10000;
	assert_false(vmctl_exception_valid(&e, true));
	e = (struct vmctl_exc){ .vector = 6 };
	assert_true(vmctl_exception_valid(&e, true));
	e.error_code = 1;				/* code without one */
	assert_false(vmctl_exception_valid(&e, true));
	e = (struct vmctl_exc){ .vector = 6, .has_error_code = true };
	assert_false(vmctl_exception_valid(&e, true));
	for (v = 32; v < 256; v += 37) {
		e = (struct vmctl_exc){ .vector = v };
		assert_false(vmctl_exception_valid(&e, true));
	}
	e = (struct vmctl_exc){ .vector = 2 };
	assert_false(vmctl_exception_valid(&e, true));
	e = (struct vmctl_exc){ .vector = 21, .has_error_code = true };
	assert_false(vmctl_exception_valid(&e, true));
	e.has_error_code = false;
	assert_false(vmctl_exception_valid(&e, true));
}

static void test_shadow(void **state)
{
	struct vmctl_events ev = { .shadow = VMCTL_EV_SHADOW_STI };
	struct vmctl_events_ctx no_if = prot_if;

	(void)state;
	no_if.if_set = false;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), 0);
	assert_int_equal(vmctl_events_check(&ev, &no_if), -EINVAL);
	ev.shadow = VMCTL_EV_SHADOW_MOV_SS;
	assert_int_equal(vmctl_events_check(&ev, &no_if), 0);
	ev.shadow = VMCTL_EV_SHADOW_STI | VMCTL_EV_SHADOW_MOV_SS;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
	ev.shadow = 4;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
}

static void test_injected_interrupt(void **state)
{
	struct vmctl_events ev = {
		.injected_type = VMCTL_EV_INTERRUPT,
		.injected.vector = 0x30,
	};
	struct vmctl_events_ctx no_if = prot_if;

	(void)state;
	no_if.if_set = false;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), 0);
	assert_int_equal(vmctl_events_check(&ev, &no_if), -EINVAL);
	ev.shadow = VMCTL_EV_SHADOW_MOV_SS;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
	ev.shadow = 0;
	ev.injected.error_code = 1;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
}

static void test_injected_nmi(void **state)
{
	struct vmctl_events ev = {
		.injected_type = VMCTL_EV_NMI,
		.injected.vector = 2,
		.nmi_masked = true,	/* lifted at the entry */
	};
	struct vmctl_events_ctx no_if = prot_if;

	(void)state;
	no_if.if_set = false;
	assert_int_equal(vmctl_events_check(&ev, &no_if), 0);
	ev.shadow = VMCTL_EV_SHADOW_MOV_SS;
	assert_int_equal(vmctl_events_check(&ev, &no_if), -EINVAL);
	ev.shadow = 0;
	ev.injected.vector = 3;
	assert_int_equal(vmctl_events_check(&ev, &no_if), -EINVAL);
}

static void test_injected_and_pending_exception(void **state)
{
	struct vmctl_events ev = {
		.injected_type = VMCTL_EV_EXCEPTION,
		.injected = { .vector = 14, .has_error_code = true,
			      .error_code = 2 },
		.exc_pending = true,
		.exc = { .vector = 1 },
	};

	(void)state;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), 0);
	ev.exc.vector = 13;		/* #GP needs its code */
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
	ev.exc_pending = false;		/* and none when nothing pends */
	ev.exc.vector = 0;
	ev.exc.error_code = 5;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
	ev.exc.error_code = 0;
	ev.injected.vector = 2;
	ev.injected.has_error_code = false;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
}

static void test_nothing_injected_means_zeros(void **state)
{
	struct vmctl_events ev = { .injected.vector = 0x20 };

	(void)state;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
	ev.injected.vector = 0;
	ev.injected_type = 4;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), -EINVAL);
}

static void test_nmi_pending_needs_irqchip(void **state)
{
	struct vmctl_events ev = { .nmi_pending = true, .nmi_masked = true };
	struct vmctl_events_ctx none = prot_if;

	(void)state;
	none.irqchip = false;
	assert_int_equal(vmctl_events_check(&ev, &prot_if), 0);
	assert_int_equal(vmctl_events_check(&ev, &none), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exception_rules),
		cmocka_unit_test(test_shadow),
		cmocka_unit_test(test_injected_interrupt),
		cmocka_unit_test(test_injected_nmi),
		cmocka_unit_test(test_injected_and_pending_exception),
		cmocka_unit_test(test_nothing_injected_means_zeros),
		cmocka_unit_test(test_nmi_pending_needs_irqchip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
