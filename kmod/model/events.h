/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The events in flight of a vCPU as VMCTL_SET_VCPU_EVENTS and
 * VMCTL_INJECT_EXCEPTION hand them in, and whether the next VM entry can
 * take them (SDM vol. 3, 26.2.1.3 event injection, 26.3.1.5
 * interruptibility): what it would refuse is refused here, before it is
 * stored.  Pure logic like inject.c, whose decision it reuses; built into
 * vmctl.ko and into the unit tests (kmod/tests/).
 */
#ifndef VMCTL_EVENTS_H
#define VMCTL_EVENTS_H

#include "compat.h"

#define VMCTL_EXC_NMI	2
#define VMCTL_EXC_CP	21	/* no CET: never delivered (inject.h) */

/* Interruptibility: blocking by STI, by MOV SS (the VMCS bits). */
#define VMCTL_EV_SHADOW_STI	(1U << 0)
#define VMCTL_EV_SHADOW_MOV_SS	(1U << 1)

/* The values of VMCTL_EVENT_* in <linux/vmctl.h>. */
enum vmctl_event_type {
	VMCTL_EV_NONE,
	VMCTL_EV_EXCEPTION,	/* hardware exception, vector 0-31 */
	VMCTL_EV_INTERRUPT,	/* external interrupt */
	VMCTL_EV_NMI,
};

struct vmctl_exc {
	u8 vector;
	bool has_error_code;
	u32 error_code;
};

struct vmctl_events {
	u8 injected_type;		/* enum vmctl_event_type */
	struct vmctl_exc injected;	/* EXCEPTION: all; INTERRUPT: vector */
	bool exc_pending;
	struct vmctl_exc exc;
	u8 shadow;			/* VMCTL_EV_SHADOW_* */
	bool nmi_pending, nmi_masked;
};

/* The guest state the entry checks events against. */
struct vmctl_events_ctx {
	bool pe;			/* CR0.PE: error codes pushed */
	bool if_set;			/* RFLAGS.IF */
	bool irqchip;			/* NMIs pending in a local APIC */
};

/*
 * An exception as the architecture delivers it: vector 0-31 but not NMI
 * nor #CP, an error code exactly where vmctl_exc_error_code() (inject.h)
 * says, 0 without one, at most 16 bits.
 */
bool vmctl_exception_valid(const struct vmctl_exc *e, bool pe);

/*
 * Could the next VM entry take @ev in @ctx?  Interrupt shadow: not both
 * kinds, STI only with IF=1; an injected interrupt only with IF=1 and no
 * shadow, an injected NMI only without shadow (inject.c's rules); an
 * injected or pending exception valid as above; an NMI pending or NMIs
 * masked only with an irqchip (virtual NMIs).  Returns 0 or -EINVAL.
 */
int vmctl_events_check(const struct vmctl_events *ev,
		       const struct vmctl_events_ctx *ctx);

#endif /* VMCTL_EVENTS_H */
