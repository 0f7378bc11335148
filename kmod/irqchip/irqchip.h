/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqchip.c: the VM's in-kernel I/O APIC, MSIs, the APIC bus to the
 * local APICs (apic.c), EOI notification and the MMIO path of both
 * pages.
 */
#ifndef VMCTL_IRQCHIP_IRQCHIP_H
#define VMCTL_IRQCHIP_IRQCHIP_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/vmctl.h>
#include "model/emulate.h"
#include "model/ioapic.h"

struct vmk_vm;
struct vmk_vcpu;

struct vmctl_irqchip {
	spinlock_t lock;	/* the I/O APIC; taken before any APIC's */
	struct vmctl_ioapic ioapic;
	struct hlist_head acks;	/* struct vmctl_irq_ack: lock, or RCU */
	/* VMCTL_CREATE_PIC_PIT: set once, before any vCPU; under lock */
	struct vmctl_pic_pit *pic_pit;
};

/*
 * Told of the guest's EOI of a level-triggered pin's interrupt (KVM's
 * irq ack notifier), for a resampled line (irqfd.c): the EOI de-asserts
 * the pin, then calls @acked, from the vCPU thread that took the EOI
 * (preemption off, no irqchip lock held).
 */
struct vmctl_irq_ack {
	struct hlist_node node;
	u32 pin;
	void (*acked)(struct vmctl_irq_ack *ack);
};

int vmctl_create_irqchip(struct vmk_vm *vm);
void vmctl_irqchip_free(struct vmk_vm *vm);
int vmctl_irq_line(struct vmk_vm *vm, const struct vmctl_irq_line *l);
int vmctl_signal_msi(struct vmk_vm *vm, const struct vmctl_msi *msi);
/* The I/O APIC's snapshot; -ENXIO without irqchip, -EINVAL (set) bad. */
int vmctl_irqchip_get_ioapic(struct vmk_vm *vm, struct vmctl_ioapic_regs *r);
int vmctl_irqchip_set_ioapic(struct vmk_vm *vm,
			     const struct vmctl_ioapic_regs *r);
/*
 * Raise pin @pin (< VMCTL_IOAPIC_PINS) of an existing irqchip: assert it
 * and keep it asserted with @hold, else pulse it.  Atomic context too.
 */
void vmctl_irqchip_raise(struct vmk_vm *vm, u32 pin, bool hold);
void vmctl_irqchip_add_ack(struct vmk_vm *vm, struct vmctl_irq_ack *ack);
/*
 * Remove @ack; the pin is de-asserted when no other ack is on it.  Wait
 * for an RCU grace period before freeing @ack.
 */
void vmctl_irqchip_del_ack(struct vmk_vm *vm, struct vmctl_irq_ack *ack);
/* Route an APIC-bus message to every matching local APIC. */
bool vmctl_irqchip_deliver(struct vmk_vm *vm,
			   const struct vmctl_apic_irq *irq);
void vmctl_irqchip_eoi(struct vmk_vm *vm, u8 vector);
/* Every vCPU stopped: waiting for SIPI or halted with IF=0 (apic.c). */
bool vmctl_irqchip_stopped(struct vmk_vm *vm);
/* The xAPIC and I/O APIC pages: true when @op was one and is done. */
bool vmctl_irqchip_mmio(struct vmk_vcpu *vcpu, struct vmctl_mmio_op *op);
void vmctl_irqchip_fill_read(struct vmctl_mmio_op *op, u32 val, u32 byte);

#endif /* VMCTL_IRQCHIP_IRQCHIP_H */
