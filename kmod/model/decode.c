// SPDX-License-Identifier: GPL-2.0
/*
 * x86 decoder for MMIO emulation.  Supported, in every mode (16-bit with
 * the [bx+si] forms, 32-bit, 64-bit with REX and RIP-relative):
 *   88/89/8A/8B MOV r/m<->r, C6/C7 /0 MOV r/m,imm, A0-A3 MOV moffs,
 *   0F B6/B7/BE/BF MOVZX/MOVSX, 63 MOVSXD (64-bit mode),
 *   AA/AB STOS, AC/AD LODS, A4/A5 MOVS (with REP/REPNE),
 *   02/03 0A/0B 22/23 2A/2B 32/33 ADD/OR/AND/SUB/XOR r,r/m,
 *   38-3B CMP, 80/81/83 /7 CMP r/m,imm, 84/85 TEST, F6/F7 /0 TEST r/m,imm,
 *   0F A3 and 0F BA /4 BT, 0F C3 MOVNTI;
 * and the read-modify-writes Linux guests do on device memory (LOCK
 * allowed): 00/01 08/09 20/21 28/29 30/31 ADD/OR/AND/SUB/XOR r/m,r,
 * 80/81/83 /0 /1 /4 /5 /6 the same with an immediate, 86/87 XCHG,
 * FE/FF /0 /1 INC/DEC, F6/F7 /2 /3 NOT/NEG, 0F AB/B3/BB and 0F BA /5-7
 * BTS/BTR/BTC (set_bit() and friends), 0F C0/C1 XADD, 0F B0/B1 CMPXCHG,
 * 0F C7 /1 CMPXCHG8B.  A read-modify-write is two MMIO accesses, the
 * read and then the write of the result (emulate.c).
 * Not: ADC/SBB (no guest does carry arithmetic on a device register);
 * CMPXCHG16B and the SSE moves (16-byte accesses, and the MMIO exit
 * carries at most 8 bytes; SSE would also need the guest's XMM state,
 * which lives in the FPU, not in the emulator's registers); PUSH/POP
 * with a memory operand (no compiler emits them for device memory);
 * splitting an access that runs from MMIO into RAM (emulate.c refuses
 * it: it takes a misaligned access at the end of a device's last page).
 */
#include "decode.h"

struct cursor {
	const u8 *buf;
	unsigned int avail;
	unsigned int pos;
};

/* Take @n bytes as a little-endian unsigned number. */
static int take(struct cursor *c, unsigned int n, u64 *val)
{
	unsigned int i;

	if (c->pos + n > c->avail)
		return -ENODATA;
	*val = 0;
	for (i = 0; i < n; i++)
		*val |= (u64)c->buf[c->pos + i] << (8 * i);
	c->pos += n;
	return 0;
}

unsigned int vmctl_code_size(const struct vmctl_emu_cpu *cpu)
{
	if ((cpu->efer & VMCTL_EFER_LMA) && cpu->cs_l)
		return 8;
	if ((cpu->cr0 & X86_CR0_PE) && cpu->cs_db)
		return 4;
	return 2;
}

/* ALU operation of the 3-bit group index in opcodes 00-3F and 80-83. */
static int alu_of_group(unsigned int group)
{
	static const s8 ops[8] = {
		ALU_ADD, ALU_OR, -1 /* ADC */, -1 /* SBB */,
		ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
	};

	return ops[group & 7];
}

/* 1 when the opcode takes a ModRM byte, 0 when not, -1 if unsupported. */
static int takes_modrm(bool twobyte, u8 op)
{
	if (twobyte) {
		switch (op) {
		case 0xa3:
		case 0xab:
		case 0xb0 ... 0xb1:
		case 0xb3:
		case 0xb6 ... 0xb7:
		case 0xba ... 0xbb:
		case 0xbe ... 0xbf:
		case 0xc0 ... 0xc1:
		case 0xc3:
		case 0xc7:
			return 1;
		}
		return -1;
	}
	if (op < 0x40)
		return ((op & 7) < 4 && alu_of_group(op >> 3) >= 0) ? 1 : -1;
	switch (op) {
	case 0x63:
	case 0x80 ... 0x81:
	case 0x83 ... 0x8b:
	case 0xc6 ... 0xc7:
	case 0xf6 ... 0xf7:
	case 0xfe ... 0xff:
		return 1;
	case 0xa0 ... 0xa5:
	case 0xaa ... 0xad:
		return 0;
	}
	return -1;
}

/* The register operand of ModRM.reg, at @size bytes. */
static void set_reg_operand(struct vmctl_insn *insn, unsigned int reg,
			    unsigned int size)
{
	insn->has_reg = true;
	insn->reg_size = size;
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (size == 1 && !insn->rex && reg >= 4 && reg < 8) {
		insn->reg = reg - 4;
		insn->reg_high8 = true;
	} else {
		insn->reg = reg;
	}
}

/* Immediate size of "Iz": 16 or 32 bits, sign-extended to 64. */
static unsigned int imm_z(const struct vmctl_insn *insn)
{
	return insn->op_size == 2 ? 2 : 4;
}

static int classify_alu(struct vmctl_insn *insn, u8 op, unsigned int reg)
{
	unsigned int size = (op & 1) ? insn->op_size : 1;

	insn->kind = INSN_ALU;
	insn->alu = alu_of_group(op >> 3);
	insn->mem_size = size;
	set_reg_operand(insn, reg, size);
	/* Bit 1 clear: r/m is the destination, a read-modify-write. */
	insn->mem_first = !(op & 2);
	if (insn->mem_first && insn->alu != ALU_CMP) {
		insn->kind = INSN_RMW;
		return 0;
	}
	insn->write_reg = insn->alu != ALU_CMP;
	return 0;
}

/* 0F A3/AB/B3/BB BT*, r and 0F BA /4-7 BT*, imm8: on op_size bits. */
static int classify_bit(struct vmctl_insn *insn, u8 op, unsigned int reg,
			unsigned int *imm)
{
	static const u8 ops[4] = { ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC };
	unsigned int which = op == 0xba ? (reg & 7) - 4 : (op >> 3) & 3;

	if (op == 0xba && (reg & 7) < 4)
		return VMCTL_EMU_UNHANDLED;
	insn->alu = ops[which];
	insn->kind = insn->alu == ALU_BT ? INSN_ALU : INSN_RMW;
	insn->mem_first = true;
	insn->mem_size = insn->op_size;
	if (op == 0xba)
		*imm = 1;
	else
		set_reg_operand(insn, reg, insn->op_size);
	return 0;
}

/*
 * 0F B0/B1 CMPXCHG, 0F C0/C1 XADD r/m, r and 0F C7 /1 CMPXCHG8B m64 (with
 * REX.W it is CMPXCHG16B, 16 bytes: not handled).  Returns 0 or
 * VMCTL_EMU_UNHANDLED.
 */
static int classify_exchange(struct vmctl_insn *insn, u8 op, unsigned int reg)
{
	insn->kind = INSN_RMW;
	if (op == 0xc7) {
		if ((reg & 7) != 1 || (insn->rex & 8))
			return VMCTL_EMU_UNHANDLED;
		insn->alu = ALU_CMPXCHG8B;
		insn->mem_size = 8;
		return 0;
	}
	insn->alu = op >= 0xc0 ? ALU_XADD : ALU_CMPXCHG;
	insn->mem_size = (op & 1) ? insn->op_size : 1;
	set_reg_operand(insn, reg, insn->mem_size);
	return 0;
}

/*
 * Fill in the operation and operand sizes of @op; @reg is ModRM.reg with
 * REX.R.  Sets *@imm to the immediate's size.  Returns 0 or
 * VMCTL_EMU_UNHANDLED.
 */
static int classify(struct vmctl_insn *insn, bool twobyte, u8 op,
		    unsigned int reg, unsigned int *imm)
{
	unsigned int group = reg & 7;

	*imm = 0;
	if (twobyte && op == 0xc3) {	/* MOVNTI m, r */
		if (insn->op_size == 2)
			return VMCTL_EMU_UNHANDLED;
		insn->kind = INSN_STORE;
		insn->mem_size = insn->op_size;
		set_reg_operand(insn, reg, insn->op_size);
		return 0;
	}
	if (twobyte && (op == 0xb0 || op == 0xb1 || op >= 0xc0))
		return classify_exchange(insn, op, reg);
	if (twobyte && op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
		return classify_bit(insn, op, reg, imm);
	if (twobyte) {			/* MOVZX/MOVSX */
		insn->kind = INSN_LOAD;
		insn->mem_size = (op & 1) ? 2 : 1;
		insn->sign_extend = op & 8;
		set_reg_operand(insn, reg, insn->op_size);
		return 0;
	}
	if (op < 0x40)
		return classify_alu(insn, op, reg);

	switch (op) {
	case 0x63:			/* MOVSXD; ARPL outside 64-bit mode */
		if (insn->code_size != 8)
			return VMCTL_EMU_UNHANDLED;
		insn->kind = INSN_LOAD;
		insn->mem_size = insn->op_size == 8 ? 4 : insn->op_size;
		insn->sign_extend = true;
		set_reg_operand(insn, reg, insn->op_size);
		return 0;
	case 0x80 ... 0x83:		/* group 1 r/m, imm: CMP reads */
		if (alu_of_group(group) < 0)
			return VMCTL_EMU_UNHANDLED;
		insn->alu = alu_of_group(group);
		insn->kind = insn->alu == ALU_CMP ? INSN_ALU : INSN_RMW;
		insn->mem_first = true;
		insn->mem_size = op == 0x80 ? 1 : insn->op_size;
		*imm = op == 0x81 ? imm_z(insn) : 1;
		return 0;
	case 0x84 ... 0x85:		/* TEST r/m, r */
		insn->kind = INSN_ALU;
		insn->alu = ALU_TEST;
		insn->mem_first = true;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		set_reg_operand(insn, reg, insn->mem_size);
		return 0;
	case 0xf6 ... 0xf7:		/* group 3: TEST r/m, imm; NOT; NEG */
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		if (group == 2 || group == 3) {
			insn->kind = INSN_RMW;
			insn->alu = group == 2 ? ALU_NOT : ALU_NEG;
			return 0;
		}
		if (group > 1)
			return VMCTL_EMU_UNHANDLED;
		insn->kind = INSN_ALU;
		insn->alu = ALU_TEST;
		insn->mem_first = true;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		*imm = (op & 1) ? imm_z(insn) : 1;
		return 0;
	case 0xfe ... 0xff:		/* groups 4 and 5: /0 INC, /1 DEC */
		if (group > 1)
			return VMCTL_EMU_UNHANDLED;
		insn->kind = INSN_RMW;
		insn->alu = group ? ALU_DEC : ALU_INC;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		return 0;
	case 0x86 ... 0x87:		/* XCHG r/m, r: LOCK implied */
		insn->kind = INSN_RMW;
		insn->alu = ALU_XCHG;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		set_reg_operand(insn, reg, insn->mem_size);
		return 0;
	case 0x88 ... 0x8b:		/* MOV r/m, r and MOV r, r/m */
		insn->kind = (op & 2) ? INSN_LOAD : INSN_STORE;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		set_reg_operand(insn, reg, insn->mem_size);
		return 0;
	case 0xc6 ... 0xc7:		/* group 11: /0 is MOV r/m, imm */
		if (group != 0)
			return VMCTL_EMU_UNHANDLED;
		insn->kind = INSN_STORE;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		*imm = (op & 1) ? imm_z(insn) : 1;
		return 0;
	case 0xa0 ... 0xa3:		/* MOV AL/eAX <-> moffs */
		insn->kind = (op & 2) ? INSN_STORE : INSN_LOAD;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		set_reg_operand(insn, GPR_RAX, insn->mem_size);
		*imm = insn->addr_size;
		return 0;
	case 0xa4 ... 0xa5:
	case 0xaa ... 0xad:
		insn->kind = op >= 0xac ? INSN_LODS :
			     op >= 0xaa ? INSN_STOS : INSN_MOVS;
		insn->mem_size = (op & 1) ? insn->op_size : 1;
		if (insn->kind != INSN_MOVS)
			set_reg_operand(insn, GPR_RAX, insn->mem_size);
		return 0;
	}
	return VMCTL_EMU_UNHANDLED;
}

static u64 gpr(const struct vmctl_emu_cpu *cpu, unsigned int reg)
{
	return cpu->gpr[reg];
}

/* 16-bit ModRM memory forms: [bx+si], [bx+di], [bp+si], ... */
static int modrm_mem16(const struct vmctl_emu_cpu *cpu, struct cursor *c,
		       struct vmctl_insn *insn, unsigned int mod,
		       unsigned int rm)
{
	static const u8 base[8] = {
		GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP,
		GPR_RSI, GPR_RDI, GPR_RBP, GPR_RBX,
	};
	static const u8 index[4] = { GPR_RSI, GPR_RDI, GPR_RSI, GPR_RDI };
	u64 disp = 0;
	int ret;

	if (mod == 0 && rm == 6) {
		ret = take(c, 2, &disp);
		insn->ea = disp;
		return ret;
	}
	if (mod) {
		ret = take(c, mod == 1 ? 1 : 2, &disp);
		if (ret)
			return ret;
		disp = vmctl_sext(disp, mod == 1 ? 1 : 2);
	}
	insn->ea = gpr(cpu, base[rm]) + disp;
	if (rm < 4)
		insn->ea += gpr(cpu, index[rm]);
	if (base[rm] == GPR_RBP)
		insn->seg = SEG_SS;
	return 0;
}

/* 32/64-bit ModRM memory forms with SIB and RIP-relative addressing. */
static int modrm_mem32(const struct vmctl_emu_cpu *cpu, struct cursor *c,
		       struct vmctl_insn *insn, unsigned int mod,
		       unsigned int rm, bool *rip_rel)
{
	unsigned int disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	bool has_base = true;
	unsigned int base = rm;
	u64 disp = 0, sib;
	int ret;

	insn->ea = 0;
	if (rm == 4) {
		ret = take(c, 1, &sib);
		if (ret)
			return ret;
		base = sib & 7;
		if (((sib >> 3) & 7) != 4 || (insn->rex & 2)) {
			unsigned int idx = ((sib >> 3) & 7) |
					   ((insn->rex & 2) << 2);

			insn->ea = gpr(cpu, idx) << (sib >> 6);
		}
		if (base == 5 && mod == 0) {
			has_base = false;
			disp_size = 4;
		}
	} else if (rm == 5 && mod == 0) {
		has_base = false;
		disp_size = 4;
		*rip_rel = insn->code_size == 8;
	}
	if (has_base) {
		/* rSP- and rBP-based forms default to SS. */
		if (base == 4 || base == 5)
			insn->seg = SEG_SS;
		insn->ea += gpr(cpu, base | ((insn->rex & 1) << 3));
	}
	if (disp_size) {
		ret = take(c, disp_size, &disp);
		if (ret)
			return ret;
		insn->ea += vmctl_sext(disp, disp_size);
	}
	return 0;
}

/* Legacy and REX prefixes; *@seg_override is -1 when there is none. */
static int prefixes(struct cursor *c, struct vmctl_insn *insn,
		    bool *opsz, bool *adsz, bool *rep, bool *lock,
		    int *seg_override, u8 *opcode)
{
	static const u8 seg_prefix[NR_SEGS] = {
		[SEG_ES] = 0x26, [SEG_CS] = 0x2e, [SEG_SS] = 0x36,
		[SEG_DS] = 0x3e, [SEG_FS] = 0x64, [SEG_GS] = 0x65,
	};
	u64 b;
	int ret, s;

	for (;;) {
		ret = take(c, 1, &b);
		if (ret)
			return ret;
		if (insn->code_size == 8 && (b & 0xf0) == 0x40) {
			insn->rex = b;
			continue;
		}
		for (s = 0; s < NR_SEGS && seg_prefix[s] != b; s++)
			;
		if (s < NR_SEGS)
			*seg_override = s;
		else if (b == 0x66)
			*opsz = true;
		else if (b == 0x67)
			*adsz = true;
		else if (b == 0xf2 || b == 0xf3)
			*rep = true;
		else if (b == 0xf0)
			*lock = true;
		else
			break;
		/* A REX followed by a legacy prefix is ignored. */
		insn->rex = 0;
	}
	*opcode = b;
	return 0;
}

/* Effective operand and address sizes from the mode and prefixes. */
static void operand_sizes(struct vmctl_insn *insn, bool opsz, bool adsz)
{
	switch (insn->code_size) {
	case 8:
		insn->op_size = (insn->rex & 8) ? 8 : opsz ? 2 : 4;
		insn->addr_size = adsz ? 4 : 8;
		break;
	case 4:
		insn->op_size = opsz ? 2 : 4;
		insn->addr_size = adsz ? 2 : 4;
		break;
	default:
		insn->op_size = opsz ? 4 : 2;
		insn->addr_size = adsz ? 4 : 2;
		break;
	}
}

/*
 * BT* on memory: a register bit offset is signed and may leave the
 * operand (the CPU reads the op_size-sized unit it falls in); an
 * immediate one wraps within the operand.  The bit number goes to imm.
 */
static void bit_operand(const struct vmctl_emu_cpu *cpu,
			struct vmctl_insn *insn)
{
	unsigned int bits = 8 * insn->op_size;
	s64 off;

	if (!insn->has_reg) {
		insn->imm &= bits - 1;
		return;
	}
	off = (s64)vmctl_sext(cpu->gpr[insn->reg], insn->op_size);
	insn->ea += (off >> (insn->op_size == 2 ? 4 : insn->op_size == 4 ?
			     5 : 6)) * insn->op_size;
	insn->imm = off & (bits - 1);
	insn->has_reg = false;
}

int vmctl_decode(const struct vmctl_emu_cpu *cpu, const u8 *buf,
		 unsigned int avail, struct vmctl_insn *insn)
{
	struct cursor c = { .buf = buf, .avail = avail };
	bool opsz = false, adsz = false, rep = false, lock = false;
	bool twobyte = false, rip_rel = false;
	int seg_override = -1, modrm;
	unsigned int imm_size;
	u64 b, mrm = 0;
	u8 op;
	int ret;

	memset(insn, 0, sizeof(*insn));
	if (c.avail > VMCTL_MAX_INSN_LEN)
		c.avail = VMCTL_MAX_INSN_LEN;
	insn->code_size = vmctl_code_size(cpu);
	insn->seg = SEG_DS;

	ret = prefixes(&c, insn, &opsz, &adsz, &rep, &lock, &seg_override,
		       &op);
	if (ret)
		goto out;
	operand_sizes(insn, opsz, adsz);
	if (op == 0x0f) {
		twobyte = true;
		ret = take(&c, 1, &b);
		if (ret)
			goto out;
		op = b;
	}

	modrm = takes_modrm(twobyte, op);
	if (modrm < 0)
		return VMCTL_EMU_UNHANDLED;
	if (modrm) {
		ret = take(&c, 1, &mrm);
		if (ret)
			goto out;
		/* A register operand cannot have caused an MMIO exit. */
		if ((mrm >> 6) == 3)
			return VMCTL_EMU_UNHANDLED;
	}
	ret = classify(insn, twobyte, op,
		       ((mrm >> 3) & 7) | ((insn->rex & 4) << 1), &imm_size);
	if (ret)
		return ret;
	/* LOCK goes only with a read-modify-write; else the CPU #UDs. */
	if (lock && insn->kind != INSN_RMW)
		return VMCTL_EMU_UNHANDLED;
	insn->rep = rep && (insn->kind == INSN_STOS ||
			    insn->kind == INSN_LODS ||
			    insn->kind == INSN_MOVS);

	if (modrm) {
		if (insn->addr_size == 2)
			ret = modrm_mem16(cpu, &c, insn, mrm >> 6, mrm & 7);
		else
			ret = modrm_mem32(cpu, &c, insn, mrm >> 6, mrm & 7,
					  &rip_rel);
		if (ret)
			goto out;
	}
	if (imm_size) {
		ret = take(&c, imm_size, &insn->imm);
		if (ret)
			goto out;
		insn->imm = vmctl_sext(insn->imm, imm_size);
		if (op >= 0xa0 && op <= 0xa3)
			insn->ea = insn->imm;	/* moffs, wrapped below */
	}

	insn->len = c.pos;
	if (rip_rel)
		insn->ea += cpu->rip + insn->len;
	if (insn->alu >= ALU_BTS || insn->alu == ALU_BT)
		bit_operand(cpu, insn);
	insn->ea &= vmctl_size_mask(insn->addr_size);
	if (seg_override >= 0)
		insn->seg = seg_override;
	return 0;
out:
	/* Even 15 bytes did not hold it: not an instruction we handle. */
	if (ret == -ENODATA && c.avail == VMCTL_MAX_INSN_LEN)
		return VMCTL_EMU_UNHANDLED;
	return ret;
}
