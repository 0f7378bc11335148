// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's in-kernel interrupt controllers (VMCTL_CREATE_IRQCHIP): the
 * I/O APIC behind VMCTL_IRQ_LINE and its MMIO page, the APIC bus that
 * carries I/O APIC messages and IPIs to the vCPUs' local APICs (apic.c),
 * and the MMIO path that serves both pages without leaving the kernel.
 */
#include <linux/mm.h>
#include "irqchip/apic.h"
#include "irqchip/irqchip.h"
#include "model/ioapic.h"
#include "stats.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/vmx.h"

static bool ioapic_deliver(void *ctx, const struct vmctl_apic_irq *irq)
{
	return vmctl_irqchip_deliver(ctx, irq);
}

int vmctl_create_irqchip(struct vmk_vm *vm)
{
	struct vmctl_irqchip *ic;
	int ret = 0;

	if (!vmx_caps.irqchip)
		return -EOPNOTSUPP;
	mutex_lock(&vm->lock);
	if (vm->irqchip) {
		ret = -EEXIST;
	} else if (vm->nr_vcpus) {
		ret = -EBUSY;
	} else {
		ic = vmctl_zalloc(sizeof(*ic));
		if (ic) {
			spin_lock_init(&ic->lock);
			vmctl_ioapic_init(&ic->ioapic, VMCTL_IOAPIC_ID,
					  ioapic_deliver, vm);
			/* Published whole to IRQ_LINE, which takes no mutex. */
			smp_store_release(&vm->irqchip, ic);
		} else {
			ret = -ENOMEM;
		}
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/* VM teardown, after every vCPU (and so every APIC timer) is gone. */
void vmctl_irqchip_free(struct vmk_vm *vm)
{
	if (vm->irqchip)
		vmctl_free(vm->irqchip, sizeof(*vm->irqchip));
	vm->irqchip = NULL;
}

int vmctl_irq_line(struct vmk_vm *vm, const struct vmctl_irq_line *l)
{
	/* Pairs with the release in vmctl_create_irqchip(). */
	struct vmctl_irqchip *ic = smp_load_acquire(&vm->irqchip);
	unsigned long flags;

	if (!ic)
		return -ENXIO;
	if (l->flags || l->level > 1 || l->irq >= VMCTL_IOAPIC_PINS)
		return -EINVAL;
	spin_lock_irqsave(&ic->lock, flags);
	vmctl_ioapic_set_irq(&ic->ioapic, l->irq, l->level);
	spin_unlock_irqrestore(&ic->lock, flags);
	return 0;
}

/*
 * Every vCPU's APIC looks at the message (vCPUs are only ever added while
 * the VM lives); lowest priority goes to the first that matches.
 */
bool vmctl_irqchip_deliver(struct vmk_vm *vm,
			   const struct vmctl_apic_irq *irq)
{
	bool accepted = false, matched;
	struct vmk_vcpu *v;
	int i;

	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		/* A vCPU whole, APIC included: vmctl_create_vcpu(). */
		v = smp_load_acquire(&vm->vcpus[i]);
		if (!v)
			continue;
		accepted |= vmctl_apic_deliver(v, irq, &matched);
		if (matched && irq->delivery == LAPIC_DM_LOWEST)
			break;
	}
	return accepted;
}

void vmctl_irqchip_eoi(struct vmk_vm *vm, u8 vector)
{
	struct vmctl_irqchip *ic = vm->irqchip;
	unsigned long flags;

	spin_lock_irqsave(&ic->lock, flags);
	vmctl_ioapic_eoi(&ic->ioapic, vector);
	spin_unlock_irqrestore(&ic->lock, flags);
}

/* A read of @op->len bytes at byte @byte of the 32-bit register @val. */
void vmctl_irqchip_fill_read(struct vmctl_mmio_op *op, u32 val, u32 byte)
{
	u32 v = val >> (8 * byte);

	memset(op->data, 0, sizeof(op->data));
	memcpy(op->data, &v, min_t(u32, op->len, 4 - byte));
}

bool vmctl_irqchip_mmio(struct vmk_vcpu *vcpu, struct vmctl_mmio_op *op)
{
	struct vmctl_irqchip *ic = vcpu->vm->irqchip;
	u64 off = op->gpa - VMCTL_IOAPIC_BASE;
	unsigned long flags;
	u32 val = 0;

	if (vmctl_apic_mmio(vcpu, op))
		return true;
	if (op->gpa < VMCTL_IOAPIC_BASE || off >= VMCTL_IOAPIC_MMIO_SIZE)
		return false;
	spin_lock_irqsave(&ic->lock, flags);
	if (!op->is_write) {
		val = vmctl_ioapic_mmio_read(&ic->ioapic, off & ~3ULL);
	} else if (op->len == 4 && !(off & 3)) {
		memcpy(&val, op->data, 4);
		vmctl_ioapic_mmio_write(&ic->ioapic, off, val);
	}
	spin_unlock_irqrestore(&ic->lock, flags);
	if (!op->is_write)
		vmctl_irqchip_fill_read(op, val, off & 3);
	return true;
}
