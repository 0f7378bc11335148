// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's 8259A pair and 8254 PIT in the kernel (VMCTL_CREATE_PIC_PIT),
 * as KVM gives its guests: Linux booted with nolapic takes its timer
 * interrupt from the PIT through the PIC, and with noapic or nosmp its
 * ISA interrupts (COM1's) through the PIC and LINT0.
 *
 * Both models sit under the irqchip's lock, with the I/O APIC: an ISA
 * line goes to both chips at once, and the PIT's counter 0 raises the
 * PIC's input 0 and the I/O APIC's pin 2 from its hrtimer.  The PIC's
 * INTR is copied to ->intr under that lock, and a rising or standing
 * INTR kicks vCPU 0, whose run loop reads ->intr before each entry,
 * after marking itself in guest mode (as for the local APIC, apic.c):
 * it injects the vector the acknowledge returns, or asks for an
 * interrupt-window exit.
 */
#include <linux/ktime.h>
#include "irqchip/apic.h"
#include "irqchip/irqchip.h"
#include "irqchip/pic_pit.h"
#include "stats.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/vmx.h"

/* The PIT in periodic mode interrupts at most this often (apic.c's). */
#define MIN_PERIOD_NS		(200 * NSEC_PER_USEC)
#define ISA_IRQS		16
#define PIT_IRQ			0
#define PIT_GSI			2

/* Irqchip lock held: publish INTR and wake vCPU 0 for it. */
static void intr_changed(struct vmctl_pic_pit *pp)
{
	struct vmk_vcpu *bsp;

	WRITE_ONCE(pp->intr, pp->pic.output);
	if (!pp->pic.output)
		return;
	/* A vCPU whole, APIC included: vmctl_create_vcpu(). */
	bsp = smp_load_acquire(&pp->vm->vcpus[0]);
	if (bsp)
		vmctl_apic_kick(bsp);
}

/* Irqchip lock held: the hrtimer for counter 0's next edge. */
static void timer_update(struct vmctl_pic_pit *pp, u64 now)
{
	u64 next = vmctl_pit_irq0_next(&pp->pit, now);

	if (next)
		hrtimer_start(&pp->timer, ns_to_ktime(next),
			      HRTIMER_MODE_ABS_HARD);
	else
		hrtimer_try_to_cancel(&pp->timer);
}

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	struct vmctl_pic_pit *pp = container_of(t, struct vmctl_pic_pit,
						timer);
	struct vmctl_irqchip *ic = pp->vm->irqchip;
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u64 now, next;

	spin_lock_irqsave(&ic->lock, flags);
	/* Re-armed by a port write while we waited for the lock. */
	if (hrtimer_is_queued(t))
		goto out;
	now = ktime_get_ns();
	vmctl_pic_set_irq(&pp->pic, PIT_IRQ, true);
	vmctl_pic_set_irq(&pp->pic, PIT_IRQ, false);
	vmctl_ioapic_set_irq(&ic->ioapic, PIT_GSI, true);
	vmctl_ioapic_set_irq(&ic->ioapic, PIT_GSI, false);
	intr_changed(pp);
	next = vmctl_pit_irq0_next(&pp->pit, now);
	if (next) {	/* periodic */
		hrtimer_set_expires(t, ns_to_ktime(max(next,
						       now + MIN_PERIOD_NS)));
		ret = HRTIMER_RESTART;
	}
out:
	spin_unlock_irqrestore(&ic->lock, flags);
	return ret;
}

int vmctl_create_pic_pit(struct vmk_vm *vm)
{
	struct vmctl_pic_pit *pp;
	struct vmctl_irqchip *ic;
	int ret = 0;

	if (!vmx_caps.irqchip)
		return -EOPNOTSUPP;
	mutex_lock(&vm->lock);
	ic = vm->irqchip;
	if (!ic) {
		ret = -ENXIO;
	} else if (ic->pic_pit) {
		ret = -EEXIST;
	} else if (vm->nr_vcpus) {
		ret = -EBUSY;
	} else {
		pp = vmctl_zalloc(sizeof(*pp));
		if (pp) {
			vmctl_pic_init(&pp->pic);
			vmctl_pit_init(&pp->pit);
			hrtimer_init(&pp->timer, CLOCK_MONOTONIC,
				     HRTIMER_MODE_ABS_HARD);
			pp->timer.function = timer_fn;
			pp->vm = vm;
			/* Whole for IRQ_LINE, which takes no mutex. */
			smp_store_release(&ic->pic_pit, pp);
		} else {
			ret = -ENOMEM;
		}
	}
	mutex_unlock(&vm->lock);
	return ret;
}

void vmctl_pic_pit_stop(struct vmk_vm *vm)
{
	if (vm->irqchip && vm->irqchip->pic_pit)
		hrtimer_cancel(&vm->irqchip->pic_pit->timer);
}

void vmctl_pic_pit_free(struct vmctl_irqchip *ic)
{
	if (ic->pic_pit)
		vmctl_free(ic->pic_pit, sizeof(*ic->pic_pit));
	ic->pic_pit = NULL;
}

static bool is_pic_pit_port(u16 port)
{
	return (port & ~1) == VMCTL_PIC_MASTER ||
	       (port & ~1) == VMCTL_PIC_SLAVE || (port & ~1) == VMCTL_PIC_ELCR ||
	       (port & ~3) == VMCTL_PIT_PORT || port == VMCTL_PIT_PORT61;
}

bool vmctl_pic_pit_pio(struct vmk_vcpu *vcpu, u16 port, bool in, u32 *val)
{
	struct vmctl_irqchip *ic = vcpu->vm->irqchip;
	struct vmctl_pic_pit *pp = ic ? ic->pic_pit : NULL;
	unsigned long flags;
	u8 b, out = *val;
	u64 now;

	if (!pp || !is_pic_pit_port(port))
		return false;
	now = ktime_get_ns();
	spin_lock_irqsave(&ic->lock, flags);
	if (in) {
		/* Byte registers: wider reads see them in the low byte. */
		if (!vmctl_pic_read(&pp->pic, port, &b))
			vmctl_pit_read(&pp->pit, port, &b, now);
		*val = ~0xffU | b;
	} else if (vmctl_pit_write(&pp->pit, port, out, now)) {
		timer_update(pp, now);
	} else {
		vmctl_pic_write(&pp->pic, port, out);
	}
	/* A read (poll) or write may move INTR. */
	intr_changed(pp);
	spin_unlock_irqrestore(&ic->lock, flags);
	return true;
}

void vmctl_pic_pit_set_gsi(struct vmctl_irqchip *ic, u32 gsi, bool level)
{
	/* Pairs with the release in vmctl_create_pic_pit(). */
	struct vmctl_pic_pit *pp = smp_load_acquire(&ic->pic_pit);

	/* Pin 0 is no ISA line (IRQ 0 is on pin 2, the PIT's), 2 the cascade. */
	if (!pp || gsi >= ISA_IRQS || gsi == PIT_IRQ || gsi == PIT_GSI)
		return;
	vmctl_pic_set_irq(&pp->pic, gsi, level);
	intr_changed(pp);
}

bool vmctl_pic_pit_extint(struct vmk_vcpu *vcpu)
{
	struct vmctl_irqchip *ic = vcpu->vm->irqchip;
	struct vmctl_pic_pit *pp;

	if (vcpu->id || !ic)
		return false;
	pp = ic->pic_pit;
	return pp && READ_ONCE(pp->intr);
}

u8 vmctl_pic_pit_ack(struct vmk_vcpu *vcpu)
{
	struct vmctl_irqchip *ic = vcpu->vm->irqchip;
	unsigned long flags;
	u8 vector;

	spin_lock_irqsave(&ic->lock, flags);
	vector = vmctl_pic_ack(&ic->pic_pit->pic);
	WRITE_ONCE(ic->pic_pit->intr, ic->pic_pit->pic.output);
	spin_unlock_irqrestore(&ic->lock, flags);
	return vector;
}

/* The PIC and PIT of @vm, or NULL; stable once there (freed with the VM). */
static struct vmctl_pic_pit *pic_pit_of(struct vmk_vm *vm)
{
	/* Pairs with the release in vmctl_create_irqchip(). */
	struct vmctl_irqchip *ic = smp_load_acquire(&vm->irqchip);

	/* Pairs with the release in vmctl_create_pic_pit(). */
	return ic ? smp_load_acquire(&ic->pic_pit) : NULL;
}

bool vmctl_has_pic_pit(struct vmk_vm *vm)
{
	return pic_pit_of(vm);
}

int vmctl_pic_pit_save(struct vmk_vm *vm, struct vmctl_pic *pic,
		       struct vmctl_pit *pit)
{
	struct vmctl_pic_pit *pp = pic_pit_of(vm);
	unsigned long flags;

	if (!pp)
		return -ENXIO;
	spin_lock_irqsave(&vm->irqchip->lock, flags);
	*pic = pp->pic;
	vmctl_pit_save(&pp->pit, ktime_get_ns(), pit);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return 0;
}

int vmctl_pic_pit_load(struct vmk_vm *vm, const struct vmctl_pic *pic,
		       const struct vmctl_pit *pit)
{
	struct vmctl_pic_pit *pp = pic_pit_of(vm);
	unsigned long flags;
	u64 now;

	if (!pp)
		return -ENXIO;
	if (vmctl_pic_check(pic) || vmctl_pit_check(pit))
		return -EINVAL;
	spin_lock_irqsave(&vm->irqchip->lock, flags);
	now = ktime_get_ns();
	vmctl_pic_load(&pp->pic, pic);
	vmctl_pit_load(&pp->pit, pit, now);
	timer_update(pp, now);
	intr_changed(pp);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return 0;
}
