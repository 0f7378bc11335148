/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel MultiProcessor Specification 1.4 tables: how a guest kernel
 * without ACPI learns its CPUs, its I/O APIC and how the ISA and PCI
 * interrupts reach it.  Linux reads them when it finds no ACPI tables (or boots with
 * acpi=off): it scans 0xf0000-0xfffff (and the first and the 640th KiB)
 * for the floating pointer.  Pure logic: a buffer in, bytes out.
 */
#ifndef VMCTL_MPTABLE_H
#define VMCTL_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

struct vmctl_mptable_config {
	unsigned int nr_cpus;	/* APIC IDs 0..nr_cpus-1; CPU 0 boots */
	uint8_t ioapic_id;	/* must differ from every CPU's APIC ID */
	uint32_t ioapic_addr;
	uint32_t lapic_addr;
};

/* The I/O APIC input each ISA IRQ is wired to: IRQ 0 to pin 2, n to n. */
unsigned int vmctl_mptable_isa_pin(unsigned int irq);

/* Bytes vmctl_mptable_build() writes for nr_cpus CPUs. */
size_t vmctl_mptable_size(unsigned int nr_cpus);

/*
 * Lay the floating pointer (16 bytes) and right after it the
 * configuration table out in buf, for placing at guest-physical gpa
 * (16-byte aligned, below 4 GiB).  Returns the bytes written, or -EINVAL
 * for 0 or more than 255 CPUs, an I/O APIC ID equal to a CPU's, a
 * misaligned gpa, or a buffer shorter than vmctl_mptable_size().
 */
int vmctl_mptable_build(const struct vmctl_mptable_config *cfg, uint32_t gpa,
			void *buf, size_t room);

#endif /* VMCTL_MPTABLE_H */
