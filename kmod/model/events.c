// SPDX-License-Identifier: GPL-2.0
/* Whether the next VM entry can take a vCPU's events (see events.h). */
#include <asm/processor-flags.h>
#include "events.h"
#include "inject.h"

bool vmctl_exception_valid(const struct vmctl_exc *e, bool pe)
{
	bool code = vmctl_exc_error_code(pe ? X86_CR0_PE : 0, e->vector);

	if (e->vector > 31 || e->vector == VMCTL_EXC_NMI ||
	    e->vector == VMCTL_EXC_CP)
		return false;
	if (e->has_error_code != code)
		return false;
	return e->has_error_code ? e->error_code <= 0xffff : !e->error_code;
}

/* Would the injection decision let this event in now? */
static bool entry_takes(const struct vmctl_events *ev,
			const struct vmctl_events_ctx *ctx)
{
	struct vmctl_inject_in in = {
		.vector = -1,
		.if_set = ctx->if_set,
		.shadow = ev->shadow != 0,
	};

	if (ev->injected_type == VMCTL_EV_INTERRUPT) {
		in.vector = ev->injected.vector;
		return vmctl_inject_decide(&in) & VMCTL_INJECT_IRQ;
	}
	/* A re-injected NMI's blocking is lifted at the entry (run.c). */
	in.nmi_pending = true;
	return vmctl_inject_decide(&in) & VMCTL_INJECT_NMI;
}

int vmctl_events_check(const struct vmctl_events *ev,
		       const struct vmctl_events_ctx *ctx)
{
	if (ev->shadow & ~(VMCTL_EV_SHADOW_STI | VMCTL_EV_SHADOW_MOV_SS) ||
	    ev->shadow == (VMCTL_EV_SHADOW_STI | VMCTL_EV_SHADOW_MOV_SS) ||
	    ((ev->shadow & VMCTL_EV_SHADOW_STI) && !ctx->if_set))
		return -EINVAL;
	switch (ev->injected_type) {
	case VMCTL_EV_NONE:
		if (ev->injected.vector || ev->injected.has_error_code ||
		    ev->injected.error_code)
			return -EINVAL;
		break;
	case VMCTL_EV_EXCEPTION:
		if (!vmctl_exception_valid(&ev->injected, ctx->pe))
			return -EINVAL;
		break;
	case VMCTL_EV_INTERRUPT:
	case VMCTL_EV_NMI:
		if (ev->injected.has_error_code || ev->injected.error_code ||
		    (ev->injected_type == VMCTL_EV_NMI &&
		     ev->injected.vector != VMCTL_EXC_NMI) ||
		    !entry_takes(ev, ctx))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (ev->exc_pending ? !vmctl_exception_valid(&ev->exc, ctx->pe) :
	    ev->exc.vector || ev->exc.has_error_code || ev->exc.error_code)
		return -EINVAL;
	if ((ev->nmi_pending || ev->nmi_masked) && !ctx->irqchip)
		return -EINVAL;
	return 0;
}
