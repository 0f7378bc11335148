// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The BIOS area's tables (see firmware.h).  Both descriptions of the
 * machine are there: ACPI for a kernel that reads it, the MP table for
 * one booted with acpi=off (Linux prefers ACPI's MADT when it has both).
 */
#include <errno.h>
#include <string.h>
#include <linux/vmctl.h>

#include "firmware.h"
#include "pm.h"

_Static_assert(VMCTL_FW_MPTABLE + 2048 <= VMCTL_FW_SMBIOS &&
	       VMCTL_FW_SMBIOS + VMCTL_SMBIOS_ROOM <= VMCTL_FW_ACPI &&
	       VMCTL_FW_ACPI + VMCTL_ACPI_ROOM <= VMCTL_FW_RESET_VECTOR,
	       "the BIOS area's tables overlap");

/*
 * 16-bit code at the reset vector: reset the machine the ACPI way, and
 * should that return, stop for good.
 */
static const uint8_t reset_vector[] = {
	0xb0, VMCTL_PM_RESET_VALUE,			/* mov al, value */
	0xba, VMCTL_PM_RESET & 0xff, VMCTL_PM_RESET >> 8, /* mov dx, port */
	0xee,						/* out dx, al */
	0xfa,						/* cli */
	0xf4,						/* hlt */
	0xeb, 0xfc,					/* jmp to the cli */
};

int vmctl_firmware_build(unsigned int nr_cpus, bool pic_pit, void *buf,
			 size_t room)
{
	struct vmctl_mptable_config mp = {
		.nr_cpus = nr_cpus, .ioapic_id = VMCTL_IOAPIC_ID,
		.ioapic_addr = VMCTL_IOAPIC_BASE, .lapic_addr = VMCTL_APIC_BASE,
	};
	struct vmctl_acpi_config acpi = {
		.nr_cpus = nr_cpus, .ioapic_id = VMCTL_IOAPIC_ID,
		.ioapic_addr = VMCTL_IOAPIC_BASE, .lapic_addr = VMCTL_APIC_BASE,
		.pic_pit = pic_pit,
	};
	uint8_t *b = buf;
	int ret;

	if (room < VMCTL_FW_ROOM)
		return -ENOSPC;
	memset(buf, 0, VMCTL_FW_ROOM);
	ret = vmctl_mptable_build(&mp, VMCTL_FW_MPTABLE,
				  b + (VMCTL_FW_MPTABLE - VMCTL_FW_BASE),
				  VMCTL_FW_SMBIOS - VMCTL_FW_MPTABLE);
	if (ret >= 0)
		ret = vmctl_smbios_build(VMCTL_FW_SMBIOS,
					 b + (VMCTL_FW_SMBIOS - VMCTL_FW_BASE),
					 VMCTL_SMBIOS_ROOM);
	if (ret >= 0)
		ret = vmctl_acpi_build(&acpi, VMCTL_FW_ACPI,
				       b + (VMCTL_FW_ACPI - VMCTL_FW_BASE),
				       VMCTL_ACPI_ROOM);
	if (ret < 0)
		return ret;
	memcpy(b + (VMCTL_FW_RESET_VECTOR - VMCTL_FW_BASE), reset_vector,
	       sizeof(reset_vector));
	return VMCTL_FW_ROOM;
}
