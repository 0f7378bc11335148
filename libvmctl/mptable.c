// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * MP tables (see mptable.h).  Layouts from the MultiProcessor
 * Specification 1.4, chapter 4: a 16-byte floating pointer structure, the
 * 44-byte configuration table header, then base entries (processor 20
 * bytes, bus, I/O APIC, I/O and local interrupt assignment 8 bytes each).
 * Both checksums make their structure's bytes sum to zero.
 *
 * Two buses: PCI bus 0 (its MP bus ID must be the PCI bus number: Linux
 * matches them when it looks up a device's INTx) and the ISA bus.  INTA#
 * of slots 1-31 (every device here is single-function on INTA#; four
 * pins would not fit next to 64 CPUs in the table's 2 KiB) gets an
 * entry with the routing pc_layout.h defines; flags 0 make them
 * level-triggered, active low, as PCI says.
 */
#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "mptable.h"
#include "pc_layout.h"

#define MPF_SIZE		16
#define MPC_HEADER_SIZE		44
#define MP_SPEC_REV		4	/* 1.4 */
#define APIC_VERSION		0x14
#define IOAPIC_VERSION		0x11
#define NR_ISA_IRQS		16
#define PCI_BUS_ID		0
#define ISA_BUS_ID		1
#define NR_BUSES		2
#define PCI_SLOTS		32	/* slot 0 is the host bridge's */
#define PCI_PINS		1	/* INTA#: the only pin our devices use */
#define NR_PCI_INTSRC		((PCI_SLOTS - 1) * PCI_PINS)

enum mp_entry_type {
	MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC,
};

enum mp_irq_type { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED		(1U << 0)
#define CPU_BOOTPROCESSOR	(1U << 1)
#define IOAPIC_ENABLED		(1U << 0)
#define ALL_LAPICS		0xff

/* IRQ 2 is the 8259 cascade: no I/O APIC input carries it. */
#define NR_INTSRC		(NR_ISA_IRQS - 1)
#define NR_LINTSRC		2	/* LINT0 ExtINT, LINT1 NMI */
#define ENTRY_SIZE		8
#define PROCESSOR_SIZE		20

unsigned int vmctl_mptable_isa_pin(unsigned int irq)
{
	return irq == 0 ? 2 : irq;
}

size_t vmctl_mptable_size(unsigned int nr_cpus)
{
	return MPF_SIZE + MPC_HEADER_SIZE + nr_cpus * PROCESSOR_SIZE +
	       (NR_BUSES + 1 + NR_INTSRC + NR_PCI_INTSRC + NR_LINTSRC) *
	       ENTRY_SIZE;
}

/* An I/O or local interrupt assignment entry; flags 0: as the bus says. */
static uint8_t *irq_entry(uint8_t *p, enum mp_entry_type type,
			  enum mp_irq_type irq_type, uint8_t src_bus,
			  uint8_t src_irq, uint8_t dst_id, uint8_t dst_pin)
{
	p[0] = type;
	p[1] = irq_type;
	vmctl_put16(p + 2, 0);
	p[4] = src_bus;
	p[5] = src_irq;
	p[6] = dst_id;
	p[7] = dst_pin;
	return p + ENTRY_SIZE;
}

int vmctl_mptable_build(const struct vmctl_mptable_config *cfg, uint32_t gpa,
			void *buf, size_t room)
{
	size_t size = vmctl_mptable_size(cfg->nr_cpus);
	uint8_t *mpf = buf, *mpc = mpf + MPF_SIZE, *p;
	unsigned int i, slot, pin;

	if (!cfg->nr_cpus || cfg->nr_cpus > 255 ||
	    cfg->ioapic_id < cfg->nr_cpus || (gpa & 15) || room < size)
		return -EINVAL;
	memset(buf, 0, size);

	memcpy(mpf, "_MP_", 4);
	vmctl_put32(mpf + 4, gpa + MPF_SIZE);	/* configuration table */
	mpf[8] = MPF_SIZE / 16;
	mpf[9] = MP_SPEC_REV;
	/* feature bytes 0: a table is present, virtual wire mode */
	mpf[10] = -vmctl_sum8(mpf, MPF_SIZE);

	p = mpc + MPC_HEADER_SIZE;
	for (i = 0; i < cfg->nr_cpus; i++) {
		p[0] = MP_PROCESSOR;
		p[1] = i;
		p[2] = APIC_VERSION;
		p[3] = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0);
		/* CPU signature and features 0: the OS asks CPUID */
		p += PROCESSOR_SIZE;
	}
	p[0] = MP_BUS;
	p[1] = PCI_BUS_ID;
	memcpy(p + 2, "PCI   ", 6);
	p += ENTRY_SIZE;
	p[0] = MP_BUS;
	p[1] = ISA_BUS_ID;
	memcpy(p + 2, "ISA   ", 6);
	p += ENTRY_SIZE;
	p[0] = MP_IOAPIC;
	p[1] = cfg->ioapic_id;
	p[2] = IOAPIC_VERSION;
	p[3] = IOAPIC_ENABLED;
	vmctl_put32(p + 4, cfg->ioapic_addr);
	p += ENTRY_SIZE;
	for (i = 0; i < NR_ISA_IRQS; i++)
		if (i != 2)
			p = irq_entry(p, MP_INTSRC, MP_INT, ISA_BUS_ID, i,
				      cfg->ioapic_id, vmctl_mptable_isa_pin(i));
	/* PCI: source "IRQ" is the slot in bits 6:2, the pin in 1:0. */
	for (slot = 1; slot < PCI_SLOTS; slot++)
		for (pin = 0; pin < PCI_PINS; pin++)
			p = irq_entry(p, MP_INTSRC, MP_INT, PCI_BUS_ID,
				      slot << 2 | pin, cfg->ioapic_id,
				      vmctl_pci_intx_gsi(slot, pin));
	p = irq_entry(p, MP_LINTSRC, MP_EXTINT, ISA_BUS_ID, 0, ALL_LAPICS, 0);
	p = irq_entry(p, MP_LINTSRC, MP_NMI, ISA_BUS_ID, 0, ALL_LAPICS, 1);

	memcpy(mpc, "PCMP", 4);
	vmctl_put16(mpc + 4, p - mpc);
	mpc[6] = MP_SPEC_REV;
	memcpy(mpc + 8, "VMCTL   ", 8);
	memcpy(mpc + 16, "VMCTL VM    ", 12);
	vmctl_put16(mpc + 34, cfg->nr_cpus + NR_BUSES + 1 + NR_INTSRC +
		    NR_PCI_INTSRC + NR_LINTSRC);
	vmctl_put32(mpc + 36, cfg->lapic_addr);
	mpc[7] = -vmctl_sum8(mpc, p - mpc);
	return size;
}
