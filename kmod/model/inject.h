/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which interrupt to inject at the next VM entry, and which window exits
 * to ask for instead.  Pure logic like lapic.c: the run loop gathers the
 * guest's interruptibility and the local APIC's pending events, this
 * decides, the caller writes the VMCS.  Built into vmctl.ko and into the
 * unit tests (kmod/tests/).
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

#endif /* VMCTL_INJECT_H */
