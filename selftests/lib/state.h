/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU's whole state through the save/restore ioctls, for tests that
 * move a guest into a new VM (state_test): saved from one vCPU, loaded
 * into another in the order the ABI asks for.  Every call succeeds or
 * dies (die.h).  The exit the state is saved at must need no completion
 * (a ucall's OUT does not).
 */
#ifndef SELFTEST_STATE_H
#define SELFTEST_STATE_H

#include <stdbool.h>
#include <linux/vmctl.h>

#include "vm.h"

#define STATE_MAX_MSRS	32

struct vcpu_state {
	struct vmctl_regs regs;
	struct vmctl_sregs sregs;
	struct vmctl_xsave xsave;
	struct vmctl_xcrs xcrs;
	struct vmctl_debugregs debugregs;
	struct vmctl_mpstate mp_state;
	struct vmctl_vcpu_events events;
	bool has_lapic;			/* the VM has an irqchip */
	struct vmctl_lapic_state lapic;
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} cpuid;
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e[STATE_MAX_MSRS];
	} msrs;
};

/* The VM's own part: read before its vCPUs, loaded before them. */
struct vm_state {
	bool irqchip;
	struct vmctl_ioapic_state ioapic;
	struct vmctl_clock clock;
	bool pic_pit;			/* VMCTL_CREATE_PIC_PIT's chips */
	struct vmctl_pic_pit_state pic_pit_state;
};

void vm_save_state(struct vm *vm, struct vm_state *st);
/*
 * A new VM (with an irqchip, and the PICs and PIT, if @st had them) in
 * state @st, no vCPU yet.
 */
struct vm *vm_create_from_state(const struct vm_state *st);

/* The MSRs VMCTL_GET_MSR_INDEX_LIST names, at most STATE_MAX_MSRS. */
unsigned int vcpu_msr_list(struct vcpu *vcpu, uint32_t *list);
void vcpu_save_state(struct vcpu *vcpu, struct vcpu_state *st);
void vcpu_load_state(struct vcpu *vcpu, const struct vcpu_state *st);

#endif /* SELFTEST_STATE_H */
