/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a PC's firmware leaves in its BIOS area (0xf0000-0xfffff) for the
 * kernel it boots: the MP table, the SMBIOS entry point and structures
 * and the ACPI tables, each where Linux scans for it, and at the reset
 * vector (0xffff0, where a real-mode jump to f000:fff0 lands: Linux's
 * "reboot=b" and its last resort when ACPI and the keyboard controller
 * did not reset the machine) code that writes the ACPI reset register.
 * The area is reserved in the e820 map.  Pure logic: a buffer in, bytes
 * out.
 */
#ifndef VMCTL_FIRMWARE_H
#define VMCTL_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "mptable.h"
#include "smbios.h"

#define VMCTL_FW_BASE		0xf0000ULL
#define VMCTL_FW_END		0x100000ULL
#define VMCTL_FW_MPTABLE	VMCTL_FW_BASE		/* 2 KiB */
#define VMCTL_FW_SMBIOS		(VMCTL_FW_BASE + 0x800)	/* 16-byte aligned */
#define VMCTL_FW_ACPI		(VMCTL_FW_BASE + 0x1000)	/* the RSDP first */
#define VMCTL_FW_RESET_VECTOR	0xffff0ULL
#define VMCTL_FW_ROOM		(VMCTL_FW_END - VMCTL_FW_BASE)

/*
 * Fill buf (VMCTL_FW_ROOM bytes, for VMCTL_FW_BASE) for nr_cpus CPUs
 * (APIC ID = vCPU id) and the in-kernel I/O APIC, with pic_pit for
 * the in-kernel 8259s too (full ACPI, acpi.h).  Returns the bytes to
 * copy from buf (all of them), or a negative error (-EINVAL for 0 or too
 * many CPUs).
 */
int vmctl_firmware_build(unsigned int nr_cpus, bool pic_pit, void *buf,
			 size_t room);

#endif /* VMCTL_FIRMWARE_H */
