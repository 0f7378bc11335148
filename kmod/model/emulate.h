/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction emulation for MMIO exits and guest-memory access for string
 * I/O.  Pure logic: no VMX, no kernel services beyond the callbacks below,
 * so the same code is built into vmctl.ko and into the userspace unit tests
 * (kmod/tests/).
 */
#ifndef VMCTL_EMULATE_H
#define VMCTL_EMULATE_H

#include "compat.h"
#include <asm/processor-flags.h>	/* X86_CR0_*, X86_CR4_*, X86_EFLAGS_* */

#define VMCTL_EFER_LMA		(1ULL << 10)	/* IA32_EFER.LMA */
#define VMCTL_PAGE_SIZE		4096ULL

/* General registers in hardware encoding order (ModRM reg numbers). */
enum vmctl_gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	NR_GPRS
};

enum vmctl_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, NR_SEGS };

/* The guest CPU state the emulator reads and updates. */
struct vmctl_emu_cpu {
	u64 gpr[NR_GPRS];
	u64 rip;
	u64 rflags;
	u64 cr0, cr3, cr4, efer;
	u64 seg_base[NR_SEGS];
	bool cs_l;		/* CS.L: 64-bit code when EFER.LMA */
	bool cs_db;		/* CS.D/B: 32-bit default operand size */
	u8 cpl;
};

/* Guest-physical memory access, RAM only; return 0 or -errno. */
struct vmctl_emu_ops {
	int (*read_gpa)(void *ctx, u64 gpa, void *buf, unsigned int len);
	int (*write_gpa)(void *ctx, u64 gpa, const void *buf, unsigned int len);
};

/*
 * One MMIO access, the unit of a userspace MMIO exit.  A REP STOS/MOVS
 * emulates one element per exit: RIP stays on the instruction until RCX
 * reaches zero, so the guest re-executes it and faults again.
 */
struct vmctl_mmio_op {
	u64 gpa;
	u8 len;			/* 1, 2, 4 or 8 */
	bool is_write;
	u8 data[8];		/* write: the bytes; read: filled by userspace */
	/* private to the emulator: how to complete the instruction */
	u8 insn_len;
	u8 kind;		/* enum vmctl_insn_kind (decode.h) */
	u8 dst_reg;		/* register operand, GPR_* */
	u8 dst_size;		/* its size in bytes */
	u8 flags;		/* EMU_F_* (emulate.c) */
	u8 alu;			/* enum vmctl_alu_op (decode.h) */
	u8 addr_size;		/* string forms: RSI/RDI/RCX width */
	/* ALU: the other operand's value; MOVS MMIO to MMIO: its dest gpa */
	u64 aux;
};

/* Errors from the functions below, besides -EFAULT from the callbacks. */
#define VMCTL_EMU_UNHANDLED	1	/* instruction not supported */
#define VMCTL_EMU_PAGE_FAULT	2	/* guest linear address not mapped */
#define VMCTL_EMU_GP_FAULT	3	/* vmctl_linear_check(): non-canonical */
#define VMCTL_EMU_WRITE_BACK	4	/* vmctl_mmio_complete(): now the write */

/* #PF error code bits (vmctl_linear_check()). */
#define VMCTL_PF_PRESENT	(1U << 0)	/* a present entry refused it */
#define VMCTL_PF_WRITE		(1U << 1)
#define VMCTL_PF_USER		(1U << 2)

/*
 * Decode the instruction at cpu->rip that faulted on @gpa and describe the
 * access (the supported instructions are listed in decode.c).  Returns 0,
 * VMCTL_EMU_UNHANDLED (not supported, or its decoded address does not
 * explain @gpa), VMCTL_EMU_PAGE_FAULT (code or the RAM side of MOVS not
 * mapped), or the callbacks' -errno (e.g. guest page tables not in RAM).
 * @cpu is not changed: on error the core reports it and RIP stays.
 */
int vmctl_mmio_begin(const struct vmctl_emu_cpu *cpu,
		     const struct vmctl_emu_ops *ops, void *ctx, u64 gpa,
		     struct vmctl_mmio_op *op);

/*
 * Finish the access described by @op (for reads op->data holds the value):
 * write the destination, update RSI/RDI/RCX/flags as the instruction does,
 * advance RIP when the instruction is complete.  Returns 0 or an error as
 * above (MOVS from MMIO writes guest RAM here); on error @cpu is unchanged.
 * After the read of a read-modify-write (LOCK OR, XCHG, BTS, INC, XADD,
 * CMPXCHG, ...) or of a MOVS from MMIO to MMIO it returns
 * VMCTL_EMU_WRITE_BACK: flags and registers are updated, RIP
 * is not, and @op is now the write of the result, to perform and then
 * complete like any other.
 */
int vmctl_mmio_complete(struct vmctl_emu_cpu *cpu,
			const struct vmctl_emu_ops *ops, void *ctx,
			struct vmctl_mmio_op *op);

/*
 * Translate a guest linear address through the guest's paging mode
 * (none, 32-bit, PAE, 4-level) as CR0/CR4/EFER select, checking the
 * rights of a read or @write at cpu->cpl (3 is a user access).  5-level
 * paging is VMCTL_EMU_UNHANDLED.  Returns 0 or an error as above.
 */
int vmctl_gva_to_gpa(const struct vmctl_emu_cpu *cpu,
		     const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		     bool write, u64 *gpa);

/*
 * Would @len bytes at @gva translate for a read or @write, as the CPU's
 * own access does?  Returns 0; VMCTL_EMU_PAGE_FAULT with the #PF the CPU
 * would raise: *@fault_addr (CR2, the first page that does not translate)
 * and *@pf_err (VMCTL_PF_*); VMCTL_EMU_GP_FAULT for a non-canonical
 * address; or an error as above.  For string I/O, which the kernel
 * performs on the guest's memory: the fault goes to the guest before any
 * port is touched.
 */
int vmctl_linear_check(const struct vmctl_emu_cpu *cpu,
		       const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		       unsigned int len, bool write, u64 *fault_addr,
		       u32 *pf_err);

/*
 * Copy between a guest linear range and @buf, crossing pages as needed
 * (32-bit linear addresses wrap outside 64-bit code).  A write checks
 * every page first, so one that faults has written nothing.
 */
int vmctl_read_linear(const struct vmctl_emu_cpu *cpu,
		      const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		      void *buf, unsigned int len);
int vmctl_write_linear(const struct vmctl_emu_cpu *cpu,
		       const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		       const void *buf, unsigned int len);

#endif /* VMCTL_EMULATE_H */
