// SPDX-License-Identifier: GPL-2.0
/*
 * MSI decoding (see msi.h).  The address's bits 11:4 and 63:32 are
 * reserved (no extended destination ID: APIC IDs here fit in 8 bits),
 * bits 1:0 are "don't care"; the data's bits 13:11 and 31:16 are
 * reserved.  A redirection hint with a logical destination asks for
 * lowest-priority delivery among the destinations (KVM does the same).
 */
#include "msi.h"

#define MSI_ADDR_BASE_MASK	0xfffffffffff00000ULL
#define MSI_ADDR_RESERVED	0xff0U
#define MSI_DATA_RESERVED	0xffff3800U

int vmctl_msi_decode(u64 address, u32 data, struct vmctl_apic_irq *irq)
{
	u8 dm = (data & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT;

	if ((address & MSI_ADDR_BASE_MASK) != VMCTL_MSI_ADDR_BASE ||
	    (address & MSI_ADDR_RESERVED) || (data & MSI_DATA_RESERVED))
		return -EINVAL;
	switch (dm) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
	case LAPIC_DM_NMI:
	case LAPIC_DM_INIT:
		break;
	default:
		return -EINVAL;
	}
	memset(irq, 0, sizeof(*irq));
	irq->vector = data & LAPIC_VECTOR_MASK;
	irq->logical = address & VMCTL_MSI_ADDR_LOGICAL;
	irq->delivery = dm;
	if (dm == LAPIC_DM_FIXED && irq->logical &&
	    (address & VMCTL_MSI_ADDR_RH))
		irq->delivery = LAPIC_DM_LOWEST;
	irq->level = data & LAPIC_TRIGGER_LEVEL;
	irq->assert = !irq->level || (data & LAPIC_LEVEL_ASSERT);
	irq->dest = (address >> VMCTL_MSI_ADDR_DEST_SHIFT) & 0xff;
	/* As from the I/O APIC: physical 0xff is the broadcast. */
	if (!irq->logical && irq->dest == 0xff)
		irq->dest = VMCTL_APIC_BROADCAST;
	return irq->assert ? 0 : 1;
}
