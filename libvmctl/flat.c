// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Flat binaries: the whole file at one address, started in real mode.
 * Pure planning, unit-tested.
 */
#include "internal.h"

/* Real mode reaches 1 MiB with CS = entry's 64 KiB-aligned segment. */
#define REAL_MODE_LIMIT	0x100000ULL

int vmctl_flat_plan(size_t len, uint64_t load, uint64_t entry,
		    uint64_t mem_size, struct vmctl_load_plan *plan)
{
	if (load == VMCTL_ENTRY_DEFAULT)
		load = VMCTL_FLAT_DEFAULT_LOAD;
	if (entry == VMCTL_ENTRY_DEFAULT)
		entry = load;
	if (!len)
		return vmctl_fail(-VMCTL_E_IMAGE_EMPTY, "the image file is empty");
	if (load > mem_size || len > mem_size - load)
		return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
				  "[0x%llx, 0x%llx) lies outside guest memory (0x%llx bytes)",
				  (unsigned long long)load,
				  (unsigned long long)(load + len),
				  (unsigned long long)mem_size);
	if (entry - load >= len)
		return vmctl_fail(-VMCTL_E_IMAGE_ENTRY,
				  "entry 0x%llx is outside the image [0x%llx, 0x%llx)",
				  (unsigned long long)entry,
				  (unsigned long long)load,
				  (unsigned long long)(load + len));
	if (entry >= REAL_MODE_LIMIT)
		return vmctl_fail(-VMCTL_E_IMAGE_ENTRY,
				  "entry 0x%llx is above 1 MiB, out of real mode's reach",
				  (unsigned long long)entry);
	*plan = (struct vmctl_load_plan){
		.mode = VMCTL_MODE_REAL,
		.entry = entry,
		.nr_segs = 1,
		.segs[0] = { .file_off = 0, .file_size = len, .gpa = load,
			     .mem_size = len },
	};
	return 0;
}
