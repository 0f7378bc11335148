/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which interrupt to inject at the next VM entry, and which window exits
 * to ask for instead; whether an exception goes in with an error code,
 * and the CR0 that rule reads.  Pure logic like lapic.c: the run loop
 * gathers the guest's interruptibility and the local APIC's pending
 * events, this decides, the caller writes the VMCS.  Built into vmctl.ko
 * and into the unit tests (kmod/tests/).
 */
#ifndef VMCTL_INJECT_H
#define VMCTL_INJECT_H

#include "compat.h"

struct vmctl_inject_in {
	bool event_queued;	/* an exception or re-injection goes in first */
	bool nmi_pending;
	int vector;		/* deliverable APIC vector, or -1 */
	bool if_set;		/* RFLAGS.IF */
	bool shadow;		/* blocking by STI or by MOV SS */
	bool nmi_blocked;	/* blocking by NMI (virtual NMIs) */
};

#define VMCTL_INJECT_NMI	(1U << 0)	/* inject the NMI */
#define VMCTL_INJECT_IRQ	(1U << 1)	/* inject in->vector */
#define VMCTL_WANT_NMI_WINDOW	(1U << 2)	/* exit once NMIs unblock */
#define VMCTL_WANT_IRQ_WINDOW	(1U << 3)	/* exit once IF=1, no shadow */

/*
 * At most one event per entry: the queued one, else an NMI, else the
 * interrupt.  Whatever cannot go in now asks for the window exit that
 * tells the run loop when it can.
 */
u32 vmctl_inject_decide(const struct vmctl_inject_in *in);

/*
 * The CR0 the guest sees.  The bits in the VMCS's CR0 guest/host mask
 * (@mask) are ours: a guest write that changes one exits, so our copy
 * (@ours) has them.  The others (PE, MP, EM, TS, ET, WP, AM) the guest
 * changes with MOV to CR0 or LMSW without an exit: only the VMCS's guest
 * CR0 (@hw) has them now.
 */
u64 vmctl_cr0_seen(u64 ours, u64 hw, u64 mask);

/*
 * Does hardware exception @vector push an error code in a guest whose
 * CR0 is @cr0?  VM entry insists (SDM 26.2.1.3): the deliver-error-code
 * bit is set exactly for #DF, #TS, #NP, #SS, #GP, #PF and #AC with CR0.PE
 * set in the guest's CR0 field, else entry fails (VM-instruction error
 * 7).  Not #CP: the guest has no CET, and a CPU without IA32_VMX_BASIC
 * bit 56 refuses vector 21 with an error code.
 */
bool vmctl_exc_error_code(u64 cr0, unsigned int vector);

#endif /* VMCTL_INJECT_H */
