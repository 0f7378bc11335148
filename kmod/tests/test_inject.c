// SPDX-License-Identifier: GPL-2.0
/*
 * The injection decision (inject.c): what goes into the guest at the next
 * VM entry and which window exits the run loop asks for instead; which
 * exceptions carry an error code, and the CR0 that rule reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include <asm/processor-flags.h>
#include "inject.h"

/* The CR0 guest/host mask of vmx/vmcs.c. */
#define CR0_OURS	(X86_CR0_NE | X86_CR0_CD | X86_CR0_NW | X86_CR0_PG)

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

/*
 * A protected-mode guest clears CR0.PE with MOV to CR0 (no bit of the
 * mask changes: no exit).  Our copy still says PE; the guest is in real
 * mode, and an exception must go in without an error code.
 */
static void test_cr0_pe_cleared_without_exit(void **state)
{
	u64 ours = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	u64 hw = X86_CR0_ET | X86_CR0_NE;
	u64 cr0 = vmctl_cr0_seen(ours, hw, CR0_OURS);

	(void)state;
	assert_int_equal(cr0, X86_CR0_ET | X86_CR0_NE);
	assert_false(vmctl_exc_error_code(cr0, 13));
	assert_true(vmctl_exc_error_code(ours, 13));
}

/* LMSW sets PE, MOV to CR0 sets TS and WP: all without an exit. */
static void test_cr0_guest_bits_from_vmcs(void **state)
{
	u64 guest = X86_CR0_PE | X86_CR0_MP | X86_CR0_TS | X86_CR0_WP |
		    X86_CR0_AM;

	(void)state;
	assert_int_equal(vmctl_cr0_seen(0, guest, CR0_OURS), guest);
}

/*
 * The bits we own come from our copy: the hardware's NE is forced on and
 * its CD/NW forced off whatever the guest wrote.
 */
static void test_cr0_our_bits_from_copy(void **state)
{
	u64 ours = X86_CR0_PE | X86_CR0_CD | X86_CR0_NW | X86_CR0_PG;
	u64 hw = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;

	(void)state;
	assert_int_equal(vmctl_cr0_seen(ours, hw, CR0_OURS), ours);
}

/* SDM 26.2.1.3: the seven vectors, in protected mode only; never #CP. */
static void test_error_code_vectors(void **state)
{
	u32 with = 0;
	unsigned int v;

	(void)state;
	for (v = 0; v < 32; v++) {
		if (vmctl_exc_error_code(X86_CR0_PE, v))
			with |= 1U << v;
		assert_false(vmctl_exc_error_code(0, v));
	}
	assert_int_equal(with, (1U << 8) | (1U << 10) | (1U << 11) |
			       (1U << 12) | (1U << 13) | (1U << 14) |
			       (1U << 17));
	assert_false(vmctl_exc_error_code(X86_CR0_PE, 32));
	assert_false(vmctl_exc_error_code(X86_CR0_PE, 255));
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
		cmocka_unit_test(test_cr0_pe_cleared_without_exit),
		cmocka_unit_test(test_cr0_guest_bits_from_vmcs),
		cmocka_unit_test(test_cr0_our_bits_from_copy),
		cmocka_unit_test(test_error_code_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
