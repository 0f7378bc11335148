// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's in-kernel interrupt controllers (VMCTL_CREATE_IRQCHIP): the
 * I/O APIC behind VMCTL_IRQ_LINE and its MMIO page, MSIs
 * (VMCTL_SIGNAL_MSI), the APIC bus that carries I/O APIC messages, MSIs
 * and IPIs to the vCPUs' local APICs (apic.c), the EOI of level pins with
 * its notifiers (resampling irqfds, irqfd.c), and the MMIO path that
 * serves both pages without leaving the kernel.
 *
 * Everything that raises an interrupt here may run in atomic context (an
 * irqfd's eventfd wake-up): spinlocks with interrupts off, no sleeping.
 */
#include <linux/mm.h>
#include <linux/rculist.h>
#include "irqchip/apic.h"
#include "irqchip/irqchip.h"
#include "irqchip/pic_pit.h"
#include "model/ioapic.h"
#include "model/msi.h"
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
			INIT_HLIST_HEAD(&ic->acks);
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
	if (vm->irqchip) {
		vmctl_pic_pit_free(vm->irqchip);
		vmctl_free(vm->irqchip, sizeof(*vm->irqchip));
	}
	vm->irqchip = NULL;
}

/* Pin @pin of the I/O APIC and, for an ISA IRQ, the PIC's input; locked. */
static void set_pin(struct vmctl_irqchip *ic, u32 pin, bool level)
{
	vmctl_ioapic_set_irq(&ic->ioapic, pin, level);
	vmctl_pic_pit_set_gsi(ic, pin, level);
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
	set_pin(ic, l->irq, l->level);
	spin_unlock_irqrestore(&ic->lock, flags);
	return 0;
}

/* VMCTL_GET_IOAPIC / VMCTL_SET_IOAPIC: the model under its lock. */
int vmctl_irqchip_get_ioapic(struct vmk_vm *vm, struct vmctl_ioapic_regs *r)
{
	/* Pairs with the release in vmctl_create_irqchip(). */
	struct vmctl_irqchip *ic = smp_load_acquire(&vm->irqchip);
	unsigned long flags;

	if (!ic)
		return -ENXIO;
	spin_lock_irqsave(&ic->lock, flags);
	vmctl_ioapic_get_regs(&ic->ioapic, r);
	spin_unlock_irqrestore(&ic->lock, flags);
	return 0;
}

int vmctl_irqchip_set_ioapic(struct vmk_vm *vm,
			     const struct vmctl_ioapic_regs *r)
{
	/* Pairs with the release in vmctl_create_irqchip(). */
	struct vmctl_irqchip *ic = smp_load_acquire(&vm->irqchip);
	unsigned long flags;
	int ret;

	if (!ic)
		return -ENXIO;
	spin_lock_irqsave(&ic->lock, flags);
	ret = vmctl_ioapic_set_regs(&ic->ioapic, r);
	spin_unlock_irqrestore(&ic->lock, flags);
	return ret;
}

void vmctl_irqchip_raise(struct vmk_vm *vm, u32 pin, bool hold)
{
	/* Pairs with the release in vmctl_create_irqchip(). */
	struct vmctl_irqchip *ic = smp_load_acquire(&vm->irqchip);
	unsigned long flags;

	spin_lock_irqsave(&ic->lock, flags);
	set_pin(ic, pin, true);
	if (!hold)
		set_pin(ic, pin, false);
	spin_unlock_irqrestore(&ic->lock, flags);
}

/* Any thread: the message goes straight onto the APIC bus. */
int vmctl_signal_msi(struct vmk_vm *vm, const struct vmctl_msi *msi)
{
	struct vmctl_apic_irq irq;
	int ret;

	/* Pairs with the release in vmctl_create_irqchip(). */
	if (!smp_load_acquire(&vm->irqchip))
		return -ENXIO;
	if (msi->flags)
		return -EINVAL;
	ret = vmctl_msi_decode(msi->address, msi->data, &irq);
	if (ret < 0)
		return ret;
	if (!ret)
		vmctl_irqchip_deliver(vm, &irq);
	return 0;
}

void vmctl_irqchip_add_ack(struct vmk_vm *vm, struct vmctl_irq_ack *ack)
{
	struct vmctl_irqchip *ic = vm->irqchip;
	unsigned long flags;

	spin_lock_irqsave(&ic->lock, flags);
	hlist_add_head_rcu(&ack->node, &ic->acks);
	spin_unlock_irqrestore(&ic->lock, flags);
}

void vmctl_irqchip_del_ack(struct vmk_vm *vm, struct vmctl_irq_ack *ack)
{
	struct vmctl_irqchip *ic = vm->irqchip;
	struct vmctl_irq_ack *a;
	unsigned long flags;
	bool shared = false;

	spin_lock_irqsave(&ic->lock, flags);
	hlist_del_rcu(&ack->node);
	hlist_for_each_entry(a, &ic->acks, node)
		shared |= a->pin == ack->pin;
	/* Nobody resamples the line any more: leave it low. */
	if (!shared)
		set_pin(ic, ack->pin, false);
	spin_unlock_irqrestore(&ic->lock, flags);
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

/*
 * No vCPU can run again unless user space steps in: each waits for a SIPI
 * or is halted with interrupts off, nothing pending (vmctl_apic_stopped()).
 * The vCPU that halts last sees every other one halted, and a kick sent
 * before the sender halted is seen with the halt it ends.
 */
bool vmctl_irqchip_stopped(struct vmk_vm *vm)
{
	struct vmk_vcpu *v;
	int i;

	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		/* A vCPU whole, APIC included: vmctl_create_vcpu(). */
		v = smp_load_acquire(&vm->vcpus[i]);
		if (v && !vmctl_apic_stopped(v))
			return false;
	}
	return true;
}

/*
 * A level EOI: resampled pins are lowered before their remote IRR
 * clears (so they do not fire again at once), and their acks hear of it
 * after the lock is dropped (they signal eventfds, whose wake-ups may
 * raise pins here).
 */
void vmctl_irqchip_eoi(struct vmk_vm *vm, u8 vector)
{
	struct vmctl_irqchip *ic = vm->irqchip;
	struct vmctl_irq_ack *a;
	unsigned long flags;
	u32 resampled = 0, acked;

	spin_lock_irqsave(&ic->lock, flags);
	hlist_for_each_entry(a, &ic->acks, node)
		resampled |= 1U << a->pin;
	acked = vmctl_ioapic_eoi(&ic->ioapic, vector, resampled);
	spin_unlock_irqrestore(&ic->lock, flags);
	if (!(acked & resampled))
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(a, &ic->acks, node)
		if (acked & (1U << a->pin))
			a->acked(a);
	rcu_read_unlock();
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
