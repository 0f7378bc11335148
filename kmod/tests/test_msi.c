// SPDX-License-Identifier: GPL-2.0
/*
 * MSI decoding tests: every field of address and data into the APIC-bus
 * message, the redirection hint, the broadcast, level de-assert, and
 * every reserved bit and delivery mode refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "msi.h"

#define ADDR(dest)	(VMCTL_MSI_ADDR_BASE | (u64)(dest) << 12)

static void test_fixed_physical(void **state)
{
	struct vmctl_apic_irq irq;

	(void)state;
	assert_int_equal(vmctl_msi_decode(ADDR(3), 0x41, &irq), 0);
	assert_int_equal(irq.dest, 3);
	assert_int_equal(irq.vector, 0x41);
	assert_int_equal(irq.delivery, LAPIC_DM_FIXED);
	assert_false(irq.logical);
	assert_false(irq.level);
	assert_true(irq.assert);
	assert_int_equal(irq.shorthand, LAPIC_SH_NONE);
	/* Bits 1:0 of the address are "don't care". */
	assert_int_equal(vmctl_msi_decode(ADDR(3) | 3, 0x41, &irq), 0);
}

static void test_logical_and_redirection_hint(void **state)
{
	struct vmctl_apic_irq irq;

	(void)state;
	assert_int_equal(vmctl_msi_decode(ADDR(0x0f) | VMCTL_MSI_ADDR_LOGICAL,
					  0x52, &irq), 0);
	assert_true(irq.logical);
	assert_int_equal(irq.dest, 0x0f);
	assert_int_equal(irq.delivery, LAPIC_DM_FIXED);
	assert_int_equal(vmctl_msi_decode(ADDR(0x0f) | VMCTL_MSI_ADDR_LOGICAL |
					  VMCTL_MSI_ADDR_RH, 0x52, &irq), 0);
	assert_int_equal(irq.delivery, LAPIC_DM_LOWEST);
	/* A hint with a physical destination: one APIC anyway. */
	assert_int_equal(vmctl_msi_decode(ADDR(1) | VMCTL_MSI_ADDR_RH, 0x52,
					  &irq), 0);
	assert_int_equal(irq.delivery, LAPIC_DM_FIXED);
	/* Logical 0xff stays; physical 0xff is the broadcast. */
	assert_int_equal(vmctl_msi_decode(ADDR(0xff) | VMCTL_MSI_ADDR_LOGICAL,
					  0x52, &irq), 0);
	assert_int_equal(irq.dest, 0xff);
	assert_int_equal(vmctl_msi_decode(ADDR(0xff), 0x52, &irq), 0);
	assert_int_equal(irq.dest, VMCTL_APIC_BROADCAST);
}

static void test_delivery_modes(void **state)
{
	struct vmctl_apic_irq irq;
	u32 dm;

	(void)state;
	for (dm = 0; dm < 8; dm++) {
		int ok = dm == LAPIC_DM_FIXED || dm == LAPIC_DM_LOWEST ||
			 dm == LAPIC_DM_NMI || dm == LAPIC_DM_INIT;

		assert_int_equal(vmctl_msi_decode(ADDR(0), 0x30 | dm << 8, &irq),
				 ok ? 0 : -EINVAL);
		if (ok)
			assert_int_equal(irq.delivery, dm);
	}
}

static void test_level_trigger(void **state)
{
	struct vmctl_apic_irq irq;

	(void)state;
	assert_int_equal(vmctl_msi_decode(ADDR(0), 0xc061, &irq), 0);
	assert_true(irq.level);
	assert_true(irq.assert);
	/* A level de-assert message carries no interrupt. */
	assert_int_equal(vmctl_msi_decode(ADDR(0), 0x8061, &irq), 1);
	/* With edge trigger the level bit means nothing. */
	assert_int_equal(vmctl_msi_decode(ADDR(0), 0x0061, &irq), 0);
	assert_false(irq.level);
	assert_true(irq.assert);
}

static void test_reserved_bits(void **state)
{
	struct vmctl_apic_irq irq;
	int bit;

	(void)state;
	for (bit = 4; bit < 12; bit++)
		assert_int_equal(vmctl_msi_decode(ADDR(0) | 1ULL << bit, 0x30,
						  &irq), -EINVAL);
	for (bit = 32; bit < 64; bit++)
		assert_int_equal(vmctl_msi_decode(ADDR(0) | 1ULL << bit, 0x30,
						  &irq), -EINVAL);
	for (bit = 11; bit < 32; bit++)
		if (bit != 14 && bit != 15)
			assert_int_equal(vmctl_msi_decode(ADDR(0),
							  0x30 | 1U << bit,
							  &irq), -EINVAL);
	/* Not the interrupt window at 0xfeexxxxx. */
	assert_int_equal(vmctl_msi_decode(0xfed00000, 0x30, &irq), -EINVAL);
	assert_int_equal(vmctl_msi_decode(0, 0x30, &irq), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_physical),
		cmocka_unit_test(test_logical_and_redirection_hint),
		cmocka_unit_test(test_delivery_modes),
		cmocka_unit_test(test_level_trigger),
		cmocka_unit_test(test_reserved_bits),
	};

	return cmocka_run_group_tests_name("msi", tests, NULL, NULL);
}
