// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * MSI-X (msix.c): the table as the guest reads and writes it, vectors
 * sent only while enabled and unmasked, a masked vector's pending bit
 * and its message sent on unmask (entry mask and Function Mask), and
 * the capability's layout and writable bits.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "msix.h"

static struct vmctl_msix m;
static unsigned int sent;
static uint64_t last_address;
static uint32_t last_data;

static void send(void *ctx, uint64_t address, uint32_t data)
{
	assert_ptr_equal(ctx, &m);
	sent++;
	last_address = address;
	last_data = data;
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vmctl_msix_init(&m, 4), 0);
	m.send = send;
	m.ctx = &m;
	sent = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmctl_msix_destroy(&m);
	return 0;
}

static void program(unsigned int v, uint64_t address, uint32_t data)
{
	vmctl_msix_table_write(&m, 16 * v, 8, address);
	vmctl_msix_table_write(&m, 16 * v + 8, 4, data);
}

static void mask(unsigned int v, bool on)
{
	vmctl_msix_table_write(&m, 16 * v + 12, 4, on);
}

static void test_init_limits(void **state)
{
	struct vmctl_msix x;

	(void)state;
	assert_int_equal(vmctl_msix_init(&x, 0), -EINVAL);
	assert_int_equal(vmctl_msix_init(&x, VMCTL_MSIX_MAX_VECTORS + 1),
			 -EINVAL);
}

static void test_table_access(void **state)
{
	unsigned int v;

	(void)state;
	/* Every vector starts masked, all else 0. */
	for (v = 0; v < 4; v++) {
		assert_int_equal(vmctl_msix_table_read(&m, 16 * v, 8), 0);
		assert_int_equal(vmctl_msix_table_read(&m, 16 * v + 12, 4), 1);
	}
	program(2, 0x00000001fee01000ULL, 0x4041);
	assert_int_equal(vmctl_msix_table_read(&m, 32, 4), 0xfee01000);
	assert_int_equal(vmctl_msix_table_read(&m, 36, 4), 1);
	assert_int_equal(vmctl_msix_table_read(&m, 32, 8), 0x1fee01000ULL);
	assert_int_equal(vmctl_msix_table_read(&m, 40, 8), 0x100004041ULL);
	/* Vector Control keeps only its Mask bit. */
	vmctl_msix_table_write(&m, 44, 4, 0xfffffffe);
	assert_int_equal(vmctl_msix_table_read(&m, 44, 4), 0);
	/* Bytes, misaligned accesses and beyond the table: nothing. */
	vmctl_msix_table_write(&m, 32, 1, 0xff);
	vmctl_msix_table_write(&m, 34, 4, 0xffffffff);
	vmctl_msix_table_write(&m, 36, 8, ~0ULL);
	vmctl_msix_table_write(&m, 64, 4, 0x1234);
	assert_int_equal(vmctl_msix_table_read(&m, 32, 8), 0x1fee01000ULL);
	assert_int_equal(vmctl_msix_table_read(&m, 64, 4), 0);
	assert_int_equal(vmctl_msix_table_read(&m, 32, 2), 0);
	/* An 8-byte write of the last entry's data and control. */
	vmctl_msix_table_write(&m, 56, 8, 0x0000000100000077ULL);
	assert_int_equal(vmctl_msix_table_read(&m, 56, 8), 0x100000077ULL);
	assert_int_equal(sent, 0);
}

static void test_disabled_sends_nothing(void **state)
{
	(void)state;
	program(0, 0xfee00000, 0x30);
	mask(0, false);
	assert_int_equal(vmctl_msix_notify(&m, 0), -1);
	assert_int_equal(vmctl_msix_pba_read(&m, 0, 4), 0);
	assert_false(vmctl_msix_enabled(&m));
	vmctl_msix_control(&m, PCI_MSIX_FLAGS_ENABLE);
	assert_true(vmctl_msix_enabled(&m));
	assert_int_equal(sent, 0);	/* nothing was pending */
	assert_int_equal(vmctl_msix_notify(&m, 0), 1);
	assert_int_equal(sent, 1);
	assert_int_equal(last_address, 0xfee00000);
	assert_int_equal(last_data, 0x30);
	/* No such vector. */
	assert_int_equal(vmctl_msix_notify(&m, 4), -1);
	assert_int_equal(sent, 1);
}

static void test_masked_vector_pends(void **state)
{
	(void)state;
	vmctl_msix_control(&m, PCI_MSIX_FLAGS_ENABLE);
	program(1, 0xfee00000, 0x31);
	/* Masked since reset: pending, not sent, however often. */
	assert_int_equal(vmctl_msix_notify(&m, 1), 0);
	assert_int_equal(vmctl_msix_notify(&m, 1), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(vmctl_msix_pba_read(&m, 0, 4), 1U << 1);
	assert_int_equal(vmctl_msix_pba_read(&m, 0, 8), 1U << 1);
	/* The message as it is at unmask time, once. */
	program(1, 0xfee02000, 0x32);
	assert_int_equal(sent, 0);
	mask(1, false);
	assert_int_equal(sent, 1);
	assert_int_equal(last_address, 0xfee02000);
	assert_int_equal(last_data, 0x32);
	assert_int_equal(vmctl_msix_pba_read(&m, 0, 4), 0);
	mask(1, false);
	assert_int_equal(sent, 1);
	/* Unmasking a vector that has nothing pending sends nothing. */
	mask(2, false);
	assert_int_equal(sent, 1);
}

static void test_function_mask(void **state)
{
	(void)state;
	program(0, 0xfee00000, 0x30);
	program(3, 0xfee00000, 0x33);
	mask(0, false);
	mask(3, false);
	vmctl_msix_control(&m, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(vmctl_msix_notify(&m, 0), 0);
	assert_int_equal(vmctl_msix_notify(&m, 3), 0);
	assert_int_equal(vmctl_msix_pba_read(&m, 0, 4), 0x9);
	/* Vector 3 masked on its own too: only vector 0 goes at unmask. */
	mask(3, true);
	vmctl_msix_control(&m, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(sent, 1);
	assert_int_equal(last_data, 0x30);
	assert_int_equal(vmctl_msix_pba_read(&m, 0, 4), 0x8);
	mask(3, false);
	assert_int_equal(sent, 2);
	assert_int_equal(last_data, 0x33);
	/* Disabled while pending: kept until enabled again. */
	vmctl_msix_control(&m, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(vmctl_msix_notify(&m, 0), 0);
	vmctl_msix_control(&m, 0);
	assert_int_equal(sent, 2);
	vmctl_msix_control(&m, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(sent, 3);
	assert_int_equal(m.sent, 3);
}

static void test_capability(void **state)
{
	struct vmctl_pci_dev dev;
	int off;

	(void)state;
	vmctl_pci_dev_init(&dev, 0x1af4, 0x1041, 0x020000, 1, 0x1af4, 1);
	off = vmctl_msix_add_cap(&m, &dev, 0, 0x4000, 0x5000);
	assert_true(off >= PCI_CAP_START);
	assert_int_equal(dev.cfg[off], PCI_CAP_ID_MSIX);
	assert_int_equal(dev.cfg[off + 2], 3);		/* table size - 1 */
	assert_int_equal(dev.cfg[off + 3], 0);
	assert_int_equal(dev.wmask[off + 2], 0);
	assert_int_equal(dev.wmask[off + 3], 0xc0);
	assert_int_equal(dev.cfg[off + 5], 0x40);	/* 0x4000 | BIR 0 */
	assert_int_equal(dev.cfg[off + 9], 0x50);
	assert_int_equal(dev.wmask[off + 5], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_limits),
		cmocka_unit_test_setup_teardown(test_table_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_sends_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_masked_vector_pends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_function_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capability, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
