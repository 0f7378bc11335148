/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SMBIOS (DMTF DSP0134 3.0): the 64-bit entry point and a BIOS
 * Information (type 0) and System Information (type 1) structure saying
 * "vmctl", so a guest's DMI-based checks (/sys/class/dmi/id,
 * dmidecode, systemd-detect-virt) know the machine; type 0 sets the
 * "system is a virtual machine" characteristic.  Linux without EFI
 * finds the entry point by scanning 0xf0000-0xfffff in 16-byte steps.
 * Pure logic: a buffer in, bytes out.
 */
#ifndef VMCTL_SMBIOS_H
#define VMCTL_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define VMCTL_SMBIOS_ROOM	256

/*
 * Lay the entry point and after it the structure table out in buf, for
 * placing at guest-physical gpa (16-byte aligned): the entry point is at
 * gpa.  Returns the bytes written, -EINVAL for a misaligned gpa or
 * -ENOSPC when room is too small.
 */
int vmctl_smbios_build(uint64_t gpa, void *buf, size_t room);

#endif /* VMCTL_SMBIOS_H */
