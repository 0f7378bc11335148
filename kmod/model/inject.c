// SPDX-License-Identifier: GPL-2.0
/*
 * The injection decision (see inject.h).  SDM vol. 3, 26.3.1.5 and 27.2:
 * an external interrupt may be injected only with RFLAGS.IF set and no
 * STI or MOV SS blocking; an NMI only without MOV SS (and, to be safe
 * on CPUs that check it, STI) blocking and without virtual-NMI blocking.
 * SDM 26.2.1.3: which exceptions carry an error code.
 */
#include <asm/processor-flags.h>
#include "inject.h"

/* #DF, #TS, #NP, #SS, #GP, #PF, #AC */
#define EXC_WITH_ERROR_CODE	((1U << 8) | (1U << 10) | (1U << 11) | \
				 (1U << 12) | (1U << 13) | (1U << 14) | \
				 (1U << 17))

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

u64 vmctl_cr0_seen(u64 ours, u64 hw, u64 mask)
{
	return (ours & mask) | (hw & ~mask);
}

bool vmctl_exc_error_code(u64 cr0, unsigned int vector)
{
	return (cr0 & X86_CR0_PE) && vector < 32 &&
	       (EXC_WITH_ERROR_CODE & (1U << vector));
}
