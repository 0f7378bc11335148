// SPDX-License-Identifier: LGPL-2.1-or-later
/* A guest's virtio-pci driver for the device tests (see guest_virtio.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest_virtio.h"
#include "internal.h"
#include "virtio_pci.h"

struct guest_virtio guest;

unsigned int guest_nr_devices(void)
{
	struct vmctl_device *d;
	unsigned int n = 0;

	for (d = guest.vm->devices.first; d; d = d->next)
		n++;
	return n;
}

uint32_t guest_cfg_read(unsigned int slot, unsigned int reg)
{
	uint64_t v = 0x80000000U | slot << 11 | reg;

	assert_true(vmctl_io_table_access(&guest.vm->pio, 0xcf8, 4, true, &v));
	assert_true(vmctl_io_table_access(&guest.vm->pio, 0xcfc, 4, false, &v));
	return v;
}

void guest_cfg_write(unsigned int slot, unsigned int reg, uint32_t val)
{
	uint64_t v = 0x80000000U | slot << 11 | reg;

	assert_true(vmctl_io_table_access(&guest.vm->pio, 0xcf8, 4, true, &v));
	v = val;
	assert_true(vmctl_io_table_access(&guest.vm->pio, 0xcfc, 4, true, &v));
}

uint64_t guest_rd(uint64_t off, unsigned int size)
{
	uint64_t v;

	assert_true(vmctl_io_table_access(&guest.vm->mmio, guest.bar + off,
					  size, false, &v));
	return v;
}

void guest_wr(uint64_t off, unsigned int size, uint64_t v)
{
	assert_true(vmctl_io_table_access(&guest.vm->mmio, guest.bar + off,
					  size, true, &v));
}

uint8_t guest_wait_isr(uint8_t want)
{
	uint8_t isr = 0;
	unsigned int i;

	for (i = 0; i < 5000 && (isr & want) != want; i++) {
		isr |= guest_rd(VIRTIO_BAR_ISR, 1);
		if ((isr & want) != want)
			usleep(1000);
	}
	return isr;
}

uint64_t guest_negotiate(unsigned int slot, uint64_t drop)
{
	uint64_t features;

	assert_int_equal(guest_cfg_read(slot, 0) & 0xffff, VIRTIO_PCI_VENDOR);
	guest.bar = guest_cfg_read(slot, 0x10) & ~15U;
	assert_true(guest.bar >= 0xc0000000U);
	guest_cfg_write(slot, 0x04, PCI_COMMAND_MEMORY);
	guest_wr(20, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	guest_wr(0, 4, 0);
	features = guest_rd(4, 4);
	guest_wr(0, 4, 1);
	features |= guest_rd(4, 4) << 32;
	guest_wr(8, 4, 0);
	guest_wr(12, 4, features & ~drop);
	guest_wr(8, 4, 1);
	guest_wr(12, 4, (features & ~drop) >> 32);
	guest_wr(20, 1, 0x0b);
	assert_int_equal(guest_rd(20, 1), 0x0b);
	return features;
}

void guest_queue(unsigned int q, uint16_t size, uint64_t desc,
		 uint64_t avail, uint64_t used)
{
	guest_wr(22, 2, q);
	guest_wr(24, 2, size);
	guest_wr(32, 8, desc);
	guest_wr(40, 8, avail);
	guest_wr(48, 8, used);
	guest_wr(28, 2, 1);
}

void guest_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
		uint16_t flags, uint16_t next)
{
	uint8_t *d = guest.ram + table + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}
