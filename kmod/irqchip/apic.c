// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's local APIC in the kernel: the pure model behind a spinlock,
 * its timer on an hrtimer, and what the run loop asks of it before each
 * entry: INIT and SIPI to take, whether a halted vCPU may run, and the
 * interrupt or NMI to inject.  The loop itself blocks and resets (run.c,
 * reset.c).
 *
 * Locking: the vCPU's own thread, other vCPUs (IPIs), the I/O APIC
 * (IRQ_LINE, EOI) and the hrtimer all deliver into one APIC, so every
 * model call holds apic->lock with interrupts off.  The I/O APIC lock may
 * be held when an APIC lock is taken, never the other way round: register
 * writes hand IPIs and EOIs on (apic_out()) after dropping the lock.
 *
 * Kicks: whoever makes an event pending calls vmctl_apic_kick(), which
 * wakes the vCPU if it sleeps and, if it is in guest mode on another CPU,
 * sends that CPU a reschedule IPI: the guest exits (external-interrupt
 * exiting) and the next entry injects.  The run loop marks itself
 * in_guest before it reads the APIC for injection (run.c), so an event is
 * either seen by that read or followed by an IPI.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/wait.h>
#include <trace/events/ipi.h>	/* smp_send_reschedule() traces on 6.12 */
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>
#include "irqchip/apic.h"
#include "irqchip/irqchip.h"
#include "irqchip/pic_pit.h"
#include "model/inject.h"
#include "model/lapic.h"
#include "stats.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/* A deadline further away than this (a day at 3 GHz) is not honoured. */
#define MAX_TIMER_TSC_DELTA	(1ULL << 48)
/*
 * A periodic timer fires at most this often: no interrupt storm in the
 * host, and a guest that programs a period of a few ticks still gets
 * time to run between its interrupts (20 µs livelocked one in the test
 * machine).  KVM's floor (min_timer_period_us) is the same.
 */
#define MIN_PERIOD_NS		(200 * NSEC_PER_USEC)

#define NMI_VECTOR		2

/*
 * The APIC timer and CPUID 0x15 share one clock: the TSC itself divided
 * by the smallest ratio that fits its rate in 32 bits (1 below 4.29 GHz),
 * so a guest derives exactly tsc_khz from CPUID and never calibrates.
 */
void vmctl_apic_clock(struct vmctl_lapic_clock *clock, u32 *crystal_hz)
{
	u64 tsc_hz = (u64)tsc_khz * 1000;
	u32 ratio = max_t(u64, DIV_ROUND_UP_ULL(tsc_hz, U32_MAX), 1);

	clock->tsc_per_crystal_num = ratio;
	clock->tsc_per_crystal_den = 1;
	*crystal_hz = div_u64(tsc_hz, ratio);
}

/* Guest TSC = host TSC + offset (no TSC scaling). */
static u64 guest_tsc(struct vmk_vcpu *vcpu)
{
	return rdtsc() + READ_ONCE(vcpu->tsc_offset);
}

static ktime_t deadline_to_ktime(struct vmk_vcpu *vcpu, u64 deadline)
{
	u64 now = guest_tsc(vcpu);
	u64 delta = deadline > now ? min(deadline - now, MAX_TIMER_TSC_DELTA) : 0;

	return ktime_add_ns(ktime_get(),
			    mul_u64_u32_div(delta, NSEC_PER_MSEC, tsc_khz));
}

/* Arm the hrtimer for the model's next expiry; apic->lock held. */
static void timer_update(struct vmctl_vapic *a)
{
	u64 next = vmctl_lapic_timer_next(&a->lapic);

	if (next)
		hrtimer_start(&a->timer, deadline_to_ktime(a->vcpu, next),
			      HRTIMER_MODE_ABS_HARD);
	else
		hrtimer_try_to_cancel(&a->timer);
}

/* For the snapshot accessors (apic_state.c). */
u64 vmctl_apic_now(struct vmk_vcpu *vcpu)
{
	return guest_tsc(vcpu);
}

void vmctl_apic_rearm(struct vmctl_vapic *a)
{
	timer_update(a);
}

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	struct vmctl_vapic *a = container_of(t, struct vmctl_vapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool kick = false;
	ktime_t next_kt;
	u64 next, now;

	spin_lock_irqsave(&a->lock, flags);
	/* Re-armed by timer_update() while we waited for the lock. */
	if (hrtimer_is_queued(t))
		goto out;
	next = vmctl_lapic_timer_next(&a->lapic);
	if (!next)
		goto out;
	now = guest_tsc(a->vcpu);
	if ((s64)(next - now) > (s64)tsc_khz) {
		/* A far deadline we armed only part of the way to: on. */
		hrtimer_set_expires(t, deadline_to_ktime(a->vcpu, next));
		ret = HRTIMER_RESTART;
		goto out;
	}
	/* Otherwise it is due, even if rounding says a few ticks short. */
	kick = vmctl_lapic_timer_expire(&a->lapic, max(now, next));
	next = vmctl_lapic_timer_next(&a->lapic);
	if (next) {	/* periodic */
		next_kt = max(deadline_to_ktime(a->vcpu, next),
			      ktime_add_ns(ktime_get(), MIN_PERIOD_NS));
		hrtimer_set_expires(t, next_kt);
		ret = HRTIMER_RESTART;
	}
out:
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		vmctl_apic_kick(a->vcpu);
	return ret;
}

void vmctl_apic_kick(struct vmk_vcpu *vcpu)
{
	int cpu;

	wake_up(&vcpu->wq);
	/* The event before in_guest: pairs with the barrier in run_once(). */
	smp_mb();
	if (!READ_ONCE(vcpu->in_guest))
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

bool vmctl_apic_deliver(struct vmk_vcpu *vcpu,
			const struct vmctl_apic_irq *irq, bool *matched)
{
	struct vmctl_vapic *a = vcpu->apic;
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&a->lock, flags);
	*matched = vmctl_lapic_match(&a->lapic, irq);
	if (*matched)
		kick = vmctl_lapic_deliver(&a->lapic, irq);
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		vmctl_apic_kick(vcpu);
	return kick;
}

/* What a register write asks for beyond the model; lock dropped. */
static void apic_out(struct vmk_vcpu *vcpu,
		     const struct vmctl_lapic_out *out)
{
	if (out->flags & VMCTL_LAPIC_OUT_IPI)
		vmctl_irqchip_deliver(vcpu->vm, &out->ipi);
	if (out->flags & VMCTL_LAPIC_OUT_EOI)
		vmctl_irqchip_eoi(vcpu->vm, out->eoi_vector);
}

int vmctl_apic_create(struct vmk_vcpu *vcpu)
{
	struct vmctl_lapic_clock clock;
	struct vmctl_vapic *a;
	u32 crystal_hz;

	a = vmctl_zalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	vmctl_apic_clock(&clock, &crystal_hz);
	if (vmctl_lapic_init(&a->lapic, vcpu->id, vcpu->id == 0, false,
			     &clock)) {
		vmctl_free(a, sizeof(*a));
		return -EINVAL;
	}
	/* The PIC's INTR comes in through the BSP's LINT0 (pic_pit.c). */
	if (vcpu->id == 0 && vcpu->vm->irqchip->pic_pit)
		vmctl_lapic_virtual_wire(&a->lapic);
	spin_lock_init(&a->lock);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	a->timer.function = timer_fn;
	a->vcpu = vcpu;
	vcpu->apic = a;
	return 0;
}

/* No other thread can reach the vCPU any more; only its timer. */
void vmctl_apic_free(struct vmk_vcpu *vcpu)
{
	struct vmctl_vapic *a = vcpu->apic;

	if (!a)
		return;
	hrtimer_cancel(&a->timer);
	vmctl_free(a, sizeof(*a));
	vcpu->apic = NULL;
}

/* ---- register access: MSRs, the xAPIC page, CR8, APIC base ---- */

int vmctl_apic_rdmsr(struct vmk_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmctl_vapic *a = vcpu->apic;
	unsigned long flags;
	int ret;

	if (!vmctl_lapic_is_msr(index))
		return -EINVAL;
	spin_lock_irqsave(&a->lock, flags);
	ret = vmctl_lapic_rdmsr(&a->lapic, index, data, guest_tsc(vcpu));
	spin_unlock_irqrestore(&a->lock, flags);
	return ret;
}

int vmctl_apic_wrmsr(struct vmk_vcpu *vcpu, u32 index, u64 data)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic_out out;
	unsigned long flags;
	int ret;

	if (!vmctl_lapic_is_msr(index))
		return -EINVAL;
	spin_lock_irqsave(&a->lock, flags);
	ret = vmctl_lapic_wrmsr(&a->lapic, index, data, guest_tsc(vcpu),
				&out);
	if (!ret && (out.flags & VMCTL_LAPIC_OUT_TIMER))
		timer_update(a);
	spin_unlock_irqrestore(&a->lock, flags);
	if (!ret)
		apic_out(vcpu, &out);
	return ret;
}

bool vmctl_apic_mmio(struct vmk_vcpu *vcpu, struct vmctl_mmio_op *op)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic_out out = { 0 };
	u64 page = READ_ONCE(a->lapic.base) & PAGE_MASK;
	u32 off = op->gpa - page, val = 0;
	unsigned long flags;

	if (op->gpa < page || op->gpa - page >= PAGE_SIZE)
		return false;
	spin_lock_irqsave(&a->lock, flags);
	if (!op->is_write) {
		vmctl_lapic_mmio_read(&a->lapic, off & ~3U, &val,
				      guest_tsc(vcpu));
	} else if (op->len == 4 && !(off & 3)) {
		/* The registers take 32-bit accesses only: others do nothing. */
		memcpy(&val, op->data, 4);
		if (!vmctl_lapic_mmio_write(&a->lapic, off, val,
					    guest_tsc(vcpu), &out) &&
		    (out.flags & VMCTL_LAPIC_OUT_TIMER))
			timer_update(a);
	}
	spin_unlock_irqrestore(&a->lock, flags);
	if (op->is_write)
		apic_out(vcpu, &out);
	else
		vmctl_irqchip_fill_read(op, val, off & 3);
	return true;
}

u64 vmctl_apic_get_cr8(struct vmk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic->lapic.tpr) >> 4;
}

void vmctl_apic_set_cr8(struct vmk_vcpu *vcpu, u64 cr8)
{
	struct vmctl_vapic *a = vcpu->apic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	a->lapic.tpr = cr8 << 4;
	spin_unlock_irqrestore(&a->lock, flags);
}

u64 vmctl_apic_get_base(struct vmk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic->lapic.base);
}

int vmctl_apic_set_base(struct vmk_vcpu *vcpu, u64 base, bool host)
{
	struct vmctl_vapic *a = vcpu->apic;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&a->lock, flags);
	ret = vmctl_lapic_set_base(&a->lapic, base, host);
	if (!ret)	/* disabling resets the timer too */
		timer_update(a);
	spin_unlock_irqrestore(&a->lock, flags);
	return ret;
}

/* ---- what the run loop asks: INIT? SIPI? runnable? what to inject? ---- */

/* The 8259's INTR stands and reaches this vCPU; apic->lock held. */
static bool extint_locked(struct vmctl_vapic *a)
{
	return vmctl_pic_pit_extint(a->vcpu) &&
	       vmctl_lapic_accepts_extint(&a->lapic);
}

/*
 * Can a vCPU run: not while it waits for SIPI; if @halted, only once an
 * NMI or a PV kick or, with @irq_wakes (RFLAGS.IF at the HLT), an
 * interrupt (the APIC's or the PIC's) is pending.  A pending INIT or
 * SIPI always makes it runnable.
 */
static bool runnable_locked(struct vmctl_vapic *a, bool halted,
			    bool irq_wakes)
{
	struct vmctl_lapic *l = &a->lapic;

	if (l->init_pending || l->mp_state == VMCTL_MP_SIPI)
		return true;
	if (l->mp_state == VMCTL_MP_WAIT_SIPI)
		return false;
	return !halted || l->nmi_pending || l->pv_unhalt ||
	       (irq_wakes && (vmctl_lapic_pending_vector(l) >= 0 ||
			      extint_locked(a)));
}

/*
 * A halt with interrupts off starts under the APIC's lock (and every halt
 * ends under it, in vmctl_apic_take_init_sipi()): vmctl_apic_stopped()
 * reads it with the events that would end it, so other vCPUs see a
 * halted vCPU and the kick they sent it together, never the one without
 * the other.  Returns whether such a halt ends at once.  A halt with
 * interrupts on, the idle loop's, is never "stopped": its flag goes
 * first (x86 keeps stores in order), so that no reader takes it for one
 * with interrupts off, and the run loop decides whether it sleeps.
 */
bool vmctl_apic_halt(struct vmk_vcpu *vcpu, bool irq_wakes)
{
	struct vmctl_vapic *a = vcpu->apic;
	bool ret;

	if (irq_wakes) {
		WRITE_ONCE(vcpu->halt_if, true);
		WRITE_ONCE(vcpu->halted, true);
		return false;
	}
	spin_lock_irq(&a->lock);
	vcpu->halt_if = false;
	vcpu->halted = true;
	ret = runnable_locked(a, true, false);
	spin_unlock_irq(&a->lock);
	return ret;
}

/*
 * Stopped for good unless user space steps in: waiting for a SIPI, or
 * halted with interrupts off, with nothing pending that would end either.
 */
bool vmctl_apic_stopped(struct vmk_vcpu *vcpu)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic *l = &a->lapic;
	bool ret;

	spin_lock_irq(&a->lock);
	/* halted before halt_if: see vmctl_apic_halt(). */
	ret = !runnable_locked(a, true, false) &&
	      (l->mp_state == VMCTL_MP_WAIT_SIPI ||
	       (READ_ONCE(vcpu->halted) && !READ_ONCE(vcpu->halt_if)));
	spin_unlock_irq(&a->lock);
	return ret;
}

/*
 * Take a pending INIT (its timer reset done) and SIPI (-1: none), and
 * answer, under the same lock, whether the vCPU may run after them (as
 * vmctl_apic_runnable(); taking either ends a halt).  One answer for
 * both: a SIPI that lands later finds the vCPU asleep (and wakes it) or
 * is taken before the next entry, never after a "runnable" computed
 * before it.  A vCPU that may run is no longer halted, and a PV kick
 * that ended its halt is used up (KVM clears pv_unhalted so).
 */
bool vmctl_apic_take_init_sipi(struct vmk_vcpu *vcpu, bool *init, int *sipi)
{
	struct vmctl_vapic *a = vcpu->apic;
	bool ret;

	spin_lock_irq(&a->lock);
	*init = a->lapic.init_pending;
	a->lapic.init_pending = false;
	if (*init)
		timer_update(a);	/* INIT stopped the timer */
	*sipi = a->lapic.mp_state == VMCTL_MP_SIPI ?
		vmctl_lapic_take_sipi(&a->lapic) : -1;
	if (*init || *sipi >= 0)
		vcpu->halted = false;
	ret = runnable_locked(a, vcpu->halted, vcpu->halt_if);
	if (ret && vcpu->halted) {
		vcpu->halted = false;
		a->lapic.pv_unhalt = false;
	}
	spin_unlock_irq(&a->lock);
	return ret;
}

/* The wait condition of a vCPU asleep: see runnable_locked(). */
bool vmctl_apic_runnable(struct vmk_vcpu *vcpu, bool halted, bool irq_wakes)
{
	struct vmctl_vapic *a = vcpu->apic;
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&a->lock, flags);
	ret = runnable_locked(a, halted, irq_wakes);
	spin_unlock_irqrestore(&a->lock, flags);
	return ret;
}

/* KVM_HC_KICK_CPU's target: see vmctl_lapic_pv_kick(). */
void vmctl_apic_pv_kick(struct vmk_vcpu *vcpu)
{
	struct vmctl_vapic *a = vcpu->apic;
	unsigned long flags;
	bool kick;

	spin_lock_irqsave(&a->lock, flags);
	kick = vmctl_lapic_pv_kick(&a->lapic);
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		vmctl_apic_kick(vcpu);
}

/*
 * Interrupts off, right before the entry, after in_guest is set.  With
 * @pv_eoi, returns whether the guest may skip its next EOI
 * (vmctl_lapic_pv_eoi_ok()), looked at under the same lock.
 */
bool vmctl_apic_inject(struct vmk_vcpu *vcpu, bool event_queued, bool pv_eoi)
{
	struct vmctl_vapic *a = vcpu->apic;
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	struct vmctl_inject_in in = {
		.event_queued = event_queued,
		.if_set = vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF,
		.shadow = intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS),
		.nmi_blocked = intr & GUEST_INTR_NMI,
	};
	u32 proc = vmx_caps.proc, act;
	bool eoi_ok = false, ext;

	spin_lock(&a->lock);
	in.nmi_pending = a->lapic.nmi_pending;
	/* The PIC's first, as KVM does: it has no priority against the APIC. */
	ext = extint_locked(a);
	in.vector = ext ? 0 : vmctl_lapic_pending_vector(&a->lapic);
	act = vmctl_inject_decide(&in);
	if (act & VMCTL_INJECT_NMI)
		a->lapic.nmi_pending = false;
	if ((act & VMCTL_INJECT_IRQ) && !ext)
		vmctl_lapic_accept(&a->lapic, in.vector);
	if (pv_eoi)
		eoi_ok = vmctl_lapic_pv_eoi_ok(&a->lapic);
	spin_unlock(&a->lock);
	if ((act & VMCTL_INJECT_IRQ) && ext) {
		in.vector = vmctl_pic_pit_ack(vcpu);
		/* Auto-EOI may leave the next one standing: take it soon. */
		if (vmctl_pic_pit_extint(vcpu))
			act |= VMCTL_WANT_IRQ_WINDOW;
	}

	if (act & VMCTL_INJECT_NMI)
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   INTR_INFO_VALID | INTR_TYPE_NMI | NMI_VECTOR);
	else if (act & VMCTL_INJECT_IRQ)
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   INTR_INFO_VALID | INTR_TYPE_EXT_INTR | in.vector);
	if (act & VMCTL_WANT_NMI_WINDOW)
		proc |= PROC_NMI_WINDOW_EXITING;
	if (act & VMCTL_WANT_IRQ_WINDOW)
		proc |= PROC_INTR_WINDOW_EXITING;
	if (proc != vcpu->proc_ctls) {
		vmcs_write(VMCS_PROC_CTLS, proc);
		vcpu->proc_ctls = proc;
	}
	return eoi_ok;
}

/* The EOI a guest made by clearing its PV EOI flag (pv_eoi.c). */
void vmctl_apic_eoi(struct vmk_vcpu *vcpu)
{
	struct vmctl_vapic *a = vcpu->apic;
	struct vmctl_lapic_out out;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	vmctl_lapic_eoi(&a->lapic, &out);
	spin_unlock_irqrestore(&a->lock, flags);
	apic_out(vcpu, &out);
}
