// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Ports a PC has and this VM deliberately leaves empty (pc.c lists them
 * among the PC devices; no state, so no struct vmctl_device).  They read as
 * all-ones and ignore writes, like any unclaimed port, but are claimed
 * so the guest's routine probes do not fill the log with "unclaimed
 * port" warnings:
 *  - the 8259 PICs (0x20-0x21, 0xa0-0xa1): interrupts come through the
 *    I/O APIC.  Linux's probe writes a mask to 0x21 and reads it back;
 *    all-ones is not what it wrote, so it uses its "null" legacy PIC
 *    and skips the checks that route the PIT through the PIC;
 *  - the 8254 PIT (0x40-0x43): the local APIC timer is the clock; Linux
 *    only writes the PIT to stop it;
 *  (a VM given the in-kernel 8259s and PIT, vmctl_vm_create_pic_pit(),
 *  has those ports served by the module before any exit; only string
 *  I/O to them still lands here);
 *  - port 0x80, the POST code port that old drivers write for a delay;
 *  - what Linux probes and finds missing: the i8042 keyboard controller
 *    (0x60, 0x64: a status of all-ones means "no controller"), Super I/O
 *    chips (0x2e, 0x4e) and a DMA page register (0x87).
 */
#include "internal.h"

static uint64_t absent_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)opaque;
	(void)offset;
	return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static void absent_write(void *opaque, uint64_t offset, unsigned int size,
			 uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
}

static const struct vmctl_io_ops absent_ops = {
	.read = absent_read,
	.write = absent_write,
};

static const struct {
	uint16_t base;
	uint16_t len;
} absent_ports[] = {
	{ 0x20, 2 },		/* master 8259 */
	{ 0x2e, 2 },		/* Super I/O */
	{ 0x40, 4 },		/* 8254 PIT */
	{ 0x4e, 2 },		/* Super I/O */
	{ 0x60, 1 },		/* i8042 data */
	{ 0x64, 1 },		/* i8042 status and command */
	{ 0x80, 1 },		/* POST code / I/O delay */
	{ 0x87, 1 },		/* DMA page register */
	{ 0xa0, 2 },		/* slave 8259 */
};

int vmctl_absent_ports_create(struct vmctl_vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(absent_ports); i++) {
		ret = vmctl_vm_register_pio(vm, absent_ports[i].base,
					    absent_ports[i].len, &absent_ops,
					    NULL);
		if (ret)
			return ret;
	}
	return 0;
}
