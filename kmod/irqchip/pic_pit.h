/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pic_pit.c: the VM's 8259A pair and 8254 PIT (VMCTL_CREATE_PIC_PIT)
 * around their models: the irqchip's lock, the PIT's hrtimer, their
 * ports, and the PIC's INTR to vCPU 0.
 */
#ifndef VMCTL_IRQCHIP_PIC_PIT_H
#define VMCTL_IRQCHIP_PIC_PIT_H

#include <linux/hrtimer.h>
#include "model/pic.h"
#include "model/pit.h"

struct vmk_vm;
struct vmk_vcpu;
struct vmctl_irqchip;

struct vmctl_pic_pit {
	struct vmctl_pic pic;	/* both under the irqchip's lock */
	struct vmctl_pit pit;
	struct hrtimer timer;	/* counter 0's next rising edge */
	struct vmk_vm *vm;
	bool intr;		/* pic.output, for readers without the lock */
};

int vmctl_create_pic_pit(struct vmk_vm *vm);
/* Before the vCPUs go: the PIT delivers to them. */
void vmctl_pic_pit_stop(struct vmk_vm *vm);
void vmctl_pic_pit_free(struct vmctl_irqchip *ic);
/* A non-string port access: true when it was theirs (*@val read). */
bool vmctl_pic_pit_pio(struct vmk_vcpu *vcpu, u16 port, bool in, u32 *val);
/* ISA IRQ line @gsi (an I/O APIC pin) changed; the irqchip lock held. */
void vmctl_pic_pit_set_gsi(struct vmctl_irqchip *ic, u32 gsi, bool level);
/* Does INTR stand, and does it reach @vcpu (LINT0 or no APIC)? */
bool vmctl_pic_pit_extint(struct vmk_vcpu *vcpu);
/* The interrupt acknowledge of an injected ExtINT: its vector. */
u8 vmctl_pic_pit_ack(struct vmk_vcpu *vcpu);
/* Whether @vm has them (created once, kept until the VM goes). */
bool vmctl_has_pic_pit(struct vmk_vm *vm);
/*
 * A snapshot's models (the PIT's as vmctl_pit_save() gives it) under
 * the irqchip's lock; the set checks both before it takes either, then
 * moves INTR and the PIT's timer.  -ENXIO without them, -EINVAL.
 */
int vmctl_pic_pit_save(struct vmk_vm *vm, struct vmctl_pic *pic,
		       struct vmctl_pit *pit);
int vmctl_pic_pit_load(struct vmk_vm *vm, const struct vmctl_pic *pic,
		       const struct vmctl_pit *pit);

#endif /* VMCTL_IRQCHIP_PIC_PIT_H */
