// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end MMIO emulation tests: vmctl_mmio_begin() on instruction
 * bytes in a fake guest, then vmctl_mmio_complete() as the kernel does
 * after userspace served the access; the register, flag and memory
 * effects are checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "guest.h"

#define CODE64		0x1000ULL
#define CODE32		0x2000ULL
#define CS16_BASE	0x10000ULL
#define IP16		0x100ULL
#define PAGED		0x8000000000ULL	/* 4K-mapped area in 64-bit mode */
#define CF		X86_EFLAGS_CF
#define PF		X86_EFLAGS_PF
#define AF		X86_EFLAGS_AF
#define ZF		X86_EFLAGS_ZF
#define SF		X86_EFLAGS_SF
#define OF		X86_EFLAGS_OF
#define ARITH		(CF | PF | AF | ZF | SF | OF)

struct fixture {
	struct guest *g;
	struct vmctl_emu_cpu cpu;
	struct vmctl_mmio_op op;
	u64 rip;		/* RIP at the last begin() */
};

static struct fixture *fixture_new(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->g = guest_new();
	*state = f;
	return f;
}

static int setup64(void **state)
{
	struct fixture *f = fixture_new(state);

	cpu_long64(&f->cpu, f->g);
	f->cpu.rip = CODE64;
	return 0;
}

static int setup32(void **state)
{
	struct fixture *f = fixture_new(state);

	cpu_prot32(&f->cpu);
	f->cpu.rip = CODE32;
	return 0;
}

static int setup16(void **state)
{
	struct fixture *f = fixture_new(state);

	cpu_real(&f->cpu);
	f->cpu.seg_base[SEG_CS] = CS16_BASE;
	f->cpu.rip = IP16;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	guest_free(f->g);
	free(f);
	return 0;
}

/* Put @code at CS:RIP (identity-mapped in these CPU states) and begin. */
static int begin(struct fixture *f, const u8 *code, unsigned int n, u64 gpa)
{
	f->rip = f->cpu.rip;
	guest_poke(f->g, f->cpu.seg_base[SEG_CS] + f->cpu.rip, code, n);
	return vmctl_mmio_begin(&f->cpu, &guest_ops, f->g, gpa, &f->op);
}

#define BEGIN(f, gpa_, ...) ({						\
	static const u8 c_[] = { __VA_ARGS__ };				\
	begin(f, c_, sizeof(c_), gpa_);					\
})

/* Begin, expect success and an access of @len_ bytes at @gpa_. */
#define BEGIN_OK(f, gpa_, len_, ...) do {				\
	assert_int_equal(BEGIN(f, gpa_, __VA_ARGS__), 0);		\
	assert_int_equal((f)->op.gpa, gpa_);				\
	assert_int_equal((f)->op.len, len_);				\
} while (0)

static int complete(struct fixture *f)
{
	return vmctl_mmio_complete(&f->cpu, &guest_ops, f->g, &f->op);
}

/* Serve an MMIO read with @val and complete the instruction. */
static void read_done(struct fixture *f, u64 val)
{
	unsigned int i;

	assert_false(f->op.is_write);
	for (i = 0; i < f->op.len; i++)
		f->op.data[i] = val >> (8 * i);
	assert_int_equal(complete(f), 0);
}

/* The value of an MMIO write; then complete the instruction. */
static u64 write_done(struct fixture *f)
{
	u64 val = 0;
	unsigned int i;

	assert_true(f->op.is_write);
	for (i = 0; i < f->op.len; i++)
		val |= (u64)f->op.data[i] << (8 * i);
	assert_int_equal(complete(f), 0);
	return val;
}

/* RIP moved past an instruction of @len bytes. */
static void assert_advanced(struct fixture *f, unsigned int len)
{
	assert_int_equal(f->cpu.rip, f->rip + len);
}

static u64 *reg(struct fixture *f, enum vmctl_gpr r)
{
	return &f->cpu.gpr[r];
}

/* ---- 64-bit mode ---------------------------------------------------- */

static void test64_store_reg(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RAX) = MMIO_GPA + 0x10;
	*reg(f, GPR_RBX) = 0x1122334455667788ULL;
	BEGIN_OK(f, MMIO_GPA + 0x10, 4, 0x89, 0x18);	/* mov [rax], ebx */
	assert_int_equal(write_done(f), 0x55667788);
	assert_advanced(f, 2);
	assert_int_equal(*reg(f, GPR_RBX), 0x1122334455667788ULL);

	BEGIN_OK(f, MMIO_GPA + 0x10, 8, 0x48, 0x89, 0x18); /* mov [rax], rbx */
	assert_int_equal(write_done(f), 0x1122334455667788ULL);
	assert_advanced(f, 3);
	BEGIN_OK(f, MMIO_GPA + 0x10, 2, 0x66, 0x89, 0x18); /* mov [rax], bx */
	assert_int_equal(write_done(f), 0x7788);
	BEGIN_OK(f, MMIO_GPA + 0x10, 1, 0x88, 0x38);	/* mov [rax], bh */
	assert_int_equal(write_done(f), 0x77);
	BEGIN_OK(f, MMIO_GPA + 0x10, 1, 0x40, 0x88, 0x1c, 0x20); /* [rax],bl */
	assert_int_equal(write_done(f), 0x88);
	*reg(f, GPR_R13) = 0xabcdef;
	BEGIN_OK(f, MMIO_GPA + 0x10, 4, 0x44, 0x89, 0x28); /* [rax], r13d */
	assert_int_equal(write_done(f), 0xabcdef);
}

static void test64_load_partial_registers(void **state)
{
	struct fixture *f = *state;
	const u64 ones = ~0ULL;

	*reg(f, GPR_RAX) = MMIO_GPA;
	*reg(f, GPR_RBX) = ones;
	BEGIN_OK(f, MMIO_GPA, 4, 0x8b, 0x18);		/* mov ebx, [rax] */
	read_done(f, 0x12345678);
	assert_int_equal(*reg(f, GPR_RBX), 0x12345678);	/* zero-extended */
	assert_advanced(f, 2);

	*reg(f, GPR_RBX) = ones;
	BEGIN_OK(f, MMIO_GPA, 2, 0x66, 0x8b, 0x18);	/* mov bx, [rax] */
	read_done(f, 0x1234);
	assert_int_equal(*reg(f, GPR_RBX), 0xffffffffffff1234ULL);
	assert_advanced(f, 3);

	*reg(f, GPR_RBX) = ones;
	BEGIN_OK(f, MMIO_GPA, 1, 0x8a, 0x18);		/* mov bl, [rax] */
	read_done(f, 0x12);
	assert_int_equal(*reg(f, GPR_RBX), 0xffffffffffffff12ULL);

	*reg(f, GPR_RBX) = ones;
	BEGIN_OK(f, MMIO_GPA, 1, 0x8a, 0x38);		/* mov bh, [rax] */
	read_done(f, 0x12);
	assert_int_equal(*reg(f, GPR_RBX), 0xffffffffffff12ffULL);

	BEGIN_OK(f, MMIO_GPA, 8, 0x48, 0x8b, 0x18);	/* mov rbx, [rax] */
	read_done(f, 0x8877665544332211ULL);
	assert_int_equal(*reg(f, GPR_RBX), 0x8877665544332211ULL);

	*reg(f, GPR_RSP) = ones;
	BEGIN_OK(f, MMIO_GPA, 1, 0x40, 0x8a, 0x20);	/* mov spl, [rax] */
	read_done(f, 0x5a);
	assert_int_equal(*reg(f, GPR_RSP), 0xffffffffffffff5aULL);
	assert_int_equal(*reg(f, GPR_RAX), MMIO_GPA);	/* not AH */

	*reg(f, GPR_R8) = ones;
	BEGIN_OK(f, MMIO_GPA, 4, 0x44, 0x8b, 0x00);	/* mov r8d, [rax] */
	read_done(f, 0x87654321);
	assert_int_equal(*reg(f, GPR_R8), 0x87654321);
	*reg(f, GPR_R15) = 0;
	BEGIN_OK(f, MMIO_GPA, 8, 0x4c, 0x8b, 0x38);	/* mov r15, [rax] */
	read_done(f, ones);
	assert_int_equal(*reg(f, GPR_R15), ones);
}

static void test64_movzx_movsx(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA + 4;
	*reg(f, GPR_RAX) = ~0ULL;
	BEGIN_OK(f, MMIO_GPA + 4, 1, 0x0f, 0xb6, 0x03); /* movzx eax, byte */
	read_done(f, 0x80);
	assert_int_equal(*reg(f, GPR_RAX), 0x80);
	assert_advanced(f, 3);
	BEGIN_OK(f, MMIO_GPA + 4, 1, 0x0f, 0xbe, 0x03); /* movsx eax, byte */
	read_done(f, 0x80);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffff80);
	BEGIN_OK(f, MMIO_GPA + 4, 1, 0x48, 0x0f, 0xbe, 0x03); /* rax, byte */
	read_done(f, 0x80);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffffffffffff80ULL);
	*reg(f, GPR_RAX) = 0x1111111111111111ULL;
	BEGIN_OK(f, MMIO_GPA + 4, 1, 0x66, 0x0f, 0xbe, 0x03); /* ax, byte */
	read_done(f, 0x80);
	assert_int_equal(*reg(f, GPR_RAX), 0x111111111111ff80ULL);
	BEGIN_OK(f, MMIO_GPA + 4, 2, 0x0f, 0xb7, 0x03); /* movzx eax, word */
	read_done(f, 0x8001);
	assert_int_equal(*reg(f, GPR_RAX), 0x8001);
	BEGIN_OK(f, MMIO_GPA + 4, 2, 0x48, 0x0f, 0xbf, 0x03); /* rax, word */
	read_done(f, 0x8001);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffffffffff8001ULL);
	BEGIN_OK(f, MMIO_GPA + 4, 2, 0x0f, 0xbf, 0x03); /* movsx eax, word */
	read_done(f, 0x7fff);
	assert_int_equal(*reg(f, GPR_RAX), 0x7fff);
}

static void test64_movsxd(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	BEGIN_OK(f, MMIO_GPA, 4, 0x48, 0x63, 0x03);	/* movsxd rax, [rbx] */
	read_done(f, 0x80000000);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffffff80000000ULL);
	assert_advanced(f, 3);
	BEGIN_OK(f, MMIO_GPA, 4, 0x48, 0x63, 0x03);
	read_done(f, 0x7fffffff);
	assert_int_equal(*reg(f, GPR_RAX), 0x7fffffff);
}

static void test64_store_imm(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA + 0x40;
	BEGIN_OK(f, MMIO_GPA + 0x40, 1, 0xc6, 0x03, 0xab);
	assert_int_equal(write_done(f), 0xab);
	assert_advanced(f, 3);
	BEGIN_OK(f, MMIO_GPA + 0x40, 4, 0xc7, 0x03, 0x78, 0x56, 0x34, 0x12);
	assert_int_equal(write_done(f), 0x12345678);
	assert_advanced(f, 6);
	/* mov qword [rbx+8], -2: imm32 sign-extended */
	BEGIN_OK(f, MMIO_GPA + 0x48, 8, 0x48, 0xc7, 0x43, 0x08,
		 0xfe, 0xff, 0xff, 0xff);
	assert_int_equal(write_done(f), 0xfffffffffffffffeULL);
	assert_advanced(f, 8);
	BEGIN_OK(f, MMIO_GPA + 0x40, 2, 0x66, 0xc7, 0x03, 0xcd, 0xab);
	assert_int_equal(write_done(f), 0xabcd);
	assert_advanced(f, 5);
}

static void test64_moffs(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RAX) = 0x1111111111111111ULL;
	/* mov eax, [MMIO_GPA + 0x20] with a 64-bit offset */
	BEGIN_OK(f, MMIO_GPA + 0x20, 4, 0xa1, 0x20, 0x00, 0x00, 0xd0,
		 0, 0, 0, 0);
	read_done(f, 0xcafef00d);
	assert_int_equal(*reg(f, GPR_RAX), 0xcafef00d);
	assert_advanced(f, 9);
	/* mov [MMIO_GPA + 0x21], al */
	BEGIN_OK(f, MMIO_GPA + 0x21, 1, 0xa2, 0x21, 0x00, 0x00, 0xd0,
		 0, 0, 0, 0);
	assert_int_equal(write_done(f), 0x0d);
	BEGIN_OK(f, MMIO_GPA + 0x28, 8, 0x48, 0xa3, 0x28, 0x00, 0x00, 0xd0,
		 0, 0, 0, 0);
	assert_int_equal(write_done(f), 0xcafef00d);
	assert_advanced(f, 10);
}

static void test64_rip_relative(void **state)
{
	struct fixture *f = *state;
	/* mov dword [rip + disp], 0x11223344: the target is HOLE_GPA+0x123 */
	u32 disp = HOLE_GPA + 0x123 - (CODE64 + 10);
	u8 code[10] = { 0xc7, 0x05, disp, disp >> 8, disp >> 16, disp >> 24,
			0x44, 0x33, 0x22, 0x11 };

	assert_int_equal(begin(f, code, 10, HOLE_GPA + 0x123), 0);
	assert_int_equal(write_done(f), 0x11223344);
	assert_advanced(f, 10);
	/* A fault elsewhere is not what this instruction accesses. */
	f->cpu.rip = CODE64;
	assert_int_equal(begin(f, code, 10, HOLE_GPA + 0x127),
			 VMCTL_EMU_UNHANDLED);
}

static void test64_segments(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RAX) = MMIO_GPA;
	f->cpu.seg_base[SEG_FS] = 0x8;
	f->cpu.seg_base[SEG_DS] = 0x100;
	/* FS and GS bases apply in 64-bit mode ... */
	BEGIN_OK(f, MMIO_GPA + 8, 4, 0x64, 0x8b, 0x00);	/* mov eax, fs:[rax] */
	read_done(f, 1);
	*reg(f, GPR_RAX) = MMIO_GPA;
	assert_int_equal(BEGIN(f, MMIO_GPA, 0x64, 0x8b, 0x00),
			 VMCTL_EMU_UNHANDLED);
	/* ... the DS base does not. */
	f->cpu.rip = CODE64;
	BEGIN_OK(f, MMIO_GPA, 4, 0x3e, 0x8b, 0x00);	/* mov eax, ds:[rax] */
	read_done(f, 2);
	assert_int_equal(*reg(f, GPR_RAX), 2);
}

static void test64_cmp_flags(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	f->cpu.rflags = 0x2 | X86_EFLAGS_IF | X86_EFLAGS_DF | ARITH;
	*reg(f, GPR_RAX) = 7;
	BEGIN_OK(f, MMIO_GPA, 4, 0x39, 0x03);	/* cmp [rbx], eax: 5 - 7 */
	read_done(f, 5);
	assert_int_equal(f->cpu.rflags & ARITH, CF | SF | AF);
	assert_true(f->cpu.rflags & X86_EFLAGS_IF);
	assert_true(f->cpu.rflags & X86_EFLAGS_DF);
	assert_int_equal(*reg(f, GPR_RAX), 7);
	assert_advanced(f, 2);

	BEGIN_OK(f, MMIO_GPA, 4, 0x3b, 0x03);	/* cmp eax, [rbx]: 7 - 5 */
	read_done(f, 5);
	assert_int_equal(f->cpu.rflags & ARITH, 0);
	BEGIN_OK(f, MMIO_GPA, 4, 0x3b, 0x03);	/* 7 - 7 */
	read_done(f, 7);
	assert_int_equal(f->cpu.rflags & ARITH, ZF | PF);
	assert_int_equal(*reg(f, GPR_RAX), 7);

	BEGIN_OK(f, MMIO_GPA, 1, 0x80, 0x3b, 0x01);	/* cmp byte, 1 */
	read_done(f, 0x80);				/* 0x80 - 1 = 0x7f */
	assert_int_equal(f->cpu.rflags & ARITH, OF | AF);
	assert_advanced(f, 3);
	BEGIN_OK(f, MMIO_GPA, 4, 0x83, 0x3b, 0xff);	/* cmp dword, -1 */
	read_done(f, 0xffffffff);
	assert_int_equal(f->cpu.rflags & ARITH, ZF | PF);
	BEGIN_OK(f, MMIO_GPA, 8, 0x48, 0x83, 0x3b, 0x01); /* cmp qword, 1 */
	read_done(f, 0);
	assert_int_equal(f->cpu.rflags & ARITH, CF | SF | AF | PF);
	BEGIN_OK(f, MMIO_GPA, 2, 0x66, 0x81, 0x3b, 0x00, 0x80); /* word */
	read_done(f, 0x7fff);				/* 0x7fff - 0x8000 */
	assert_int_equal(f->cpu.rflags & ARITH, CF | SF | OF | PF);
	assert_advanced(f, 5);
	BEGIN_OK(f, MMIO_GPA, 1, 0x80, 0x3b, 0x01);	/* -1 - 1: no OF */
	read_done(f, 0xff);
	assert_int_equal(f->cpu.rflags & ARITH, SF);
	BEGIN_OK(f, MMIO_GPA, 1, 0x38, 0x23);		/* cmp [rbx], ah */
	read_done(f, 0);				/* ah = 0 */
	assert_int_equal(f->cpu.rflags & ARITH, ZF | PF);
}

static void test64_test_flags(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	f->cpu.rflags = 0x2 | CF | OF | AF;
	BEGIN_OK(f, MMIO_GPA, 1, 0xf6, 0x03, 0x80);	/* test byte, 0x80 */
	read_done(f, 0x81);
	assert_int_equal(f->cpu.rflags & ARITH, SF);
	assert_advanced(f, 3);
	BEGIN_OK(f, MMIO_GPA, 1, 0xf6, 0x03, 0x80);
	read_done(f, 0x7f);
	assert_int_equal(f->cpu.rflags & ARITH, ZF | PF);
	*reg(f, GPR_RCX) = 0x3;
	BEGIN_OK(f, MMIO_GPA, 4, 0x85, 0x0b);		/* test [rbx], ecx */
	read_done(f, 0xffffff01);
	assert_int_equal(f->cpu.rflags & ARITH, 0);
	BEGIN_OK(f, MMIO_GPA, 8, 0x48, 0xf7, 0x03, 0, 0, 0, 0x80);
	read_done(f, 0x8000000000000000ULL);	/* imm sign-extends */
	assert_int_equal(f->cpu.rflags & ARITH, SF | PF);
	assert_advanced(f, 7);
	assert_int_equal(*reg(f, GPR_RCX), 3);
}

static void test64_alu_to_register(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	*reg(f, GPR_RAX) = 0xaaaaaaaaffffffffULL;
	BEGIN_OK(f, MMIO_GPA, 4, 0x03, 0x03);		/* add eax, [rbx] */
	read_done(f, 1);
	assert_int_equal(*reg(f, GPR_RAX), 0);		/* zero-extended */
	assert_int_equal(f->cpu.rflags & ARITH, CF | ZF | PF | AF);

	*reg(f, GPR_RAX) = 0x7fffffffffffffffULL;
	BEGIN_OK(f, MMIO_GPA, 8, 0x48, 0x03, 0x03);	/* add rax, [rbx] */
	read_done(f, 1);
	assert_int_equal(*reg(f, GPR_RAX), 0x8000000000000000ULL);
	assert_int_equal(f->cpu.rflags & ARITH, OF | SF | AF | PF);

	*reg(f, GPR_RAX) = 0x1111111111110005ULL;
	BEGIN_OK(f, MMIO_GPA, 2, 0x66, 0x2b, 0x03);	/* sub ax, [rbx] */
	read_done(f, 0x6);
	assert_int_equal(*reg(f, GPR_RAX), 0x111111111111ffffULL);
	assert_int_equal(f->cpu.rflags & ARITH, CF | SF | AF | PF);

	*reg(f, GPR_RAX) = 0x1111111111110f00ULL;
	BEGIN_OK(f, MMIO_GPA, 1, 0x0a, 0x23);		/* or ah, [rbx] */
	read_done(f, 0xf0);
	assert_int_equal(*reg(f, GPR_RAX), 0x111111111111ff00ULL);
	assert_int_equal(f->cpu.rflags & ARITH, SF | PF);

	*reg(f, GPR_RCX) = 0xff00ff00;
	BEGIN_OK(f, MMIO_GPA, 4, 0x23, 0x0b);		/* and ecx, [rbx] */
	read_done(f, 0x0ff00ff0);
	assert_int_equal(*reg(f, GPR_RCX), 0x0f000f00);
	assert_int_equal(f->cpu.rflags & ARITH, PF);

	*reg(f, GPR_R9) = 0xffULL << 56;
	BEGIN_OK(f, MMIO_GPA, 8, 0x4c, 0x33, 0x0b);	/* xor r9, [rbx] */
	read_done(f, 0xffULL << 56);
	assert_int_equal(*reg(f, GPR_R9), 0);
	assert_int_equal(f->cpu.rflags & ARITH, ZF | PF);
}

/*
 * A read-modify-write: serve the read with @val, then the op is the write
 * of the result (returned), RIP still on the instruction; completing that
 * write moves RIP on.
 */
static u64 rmw_done(struct fixture *f, u64 val)
{
	unsigned int i;
	u64 res;

	assert_false(f->op.is_write);
	for (i = 0; i < f->op.len; i++)
		f->op.data[i] = val >> (8 * i);
	assert_int_equal(complete(f), VMCTL_EMU_WRITE_BACK);
	assert_int_equal(f->cpu.rip, f->rip);
	res = write_done(f);
	return res;
}

static void test64_rmw(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	/* lock or dword [rbx], 0x10 */
	BEGIN_OK(f, MMIO_GPA, 4, 0xf0, 0x83, 0x0b, 0x10);
	assert_int_equal(rmw_done(f, 0x80000001), 0x80000011);
	assert_int_equal(f->cpu.rflags & ARITH, SF | PF);
	assert_advanced(f, 4);

	/* xchg [rbx], eax: the register gets the old value */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RAX) = 0xffffffff00000005ULL;
	BEGIN_OK(f, MMIO_GPA, 4, 0x87, 0x03);
	assert_int_equal(rmw_done(f, 0x1234), 5);
	assert_int_equal(*reg(f, GPR_RAX), 0x1234);
	assert_advanced(f, 2);

	/* inc dword [rbx]: CF kept */
	f->cpu.rip = CODE64;
	f->cpu.rflags |= CF;
	BEGIN_OK(f, MMIO_GPA, 4, 0xff, 0x03);
	assert_int_equal(rmw_done(f, 0xffffffff), 0);
	assert_int_equal(f->cpu.rflags & ARITH, CF | ZF | PF | AF);

	/* not byte [rbx], then neg word [rbx] */
	f->cpu.rip = CODE64;
	BEGIN_OK(f, MMIO_GPA, 1, 0xf6, 0x13);
	assert_int_equal(rmw_done(f, 0x0f), 0xf0);
	f->cpu.rip = CODE64;
	BEGIN_OK(f, MMIO_GPA, 2, 0x66, 0xf7, 0x1b);
	assert_int_equal(rmw_done(f, 1), 0xffff);
	assert_int_equal(f->cpu.rflags & (CF | SF | ZF), CF | SF);

	/* sub [rbx], cl */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RCX) = 3;
	BEGIN_OK(f, MMIO_GPA, 1, 0x28, 0x0b);
	assert_int_equal(rmw_done(f, 2), 0xff);
	assert_int_equal(f->cpu.rflags & (CF | SF | ZF), CF | SF);
}

static void test64_bit_ops(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	/* lock bts [rbx], eax with eax = 33: bit 1 of the next dword */
	*reg(f, GPR_RAX) = 33;
	BEGIN_OK(f, MMIO_GPA + 4, 4, 0xf0, 0x0f, 0xab, 0x03);
	assert_int_equal(rmw_done(f, 0x1), 0x3);
	assert_int_equal(f->cpu.rflags & CF, 0);
	/* btr dword [rbx], 0: CF the old bit */
	f->cpu.rip = CODE64;
	BEGIN_OK(f, MMIO_GPA, 4, 0x0f, 0xba, 0x33, 0);
	assert_int_equal(rmw_done(f, 0x81), 0x80);
	assert_int_equal(f->cpu.rflags & CF, CF);
	/* bt dword [rbx], 7: one read, no write */
	f->cpu.rip = CODE64;
	BEGIN_OK(f, MMIO_GPA, 4, 0x0f, 0xba, 0x23, 7);
	read_done(f, 0x7f);
	assert_int_equal(f->cpu.rflags & CF, 0);
	assert_advanced(f, 4);
	/* A bit offset that misses the faulting page offset is refused. */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RAX) = 64;
	assert_int_equal(BEGIN(f, MMIO_GPA, 0x0f, 0xab, 0x03),
			 VMCTL_EMU_UNHANDLED);
}

static void test64_movnti(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	*reg(f, GPR_RCX) = 0x1122334455667788ULL;
	BEGIN_OK(f, MMIO_GPA, 8, 0x48, 0x0f, 0xc3, 0x0b);
	assert_int_equal(write_done(f), 0x1122334455667788ULL);
	assert_advanced(f, 4);
}

static void test64_xadd_cmpxchg(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	/* lock xadd [rbx], ecx: the sum to memory, the old value to ecx */
	*reg(f, GPR_RCX) = 5;
	BEGIN_OK(f, MMIO_GPA, 4, 0xf0, 0x0f, 0xc1, 0x0b);
	assert_int_equal(rmw_done(f, 0xfffffffe), 3);
	assert_int_equal(*reg(f, GPR_RCX), 0xfffffffe);
	assert_int_equal(f->cpu.rflags & (CF | ZF | SF), CF);
	assert_advanced(f, 4);

	/* lock cmpxchg [rbx], ecx, equal: ecx to memory, ZF, rax kept */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RAX) = 0xffffffff00000007ULL;
	*reg(f, GPR_RCX) = 0x99;
	BEGIN_OK(f, MMIO_GPA, 4, 0xf0, 0x0f, 0xb1, 0x0b);
	assert_int_equal(rmw_done(f, 7), 0x99);
	assert_int_equal(f->cpu.rflags & ARITH, ZF | PF);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffffff00000007ULL);
	assert_advanced(f, 4);
	/* ... not equal: eax gets memory, which is written back unchanged */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RAX) = 8;
	BEGIN_OK(f, MMIO_GPA, 4, 0xf0, 0x0f, 0xb1, 0x0b);
	assert_int_equal(rmw_done(f, 0x10), 0x10);
	assert_int_equal(*reg(f, GPR_RAX), 0x10);
	assert_int_equal(f->cpu.rflags & (CF | ZF | SF), CF | SF);
	/* cmpxchg byte [rbx], ch: the accumulator is al */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RAX) = 0x1234;
	*reg(f, GPR_RCX) = 0xab00;
	BEGIN_OK(f, MMIO_GPA, 1, 0x0f, 0xb0, 0x2b);
	assert_int_equal(rmw_done(f, 0x34), 0xab);

	/* cmpxchg8b [rbx]: edx:eax against memory, ecx:ebx stored */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RBX) = MMIO_GPA;
	*reg(f, GPR_RDX) = 0x11111111;
	*reg(f, GPR_RAX) = 0x22222222;
	*reg(f, GPR_RCX) = 0xd0000000;	/* ecx:ebx = 0xd0000000:MMIO_GPA */
	BEGIN_OK(f, MMIO_GPA, 8, 0xf0, 0x0f, 0xc7, 0x0b);
	assert_int_equal(rmw_done(f, 0x1111111122222222ULL),
			 0xd0000000d0000000ULL);
	assert_int_equal(f->cpu.rflags & ZF, ZF);
	f->cpu.rip = CODE64;
	BEGIN_OK(f, MMIO_GPA, 8, 0x0f, 0xc7, 0x0b);
	assert_int_equal(rmw_done(f, 0x3333333344444444ULL),
			 0x3333333344444444ULL);
	assert_int_equal(f->cpu.rflags & ZF, 0);
	assert_int_equal(*reg(f, GPR_RDX), 0x33333333);
	assert_int_equal(*reg(f, GPR_RAX), 0x44444444);
}

/* An access running from MMIO into the next page. */
static void test64_page_cross(void **state)
{
	struct fixture *f = *state;

	/* Into the next MMIO page: one access (the device's registers). */
	*reg(f, GPR_RBX) = MMIO_GPA + 0xffe;
	BEGIN_OK(f, MMIO_GPA + 0xffe, 4, 0x89, 0x03);	/* mov [rbx], eax */
	/* From the VGA hole into RAM: would need splitting, so refused. */
	f->cpu.rip = CODE64;
	*reg(f, GPR_RBX) = HOLE_END - 2;
	assert_int_equal(BEGIN(f, HOLE_END - 2, 0x89, 0x03),
			 VMCTL_EMU_UNHANDLED);
	assert_int_equal(BEGIN(f, HOLE_END - 2, 0x8b, 0x03),
			 VMCTL_EMU_UNHANDLED);	/* mov eax, [rbx] */
	*reg(f, GPR_RDI) = HOLE_END - 2;
	assert_int_equal(BEGIN(f, HOLE_END - 2, 0xab), VMCTL_EMU_UNHANDLED);
	/* From RAM into MMIO: the fault is at the second page. */
	*reg(f, GPR_RBX) = HOLE_GPA - 2;
	assert_int_equal(BEGIN(f, HOLE_GPA, 0x89, 0x03), VMCTL_EMU_UNHANDLED);
}

static void test64_movs_mmio_to_mmio(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	*reg(f, GPR_RSI) = MMIO_GPA + 0x10;
	*reg(f, GPR_RDI) = MMIO_GPA + 0x100;
	*reg(f, GPR_RCX) = 2;
	for (i = 0; i < 2; i++) {
		/* rep movsd: a read of the source, then the write */
		BEGIN_OK(f, MMIO_GPA + 0x10 + 4 * i, 4, 0xf3, 0xa5);
		f->op.data[0] = i + 1;
		assert_int_equal(complete(f), VMCTL_EMU_WRITE_BACK);
		assert_int_equal(f->cpu.rip, CODE64);
		assert_int_equal(*reg(f, GPR_RSI), MMIO_GPA + 0x10 + 4 * i);
		assert_int_equal(f->op.gpa, MMIO_GPA + 0x100 + 4 * i);
		assert_int_equal(write_done(f), i + 1);
		assert_int_equal(*reg(f, GPR_RCX), 1 - i);
	}
	assert_int_equal(f->cpu.rip, CODE64 + 2);
	assert_int_equal(*reg(f, GPR_RSI), MMIO_GPA + 0x18);
	assert_int_equal(*reg(f, GPR_RDI), MMIO_GPA + 0x108);
}

/* A write op claiming to be a read-modify-write's read is refused. */
static void test64_rmw_bad_op(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = MMIO_GPA;
	BEGIN_OK(f, MMIO_GPA, 4, 0x01, 0x03);
	f->op.is_write = true;
	assert_int_equal(complete(f), VMCTL_EMU_UNHANDLED);
	assert_int_equal(f->cpu.rip, CODE64);
}

static void test64_unsupported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(BEGIN(f, MMIO_GPA, 0xf4), VMCTL_EMU_UNHANDLED);
	assert_int_equal(BEGIN(f, MMIO_GPA, 0x0f, 0x0b), VMCTL_EMU_UNHANDLED);
	assert_int_equal(BEGIN(f, MMIO_GPA, 0xa7), VMCTL_EMU_UNHANDLED);
	/* An op that begin() did not produce is refused. */
	memset(&f->op, 0, sizeof(f->op));
	assert_int_equal(complete(f), VMCTL_EMU_UNHANDLED);
	assert_int_equal(f->cpu.rip, CODE64);
}

static void test64_gpa_mismatch(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RAX) = MMIO_GPA + 0x10;
	assert_int_equal(BEGIN(f, MMIO_GPA + 0x14, 0x89, 0x18),
			 VMCTL_EMU_UNHANDLED);
}

static void test64_rep_stos(void **state)
{
	struct fixture *f = *state;
	int i;

	*reg(f, GPR_RDI) = MMIO_GPA + 0x100;
	*reg(f, GPR_RCX) = 3;
	*reg(f, GPR_RAX) = 0x1122334455667788ULL;
	/* One element per exit; RIP stays until RCX reaches 0. */
	for (i = 0; i < 3; i++) {
		BEGIN_OK(f, MMIO_GPA + 0x100 + 4 * i, 4, 0xf3, 0xab);
		assert_int_equal(write_done(f), 0x55667788);
		assert_int_equal(*reg(f, GPR_RDI), MMIO_GPA + 0x104 + 4 * i);
		assert_int_equal(*reg(f, GPR_RCX), 2 - i);
		assert_int_equal(f->cpu.rip, i < 2 ? CODE64 : CODE64 + 2);
	}
	/* A REP with RCX = 0 accesses nothing, so it cannot be the cause. */
	f->cpu.rip = CODE64;
	assert_int_equal(BEGIN(f, MMIO_GPA + 0x10c, 0xf3, 0xab),
			 VMCTL_EMU_UNHANDLED);
	/* Without REP, RCX is left alone. */
	*reg(f, GPR_RCX) = 5;
	BEGIN_OK(f, MMIO_GPA + 0x10c, 8, 0x48, 0xab);	/* stosq */
	assert_int_equal(write_done(f), 0x1122334455667788ULL);
	assert_int_equal(*reg(f, GPR_RCX), 5);
	assert_int_equal(*reg(f, GPR_RDI), MMIO_GPA + 0x114);
	assert_advanced(f, 2);
}

static void test64_rep_stos_df(void **state)
{
	struct fixture *f = *state;

	f->cpu.rflags |= X86_EFLAGS_DF;
	*reg(f, GPR_RDI) = MMIO_GPA + 0x101;
	*reg(f, GPR_RCX) = 2;
	*reg(f, GPR_RAX) = 0x5a;
	BEGIN_OK(f, MMIO_GPA + 0x101, 1, 0xf3, 0xaa);	/* rep stosb */
	assert_int_equal(write_done(f), 0x5a);
	assert_int_equal(*reg(f, GPR_RDI), MMIO_GPA + 0x100);
	assert_int_equal(f->cpu.rip, CODE64);
	BEGIN_OK(f, MMIO_GPA + 0x100, 1, 0xf3, 0xaa);
	assert_int_equal(write_done(f), 0x5a);
	assert_int_equal(*reg(f, GPR_RDI), MMIO_GPA + 0xff);
	assert_int_equal(*reg(f, GPR_RCX), 0);
	assert_advanced(f, 2);
}

static void test64_stos_addr32(void **state)
{
	struct fixture *f = *state;

	/* 67 rep stosd: EDI and ECX, written as 32-bit registers */
	*reg(f, GPR_RDI) = 0xdead0000d0000000ULL;
	*reg(f, GPR_RCX) = 0xbeef000000000001ULL;
	BEGIN_OK(f, MMIO_GPA, 4, 0x67, 0xf3, 0xab);
	write_done(f);
	assert_int_equal(*reg(f, GPR_RDI), 0xd0000004ULL);
	assert_int_equal(*reg(f, GPR_RCX), 0);
	assert_advanced(f, 3);
}

static void test64_lods(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RSI) = MMIO_GPA + 8;
	*reg(f, GPR_RAX) = ~0ULL;
	BEGIN_OK(f, MMIO_GPA + 8, 2, 0x66, 0xad);	/* lodsw */
	read_done(f, 0x1234);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffffffffff1234ULL);
	assert_int_equal(*reg(f, GPR_RSI), MMIO_GPA + 10);
	assert_advanced(f, 2);
}

static void test64_movs_from_mmio(void **state)
{
	struct fixture *f = *state;
	u32 ram[2];

	*reg(f, GPR_RSI) = MMIO_GPA + 0x10;
	*reg(f, GPR_RDI) = 0x300000;
	*reg(f, GPR_RCX) = 2;
	BEGIN_OK(f, MMIO_GPA + 0x10, 4, 0xf3, 0xa5);	/* rep movsd */
	read_done(f, 0xaabbccdd);
	assert_int_equal(f->cpu.rip, CODE64);
	BEGIN_OK(f, MMIO_GPA + 0x14, 4, 0xf3, 0xa5);
	read_done(f, 0x11223344);
	assert_advanced(f, 2);
	guest_peek(f->g, 0x300000, ram, sizeof(ram));
	assert_int_equal(ram[0], 0xaabbccdd);
	assert_int_equal(ram[1], 0x11223344);
	assert_int_equal(*reg(f, GPR_RSI), MMIO_GPA + 0x18);
	assert_int_equal(*reg(f, GPR_RDI), 0x300008);
	assert_int_equal(*reg(f, GPR_RCX), 0);
}

static void test64_movs_to_mmio(void **state)
{
	struct fixture *f = *state;
	static const u8 src[4] = { 0x11, 0x22, 0x33, 0x44 };

	guest_poke(f->g, 0x300000, src, sizeof(src));
	f->cpu.rflags |= X86_EFLAGS_DF;
	*reg(f, GPR_RSI) = 0x300003;
	*reg(f, GPR_RDI) = MMIO_GPA + 0x23;
	BEGIN_OK(f, MMIO_GPA + 0x23, 1, 0xa4);		/* movsb */
	assert_int_equal(write_done(f), 0x44);
	assert_int_equal(*reg(f, GPR_RSI), 0x300002);
	assert_int_equal(*reg(f, GPR_RDI), MMIO_GPA + 0x22);
	assert_advanced(f, 1);
	BEGIN_OK(f, MMIO_GPA + 0x22, 1, 0xa4);
	assert_int_equal(write_done(f), 0x33);
	/* Neither side at the faulting gpa: not this instruction's access */
	assert_int_equal(BEGIN(f, MMIO_GPA + 0x40, 0xa4), VMCTL_EMU_UNHANDLED);
}

/* 64-bit state plus 4K pages at PAGED: +0 -> 0x310000 (code), +0x1000 ->
 * 0x320000 (code), +0x2000 unmapped, +0x3000 -> 0x330000 read-only,
 * +0x4000 -> MMIO_GPA.
 */
static int setup64_paged(void **state)
{
	struct fixture *f;

	setup64(state);
	f = *state;
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, PAGED, 0x310000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, PAGED + 0x1000, 0x320000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, PAGED + 0x3000, 0x330000, 4096,
		  PTE_ALL, PTE_P);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, PAGED + 0x4000, MMIO_GPA, 4096,
		  PTE_ALL, PTE_ALL);
	return 0;
}

static void test64_movs_paged(void **state)
{
	struct fixture *f = *state;
	u16 v;

	/* movsw from MMIO at linear PAGED+0x4000 to RAM at PAGED+0x10 */
	*reg(f, GPR_RSI) = PAGED + 0x4006;
	*reg(f, GPR_RDI) = PAGED + 0x10;
	BEGIN_OK(f, MMIO_GPA + 6, 2, 0x66, 0xa5);
	read_done(f, 0xbeef);
	guest_peek(f->g, 0x310010, &v, 2);
	assert_int_equal(v, 0xbeef);
	/* Into the read-only page: it faults before the MMIO read. */
	*reg(f, GPR_RSI) = PAGED + 0x4006;
	*reg(f, GPR_RDI) = PAGED + 0x3010;
	f->cpu.rip = CODE64;
	assert_int_equal(BEGIN(f, MMIO_GPA + 6, 0x66, 0xa5),
			 VMCTL_EMU_PAGE_FAULT);
	/* ... and at complete, should the page change in between. */
	*reg(f, GPR_RDI) = PAGED + 0x10;
	BEGIN_OK(f, MMIO_GPA + 6, 2, 0x66, 0xa5);
	*reg(f, GPR_RDI) = PAGED + 0x3010;
	assert_int_equal(complete(f), VMCTL_EMU_PAGE_FAULT);
	assert_int_equal(f->cpu.rip, CODE64);
	assert_int_equal(*reg(f, GPR_RSI), PAGED + 0x4006);
	/* MMIO to MMIO: the destination's gpa through the page tables */
	*reg(f, GPR_RDI) = PAGED + 0x4010;
	BEGIN_OK(f, MMIO_GPA + 6, 2, 0x66, 0xa5);
	assert_int_equal(complete(f), VMCTL_EMU_WRITE_BACK);
	assert_int_equal(f->op.gpa, MMIO_GPA + 0x10);
	/* RAM source through its page tables for an MMIO write */
	v = 0x1234;
	guest_poke(f->g, 0x320ffe, &v, 2);
	*reg(f, GPR_RSI) = PAGED + 0x1ffe;
	*reg(f, GPR_RDI) = PAGED + 0x4000;
	BEGIN_OK(f, MMIO_GPA, 2, 0x66, 0xa5);
	assert_int_equal(write_done(f), 0x1234);
	/* An unmapped RAM source is a page fault at begin */
	*reg(f, GPR_RSI) = PAGED + 0x2000;
	*reg(f, GPR_RDI) = PAGED + 0x4000;
	assert_int_equal(BEGIN(f, MMIO_GPA, 0x66, 0xa5), VMCTL_EMU_PAGE_FAULT);
}

static void test64_fetch_across_pages(void **state)
{
	struct fixture *f = *state;
	static const u8 head[2] = { 0x8b, 0x80 };	/* mov eax, [rax+0x10] */
	static const u8 tail[4] = { 0x10, 0x00, 0x00, 0x00 };

	guest_poke(f->g, 0x310ffe, head, 2);
	guest_poke(f->g, 0x320000, tail, 4);
	f->cpu.rip = PAGED + 0xffe;
	*reg(f, GPR_RAX) = MMIO_GPA;
	assert_int_equal(vmctl_mmio_begin(&f->cpu, &guest_ops, f->g,
					  MMIO_GPA + 0x10, &f->op), 0);
	assert_int_equal(f->op.insn_len, 6);
	read_done(f, 9);
	assert_int_equal(f->cpu.rip, PAGED + 0x1004);
	assert_int_equal(*reg(f, GPR_RAX), 9);
}

static void test64_fetch_at_end_of_mapping(void **state)
{
	struct fixture *f = *state;
	static const u8 store[2] = { 0x89, 0x18 };	/* mov [rax], ebx */
	static const u8 load[2] = { 0x8b, 0x80 };	/* needs 4 more */

	*reg(f, GPR_RAX) = MMIO_GPA;
	/* A short instruction at the end of the last mapped code page */
	guest_poke(f->g, 0x320ffe, store, 2);
	f->cpu.rip = PAGED + 0x1ffe;
	assert_int_equal(vmctl_mmio_begin(&f->cpu, &guest_ops, f->g,
					  MMIO_GPA, &f->op), 0);
	assert_true(f->op.is_write);
	/* One truncated at that boundary: its rest is not mapped */
	guest_poke(f->g, 0x320ffe, load, 2);
	assert_int_equal(vmctl_mmio_begin(&f->cpu, &guest_ops, f->g,
					  MMIO_GPA + 0x10, &f->op),
			 VMCTL_EMU_PAGE_FAULT);
	/* Code in an unmapped page */
	f->cpu.rip = PAGED + 0x2000;
	assert_int_equal(vmctl_mmio_begin(&f->cpu, &guest_ops, f->g,
					  MMIO_GPA, &f->op),
			 VMCTL_EMU_PAGE_FAULT);
}

/* ---- 32-bit protected mode ------------------------------------------ */

static void test32_modrm_segment_base(void **state)
{
	struct fixture *f = *state;

	f->cpu.seg_base[SEG_DS] = 0x1000;
	*reg(f, GPR_RBX) = HOLE_GPA + 0x100 - 0x1000 - 0x10;
	BEGIN_OK(f, HOLE_GPA + 0x100, 4, 0x8b, 0x43, 0x10); /* eax, [ebx+16] */
	read_done(f, 0xfeedface);
	assert_int_equal(*reg(f, GPR_RAX), 0xfeedface);
	assert_advanced(f, 3);
	*reg(f, GPR_RCX) = 0x1234;
	BEGIN_OK(f, HOLE_GPA + 0x100, 2, 0x66, 0x89, 0x4b, 0x10);
	assert_int_equal(write_done(f), 0x1234);
	/* The SS base for [ebp+disp] */
	f->cpu.seg_base[SEG_SS] = 0x2000;
	*reg(f, GPR_RBP) = HOLE_GPA - 0x2000;
	BEGIN_OK(f, HOLE_GPA + 0x8, 1, 0x88, 0x45, 0x08);	/* [ebp+8], al */
	write_done(f);
	/* 32-bit code with REX-looking bytes: 0x40 is INC EAX */
	assert_int_equal(BEGIN(f, HOLE_GPA, 0x40, 0x89, 0x00),
			 VMCTL_EMU_UNHANDLED);
}

static void test32_rep_stos(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RDI) = HOLE_GPA;
	*reg(f, GPR_RCX) = 2;
	*reg(f, GPR_RAX) = 0xa5a5a5a5;
	BEGIN_OK(f, HOLE_GPA, 4, 0xf3, 0xab);
	assert_int_equal(write_done(f), 0xa5a5a5a5);
	assert_int_equal(f->cpu.rip, CODE32);
	BEGIN_OK(f, HOLE_GPA + 4, 4, 0xf3, 0xab);
	write_done(f);
	assert_advanced(f, 2);
	assert_int_equal(*reg(f, GPR_RCX), 0);
}

static void test32_movs_addr16(void **state)
{
	struct fixture *f = *state;
	u16 v;

	/* 67 66 movsw: SI/DI wrap at 64K and keep the upper bits */
	f->cpu.seg_base[SEG_DS] = HOLE_GPA - 0xf000;
	f->cpu.seg_base[SEG_ES] = 0x300000;
	*reg(f, GPR_RSI) = 0x1234fffe;
	*reg(f, GPR_RDI) = 0x5678fffe;
	BEGIN_OK(f, HOLE_GPA + 0xffe, 2, 0x67, 0x66, 0xa5);
	read_done(f, 0x4321);
	assert_int_equal(*reg(f, GPR_RSI), 0x12340000);
	assert_int_equal(*reg(f, GPR_RDI), 0x56780000);
	assert_advanced(f, 3);
	guest_peek(f->g, 0x30fffe, &v, 2);
	assert_int_equal(v, 0x4321);
}

static void test32_compat_mode_wraps(void **state)
{
	struct fixture *f = *state;
	u32 v;

	/* Compatibility mode: 4-level paging, 32-bit linear addresses */
	cpu_long64(&f->cpu, f->g);
	f->cpu.cs_l = false;
	f->cpu.cs_db = true;
	f->cpu.seg_base[SEG_ES] = 0xf0000000;
	*reg(f, GPR_RSI) = MMIO_GPA;
	*reg(f, GPR_RDI) = 0x10300000;		/* ES:EDI wraps to 0x300000 */
	BEGIN_OK(f, MMIO_GPA, 4, 0xa5);		/* movsd */
	read_done(f, 0x600df00d);
	guest_peek(f->g, 0x300000, &v, 4);
	assert_int_equal(v, 0x600df00d);
	assert_advanced(f, 1);
	/* ... and the MMIO side is found through the wrapped address. */
	*reg(f, GPR_RSI) = 0x300000;
	*reg(f, GPR_RDI) = MMIO_GPA + 0x10000000;
	BEGIN_OK(f, MMIO_GPA, 4, 0xa5);
	assert_int_equal(write_done(f), 0x600df00d);
}

/* ---- real mode ------------------------------------------------------ */

static void test16_bx_si_disp(void **state)
{
	struct fixture *f = *state;

	f->cpu.seg_base[SEG_DS] = HOLE_GPA;		/* DS = 0xa000 */
	*reg(f, GPR_RBX) = 0x100;
	*reg(f, GPR_RSI) = 0x20;
	*reg(f, GPR_RAX) = ~0ULL;
	BEGIN_OK(f, HOLE_GPA + 0x124, 2, 0x8b, 0x40, 0x04); /* ax,[bx+si+4] */
	read_done(f, 0xbeef);
	assert_int_equal(*reg(f, GPR_RAX), 0xffffffffffffbeefULL);
	assert_int_equal(f->cpu.rip, IP16 + 3);
	/* 66: mov eax, [bx+si+4] writes EAX, zero-extending */
	BEGIN_OK(f, HOLE_GPA + 0x124, 4, 0x66, 0x8b, 0x40, 0x04);
	read_done(f, 0x12345678);
	assert_int_equal(*reg(f, GPR_RAX), 0x12345678);
	/* mov byte [0x0010], 0x7f */
	BEGIN_OK(f, HOLE_GPA + 0x10, 1, 0xc6, 0x06, 0x10, 0x00, 0x7f);
	assert_int_equal(write_done(f), 0x7f);
	assert_advanced(f, 5);
}

static void test16_bp_uses_ss(void **state)
{
	struct fixture *f = *state;

	f->cpu.seg_base[SEG_SS] = 0xb0000;
	f->cpu.seg_base[SEG_ES] = 0xa0000;
	*reg(f, GPR_RBP) = 0x10;
	*reg(f, GPR_RDI) = 0x2;
	*reg(f, GPR_RAX) = 0x77;
	BEGIN_OK(f, 0xb0012, 1, 0x88, 0x03);		/* mov [bp+di], al */
	assert_int_equal(write_done(f), 0x77);
	assert_int_equal(f->cpu.rip, IP16 + 2);
	BEGIN_OK(f, 0xa0012, 1, 0x26, 0x88, 0x03);	/* es:[bp+di] */
	write_done(f);
	/* A fault at another offset is not this instruction's access */
	assert_int_equal(BEGIN(f, 0xb0013, 0x88, 0x03), VMCTL_EMU_UNHANDLED);
}

static void test16_rep_stosw_df(void **state)
{
	struct fixture *f = *state;

	f->cpu.seg_base[SEG_ES] = 0xb8000;
	f->cpu.rflags |= X86_EFLAGS_DF;
	*reg(f, GPR_RDI) = 0xffff0002;
	*reg(f, GPR_RCX) = 0xdead0002;
	*reg(f, GPR_RAX) = 0x0741;
	BEGIN_OK(f, 0xb8002, 2, 0xf3, 0xab);		/* rep stosw */
	assert_int_equal(write_done(f), 0x0741);
	assert_int_equal(*reg(f, GPR_RDI), 0xffff0000);
	assert_int_equal(*reg(f, GPR_RCX), 0xdead0001);
	assert_int_equal(f->cpu.rip, IP16);
	BEGIN_OK(f, 0xb8000, 2, 0xf3, 0xab);
	write_done(f);
	/* DI wraps within 64K, the upper bits stay */
	assert_int_equal(*reg(f, GPR_RDI), 0xfffffffe);
	assert_int_equal(*reg(f, GPR_RCX), 0xdead0000);
	assert_int_equal(f->cpu.rip, IP16 + 2);
}

static void test16_ip_wraps(void **state)
{
	struct fixture *f = *state;

	f->cpu.rip = 0xfffe;
	*reg(f, GPR_RBX) = 0x10;
	BEGIN_OK(f, 0x10, 2, 0x89, 0x07);		/* mov [bx], ax */
	write_done(f);
	assert_int_equal(f->cpu.rip, 0);
}

/*
 * A read completes from op->len bytes of op->data only: the kernel copies
 * no more than that from the run page, and bytes past it (stale, or
 * whatever userspace wrote there) never reach a register.
 */
static void test64_read_uses_only_op_len(void **state)
{
	struct fixture *f = *state;

	*reg(f, GPR_RBX) = 0x1000;
	*reg(f, GPR_RAX) = 0x1122334455667788ULL;
	BEGIN_OK(f, 0x1000, 1, 0x8a, 0x03);		/* mov al, [rbx] */
	memset(f->op.data, 0xee, sizeof(f->op.data));
	f->op.data[0] = 0x5a;
	assert_int_equal(complete(f), 0);
	assert_int_equal(*reg(f, GPR_RAX), 0x112233445566775aULL);

	f->cpu.rip = CODE64;
	*reg(f, GPR_RAX) = ~0ULL;
	BEGIN_OK(f, 0x1000, 4, 0x8b, 0x03);		/* mov eax, [rbx] */
	memset(f->op.data, 0xee, sizeof(f->op.data));
	memcpy(f->op.data, "\x01\x02\x03\x04", 4);
	assert_int_equal(complete(f), 0);
	assert_int_equal(*reg(f, GPR_RAX), 0x04030201ULL);
}

/*
 * The same for a string read: REP MOVSB from MMIO writes op->len (1)
 * byte per element into guest RAM, whatever the rest of op->data holds,
 * and the byte after the destination stays as it was.
 */
static void test64_string_read_uses_only_op_len(void **state)
{
	struct fixture *f = *state;
	static const u8 before[4] = { 0x77, 0x77, 0x77, 0x77 };
	u8 ram[4];

	guest_poke(f->g, 0x300000, before, sizeof(before));
	*reg(f, GPR_RSI) = MMIO_GPA;
	*reg(f, GPR_RDI) = 0x300000;
	*reg(f, GPR_RCX) = 2;
	BEGIN_OK(f, MMIO_GPA, 1, 0xf3, 0xa4);		/* rep movsb */
	memset(f->op.data, 0xee, sizeof(f->op.data));
	f->op.data[0] = 0x5a;
	assert_int_equal(complete(f), 0);
	BEGIN_OK(f, MMIO_GPA + 1, 1, 0xf3, 0xa4);
	memset(f->op.data, 0xee, sizeof(f->op.data));
	f->op.data[0] = 0xa5;
	assert_int_equal(complete(f), 0);
	assert_advanced(f, 2);
	guest_peek(f->g, 0x300000, ram, sizeof(ram));
	assert_int_equal(ram[0], 0x5a);
	assert_int_equal(ram[1], 0xa5);
	assert_int_equal(ram[2], 0x77);
	assert_int_equal(ram[3], 0x77);
	assert_int_equal(*reg(f, GPR_RCX), 0);
}

int main(void)
{
#define T64(fn) cmocka_unit_test_setup_teardown(fn, setup64, teardown)
#define TPG(fn) cmocka_unit_test_setup_teardown(fn, setup64_paged, teardown)
#define T32(fn) cmocka_unit_test_setup_teardown(fn, setup32, teardown)
#define T16(fn) cmocka_unit_test_setup_teardown(fn, setup16, teardown)
	const struct CMUnitTest tests[] = {
		T64(test64_store_reg),
		T64(test64_read_uses_only_op_len),
		T64(test64_load_partial_registers),
		T64(test64_movzx_movsx),
		T64(test64_movsxd),
		T64(test64_store_imm),
		T64(test64_moffs),
		T64(test64_rip_relative),
		T64(test64_segments),
		T64(test64_cmp_flags),
		T64(test64_test_flags),
		T64(test64_alu_to_register),
		T64(test64_rmw),
		T64(test64_bit_ops),
		T64(test64_movnti),
		T64(test64_rmw_bad_op),
		T64(test64_xadd_cmpxchg),
		T64(test64_page_cross),
		T64(test64_movs_mmio_to_mmio),
		T64(test64_unsupported),
		T64(test64_gpa_mismatch),
		T64(test64_rep_stos),
		T64(test64_rep_stos_df),
		T64(test64_stos_addr32),
		T64(test64_lods),
		T64(test64_movs_from_mmio),
		T64(test64_movs_to_mmio),
		T64(test64_string_read_uses_only_op_len),
		TPG(test64_movs_paged),
		TPG(test64_fetch_across_pages),
		TPG(test64_fetch_at_end_of_mapping),
		T32(test32_modrm_segment_base),
		T32(test32_rep_stos),
		T32(test32_movs_addr16),
		T32(test32_compat_mode_wraps),
		T16(test16_bx_si_disp),
		T16(test16_bp_uses_ss),
		T16(test16_rep_stosw_df),
		T16(test16_ip_wraps),
	};

	return cmocka_run_group_tests_name("emulate", tests, NULL, NULL);
}
