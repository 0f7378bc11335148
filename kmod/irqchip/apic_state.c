// SPDX-License-Identifier: GPL-2.0
/*
 * A local APIC's part of a vCPU snapshot (see apic_state.h).  Other vCPUs
 * and the I/O APIC may deliver to the APIC meanwhile: everything here is
 * read or written under its lock, in one go.
 */
#include <linux/spinlock.h>
#include <linux/vmctl.h>
#include "cpu/msr.h"
#include "irqchip/apic.h"
#include "irqchip/apic_state.h"
#include "model/lapic.h"
#include "vm/vcpu.h"

void vmctl_apic_get_state(struct vmk_vcpu *vcpu, struct vmctl_lapic_state *s)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic_regs r;

	spin_lock_irq(&a->lock);
	vmctl_lapic_get_regs(&a->lapic, &r, vmctl_apic_now(vcpu));
	spin_unlock_irq(&a->lock);
	memset(s, 0, sizeof(*s));
	s->apic_base = r.base;
	s->id = r.id;
	s->tpr = r.tpr;
	s->ldr = r.ldr;
	s->dfr = r.dfr;
	s->svr = r.svr;
	s->esr = r.esr;
	s->esr_pending = r.esr_pending;
	s->icr_lo = r.icr_lo;
	s->icr_hi = r.icr_hi;
	memcpy(s->lvt, r.lvt, sizeof(s->lvt));
	memcpy(s->irr, r.irr, sizeof(s->irr));
	memcpy(s->isr, r.isr, sizeof(s->isr));
	memcpy(s->tmr, r.tmr, sizeof(s->tmr));
	s->timer_initial = r.timer_initial;
	s->timer_current = r.timer_current;
	s->timer_dcr = r.timer_dcr;
	s->tsc_deadline = r.tsc_deadline;
}

int vmctl_apic_set_state(struct vmk_vcpu *vcpu,
			 const struct vmctl_lapic_state *s)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic_regs r = {
		.base = s->apic_base, .id = s->id, .tpr = s->tpr,
		.ldr = s->ldr, .dfr = s->dfr, .svr = s->svr, .esr = s->esr,
		.esr_pending = s->esr_pending, .icr_lo = s->icr_lo,
		.icr_hi = s->icr_hi, .timer_initial = s->timer_initial,
		.timer_current = s->timer_current, .timer_dcr = s->timer_dcr,
		.tsc_deadline = s->tsc_deadline,
	};
	int ret;

	BUILD_BUG_ON(sizeof(s->lvt) != sizeof(r.lvt));
	if (!vmctl_apic_base_in_pa(vcpu, s->apic_base))
		return -EINVAL;
	memcpy(r.lvt, s->lvt, sizeof(r.lvt));
	memcpy(r.irr, s->irr, sizeof(r.irr));
	memcpy(r.isr, s->isr, sizeof(r.isr));
	memcpy(r.tmr, s->tmr, sizeof(r.tmr));
	spin_lock_irq(&a->lock);
	ret = vmctl_lapic_set_regs(&a->lapic, &r, vmctl_apic_now(vcpu));
	if (!ret)
		vmctl_apic_rearm(a);
	spin_unlock_irq(&a->lock);
	return ret;
}

void vmctl_apic_get_nmi_sipi(struct vmk_vcpu *vcpu, bool *nmi_pending,
			     u8 *sipi_vector)
{
	struct vmctl_vapic *a = vcpu->apic;

	spin_lock_irq(&a->lock);
	*nmi_pending = a->lapic.nmi_pending;
	*sipi_vector = a->lapic.sipi_vector;
	spin_unlock_irq(&a->lock);
}

void vmctl_apic_set_nmi_sipi(struct vmk_vcpu *vcpu, bool nmi_pending,
			     u8 sipi_vector)
{
	struct vmctl_vapic *a = vcpu->apic;

	spin_lock_irq(&a->lock);
	a->lapic.nmi_pending = nmi_pending;
	a->lapic.sipi_vector = sipi_vector;
	spin_unlock_irq(&a->lock);
}

u32 vmctl_apic_get_mp_state(struct vmk_vcpu *vcpu, bool halted)
{
	struct vmctl_vapic *a = vcpu->apic;
	u32 state;

	spin_lock_irq(&a->lock);
	if (a->lapic.init_pending)
		state = VMCTL_MP_STATE_INIT_RECEIVED;
	else if (a->lapic.mp_state == VMCTL_MP_WAIT_SIPI)
		state = VMCTL_MP_STATE_WAIT_SIPI;
	else if (a->lapic.mp_state == VMCTL_MP_SIPI)
		state = VMCTL_MP_STATE_SIPI_RECEIVED;
	else	/* a kicked halt has ended, as KVM reports it */
		state = halted && !a->lapic.pv_unhalt ?
			VMCTL_MP_STATE_HALTED : VMCTL_MP_STATE_RUNNABLE;
	spin_unlock_irq(&a->lock);
	return state;
}

/* As INIT and SIPI delivery leave the model (lapic.c). */
void vmctl_apic_set_mp_state(struct vmk_vcpu *vcpu, u32 state)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic *l = &a->lapic;

	spin_lock_irq(&a->lock);
	l->init_pending = state == VMCTL_MP_STATE_INIT_RECEIVED;
	l->pv_unhalt = false;
	switch (state) {
	case VMCTL_MP_STATE_INIT_RECEIVED:
		l->mp_state = l->base & VMCTL_APIC_BASE_BSP ?
			      VMCTL_MP_RUNNABLE : VMCTL_MP_WAIT_SIPI;
		break;
	case VMCTL_MP_STATE_WAIT_SIPI:
		l->mp_state = VMCTL_MP_WAIT_SIPI;
		break;
	case VMCTL_MP_STATE_SIPI_RECEIVED:
		l->mp_state = VMCTL_MP_SIPI;
		break;
	default:
		l->mp_state = VMCTL_MP_RUNNABLE;
	}
	spin_unlock_irq(&a->lock);
}
