/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ACPI tables of a Linux guest (ACPI 6.0): RSDP, XSDT, FADT, MADT
 * and DSDT, laid out one after the other in one buffer for a known
 * guest-physical address.  Linux finds the RSDP through boot_params'
 * acpi_rsdp_addr or by scanning 0xe0000-0xfffff.  Pure logic: a buffer
 * in, bytes out.
 *
 * The platform is hardware-reduced ACPI (FADT flag HW_REDUCED_ACPI):
 * no PM1 event/control blocks, PM timer, GPEs, FACS or SCI, only the
 * sleep control and status registers and the reset register of the PM
 * device (pm.c).  That is all poweroff and reset need, it is one I/O
 * port each instead of a PIIX4-style register block with its enable
 * handshake and status bits, and Linux then sets up no legacy PIC or
 * PIT timer, which this VM does not have (as on Firecracker and Cloud
 * Hypervisor).  The MADT lists one local APIC per vCPU (APIC ID = vCPU
 * id; vmctl has at most 64, so xAPIC entries, which Linux prefers below
 * ID 255), the I/O APIC, ISA IRQ 0 wired to its input 2 and LINT1 as
 * NMI, as the MP table does.  The DSDT holds the PCI root bridge with
 * its windows and _PRT, a processor device per vCPU and \_S5.
 *
 * With pic_pit (the VM has the in-kernel 8259s and PIT), the platform is
 * full ACPI instead, since Linux ignores both chips on hardware-reduced
 * ACPI: the FADT gives the PM device's PM1 event and control blocks and
 * a FACS, and the MADT says the 8259s are there (PCAT_COMPAT).
 */
#ifndef VMCTL_ACPI_H
#define VMCTL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmctl_acpi_config {
	unsigned int nr_cpus;	/* APIC IDs and processor UIDs 0..nr_cpus-1 */
	uint8_t ioapic_id;	/* must differ from every CPU's APIC ID */
	uint32_t ioapic_addr;
	uint32_t lapic_addr;
	bool pic_pit;		/* full ACPI, 8259s: see above */
};

/* Enough room for the tables of VMCTL_MAX_VCPUS vCPUs. */
#define VMCTL_ACPI_ROOM		8192

/*
 * Lay the RSDP and after it the other tables out in buf, for placing at
 * guest-physical gpa (16-byte aligned, below 4 GiB): the RSDP is at gpa.
 * Returns the bytes written, -EINVAL for 0 or more than 255 CPUs, an
 * I/O APIC ID equal to a CPU's or a misaligned gpa, or -ENOSPC when
 * room is too small.
 */
int vmctl_acpi_build(const struct vmctl_acpi_config *cfg, uint32_t gpa,
		     void *buf, size_t room);

/*
 * The DSDT's definition block (the AML after the table header) for
 * nr_cpus processors: bytes written or -ENOSPC / -EINVAL (dsdt.c).
 */
int vmctl_dsdt_aml(unsigned int nr_cpus, void *buf, size_t room);

#endif /* VMCTL_ACPI_H */
