// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's PV EOI (Documentation/virt/kvm/x86/msr.rst, MSR_KVM_PV_EOI_EN): a
 * guest that finds KVM_FEATURE_PV_EOI writes the GPA of a flag word (bit
 * 0: enable).  While vmctl has set bit 0 of that word, the guest may end
 * the interrupt in service by clearing the bit instead of writing the
 * EOI register, which would exit: Linux does so for every EOI.
 *
 * The flag is set right before an entry when such an EOI asks nothing
 * of the APIC but to clear ISR (vmctl_lapic_pv_eoi_ok(): nothing in IRR
 * waits for it, the vector is edge-triggered), and cleared before the
 * entry that needs the EOI register again.  After each exit while it is
 * set, a guest that cleared it has made its EOI, which the APIC makes
 * now; one that did not keeps it set, so an interrupt handler that exits
 * (a timer write, an I/O port) still skips the EOI exit.  KVM instead
 * clears and sets the flag around every exit.  Going back to user space
 * the flag is always cleared, so a snapshot has no EOI hidden in guest
 * memory: the MSR's value is all its state (VMCTL_GET_MSR_INDEX_LIST).
 *
 * Setting and clearing happen with interrupts off, after the injection
 * is decided, through vmctl_guest_write_atomic(): a page the host mapping
 * does not have present is not set (an EOI exit more) or not cleared yet
 * (kept pending: an interrupt waiting in IRR waits until the next exit,
 * at most the preemption timer's millisecond; the EOI itself is never
 * lost).  Writes go into the dirty log like any other.
 *
 * A misaligned GPA #GPs as on KVM; one outside RAM is accepted and the
 * flag is never set (KVM #GPs there).  A reset turns it off.
 */
#include <asm/kvm_para.h>
#include "cpu/cpuid.h"
#include "cpu/pv_eoi.h"
#include "irqchip/apic.h"
#include "vm/guest_mem.h"
#include "vm/vcpu.h"

#define PV_EOI_ENABLE	BIT_ULL(0)	/* KVM_MSR_ENABLED */
#define PV_EOI_ALIGN	4

u64 vmctl_pv_eoi_get(struct vmk_vcpu *vcpu)
{
	return vcpu->pv_eoi_msr;
}

/* Before the new value: the old flag's EOI, if the guest made it. */
int vmctl_pv_eoi_set(struct vmk_vcpu *vcpu, u64 data)
{
	if (!IS_ALIGNED(data & ~PV_EOI_ENABLE, PV_EOI_ALIGN))
		return -EINVAL;
	vmctl_pv_eoi_sync(vcpu, false);
	vcpu->pv_eoi_msr = data;
	return 0;
}

static u64 flag_gpa(struct vmk_vcpu *vcpu)
{
	return vcpu->pv_eoi_msr & ~PV_EOI_ENABLE;
}

/*
 * Interrupts off, after the injection: @ok is vmctl_lapic_pv_eoi_ok().
 * Writes the flag only when it must change.
 */
void vmctl_pv_eoi_enter(struct vmk_vcpu *vcpu, bool ok)
{
	u8 val = ok;

	if (ok == vcpu->pv_eoi_pending)
		return;
	if (vmctl_guest_write_atomic(vcpu, flag_gpa(vcpu), &val, 1))
		return;		/* not set, or still pending: see above */
	vcpu->pv_eoi_pending = ok;
}

/*
 * After an exit (@keep) or before user space or a new MSR value: if the
 * guest cleared the flag, its EOI; else, unless @keep, the flag cleared.
 * A flag that cannot be read any more (RAM taken away) is dropped.
 */
void vmctl_pv_eoi_sync(struct vmk_vcpu *vcpu, bool keep)
{
	const struct vmctl_emu_ops *mem = &vmctl_guest_mem_ops;
	u8 val;

	if (!vcpu->pv_eoi_pending)
		return;
	if (mem->read_gpa(vcpu, flag_gpa(vcpu), &val, 1)) {
		vcpu->pv_eoi_pending = false;
		return;
	}
	if (!(val & KVM_PV_EOI_ENABLED)) {
		vcpu->pv_eoi_pending = false;
		vmctl_apic_eoi(vcpu);
		return;
	}
	if (keep)
		return;
	val = KVM_PV_EOI_DISABLED;
	mem->write_gpa(vcpu, flag_gpa(vcpu), &val, 1);
	vcpu->pv_eoi_pending = false;
}
