// SPDX-License-Identifier: GPL-2.0
/*
 * The injection decision (see inject.h).  SDM vol. 3, 26.3.1.5 and 27.2:
 * an external interrupt may be injected only with RFLAGS.IF set and no
 * STI or MOV SS blocking; an NMI only without MOV SS (and, to be safe
 * on CPUs that check it, STI) blocking and without virtual-NMI blocking.
 */
#include "inject.h"

u32 vmctl_inject_decide(const struct vmctl_inject_in *in)
{
	bool free_slot = !in->event_queued;
	u32 out = 0;

	if (in->nmi_pending) {
		if (free_slot && !in->shadow && !in->nmi_blocked) {
			out |= VMCTL_INJECT_NMI;
			free_slot = false;
		} else {
			out |= VMCTL_WANT_NMI_WINDOW;
		}
	}
	if (in->vector >= 0) {
		if (free_slot && in->if_set && !in->shadow)
			out |= VMCTL_INJECT_IRQ;
		else
			out |= VMCTL_WANT_IRQ_WINDOW;
	}
	return out;
}
