// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PM device's registers: which bytes written where power the VM
 * off or reset it, and which are ignored, as Linux's hardware-reduced
 * ACPI code writes them (acpi_hw_extended_sleep, acpi_reset) and its
 * full ACPI code writes PM1 control (acpi_hw_legacy_sleep).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pm.h"

#define CONTROL		(VMCTL_PM_SLEEP_CONTROL - VMCTL_PM_PORT)
#define STATUS		(VMCTL_PM_SLEEP_STATUS - VMCTL_PM_PORT)
#define RESET		(VMCTL_PM_RESET - VMCTL_PM_PORT)
#define PM1_CNT		(VMCTL_PM1_CNT - VMCTL_PM_PORT)
#define PM1_EVT		(VMCTL_PM1_EVT - VMCTL_PM_PORT)

static void test_poweroff(void **state)
{
	(void)state;
	/* S5's sleep type in bits 2-4 with SLP_EN (bit 5): 0x34 */
	assert_int_equal(vmctl_pm_decode(CONTROL, 5 << 2 | 1 << 5),
			 VMCTL_END_ACPI_POWEROFF);
	/* reserved bits set as well: still S5 */
	assert_int_equal(vmctl_pm_decode(CONTROL, 0xff & ~(2 << 2)),
			 VMCTL_END_ACPI_POWEROFF);
}

static void test_ignored(void **state)
{
	unsigned int typ;

	(void)state;
	/* S5's type without SLP_EN */
	assert_int_equal(vmctl_pm_decode(CONTROL, 5 << 2), VMCTL_END_NONE);
	/* other sleep states, which the DSDT does not offer */
	for (typ = 0; typ < 8; typ++)
		if (typ != 5)
			assert_int_equal(vmctl_pm_decode(CONTROL,
							 typ << 2 | 1 << 5),
					 VMCTL_END_NONE);
	/* WAK_STS acknowledged, written before every sleep */
	assert_int_equal(vmctl_pm_decode(STATUS, 0x80), VMCTL_END_NONE);
	assert_int_equal(vmctl_pm_decode(STATUS, 0x34), VMCTL_END_NONE);
	/* the reset register wants its value */
	assert_int_equal(vmctl_pm_decode(RESET, 0), VMCTL_END_NONE);
	assert_int_equal(vmctl_pm_decode(RESET, 0x06), VMCTL_END_NONE);
	/* past the device's ports */
	assert_int_equal(vmctl_pm_decode(VMCTL_PM_PORTS, 0x01), VMCTL_END_NONE);
}

static void test_pm1_control(void **state)
{
	unsigned int i;

	(void)state;
	/* SLP_TYP first, then with SLP_EN (bit 13); SCI_EN kept */
	assert_int_equal(vmctl_pm_decode(PM1_CNT, 5 << 10 | 1),
			 VMCTL_END_NONE);
	assert_int_equal(vmctl_pm_decode(PM1_CNT, 5 << 10 | 1 << 13 | 1),
			 VMCTL_END_ACPI_POWEROFF);
	/* its high byte written alone */
	assert_int_equal(vmctl_pm_decode(PM1_CNT + 1, 5 << 2 | 1 << 5),
			 VMCTL_END_ACPI_POWEROFF);
	/* another sleep type; the event block takes anything */
	assert_int_equal(vmctl_pm_decode(PM1_CNT, 3 << 10 | 1 << 13),
			 VMCTL_END_NONE);
	for (i = 0; i < VMCTL_PM1_EVT_LEN; i++)
		assert_int_equal(vmctl_pm_decode(PM1_EVT + i, 0xffff),
				 VMCTL_END_NONE);
}

static void test_reset(void **state)
{
	(void)state;
	assert_int_equal(vmctl_pm_decode(RESET, VMCTL_PM_RESET_VALUE),
			 VMCTL_END_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poweroff),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_pm1_control),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests_name("pm", tests, NULL, NULL);
}
