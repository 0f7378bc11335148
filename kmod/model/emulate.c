// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction emulation.  vmctl_mmio_begin() fetches and decodes the
 * instruction that faulted and describes its one MMIO access; once
 * userspace has performed it, vmctl_mmio_complete() applies the
 * instruction's effect on registers, flags and (for MOVS) guest RAM.
 * String instructions do one element per exit (see struct vmctl_mmio_op);
 * a read-modify-write, and a MOVS between two MMIO addresses, is a read,
 * then the write of the result: completing the read turns the op into
 * that write (VMCTL_EMU_WRITE_BACK).
 */
#include "decode.h"

/* op->flags */
#define EMU_F_HIGH8	(1U << 0)	/* register is AH, CH, DH or BH */
#define EMU_F_SEXT	(1U << 1)	/* LOAD: sign-extend the value */
#define EMU_F_MEM_FIRST	(1U << 2)	/* ALU: memory is the left operand */
#define EMU_F_WRITE_REG	(1U << 3)	/* ALU: the result goes to the reg */
#define EMU_F_REP	(1U << 4)	/* REP string instruction */
#define EMU_F_MMIO_DST	(1U << 5)	/* MOVS: the destination is MMIO too */

#define ARITH_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

#define IN_PAGE_MASK	(VMCTL_PAGE_SIZE - 1)

static u64 get_le(const u8 *b, unsigned int len)
{
	u64 val = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		val |= (u64)b[i] << (8 * i);
	return val;
}

static void put_le(u8 *b, u64 val, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		b[i] = val >> (8 * i);
}

static u64 get_reg(const struct vmctl_emu_cpu *cpu, unsigned int reg,
		   unsigned int size, bool high8)
{
	if (high8)
		return (cpu->gpr[reg] >> 8) & 0xff;
	return cpu->gpr[reg] & vmctl_size_mask(size);
}

/*
 * Write a register as the CPU does: 8- and 16-bit writes keep the other
 * bits, 32-bit writes zero-extend to 64.
 */
static void set_reg(struct vmctl_emu_cpu *cpu, unsigned int reg,
		    unsigned int size, bool high8, u64 val)
{
	u64 *r = &cpu->gpr[reg];
	u64 mask = vmctl_size_mask(size);

	if (high8)
		*r = (*r & ~0xff00ULL) | (val & 0xff) << 8;
	else if (size >= 4)
		*r = val & mask;
	else
		*r = (*r & ~mask) | (val & mask);
}

/*
 * Linear address of @seg:@ea.  64-bit mode applies only the FS and GS
 * bases; other modes wrap at 4 GiB.
 */
static u64 linear(const struct vmctl_emu_cpu *cpu, unsigned int seg, u64 ea)
{
	if (vmctl_code_size(cpu) == 8)
		return (seg == SEG_FS || seg == SEG_GS) ?
		       cpu->seg_base[seg] + ea : ea;
	return (cpu->seg_base[seg] + ea) & 0xffffffffULL;
}

/* The string registers RSI/RDI/RCX at the instruction's address size. */
static u64 string_reg(const struct vmctl_emu_cpu *cpu, unsigned int reg,
		      const struct vmctl_mmio_op *op)
{
	return get_reg(cpu, reg, op->addr_size, false);
}

/*
 * Fetch up to 15 bytes at CS:RIP.  The bytes past a page boundary may be
 * unreachable although the instruction ends before it, so a failure
 * there only shortens the buffer; *@err keeps the reason in case the
 * decoder needs those bytes.
 */
static int fetch(const struct vmctl_emu_cpu *cpu,
		 const struct vmctl_emu_ops *ops, void *ctx, u8 *buf,
		 unsigned int *avail, int *err)
{
	u64 lin = linear(cpu, SEG_CS, cpu->rip);
	unsigned int first = VMCTL_PAGE_SIZE - (lin & IN_PAGE_MASK);
	int ret;

	if (first > VMCTL_MAX_INSN_LEN)
		first = VMCTL_MAX_INSN_LEN;
	ret = vmctl_read_linear(cpu, ops, ctx, lin, buf, first);
	if (ret)
		return ret;
	*avail = first;
	*err = VMCTL_EMU_UNHANDLED;
	if (first < VMCTL_MAX_INSN_LEN) {
		ret = vmctl_read_linear(cpu, ops, ctx, lin + first, buf + first,
					VMCTL_MAX_INSN_LEN - first);
		if (ret)
			*err = ret;
		else
			*avail = VMCTL_MAX_INSN_LEN;
	}
	return 0;
}

/*
 * An MMIO access of @len bytes at linear @lin (guest-physical @gpa) that
 * runs into the next page is one access only where that page is MMIO as
 * well and follows @gpa's page in guest-physical memory.  RAM there, or
 * a page elsewhere, would need the access split in two, which the
 * emulator does not do: VMCTL_EMU_UNHANDLED, not an MMIO access that
 * silently covers the wrong bytes.
 */
static int check_next_page(const struct vmctl_emu_cpu *cpu,
			   const struct vmctl_emu_ops *ops, void *ctx,
			   u64 lin, u64 gpa, bool write)
{
	u64 next_gpa;
	u8 probe;
	int ret;

	ret = vmctl_gva_to_gpa(cpu, ops, ctx, (lin | IN_PAGE_MASK) + 1, write,
			       &next_gpa);
	if (ret)
		return ret;
	/* The RAM callbacks fail on anything but RAM. */
	if (next_gpa != (gpa | IN_PAGE_MASK) + 1 ||
	    !ops->read_gpa(ctx, next_gpa, &probe, 1))
		return VMCTL_EMU_UNHANDLED;
	return 0;
}

/* The common case, in the caller: the access stays in its page. */
static inline int check_page_cross(const struct vmctl_emu_cpu *cpu,
				   const struct vmctl_emu_ops *ops, void *ctx,
				   u64 lin, u64 gpa, unsigned int len,
				   bool write)
{
	if ((lin & IN_PAGE_MASK) + len <= VMCTL_PAGE_SIZE)
		return 0;
	return check_next_page(cpu, ops, ctx, lin, gpa, write);
}

/*
 * STOS, LODS, MOVS: the access is at ES:rDI (destination) or seg:rSI
 * (source).  For MOVS the side that translates to @gpa is MMIO; the
 * other side, when RAM, is read here for an MMIO write, or written by
 * complete() for an MMIO read.  MMIO to MMIO (memmove() within a frame
 * buffer) is two accesses, like a read-modify-write: the read at @gpa
 * (the source: the CPU reads first), then the write of what it read to
 * the destination's guest-physical address, kept in op->aux.
 */
static int begin_string(const struct vmctl_emu_cpu *cpu,
			const struct vmctl_emu_ops *ops, void *ctx,
			const struct vmctl_insn *insn, u64 gpa,
			struct vmctl_mmio_op *op)
{
	u64 src = linear(cpu, insn->seg, string_reg(cpu, GPR_RSI, op));
	u64 dst = linear(cpu, SEG_ES, string_reg(cpu, GPR_RDI, op));
	u64 src_gpa, dst_gpa;
	u8 probe;
	int ret;

	/* With rCX = 0 the CPU accesses nothing, so it cannot exit. */
	if (insn->rep && !string_reg(cpu, GPR_RCX, op))
		return VMCTL_EMU_UNHANDLED;

	switch (insn->kind) {
	case INSN_STOS:
		if ((dst ^ gpa) & IN_PAGE_MASK)
			return VMCTL_EMU_UNHANDLED;
		op->is_write = true;
		put_le(op->data, cpu->gpr[GPR_RAX], op->len);
		return check_page_cross(cpu, ops, ctx, dst, gpa, op->len, true);
	case INSN_LODS:
		if ((src ^ gpa) & IN_PAGE_MASK)
			return VMCTL_EMU_UNHANDLED;
		return check_page_cross(cpu, ops, ctx, src, gpa, op->len, false);
	}
	if (!vmctl_gva_to_gpa(cpu, ops, ctx, src, false, &src_gpa) &&
	    src_gpa == gpa) {
		ret = vmctl_gva_to_gpa(cpu, ops, ctx, dst, true, &dst_gpa);
		if (ret)
			return ret;
		ret = check_page_cross(cpu, ops, ctx, src, gpa, op->len, false);
		if (ret)
			return ret;
		/* The RAM callbacks fail on anything but RAM. */
		if (!ops->read_gpa(ctx, dst_gpa, &probe, 1))
			return 0;
		op->flags |= EMU_F_MMIO_DST;
		op->aux = dst_gpa;
		return check_page_cross(cpu, ops, ctx, dst, dst_gpa, op->len,
					true);
	}
	if (vmctl_gva_to_gpa(cpu, ops, ctx, dst, true, &dst_gpa) ||
	    dst_gpa != gpa)
		return VMCTL_EMU_UNHANDLED;
	op->is_write = true;
	ret = check_page_cross(cpu, ops, ctx, dst, gpa, op->len, true);
	if (ret)
		return ret;
	return vmctl_read_linear(cpu, ops, ctx, src, op->data, op->len);
}

int vmctl_mmio_begin(const struct vmctl_emu_cpu *cpu,
		     const struct vmctl_emu_ops *ops, void *ctx, u64 gpa,
		     struct vmctl_mmio_op *op)
{
	u8 bytes[VMCTL_MAX_INSN_LEN];
	struct vmctl_insn insn;
	unsigned int avail;
	int ret, fetch_err;
	u64 lin;

	memset(op, 0, sizeof(*op));
	ret = fetch(cpu, ops, ctx, bytes, &avail, &fetch_err);
	if (ret)
		return ret;
	ret = vmctl_decode(cpu, bytes, avail, &insn);
	if (ret == -ENODATA)
		return fetch_err;
	if (ret)
		return ret;

	op->gpa = gpa;
	op->len = insn.mem_size;
	op->insn_len = insn.len;
	op->kind = insn.kind;
	op->dst_reg = insn.reg;
	op->dst_size = insn.reg_size;
	op->alu = insn.alu;
	op->addr_size = insn.addr_size;
	op->flags = (insn.reg_high8 ? EMU_F_HIGH8 : 0) |
		    (insn.sign_extend ? EMU_F_SEXT : 0) |
		    (insn.mem_first ? EMU_F_MEM_FIRST : 0) |
		    (insn.write_reg ? EMU_F_WRITE_REG : 0) |
		    (insn.rep ? EMU_F_REP : 0);

	if (insn.kind == INSN_STOS || insn.kind == INSN_LODS ||
	    insn.kind == INSN_MOVS)
		return begin_string(cpu, ops, ctx, &insn, gpa, op);

	/*
	 * The CPU reported the gpa; the decoded address only has to agree
	 * on the page offset, which catches a misdecode without a walk.
	 */
	lin = linear(cpu, insn.seg, insn.ea);
	if ((lin ^ gpa) & IN_PAGE_MASK)
		return VMCTL_EMU_UNHANDLED;
	ret = check_page_cross(cpu, ops, ctx, lin, gpa, op->len,
			       insn.kind == INSN_STORE || insn.kind == INSN_RMW);
	if (ret)
		return ret;

	if (insn.has_reg)
		op->aux = get_reg(cpu, insn.reg, insn.reg_size, insn.reg_high8);
	else
		op->aux = insn.imm;
	if (insn.kind == INSN_STORE) {
		op->is_write = true;
		put_le(op->data, op->aux, op->len);
	}
	return 0;
}

static bool parity_even(u64 val)
{
	u8 b = val;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/* ALU operation on the value read, flags as the CPU sets them. */
static void complete_alu(struct vmctl_emu_cpu *cpu,
			 const struct vmctl_mmio_op *op, u64 mem)
{
	u64 mask = vmctl_size_mask(op->len);
	u64 sign = 1ULL << (8 * op->len - 1);
	u64 left = op->aux, right = mem, res, fl = 0;

	if (op->flags & EMU_F_MEM_FIRST) {
		left = mem;
		right = op->aux;
	}
	switch (op->alu) {
	case ALU_ADD:
		res = left + right;
		if ((res & mask) < (left & mask))
			fl |= X86_EFLAGS_CF;
		if ((left ^ res) & (right ^ res) & sign)
			fl |= X86_EFLAGS_OF;
		fl |= (left ^ right ^ res) & X86_EFLAGS_AF;
		break;
	case ALU_SUB:
	case ALU_CMP:
		res = left - right;
		if ((left & mask) < (right & mask))
			fl |= X86_EFLAGS_CF;
		if ((left ^ right) & (left ^ res) & sign)
			fl |= X86_EFLAGS_OF;
		fl |= (left ^ right ^ res) & X86_EFLAGS_AF;
		break;
	case ALU_BT:			/* CF is the bit; nothing else */
		fl = (left >> right) & 1 ? X86_EFLAGS_CF : 0;
		cpu->rflags = (cpu->rflags & ~(u64)X86_EFLAGS_CF) | fl;
		return;
	case ALU_OR:
		res = left | right;
		break;
	case ALU_XOR:
		res = left ^ right;
		break;
	default:			/* AND, TEST */
		res = left & right;
		break;
	}
	res &= mask;
	if (!res)
		fl |= X86_EFLAGS_ZF;
	if (res & sign)
		fl |= X86_EFLAGS_SF;
	if (parity_even(res))
		fl |= X86_EFLAGS_PF;
	cpu->rflags = (cpu->rflags & ~(u64)ARITH_FLAGS) | fl;
	if (op->flags & EMU_F_WRITE_REG)
		set_reg(cpu, op->dst_reg, op->len, op->flags & EMU_F_HIGH8,
			res);
}

/*
 * One element of STOS/LODS/MOVS is done: step rSI/rDI by the element
 * size (down when RFLAGS.DF), count rCX down for REP.  Sets *@done when
 * the instruction has finished, i.e. RIP may move on.
 */
static int complete_string(struct vmctl_emu_cpu *cpu,
			   const struct vmctl_emu_ops *ops, void *ctx,
			   const struct vmctl_mmio_op *op, u64 val, bool *done)
{
	u64 step = (cpu->rflags & X86_EFLAGS_DF) ? -(u64)op->len : op->len;
	u64 count;
	int ret;

	if (op->kind == INSN_LODS)
		set_reg(cpu, GPR_RAX, op->len, false, val);
	if (op->kind == INSN_MOVS && !op->is_write) {
		u64 dst = linear(cpu, SEG_ES, string_reg(cpu, GPR_RDI, op));

		ret = vmctl_write_linear(cpu, ops, ctx, dst, op->data, op->len);
		if (ret)
			return ret;
	}
	if (op->kind != INSN_STOS)
		set_reg(cpu, GPR_RSI, op->addr_size, false,
			cpu->gpr[GPR_RSI] + step);
	if (op->kind != INSN_LODS)
		set_reg(cpu, GPR_RDI, op->addr_size, false,
			cpu->gpr[GPR_RDI] + step);
	*done = true;
	if (op->flags & EMU_F_REP) {
		count = string_reg(cpu, GPR_RCX, op) - 1;
		set_reg(cpu, GPR_RCX, op->addr_size, false, count);
		*done = !string_reg(cpu, GPR_RCX, op);
	}
	return 0;
}

/*
 * CMPXCHG compares the accumulator (AL/AX/EAX/RAX, for CMPXCHG8B EDX:EAX)
 * with memory: equal, ZF and the source (r, or ECX:EBX) goes to memory;
 * else the accumulator gets the value read, and memory gets it back:
 * the CPU never does a locked read without a write.  CMPXCHG sets the
 * flags as CMP accumulator, memory; CMPXCHG8B only ZF.  Returns what to
 * write.
 */
static u64 complete_cmpxchg(struct vmctl_emu_cpu *cpu,
			    const struct vmctl_mmio_op *op, u64 mem)
{
	struct vmctl_mmio_op cmp = *op;
	u64 acc, src;
	bool equal;

	if (op->alu == ALU_CMPXCHG8B) {
		acc = get_reg(cpu, GPR_RDX, 4, false) << 32 |
		      get_reg(cpu, GPR_RAX, 4, false);
		src = get_reg(cpu, GPR_RCX, 4, false) << 32 |
		      get_reg(cpu, GPR_RBX, 4, false);
		equal = acc == mem;
		cpu->rflags = (cpu->rflags & ~(u64)X86_EFLAGS_ZF) |
			      (equal ? X86_EFLAGS_ZF : 0);
		if (!equal) {
			set_reg(cpu, GPR_RAX, 4, false, mem);
			set_reg(cpu, GPR_RDX, 4, false, mem >> 32);
		}
		return equal ? src : mem;
	}
	acc = get_reg(cpu, GPR_RAX, op->len, false);
	cmp.alu = ALU_CMP;
	cmp.flags = 0;			/* accumulator - memory */
	cmp.aux = acc;
	complete_alu(cpu, &cmp, mem);
	if (cpu->rflags & X86_EFLAGS_ZF)
		return op->aux;
	set_reg(cpu, GPR_RAX, op->len, false, mem);
	return mem;
}

/*
 * The read of a read-modify-write is done: flags and the register as the
 * instruction sets them, and @op becomes the write of the result.  The
 * arithmetic ones share complete_alu(); INC and DEC keep CF.
 */
static void complete_rmw(struct vmctl_emu_cpu *cpu, struct vmctl_mmio_op *op,
			 u64 mem)
{
	u64 mask = vmctl_size_mask(op->len), res, bit = 1ULL << (op->aux & 63);
	u64 cf = cpu->rflags & X86_EFLAGS_CF;
	struct vmctl_mmio_op alu = *op;

	alu.flags = EMU_F_MEM_FIRST;
	switch (op->alu) {
	case ALU_XCHG:
		set_reg(cpu, op->dst_reg, op->len, op->flags & EMU_F_HIGH8,
			mem);
		res = op->aux;
		break;
	case ALU_XADD:			/* the sum to memory, the old value to r */
		alu.alu = ALU_ADD;
		complete_alu(cpu, &alu, mem);
		set_reg(cpu, op->dst_reg, op->len, op->flags & EMU_F_HIGH8,
			mem);
		res = mem + op->aux;
		break;
	case ALU_CMPXCHG:
	case ALU_CMPXCHG8B:
		res = complete_cmpxchg(cpu, op, mem);
		break;
	case ALU_NOT:
		res = ~mem;
		break;
	case ALU_BTS:
	case ALU_BTR:
	case ALU_BTC:
		alu.alu = ALU_BT;
		complete_alu(cpu, &alu, mem);
		res = op->alu == ALU_BTS ? mem | bit :
		      op->alu == ALU_BTR ? mem & ~bit : mem ^ bit;
		break;
	case ALU_NEG:			/* 0 - mem */
		alu.alu = ALU_SUB;
		alu.aux = mem;
		complete_alu(cpu, &alu, 0);
		res = -mem;
		break;
	case ALU_INC:
	case ALU_DEC:
		alu.alu = op->alu == ALU_INC ? ALU_ADD : ALU_SUB;
		alu.aux = 1;
		complete_alu(cpu, &alu, mem);
		cpu->rflags = (cpu->rflags & ~(u64)X86_EFLAGS_CF) | cf;
		res = op->alu == ALU_INC ? mem + 1 : mem - 1;
		break;
	default:			/* ADD OR AND SUB XOR r/m, r or imm */
		complete_alu(cpu, &alu, mem);
		res = op->alu == ALU_ADD ? mem + op->aux :
		      op->alu == ALU_OR ? mem | op->aux :
		      op->alu == ALU_AND ? mem & op->aux :
		      op->alu == ALU_SUB ? mem - op->aux : mem ^ op->aux;
		break;
	}
	op->kind = INSN_STORE;
	op->is_write = true;
	put_le(op->data, res & mask, op->len);
}

int vmctl_mmio_complete(struct vmctl_emu_cpu *cpu,
			const struct vmctl_emu_ops *ops, void *ctx,
			struct vmctl_mmio_op *op)
{
	u64 val = get_le(op->data, op->len);
	bool done = true;
	int ret;

	switch (op->kind) {
	case INSN_STORE:
		break;
	case INSN_LOAD:
		if (op->flags & EMU_F_SEXT)
			val = vmctl_sext(val, op->len);
		set_reg(cpu, op->dst_reg, op->dst_size,
			op->flags & EMU_F_HIGH8, val);
		break;
	case INSN_ALU:
		complete_alu(cpu, op, val);
		break;
	case INSN_RMW:
		if (op->is_write)	/* not an op from vmctl_mmio_begin() */
			return VMCTL_EMU_UNHANDLED;
		complete_rmw(cpu, op, val);
		return VMCTL_EMU_WRITE_BACK;
	case INSN_STOS:
	case INSN_LODS:
	case INSN_MOVS:
		/* MOVS from MMIO to MMIO: the read is done, now the write. */
		if ((op->flags & EMU_F_MMIO_DST) && !op->is_write) {
			op->gpa = op->aux;
			op->is_write = true;
			return VMCTL_EMU_WRITE_BACK;
		}
		ret = complete_string(cpu, ops, ctx, op, val, &done);
		if (ret)
			return ret;
		break;
	default:			/* not an op from vmctl_mmio_begin() */
		return VMCTL_EMU_UNHANDLED;
	}
	/* A REP instruction stays at RIP until rCX reaches zero. */
	if (done)
		cpu->rip = (cpu->rip + op->insn_len) &
			   vmctl_size_mask(vmctl_code_size(cpu));
	return 0;
}
