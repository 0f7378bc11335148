/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apic.c: a vCPU's in-kernel local APIC: the model behind a spinlock, its
 * timer, register access, and the answers the run loop asks for (INIT?
 * SIPI? runnable? what to inject?).
 */
#ifndef VMCTL_IRQCHIP_APIC_H
#define VMCTL_IRQCHIP_APIC_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include "model/lapic.h"
#include "model/emulate.h"

struct vmk_vcpu;

struct vmctl_vapic {
	spinlock_t lock;	/* the model; other vCPUs, timer, IRQ_LINE */
	struct vmctl_lapic lapic;
	struct hrtimer timer;
	struct vmk_vcpu *vcpu;
};

void vmctl_apic_clock(struct vmctl_lapic_clock *clock, u32 *crystal_hz);
int vmctl_apic_create(struct vmk_vcpu *vcpu);
void vmctl_apic_free(struct vmk_vcpu *vcpu);
void vmctl_apic_kick(struct vmk_vcpu *vcpu);
bool vmctl_apic_deliver(struct vmk_vcpu *vcpu,
			const struct vmctl_apic_irq *irq, bool *matched);
bool vmctl_apic_halt(struct vmk_vcpu *vcpu, bool irq_wakes);
bool vmctl_apic_stopped(struct vmk_vcpu *vcpu);
bool vmctl_apic_take_init_sipi(struct vmk_vcpu *vcpu, bool *init, int *sipi);
bool vmctl_apic_runnable(struct vmk_vcpu *vcpu, bool halted, bool irq_wakes);
void vmctl_apic_pv_kick(struct vmk_vcpu *vcpu);
bool vmctl_apic_inject(struct vmk_vcpu *vcpu, bool event_queued, bool pv_eoi);
void vmctl_apic_eoi(struct vmk_vcpu *vcpu);
u64 vmctl_apic_get_base(struct vmk_vcpu *vcpu);
int vmctl_apic_set_base(struct vmk_vcpu *vcpu, u64 base, bool host);
int vmctl_apic_rdmsr(struct vmk_vcpu *vcpu, u32 index, u64 *data);
int vmctl_apic_wrmsr(struct vmk_vcpu *vcpu, u32 index, u64 data);
u64 vmctl_apic_get_cr8(struct vmk_vcpu *vcpu);
void vmctl_apic_set_cr8(struct vmk_vcpu *vcpu, u64 cr8);
bool vmctl_apic_mmio(struct vmk_vcpu *vcpu, struct vmctl_mmio_op *op);
/* The guest's TSC now; arm the host timer for the model (lock held). */
u64 vmctl_apic_now(struct vmk_vcpu *vcpu);
void vmctl_apic_rearm(struct vmctl_vapic *a);

#endif /* VMCTL_IRQCHIP_APIC_H */
