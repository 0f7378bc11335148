// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of the VMX basic exit reasons, for people reading exit counters:
 * the table <linux/vmctl.h> exports (VMCTL_HW_EXIT_NAMES).  Numbers the
 * SDM leaves unused have no name.
 */
#include "internal.h"

static const char *const names[VMCTL_NR_HW_EXIT_REASONS] = {
	VMCTL_HW_EXIT_NAMES
};

const char *vmctl_exit_reason_name(unsigned int reason)
{
	return reason < VMCTL_NR_HW_EXIT_REASONS ? names[reason] : NULL;
}
