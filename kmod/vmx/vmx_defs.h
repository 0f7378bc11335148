/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX architectural constants: VMCS field encodings, control bits and
 * capability MSRs, written from the Intel SDM volume 3 (appendix A and B).
 * Prefixed VMX_/VMCS_ so they never collide with the kernel's own
 * <asm/vmx.h>, which we do not include.  Exit reasons are part of the
 * ABI: VMCTL_HW_EXIT_* in <linux/vmctl.h>.
 */
#ifndef VMCTL_VMX_DEFS_H
#define VMCTL_VMX_DEFS_H

#include <linux/bits.h>
#include <asm/processor-flags.h>

/* Capability and control MSRs (SDM appendix A). */
#define MSR_VMX_FEATURE_CONTROL		0x0000003a
#define  FEATURE_CONTROL_LOCKED		BIT(0)
#define  FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)
#define MSR_VMX_BASIC			0x00000480
#define MSR_VMX_PINBASED_CTLS		0x00000481
#define MSR_VMX_PROCBASED_CTLS		0x00000482
#define MSR_VMX_EXIT_CTLS		0x00000483
#define MSR_VMX_ENTRY_CTLS		0x00000484
#define MSR_VMX_MISC			0x00000485
#define MSR_VMX_CR0_FIXED0		0x00000486
#define MSR_VMX_CR0_FIXED1		0x00000487
#define MSR_VMX_CR4_FIXED0		0x00000488
#define MSR_VMX_CR4_FIXED1		0x00000489
#define MSR_VMX_PROCBASED_CTLS2		0x0000048b
#define MSR_VMX_EPT_VPID_CAP		0x0000048c
#define MSR_VMX_TRUE_PINBASED_CTLS	0x0000048d
#define MSR_VMX_TRUE_PROCBASED_CTLS	0x0000048e
#define MSR_VMX_TRUE_EXIT_CTLS		0x0000048f
#define MSR_VMX_TRUE_ENTRY_CTLS		0x00000490

/* IA32_VMX_BASIC */
#define VMXCAP_BASIC_REVISION_MASK		0x7fffffffULL
#define VMXCAP_BASIC_INOUT_INFO		BIT_ULL(54)
#define VMXCAP_BASIC_TRUE_CTLS		BIT_ULL(55)

/* IA32_VMX_EPT_VPID_CAP */
#define VMXCAP_EPT_PWL4			BIT_ULL(6)
#define VMXCAP_EPT_MEMTYPE_WB		BIT_ULL(14)
#define VMXCAP_EPT_2M_PAGES		BIT_ULL(16)
#define VMXCAP_EPT_INVEPT			BIT_ULL(20)
#define VMXCAP_EPT_AD			BIT_ULL(21)	/* accessed/dirty flags */
#define VMXCAP_EPT_INVEPT_SINGLE		BIT_ULL(25)
#define VMXCAP_EPT_INVEPT_ALL		BIT_ULL(26)
#define VMXCAP_VPID_INVVPID		BIT_ULL(32)
#define VMXCAP_VPID_INVVPID_SINGLE		BIT_ULL(41)
#define VMXCAP_MISC_PREEMPT_RATE_MASK		0x1fULL	/* TSC bit the timer ticks on */

/* INVEPT / INVVPID types */
#define VMX_INVEPT_SINGLE		1
#define VMX_INVEPT_ALL			2
#define VMX_INVVPID_SINGLE		1

/* 16-bit fields */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800	/* +2 per segment, see seg_fields */
#define VMCS_GUEST_LDTR_SEL		0x080c
#define VMCS_GUEST_TR_SEL		0x080e
#define VMCS_GUEST_PML_INDEX		0x0812
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit fields */
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_PML_ADDRESS		0x200e
#define VMCS_EPT_POINTER		0x201a
#define VMCS_GUEST_PHYS_ADDR		0x2400
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_GUEST_PDPTE0		0x280a	/* +2 per PDPTE */
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

/* 32-bit fields */
#define VMCS_PIN_CTLS			0x4000
#define VMCS_PROC_CTLS			0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CTLS			0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CTLS			0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXCEPTION_ERRCODE	0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_PROC_CTLS2			0x401e
#define VMCS_INSN_ERROR			0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERRCODE		0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERRCODE	0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_EXIT_INSN_INFO		0x440e
#define VMCS_GUEST_ES_LIMIT		0x4800	/* +2 per segment */
#define VMCS_GUEST_LDTR_LIMIT		0x480c
#define VMCS_GUEST_TR_LIMIT		0x480e
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814	/* +2 per segment */
#define VMCS_GUEST_LDTR_AR		0x4820
#define VMCS_GUEST_TR_AR		0x4822
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY		0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_PREEMPTION_TIMER_VALUE	0x482e
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* natural-width fields */
#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_SHADOW			0x6004
#define VMCS_CR4_SHADOW			0x6006
#define VMCS_EXIT_QUAL			0x6400
#define VMCS_GUEST_LINEAR_ADDR		0x640a
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806	/* +2 per segment */
#define VMCS_GUEST_LDTR_BASE		0x6812
#define VMCS_GUEST_TR_BASE		0x6814
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* Pin-based controls */
#define PIN_EXT_INTR_EXITING		BIT(0)
#define PIN_NMI_EXITING			BIT(3)
#define PIN_VIRTUAL_NMIS		BIT(5)
#define PIN_PREEMPTION_TIMER		BIT(6)

/* Primary processor-based controls */
#define PROC_INTR_WINDOW_EXITING	BIT(2)
#define PROC_TSC_OFFSETTING		BIT(3)
#define PROC_HLT_EXITING		BIT(7)
#define PROC_INVLPG_EXITING		BIT(9)
#define PROC_MWAIT_EXITING		BIT(10)
#define PROC_RDPMC_EXITING		BIT(11)
#define PROC_RDTSC_EXITING		BIT(12)
#define PROC_CR3_LOAD_EXITING		BIT(15)
#define PROC_CR3_STORE_EXITING		BIT(16)
#define PROC_CR8_LOAD_EXITING		BIT(19)
#define PROC_CR8_STORE_EXITING		BIT(20)
#define PROC_TPR_SHADOW			BIT(21)
#define PROC_NMI_WINDOW_EXITING		BIT(22)
#define PROC_MOV_DR_EXITING		BIT(23)
#define PROC_UNCOND_IO_EXITING		BIT(24)
#define PROC_USE_IO_BITMAPS		BIT(25)
#define PROC_USE_MSR_BITMAPS		BIT(28)
#define PROC_MONITOR_EXITING		BIT(29)
#define PROC_SECONDARY_CTLS		BIT(31)

/* Secondary processor-based controls */
#define PROC2_ENABLE_EPT		BIT(1)
#define PROC2_ENABLE_VPID		BIT(5)
#define PROC2_WBINVD_EXITING		BIT(6)
#define PROC2_UNRESTRICTED_GUEST	BIT(7)
#define PROC2_ENABLE_PML		BIT(17)

/* VM-exit controls */
#define EXIT_SAVE_DEBUG_CTLS		BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE	BIT(9)
#define EXIT_SAVE_PAT			BIT(18)
#define EXIT_LOAD_PAT			BIT(19)
#define EXIT_SAVE_EFER			BIT(20)
#define EXIT_LOAD_EFER			BIT(21)

/* VM-entry controls */
#define ENTRY_LOAD_DEBUG_CTLS		BIT(2)
#define ENTRY_IA32E_MODE		BIT(9)
#define ENTRY_LOAD_PAT			BIT(14)
#define ENTRY_LOAD_EFER			BIT(15)

/* Interruption information (exit, IDT vectoring and entry fields) */
/* CR0 bits in the guest/host mask (vmcs.c): a guest write to one exits. */
#define VMCTL_CR0_OURS	(X86_CR0_NE | X86_CR0_CD | X86_CR0_NW | X86_CR0_PG)

#define INTR_INFO_VECTOR_MASK		0xff
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		(7U << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR		(0U << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_NMI			(2U << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_HW_EXCEPTION		(3U << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SW_INTR		(4U << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_PRIV_SW_EXCEPTION	(5U << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SW_EXCEPTION		(6U << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_DELIVER_CODE		BIT(11)
#define INTR_INFO_VALID			BIT(31)

/* Guest interruptibility state */
#define GUEST_INTR_STI			BIT(0)
#define GUEST_INTR_MOV_SS		BIT(1)
#define GUEST_INTR_NMI			BIT(3)

/* Segment access rights (VMCS format) */
#define VMX_AR_TYPE_MASK			0xf
#define VMX_AR_S				BIT(4)
#define VMX_AR_DPL_SHIFT			5
#define VMX_AR_P				BIT(7)
#define VMX_AR_AVL				BIT(12)
#define VMX_AR_L				BIT(13)
#define VMX_AR_DB				BIT(14)
#define VMX_AR_G				BIT(15)
#define VMX_AR_UNUSABLE			BIT(16)

/* Exit qualification of control-register accesses */
#define CR_QUAL_NUM(q)			((q) & 0xf)
#define CR_QUAL_TYPE(q)			(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)			(((q) >> 8) & 0xf)
#define CR_TYPE_MOV_TO			0
#define CR_TYPE_MOV_FROM		1

/* Exit qualification of MOV DR */
#define DR_QUAL_NUM(q)			((q) & 7)
#define DR_QUAL_FROM_DR			BIT(4)
#define DR_QUAL_GPR(q)			(((q) >> 8) & 0xf)

/* Exit qualification of I/O instructions */
#define IO_QUAL_SIZE(q)			(((q) & 7) + 1)
#define IO_QUAL_IN			BIT(3)
#define IO_QUAL_STRING			BIT(4)
#define IO_QUAL_REP			BIT(5)
#define IO_QUAL_PORT(q)			(((q) >> 16) & 0xffff)

/* VM-exit instruction information of INS/OUTS */
#define IO_INFO_ADDR_SIZE(i)		(((i) >> 7) & 7)
#define IO_INFO_SEG(i)			(((i) >> 15) & 7)

/* Exit qualification of EPT violations */
#define EPT_QUAL_READ			BIT(0)
#define EPT_QUAL_WRITE			BIT(1)
#define EPT_QUAL_FETCH			BIT(2)

/* VM-instruction error numbers we name in messages */
#define VMX_ERR_VMLAUNCH_NONCLEAR	4
#define VMX_ERR_VMRESUME_NONLAUNCHED	5
#define VMX_ERR_ENTRY_INVALID_CTLS	7
#define VMX_ERR_ENTRY_INVALID_HOST	8

#endif /* VMCTL_VMX_DEFS_H */
