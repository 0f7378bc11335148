// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC model tests: registers through x2APIC MSRs and the xAPIC
 * page, priorities, IPIs and their routing, INIT/SIPI, and the timer in
 * its three modes against a TSC the test advances by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "lapic.h"

#define MSR(reg)	(VMCTL_MSR_X2APIC_FIRST + (reg))
#define T0		1000000ULL	/* TSC at the start of timer tests */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The TSC runs at three times the APIC timer's crystal. */
static const struct vmctl_lapic_clock clock = {
	.tsc_per_crystal_num = 3, .tsc_per_crystal_den = 1,
};

static struct vmctl_lapic apic;
static struct vmctl_lapic_out out;

static int setup(void **state)
{
	(void)state;
	return vmctl_lapic_init(&apic, 5, true, true, &clock);
}

static u64 rd(u32 reg)
{
	u64 v = 0xdeadbeef;

	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(reg), &v, T0), 0);
	return v;
}

static void wr_at(u32 reg, u64 val, u64 tsc)
{
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(reg), val, tsc, &out), 0);
}

static void wr(u32 reg, u64 val)
{
	wr_at(reg, val, T0);
}

static void enable(void)
{
	wr(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | 0xff);
}

static struct vmctl_apic_irq fixed(u8 vector, bool level)
{
	return (struct vmctl_apic_irq){ .vector = vector, .level = level,
		.assert = true, .delivery = LAPIC_DM_FIXED, .dest = apic.id };
}

static void inject(u8 vector)
{
	struct vmctl_apic_irq irq = fixed(vector, false);

	assert_true(vmctl_lapic_deliver(&apic, &irq));
}

static void test_power_up_state(void **state)
{
	(void)state;
	assert_true(vmctl_lapic_x2apic(&apic));
	assert_int_equal(apic.base, 0xfee00000ULL | VMCTL_APIC_BASE_EN |
			 VMCTL_APIC_BASE_EXTD | VMCTL_APIC_BASE_BSP);
	assert_int_equal(rd(LAPIC_REG_ID), 5);
	assert_int_equal(rd(LAPIC_REG_VERSION), 0x60014);
	assert_int_equal(rd(LAPIC_REG_SVR), 0xff);
	assert_int_equal(rd(LAPIC_REG_LVT_TIMER), LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_REG_LVT_LINT1), LAPIC_LVT_MASKED);
	assert_int_equal(apic.mp_state, VMCTL_MP_RUNNABLE);

	assert_int_equal(vmctl_lapic_init(&apic, 0x23, false, true, &clock), 0);
	/* x2APIC LDR: cluster ID / 16 in 31:16, bit ID % 16 below. */
	assert_int_equal(rd(LAPIC_REG_LDR), 0x20008);
	assert_int_equal(apic.mp_state, VMCTL_MP_WAIT_SIPI);
	assert_false(apic.base & VMCTL_APIC_BASE_BSP);
}

static void test_msr_gp_cases(void **state)
{
	u64 v;

	(void)state;
	/* No such register, write-only, read-only, x2APIC-absent ones. */
	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(0x01), &v, 0), -EINVAL);
	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(LAPIC_REG_EOI), &v, 0),
			 -EINVAL);
	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(LAPIC_REG_SELF_IPI), &v,
					   0), -EINVAL);
	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(LAPIC_REG_DFR), &v, 0),
			 -EINVAL);
	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(LAPIC_REG_ICR2), &v, 0),
			 -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_ID), 1, 0,
					   &out), -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_LDR), 1, 0,
					   &out), -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_IRR0 + 7), 1,
					   0, &out), -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_TIMER_CCR), 1,
					   0, &out), -EINVAL);
	/* EOI and ESR take 0 only; SELF_IPI a vector; 32-bit registers. */
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_EOI), 1, 0,
					   &out), -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_ESR), 1, 0,
					   &out), -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_SELF_IPI),
					   0x100, 0, &out), -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_TPR),
					   1ULL << 32, 0, &out), -EINVAL);
	assert_true(vmctl_lapic_is_msr(0x6e0));
	assert_true(vmctl_lapic_is_msr(0x8ff));
	assert_false(vmctl_lapic_is_msr(0x7ff));
	assert_false(vmctl_lapic_is_msr(0x900));

	/* In xAPIC mode the MSRs do not exist. */
	assert_int_equal(vmctl_lapic_init(&apic, 0, true, false, &clock), 0);
	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(LAPIC_REG_ID), &v, 0),
			 -EINVAL);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, MSR(LAPIC_REG_TPR), 0, 0,
					   &out), -EINVAL);
}

static void test_apic_base_transitions(void **state)
{
	u64 x2 = 0xfee00000ULL | VMCTL_APIC_BASE_EN | VMCTL_APIC_BASE_EXTD;
	u64 xapic = 0xfee00000ULL | VMCTL_APIC_BASE_EN;
	u64 off = 0xfee00000ULL;

	(void)state;
	assert_int_equal(vmctl_lapic_set_base(&apic, xapic, false), -EINVAL);
	assert_int_equal(vmctl_lapic_set_base(&apic, x2 | 1, false), -EINVAL);
	assert_int_equal(vmctl_lapic_set_base(&apic, x2 | (1ULL << 9), false),
			 -EINVAL);
	assert_int_equal(vmctl_lapic_set_base(&apic, off |
			 VMCTL_APIC_BASE_EXTD, false), -EINVAL);

	/* Disabling resets the registers; the BSP bit is not the guest's. */
	wr(LAPIC_REG_TPR, 0x20);
	assert_int_equal(vmctl_lapic_set_base(&apic, off, false), 0);
	assert_false(vmctl_lapic_x2apic(&apic));
	assert_true(apic.base & VMCTL_APIC_BASE_BSP);
	assert_int_equal(apic.tpr, 0);
	assert_int_equal(vmctl_lapic_set_base(&apic, x2, false), -EINVAL);
	assert_int_equal(vmctl_lapic_set_base(&apic, xapic, false), 0);
	assert_false(vmctl_lapic_x2apic(&apic));
	assert_int_equal(vmctl_lapic_set_base(&apic, x2, false), 0);
	assert_true(vmctl_lapic_x2apic(&apic));

	/* The host may go from disabled straight to x2APIC. */
	assert_int_equal(vmctl_lapic_set_base(&apic, off, true), 0);
	assert_int_equal(vmctl_lapic_set_base(&apic, x2, true), 0);
	assert_true(vmctl_lapic_x2apic(&apic));
	assert_false(apic.base & VMCTL_APIC_BASE_BSP);
}

static void test_fixed_accept_eoi(void **state)
{
	(void)state;
	enable();
	assert_int_equal(vmctl_lapic_pending_vector(&apic), -1);
	inject(0x41);
	inject(0x62);
	assert_int_equal(rd(LAPIC_REG_IRR0 + 2), 1U << 1);
	assert_int_equal(rd(LAPIC_REG_IRR0 + 3), 1U << 2);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0x62);
	vmctl_lapic_accept(&apic, 0x62);
	assert_int_equal(rd(LAPIC_REG_ISR0 + 3), 1U << 2);
	assert_int_equal(rd(LAPIC_REG_PPR), 0x60);
	/* 0x41 is below the in-service class. */
	assert_int_equal(vmctl_lapic_pending_vector(&apic), -1);
	wr(LAPIC_REG_EOI, 0);
	assert_int_equal(out.flags, 0);
	assert_int_equal(rd(LAPIC_REG_ISR0 + 3), 0);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0x41);

	/* A higher class nests over one in service. */
	vmctl_lapic_accept(&apic, 0x41);
	inject(0x51);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0x51);
	vmctl_lapic_accept(&apic, 0x51);
	wr(LAPIC_REG_EOI, 0);	/* ends 0x51, the highest in service */
	assert_int_equal(rd(LAPIC_REG_ISR0 + 2), 1U << 1);
	wr(LAPIC_REG_EOI, 0);
	assert_int_equal(rd(LAPIC_REG_ISR0 + 2), 0);
	wr(LAPIC_REG_EOI, 0);	/* nothing in service: harmless */
	assert_int_equal(out.flags, 0);
}

static void test_tpr_blocks(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_REG_TPR, 0x50);
	assert_int_equal(rd(LAPIC_REG_TPR), 0x50);
	assert_int_equal(rd(LAPIC_REG_PPR), 0x50);
	inject(0x55);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), -1);
	inject(0x60);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0x60);
	wr(LAPIC_REG_TPR, 0x40);
	vmctl_lapic_accept(&apic, 0x60);
	wr(LAPIC_REG_EOI, 0);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0x55);
}

static void test_level_eoi_reports_vector(void **state)
{
	struct vmctl_apic_irq irq = fixed(0x33, true);

	(void)state;
	enable();
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_int_equal(rd(LAPIC_REG_TMR0 + 1), 1U << 0x13);
	vmctl_lapic_accept(&apic, 0x33);
	wr(LAPIC_REG_EOI, 0);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_EOI);
	assert_int_equal(out.eoi_vector, 0x33);

	/* The same vector edge-triggered later is not a level EOI. */
	inject(0x33);
	assert_int_equal(rd(LAPIC_REG_TMR0 + 1), 0);
	vmctl_lapic_accept(&apic, 0x33);
	wr(LAPIC_REG_EOI, 0);
	assert_int_equal(out.flags, 0);
}

/*
 * PV EOI is allowed for an edge vector in service with nothing in IRR;
 * the EOI found later ends the highest vector in service.
 */
static void test_pv_eoi_ok(void **state)
{
	struct vmctl_apic_irq level = fixed(0x33, true);

	(void)state;
	enable();
	assert_false(vmctl_lapic_pv_eoi_ok(&apic));	/* nothing in service */
	inject(0x41);
	inject(0x62);
	vmctl_lapic_accept(&apic, 0x62);
	assert_false(vmctl_lapic_pv_eoi_ok(&apic));	/* 0x41 waits in IRR */
	vmctl_lapic_eoi(&apic, &out);
	assert_int_equal(rd(LAPIC_REG_ISR0 + 3), 0);
	vmctl_lapic_accept(&apic, 0x41);
	assert_true(vmctl_lapic_pv_eoi_ok(&apic));
	vmctl_lapic_eoi(&apic, &out);
	assert_int_equal(out.flags, 0);
	assert_int_equal(rd(LAPIC_REG_ISR0 + 2), 0);

	/* A level vector's EOI goes on to the I/O APIC: never skipped. */
	assert_true(vmctl_lapic_deliver(&apic, &level));
	vmctl_lapic_accept(&apic, 0x33);
	assert_false(vmctl_lapic_pv_eoi_ok(&apic));
	vmctl_lapic_eoi(&apic, &out);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_EOI);
	assert_int_equal(out.eoi_vector, 0x33);
}

static void test_software_disabled(void **state)
{
	struct vmctl_apic_irq irq = fixed(0x40, false);

	(void)state;
	/* Power-up: SVR.enable clear, fixed interrupts are refused... */
	assert_false(vmctl_lapic_deliver(&apic, &irq));
	assert_int_equal(vmctl_lapic_pending_vector(&apic), -1);
	/* ... and the LVT mask bits cannot be cleared. */
	wr(LAPIC_REG_LVT_LINT0, 0x700);
	assert_int_equal(rd(LAPIC_REG_LVT_LINT0), 0x700 | LAPIC_LVT_MASKED);
	enable();
	wr(LAPIC_REG_LVT_LINT0, 0x700);
	assert_int_equal(rd(LAPIC_REG_LVT_LINT0), 0x700);
	/* Disabling masks every LVT again; NMIs still get through. */
	wr(LAPIC_REG_SVR, 0xff);
	assert_int_equal(rd(LAPIC_REG_LVT_LINT0), 0x700 | LAPIC_LVT_MASKED);
	irq.delivery = LAPIC_DM_NMI;
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_true(apic.nmi_pending);
}

static void test_lvt_writable_bits(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_REG_LVT_LINT1, ~0U);
	/* Remote IRR and delivery status are read-only. */
	assert_int_equal(rd(LAPIC_REG_LVT_LINT1), 0x1a7ff);
	wr(LAPIC_REG_LVT_ERROR, ~0U);
	assert_int_equal(rd(LAPIC_REG_LVT_ERROR), 0x100ff);
	wr(LAPIC_REG_LVT_TIMER, 0x400ff | LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_REG_LVT_TIMER), 0x400ff | LAPIC_LVT_MASKED);
	/* Timer mode 11b is reserved: one-shot. */
	wr(LAPIC_REG_LVT_TIMER, 0x600ff);
	assert_int_equal(rd(LAPIC_REG_LVT_TIMER), 0xff);
	wr(LAPIC_REG_LVT_CMCI, ~0U);
	assert_int_equal(rd(LAPIC_REG_LVT_CMCI), 0x107ff);
}

static void test_illegal_vectors_set_esr(void **state)
{
	struct vmctl_apic_irq irq = fixed(7, false);

	(void)state;
	enable();
	wr(LAPIC_REG_LVT_ERROR, 0xfe);
	/* Received: the error LVT fires instead. */
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0xfe);
	/* Sent: no IPI goes out. */
	wr(LAPIC_REG_ICR, 3ULL << 32 | 9);
	assert_int_equal(out.flags, 0);
	/* ESR shows the errors latched before the last ESR write. */
	assert_int_equal(rd(LAPIC_REG_ESR), 0);
	wr(LAPIC_REG_ESR, 0);
	assert_int_equal(rd(LAPIC_REG_ESR),
			 LAPIC_ESR_RECV_ILLEGAL | LAPIC_ESR_SEND_ILLEGAL);
	wr(LAPIC_REG_ESR, 0);
	assert_int_equal(rd(LAPIC_REG_ESR), 0);
}

static void test_icr_describes_ipis(void **state)
{
	(void)state;
	enable();
	/* Fixed, physical, to APIC 0x123 (beyond 8 bits in x2APIC). */
	wr(LAPIC_REG_ICR, 0x123ULL << 32 | 0x4031);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_IPI);
	assert_int_equal(out.ipi.dest, 0x123);
	assert_int_equal(out.ipi.source, 5);
	assert_int_equal(out.ipi.vector, 0x31);
	assert_int_equal(out.ipi.delivery, LAPIC_DM_FIXED);
	assert_false(out.ipi.logical);
	assert_int_equal(out.ipi.shorthand, LAPIC_SH_NONE);
	assert_int_equal(rd(LAPIC_REG_ICR), 0x123ULL << 32 | 0x4031);

	/* NMI to all but self. */
	wr(LAPIC_REG_ICR, 0xc0400);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_IPI);
	assert_int_equal(out.ipi.delivery, LAPIC_DM_NMI);
	assert_int_equal(out.ipi.shorthand, LAPIC_SH_ALL_BUT_SELF);

	/* INIT assert, logical; INIT de-assert is no IPI at all. */
	wr(LAPIC_REG_ICR, 0x10002ULL << 32 | 0xcd00);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_IPI);
	assert_int_equal(out.ipi.delivery, LAPIC_DM_INIT);
	assert_true(out.ipi.logical);
	assert_true(out.ipi.level && out.ipi.assert);
	wr(LAPIC_REG_ICR, 1ULL << 32 | 0x8500);
	assert_int_equal(out.flags, 0);

	/* SIPI with its start page; SMI is not modelled. */
	wr(LAPIC_REG_ICR, 1ULL << 32 | 0x69a);
	assert_int_equal(out.ipi.delivery, LAPIC_DM_SIPI);
	assert_int_equal(out.ipi.vector, 0x9a);
	wr(LAPIC_REG_ICR, 1ULL << 32 | 0x200);
	assert_int_equal(out.flags, 0);
}

static void test_self_ipi(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_REG_SELF_IPI, 0x77);
	assert_int_equal(out.flags, 0);
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0x77);
}

static void test_match_x2apic(void **state)
{
	struct vmctl_apic_irq irq = { .dest = 5, .source = 9 };

	(void)state;
	assert_true(vmctl_lapic_match(&apic, &irq));
	irq.dest = 6;
	assert_false(vmctl_lapic_match(&apic, &irq));
	irq.dest = VMCTL_APIC_BROADCAST;
	assert_true(vmctl_lapic_match(&apic, &irq));

	/* Logical: cluster 0, bit 5; and cluster 1 does not match. */
	irq.logical = true;
	irq.dest = 1U << 5 | 1U << 2;
	assert_true(vmctl_lapic_match(&apic, &irq));
	irq.dest = 0x10000 | 1U << 5;
	assert_false(vmctl_lapic_match(&apic, &irq));
	irq.dest = 1U << 4;
	assert_false(vmctl_lapic_match(&apic, &irq));

	/* Shorthands look at the sender only. */
	irq.shorthand = LAPIC_SH_SELF;
	assert_false(vmctl_lapic_match(&apic, &irq));
	irq.source = 5;
	assert_true(vmctl_lapic_match(&apic, &irq));
	irq.shorthand = LAPIC_SH_ALL_BUT_SELF;
	assert_false(vmctl_lapic_match(&apic, &irq));
	irq.shorthand = LAPIC_SH_ALL;
	assert_true(vmctl_lapic_match(&apic, &irq));

	/* A hardware-disabled APIC hears nothing. */
	assert_int_equal(vmctl_lapic_set_base(&apic, 0xfee00000, false), 0);
	assert_false(vmctl_lapic_match(&apic, &irq));
	assert_false(vmctl_lapic_deliver(&apic, &irq));
}

static void test_init_sipi(void **state)
{
	struct vmctl_apic_irq irq = { .delivery = LAPIC_DM_SIPI,
		.vector = 0x9a };

	(void)state;
	assert_int_equal(vmctl_lapic_init(&apic, 1, false, true, &clock), 0);
	enable();
	wr(LAPIC_REG_TPR, 0x30);
	/* An AP waits for its first SIPI. */
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_int_equal(apic.mp_state, VMCTL_MP_SIPI);
	assert_int_equal(vmctl_lapic_take_sipi(&apic), 0x9a);
	assert_int_equal(apic.mp_state, VMCTL_MP_RUNNABLE);
	/* A running CPU ignores SIPIs. */
	assert_false(vmctl_lapic_deliver(&apic, &irq));

	/* INIT de-assert does nothing; INIT resets and waits again. */
	irq = (struct vmctl_apic_irq){ .delivery = LAPIC_DM_INIT,
		.level = true };
	assert_false(vmctl_lapic_deliver(&apic, &irq));
	irq.assert = true;
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_true(apic.init_pending);
	assert_int_equal(apic.mp_state, VMCTL_MP_WAIT_SIPI);
	assert_int_equal(apic.tpr, 0);
	assert_int_equal(apic.svr, 0xff);
	assert_true(vmctl_lapic_x2apic(&apic));
	assert_int_equal(rd(LAPIC_REG_ID), 1);

	/* INIT on the BSP resets it but it stays runnable. */
	setup(NULL);
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_true(apic.init_pending);
	assert_int_equal(apic.mp_state, VMCTL_MP_RUNNABLE);
}

/* A PV kick waits for the next halt; INIT drops it with the old state. */
static void test_pv_kick(void **state)
{
	struct vmctl_apic_irq irq = { .delivery = LAPIC_DM_INIT,
		.assert = true };

	(void)state;
	assert_false(apic.pv_unhalt);
	assert_true(vmctl_lapic_pv_kick(&apic));
	assert_true(apic.pv_unhalt);
	assert_true(vmctl_lapic_deliver(&apic, &irq));
	assert_false(apic.pv_unhalt);
}

static u32 ccr_at(u64 tsc)
{
	u64 v;

	assert_int_equal(vmctl_lapic_rdmsr(&apic, MSR(LAPIC_REG_TIMER_CCR), &v,
					   tsc), 0);
	return v;
}

static void test_timer_oneshot(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_REG_LVT_TIMER, 0xec);
	wr(LAPIC_REG_TIMER_DCR, 0xb);	/* divide by 1 */
	wr_at(LAPIC_REG_TIMER_ICR, 1000, T0);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_TIMER);
	/* 1000 ticks of a crystal that is a third of the TSC. */
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 3000);
	assert_int_equal(rd(LAPIC_REG_TIMER_ICR), 1000);
	assert_int_equal(ccr_at(T0), 1000);
	assert_int_equal(ccr_at(T0 + 1500), 500);
	assert_false(vmctl_lapic_timer_expire(&apic, T0 + 2999));
	assert_int_equal(vmctl_lapic_pending_vector(&apic), -1);
	assert_true(vmctl_lapic_timer_expire(&apic, T0 + 3000));
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0xec);
	/* Done: disarmed, count reads 0. */
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);
	assert_false(vmctl_lapic_timer_expire(&apic, T0 + 9000));
	assert_int_equal(rd(LAPIC_REG_TIMER_CCR), 0);
	/* Writing 0 stops a running timer. */
	wr_at(LAPIC_REG_TIMER_ICR, 10, T0);
	assert_int_not_equal(vmctl_lapic_timer_next(&apic), 0);
	wr_at(LAPIC_REG_TIMER_ICR, 0, T0);
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);
}

static void test_timer_periodic(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_REG_LVT_TIMER, 0x200ec);	/* periodic */
	wr(LAPIC_REG_TIMER_DCR, 0);		/* divide by 2 */
	wr_at(LAPIC_REG_TIMER_ICR, 100, T0);	/* 600 TSC ticks a period */
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 600);
	assert_int_equal(ccr_at(T0 + 300), 50);
	assert_true(vmctl_lapic_timer_expire(&apic, T0 + 600));
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 1200);
	assert_int_equal(ccr_at(T0 + 900), 50);
	/* Late by 2.5 periods: one interrupt, then back on the grid. */
	vmctl_lapic_accept(&apic, 0xec);
	wr(LAPIC_REG_EOI, 0);
	assert_true(vmctl_lapic_timer_expire(&apic, T0 + 2700));
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 3000);
	assert_int_equal(ccr_at(T0 + 2700), 50);
	/* A masked timer keeps counting but raises nothing. */
	vmctl_lapic_accept(&apic, 0xec);
	wr(LAPIC_REG_LVT_TIMER, 0x200ec | LAPIC_LVT_MASKED);
	assert_false(vmctl_lapic_timer_expire(&apic, T0 + 3000));
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 3600);
	assert_int_equal(rd(LAPIC_REG_IRR0 + 7), 0);
	/* Switching to one-shot keeps the running period. */
	wr(LAPIC_REG_LVT_TIMER, 0xec);
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 3600);
}

static void test_timer_divide(void **state)
{
	static const struct { u32 dcr, div; } cases[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	unsigned int i;

	(void)state;
	enable();
	wr(LAPIC_REG_LVT_TIMER, 0xec);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		wr(LAPIC_REG_TIMER_DCR, cases[i].dcr | 0xf0);
		assert_int_equal(rd(LAPIC_REG_TIMER_DCR), cases[i].dcr);
		wr_at(LAPIC_REG_TIMER_ICR, 10, T0);
		assert_int_equal(vmctl_lapic_timer_next(&apic),
				 T0 + 30 * cases[i].div);
	}
	/* A new divisor applies to the running period from its start. */
	wr(LAPIC_REG_TIMER_DCR, 0x0);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_TIMER);
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 60);
}

static void test_timer_clock_ratio(void **state)
{
	/* TSC = crystal * 7 / 2; 1000 ticks = 3500 TSC. */
	const struct vmctl_lapic_clock c = { 7, 2 };

	(void)state;
	assert_int_equal(vmctl_lapic_init(&apic, 0, true, true, &c), 0);
	enable();
	wr(LAPIC_REG_LVT_TIMER, 0xec);
	wr(LAPIC_REG_TIMER_DCR, 0xb);
	wr_at(LAPIC_REG_TIMER_ICR, 1000, T0);
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 3500);
	assert_int_equal(ccr_at(T0 + 700), 800);
	/* The largest count and divisor do not overflow. */
	wr(LAPIC_REG_TIMER_DCR, 0xa);
	wr_at(LAPIC_REG_TIMER_ICR, 0xffffffff, T0);
	assert_int_equal(vmctl_lapic_timer_next(&apic),
			 T0 + 0xffffffffULL * 128 * 7 / 2);
	assert_int_equal(ccr_at(T0), 0xffffffff);
}

static void test_init_rejects_bad_clock(void **state)
{
	struct vmctl_lapic_clock c = { 0, 1 };

	(void)state;
	assert_int_equal(vmctl_lapic_init(&apic, 0, true, true, &c), -EINVAL);
	c = (struct vmctl_lapic_clock){ 1, 0 };
	assert_int_equal(vmctl_lapic_init(&apic, 0, true, true, &c), -EINVAL);
	c = (struct vmctl_lapic_clock){ VMCTL_LAPIC_MAX_RATIO, 1 };
	assert_int_equal(vmctl_lapic_init(&apic, 0, true, true, &c), -EINVAL);
	c = (struct vmctl_lapic_clock){ VMCTL_LAPIC_MAX_RATIO - 1, 1 };
	assert_int_equal(vmctl_lapic_init(&apic, 0, true, true, &c), 0);
}

/*
 * A guest TSC far ahead of the timer's start, at extreme clock ratios:
 * no intermediate value may overflow (mul_u64_u32_div() traps if so).
 */
static void test_timer_far_future(void **state)
{
	const struct vmctl_lapic_clock clocks[] = {
		{ VMCTL_LAPIC_MAX_RATIO - 1, 1 }, { 1, 0xffffffff },
	};
	u64 far = T0 + (1ULL << 62);
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		assert_int_equal(vmctl_lapic_init(&apic, 0, true, true,
						  &clocks[i]), 0);
		enable();
		wr(LAPIC_REG_LVT_TIMER, 0x200ec);
		wr(LAPIC_REG_TIMER_DCR, 0xa);
		wr_at(LAPIC_REG_TIMER_ICR, 0xffffffff, T0);
		assert_true(ccr_at(far) >= 1);
		assert_true(vmctl_lapic_timer_expire(&apic, far));
		assert_true(vmctl_lapic_timer_next(&apic) > far);
		wr(LAPIC_REG_LVT_TIMER, 0xec);
		wr_at(LAPIC_REG_TIMER_ICR, 5, T0);
		assert_int_equal(ccr_at(~0ULL), 0);
	}
}

static void test_timer_tsc_deadline(void **state)
{
	u64 v;

	(void)state;
	enable();
	/* Outside deadline mode the MSR reads 0 and ignores writes. */
	assert_int_equal(vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE,
					   T0 + 5, T0, &out), 0);
	assert_int_equal(out.flags, 0);
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);

	wr(LAPIC_REG_LVT_TIMER, 0x400d0);
	assert_int_equal(vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE,
					   T0 + 5000, T0, &out), 0);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_TIMER);
	assert_int_equal(vmctl_lapic_rdmsr(&apic, VMCTL_MSR_TSC_DEADLINE, &v,
					   T0), 0);
	assert_int_equal(v, T0 + 5000);
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 5000);
	/* The counted-mode registers do nothing here. */
	wr(LAPIC_REG_TIMER_ICR, 50);
	assert_int_equal(rd(LAPIC_REG_TIMER_ICR), 0);
	assert_int_equal(rd(LAPIC_REG_TIMER_CCR), 0);

	assert_false(vmctl_lapic_timer_expire(&apic, T0 + 4999));
	assert_true(vmctl_lapic_timer_expire(&apic, T0 + 5001));
	assert_int_equal(vmctl_lapic_pending_vector(&apic), 0xd0);
	vmctl_lapic_rdmsr(&apic, VMCTL_MSR_TSC_DEADLINE, &v, T0);
	assert_int_equal(v, 0);
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);

	/* Writing 0 disarms; a deadline in the past fires at once. */
	vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE, T0 + 10, T0, &out);
	vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE, 0, T0, &out);
	assert_false(vmctl_lapic_timer_expire(&apic, T0 + 20));
	vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE, 1, T0, &out);
	assert_true(vmctl_lapic_timer_expire(&apic, T0));
}

static void test_timer_mode_switch_disarms(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_REG_LVT_TIMER, 0xec);
	wr_at(LAPIC_REG_TIMER_ICR, 100, T0);
	assert_int_not_equal(vmctl_lapic_timer_next(&apic), 0);
	wr(LAPIC_REG_LVT_TIMER, 0x400ec);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_TIMER);
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);
	assert_int_equal(rd(LAPIC_REG_TIMER_ICR), 0);

	vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE, T0 + 10, T0, &out);
	wr(LAPIC_REG_LVT_TIMER, 0x200ec);
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);
}

/* ---- the xAPIC page ---- */

static u32 mrd(u32 off)
{
	u32 v = 0xdeadbeef;

	assert_int_equal(vmctl_lapic_mmio_read(&apic, off, &v, T0), 0);
	return v;
}

static void mwr(u32 off, u32 val)
{
	assert_int_equal(vmctl_lapic_mmio_write(&apic, off, val, T0, &out), 0);
}

static void test_xapic_mmio(void **state)
{
	u32 v;

	(void)state;
	/* The page is not decoded in x2APIC mode. */
	assert_int_equal(vmctl_lapic_mmio_read(&apic, 0x20, &v, T0), -EINVAL);
	assert_int_equal(vmctl_lapic_mmio_write(&apic, 0x80, 0, T0, &out),
			 -EINVAL);

	assert_int_equal(vmctl_lapic_init(&apic, 3, true, false, &clock), 0);
	assert_int_equal(mrd(0x20), 3U << 24);
	assert_int_equal(mrd(0x30), 0x60014);
	assert_int_equal(mrd(0xe0), 0xffffffff);
	mwr(0xf0, 0x1ff);
	mwr(0x80, 0x20);
	assert_int_equal(mrd(0x80), 0x20);
	assert_int_equal(mrd(0xa0), 0x20);
	/* Read-only registers ignore writes; unaligned offsets read 0. */
	mwr(0x20, 0x7000000);
	assert_int_equal(mrd(0x20), 3U << 24);
	assert_int_equal(mrd(0x24), 0);
	assert_int_equal(mrd(0x400), 0);
	/* An unknown register latches the illegal-register error. */
	mwr(0x3f0, 1);
	mwr(0x280, 0x1234);
	assert_int_equal(mrd(0x280), LAPIC_ESR_ILLEGAL_REG);

	/* EOI takes any value and reports level-triggered vectors. */
	{
		struct vmctl_apic_irq irq = fixed(0x45, true);

		irq.dest = 3;
		assert_true(vmctl_lapic_deliver(&apic, &irq));
	}
	vmctl_lapic_accept(&apic, 0x45);
	mwr(0xb0, 0x1234);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_EOI);
	assert_int_equal(out.eoi_vector, 0x45);
}

static void test_xapic_icr_and_logical(void **state)
{
	struct vmctl_apic_irq irq = { .logical = true };

	(void)state;
	assert_int_equal(vmctl_lapic_init(&apic, 3, true, false, &clock), 0);
	mwr(0xf0, 0x1ff);
	/* ICR2 holds the destination; writing ICR sends. */
	mwr(0x310, 0x02ffffff);
	assert_int_equal(mrd(0x310), 0x02000000);
	assert_int_equal(out.flags, 0);
	mwr(0x300, 0x4041);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_IPI);
	assert_int_equal(out.ipi.dest, 2);
	assert_int_equal(out.ipi.vector, 0x41);
	/* Physical 0xff is the broadcast. */
	mwr(0x310, 0xff000000);
	mwr(0x300, 0x4041);
	assert_int_equal(out.ipi.dest, VMCTL_APIC_BROADCAST);

	/* Flat model: any common bit of the 8-bit LDR. */
	mwr(0xd0, 0x08ffffff);
	assert_int_equal(mrd(0xd0), 0x08000000);
	irq.dest = 0x0c;
	assert_true(vmctl_lapic_match(&apic, &irq));
	irq.dest = 0x03;
	assert_false(vmctl_lapic_match(&apic, &irq));
	irq.dest = 0xff;
	assert_true(vmctl_lapic_match(&apic, &irq));
	/* Cluster model: the high nibble names the cluster. */
	mwr(0xe0, 0x0fffffff);
	mwr(0xd0, 0x21000000);
	irq.dest = 0x23;
	assert_true(vmctl_lapic_match(&apic, &irq));
	irq.dest = 0x13;
	assert_false(vmctl_lapic_match(&apic, &irq));
	irq.dest = 0x22;
	assert_false(vmctl_lapic_match(&apic, &irq));
	/* Physical: the 8-bit ID. */
	irq = (struct vmctl_apic_irq){ .dest = 3 };
	assert_true(vmctl_lapic_match(&apic, &irq));
}

/* A snapshot of a running timer restarts from its count in a new APIC. */
static void test_regs_round_trip_timer(void **state)
{
	struct vmctl_lapic_regs r, r2;
	struct vmctl_lapic copy;

	(void)state;
	enable();
	wr(LAPIC_REG_TPR, 0x20);
	wr(LAPIC_REG_LVT_TIMER, 0xec | (LAPIC_TIMER_PERIODIC <<
					LAPIC_TIMER_MODE_SHIFT));
	wr(LAPIC_REG_TIMER_DCR, 0xb);
	wr_at(LAPIC_REG_TIMER_ICR, 1000, T0);
	inject(0x40);
	vmctl_lapic_get_regs(&apic, &r, T0 + 1500);	/* 500 ticks done */
	assert_int_equal(r.timer_initial, 1000);
	assert_int_equal(r.timer_current, 500);
	assert_int_equal(r.tsc_deadline, 0);
	assert_int_equal(r.irr[2], 1);
	assert_int_equal(r.tpr, 0x20);

	assert_int_equal(vmctl_lapic_init(&copy, 5, true, true, &clock), 0);
	/* Loaded later, at another TSC: the count goes on from 500. */
	assert_int_equal(vmctl_lapic_set_regs(&copy, &r, 5 * T0), 0);
	assert_int_equal(vmctl_lapic_timer_next(&copy), 5 * T0 + 1500);
	vmctl_lapic_get_regs(&copy, &r2, 5 * T0);
	assert_memory_equal(&r, &r2, sizeof(r));
	assert_int_equal(vmctl_lapic_pending_vector(&copy), 0x40);
	assert_true(vmctl_lapic_timer_expire(&copy, 5 * T0 + 1500));
	/* Periodic: the next period is whole. */
	assert_int_equal(vmctl_lapic_timer_next(&copy), 5 * T0 + 4500);
}

static void test_regs_deadline_and_expired(void **state)
{
	struct vmctl_lapic_regs r;

	(void)state;
	enable();
	wr(LAPIC_REG_LVT_TIMER, 0xec | (LAPIC_TIMER_TSC_DEADLINE <<
					LAPIC_TIMER_MODE_SHIFT));
	assert_int_equal(vmctl_lapic_wrmsr(&apic, VMCTL_MSR_TSC_DEADLINE,
					   T0 + 77, T0, &out), 0);
	vmctl_lapic_get_regs(&apic, &r, T0);
	assert_int_equal(r.tsc_deadline, T0 + 77);
	assert_int_equal(r.timer_current, 0);
	r.tsc_deadline = T0 + 99;
	assert_int_equal(vmctl_lapic_set_regs(&apic, &r, T0), 0);
	assert_int_equal(vmctl_lapic_timer_next(&apic), T0 + 99);

	/* A one-shot count of 0 is a timer that fired: not armed. */
	r.lvt[LVT_TIMER] = 0xec;
	r.tsc_deadline = 0;
	r.timer_initial = 1000;
	r.timer_current = 0;
	assert_int_equal(vmctl_lapic_set_regs(&apic, &r, T0), 0);
	assert_int_equal(vmctl_lapic_timer_next(&apic), 0);
}

static void test_regs_refused(void **state)
{
	struct vmctl_lapic_regs good, r;
	struct vmctl_lapic before;

	(void)state;
	enable();
	vmctl_lapic_get_regs(&apic, &good, T0);
	before = apic;
#define BAD(change) do {						\
		r = good;						\
		change;							\
		assert_int_equal(vmctl_lapic_set_regs(&apic, &r, T0), -EINVAL); \
		assert_memory_equal(&apic, &before, sizeof(apic));	\
	} while (0)
	BAD(r.id = 6);
	BAD(r.base |= 1ULL << 9);
	BAD(r.base &= ~VMCTL_APIC_BASE_EN);	/* x2APIC without enable */
	BAD(r.tpr = 0x100);
	BAD(r.ldr = 1);
	BAD(r.dfr = 0);
	BAD(r.svr = 0x400);
	BAD(r.esr = 0x10);
	BAD(r.icr_lo = 1U << 12);		/* delivery status */
	BAD(r.lvt[LVT_ERROR] = 0x700);		/* no delivery mode there */
	BAD(r.lvt[LVT_TIMER] = LAPIC_TIMER_MODE_MASK);
	BAD(r.irr[0] = 1);			/* vector 0 */
	BAD(r.isr[0] = 0x8000);
	BAD(r.timer_dcr = 4);
	BAD(r.timer_initial = 5; r.timer_current = 6);
	BAD(r.tsc_deadline = 1);		/* counted mode */
	BAD(r.lvt[LVT_TIMER] = LAPIC_TIMER_TSC_DEADLINE <<
			       LAPIC_TIMER_MODE_SHIFT; r.timer_initial = 1);
#undef BAD
	assert_int_equal(vmctl_lapic_set_regs(&apic, &good, T0), 0);
}

/* The 8259's INTR: through an unmasked ExtINT LINT0, or no APIC at all. */
static void test_extint_through_lint0(void **state)
{
	(void)state;
	assert_false(vmctl_lapic_accepts_extint(&apic));	/* masked */
	vmctl_lapic_virtual_wire(&apic);
	assert_true(vmctl_lapic_accepts_extint(&apic));
	assert_int_equal(rd(LAPIC_REG_LVT_LINT0), 0x700);
	enable();
	wr(LAPIC_REG_LVT_LINT0, 0x700 | LAPIC_LVT_MASKED);
	assert_false(vmctl_lapic_accepts_extint(&apic));
	wr(LAPIC_REG_LVT_LINT0, 0x400);				/* NMI */
	assert_false(vmctl_lapic_accepts_extint(&apic));
	/* Disabled in IA32_APIC_BASE: INTR goes straight to the CPU. */
	assert_int_equal(vmctl_lapic_set_base(&apic, VMCTL_APIC_DEFAULT_BASE,
					      false), 0);
	assert_true(vmctl_lapic_accepts_extint(&apic));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_power_up_state),
		T(test_extint_through_lint0),
		T(test_msr_gp_cases),
		T(test_apic_base_transitions),
		T(test_fixed_accept_eoi),
		T(test_tpr_blocks),
		T(test_level_eoi_reports_vector),
		T(test_pv_eoi_ok),
		T(test_software_disabled),
		T(test_lvt_writable_bits),
		T(test_illegal_vectors_set_esr),
		T(test_icr_describes_ipis),
		T(test_self_ipi),
		T(test_match_x2apic),
		T(test_init_sipi),
		T(test_pv_kick),
		T(test_timer_oneshot),
		T(test_timer_periodic),
		T(test_timer_divide),
		T(test_timer_clock_ratio),
		T(test_init_rejects_bad_clock),
		T(test_timer_far_future),
		T(test_timer_tsc_deadline),
		T(test_timer_mode_switch_disarms),
		T(test_xapic_mmio),
		T(test_xapic_icr_and_logical),
		T(test_regs_round_trip_timer),
		T(test_regs_deadline_and_expired),
		T(test_regs_refused),
	};

	return cmocka_run_group_tests_name("lapic", tests, NULL, NULL);
}
