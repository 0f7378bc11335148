/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC model: x2APIC (MSRs 0x800-0x8ff, TSC_DEADLINE 0x6e0) and the
 * xAPIC MMIO page over the same registers, IRR/ISR priority logic, INIT/SIPI
 * and NMI bookkeeping, and the timer in one-shot, periodic and TSC-deadline
 * modes.  Pure logic like the emulator: no VMX, no hrtimer, no locking.
 * The timer is a guest-TSC deadline the caller arms a host timer for; every
 * function that needs "now" takes the guest TSC.  Built into vmctl.ko and
 * into the userspace unit tests (kmod/tests/).  The caller serialises all
 * calls on one APIC (its vCPU lock, or a spinlock when other vCPUs and the
 * I/O APIC deliver to it).
 */
#ifndef VMCTL_LAPIC_H
#define VMCTL_LAPIC_H

#include "compat.h"

#define VMCTL_APIC_DEFAULT_BASE	0xfee00000ULL
#define VMCTL_APIC_VERSION	0x14	/* integrated APIC */

/* IA32_APIC_BASE (MSR 0x1b) */
#define VMCTL_MSR_APIC_BASE	0x1b
#define VMCTL_APIC_BASE_BSP	(1ULL << 8)
#define VMCTL_APIC_BASE_EXTD	(1ULL << 10)	/* x2APIC mode */
#define VMCTL_APIC_BASE_EN	(1ULL << 11)

#define VMCTL_MSR_TSC_DEADLINE	0x6e0
#define VMCTL_MSR_X2APIC_FIRST	0x800
#define VMCTL_MSR_X2APIC_LAST	0x8ff

/*
 * Registers by index: xAPIC MMIO offset / 16, or x2APIC MSR - 0x800.
 * ICR2 exists only in xAPIC mode (x2APIC folds it into a 64-bit ICR),
 * SELF_IPI only in x2APIC mode.
 */
enum vmctl_apic_reg {
	LAPIC_REG_ID = 0x02,
	LAPIC_REG_VERSION = 0x03,
	LAPIC_REG_TPR = 0x08,
	LAPIC_REG_APR = 0x09,
	LAPIC_REG_PPR = 0x0a,
	LAPIC_REG_EOI = 0x0b,
	LAPIC_REG_LDR = 0x0d,
	LAPIC_REG_DFR = 0x0e,
	LAPIC_REG_SVR = 0x0f,
	LAPIC_REG_ISR0 = 0x10,	/* 8 registers of 32 vectors each */
	LAPIC_REG_TMR0 = 0x18,
	LAPIC_REG_IRR0 = 0x20,
	LAPIC_REG_ESR = 0x28,
	LAPIC_REG_LVT_CMCI = 0x2f,
	LAPIC_REG_ICR = 0x30,
	LAPIC_REG_ICR2 = 0x31,
	LAPIC_REG_LVT_TIMER = 0x32,
	LAPIC_REG_LVT_THERMAL = 0x33,
	LAPIC_REG_LVT_PMI = 0x34,
	LAPIC_REG_LVT_LINT0 = 0x35,
	LAPIC_REG_LVT_LINT1 = 0x36,
	LAPIC_REG_LVT_ERROR = 0x37,
	LAPIC_REG_TIMER_ICR = 0x38,	/* initial count */
	LAPIC_REG_TIMER_CCR = 0x39,	/* current count */
	LAPIC_REG_TIMER_DCR = 0x3e,	/* divide configuration */
	LAPIC_REG_SELF_IPI = 0x3f,
};

/* The LVT entries in the order of struct vmctl_lapic.lvt[]. */
enum vmctl_lvt {
	LVT_TIMER, LVT_THERMAL, LVT_PMI, LVT_LINT0, LVT_LINT1, LVT_ERROR,
	LVT_CMCI, NR_LVT
};

/* LVT and ICR fields */
#define LAPIC_VECTOR_MASK	0xffU
#define LAPIC_DM_SHIFT		8
#define LAPIC_DM_MASK		(7U << LAPIC_DM_SHIFT)
#define LAPIC_DEST_LOGICAL_BIT	(1U << 11)
#define LAPIC_POLARITY_LOW	(1U << 13)
#define LAPIC_REMOTE_IRR	(1U << 14)
#define LAPIC_LEVEL_ASSERT	(1U << 14)	/* ICR */
#define LAPIC_TRIGGER_LEVEL	(1U << 15)
#define LAPIC_LVT_MASKED	(1U << 16)
#define LAPIC_TIMER_MODE_SHIFT	17
#define LAPIC_TIMER_MODE_MASK	(3U << LAPIC_TIMER_MODE_SHIFT)
#define LAPIC_SHORTHAND_SHIFT	18
#define LAPIC_SHORTHAND_MASK	(3U << LAPIC_SHORTHAND_SHIFT)

#define LAPIC_SVR_ENABLE	(1U << 8)

/* ESR bits */
#define LAPIC_ESR_SEND_ILLEGAL	(1U << 5)
#define LAPIC_ESR_RECV_ILLEGAL	(1U << 6)
#define LAPIC_ESR_ILLEGAL_REG	(1U << 7)

enum vmctl_apic_delivery {
	LAPIC_DM_FIXED = 0, LAPIC_DM_LOWEST = 1, LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4, LAPIC_DM_INIT = 5, LAPIC_DM_SIPI = 6, LAPIC_DM_EXTINT = 7,
};

enum vmctl_apic_shorthand {
	LAPIC_SH_NONE, LAPIC_SH_SELF, LAPIC_SH_ALL, LAPIC_SH_ALL_BUT_SELF,
};

enum vmctl_apic_timer_mode {
	LAPIC_TIMER_ONESHOT, LAPIC_TIMER_PERIODIC, LAPIC_TIMER_TSC_DEADLINE,
};

/* Physical destination that means "every APIC" (x2APIC; 0xff in xAPIC). */
#define VMCTL_APIC_BROADCAST	0xffffffffU

/*
 * An interrupt message on the APIC bus: an IPI from an ICR write, or a
 * redirection-table entry of the I/O APIC firing.
 */
struct vmctl_apic_irq {
	u32 dest;		/* APIC ID, or logical destination */
	u32 source;		/* APIC ID of the sender (shorthands) */
	u8 vector;
	u8 delivery;		/* enum vmctl_apic_delivery */
	u8 shorthand;		/* enum vmctl_apic_shorthand */
	bool logical;		/* destination mode */
	bool level;		/* level-triggered */
	bool assert;		/* level: assert (INIT level de-assert is 0) */
};

/* The rate of the APIC timer's clock, from CPUID leaf 0x15. */
#define VMCTL_LAPIC_MAX_RATIO	(1U << 16)
struct vmctl_lapic_clock {
	u32 tsc_per_crystal_num;	/* CPUID.15H:EBX */
	u32 tsc_per_crystal_den;	/* CPUID.15H:EAX */
};

/* Where a vCPU is in the INIT/SIPI start-up protocol. */
enum vmctl_mp_state {
	VMCTL_MP_RUNNABLE,
	VMCTL_MP_WAIT_SIPI,	/* after INIT: blocked until a SIPI */
	VMCTL_MP_SIPI,		/* SIPI received: start at sipi_vector:0000 */
};

struct vmctl_lapic {
	u32 id;			/* x2APIC ID (xAPIC: low 8 bits) */
	u64 base;		/* IA32_APIC_BASE */
	u32 tpr, svr, ldr, dfr;
	u32 esr, esr_pending;	/* visible, and latched by the next write */
	u32 icr_lo, icr_hi;
	u32 lvt[NR_LVT];
	u32 irr[8], isr[8], tmr[8];
	struct vmctl_lapic_clock clock;

	/* timer: all times are guest TSC values */
	u32 timer_initial;
	u32 timer_dcr;
	u64 timer_start;	/* counted modes: start of the current period */
	u64 timer_expiry;	/* next interrupt, 0 when not armed */

	/* events the run loop consumes */
	bool nmi_pending;
	bool init_pending;	/* INIT received: reset the vCPU's registers */
	bool pv_unhalt;		/* KVM_HC_KICK_CPU: the next halt ends at once */
	enum vmctl_mp_state mp_state;
	u8 sipi_vector;
};

/* What a register write asks the caller to do, besides re-entering. */
#define VMCTL_LAPIC_OUT_IPI	(1U << 0)	/* route out->ipi */
#define VMCTL_LAPIC_OUT_EOI	(1U << 1)	/* level EOI: tell the I/O APIC */
#define VMCTL_LAPIC_OUT_TIMER	(1U << 2)	/* re-arm for timer_next() */

struct vmctl_lapic_out {
	u32 flags;
	struct vmctl_apic_irq ipi;
	u8 eoi_vector;
};

/*
 * Power-up state: APIC @id, globally enabled, in x2APIC mode when @x2apic;
 * the BSP is runnable, the others wait for a SIPI.  -EINVAL for a @clock
 * with a zero term or a TSC/crystal ratio of VMCTL_LAPIC_MAX_RATIO or
 * more (the bound keeps the timer arithmetic within 64 bits).
 */
int vmctl_lapic_init(struct vmctl_lapic *apic, u32 id, bool bsp, bool x2apic,
		      const struct vmctl_lapic_clock *clock);

/*
 * Write IA32_APIC_BASE.  Returns -EINVAL (#GP for a guest) for reserved
 * bits and for the mode transitions the SDM forbids (x2APIC -> xAPIC,
 * disabled -> x2APIC, EXTD without EN); @host (userspace setting initial
 * state) may also go from disabled straight to x2APIC.
 */
int vmctl_lapic_set_base(struct vmctl_lapic *apic, u64 val, bool host);

/*
 * An 8259 PIC's INTR reaches the CPU through an unmasked ExtINT LINT0,
 * or directly when the APIC is disabled in IA32_APIC_BASE.
 * vmctl_lapic_virtual_wire() sets LINT0 so, as a PC's BIOS leaves the
 * BSP's.
 */
bool vmctl_lapic_accepts_extint(const struct vmctl_lapic *apic);
void vmctl_lapic_virtual_wire(struct vmctl_lapic *apic);
bool vmctl_lapic_x2apic(const struct vmctl_lapic *apic);

/*
 * x2APIC MSRs and TSC_DEADLINE.  Return 0 or -EINVAL for a #GP: not in
 * x2APIC mode, no such register, read of a write-only or write of a
 * read-only register, reserved bits set in EOI/ESR/SELF_IPI writes.
 * @out is cleared and then says what else the caller must do.
 */
bool vmctl_lapic_is_msr(u32 msr);
int vmctl_lapic_rdmsr(struct vmctl_lapic *apic, u32 msr, u64 *val, u64 tsc);
int vmctl_lapic_wrmsr(struct vmctl_lapic *apic, u32 msr, u64 val, u64 tsc,
		      struct vmctl_lapic_out *out);

/*
 * The xAPIC page: 32-bit accesses at @offset in the page (the caller
 * checks the size).  -EINVAL when the APIC is not enabled in xAPIC mode
 * (x2APIC mode does not decode the page).  Offsets that are not a register
 * read 0 and ignore writes; writes to unknown registers also latch the
 * illegal-register error.
 */
int vmctl_lapic_mmio_read(struct vmctl_lapic *apic, u32 offset, u32 *val,
			  u64 tsc);
int vmctl_lapic_mmio_write(struct vmctl_lapic *apic, u32 offset, u32 val,
			   u64 tsc, struct vmctl_lapic_out *out);

/*
 * Does @irq (from an ICR or the I/O APIC) address @apic?  The caller walks
 * every vCPU's APIC with this and calls vmctl_lapic_deliver() on each
 * match; lowest-priority messages go to the first match only.
 */
bool vmctl_lapic_match(const struct vmctl_lapic *apic,
		       const struct vmctl_apic_irq *irq);

/*
 * Accept @irq at @apic.  Returns true when the vCPU has something new to
 * do (kick it out of the guest or out of HLT): a vector in IRR, an NMI, an
 * INIT or a SIPI.
 */
bool vmctl_lapic_deliver(struct vmctl_lapic *apic,
			 const struct vmctl_apic_irq *irq);

/*
 * The vector to inject next: the highest in IRR whose priority class is
 * above PPR's, or -1.  Once the vCPU takes it (VM entry with the vector
 * injected), vmctl_lapic_accept() moves it from IRR to ISR.
 */
int vmctl_lapic_pending_vector(const struct vmctl_lapic *apic);
void vmctl_lapic_accept(struct vmctl_lapic *apic, u8 vector);
u32 vmctl_lapic_ppr(const struct vmctl_lapic *apic);

/*
 * KVM's PV EOI: the guest may skip the EOI of the interrupt in service
 * (clearing a flag in its memory instead) when that EOI asks nothing of
 * the APIC but to clear ISR: nothing waits in IRR for it, and the vector
 * is edge-triggered (a level EOI goes on to the I/O APIC).
 * vmctl_lapic_eoi() is the EOI the guest made so, found out later.
 */
bool vmctl_lapic_pv_eoi_ok(const struct vmctl_lapic *apic);
void vmctl_lapic_eoi(struct vmctl_lapic *apic, struct vmctl_lapic_out *out);

/*
 * Timer.  timer_next() is the guest TSC of the next expiry, 0 when the
 * timer is not armed.  timer_expire() fires every expiry due at @tsc
 * (periodic expiries missed in a row fire once) and returns true when an
 * interrupt became pending; call it before each VM entry and when the
 * host timer armed for timer_next() goes off.
 */
u64 vmctl_lapic_timer_next(const struct vmctl_lapic *apic);
bool vmctl_lapic_timer_expire(struct vmctl_lapic *apic, u64 tsc);

/*
 * The registers a snapshot saves (VMCTL_GET/SET_LAPIC): what the guest
 * can see and set, the timer as a count (counted modes: initial and
 * current count; TSC-deadline mode: the deadline, a guest TSC value).
 * INIT, SIPI and NMI state are the run loop's (VMCTL_*_MP_STATE,
 * VMCTL_*_VCPU_EVENTS).
 */
struct vmctl_lapic_regs {
	u64 base;
	u32 id, tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
	u32 lvt[NR_LVT];
	u32 irr[8], isr[8], tmr[8];
	u32 timer_initial, timer_current, timer_dcr;
	u64 tsc_deadline;
};

void vmctl_lapic_get_regs(const struct vmctl_lapic *apic,
			  struct vmctl_lapic_regs *r, u64 tsc);
/*
 * Load @r at guest TSC @tsc: a counted timer restarts from its current
 * count.  -EINVAL for what no guest write could leave: reserved or
 * read-only bits, another ID, an x2APIC mode without enable, vectors
 * 0-15 in IRR/ISR/TMR, the reserved timer mode, a current count above
 * the initial one, a deadline in a counted mode or counts in deadline
 * mode.  Nothing is changed then.
 */
int vmctl_lapic_set_regs(struct vmctl_lapic *apic,
			 const struct vmctl_lapic_regs *r, u64 tsc);

/*
 * KVM's PV unhalt (KVM_HC_KICK_CPU from another vCPU): the vCPU's halt
 * ends, whatever RFLAGS.IF was at its HLT; a kick that comes before the
 * HLT ends that HLT at once (a PV-spinlock waiter checks the lock, then
 * halts: the kick may land in between).  Taken when a halt ends; INIT
 * drops it.  Returns true: kick the vCPU.
 */
bool vmctl_lapic_pv_kick(struct vmctl_lapic *apic);

/* SIPI received: return its vector and make the vCPU runnable. */
u8 vmctl_lapic_take_sipi(struct vmctl_lapic *apic);

#endif /* VMCTL_LAPIC_H */
