// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU state a snapshot saves beyond registers, segments and MSRs
 * (include/uapi/linux/vmctl.h: "Saving and restoring a vCPU"): the
 * XSAVE area, XCR0, the debug registers, the list of MSRs to save, the
 * events in flight, the INIT/SIPI/halt state and the local APIC.
 *
 * These run under the vCPU mutex, like every vCPU ioctl, so never during
 * RUN: the FPU area is the vCPU's own (RUN saves the guest's registers
 * into it before it returns) and the rest is in the vCPU or its VMCS.
 * Each argument is copied from user memory once, checked, then used;
 * the values the module later loads into the CPU itself (XRSTOR of the
 * area, XSETBV, MOV to DR6/DR7) are refused when the instruction would
 * fault on them, and events the next VM entry would refuse
 * (model/events.c).  The events are read only once the exit RUN last
 * returned for needs nothing more (no complete_user_exit left, EBUSY
 * otherwise): until the next RUN completes it, RIP and the registers are
 * those of an instruction half done.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/err.h>
#include <linux/vmctl.h>
#include <asm/fpu/types.h>
#include "cpu/cpuid.h"
#include "cpu/cr.h"
#include "cpu/msr.h"
#include "cpu/state.h"
#include "irqchip/apic_state.h"
#include "model/events.h"
#include "model/xstate.h"
#include "vm/vcpu.h"
#include "vm/vcpu_state.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

u32 vmk_vcpu_state_offered(void)
{
	return VMCTL_VCPU_STATE_XSAVE | VMCTL_VCPU_STATE_XCRS |
	       VMCTL_VCPU_STATE_DEBUGREGS | VMCTL_VCPU_STATE_MSR_LIST |
	       VMCTL_VCPU_STATE_EVENTS | VMCTL_VCPU_STATE_MP_STATE |
	       (vmx_caps.irqchip ? VMCTL_VCPU_STATE_LAPIC : 0);
}

/*
 * The bytes of the area a guest can use: the standard format up to the
 * last component it may enable (at most AVX-512's, well inside
 * VMCTL_XSAVE_REGION), or FXSAVE's 512.
 */
u32 vmk_guest_xsave_size(void)
{
	if (!vmx_caps.host_xcr0)
		return VMCTL_FXSAVE_SIZE;
	return vmctl_xsave_size(vmctl_guest_xcr0_mask());
}

static long get_xsave(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_xsave *x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
	long ret = 0;

	if (!x)
		return -ENOMEM;
	x->size = vmk_guest_xsave_size();
	memcpy(x->region, vcpu->fpu, x->size);
	if (copy_to_user(uarg, x, sizeof(*x)))
		ret = -EFAULT;
	kfree(x);
	return ret;
}

static long set_xsave(struct vmk_vcpu *vcpu, void __user *uarg)
{
	u32 size = vmk_guest_xsave_size();
	struct vmctl_xsave *x;
	long ret = -EINVAL;

	x = memdup_user(uarg, sizeof(*x));
	if (IS_ERR(x))
		return PTR_ERR(x);
	if (x->flags || x->size != size ||
	    memchr_inv(x->region + size, 0, sizeof(x->region) - size) ||
	    !vmctl_xsave_area_valid(x->region, size, vmx_caps.host_xcr0,
				    vmctl_guest_xcr0_mask(),
				    vmx_caps.mxcsr_mask))
		goto out;
	memcpy(vcpu->fpu, x->region, size);
	memset(vcpu->fpu + size, 0, vmx_caps.xsave_size - size);
	ret = 0;
out:
	kfree(x);
	return ret;
}

static long set_xcrs(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_xcrs x;

	if (copy_from_user(&x, uarg, sizeof(x)))
		return -EFAULT;
	if (x.flags || memchr_inv(x.reserved, 0, sizeof(x.reserved)))
		return -EINVAL;
	/* Without XSAVE XCR0 keeps its reset value, x87 only. */
	if (vmx_caps.host_xcr0 ?
	    !vmctl_xcr0_valid(x.xcr0, vmctl_guest_xcr0_mask()) :
	    x.xcr0 != XFEATURE_MASK_FP)
		return -EINVAL;
	vcpu->xcr0 = x.xcr0;
	return 0;
}

static long get_debugregs(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_debugregs d = { .dr6 = vcpu->dr6, .dr7 = vcpu->dr7 };

	memcpy(d.db, vcpu->dr, sizeof(d.db));
	return copy_to_user(uarg, &d, sizeof(d)) ? -EFAULT : 0;
}

static int do_set_debugregs(struct vmk_vcpu *vcpu, void *arg)
{
	const struct vmctl_debugregs *d = arg;

	vmctl_set_debugregs(vcpu, d->db, d->dr6, d->dr7);
	return 0;
}

static long set_debugregs(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_debugregs d;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (d.flags || memchr_inv(d.reserved, 0, sizeof(d.reserved)) ||
	    (d.dr6 >> 32) || (d.dr7 >> 32))
		return -EINVAL;
	return vmk_vcpu_with_vmcs(vcpu, do_set_debugregs, &d);
}

static long get_msr_list(struct vmk_vcpu *vcpu, void __user *uarg)
{
	u32 list[VMCTL_MSR_LIST_MAX];
	struct vmctl_msr_list hdr;
	u32 n;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags)
		return -EINVAL;
	n = vmctl_msr_index_list(vcpu, list, ARRAY_SIZE(list));
	if (WARN_ON_ONCE(n > ARRAY_SIZE(list)))
		return -EIO;
	if (hdr.nmsrs < n) {
		hdr.nmsrs = n;
		return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : -E2BIG;
	}
	hdr.nmsrs = n;
	if (copy_to_user(uarg, &hdr, sizeof(hdr)) ||
	    copy_to_user(uarg + sizeof(hdr), list, n * sizeof(*list)))
		return -EFAULT;
	return 0;
}

/*
 * An exception as the next entry delivers it (run.c): an error code as
 * the mode has it, 16 bits of it.
 */
static void get_exc(struct vmk_vcpu *vcpu, u8 vector, u32 err, u8 *vec_out,
		    u8 *has_out, u32 *err_out)
{
	*vec_out = vector;
	*has_out = vmctl_exc_has_error_code(vcpu, vector);
	*err_out = *has_out ? err & 0xffff : 0;
}

static int do_get_events(struct vmk_vcpu *vcpu, void *arg)
{
	struct vmctl_vcpu_events *e = arg;
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	u32 info = vcpu->reinject_info;
	bool nmi;

	if (info & INTR_INFO_VALID) {
		switch (info & INTR_INFO_TYPE_MASK) {
		case INTR_TYPE_HW_EXCEPTION:
			e->injected.type = VMCTL_EVENT_EXCEPTION;
			get_exc(vcpu, info & INTR_INFO_VECTOR_MASK,
				vcpu->reinject_err, &e->injected.vector,
				&e->injected.has_error_code,
				&e->injected.error_code);
			break;
		case INTR_TYPE_EXT_INTR:
			e->injected.type = VMCTL_EVENT_INTERRUPT;
			e->injected.vector = info & INTR_INFO_VECTOR_MASK;
			break;
		case INTR_TYPE_NMI:
			e->injected.type = VMCTL_EVENT_NMI;
			e->injected.vector = VMCTL_EXC_NMI;
			break;
		}
	}
	if (vcpu->exc_pending) {
		e->exception.pending = 1;
		get_exc(vcpu, vcpu->exc.vector, vcpu->exc.error_code,
			&e->exception.vector, &e->exception.has_error_code,
			&e->exception.error_code);
	}
	e->interrupt_shadow = intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS);
	if (vcpu->apic) {
		e->nmi_masked = !!(intr & GUEST_INTR_NMI);
		vmctl_apic_get_nmi_sipi(vcpu, &nmi, &e->sipi_vector);
		e->nmi_pending = nmi;
	}
	return 0;
}

static long get_events(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_vcpu_events e = { 0 };
	long ret;

	if (vcpu->complete_user_exit)
		return -EBUSY;
	ret = vmk_vcpu_with_vmcs(vcpu, do_get_events, &e);
	if (!ret && copy_to_user(uarg, &e, sizeof(e)))
		ret = -EFAULT;
	return ret;
}

static u32 injected_info(const struct vmctl_vcpu_events *e)
{
	u32 info = INTR_INFO_VALID | e->injected.vector;

	switch (e->injected.type) {
	case VMCTL_EVENT_EXCEPTION:
		info |= INTR_TYPE_HW_EXCEPTION;
		if (e->injected.has_error_code)
			info |= INTR_INFO_DELIVER_CODE;
		return info;
	case VMCTL_EVENT_INTERRUPT:
		return info | INTR_TYPE_EXT_INTR;
	case VMCTL_EVENT_NMI:
		return info | INTR_TYPE_NMI;
	default:
		return 0;
	}
}

static int do_set_events(struct vmk_vcpu *vcpu, void *arg)
{
	const struct vmctl_vcpu_events *e = arg;
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	struct vmctl_events_ctx ctx = {
		.pe = vmctl_sync_cr0(vcpu) & X86_CR0_PE,
		.if_set = vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF,
		.irqchip = vcpu->apic,
	};
	struct vmctl_events ev = {
		.injected_type = e->injected.type,
		.injected = {
			.vector = e->injected.vector,
			.has_error_code = e->injected.has_error_code,
			.error_code = e->injected.error_code,
		},
		.exc_pending = e->exception.pending,
		.exc = {
			.vector = e->exception.vector,
			.has_error_code = e->exception.has_error_code,
			.error_code = e->exception.error_code,
		},
		.shadow = e->interrupt_shadow,
		.nmi_pending = e->nmi_pending,
		.nmi_masked = e->nmi_masked,
	};

	if (vmctl_events_check(&ev, &ctx) || (!vcpu->apic && e->sipi_vector))
		return -EINVAL;
	vcpu->reinject_info = injected_info(e);
	vcpu->reinject_err = e->injected.error_code;
	vcpu->reinject_len = 0;
	vcpu->exc_pending = ev.exc_pending;
	vcpu->exc.vector = ev.exc.vector;
	vcpu->exc.has_error_code = ev.exc.has_error_code;
	vcpu->exc.error_code = ev.exc.error_code;
	intr &= ~(GUEST_INTR_STI | GUEST_INTR_MOV_SS | GUEST_INTR_NMI);
	intr |= e->interrupt_shadow | (e->nmi_masked ? GUEST_INTR_NMI : 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr);
	vmctl_sync_pending_dbg();
	if (vcpu->apic)
		vmctl_apic_set_nmi_sipi(vcpu, e->nmi_pending, e->sipi_vector);
	return 0;
}

static long set_events(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_vcpu_events e;

	/* The ABI's values are the model's and the VMCS's. */
	BUILD_BUG_ON((VMCTL_EVENT_EXCEPTION ^ VMCTL_EV_EXCEPTION) |
		     (VMCTL_EVENT_INTERRUPT ^ VMCTL_EV_INTERRUPT) |
		     (VMCTL_EVENT_NMI ^ VMCTL_EV_NMI) |
		     (VMCTL_INTR_SHADOW_STI ^ GUEST_INTR_STI) |
		     (VMCTL_INTR_SHADOW_MOV_SS ^ GUEST_INTR_MOV_SS) |
		     (VMCTL_INTR_SHADOW_STI ^ VMCTL_EV_SHADOW_STI) |
		     (VMCTL_INTR_SHADOW_MOV_SS ^ VMCTL_EV_SHADOW_MOV_SS));
	if (copy_from_user(&e, uarg, sizeof(e)))
		return -EFAULT;
	if (e.flags || e.injected.padding || e.exception.padding ||
	    memchr_inv(e.reserved, 0, sizeof(e.reserved)) ||
	    e.injected.has_error_code > 1 || e.exception.pending > 1 ||
	    e.exception.has_error_code > 1 || e.nmi_pending > 1 ||
	    e.nmi_masked > 1)
		return -EINVAL;
	return vmk_vcpu_with_vmcs(vcpu, do_set_events, &e);
}

static long get_mp_state(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_mpstate m = { .state = VMCTL_MP_STATE_RUNNABLE };

	if (vcpu->apic)
		m.state = vmctl_apic_get_mp_state(vcpu, vcpu->halted);
	return copy_to_user(uarg, &m, sizeof(m)) ? -EFAULT : 0;
}

static int do_set_mp_state(struct vmk_vcpu *vcpu, void *arg)
{
	u32 state = *(u32 *)arg;

	/*
	 * What HLT would have seen: RFLAGS cannot change while halted.  In
	 * this order, so that other vCPUs (vmctl_apic_stopped()) never see
	 * the new halt with the old flag (x86 keeps stores in order).
	 */
	vcpu->halt_if = vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF;
	vcpu->halted = state == VMCTL_MP_STATE_HALTED;
	vmctl_apic_set_mp_state(vcpu, state);
	return 0;
}

static long set_mp_state(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_mpstate m;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.flags || m.state > VMCTL_MP_STATE_SIPI_RECEIVED ||
	    (!vcpu->apic && m.state != VMCTL_MP_STATE_RUNNABLE))
		return -EINVAL;
	if (!vcpu->apic)
		return 0;
	return vmk_vcpu_with_vmcs(vcpu, do_set_mp_state, &m.state);
}

static long get_lapic(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_lapic_state st;

	if (!vcpu->apic)
		return -ENXIO;
	vmctl_apic_get_state(vcpu, &st);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long set_lapic(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_lapic_state st;

	if (!vcpu->apic)
		return -ENXIO;
	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	if (st.flags || memchr_inv(st.reserved, 0, sizeof(st.reserved)))
		return -EINVAL;
	return vmctl_apic_set_state(vcpu, &st);
}

long vmk_vcpu_state_ioctl(struct vmk_vcpu *vcpu, unsigned int cmd,
			  void __user *uarg)
{
	struct vmctl_xcrs xcrs = { 0 };

	switch (cmd) {
	case VMCTL_GET_XSAVE:
		return get_xsave(vcpu, uarg);
	case VMCTL_SET_XSAVE:
		return set_xsave(vcpu, uarg);
	case VMCTL_GET_XCRS:
		xcrs.xcr0 = vcpu->xcr0;
		return copy_to_user(uarg, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
	case VMCTL_SET_XCRS:
		return set_xcrs(vcpu, uarg);
	case VMCTL_GET_DEBUGREGS:
		return get_debugregs(vcpu, uarg);
	case VMCTL_SET_DEBUGREGS:
		return set_debugregs(vcpu, uarg);
	case VMCTL_GET_MSR_INDEX_LIST:
		return get_msr_list(vcpu, uarg);
	case VMCTL_GET_VCPU_EVENTS:
		return get_events(vcpu, uarg);
	case VMCTL_SET_VCPU_EVENTS:
		return set_events(vcpu, uarg);
	case VMCTL_GET_MP_STATE:
		return get_mp_state(vcpu, uarg);
	case VMCTL_SET_MP_STATE:
		return set_mp_state(vcpu, uarg);
	case VMCTL_GET_LAPIC:
		return get_lapic(vcpu, uarg);
	case VMCTL_SET_LAPIC:
		return set_lapic(vcpu, uarg);
	default:
		return -ENOTTY;
	}
}
