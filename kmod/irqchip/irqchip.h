/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqchip.c: the VM's in-kernel I/O APIC, the APIC bus to the local
 * APICs (apic.c) and the MMIO path of both pages.
 */
#ifndef VMCTL_IRQCHIP_IRQCHIP_H
#define VMCTL_IRQCHIP_IRQCHIP_H

#include <linux/spinlock.h>
#include <linux/vmctl.h>
#include "model/emulate.h"
#include "model/ioapic.h"

struct vmk_vm;
struct vmk_vcpu;

struct vmctl_irqchip {
	spinlock_t lock;	/* the I/O APIC; taken before any APIC's */
	struct vmctl_ioapic ioapic;
};

int vmctl_create_irqchip(struct vmk_vm *vm);
void vmctl_irqchip_free(struct vmk_vm *vm);
int vmctl_irq_line(struct vmk_vm *vm, const struct vmctl_irq_line *l);
/* Route an APIC-bus message to every matching local APIC. */
bool vmctl_irqchip_deliver(struct vmk_vm *vm,
			   const struct vmctl_apic_irq *irq);
void vmctl_irqchip_eoi(struct vmk_vm *vm, u8 vector);
/* The xAPIC and I/O APIC pages: true when @op was one and is done. */
bool vmctl_irqchip_mmio(struct vmk_vcpu *vcpu, struct vmctl_mmio_op *op);
void vmctl_irqchip_fill_read(struct vmctl_mmio_op *op, u32 val, u32 byte);

#endif /* VMCTL_IRQCHIP_IRQCHIP_H */
