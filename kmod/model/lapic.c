// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC model (see lapic.h).  One register file serves both access
 * paths: x2APIC MSRs and the xAPIC MMIO page index the same registers
 * (MSR - 0x800 == offset / 16) and differ only in the few places the SDM
 * says they do (ID and LDR format, ICR width, DFR, SELF_IPI, #GP rules).
 */
#include "lapic.h"

#define X2APIC_CLUSTER_SHIFT	4	/* 16 APICs per logical cluster */
#define LDR_XAPIC_SHIFT		24
#define DFR_MODEL_FLAT		0xfU
#define DFR_RESERVED_ONES	0x0fffffffU
#define SVR_WRITABLE		0x3ffU	/* vector, enable, focus check */
#define DCR_WRITABLE		0xbU
#define SELF_IPI_WRITABLE	0xffU
#define ICR_LO_WRITABLE		0x000ccfffU	/* all but delivery status */
#define XAPIC_REGS		0x40	/* the page's registers end at 0x3f0 */

/* Writable bits of each LVT entry (delivery status, remote IRR are RO). */
static const u32 lvt_writable[NR_LVT] = {
	[LVT_TIMER] = LAPIC_VECTOR_MASK | LAPIC_LVT_MASKED |
		      LAPIC_TIMER_MODE_MASK,
	[LVT_THERMAL] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_LVT_MASKED,
	[LVT_PMI] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_LVT_MASKED,
	[LVT_LINT0] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_POLARITY_LOW |
		      LAPIC_TRIGGER_LEVEL | LAPIC_LVT_MASKED,
	[LVT_LINT1] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_POLARITY_LOW |
		      LAPIC_TRIGGER_LEVEL | LAPIC_LVT_MASKED,
	[LVT_ERROR] = LAPIC_VECTOR_MASK | LAPIC_LVT_MASKED,
	[LVT_CMCI] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_LVT_MASKED,
};

static bool hw_enabled(const struct vmctl_lapic *apic)
{
	return apic->base & VMCTL_APIC_BASE_EN;
}

static bool sw_enabled(const struct vmctl_lapic *apic)
{
	return apic->svr & LAPIC_SVR_ENABLE;
}

bool vmctl_lapic_x2apic(const struct vmctl_lapic *apic)
{
	return hw_enabled(apic) && (apic->base & VMCTL_APIC_BASE_EXTD);
}

/* ---- the 256-bit IRR/ISR/TMR banks ---- */

static void bank_set(u32 *bank, u8 v)
{
	bank[v >> 5] |= 1U << (v & 31);
}

static void bank_clear(u32 *bank, u8 v)
{
	bank[v >> 5] &= ~(1U << (v & 31));
}

static bool bank_test(const u32 *bank, u8 v)
{
	return bank[v >> 5] & (1U << (v & 31));
}

static int bank_highest(const u32 *bank)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (bank[i])
			return i * 32 + 31 - __builtin_clz(bank[i]);
	return -1;
}

u32 vmctl_lapic_ppr(const struct vmctl_lapic *apic)
{
	int isrv = bank_highest(apic->isr);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (apic->tpr & 0xf0) >= isr_class ? apic->tpr : isr_class;
}

int vmctl_lapic_pending_vector(const struct vmctl_lapic *apic)
{
	int v = bank_highest(apic->irr);

	if (!hw_enabled(apic) || v < 0)
		return -1;
	if ((u32)(v & 0xf0) <= (vmctl_lapic_ppr(apic) & 0xf0))
		return -1;
	return v;
}

void vmctl_lapic_accept(struct vmctl_lapic *apic, u8 vector)
{
	bank_clear(apic->irr, vector);
	bank_set(apic->isr, vector);
}

/* ---- local interrupts ---- */

/* Vectors 0-15 are reserved for exceptions: an APIC refuses them. */
static bool illegal_vector(u8 vector)
{
	return vector < 16;
}

static bool raise_error(struct vmctl_lapic *apic, u32 esr_bit);

/* Make a fixed interrupt pending; false when it was refused. */
static bool set_irr(struct vmctl_lapic *apic, u8 vector, bool level)
{
	if (illegal_vector(vector))
		return raise_error(apic, LAPIC_ESR_RECV_ILLEGAL);
	bank_set(apic->irr, vector);
	if (level)
		bank_set(apic->tmr, vector);
	else
		bank_clear(apic->tmr, vector);
	return true;
}

/* An unmasked error LVT with a legal vector raises an interrupt. */
static bool raise_error(struct vmctl_lapic *apic, u32 esr_bit)
{
	u32 lvt = apic->lvt[LVT_ERROR];
	u8 vector = lvt & LAPIC_VECTOR_MASK;

	apic->esr_pending |= esr_bit;
	if ((lvt & LAPIC_LVT_MASKED) || illegal_vector(vector))
		return false;
	bank_set(apic->irr, vector);
	bank_clear(apic->tmr, vector);
	return true;
}

static bool raise_lvt(struct vmctl_lapic *apic, enum vmctl_lvt which)
{
	u32 lvt = apic->lvt[which];

	if (lvt & LAPIC_LVT_MASKED)
		return false;
	return set_irr(apic, lvt & LAPIC_VECTOR_MASK, false);
}

/* ---- state ---- */

/* Power-up and INIT state of everything but the ID and APIC base. */
static void reset_registers(struct vmctl_lapic *apic)
{
	int i;

	apic->tpr = 0;
	apic->svr = 0xff;
	apic->ldr = 0;
	apic->dfr = ~0U;
	apic->esr = 0;
	apic->esr_pending = 0;
	apic->icr_lo = 0;
	apic->icr_hi = 0;
	for (i = 0; i < NR_LVT; i++)
		apic->lvt[i] = LAPIC_LVT_MASKED;
	memset(apic->irr, 0, sizeof(apic->irr));
	memset(apic->isr, 0, sizeof(apic->isr));
	memset(apic->tmr, 0, sizeof(apic->tmr));
	apic->timer_initial = 0;
	apic->timer_dcr = 0;
	apic->timer_start = 0;
	apic->timer_expiry = 0;
	apic->nmi_pending = false;
}

int vmctl_lapic_init(struct vmctl_lapic *apic, u32 id, bool bsp, bool x2apic,
		     const struct vmctl_lapic_clock *clock)
{
	if (!clock->tsc_per_crystal_num || !clock->tsc_per_crystal_den ||
	    clock->tsc_per_crystal_num / clock->tsc_per_crystal_den >=
	    VMCTL_LAPIC_MAX_RATIO)
		return -EINVAL;
	memset(apic, 0, sizeof(*apic));
	apic->id = id;
	apic->clock = *clock;
	apic->base = VMCTL_APIC_DEFAULT_BASE | VMCTL_APIC_BASE_EN;
	if (bsp)
		apic->base |= VMCTL_APIC_BASE_BSP;
	if (x2apic)
		apic->base |= VMCTL_APIC_BASE_EXTD;
	reset_registers(apic);
	apic->mp_state = bsp ? VMCTL_MP_RUNNABLE : VMCTL_MP_WAIT_SIPI;
	return 0;
}

bool vmctl_lapic_accepts_extint(const struct vmctl_lapic *apic)
{
	u32 lint0 = apic->lvt[LVT_LINT0];

	return !hw_enabled(apic) ||
	       (!(lint0 & LAPIC_LVT_MASKED) &&
		(lint0 & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT == LAPIC_DM_EXTINT);
}

void vmctl_lapic_virtual_wire(struct vmctl_lapic *apic)
{
	apic->lvt[LVT_LINT0] = LAPIC_DM_EXTINT << LAPIC_DM_SHIFT;
}

/* Bits 0-7, 9 and those above a 52-bit physical address. */
#define APIC_BASE_RESERVED	(0xffULL | (1ULL << 9) | (~0ULL << 52))

int vmctl_lapic_set_base(struct vmctl_lapic *apic, u64 val, bool host)
{
	bool was_en = hw_enabled(apic), was_x2 = vmctl_lapic_x2apic(apic);
	bool en = val & VMCTL_APIC_BASE_EN, x2 = val & VMCTL_APIC_BASE_EXTD;

	if (val & APIC_BASE_RESERVED)
		return -EINVAL;
	if (x2 && !en)
		return -EINVAL;
	if (was_x2 && en && !x2)
		return -EINVAL;
	if (!was_en && x2 && !host)
		return -EINVAL;
	if (!host) {
		val &= ~VMCTL_APIC_BASE_BSP;
		val |= apic->base & VMCTL_APIC_BASE_BSP;
	}
	apic->base = val;
	if (!en)
		reset_registers(apic);
	return 0;
}

/* ---- timer ---- */

static enum vmctl_apic_timer_mode timer_mode(const struct vmctl_lapic *apic)
{
	return (apic->lvt[LVT_TIMER] & LAPIC_TIMER_MODE_MASK) >>
	       LAPIC_TIMER_MODE_SHIFT;
}

/* DCR bits 3,1,0: 111b divides by 1, n by 2^(n+1). */
static u32 timer_divisor(const struct vmctl_lapic *apic)
{
	u32 v = (apic->timer_dcr & 3) | ((apic->timer_dcr >> 1) & 4);

	return 1U << ((v + 1) & 7);
}

/*
 * TSC ticks in @count timer ticks: the timer runs at the crystal clock.
 * At most 2^32 * 128 * VMCTL_LAPIC_MAX_RATIO: no overflow (which the
 * kernel's mul_u64_u32_div() would turn into a divide error).
 */
static u64 timer_ticks_to_tsc(const struct vmctl_lapic *apic, u32 count)
{
	u64 tsc = mul_u64_u32_div((u64)count * timer_divisor(apic),
				  apic->clock.tsc_per_crystal_num,
				  apic->clock.tsc_per_crystal_den);

	return tsc ? tsc : 1;
}

static u32 timer_current(const struct vmctl_lapic *apic, u64 tsc)
{
	u64 period, elapsed, ticks;

	if (timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE ||
	    !apic->timer_expiry)
		return 0;
	period = timer_ticks_to_tsc(apic, apic->timer_initial);
	elapsed = tsc > apic->timer_start ? tsc - apic->timer_start : 0;
	/* Within one period the conversion below cannot overflow. */
	if (elapsed >= period) {
		if (timer_mode(apic) != LAPIC_TIMER_PERIODIC)
			return 0;
		elapsed %= period;
	}
	ticks = mul_u64_u32_div(elapsed, apic->clock.tsc_per_crystal_den,
				apic->clock.tsc_per_crystal_num) /
		timer_divisor(apic);
	return ticks < apic->timer_initial ? apic->timer_initial - ticks : 0;
}

/* (Re)start the counted modes' period at @start, or stop on count 0. */
static void timer_start(struct vmctl_lapic *apic, u64 start,
			struct vmctl_lapic_out *out)
{
	apic->timer_start = start;
	apic->timer_expiry = apic->timer_initial ?
		start + timer_ticks_to_tsc(apic, apic->timer_initial) : 0;
	out->flags |= VMCTL_LAPIC_OUT_TIMER;
}

u64 vmctl_lapic_timer_next(const struct vmctl_lapic *apic)
{
	return apic->timer_expiry;
}

bool vmctl_lapic_timer_expire(struct vmctl_lapic *apic, u64 tsc)
{
	u64 period, missed;

	if (!apic->timer_expiry || tsc < apic->timer_expiry)
		return false;
	if (timer_mode(apic) == LAPIC_TIMER_PERIODIC) {
		period = timer_ticks_to_tsc(apic, apic->timer_initial);
		missed = (tsc - apic->timer_expiry) / period;
		apic->timer_start = apic->timer_expiry + missed * period;
		apic->timer_expiry = apic->timer_start + period;
	} else {
		apic->timer_expiry = 0;	/* one-shot done, deadline consumed */
	}
	return raise_lvt(apic, LVT_TIMER);
}

static void write_lvt_timer(struct vmctl_lapic *apic, u32 val,
			    struct vmctl_lapic_out *out)
{
	bool was_deadline = timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE;

	/* Mode 11b is reserved: keep the timer in one-shot mode. */
	if ((val & LAPIC_TIMER_MODE_MASK) == LAPIC_TIMER_MODE_MASK)
		val &= ~LAPIC_TIMER_MODE_MASK;
	apic->lvt[LVT_TIMER] = val;
	/* Moving between TSC-deadline and the counted modes disarms. */
	if (was_deadline != (timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE)) {
		apic->timer_initial = 0;
		apic->timer_expiry = 0;
		out->flags |= VMCTL_LAPIC_OUT_TIMER;
	}
}

/* ---- interrupt commands ---- */

static void do_eoi(struct vmctl_lapic *apic, struct vmctl_lapic_out *out)
{
	int v = bank_highest(apic->isr);

	if (v < 0)
		return;
	bank_clear(apic->isr, v);
	if (bank_test(apic->tmr, v)) {
		out->flags |= VMCTL_LAPIC_OUT_EOI;
		out->eoi_vector = v;
	}
}

void vmctl_lapic_eoi(struct vmctl_lapic *apic, struct vmctl_lapic_out *out)
{
	out->flags = 0;
	do_eoi(apic, out);
}

bool vmctl_lapic_pv_eoi_ok(const struct vmctl_lapic *apic)
{
	int v = bank_highest(apic->isr);

	return v >= 0 && !bank_test(apic->tmr, v) &&
	       bank_highest(apic->irr) < 0;
}

/* The ICR was written: describe the IPI for the caller to route. */
static void send_ipi(struct vmctl_lapic *apic, struct vmctl_lapic_out *out)
{
	struct vmctl_apic_irq *ipi = &out->ipi;
	u32 lo = apic->icr_lo;

	ipi->vector = lo & LAPIC_VECTOR_MASK;
	ipi->delivery = (lo & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT;
	ipi->logical = lo & LAPIC_DEST_LOGICAL_BIT;
	ipi->level = lo & LAPIC_TRIGGER_LEVEL;
	ipi->assert = lo & LAPIC_LEVEL_ASSERT;
	ipi->shorthand = (lo & LAPIC_SHORTHAND_MASK) >> LAPIC_SHORTHAND_SHIFT;
	ipi->source = apic->id;
	if (vmctl_lapic_x2apic(apic))
		ipi->dest = apic->icr_hi;
	else
		ipi->dest = apic->icr_hi >> 24;
	if (!vmctl_lapic_x2apic(apic) && ipi->dest == 0xff)
		ipi->dest = VMCTL_APIC_BROADCAST;

	switch (ipi->delivery) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		if (illegal_vector(ipi->vector)) {
			raise_error(apic, LAPIC_ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case LAPIC_DM_INIT:
		/* INIT level de-assert only syncs arbitration IDs: no-op. */
		if (ipi->level && !ipi->assert)
			return;
		break;
	case LAPIC_DM_NMI:
	case LAPIC_DM_SIPI:
		break;
	default:		/* SMI, ExtINT, reserved: not modelled */
		return;
	}
	out->flags |= VMCTL_LAPIC_OUT_IPI;
}

static bool match_logical(const struct vmctl_lapic *apic, u32 dest)
{
	u32 ldr = apic->ldr >> LDR_XAPIC_SHIFT;

	if (vmctl_lapic_x2apic(apic)) {
		if (dest == VMCTL_APIC_BROADCAST)
			return true;
		return dest >> 16 == apic->id >> X2APIC_CLUSTER_SHIFT &&
		       (dest & (1U << (apic->id & 0xf)));
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (apic->dfr >> 28 == DFR_MODEL_FLAT)
		return dest & ldr;
	return dest >> 4 == ldr >> 4 && (dest & ldr & 0xf);
}

bool vmctl_lapic_match(const struct vmctl_lapic *apic,
		       const struct vmctl_apic_irq *irq)
{
	if (!hw_enabled(apic))
		return false;
	switch (irq->shorthand) {
	case LAPIC_SH_SELF:
		return apic->id == irq->source;
	case LAPIC_SH_ALL:
		return true;
	case LAPIC_SH_ALL_BUT_SELF:
		return apic->id != irq->source;
	}
	if (irq->logical)
		return match_logical(apic, irq->dest);
	return irq->dest == VMCTL_APIC_BROADCAST || irq->dest == apic->id;
}

bool vmctl_lapic_deliver(struct vmctl_lapic *apic,
			 const struct vmctl_apic_irq *irq)
{
	if (!hw_enabled(apic))
		return false;
	switch (irq->delivery) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		if (!sw_enabled(apic))
			return false;
		return set_irr(apic, irq->vector, irq->level);
	case LAPIC_DM_NMI:
		apic->nmi_pending = true;
		return true;
	case LAPIC_DM_INIT:
		if (irq->level && !irq->assert)
			return false;
		reset_registers(apic);
		apic->init_pending = true;
		apic->pv_unhalt = false;
		apic->mp_state = apic->base & VMCTL_APIC_BASE_BSP ?
				 VMCTL_MP_RUNNABLE : VMCTL_MP_WAIT_SIPI;
		return true;
	case LAPIC_DM_SIPI:
		if (apic->mp_state != VMCTL_MP_WAIT_SIPI)
			return false;
		apic->mp_state = VMCTL_MP_SIPI;
		apic->sipi_vector = irq->vector;
		return true;
	}
	return false;
}

bool vmctl_lapic_pv_kick(struct vmctl_lapic *apic)
{
	apic->pv_unhalt = true;
	return true;
}

u8 vmctl_lapic_take_sipi(struct vmctl_lapic *apic)
{
	apic->mp_state = VMCTL_MP_RUNNABLE;
	return apic->sipi_vector;
}

/* ---- registers ---- */

static int lvt_index(u32 reg)
{
	if (reg == LAPIC_REG_LVT_CMCI)
		return LVT_CMCI;
	if (reg >= LAPIC_REG_LVT_TIMER && reg <= LAPIC_REG_LVT_ERROR)
		return reg - LAPIC_REG_LVT_TIMER;
	return -1;
}

static u32 x2apic_ldr(u32 id)
{
	return (id >> X2APIC_CLUSTER_SHIFT) << 16 | 1U << (id & 0xf);
}

/* Read register @reg; -EINVAL when it does not exist in this mode. */
static int reg_read(struct vmctl_lapic *apic, u32 reg, u64 *val, u64 tsc)
{
	bool x2 = vmctl_lapic_x2apic(apic);
	int lvt = lvt_index(reg);

	if (lvt >= 0) {
		*val = apic->lvt[lvt];
		return 0;
	}
	if (reg >= LAPIC_REG_ISR0 && reg < LAPIC_REG_ISR0 + 8) {
		*val = apic->isr[reg - LAPIC_REG_ISR0];
		return 0;
	}
	if (reg >= LAPIC_REG_TMR0 && reg < LAPIC_REG_TMR0 + 8) {
		*val = apic->tmr[reg - LAPIC_REG_TMR0];
		return 0;
	}
	if (reg >= LAPIC_REG_IRR0 && reg < LAPIC_REG_IRR0 + 8) {
		*val = apic->irr[reg - LAPIC_REG_IRR0];
		return 0;
	}
	switch (reg) {
	case LAPIC_REG_ID:
		*val = x2 ? apic->id : apic->id << 24;
		return 0;
	case LAPIC_REG_VERSION:
		*val = VMCTL_APIC_VERSION | (NR_LVT - 1) << 16;
		return 0;
	case LAPIC_REG_TPR:
		*val = apic->tpr;
		return 0;
	case LAPIC_REG_PPR:
		*val = vmctl_lapic_ppr(apic);
		return 0;
	case LAPIC_REG_LDR:
		*val = x2 ? x2apic_ldr(apic->id) : apic->ldr;
		return 0;
	case LAPIC_REG_SVR:
		*val = apic->svr;
		return 0;
	case LAPIC_REG_ESR:
		*val = apic->esr;
		return 0;
	case LAPIC_REG_ICR:
		*val = x2 ? (u64)apic->icr_hi << 32 | apic->icr_lo :
		       apic->icr_lo;
		return 0;
	case LAPIC_REG_TIMER_ICR:
		*val = apic->timer_initial;
		return 0;
	case LAPIC_REG_TIMER_CCR:
		*val = timer_current(apic, tsc);
		return 0;
	case LAPIC_REG_TIMER_DCR:
		*val = apic->timer_dcr;
		return 0;
	}
	if (x2)
		return -EINVAL;
	switch (reg) {		/* xAPIC only */
	case LAPIC_REG_APR:
	case LAPIC_REG_EOI:
		*val = 0;
		return 0;
	case LAPIC_REG_DFR:
		*val = apic->dfr;
		return 0;
	case LAPIC_REG_ICR2:
		*val = apic->icr_hi;
		return 0;
	}
	return -EINVAL;
}

/* Registers both modes have, with the same write behaviour. */
static int reg_write_common(struct vmctl_lapic *apic, u32 reg, u32 val,
			    u64 tsc, struct vmctl_lapic_out *out)
{
	int lvt = lvt_index(reg), i;

	if (lvt >= 0) {
		val &= lvt_writable[lvt];
		if (!sw_enabled(apic))
			val |= LAPIC_LVT_MASKED;
		if (lvt == LVT_TIMER)
			write_lvt_timer(apic, val, out);
		else
			apic->lvt[lvt] = val;
		return 0;
	}
	switch (reg) {
	case LAPIC_REG_TPR:
		apic->tpr = val & 0xff;
		return 0;
	case LAPIC_REG_SVR:
		apic->svr = val & SVR_WRITABLE;
		if (!sw_enabled(apic))
			for (i = 0; i < NR_LVT; i++)
				apic->lvt[i] |= LAPIC_LVT_MASKED;
		return 0;
	case LAPIC_REG_TIMER_ICR:
		if (timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE)
			return 0;
		apic->timer_initial = val;
		timer_start(apic, tsc, out);
		return 0;
	case LAPIC_REG_TIMER_DCR:
		apic->timer_dcr = val & DCR_WRITABLE;
		/* The running period keeps its start, at the new rate. */
		if (apic->timer_expiry &&
		    timer_mode(apic) != LAPIC_TIMER_TSC_DEADLINE)
			timer_start(apic, apic->timer_start, out);
		return 0;
	}
	return -EINVAL;
}

static bool is_msr_readonly(u32 reg)
{
	return reg == LAPIC_REG_ID || reg == LAPIC_REG_VERSION ||
	       reg == LAPIC_REG_PPR || reg == LAPIC_REG_LDR ||
	       reg == LAPIC_REG_TIMER_CCR ||
	       (reg >= LAPIC_REG_ISR0 && reg < LAPIC_REG_IRR0 + 8);
}

bool vmctl_lapic_is_msr(u32 msr)
{
	return msr == VMCTL_MSR_TSC_DEADLINE ||
	       (msr >= VMCTL_MSR_X2APIC_FIRST && msr <= VMCTL_MSR_X2APIC_LAST);
}

int vmctl_lapic_rdmsr(struct vmctl_lapic *apic, u32 msr, u64 *val, u64 tsc)
{
	if (msr == VMCTL_MSR_TSC_DEADLINE) {
		*val = timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE ?
		       apic->timer_expiry : 0;
		return 0;
	}
	if (!vmctl_lapic_x2apic(apic) || !vmctl_lapic_is_msr(msr))
		return -EINVAL;
	return reg_read(apic, msr - VMCTL_MSR_X2APIC_FIRST, val, tsc);
}

int vmctl_lapic_wrmsr(struct vmctl_lapic *apic, u32 msr, u64 val, u64 tsc,
		      struct vmctl_lapic_out *out)
{
	u32 reg = msr - VMCTL_MSR_X2APIC_FIRST;

	memset(out, 0, sizeof(*out));
	if (msr == VMCTL_MSR_TSC_DEADLINE) {
		/* Ignored outside TSC-deadline mode; 0 disarms. */
		if (timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE) {
			apic->timer_expiry = val;
			out->flags |= VMCTL_LAPIC_OUT_TIMER;
		}
		return 0;
	}
	if (!vmctl_lapic_x2apic(apic) || !vmctl_lapic_is_msr(msr))
		return -EINVAL;
	if (is_msr_readonly(reg))
		return -EINVAL;
	switch (reg) {
	case LAPIC_REG_EOI:
		if (val)
			return -EINVAL;
		do_eoi(apic, out);
		return 0;
	case LAPIC_REG_ESR:
		if (val)
			return -EINVAL;
		apic->esr = apic->esr_pending;
		apic->esr_pending = 0;
		return 0;
	case LAPIC_REG_ICR:
		apic->icr_lo = val & ICR_LO_WRITABLE;
		apic->icr_hi = val >> 32;
		send_ipi(apic, out);
		return 0;
	case LAPIC_REG_SELF_IPI:
		if (val & ~(u64)SELF_IPI_WRITABLE)
			return -EINVAL;
		set_irr(apic, val, false);
		return 0;
	}
	if (val >> 32)
		return -EINVAL;
	return reg_write_common(apic, reg, val, tsc, out);
}

static bool xapic_access_ok(const struct vmctl_lapic *apic)
{
	return hw_enabled(apic) && !vmctl_lapic_x2apic(apic);
}

int vmctl_lapic_mmio_read(struct vmctl_lapic *apic, u32 offset, u32 *val,
			  u64 tsc)
{
	u64 v;

	if (!xapic_access_ok(apic))
		return -EINVAL;
	*val = 0;
	if ((offset & 0xf) || offset >> 4 >= XAPIC_REGS)
		return 0;
	if (!reg_read(apic, offset >> 4, &v, tsc))
		*val = v;
	return 0;
}

int vmctl_lapic_mmio_write(struct vmctl_lapic *apic, u32 offset, u32 val,
			   u64 tsc, struct vmctl_lapic_out *out)
{
	u32 reg = offset >> 4;

	memset(out, 0, sizeof(*out));
	if (!xapic_access_ok(apic))
		return -EINVAL;
	if ((offset & 0xf) || reg >= XAPIC_REGS)
		return 0;
	switch (reg) {
	case LAPIC_REG_EOI:
		do_eoi(apic, out);
		return 0;
	case LAPIC_REG_ESR:
		apic->esr = apic->esr_pending;
		apic->esr_pending = 0;
		return 0;
	case LAPIC_REG_LDR:
		apic->ldr = val & (0xffU << LDR_XAPIC_SHIFT);
		return 0;
	case LAPIC_REG_DFR:
		apic->dfr = val | DFR_RESERVED_ONES;
		return 0;
	case LAPIC_REG_ICR2:
		apic->icr_hi = val & (0xffU << 24);
		return 0;
	case LAPIC_REG_ICR:
		apic->icr_lo = val & ICR_LO_WRITABLE;
		send_ipi(apic, out);
		return 0;
	}
	/* Read-only and unknown registers ignore writes. */
	if (reg_write_common(apic, reg, val, tsc, out) && !is_msr_readonly(reg))
		apic->esr_pending |= LAPIC_ESR_ILLEGAL_REG;
	return 0;
}

/* ---- snapshots ---- */

void vmctl_lapic_get_regs(const struct vmctl_lapic *apic,
			  struct vmctl_lapic_regs *r, u64 tsc)
{
	bool deadline = timer_mode(apic) == LAPIC_TIMER_TSC_DEADLINE;

	memset(r, 0, sizeof(*r));
	r->base = apic->base;
	r->id = apic->id;
	r->tpr = apic->tpr;
	r->ldr = apic->ldr;
	r->dfr = apic->dfr;
	r->svr = apic->svr;
	r->esr = apic->esr;
	r->esr_pending = apic->esr_pending;
	r->icr_lo = apic->icr_lo;
	r->icr_hi = apic->icr_hi;
	memcpy(r->lvt, apic->lvt, sizeof(r->lvt));
	memcpy(r->irr, apic->irr, sizeof(r->irr));
	memcpy(r->isr, apic->isr, sizeof(r->isr));
	memcpy(r->tmr, apic->tmr, sizeof(r->tmr));
	r->timer_dcr = apic->timer_dcr;
	if (deadline) {
		r->tsc_deadline = apic->timer_expiry;
	} else {
		r->timer_initial = apic->timer_initial;
		r->timer_current = timer_current(apic, tsc);
	}
}

/* Bits the APIC itself sets in an LVT entry: delivery status, remote IRR. */
#define LVT_STATUS	((1U << 12) | LAPIC_REMOTE_IRR)
#define ESR_DEFINED	0xefU		/* bit 4 reserved */

static bool regs_valid(const struct vmctl_lapic *apic,
		       const struct vmctl_lapic_regs *r)
{
	bool deadline = ((r->lvt[LVT_TIMER] & LAPIC_TIMER_MODE_MASK) >>
			 LAPIC_TIMER_MODE_SHIFT) == LAPIC_TIMER_TSC_DEADLINE;
	int i;

	if ((r->base & APIC_BASE_RESERVED) ||
	    ((r->base & VMCTL_APIC_BASE_EXTD) &&
	     !(r->base & VMCTL_APIC_BASE_EN)))
		return false;
	if (r->id != apic->id || r->tpr > 0xff ||
	    (r->ldr & ~(0xffU << LDR_XAPIC_SHIFT)) ||
	    (r->dfr & DFR_RESERVED_ONES) != DFR_RESERVED_ONES ||
	    (r->svr & ~SVR_WRITABLE) || (r->esr & ~ESR_DEFINED) ||
	    (r->esr_pending & ~ESR_DEFINED) ||
	    (r->icr_lo & ~ICR_LO_WRITABLE) || (r->timer_dcr & ~DCR_WRITABLE))
		return false;
	for (i = 0; i < NR_LVT; i++)
		if (r->lvt[i] & ~(lvt_writable[i] | LVT_STATUS))
			return false;
	if ((r->lvt[LVT_TIMER] & LAPIC_TIMER_MODE_MASK) ==
	    LAPIC_TIMER_MODE_MASK)
		return false;
	/* Vectors 0-15 never enter IRR, ISR or TMR (illegal_vector()). */
	if ((r->irr[0] | r->isr[0] | r->tmr[0]) & 0xffff)
		return false;
	if (deadline)
		return !r->timer_initial && !r->timer_current;
	return !r->tsc_deadline && r->timer_current <= r->timer_initial;
}

int vmctl_lapic_set_regs(struct vmctl_lapic *apic,
			 const struct vmctl_lapic_regs *r, u64 tsc)
{
	u64 period, done;

	if (!regs_valid(apic, r))
		return -EINVAL;
	apic->base = r->base;
	apic->tpr = r->tpr;
	apic->ldr = r->ldr;
	apic->dfr = r->dfr;
	apic->svr = r->svr;
	apic->esr = r->esr;
	apic->esr_pending = r->esr_pending;
	apic->icr_lo = r->icr_lo;
	apic->icr_hi = r->icr_hi;
	memcpy(apic->lvt, r->lvt, sizeof(apic->lvt));
	memcpy(apic->irr, r->irr, sizeof(apic->irr));
	memcpy(apic->isr, r->isr, sizeof(apic->isr));
	memcpy(apic->tmr, r->tmr, sizeof(apic->tmr));
	apic->timer_dcr = r->timer_dcr;
	apic->timer_initial = r->timer_initial;
	apic->timer_start = 0;
	apic->timer_expiry = r->tsc_deadline;
	if (!r->timer_initial ||
	    (!r->timer_current && timer_mode(apic) != LAPIC_TIMER_PERIODIC))
		return 0;		/* deadline mode, or a counter at 0 */
	/*
	 * A counted mode goes on from the count it had: the period started
	 * as many ticks ago as it had counted down (a periodic count read
	 * as 0 is a period just starting).
	 */
	period = timer_ticks_to_tsc(apic, r->timer_initial);
	done = r->timer_current && r->timer_current < r->timer_initial ?
	       timer_ticks_to_tsc(apic, r->timer_initial - r->timer_current) :
	       0;
	apic->timer_start = tsc > done ? tsc - done : 0;
	apic->timer_expiry = apic->timer_start + period;
	return 0;
}
