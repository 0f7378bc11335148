// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fast-path wrappers (fastpath.c, vmctl_vm_signal_msi): each fills
 * the ABI structure the module expects, on the VM's fd, and returns the
 * module's errno negated.  fake_ioctl() records the call.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "ioctl_shim.h"

static struct {
	int fd;
	unsigned long req;
	union {
		struct vmctl_doorbell db;
		struct vmctl_irqfd irqfd;
		struct vmctl_msi msi;
	};
	int fail;		/* errno to fail with, 0: succeed */
} last;

int fake_ioctl(int fd, unsigned long req, void *arg)
{
	last.fd = fd;
	last.req = req;
	if (req == VMCTL_DOORBELL)
		memcpy(&last.db, arg, sizeof(last.db));
	else if (req == VMCTL_IRQFD)
		memcpy(&last.irqfd, arg, sizeof(last.irqfd));
	else if (req == VMCTL_SIGNAL_MSI)
		memcpy(&last.msi, arg, sizeof(last.msi));
	if (last.fail) {
		errno = last.fail;
		return -1;
	}
	return 0;
}

static struct vmctl_vm vm = { .fd = 42 };

static int reset(void **state)
{
	(void)state;
	memset(&last, 0, sizeof(last));
	return 0;
}

static void test_doorbells(void **state)
{
	uint64_t match = 0x1234;

	(void)state;
	assert_int_equal(vmctl_vm_add_doorbell(&vm, 7, 1, 0x710, 2, NULL), 0);
	assert_int_equal(last.fd, 42);
	assert_int_equal(last.req, VMCTL_DOORBELL);
	assert_int_equal(last.db.flags, VMCTL_DOORBELL_PIO);
	assert_int_equal(last.db.addr, 0x710);
	assert_int_equal(last.db.len, 2);
	assert_int_equal(last.db.fd, 7);
	assert_int_equal(last.db.data, 0);
	assert_int_equal(last.db.padding, 0);
	assert_int_equal(vmctl_vm_add_doorbell(&vm, 8, 0, 0xc0000000, 4,
					       &match), 0);
	assert_int_equal(last.db.flags, VMCTL_DOORBELL_DATAMATCH);
	assert_int_equal(last.db.data, 0x1234);
	assert_int_equal(last.db.addr, 0xc0000000);
	assert_int_equal(vmctl_vm_remove_doorbell(&vm, 8, 0, 0xc0000000, 4,
						  &match), 0);
	assert_int_equal(last.db.flags,
			 VMCTL_DOORBELL_DATAMATCH | VMCTL_DOORBELL_DEASSIGN);
	last.fail = EEXIST;
	assert_int_equal(vmctl_vm_add_doorbell(&vm, 7, 1, 0x710, 2, NULL),
			 -EEXIST);
}

static void test_irqfds(void **state)
{
	(void)state;
	assert_int_equal(vmctl_vm_add_irqfd(&vm, 5, 11, -1), 0);
	assert_int_equal(last.req, VMCTL_IRQFD);
	assert_int_equal(last.irqfd.fd, 5);
	assert_int_equal(last.irqfd.pin, 11);
	assert_int_equal(last.irqfd.flags, 0);
	assert_int_equal(last.irqfd.resamplefd, 0);
	assert_int_equal(vmctl_vm_add_irqfd(&vm, 5, 11, 6), 0);
	assert_int_equal(last.irqfd.flags, VMCTL_IRQFD_RESAMPLE);
	assert_int_equal(last.irqfd.resamplefd, 6);
	assert_int_equal(vmctl_vm_add_msi_irqfd(&vm, 9, 0xfee01000, 0x41), 0);
	assert_int_equal(last.irqfd.flags, VMCTL_IRQFD_MSI);
	assert_int_equal(last.irqfd.msi.address, 0xfee01000);
	assert_int_equal(last.irqfd.msi.data, 0x41);
	assert_int_equal(last.irqfd.msi.flags, 0);
	assert_int_equal(last.irqfd.pin, 0);
	assert_int_equal(vmctl_vm_remove_irqfd(&vm, 9), 0);
	assert_int_equal(last.irqfd.flags, VMCTL_IRQFD_DEASSIGN);
	assert_int_equal(last.irqfd.fd, 9);
	last.fail = ENOENT;
	assert_int_equal(vmctl_vm_remove_irqfd(&vm, 9), -ENOENT);
}

static void test_signal_msi(void **state)
{
	(void)state;
	assert_int_equal(vmctl_vm_signal_msi(&vm, 0xfee02000, 0x4031), 0);
	assert_int_equal(last.req, VMCTL_SIGNAL_MSI);
	assert_int_equal(last.msi.address, 0xfee02000);
	assert_int_equal(last.msi.data, 0x4031);
	assert_int_equal(last.msi.flags, 0);
	last.fail = ENXIO;
	assert_int_equal(vmctl_vm_signal_msi(&vm, 0xfee02000, 0x31), -ENXIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_doorbells, reset),
		cmocka_unit_test_setup(test_irqfds, reset),
		cmocka_unit_test_setup(test_signal_msi, reset),
	};

	return cmocka_run_group_tests_name("fastpath", tests, NULL, NULL);
}
