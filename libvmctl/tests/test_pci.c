// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PCI bus 0 through the guest's eyes: type-1 configuration access at
 * 0xcf8/0xcfc as Linux probes it, the host bridge, BAR sizing and
 * placement in the hole below 4 GiB, routing of BAR accesses by the
 * current BAR values, capabilities and shared INTx lines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pci.h"

static struct vmctl_pci_bus bus;
static int pin_level[24];
static unsigned int irq_calls;

static void set_irq(void *ctx, unsigned int pin, int level)
{
	(void)ctx;
	pin_level[pin] = level;
	irq_calls++;
}

struct fake_bar {
	uint64_t last_off;
	uint64_t last_value;
	unsigned int reads, writes;
};

static uint64_t fb_read(void *opaque, uint64_t off, unsigned int size)
{
	struct fake_bar *f = opaque;

	(void)size;
	f->reads++;
	f->last_off = off;
	return 0x1234;
}

static void fb_write(void *opaque, uint64_t off, unsigned int size,
		     uint64_t value)
{
	struct fake_bar *f = opaque;

	(void)size;
	f->writes++;
	f->last_off = off;
	f->last_value = value;
}

static const struct vmctl_io_ops fb_ops = { fb_read, fb_write };

static int setup(void **state)
{
	(void)state;
	memset(pin_level, 0, sizeof(pin_level));
	irq_calls = 0;
	vmctl_pci_bus_init(&bus, set_irq, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmctl_pci_bus_destroy(&bus);
	return 0;
}

/* Type-1 access as a guest does it: address, then data. */
static uint32_t cfg_rd(unsigned int slot, unsigned int reg, unsigned int size)
{
	uint32_t addr = 0x80000000U | slot << 11 | (reg & 0xfc);

	vmctl_pci_cfg_ops.write(&bus, 0, 4, addr);
	return vmctl_pci_cfg_ops.read(&bus, 4 + (reg & 3), size);
}

static void cfg_wr(unsigned int slot, unsigned int reg, unsigned int size,
		   uint32_t v)
{
	uint32_t addr = 0x80000000U | slot << 11 | (reg & 0xfc);

	vmctl_pci_cfg_ops.write(&bus, 0, 4, addr);
	vmctl_pci_cfg_ops.write(&bus, 4 + (reg & 3), size, v);
}

/* What Linux's pci_check_type1() and pci_sanity_check() do. */
static void test_linux_type1_probe(void **state)
{
	(void)state;
	vmctl_pci_cfg_ops.write(&bus, 3, 1, 0x01);	/* outb 0xcfb */
	vmctl_pci_cfg_ops.write(&bus, 0, 4, 0x80000000);
	assert_int_equal(vmctl_pci_cfg_ops.read(&bus, 0, 4), 0x80000000);
	/* Reserved bits read as zero. */
	vmctl_pci_cfg_ops.write(&bus, 0, 4, 0xffffffff);
	assert_int_equal(vmctl_pci_cfg_ops.read(&bus, 0, 4), 0x80fffffc);
	/* A host bridge at 00:00.0. */
	assert_int_equal(cfg_rd(0, 0x0a, 2), 0x0600);
	assert_int_equal(cfg_rd(0, 0x00, 2), 0x8086);
	assert_int_equal(cfg_rd(0, 0x0e, 1), 0);	/* type 0, one function */
}

static void test_absent_functions(void **state)
{
	(void)state;
	assert_int_equal(cfg_rd(5, 0, 4), 0xffffffff);
	assert_int_equal(cfg_rd(5, 0, 2), 0xffff);
	/* Function 1 of the host bridge, another bus, enable bit clear. */
	vmctl_pci_cfg_ops.write(&bus, 0, 4, 0x80000100);
	assert_int_equal(vmctl_pci_cfg_ops.read(&bus, 4, 4), 0xffffffff);
	vmctl_pci_cfg_ops.write(&bus, 0, 4, 0x80010000);
	assert_int_equal(vmctl_pci_cfg_ops.read(&bus, 4, 2), 0xffff);
	vmctl_pci_cfg_ops.write(&bus, 0, 4, 0x00000000);
	assert_int_equal(vmctl_pci_cfg_ops.read(&bus, 4, 4), 0xffffffff);
	/* Writes there change nothing and do not crash. */
	cfg_wr(5, 4, 4, 0xffffffff);
	vmctl_pci_cfg_ops.write(&bus, 0, 4, 0x80000000);
	vmctl_pci_cfg_ops.write(&bus, 7, 2, 0xffff);	/* crosses the end */
	assert_int_equal(cfg_rd(0, 0, 2), 0x8086);
}

static struct vmctl_pci_dev dev_a, dev_b;
static struct fake_bar bar_a, bar_io;

static void plug_a(void)
{
	vmctl_pci_dev_init(&dev_a, 0x1af4, 0x1042, 0x018000, 1, 0x1af4, 0x1100);
	assert_int_equal(vmctl_pci_dev_set_bar(&dev_a, 0, 0x4000, false,
					       &fb_ops, &bar_a), 0);
	assert_int_equal(vmctl_pci_dev_set_bar(&dev_a, 2, 64, true, &fb_ops,
					       &bar_io), 0);
	assert_int_equal(vmctl_pci_bus_plug(&bus, &dev_a), 0);
}

static void test_device_header(void **state)
{
	(void)state;
	plug_a();
	assert_int_equal(dev_a.slot, 1);
	assert_int_equal(cfg_rd(1, 0, 4), 0x10421af4);
	assert_int_equal(cfg_rd(1, 0x08, 4), 0x01800001);
	assert_int_equal(cfg_rd(1, 0x2c, 4), 0x11001af4);
	assert_int_equal(cfg_rd(1, 0x3d, 1), 1);		/* INTA# */
	assert_int_equal(cfg_rd(1, 0x3c, 1), 17);		/* 16 + 1 % 8 */
	/* Read-only fields stay. */
	cfg_wr(1, 0, 4, 0);
	cfg_wr(1, 0x08, 4, 0);
	assert_int_equal(cfg_rd(1, 0, 4), 0x10421af4);
	assert_int_equal(cfg_rd(1, 0x08, 4), 0x01800001);
	/* The interrupt line register is the guest's scratch. */
	cfg_wr(1, 0x3c, 1, 0x42);
	assert_int_equal(cfg_rd(1, 0x3c, 1), 0x42);
}

static void test_bar_sizing(void **state)
{
	uint32_t orig, io_orig;

	(void)state;
	plug_a();
	orig = cfg_rd(1, 0x10, 4);
	io_orig = cfg_rd(1, 0x18, 4);
	/* Placed in the hole, aligned to its size. */
	assert_true(orig >= VMCTL_PCI_HOLE_BASE && orig < VMCTL_PCI_HOLE_END);
	assert_int_equal(orig % 0x4000, 0);
	assert_int_equal(io_orig & 1, 1);			/* I/O space */
	assert_true((io_orig & ~3U) >= VMCTL_PCI_IO_BASE);
	assert_int_equal((io_orig & ~3U) % 64, 0);
	/* Write all-ones, read the size mask. */
	cfg_wr(1, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(1, 0x10, 4), 0xffffc000);
	cfg_wr(1, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_rd(1, 0x18, 4), 0x0000ffc1);
	/* No BAR: reads 0 whatever is written. */
	cfg_wr(1, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_rd(1, 0x14, 4), 0);
	cfg_wr(1, 0x10, 4, orig);
	assert_int_equal(cfg_rd(1, 0x10, 4), orig);
	/* No expansion ROM. */
	cfg_wr(1, 0x30, 4, 0xffffffff);
	assert_int_equal(cfg_rd(1, 0x30, 4), 0);
}

static void test_bar_routing(void **state)
{
	uint32_t base;

	(void)state;
	plug_a();
	base = cfg_rd(1, 0x10, 4);
	/* Decoding off: nothing answers. */
	assert_int_equal(vmctl_pci_mem_ops.read(&bus, base - VMCTL_PCI_HOLE_BASE + 8, 4),
			 0xffffffff);
	assert_int_equal(bar_a.reads, 0);
	cfg_wr(1, 0x04, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(vmctl_pci_mem_ops.read(&bus, base - VMCTL_PCI_HOLE_BASE + 8, 4),
			 0x1234);
	assert_int_equal(bar_a.last_off, 8);
	vmctl_pci_mem_ops.write(&bus, base - VMCTL_PCI_HOLE_BASE + 0x3ffc, 4, 7);
	assert_int_equal(bar_a.last_off, 0x3ffc);
	assert_int_equal(bar_a.last_value, 7);
	/* Beyond the BAR: nobody. */
	bar_a.writes = 0;
	vmctl_pci_mem_ops.write(&bus, base - VMCTL_PCI_HOLE_BASE + 0x4000, 4, 7);
	assert_int_equal(bar_a.writes, 0);
	/* The guest moves the BAR: accesses follow it. */
	cfg_wr(1, 0x10, 4, 0xd0000000);
	assert_int_equal(vmctl_pci_mem_ops.read(&bus, 0xd0000010 - VMCTL_PCI_HOLE_BASE, 4),
			 0x1234);
	assert_int_equal(bar_a.last_off, 0x10);
	bar_a.reads = 0;
	vmctl_pci_mem_ops.read(&bus, base - VMCTL_PCI_HOLE_BASE, 4);
	assert_int_equal(bar_a.reads, 0);
	/* I/O BAR. */
	base = cfg_rd(1, 0x18, 4) & ~3U;
	vmctl_pci_io_ops.write(&bus, base - VMCTL_PCI_IO_BASE + 4, 2, 0xbeef);
	assert_int_equal(bar_io.last_off, 4);
	assert_int_equal(bar_io.last_value, 0xbeef);
}

static void test_bars_disjoint(void **state)
{
	struct vmctl_pci_dev devs[30];
	struct fake_bar fb;
	uint32_t prev_end = 0;
	unsigned int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		vmctl_pci_dev_init(&devs[i], 0x1af4, 0x1044, 0, 1, 0, 0);
		vmctl_pci_dev_set_bar(&devs[i], 0, i % 2 ? 0x4000 : 0x100000,
				      false, &fb_ops, &fb);
		assert_int_equal(vmctl_pci_bus_plug(&bus, &devs[i]), 0);
		assert_int_equal(devs[i].slot, i + 1);
		assert_true(cfg_rd(i + 1, 0x10, 4) >= prev_end);
		prev_end = cfg_rd(i + 1, 0x10, 4) + (i % 2 ? 0x4000 : 0x100000);
		assert_true(prev_end <= VMCTL_PCI_HOLE_END);
	}
	/* Slot 31 is the last; then the bus is full. */
	vmctl_pci_dev_init(&dev_a, 1, 1, 0, 0, 0, 0);
	assert_int_equal(vmctl_pci_bus_plug(&bus, &dev_a), 0);
	assert_int_equal(dev_a.slot, 31);
	vmctl_pci_dev_init(&dev_b, 1, 1, 0, 0, 0, 0);
	assert_int_equal(vmctl_pci_bus_plug(&bus, &dev_b), -ENOSPC);
}

static void test_window_full(void **state)
{
	struct fake_bar fb;

	(void)state;
	vmctl_pci_dev_init(&dev_a, 1, 1, 0, 0, 0, 0);
	vmctl_pci_dev_set_bar(&dev_a, 0, 0x80000000U, false, &fb_ops, &fb);
	assert_int_equal(vmctl_pci_bus_plug(&bus, &dev_a), -ENOSPC);
	assert_int_equal(vmctl_pci_dev_set_bar(&dev_a, 0, 0x3000, false,
					       &fb_ops, &fb), -EINVAL);
	assert_int_equal(vmctl_pci_dev_set_bar(&dev_a, 6, 0x1000, false,
					       &fb_ops, &fb), -EINVAL);
}

static void test_capabilities(void **state)
{
	uint8_t body[8] = { 0, 0, 0xaa, 0xbb }, body2[4] = { 0, 0, 0xcc, 0 };
	int a, b;

	(void)state;
	vmctl_pci_dev_init(&dev_a, 1, 1, 0, 0, 0, 0);
	a = vmctl_pci_dev_add_cap(&dev_a, 0x09, body, 6, NULL);
	b = vmctl_pci_dev_add_cap(&dev_a, 0x11, body2, 4, NULL);
	assert_int_equal(a, 0x40);
	assert_int_equal(b, 0x48);		/* dword aligned */
	assert_int_equal(vmctl_pci_bus_plug(&bus, &dev_a), 0);
	assert_true(cfg_rd(1, 0x06, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(cfg_rd(1, 0x34, 1), 0x40);
	assert_int_equal(cfg_rd(1, 0x40, 4), 0xbbaa4809);
	assert_int_equal(cfg_rd(1, 0x48, 4), 0x00cc0011);
	/* Read-only unless a mask says otherwise. */
	cfg_wr(1, 0x40, 4, 0);
	assert_int_equal(cfg_rd(1, 0x40, 4), 0xbbaa4809);
}

static void test_intx_shared(void **state)
{
	struct vmctl_pci_dev devs[8];
	unsigned int i;

	(void)state;
	/* Slots 1-8: INTA# on pins 17-23, then 16 (pc_layout.h). */
	for (i = 0; i < 8; i++) {
		vmctl_pci_dev_init(&devs[i], 1, 1, 0, 0, 0, 0);
		assert_int_equal(vmctl_pci_bus_plug(&bus, &devs[i]), 0);
		assert_int_equal(devs[i].pin, 16 + (i + 1) % 8);
	}
	/* Slot 9 shares pin 17 with slot 1. */
	vmctl_pci_dev_init(&dev_a, 1, 1, 0, 0, 0, 0);
	assert_int_equal(vmctl_pci_bus_plug(&bus, &dev_a), 0);
	assert_int_equal(dev_a.slot, 9);
	assert_int_equal(dev_a.pin, 17);

	vmctl_pci_set_intx(&devs[0], 1);
	assert_int_equal(pin_level[17], 1);
	assert_true(cfg_rd(1, 0x06, 2) & PCI_STATUS_INTERRUPT);
	vmctl_pci_set_intx(&dev_a, 1);
	assert_int_equal(irq_calls, 1);		/* already high */
	vmctl_pci_set_intx(&devs[0], 0);
	assert_int_equal(pin_level[17], 1);	/* slot 9 still asserts */
	assert_false(cfg_rd(1, 0x06, 2) & PCI_STATUS_INTERRUPT);
	/* Interrupt Disable masks slot 9's line; clearing it restores. */
	cfg_wr(9, 0x04, 2, PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(pin_level[17], 0);
	assert_true(cfg_rd(9, 0x06, 2) & PCI_STATUS_INTERRUPT);
	cfg_wr(9, 0x04, 2, 0);
	assert_int_equal(pin_level[17], 1);
	vmctl_pci_set_intx(&dev_a, 0);
	assert_int_equal(pin_level[17], 0);
	assert_int_equal(pin_level[18], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_type1_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars_disjoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx_shared, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
