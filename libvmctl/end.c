// SPDX-License-Identifier: LGPL-2.1-or-later
/* Saying in one line why a VM ended. */
#include <stdio.h>

#include "internal.h"

/* The VM-entry failure reasons worth naming (SDM Vol. 3, Appendix C). */
static const char *entry_failure_name(uint64_t hw_reason)
{
	switch (hw_reason & 0xffff) {
	case 33:
		return "invalid guest state";
	case 34:
		return "MSR loading";
	case 41:
		return "machine-check event";
	default:
		return "unknown";
	}
}

static const char *internal_error_name(uint32_t suberror)
{
	static const char *const names[] = {
		[VMCTL_INTERNAL_EMULATION] = "MMIO instruction not emulated",
		[VMCTL_INTERNAL_EPT_MISCONFIG] = "EPT misconfiguration",
		[VMCTL_INTERNAL_UNHANDLED_EXIT] = "unhandled VM exit",
		[VMCTL_INTERNAL_VMX_FAILURE] = "VMX instruction failed",
		[VMCTL_INTERNAL_BAD_GUEST_MEMORY] = "guest page walk failed",
	};

	if (suberror < ARRAY_SIZE(names) && names[suberror])
		return names[suberror];
	return "unknown internal error";
}

const char *vmctl_vm_end_describe(const struct vmctl_vm_end *e, char *buf,
				  size_t len)
{
	unsigned long long rip = e->rip;

	switch (e->reason) {
	case VMCTL_END_POWEROFF:
		snprintf(buf, len, "guest powered off (hypercall from vCPU %d)",
			 e->vcpu);
		break;
	case VMCTL_END_ACPI_POWEROFF:
		snprintf(buf, len, "guest powered off (ACPI S5 from vCPU %d)",
			 e->vcpu);
		break;
	case VMCTL_END_RESET:
		snprintf(buf, len,
			 "guest reset the machine (ACPI reset register, vCPU %d)",
			 e->vcpu);
		break;
	case VMCTL_END_HALT:
		snprintf(buf, len,
			 "guest halted: every vCPU executed HLT with interrupts disabled (vCPU %d last, at rip 0x%llx)",
			 e->vcpu, rip);
		break;
	case VMCTL_END_SHUTDOWN:
		snprintf(buf, len,
			 "guest shut down: triple fault on vCPU %d at rip 0x%llx",
			 e->vcpu, rip);
		break;
	case VMCTL_END_FAIL_ENTRY:
		snprintf(buf, len,
			 "VM entry failed on vCPU %d: hardware exit reason 0x%llx (%s), qualification 0x%llx",
			 e->vcpu, (unsigned long long)e->hw_reason,
			 entry_failure_name(e->hw_reason),
			 (unsigned long long)e->qualification);
		break;
	case VMCTL_END_INTERNAL:
		snprintf(buf, len,
			 "vmctl module internal error on vCPU %d: %s (suberror %u, data 0x%llx) at rip 0x%llx",
			 e->vcpu, internal_error_name(e->suberror), e->suberror,
			 (unsigned long long)e->data0, rip);
		break;
	case VMCTL_END_STOPPED:
		snprintf(buf, len, "VM stopped on request");
		break;
	case VMCTL_END_ERROR:
		snprintf(buf, len, "vCPU %d failed: %s%s%s", e->vcpu,
			 vmctl_strerror(e->err), e->detail[0] ? ": " : "",
			 e->detail);
		break;
	default:
		snprintf(buf, len, "VM has not ended");
		break;
	}
	return buf;
}
