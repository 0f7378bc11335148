/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apic_state.c: a local APIC's part of the vCPU state a snapshot saves
 * (vm/vcpu_state.c): its registers and timer, the NMI and SIPI it
 * holds, the vCPU's INIT/SIPI state.  Called with the vCPU mutex held,
 * the vCPU outside RUN.
 */
#ifndef VMCTL_IRQCHIP_APIC_STATE_H
#define VMCTL_IRQCHIP_APIC_STATE_H

#include <linux/types.h>

struct vmk_vcpu;
struct vmctl_lapic_state;

void vmctl_apic_get_state(struct vmk_vcpu *vcpu, struct vmctl_lapic_state *s);
/* -EINVAL for what vmctl_lapic_set_regs() refuses or a base beyond MAXPHYADDR. */
int vmctl_apic_set_state(struct vmk_vcpu *vcpu,
			 const struct vmctl_lapic_state *s);

void vmctl_apic_get_nmi_sipi(struct vmk_vcpu *vcpu, bool *nmi_pending,
			     u8 *sipi_vector);
void vmctl_apic_set_nmi_sipi(struct vmk_vcpu *vcpu, bool nmi_pending,
			     u8 sipi_vector);
/* VMCTL_MP_STATE_*, from the APIC and whether the vCPU is @halted. */
u32 vmctl_apic_get_mp_state(struct vmk_vcpu *vcpu, bool halted);
/* @state is one of VMCTL_MP_STATE_*; HALTED is the caller's to record. */
void vmctl_apic_set_mp_state(struct vmk_vcpu *vcpu, u32 state);

#endif /* VMCTL_IRQCHIP_APIC_STATE_H */
