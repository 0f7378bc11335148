/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder for the memory-operand instructions that MMIO
 * emulation supports (see vmctl_decode() for the list).  It turns bytes
 * into an operation, operand sizes and an effective address; emulate.c
 * performs the access and the register side effects.
 */
#ifndef VMCTL_DECODE_H
#define VMCTL_DECODE_H

#include "emulate.h"

#define VMCTL_MAX_INSN_LEN	15

enum vmctl_insn_kind {
	INSN_STORE = 1,		/* MOV to memory from a register or immediate */
	INSN_LOAD,		/* MOV/MOVZX/MOVSX/MOVSXD from memory */
	INSN_ALU,		/* ADD/OR/AND/SUB/XOR/CMP/TEST reading memory */
	INSN_STOS,
	INSN_LODS,
	INSN_MOVS,
	INSN_RMW,		/* read, then write the result (two accesses) */
};

enum vmctl_alu_op {
	ALU_ADD, ALU_OR, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST,
	ALU_BT,				/* INSN_ALU: CF from a bit */
	ALU_INC, ALU_DEC, ALU_NOT, ALU_NEG, ALU_XCHG,	/* INSN_RMW only */
	ALU_XADD, ALU_CMPXCHG, ALU_CMPXCHG8B,
	ALU_BTS, ALU_BTR, ALU_BTC,	/* last: decode.c tests >= ALU_BTS */
};

struct vmctl_insn {
	u8 len;			/* bytes, prefixes included */
	u8 code_size;		/* 2, 4 or 8: the mode's default */
	u8 op_size;		/* 2, 4 or 8: effective operand size */
	u8 addr_size;		/* 2, 4 or 8: effective address size */
	u8 rex;			/* REX byte, 0 when absent */
	bool rep;		/* F2 or F3 on a string instruction */
	u8 kind;		/* enum vmctl_insn_kind */
	u8 alu;			/* enum vmctl_alu_op for INSN_ALU */
	u8 mem_size;		/* bytes read or written in memory */
	bool has_reg;		/* a register operand (else the immediate) */
	u8 reg;			/* GPR_* of the register operand */
	u8 reg_size;		/* its size in bytes */
	bool reg_high8;		/* AH, CH, DH or BH */
	bool sign_extend;	/* LOAD: sign-extend mem_size to reg_size */
	bool mem_first;		/* ALU: memory is the left operand */
	bool write_reg;		/* ALU: the result goes to the register */
	u8 seg;			/* segment of the memory operand (SEG_*) */
	u64 ea;			/* its offset, wrapped to addr_size */
	u64 imm;		/* immediate, sign-extended; BT*: the bit */
};

/* All ones in the low @bytes bytes (1, 2, 4 or 8). */
static inline u64 vmctl_size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* Sign-extend the low @bytes bytes of @val to 64 bits. */
static inline u64 vmctl_sext(u64 val, unsigned int bytes)
{
	u64 sign = 1ULL << (8 * bytes - 1);

	return ((val & vmctl_size_mask(bytes)) ^ sign) - sign;
}

/* Default code size of @cpu's mode: 2 (real/16-bit), 4 or 8 (64-bit). */
unsigned int vmctl_code_size(const struct vmctl_emu_cpu *cpu);

/*
 * Decode @avail bytes at @buf as the instruction at cpu->rip.  Returns 0,
 * VMCTL_EMU_UNHANDLED for an instruction outside the supported set, or
 * -ENODATA when the instruction runs past @avail bytes.
 */
int vmctl_decode(const struct vmctl_emu_cpu *cpu, const u8 *buf,
		 unsigned int avail, struct vmctl_insn *insn);

#endif /* VMCTL_DECODE_H */
