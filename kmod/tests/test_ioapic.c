// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC model tests: the register window, redirection entries, edge
 * and level pins with remote IRR and EOI, masking, and the messages it
 * hands to its deliver callback (recorded here).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ioapic.h"

#define MAX_SENT	8

static struct vmctl_ioapic io;
static struct vmctl_apic_irq sent[MAX_SENT];
static unsigned int nr_sent;
static bool accept = true;	/* does some local APIC take the message */

static bool record(void *ctx, const struct vmctl_apic_irq *irq)
{
	assert_ptr_equal(ctx, &io);
	assert_true(nr_sent < MAX_SENT);
	sent[nr_sent++] = *irq;
	return accept;
}

static int setup(void **state)
{
	(void)state;
	nr_sent = 0;
	accept = true;
	vmctl_ioapic_init(&io, 2, record, &io);
	return 0;
}

static u32 rd(u32 reg)
{
	vmctl_ioapic_mmio_write(&io, IOAPIC_MMIO_REGSEL, reg);
	return vmctl_ioapic_mmio_read(&io, IOAPIC_MMIO_WIN);
}

static void wr(u32 reg, u32 val)
{
	vmctl_ioapic_mmio_write(&io, IOAPIC_MMIO_REGSEL, reg);
	vmctl_ioapic_mmio_write(&io, IOAPIC_MMIO_WIN, val);
}

static void route(unsigned int pin, u32 lo, u8 dest)
{
	wr(IOAPIC_REG_REDIR0 + 2 * pin + 1, (u32)dest << 24);
	wr(IOAPIC_REG_REDIR0 + 2 * pin, lo);
}

static void test_id_version_arb(void **state)
{
	(void)state;
	assert_int_equal(rd(IOAPIC_REG_ID), 2U << 24);
	assert_int_equal(rd(IOAPIC_REG_VERSION), 0x170011);
	assert_int_equal(rd(IOAPIC_REG_ARB), 2U << 24);
	wr(IOAPIC_REG_ID, 0xffffffff);
	assert_int_equal(rd(IOAPIC_REG_ID), 0xffU << 24);
	assert_int_equal(rd(IOAPIC_REG_ARB), 0xffU << 24);
	/* Version and arbitration are read-only. */
	wr(IOAPIC_REG_VERSION, 0);
	wr(IOAPIC_REG_ARB, 0);
	assert_int_equal(rd(IOAPIC_REG_VERSION), 0x170011);
	assert_int_equal(rd(IOAPIC_REG_ARB), 0xffU << 24);
	/* IOREGSEL holds 8 bits and reads back. */
	vmctl_ioapic_mmio_write(&io, IOAPIC_MMIO_REGSEL, 0x1234);
	assert_int_equal(vmctl_ioapic_mmio_read(&io, IOAPIC_MMIO_REGSEL),
			 0x34);
}

static void test_unimplemented_registers(void **state)
{
	(void)state;
	/* Beyond pin 23 and between the fixed registers: 0, no effect. */
	assert_int_equal(rd(0x03), 0);
	assert_int_equal(rd(IOAPIC_REG_REDIR0 + 48), 0);
	wr(IOAPIC_REG_REDIR0 + 48, 0x30);
	assert_int_equal(rd(IOAPIC_REG_REDIR0 + 48), 0);
	/* Offsets other than the window. */
	assert_int_equal(vmctl_ioapic_mmio_read(&io, 0x20), 0);
	vmctl_ioapic_mmio_write(&io, 0x04, 0x12);
	assert_int_equal(vmctl_ioapic_mmio_read(&io, IOAPIC_MMIO_REGSEL),
			 IOAPIC_REG_REDIR0 + 48);
	/* Pins past the last are ignored. */
	vmctl_ioapic_set_irq(&io, VMCTL_IOAPIC_PINS, true);
	vmctl_ioapic_set_irq(&io, 100, true);
	assert_int_equal(io.lines, 0);
	assert_int_equal(nr_sent, 0);
}

static void test_redirection_entries(void **state)
{
	unsigned int pin;

	(void)state;
	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin++) {
		assert_int_equal(rd(IOAPIC_REG_REDIR0 + 2 * pin),
				 LAPIC_LVT_MASKED);
		assert_int_equal(rd(IOAPIC_REG_REDIR0 + 2 * pin + 1), 0);
	}
	/* Delivery status and remote IRR are read-only; bits 55:32 too. */
	wr(IOAPIC_REG_REDIR0 + 2 * 5, 0xffffffff);
	assert_int_equal(rd(IOAPIC_REG_REDIR0 + 2 * 5), 0x1afff);
	wr(IOAPIC_REG_REDIR0 + 2 * 5 + 1, 0xffffffff);
	assert_int_equal(rd(IOAPIC_REG_REDIR0 + 2 * 5 + 1), 0xff000000);
	assert_int_equal(io.redir[5], 0xff0000000001afffULL);
}

static void test_edge_pin(void **state)
{
	(void)state;
	route(4, 0x24, 1);	/* the UART: IRQ 4, fixed, physical */
	vmctl_ioapic_set_irq(&io, 4, true);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent[0].vector, 0x24);
	assert_int_equal(sent[0].dest, 1);
	assert_int_equal(sent[0].delivery, LAPIC_DM_FIXED);
	assert_false(sent[0].logical);
	assert_false(sent[0].level);
	assert_true(sent[0].assert);
	assert_int_equal(sent[0].shorthand, LAPIC_SH_NONE);
	/* Held high: no new edge. Low then high: one more. */
	vmctl_ioapic_set_irq(&io, 4, true);
	assert_int_equal(nr_sent, 1);
	vmctl_ioapic_set_irq(&io, 4, false);
	vmctl_ioapic_set_irq(&io, 4, true);
	assert_int_equal(nr_sent, 2);
	/* Edge pins never wait for an EOI. */
	assert_false(io.redir[4] & LAPIC_REMOTE_IRR);
	assert_int_equal(vmctl_ioapic_eoi(&io, 0x24, 0), 0);
	assert_int_equal(nr_sent, 2);
}

static void test_masked_edge_is_lost(void **state)
{
	(void)state;
	route(3, 0x23 | LAPIC_LVT_MASKED, 0);
	vmctl_ioapic_set_irq(&io, 3, true);
	vmctl_ioapic_set_irq(&io, 3, false);
	route(3, 0x23, 0);
	assert_int_equal(nr_sent, 0);
	vmctl_ioapic_set_irq(&io, 3, true);
	assert_int_equal(nr_sent, 1);
}

static void test_level_pin_remote_irr(void **state)
{
	(void)state;
	route(9, 0x39 | LAPIC_TRIGGER_LEVEL, 0);
	vmctl_ioapic_set_irq(&io, 9, true);
	assert_int_equal(nr_sent, 1);
	assert_true(sent[0].level);
	assert_true(rd(IOAPIC_REG_REDIR0 + 18) & LAPIC_REMOTE_IRR);
	/* Still asserted: nothing until the EOI. */
	vmctl_ioapic_set_irq(&io, 9, true);
	assert_int_equal(nr_sent, 1);
	/* Another vector: no effect. */
	assert_int_equal(vmctl_ioapic_eoi(&io, 0x38, 0), 0);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(vmctl_ioapic_eoi(&io, 0x39, 0), 1U << 9);
	assert_int_equal(nr_sent, 2);	/* still asserted: fires again */
	assert_true(io.redir[9] & LAPIC_REMOTE_IRR);
	/* The device deasserted before the EOI: quiet after it. */
	vmctl_ioapic_set_irq(&io, 9, false);
	vmctl_ioapic_eoi(&io, 0x39, 0);
	assert_int_equal(nr_sent, 2);
	assert_false(io.redir[9] & LAPIC_REMOTE_IRR);
}

static void test_level_unmask_delivers(void **state)
{
	(void)state;
	route(10, 0x3a | LAPIC_TRIGGER_LEVEL | LAPIC_LVT_MASKED, 0);
	vmctl_ioapic_set_irq(&io, 10, true);
	assert_int_equal(nr_sent, 0);
	assert_false(io.redir[10] & LAPIC_REMOTE_IRR);
	route(10, 0x3a | LAPIC_TRIGGER_LEVEL, 0);
	assert_int_equal(nr_sent, 1);
	/* Switching to edge drops the remote IRR. */
	route(10, 0x3a, 0);
	assert_false(io.redir[10] & LAPIC_REMOTE_IRR);
}

static void test_level_not_accepted(void **state)
{
	(void)state;
	/* Nobody took it: no remote IRR, so the next EOI-less retry works. */
	accept = false;
	route(11, 0x3b | LAPIC_TRIGGER_LEVEL, 7);
	vmctl_ioapic_set_irq(&io, 11, true);
	assert_int_equal(nr_sent, 1);
	assert_false(io.redir[11] & LAPIC_REMOTE_IRR);
	accept = true;
	route(11, 0x3b | LAPIC_TRIGGER_LEVEL, 0);
	assert_int_equal(nr_sent, 2);
	assert_true(io.redir[11] & LAPIC_REMOTE_IRR);
}

static void test_eoi_shared_vector(void **state)
{
	(void)state;
	route(16, 0x50 | LAPIC_TRIGGER_LEVEL, 0);
	route(17, 0x50 | LAPIC_TRIGGER_LEVEL, 0);
	vmctl_ioapic_set_irq(&io, 16, true);
	vmctl_ioapic_set_irq(&io, 17, true);
	assert_int_equal(nr_sent, 2);
	vmctl_ioapic_set_irq(&io, 16, false);
	assert_int_equal(vmctl_ioapic_eoi(&io, 0x50, 0), 3U << 16);
	assert_int_equal(nr_sent, 3);	/* only pin 17 is still asserted */
	assert_false(io.redir[16] & LAPIC_REMOTE_IRR);
	assert_true(io.redir[17] & LAPIC_REMOTE_IRR);
}

/* A resampled pin is de-asserted by its EOI: quiet until raised again. */
static void test_eoi_lowers_resampled_pin(void **state)
{
	(void)state;
	route(12, 0x3c | LAPIC_TRIGGER_LEVEL, 0);
	route(13, 0x3c | LAPIC_TRIGGER_LEVEL, 0);
	vmctl_ioapic_set_irq(&io, 12, true);
	vmctl_ioapic_set_irq(&io, 13, true);
	assert_int_equal(nr_sent, 2);
	/* Pin 12 resampled, pin 13 not: only 13 fires again. */
	assert_int_equal(vmctl_ioapic_eoi(&io, 0x3c, 1U << 12), 3U << 12);
	assert_int_equal(nr_sent, 3);
	assert_false(io.lines & (1U << 12));
	assert_false(io.redir[12] & LAPIC_REMOTE_IRR);
	assert_true(io.redir[13] & LAPIC_REMOTE_IRR);
	/* A pin without remote IRR is not lowered by someone else's EOI. */
	vmctl_ioapic_set_irq(&io, 12, true);
	assert_int_equal(nr_sent, 4);
	assert_int_equal(vmctl_ioapic_eoi(&io, 0x3d, 1U << 12), 0);
	assert_true(io.lines & (1U << 12));
}

static void test_message_fields(void **state)
{
	(void)state;
	/* Logical, lowest priority, to 0x0f. */
	route(1, 0x31 | 1U << LAPIC_DM_SHIFT | LAPIC_DEST_LOGICAL_BIT, 0x0f);
	vmctl_ioapic_set_irq(&io, 1, true);
	assert_int_equal(sent[0].delivery, LAPIC_DM_LOWEST);
	assert_true(sent[0].logical);
	assert_int_equal(sent[0].dest, 0x0f);
	/* NMI; and physical 0xff becomes the broadcast. */
	route(2, 4U << LAPIC_DM_SHIFT, 0xff);
	vmctl_ioapic_set_irq(&io, 2, true);
	assert_int_equal(sent[1].delivery, LAPIC_DM_NMI);
	assert_int_equal(sent[1].dest, VMCTL_APIC_BROADCAST);
	/* Logical 0xff stays as it is. */
	route(5, 0x35 | LAPIC_DEST_LOGICAL_BIT, 0xff);
	vmctl_ioapic_set_irq(&io, 5, true);
	assert_int_equal(sent[2].dest, 0xff);
}

/* The whole path: a pin through the I/O APIC into a local APIC. */
static struct vmctl_lapic cpu;

static bool to_lapic(void *ctx, const struct vmctl_apic_irq *irq)
{
	(void)ctx;
	return vmctl_lapic_match(&cpu, irq) && vmctl_lapic_deliver(&cpu, irq);
}

static void test_into_local_apic(void **state)
{
	const struct vmctl_lapic_clock clk = { 1, 1 };
	struct vmctl_lapic_out out;

	(void)state;
	assert_int_equal(vmctl_lapic_init(&cpu, 0, true, true, &clk), 0);
	assert_int_equal(vmctl_lapic_wrmsr(&cpu, 0x80f, 0x1ff, 0, &out), 0);
	vmctl_ioapic_init(&io, 2, to_lapic, NULL);
	route(4, 0x24 | LAPIC_TRIGGER_LEVEL, 0);
	vmctl_ioapic_set_irq(&io, 4, true);
	assert_int_equal(vmctl_lapic_pending_vector(&cpu), 0x24);
	vmctl_lapic_accept(&cpu, 0x24);
	vmctl_ioapic_set_irq(&io, 4, false);
	assert_int_equal(vmctl_lapic_wrmsr(&cpu, 0x80b, 0, 0, &out), 0);
	assert_int_equal(out.flags, VMCTL_LAPIC_OUT_EOI);
	vmctl_ioapic_eoi(&io, out.eoi_vector, 0);
	assert_false(io.redir[4] & LAPIC_REMOTE_IRR);
	assert_int_equal(vmctl_lapic_pending_vector(&cpu), -1);
}

/* A level pin awaiting EOI moves with its remote IRR; a due one fires. */
static void test_regs_round_trip(void **state)
{
	struct vmctl_ioapic_regs r, r2;

	(void)state;
	route(3, 0x33 | LAPIC_TRIGGER_LEVEL, 1);
	vmctl_ioapic_set_irq(&io, 3, true);
	assert_int_equal(nr_sent, 1);
	vmctl_ioapic_mmio_write(&io, IOAPIC_MMIO_REGSEL, 0x17);
	vmctl_ioapic_get_regs(&io, &r);
	assert_int_equal(r.lines, 1U << 3);
	assert_true(r.redir[3] & LAPIC_REMOTE_IRR);
	assert_int_equal(r.regsel, 0x17);

	vmctl_ioapic_init(&io, 0, record, &io);
	assert_int_equal(vmctl_ioapic_set_regs(&io, &r), 0);
	assert_int_equal(nr_sent, 1);		/* waits for its EOI */
	vmctl_ioapic_get_regs(&io, &r2);
	assert_memory_equal(&r, &r2, sizeof(r));

	r.redir[3] &= ~(u64)LAPIC_REMOTE_IRR;	/* due: delivered now */
	assert_int_equal(vmctl_ioapic_set_regs(&io, &r), 0);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(sent[1].vector, 0x33);
}

static void test_regs_refused(void **state)
{
	struct vmctl_ioapic_regs good, r;
	struct vmctl_ioapic before;

	(void)state;
	vmctl_ioapic_get_regs(&io, &good);
	before = io;
#define BAD(change) do {						\
		r = good;						\
		change;							\
		assert_int_equal(vmctl_ioapic_set_regs(&io, &r), -EINVAL); \
		assert_memory_equal(&io, &before, sizeof(io));		\
	} while (0)
	BAD(r.id = 0x100);
	BAD(r.regsel = 0x100);
	BAD(r.lines = 1U << 24);
	BAD(r.redir[0] |= 1U << 12);		/* delivery status */
	BAD(r.redir[5] |= 1ULL << 17);
	BAD(r.redir[23] |= 1ULL << 55);
	BAD(r.redir[1] = LAPIC_REMOTE_IRR);	/* edge pin */
#undef BAD
	assert_int_equal(nr_sent, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_id_version_arb),
		T(test_unimplemented_registers),
		T(test_redirection_entries),
		T(test_edge_pin),
		T(test_masked_edge_is_lost),
		T(test_level_pin_remote_irr),
		T(test_level_unmask_delivers),
		T(test_level_not_accepted),
		T(test_eoi_shared_vector),
		T(test_eoi_lowers_resampled_pin),
		T(test_message_fields),
		T(test_into_local_apic),
		T(test_regs_round_trip),
		T(test_regs_refused),
	};

	return cmocka_run_group_tests_name("ioapic", tests, NULL, NULL);
}
