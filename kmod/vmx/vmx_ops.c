// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line half of vmx_ops.h: a failed VMREAD/VMWRITE is logged
 * and counted in a per-CPU counter that vmx_batch_end() compares.  The
 * bottom of the VMX layer: it calls nothing else in the module.
 */
#include <linux/printk.h>
#include "vmx_ops.h"

DEFINE_PER_CPU(unsigned int, vmctl_vmx_failures);

void vmx_report_failure(const char *insn, unsigned long field, bool valid)
{
	/* VMfailValid leaves the reason in the current VMCS. */
	unsigned long err = 0;

	this_cpu_inc(vmctl_vmx_failures);
	if (valid)
		asm volatile("vmread %1, %0" : "=r"(err)
			     : "r"((unsigned long)VMCS_INSN_ERROR) : "cc");
	pr_err_ratelimited("vmctl: %s of field %#lx failed (%s, error %lu)\n",
			   insn, field, valid ? "VMfailValid" : "VMfailInvalid",
			   err);
}
