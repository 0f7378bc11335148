/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.c: the vCPU's state below the exit handlers: registers, RIP and
 * instruction skipping, segments, the TSC offset, the queued exception,
 * the emulator's view of the CPU, and what an exit reports to user space.
 * Every exit handler may use it; it uses none of them.
 */
#ifndef VMCTL_CPU_STATE_H
#define VMCTL_CPU_STATE_H

#include <linux/bits.h>
#include <linux/types.h>
#include "model/emulate.h"
#include "model/inject.h"
#include "vm/vcpu.h"
#include "vmx/vmx_defs.h"

#define EXIT_TO_USER	0	/* run->exit_reason filled in */
#define EXIT_REENTER	1

#define EXC_CP			21	/* INJECT_EXCEPTION refuses it */

/*
 * The guest's CR0 now (model/inject.h, vmctl_cr0_seen()): the bits it
 * owns come from the VMCS, and vcpu->cr0 is brought up to date.
 */
u64 vmctl_sync_cr0(struct vmk_vcpu *vcpu);

/* Does @vector push an error code in the guest's present mode? */
static inline bool vmctl_exc_has_error_code(struct vmk_vcpu *vcpu,
					    u8 vector)
{
	return vmctl_exc_error_code(vmctl_sync_cr0(vcpu), vector);
}

/* A 48-bit linear address, sign-extended (no LA57 for guests). */
static inline bool vmctl_canonical(u64 v)
{
	return (u64)((s64)(v << 16) >> 16) == v;
}

/* Segment fields are laid out ES CS SS DS FS GS LDTR TR, 2 apart. */
#define SEG_LDTR	6
#define SEG_TR		7
#define SEG_SEL(i)	(VMCS_GUEST_ES_SEL + 2 * (i))
#define SEG_LIMIT(i)	(VMCS_GUEST_ES_LIMIT + 2 * (i))
#define SEG_AR(i)	(VMCS_GUEST_ES_AR + 2 * (i))
#define SEG_BASE(i)	(VMCS_GUEST_ES_BASE + 2 * (i))

#define DR6_FIXED1	0xffff0ff0ULL
#define DR7_FIXED1	0x400ULL

u64 vmctl_gpr_read(struct vmk_vcpu *vcpu, int reg);
void vmctl_gpr_write(struct vmk_vcpu *vcpu, int reg, u64 val);
u8 vmctl_guest_cpl(void);
void vmctl_skip_insn(struct vmk_vcpu *vcpu);
void vmctl_skip_insn_len(struct vmk_vcpu *vcpu, u32 len);
void vmctl_queue_exception(struct vmk_vcpu *vcpu, u8 vector, bool has_err,
			   u32 err);
int vmctl_internal_error(struct vmk_vcpu *vcpu, u32 suberror, u32 ndata,
			 const u64 *data);
int vmctl_unhandled_exit(struct vmk_vcpu *vcpu);
void vmctl_emu_cpu_get(struct vmk_vcpu *vcpu, struct vmctl_emu_cpu *cpu);
void vmctl_emu_cpu_set(struct vmk_vcpu *vcpu,
		       const struct vmctl_emu_cpu *cpu);
void vmctl_set_seg(int i, u16 sel, u64 base, u32 limit, u32 ar);
void vmctl_set_tsc_offset(struct vmk_vcpu *vcpu, u64 offset);
void vmctl_sync_pending_dbg(void);

/* The exit userspace sees, and the kernel's own copy of it. */
static inline void vmctl_set_exit(struct vmk_vcpu *vcpu, u32 reason)
{
	vcpu->user_exit = reason;
	vcpu->run->exit_reason = reason;
}

#endif /* VMCTL_CPU_STATE_H */
