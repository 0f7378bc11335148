// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder unit tests: every supported form in every mode, checked on
 * length, operation, sizes, register operand and effective address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "decode.h"
#include "guest.h"

static struct vmctl_insn insn;

static int decode(const struct vmctl_emu_cpu *cpu, const u8 *b, size_t n)
{
	return vmctl_decode(cpu, b, n, &insn);
}

/* Decode the bytes, expect success and that all of them were used. */
#define DECODE(cpu, ...) do {						\
	static const u8 b_[] = { __VA_ARGS__ };				\
	assert_int_equal(decode(cpu, b_, sizeof(b_)), 0);		\
	assert_int_equal(insn.len, sizeof(b_));				\
} while (0)

#define DECODE_ERR(cpu, err, ...) do {					\
	static const u8 b_[] = { __VA_ARGS__ };				\
	assert_int_equal(decode(cpu, b_, sizeof(b_)), err);		\
} while (0)

static struct vmctl_emu_cpu c16, c32, c64;

static int setup(void **state)
{
	int i;

	(void)state;
	cpu_real(&c16);
	cpu_prot32(&c32);
	cpu_prot32(&c64);
	c64.cr0 |= X86_CR0_PG;
	c64.cr4 = X86_CR4_PAE;
	c64.efer = EFER_LME | VMCTL_EFER_LMA;
	c64.cs_l = true;
	c64.cs_db = false;
	c64.rip = 0x400000;
	for (i = 0; i < NR_GPRS; i++) {
		/* Distinct register values: rax=0x1000, rcx=0x2000, ... */
		c16.gpr[i] = c32.gpr[i] = c64.gpr[i] = (u64)(i + 1) << 12;
	}
	return 0;
}

static void test_code_size(void **state)
{
	struct vmctl_emu_cpu compat = c64;

	(void)state;
	assert_int_equal(vmctl_code_size(&c16), 2);
	assert_int_equal(vmctl_code_size(&c32), 4);
	assert_int_equal(vmctl_code_size(&c64), 8);
	compat.cs_l = false;
	compat.cs_db = true;
	assert_int_equal(vmctl_code_size(&compat), 4);
	/* Real mode ignores a stale CS.D. */
	compat = c16;
	compat.cs_db = true;
	assert_int_equal(vmctl_code_size(&compat), 2);
}

static void test_mov_store_reg(void **state)
{
	(void)state;
	DECODE(&c64, 0x89, 0x18);		/* mov [rax], ebx */
	assert_int_equal(insn.kind, INSN_STORE);
	assert_int_equal(insn.mem_size, 4);
	assert_true(insn.has_reg);
	assert_int_equal(insn.reg, GPR_RBX);
	assert_int_equal(insn.ea, 0x1000);
	assert_int_equal(insn.seg, SEG_DS);

	DECODE(&c64, 0x48, 0x89, 0x18);		/* mov [rax], rbx */
	assert_int_equal(insn.mem_size, 8);
	DECODE(&c64, 0x66, 0x89, 0x18);		/* mov [rax], bx */
	assert_int_equal(insn.mem_size, 2);
	DECODE(&c64, 0x88, 0x08);		/* mov [rax], cl */
	assert_int_equal(insn.mem_size, 1);
	assert_int_equal(insn.reg, GPR_RCX);
	assert_false(insn.reg_high8);
	DECODE(&c64, 0x4c, 0x89, 0x00);		/* mov [rax], r8 */
	assert_int_equal(insn.reg, GPR_R8);
	assert_int_equal(insn.mem_size, 8);
	DECODE(&c64, 0x41, 0x89, 0x00);		/* mov [r8], eax */
	assert_int_equal(insn.reg, GPR_RAX);
	assert_int_equal(insn.ea, 0x9000);
}

static void test_byte_registers(void **state)
{
	(void)state;
	DECODE(&c64, 0x88, 0x20);		/* mov [rax], ah */
	assert_int_equal(insn.reg, GPR_RAX);
	assert_true(insn.reg_high8);
	DECODE(&c64, 0x88, 0x38);		/* mov [rax], bh */
	assert_int_equal(insn.reg, GPR_RBX);
	assert_true(insn.reg_high8);
	DECODE(&c64, 0x40, 0x88, 0x20);		/* mov [rax], spl */
	assert_int_equal(insn.reg, GPR_RSP);
	assert_false(insn.reg_high8);
	DECODE(&c64, 0x44, 0x88, 0x38);		/* mov [rax], r15b */
	assert_int_equal(insn.reg, GPR_R15);
	assert_false(insn.reg_high8);
	DECODE(&c32, 0x8a, 0x30);		/* mov dh, [eax] */
	assert_int_equal(insn.kind, INSN_LOAD);
	assert_int_equal(insn.reg, GPR_RDX);
	assert_true(insn.reg_high8);
}

static void test_mov_load(void **state)
{
	(void)state;
	DECODE(&c64, 0x8b, 0x18);		/* mov ebx, [rax] */
	assert_int_equal(insn.kind, INSN_LOAD);
	assert_int_equal(insn.reg_size, 4);
	assert_int_equal(insn.mem_size, 4);
	assert_false(insn.sign_extend);
	DECODE(&c64, 0x4d, 0x8b, 0x38);		/* mov r15, [r8] */
	assert_int_equal(insn.reg, GPR_R15);
	assert_int_equal(insn.reg_size, 8);
	assert_int_equal(insn.ea, 0x9000);
	DECODE(&c64, 0x8a, 0x18);		/* mov bl, [rax] */
	assert_int_equal(insn.mem_size, 1);
	assert_int_equal(insn.reg_size, 1);
}

static void test_mov_imm(void **state)
{
	(void)state;
	DECODE(&c64, 0xc6, 0x00, 0xab);		/* mov byte [rax], 0xab */
	assert_int_equal(insn.kind, INSN_STORE);
	assert_false(insn.has_reg);
	assert_int_equal(insn.mem_size, 1);
	assert_int_equal(insn.imm & 0xff, 0xab);
	DECODE(&c64, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12);
	assert_int_equal(insn.mem_size, 4);
	assert_int_equal(insn.imm, 0x12345678);
	/* mov qword [rax], -1: imm32 sign-extended to 64 bits */
	DECODE(&c64, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff);
	assert_int_equal(insn.mem_size, 8);
	assert_int_equal(insn.imm, ~0ULL);
	DECODE(&c64, 0x66, 0xc7, 0x00, 0x34, 0x12);	/* imm16 */
	assert_int_equal(insn.mem_size, 2);
	assert_int_equal(insn.imm, 0x1234);
	DECODE(&c16, 0xc7, 0x07, 0x34, 0x12);	/* mov word [bx], 0x1234 */
	assert_int_equal(insn.mem_size, 2);
	assert_int_equal(insn.ea, 0x4000);
	/* mov [rax+8], imm32 with a displacement before the immediate */
	DECODE(&c64, 0xc7, 0x40, 0x08, 0x01, 0x00, 0x00, 0x00);
	assert_int_equal(insn.ea, 0x1008);
	assert_int_equal(insn.imm, 1);
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0xc6, 0x08, 0x00); /* /1 */
}

static void test_moffs(void **state)
{
	(void)state;
	DECODE(&c64, 0x48, 0xa1, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02,
	       0x01);				/* mov rax, [moffs64] */
	assert_int_equal(insn.kind, INSN_LOAD);
	assert_int_equal(insn.ea, 0x0102030405060708ULL);
	assert_int_equal(insn.reg, GPR_RAX);
	assert_int_equal(insn.reg_size, 8);
	DECODE(&c64, 0x67, 0xa2, 0x00, 0x00, 0x0d, 0xd0); /* [moffs32], al */
	assert_int_equal(insn.kind, INSN_STORE);
	assert_int_equal(insn.ea, 0xd00d0000);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c32, 0xa3, 0x10, 0x00, 0x00, 0xfe);	/* [moffs32], eax */
	assert_int_equal(insn.ea, 0xfe000010);
	assert_int_equal(insn.mem_size, 4);
	DECODE(&c16, 0xa1, 0x34, 0x12);			/* mov ax, [0x1234] */
	assert_int_equal(insn.ea, 0x1234);
	assert_int_equal(insn.mem_size, 2);
	DECODE(&c16, 0x26, 0xa0, 0x34, 0x12);		/* mov al, es:[..] */
	assert_int_equal(insn.seg, SEG_ES);
}

static void test_movzx_movsx(void **state)
{
	(void)state;
	DECODE(&c64, 0x0f, 0xb6, 0x18);		/* movzx ebx, byte [rax] */
	assert_int_equal(insn.kind, INSN_LOAD);
	assert_int_equal(insn.mem_size, 1);
	assert_int_equal(insn.reg_size, 4);
	assert_false(insn.sign_extend);
	DECODE(&c64, 0x48, 0x0f, 0xb7, 0x18);	/* movzx rbx, word [rax] */
	assert_int_equal(insn.mem_size, 2);
	assert_int_equal(insn.reg_size, 8);
	DECODE(&c64, 0x66, 0x0f, 0xbe, 0x18);	/* movsx bx, byte [rax] */
	assert_int_equal(insn.mem_size, 1);
	assert_int_equal(insn.reg_size, 2);
	assert_true(insn.sign_extend);
	DECODE(&c32, 0x0f, 0xbf, 0x18);		/* movsx ebx, word [eax] */
	assert_int_equal(insn.mem_size, 2);
	assert_true(insn.sign_extend);
	/* Only AH..BH need no REX: 0F B6 with reg 4 and REX is SPL. */
	DECODE(&c64, 0x0f, 0xb6, 0x20);		/* movzx esp, byte [rax] */
	assert_int_equal(insn.reg, GPR_RSP);
	assert_false(insn.reg_high8);
}

static void test_movsxd(void **state)
{
	(void)state;
	DECODE(&c64, 0x48, 0x63, 0x18);		/* movsxd rbx, dword [rax] */
	assert_int_equal(insn.kind, INSN_LOAD);
	assert_int_equal(insn.mem_size, 4);
	assert_int_equal(insn.reg_size, 8);
	assert_true(insn.sign_extend);
	DECODE(&c64, 0x63, 0x18);		/* movsxd ebx, dword [rax] */
	assert_int_equal(insn.mem_size, 4);
	assert_int_equal(insn.reg_size, 4);
	/* 63 is ARPL outside 64-bit mode */
	DECODE_ERR(&c32, VMCTL_EMU_UNHANDLED, 0x63, 0x18);
}

static void test_sib(void **state)
{
	(void)state;
	DECODE(&c64, 0x8b, 0x04, 0x88);		/* mov eax, [rax+rcx*4] */
	assert_int_equal(insn.ea, 0x1000 + 0x2000 * 4);
	DECODE(&c64, 0x8b, 0x04, 0x24);		/* mov eax, [rsp] */
	assert_int_equal(insn.ea, 0x5000);
	assert_int_equal(insn.seg, SEG_SS);
	DECODE(&c64, 0x42, 0x8b, 0x04, 0x20);	/* mov eax, [rax+r12] */
	assert_int_equal(insn.ea, 0x1000 + 0xd000);
	DECODE(&c64, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x0d, 0xd0);	/* [disp32] */
	assert_int_equal(insn.ea, 0xffffffffd00d0000ULL);
	DECODE(&c64, 0x8b, 0x04, 0xcd, 0x10, 0x00, 0x00, 0x00);
	assert_int_equal(insn.ea, 0x2000 * 8 + 0x10); /* [rcx*8+0x10] */
	DECODE(&c64, 0x8b, 0x44, 0x25, 0x10);	/* mov eax, [rbp+0x10] */
	assert_int_equal(insn.ea, 0x6010);
	assert_int_equal(insn.seg, SEG_SS);
	DECODE(&c64, 0x41, 0x8b, 0x44, 0x24, 0xf0); /* [r12-0x10] */
	assert_int_equal(insn.ea, 0xd000 - 0x10);
	DECODE(&c64, 0x8b, 0x80, 0x00, 0x00, 0x00, 0x80); /* [rax-2G] */
	assert_int_equal(insn.ea, 0x1000 - 0x80000000ULL);
}

static void test_rip_relative(void **state)
{
	(void)state;
	DECODE(&c64, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00);
	assert_int_equal(insn.ea, 0x400000 + 6 + 0x100);
	/* The immediate after the displacement counts in the length. */
	DECODE(&c64, 0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff,
	       0x01, 0x00, 0x00, 0x00);
	assert_int_equal(insn.ea, 0x400000 + 10 - 0x10);
	DECODE(&c64, 0x80, 0x3d, 0x00, 0x01, 0x00, 0x00, 0x05);
	assert_int_equal(insn.ea, 0x400000 + 7 + 0x100);
	/* In 32-bit mode mod=0 rm=5 is an absolute disp32. */
	DECODE(&c32, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00);
	assert_int_equal(insn.ea, 0x100);
}

static void test_addr16_forms(void **state)
{
	static const u64 expect[8] = {
		0x4000 + 0x7000, 0x4000 + 0x8000, 0x6000 + 0x7000,
		0x6000 + 0x8000, 0x7000, 0x8000, 0x6000, 0x4000,
	};
	u8 b[4];
	int rm;

	(void)state;
	for (rm = 0; rm < 8; rm++) {
		/* mod=1: mov ax, [base+index-2] */
		b[0] = 0x8b;
		b[1] = 0x40 | rm;
		b[2] = 0xfe;
		assert_int_equal(decode(&c16, b, 3), 0);
		assert_int_equal(insn.len, 3);
		assert_int_equal(insn.ea, (expect[rm] - 2) & 0xffff);
		assert_int_equal(insn.seg,
				 (rm == 2 || rm == 3 || rm == 6) ?
				 SEG_SS : SEG_DS);
		/* mod=2: disp16 */
		b[1] = 0x80 | rm;
		b[2] = 0x00;
		b[3] = 0x10;
		assert_int_equal(decode(&c16, b, 4), 0);
		assert_int_equal(insn.ea, (expect[rm] + 0x1000) & 0xffff);
	}
	DECODE(&c16, 0x8b, 0x00);		/* mov ax, [bx+si] */
	assert_int_equal(insn.ea, 0xb000);
	assert_int_equal(insn.mem_size, 2);
	DECODE(&c16, 0x8b, 0x06, 0x34, 0x12);	/* mov ax, [0x1234] */
	assert_int_equal(insn.ea, 0x1234);
	assert_int_equal(insn.seg, SEG_DS);
	/* [bp+di+0x7000] wraps at 64K */
	DECODE(&c16, 0x8b, 0x83, 0x00, 0x70);
	assert_int_equal(insn.ea, (0x6000 + 0x8000 + 0x7000) & 0xffff);
	DECODE(&c16, 0x3e, 0x8b, 0x46, 0x00);	/* mov ax, ds:[bp] */
	assert_int_equal(insn.seg, SEG_DS);
}

static void test_size_prefixes(void **state)
{
	(void)state;
	DECODE(&c16, 0x66, 0x8b, 0x07);		/* mov eax, [bx] */
	assert_int_equal(insn.op_size, 4);
	assert_int_equal(insn.mem_size, 4);
	assert_int_equal(insn.addr_size, 2);
	/* 67 in 16-bit code: 32-bit addressing with SIB */
	DECODE(&c16, 0x67, 0x8b, 0x04, 0x48);	/* mov ax, [eax+ecx*2] */
	assert_int_equal(insn.addr_size, 4);
	assert_int_equal(insn.ea, 0x1000 + 0x4000);
	DECODE(&c32, 0x66, 0x89, 0x03);		/* mov [ebx], ax */
	assert_int_equal(insn.mem_size, 2);
	assert_int_equal(insn.addr_size, 4);
	DECODE(&c32, 0x67, 0x89, 0x07);		/* mov [bx], eax */
	assert_int_equal(insn.addr_size, 2);
	assert_int_equal(insn.ea, 0x4000);
	assert_int_equal(insn.mem_size, 4);
	DECODE(&c64, 0x67, 0x8b, 0x00);		/* mov eax, [eax] */
	assert_int_equal(insn.addr_size, 4);
	/* REX.W wins over 66 */
	DECODE(&c64, 0x66, 0x48, 0x89, 0x00);
	assert_int_equal(insn.mem_size, 8);
	/* A REX followed by a legacy prefix is ignored. */
	DECODE(&c64, 0x48, 0x66, 0x89, 0x00);
	assert_int_equal(insn.mem_size, 2);
	assert_int_equal(insn.rex, 0);
}

static void test_segment_overrides(void **state)
{
	static const u8 prefix[NR_SEGS] = {
		[SEG_ES] = 0x26, [SEG_CS] = 0x2e, [SEG_SS] = 0x36,
		[SEG_DS] = 0x3e, [SEG_FS] = 0x64, [SEG_GS] = 0x65,
	};
	u8 b[3] = { 0, 0x8b, 0x00 };
	int s;

	(void)state;
	for (s = 0; s < NR_SEGS; s++) {
		b[0] = prefix[s];
		assert_int_equal(decode(&c32, b, 3), 0);
		assert_int_equal(insn.seg, s);
		assert_int_equal(insn.len, 3);
	}
}

static void test_alu_forms(void **state)
{
	(void)state;
	DECODE(&c64, 0x03, 0x18);		/* add ebx, [rax] */
	assert_int_equal(insn.kind, INSN_ALU);
	assert_int_equal(insn.alu, ALU_ADD);
	assert_true(insn.write_reg);
	assert_false(insn.mem_first);
	DECODE(&c64, 0x0a, 0x20);		/* or ah, [rax] */
	assert_int_equal(insn.alu, ALU_OR);
	assert_true(insn.reg_high8);
	DECODE(&c64, 0x23, 0x18);
	assert_int_equal(insn.alu, ALU_AND);
	DECODE(&c64, 0x2b, 0x18);
	assert_int_equal(insn.alu, ALU_SUB);
	DECODE(&c64, 0x48, 0x33, 0x18);		/* xor rbx, [rax] */
	assert_int_equal(insn.alu, ALU_XOR);
	assert_int_equal(insn.mem_size, 8);
	DECODE(&c64, 0x39, 0x18);		/* cmp [rax], ebx */
	assert_int_equal(insn.alu, ALU_CMP);
	assert_true(insn.mem_first);
	assert_false(insn.write_reg);
	DECODE(&c64, 0x3a, 0x18);		/* cmp bl, [rax] */
	assert_false(insn.mem_first);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c64, 0x81, 0x38, 0x01, 0x00, 0x00, 0x00); /* cmp [rax], 1 */
	assert_int_equal(insn.alu, ALU_CMP);
	assert_false(insn.has_reg);
	assert_int_equal(insn.imm, 1);
	DECODE(&c64, 0x48, 0x83, 0x38, 0xff);	/* cmp qword [rax], -1 */
	assert_int_equal(insn.imm, ~0ULL);
	assert_int_equal(insn.mem_size, 8);
	DECODE(&c64, 0x80, 0x38, 0x7f);		/* cmp byte [rax], 0x7f */
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c16, 0x81, 0x3f, 0x34, 0x12);	/* cmp word [bx], 0x1234 */
	assert_int_equal(insn.imm, 0x1234);
	DECODE(&c64, 0x85, 0x18);		/* test [rax], ebx */
	assert_int_equal(insn.alu, ALU_TEST);
	assert_true(insn.has_reg);
	DECODE(&c64, 0xf6, 0x00, 0x80);		/* test byte [rax], 0x80 */
	assert_int_equal(insn.alu, ALU_TEST);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c64, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x80);
	assert_int_equal(insn.imm, 0xffffffff80000000ULL);
}

static void test_rmw_forms(void **state)
{
	(void)state;
	DECODE(&c64, 0x01, 0x18);		/* add [rax], ebx */
	assert_int_equal(insn.kind, INSN_RMW);
	assert_int_equal(insn.alu, ALU_ADD);
	assert_int_equal(insn.reg, GPR_RBX);
	assert_int_equal(insn.mem_size, 4);
	DECODE(&c64, 0xf0, 0x83, 0x08, 1);	/* lock or dword [rax], 1 */
	assert_int_equal(insn.kind, INSN_RMW);
	assert_int_equal(insn.alu, ALU_OR);
	assert_false(insn.has_reg);
	assert_int_equal(insn.imm, 1);
	DECODE(&c64, 0x86, 0x38);		/* xchg [rax], bh */
	assert_int_equal(insn.alu, ALU_XCHG);
	assert_true(insn.reg_high8);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c64, 0x48, 0xff, 0x08);	/* dec qword [rax] */
	assert_int_equal(insn.alu, ALU_DEC);
	assert_int_equal(insn.mem_size, 8);
	DECODE(&c32, 0xf6, 0x18);		/* neg byte [eax] */
	assert_int_equal(insn.alu, ALU_NEG);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c64, 0x0f, 0xba, 0x20, 35);	/* bt dword [rax], 35 */
	assert_int_equal(insn.kind, INSN_ALU);
	assert_int_equal(insn.alu, ALU_BT);
	assert_int_equal(insn.imm, 3);		/* wraps in the operand */
	/* LOCK on what is no read-modify-write: #UD. */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0xf0, 0x0f, 0xba, 0x20, 1);
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0x13, 0x18); /* adc */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0xff, 0x30); /* push [rax] */
}

static void test_exchange_forms(void **state)
{
	(void)state;
	DECODE(&c64, 0xf0, 0x0f, 0xb1, 0x18);	/* lock cmpxchg [rax], ebx */
	assert_int_equal(insn.kind, INSN_RMW);
	assert_int_equal(insn.alu, ALU_CMPXCHG);
	assert_int_equal(insn.reg, GPR_RBX);
	assert_int_equal(insn.mem_size, 4);
	assert_int_equal(insn.ea, 0x1000);
	DECODE(&c64, 0x0f, 0xb0, 0x38);		/* cmpxchg [rax], bh */
	assert_true(insn.reg_high8);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c64, 0x48, 0x0f, 0xc1, 0x08);	/* xadd [rax], rcx */
	assert_int_equal(insn.kind, INSN_RMW);
	assert_int_equal(insn.alu, ALU_XADD);
	assert_int_equal(insn.reg, GPR_RCX);
	assert_int_equal(insn.mem_size, 8);
	DECODE(&c16, 0x0f, 0xc0, 0x07);		/* xadd [bx], al */
	assert_int_equal(insn.mem_size, 1);
	assert_int_equal(insn.ea, 0x4000);
	DECODE(&c32, 0xf0, 0x0f, 0xc7, 0x08);	/* lock cmpxchg8b [eax] */
	assert_int_equal(insn.alu, ALU_CMPXCHG8B);
	assert_int_equal(insn.mem_size, 8);
	assert_false(insn.has_reg);
	/* cmpxchg16b [rax]: 16 bytes; 0F C7 /6 is RDRAND, no memory form */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0x48, 0x0f, 0xc7, 0x08);
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0x0f, 0xc7, 0x30);
}

/* A register bit offset is signed and picks the op_size unit it is in. */
static void test_bit_offset(void **state)
{
	(void)state;
	c64.gpr[GPR_RCX] = 37;
	DECODE(&c64, 0xf0, 0x0f, 0xab, 0x08);	/* lock bts [rax], ecx */
	assert_int_equal(insn.alu, ALU_BTS);
	assert_int_equal(insn.ea, 0x1000 + 4);
	assert_int_equal(insn.imm, 5);
	assert_false(insn.has_reg);
	c64.gpr[GPR_RCX] = -1ULL;
	DECODE(&c64, 0x48, 0x0f, 0xb3, 0x08);	/* btr [rax], rcx */
	assert_int_equal(insn.ea, 0x1000 - 8);
	assert_int_equal(insn.imm, 63);
	c64.gpr[GPR_RCX] = (GPR_RCX + 1) << 12;
}

static void test_movnti(void **state)
{
	(void)state;
	DECODE(&c64, 0x48, 0x0f, 0xc3, 0x08);	/* movnti [rax], rcx */
	assert_int_equal(insn.kind, INSN_STORE);
	assert_int_equal(insn.mem_size, 8);
	assert_int_equal(insn.reg, GPR_RCX);
}

static void test_string_forms(void **state)
{
	(void)state;
	DECODE(&c64, 0xaa);
	assert_int_equal(insn.kind, INSN_STOS);
	assert_int_equal(insn.mem_size, 1);
	assert_false(insn.rep);
	DECODE(&c64, 0xf3, 0x48, 0xab);		/* rep stosq */
	assert_int_equal(insn.mem_size, 8);
	assert_true(insn.rep);
	DECODE(&c16, 0xf3, 0xab);		/* rep stosw */
	assert_int_equal(insn.mem_size, 2);
	assert_int_equal(insn.addr_size, 2);
	DECODE(&c32, 0xf2, 0xa5);		/* repne movsd acts as rep */
	assert_int_equal(insn.kind, INSN_MOVS);
	assert_true(insn.rep);
	DECODE(&c32, 0x26, 0xa4);		/* movsb es:[esi] */
	assert_int_equal(insn.seg, SEG_ES);
	assert_int_equal(insn.mem_size, 1);
	DECODE(&c64, 0x67, 0xad);		/* lodsd with esi */
	assert_int_equal(insn.kind, INSN_LODS);
	assert_int_equal(insn.addr_size, 4);
	assert_int_equal(insn.reg, GPR_RAX);
	/* REP on a MOV is ignored */
	DECODE(&c64, 0xf3, 0x89, 0x18);
	assert_false(insn.rep);
}

static void test_unsupported(void **state)
{
	(void)state;
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0xf4);		/* hlt */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0x0f, 0x0b);	/* ud2 */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0x89, 0xc3); /* reg form */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0xa6);		/* cmpsb */
	DECODE_ERR(&c64, VMCTL_EMU_UNHANDLED, 0xf0, 0x89, 0x18); /* #UD */
	/* 0x48 is DEC EAX, not REX, outside 64-bit mode */
	DECODE_ERR(&c32, VMCTL_EMU_UNHANDLED, 0x48, 0x89, 0x00);
}

static void test_truncated(void **state)
{
	static const u8 pfx[16] = {
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x00,
	};

	(void)state;
	DECODE_ERR(&c64, -ENODATA, 0x8b, 0x80, 0x00, 0x00);
	DECODE_ERR(&c64, -ENODATA, 0x48);
	DECODE_ERR(&c64, -ENODATA, 0x0f);
	DECODE_ERR(&c64, -ENODATA, 0x8b, 0x04);
	DECODE_ERR(&c64, -ENODATA, 0xc7, 0x00, 0x01);
	DECODE_ERR(&c64, -ENODATA, 0x48, 0xa1, 0x01, 0x02, 0x03, 0x04);
	/* Longer than 15 bytes: not an instruction. */
	assert_int_equal(decode(&c64, pfx, sizeof(pfx)), VMCTL_EMU_UNHANDLED);
	/* 14 prefixes + opcode + ModRM = 16 bytes, also too long */
	assert_int_equal(decode(&c64, pfx, 15), VMCTL_EMU_UNHANDLED);
	assert_int_equal(decode(&c64, pfx + 1, 15), 0);
	assert_int_equal(insn.len, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_size),
		cmocka_unit_test(test_mov_store_reg),
		cmocka_unit_test(test_byte_registers),
		cmocka_unit_test(test_mov_load),
		cmocka_unit_test(test_mov_imm),
		cmocka_unit_test(test_moffs),
		cmocka_unit_test(test_movzx_movsx),
		cmocka_unit_test(test_movsxd),
		cmocka_unit_test(test_sib),
		cmocka_unit_test(test_rip_relative),
		cmocka_unit_test(test_addr16_forms),
		cmocka_unit_test(test_size_prefixes),
		cmocka_unit_test(test_segment_overrides),
		cmocka_unit_test(test_alu_forms),
		cmocka_unit_test(test_rmw_forms),
		cmocka_unit_test(test_exchange_forms),
		cmocka_unit_test(test_bit_offset),
		cmocka_unit_test(test_movnti),
		cmocka_unit_test(test_string_forms),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests_name("decode", tests, setup, NULL);
}
