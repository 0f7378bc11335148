/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX instruction wrappers.  Every instruction reports failure: the
 * status-returning ones (VMXON, VMPTRLD, VMCLEAR, INVEPT, INVVPID) return
 * -EIO to the caller; VMREAD/VMWRITE failures are logged and latched in a
 * per-CPU flag that the caller checks after a batch (vmx_batch_*), so a
 * failed field access is never silently ignored.
 */
#ifndef VMCTL_VMX_OPS_H
#define VMCTL_VMX_OPS_H

#include <linux/types.h>
#include <linux/percpu.h>
#include "vmx_defs.h"

DECLARE_PER_CPU(unsigned int, vmctl_vmx_failures);

void vmx_report_failure(const char *insn, unsigned long field, bool valid);

/* CF=1: VMfailInvalid, ZF=1: VMfailValid (error in VMCS_INSN_ERROR). */
#define VMX_FAIL_INVALID	1
#define VMX_FAIL_VALID		2

static inline int vmx_status(bool cf, bool zf)
{
	if (cf)
		return VMX_FAIL_INVALID;
	return zf ? VMX_FAIL_VALID : 0;
}

static inline int vmx_vmxon(u64 pa)
{
	bool cf, zf;

	asm volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf)
		     : "m"(pa) : "memory");
	return vmx_status(cf, zf);
}

static inline void vmx_vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

static inline int vmx_vmclear(u64 pa)
{
	bool cf, zf;

	asm volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf)
		     : "m"(pa) : "memory");
	return vmx_status(cf, zf);
}

static inline int vmx_vmptrld(u64 pa)
{
	bool cf, zf;

	asm volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf)
		     : "m"(pa) : "memory");
	return vmx_status(cf, zf);
}

static inline int vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };
	bool cf, zf;

	asm volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf)
		     : "m"(desc), "r"(type) : "memory");
	return vmx_status(cf, zf);
}

static inline int vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };
	bool cf, zf;

	asm volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf)
		     : "m"(desc), "r"(type) : "memory");
	return vmx_status(cf, zf);
}

static inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;
	bool cf, zf;

	asm volatile("vmread %3, %2" : "=@ccc"(cf), "=@ccz"(zf), "=rm"(val)
		     : "r"(field) : "memory");
	if (unlikely(cf || zf)) {
		vmx_report_failure("vmread", field, zf);
		return 0;
	}
	return val;
}

static inline void vmcs_write(unsigned long field, unsigned long val)
{
	bool cf, zf;

	asm volatile("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf)
		     : "r"(field), "rm"(val) : "memory");
	if (unlikely(cf || zf))
		vmx_report_failure("vmwrite", field, zf);
}

static inline void vmcs_set_bits(unsigned long field, unsigned long bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

static inline void vmcs_clear_bits(unsigned long field, unsigned long bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

/* Bracket a batch of VMREAD/VMWRITE; end returns -EIO if any failed. */
static inline unsigned int vmx_batch_begin(void)
{
	return this_cpu_read(vmctl_vmx_failures);
}

static inline int vmx_batch_end(unsigned int mark)
{
	return this_cpu_read(vmctl_vmx_failures) == mark ? 0 : -EIO;
}

#endif /* VMCTL_VMX_OPS_H */
