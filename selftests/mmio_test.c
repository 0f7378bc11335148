// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: guest accesses to a guest-physical address outside every slot
 * exit to userspace decoded (address, size, direction, data), one form of
 * each supported instruction at a time, read-modify-writes as a read and
 * then a write; writes to a read-only slot exit the same way and leave
 * memory alone; a page marked MMIO in EPT becomes RAM when a slot covers
 * it and MMIO again when the slot goes; an instruction the decoder does
 * not know ends in an internal error, not a host crash.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "die.h"
#include "modes.h"
#include "ucall.h"

#define MMIO	__stringify(MMIO_GPA)
#define DATA	__stringify(DATA_GPA)

#define X86_FLAGS_CF	(1UL << 0)
#define X86_FLAGS_ZF	(1UL << 6)
#define X86_FLAGS_SF	(1UL << 7)
#define X86_FLAGS_OF	(1UL << 11)
#define ARITH_FLAGS	(X86_FLAGS_CF | X86_FLAGS_ZF | X86_FLAGS_SF | X86_FLAGS_OF)

/* The device behind MMIO_GPA: a read of @len bytes at @gpa returns this. */
static uint64_t dev_value(uint64_t gpa, uint32_t len)
{
	uint64_t v = 0xf0e0d0c0b0a09080ULL + (gpa - MMIO_GPA);

	return len == 8 ? v : v & ((1ULL << (8 * len)) - 1);
}

static uint64_t sext(uint64_t v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (uint64_t)((int64_t)(v << shift) >> shift);
}

struct access {
	uint64_t gpa;
	uint32_t len;
	int is_write;
	uint64_t data;
};

#define MAX_ACCESSES	16

struct mmio_log {
	int n;
	struct access a[MAX_ACCESSES];
};

/*
 * Serve MMIO exits (logging each access, answering reads with dev_value())
 * until the guest's next ucall.  Returns the ucall type, UCALL_NONE on any
 * other exit.
 */
static int mmio_run(struct vcpu *vcpu, struct mmio_log *log,
		    struct ucall *uc)
{
	struct vmctl_run *run = vcpu->run;

	memset(log, 0, sizeof(*log));
	for (;;) {
		struct access *a;

		if (vcpu_run(vcpu))
			return UCALL_NONE;
		if (run->exit_reason != VMCTL_EXIT_MMIO ||
		    log->n == MAX_ACCESSES)
			return ucall_decode(vcpu, uc);
		a = &log->a[log->n++];
		a->gpa = run->mmio.phys_addr;
		a->len = run->mmio.len;
		a->is_write = run->mmio.is_write;
		if (a->len > 8)
			return UCALL_NONE;
		if (a->is_write) {
			memcpy(&a->data, run->mmio.data, a->len);
		} else {
			a->data = dev_value(a->gpa, a->len);
			memcpy(run->mmio.data, &a->data, a->len);
		}
	}
}

/* Access @i of @log: at guest-physical @addr, @size bytes. */
#define EXPECT_ACCESS_AT(log, i, addr, size, write) do {		\
	EXPECT_EQ((uint64_t)(addr), (log)->a[i].gpa);			\
	EXPECT_EQ(size, (log)->a[i].len);				\
	EXPECT_EQ(write, (log)->a[i].is_write);				\
} while (0)

#define EXPECT_WRITE_AT(log, i, addr, size, val) do {			\
	EXPECT_ACCESS_AT(log, i, addr, size, 1);			\
	EXPECT_EQ((uint64_t)(val), (log)->a[i].data);			\
} while (0)

/* The same at offset @off from MMIO_GPA. */
#define EXPECT_WRITE(log, i, off, size, val) \
	EXPECT_WRITE_AT(log, i, MMIO_GPA + (off), size, val)
#define EXPECT_READ(log, i, off, size) \
	EXPECT_ACCESS_AT(log, i, MMIO_GPA + (off), size, 0)

FIXTURE(mmio) {
	struct vcpu *vcpu;
	struct mmio_log log;
	struct ucall uc;
};

FIXTURE_SETUP(mmio) { }

FIXTURE_TEARDOWN(mmio)
{
	if (self->vcpu)
		guest_destroy(self->vcpu);
}

GUEST64(mov_store_guest,
	"mov $" MMIO ", %ebx\n\t"
	"mov $0x11, %al\n\t"
	"mov %al, (%rbx)\n\t"
	"mov $0x2233, %ax\n\t"
	"mov %ax, 2(%rbx)\n\t"
	"mov $0x44556677, %eax\n\t"
	"mov %eax, 4(%rbx)\n\t"
	"movabs $0x8899aabbccddeeff, %rax\n\t"
	"mov %rax, 8(%rbx)\n\t"
	"movabs $0x0102030405060708, %r10\n\t"
	"mov %r10, 16(%rbx)\n\t"
	"mov $0x5a00, %eax\n\t"
	"mov %ah, 24(%rbx)\n\t"
	"mov $2, %ecx\n\t"
	"mov %eax, 0x20(%rbx,%rcx,4)\n\t"	/* SIB: offset 0x28 */
	"movabs %eax, " MMIO " + 0x30\n\t"	/* moffs */
	G_UCALL(UCALL_DONE));

TEST_F(mmio, mov_store)
{
	self->vcpu = vcpu_create_guest(&mov_store_guest);
	ASSERT_EQ(UCALL_DONE, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(8, self->log.n);
	EXPECT_WRITE(&self->log, 0, 0, 1, 0x11);
	EXPECT_WRITE(&self->log, 1, 2, 2, 0x2233);
	EXPECT_WRITE(&self->log, 2, 4, 4, 0x44556677);
	EXPECT_WRITE(&self->log, 3, 8, 8, 0x8899aabbccddeeffULL);
	EXPECT_WRITE(&self->log, 4, 16, 8, 0x0102030405060708ULL);
	EXPECT_WRITE(&self->log, 5, 24, 1, 0x5a);
	EXPECT_WRITE(&self->log, 6, 0x28, 4, 0x5a00);
	EXPECT_WRITE(&self->log, 7, 0x30, 4, 0x5a00);
}

/*
 * Loads: 8- and 16-bit ones keep the rest of the register, 32-bit ones
 * zero-extend.
 */
GUEST64(mov_load_guest,
	"mov $" MMIO ", %ebx\n\t"
	"movabs $0x1111111111111111, %rax\n\t"
	"mov (%rbx), %al\n\t"
	"mov %rax, %rdi\n\t"
	"movabs $0x2222222222222222, %rsi\n\t"
	"mov 2(%rbx), %si\n\t"
	"mov $-1, %rdx\n\t"
	"mov 4(%rbx), %edx\n\t"
	"mov 8(%rbx), %rcx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov 16(%rbx), %r12\n\t"
	"mov %r12, %rdi\n\t"
	"movabs $0x4444444444444444, %rax\n\t"
	"mov 25(%rbx), %ah\n\t"
	"mov %rax, %rsi\n\t"
	"mov $-1, %rax\n\t"
	"movabs " MMIO " + 0x30, %eax\n\t"	/* moffs */
	"mov %rax, %rdx\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, mov_load)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&mov_load_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(4, log->n);
	EXPECT_READ(log, 0, 0, 1);
	EXPECT_READ(log, 1, 2, 2);
	EXPECT_READ(log, 2, 4, 4);
	EXPECT_READ(log, 3, 8, 8);
	EXPECT_EQ(0x1111111111111100ULL | dev_value(MMIO_GPA, 1),
		  self->uc.args[0]);
	EXPECT_EQ(0x2222222222220000ULL | dev_value(MMIO_GPA + 2, 2),
		  self->uc.args[1]);
	EXPECT_EQ(dev_value(MMIO_GPA + 4, 4), self->uc.args[2]);
	EXPECT_EQ(dev_value(MMIO_GPA + 8, 8), self->uc.args[3]);

	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(3, log->n);
	EXPECT_READ(log, 0, 16, 8);
	EXPECT_READ(log, 1, 25, 1);
	EXPECT_READ(log, 2, 0x30, 4);
	EXPECT_EQ(dev_value(MMIO_GPA + 16, 8), self->uc.args[0]);
	EXPECT_EQ(0x4444444444440044ULL | dev_value(MMIO_GPA + 25, 1) << 8,
		  self->uc.args[1]);
	EXPECT_EQ(dev_value(MMIO_GPA + 0x30, 4), self->uc.args[2]);
}

GUEST64(movzx_movsx_guest,
	"mov $" MMIO ", %ebx\n\t"
	"movzbl (%rbx), %edi\n\t"
	"movzwq 2(%rbx), %rsi\n\t"
	"movsbq 4(%rbx), %rdx\n\t"
	"mov $-1, %rcx\n\t"
	"movswl 6(%rbx), %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	"movslq 8(%rbx), %rdi\n\t"
	"movabs $0x5555555555555555, %rsi\n\t"
	"movsbw 10(%rbx), %si\n\t"
	"movabs $0x6666666666666666, %rdx\n\t"
	"movzbw 11(%rbx), %dx\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, movzx_movsx)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&movzx_movsx_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(4, log->n);
	EXPECT_READ(log, 0, 0, 1);
	EXPECT_READ(log, 1, 2, 2);
	EXPECT_READ(log, 2, 4, 1);
	EXPECT_READ(log, 3, 6, 2);
	EXPECT_EQ(dev_value(MMIO_GPA, 1), self->uc.args[0]);
	EXPECT_EQ(dev_value(MMIO_GPA + 2, 2), self->uc.args[1]);
	EXPECT_EQ(sext(dev_value(MMIO_GPA + 4, 1), 1), self->uc.args[2]);
	EXPECT_EQ((uint32_t)sext(dev_value(MMIO_GPA + 6, 2), 2),
		  self->uc.args[3]);

	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(3, log->n);
	EXPECT_READ(log, 0, 8, 4);
	EXPECT_READ(log, 1, 10, 1);
	EXPECT_READ(log, 2, 11, 1);
	EXPECT_EQ(sext(dev_value(MMIO_GPA + 8, 4), 4), self->uc.args[0]);
	EXPECT_EQ(0x5555555555550000ULL |
		  (sext(dev_value(MMIO_GPA + 10, 1), 1) & 0xffff),
		  self->uc.args[1]);
	EXPECT_EQ(0x6666666666660000ULL | dev_value(MMIO_GPA + 11, 1),
		  self->uc.args[2]);
}

GUEST64(mov_imm_guest,
	"mov $" MMIO ", %ebx\n\t"
	"movb $0x5a, (%rbx)\n\t"
	"movw $0x1234, 2(%rbx)\n\t"
	"movl $0xdeadbeef, 4(%rbx)\n\t"
	"movq $-2, 8(%rbx)\n\t"		/* imm32, sign-extended */
	G_UCALL(UCALL_DONE));

TEST_F(mmio, mov_imm)
{
	self->vcpu = vcpu_create_guest(&mov_imm_guest);
	ASSERT_EQ(UCALL_DONE, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(4, self->log.n);
	EXPECT_WRITE(&self->log, 0, 0, 1, 0x5a);
	EXPECT_WRITE(&self->log, 1, 2, 2, 0x1234);
	EXPECT_WRITE(&self->log, 2, 4, 4, 0xdeadbeef);
	EXPECT_WRITE(&self->log, 3, 8, 8, 0xfffffffffffffffeULL);
}

GUEST64(stos_guest,
	"mov $" MMIO ", %edi\n\t"
	"mov $0x42, %al\n\t"
	"stosb\n\t"
	"mov $0x4243, %ax\n\t"
	"stosw\n\t"
	"mov $0x01020304, %eax\n\t"
	"stosl\n\t"
	"movabs $0x1112131415161718, %rax\n\t"
	"stosq\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, stos)
{
	self->vcpu = vcpu_create_guest(&stos_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(4, self->log.n);
	EXPECT_WRITE(&self->log, 0, 0, 1, 0x42);
	EXPECT_WRITE(&self->log, 1, 1, 2, 0x4243);
	EXPECT_WRITE(&self->log, 2, 3, 4, 0x01020304);
	EXPECT_WRITE(&self->log, 3, 7, 8, 0x1112131415161718ULL);
	EXPECT_EQ(MMIO_GPA + 15, self->uc.args[0]);
}

GUEST64(rep_stos_guest,
	"mov $" MMIO " + 0x100, %edi\n\t"
	"mov $4, %ecx\n\t"
	"mov $0xa5a5a5a5, %eax\n\t"
	"rep stosl\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" MMIO " + 0x200, %edi\n\t"
	"mov $2, %ecx\n\t"
	"movabs $0x0123456789abcdef, %rax\n\t"
	"rep stosq\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, rep_stos)
{
	int i;

	self->vcpu = vcpu_create_guest(&rep_stos_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(4, self->log.n);
	for (i = 0; i < 4; i++)
		EXPECT_WRITE(&self->log, i, 0x100 + 4 * i, 4, 0xa5a5a5a5);
	EXPECT_EQ(MMIO_GPA + 0x110, self->uc.args[0]);
	EXPECT_EQ(0, self->uc.args[3]);

	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(2, self->log.n);
	for (i = 0; i < 2; i++)
		EXPECT_WRITE(&self->log, i, 0x200 + 8 * i, 8,
			     0x0123456789abcdefULL);
	EXPECT_EQ(MMIO_GPA + 0x210, self->uc.args[0]);
	EXPECT_EQ(0, self->uc.args[3]);
}

/* The ucall reports RDI, RSI and RCX as they are after the string move. */
GUEST64(movs_to_mmio_guest,
	"mov $" DATA ", %esi\n\t"
	"mov $" MMIO " + 0x300, %edi\n\t"
	"movsb\n\t"
	"mov $3, %ecx\n\t"
	"rep movsl\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, movs_ram_to_mmio)
{
	uint8_t *ram;
	uint32_t v;
	int i;

	self->vcpu = vcpu_create_guest(&movs_to_mmio_guest);
	ram = gpa_to_hva(self->vcpu->vm, DATA_GPA);
	for (i = 0; i < 16; i++)
		ram[i] = 3 * i + 1;
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(4, self->log.n);
	EXPECT_WRITE(&self->log, 0, 0x300, 1, ram[0]);
	for (i = 0; i < 3; i++) {
		memcpy(&v, ram + 1 + 4 * i, 4);
		EXPECT_WRITE(&self->log, i + 1, 0x301 + 4 * i, 4, v);
	}
	EXPECT_EQ(MMIO_GPA + 0x30d, self->uc.args[0]);
	EXPECT_EQ(DATA_GPA + 13, self->uc.args[1]);
	EXPECT_EQ(0, self->uc.args[3]);
}

GUEST64(movs_from_mmio_guest,
	"mov $" MMIO " + 0x400, %esi\n\t"
	"mov $" DATA " + 0x100, %edi\n\t"
	"mov $3, %ecx\n\t"
	"rep movsw\n\t"
	G_UCALL(UCALL_SYNC)
	"movsq\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, movs_mmio_to_ram)
{
	uint8_t *ram;
	uint64_t v = 0;
	int i;

	self->vcpu = vcpu_create_guest(&movs_from_mmio_guest);
	ram = gpa_to_hva(self->vcpu->vm, DATA_GPA + 0x100);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(3, self->log.n);
	for (i = 0; i < 3; i++) {
		EXPECT_READ(&self->log, i, 0x400 + 2 * i, 2);
		memcpy(&v, ram + 2 * i, 2);
		EXPECT_EQ(dev_value(MMIO_GPA + 0x400 + 2 * i, 2), v);
	}
	EXPECT_EQ(DATA_GPA + 0x106, self->uc.args[0]);
	EXPECT_EQ(MMIO_GPA + 0x406, self->uc.args[1]);
	EXPECT_EQ(0, self->uc.args[3]);

	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, &self->log, &self->uc));
	ASSERT_EQ(1, self->log.n);
	EXPECT_READ(&self->log, 0, 0x406, 8);
	memcpy(&v, ram + 6, 8);
	EXPECT_EQ(dev_value(MMIO_GPA + 0x406, 8), v);
}

/* CMP and TEST only read; the guest reports the arithmetic flags. */
GUEST64(cmp_test_guest,
	"mov $" MMIO ", %ebx\n\t"
	"cmpl $0xb0a09084, 4(%rbx)\n\t"		/* equal */
	"pushfq\n\t"
	"pop %rdi\n\t"
	"cmpb $0x7f, (%rbx)\n\t"		/* 0x80 - 0x7f: signed overflow */
	"pushfq\n\t"
	"pop %rsi\n\t"
	"testb $0x80, (%rbx)\n\t"		/* sign bit set */
	"pushfq\n\t"
	"pop %rdx\n\t"
	"mov $0x80, %ecx\n\t"
	"cmp %cl, (%rbx)\n\t"			/* equal, register form */
	"pushfq\n\t"
	"pop %rcx\n\t"
	G_UCALL(UCALL_SYNC)
	"testl $1, 4(%rbx)\n\t"			/* zero */
	"pushfq\n\t"
	"pop %rdi\n\t"
	"xor %eax, %eax\n\t"
	"cmp 8(%rbx), %rax\n\t"			/* 0 - mem: borrow */
	"pushfq\n\t"
	"pop %rsi\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, cmp_test_read)
{
	struct mmio_log *log = &self->log;
	int i;

	self->vcpu = vcpu_create_guest(&cmp_test_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(4, log->n);
	EXPECT_READ(log, 0, 4, 4);
	for (i = 1; i < 4; i++)
		EXPECT_READ(log, i, 0, 1);
	EXPECT_EQ(X86_FLAGS_ZF, self->uc.args[0] & ARITH_FLAGS);
	EXPECT_EQ(X86_FLAGS_OF, self->uc.args[1] & ARITH_FLAGS);
	EXPECT_EQ(X86_FLAGS_SF, self->uc.args[2] & ARITH_FLAGS);
	EXPECT_EQ(X86_FLAGS_ZF, self->uc.args[3] & ARITH_FLAGS);

	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(2, log->n);
	EXPECT_READ(log, 0, 4, 4);
	EXPECT_READ(log, 1, 8, 8);
	EXPECT_EQ(X86_FLAGS_ZF, self->uc.args[0] & ARITH_FLAGS);
	EXPECT_EQ(X86_FLAGS_CF, self->uc.args[1] & ARITH_FLAGS);
}

/* The decoder in 32-bit protected mode: no REX, 32-bit addressing. */
GUEST32(mmio32_guest,
	"mov $" MMIO ", %ebx\n\t"
	"movl $0x11223344, (%ebx)\n\t"
	"movzbl 1(%ebx), %edi\n\t"
	"mov 4(%ebx), %si\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, protected_mode_32)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&mmio32_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(3, log->n);
	EXPECT_WRITE(log, 0, 0, 4, 0x11223344);
	EXPECT_READ(log, 1, 1, 1);
	EXPECT_READ(log, 2, 4, 2);
	EXPECT_EQ(dev_value(MMIO_GPA + 1, 1), self->uc.args[0]);
	EXPECT_EQ(dev_value(MMIO_GPA + 4, 2), self->uc.args[1] & 0xffff);
}

/*
 * Real mode: slot 0 split around a hole at 0xa0000-0xbffff (where a PC
 * has its VGA window), reached with 16-bit addressing forms.
 */
#define HOLE_GPA	0xa0000
#define HOLE_END	0xc0000

GUEST16(mmio16_guest,
	"mov $" __stringify(HOLE_GPA) " >> 4, %ax\n\t"
	"mov %ax, %ds\n\t"
	"movw $0x1234, 0x10\n\t"
	"mov $0x20, %bx\n\t"
	"mov $0x4, %si\n\t"
	"mov (%bx,%si), %di\n\t"
	"movb $0x5a, 2(%bx)\n\t"
	G_UCALL(UCALL_SYNC));

static void punch_hole(struct vm *vm)
{
	struct vmctl_mem_slot low = {
		.slot = 0, .guest_phys = 0, .size = HOLE_GPA,
		.user_addr = (unsigned long)vm->mem,
	};
	struct vmctl_mem_slot high = {
		.slot = 1, .guest_phys = HOLE_END,
		.size = GUEST_MEM_SIZE - HOLE_END,
		.user_addr = (unsigned long)vm->mem + HOLE_END,
	};

	die_unless(ioctl(vm->fd, VMCTL_DELETE_MEM_SLOT, 0) == 0,
		   "VMCTL_DELETE_MEM_SLOT");
	die_unless(ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &low) == 0,
		   "VMCTL_SET_MEM_SLOT");
	die_unless(ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &high) == 0,
		   "VMCTL_SET_MEM_SLOT");
}

TEST_F(mmio, real_mode_16)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&mmio16_guest);
	punch_hole(self->vcpu->vm);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(3, log->n);
	EXPECT_WRITE_AT(log, 0, HOLE_GPA + 0x10, 2, 0x1234);
	EXPECT_ACCESS_AT(log, 1, HOLE_GPA + 0x24, 2, 0);
	EXPECT_WRITE_AT(log, 2, HOLE_GPA + 0x22, 1, 0x5a);
	EXPECT_EQ(dev_value(HOLE_GPA + 0x24, 2), self->uc.args[0] & 0xffff);
}

#define RO_GPA		0x200000
#define RO_SIZE		0x1000

GUEST64(readonly_guest,
	"mov $" __stringify(RO_GPA) ", %ebx\n\t"
	"mov (%rbx), %rdi\n\t"
	"movq $0x1234, 8(%rbx)\n\t"
	"mov 8(%rbx), %rsi\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, readonly_slot)
{
	struct vmctl_mem_slot slot = { 0 };
	struct vmctl_vm_info info = { 0 };
	struct vmctl_run *run;
	uint8_t *ro;
	int i;

	self->vcpu = vcpu_create_guest(&readonly_guest);
	run = self->vcpu->run;
	if (!ioctl(self->vcpu->vm->sys_fd, VMCTL_CHECK_CAP,
		   VMCTL_CAP_READONLY_MEM))
		SKIP(return, "no VMCTL_CAP_READONLY_MEM");
	ro = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0x5a, RO_SIZE);
	slot.slot = 1;
	slot.flags = VMCTL_MEM_READONLY;
	slot.guest_phys = RO_GPA;
	slot.size = RO_SIZE;
	slot.user_addr = (unsigned long)ro;
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &slot));
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_GET_VM_INFO, &info));
	EXPECT_EQ(GUEST_MEM_SIZE + RO_SIZE, info.mem_bytes);

	/* The read is plain memory, the write exits. */
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(VMCTL_EXIT_MMIO, run->exit_reason);
	EXPECT_EQ(RO_GPA + 8, run->mmio.phys_addr);
	EXPECT_EQ(8, run->mmio.len);
	EXPECT_EQ(1, run->mmio.is_write);
	EXPECT_EQ(0x1234, *(uint64_t *)run->mmio.data);

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &self->uc));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, self->uc.args[0]);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, self->uc.args[1]);
	for (i = 0; i < RO_SIZE; i++)
		if (ro[i] != 0x5a)
			break;
	EXPECT_EQ(RO_SIZE, i);
	munmap(ro, RO_SIZE);
}

/*
 * Read-modify-writes, as Linux does them on device memory (set_bit() is
 * LOCK BTS): each is a read exit, then a write exit with the result.
 */
GUEST64(rmw_guest,
	"mov $" MMIO ", %ebx\n\t"
	"lock orl $0x10, (%rbx)\n\t"
	"mov $0x1234, %eax\n\t"
	"xchg %eax, 8(%rbx)\n\t"
	"mov %rax, %rdi\n\t"
	"mov $33, %ecx\n\t"
	"lock btsl %ecx, 0x10(%rbx)\n\t"	/* bit 1 at offset 0x14 */
	"incq 0x18(%rbx)\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, read_modify_write)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&rmw_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(8, log->n);
	EXPECT_READ(log, 0, 0, 4);
	EXPECT_WRITE(log, 1, 0, 4, dev_value(MMIO_GPA, 4) | 0x10);
	EXPECT_READ(log, 2, 8, 4);
	EXPECT_WRITE(log, 3, 8, 4, 0x1234);
	EXPECT_EQ(dev_value(MMIO_GPA + 8, 4), self->uc.args[0]);
	EXPECT_READ(log, 4, 0x14, 4);
	EXPECT_WRITE(log, 5, 0x14, 4, dev_value(MMIO_GPA + 0x14, 4) | 2);
	EXPECT_READ(log, 6, 0x18, 8);
	EXPECT_WRITE(log, 7, 0x18, 8, dev_value(MMIO_GPA + 0x18, 8) + 1);
}

/*
 * XADD and CMPXCHG are read-modify-writes too; a CMPXCHG that finds
 * another value writes it back, as the CPU does (a locked read always
 * has its write).
 */
GUEST64(exchange_guest,
	"mov $" MMIO ", %ebx\n\t"
	"mov $5, %ecx\n\t"
	"lock xadd %ecx, 0x20(%rbx)\n\t"
	"mov %rcx, %rdi\n\t"
	"mov $0xb0a090a8, %eax\n\t"	/* dev_value(MMIO_GPA + 0x28, 4) */
	"mov $0x77, %edx\n\t"
	"lock cmpxchg %edx, 0x28(%rbx)\n\t"
	"mov $1, %eax\n\t"
	"lock cmpxchg %edx, 0x30(%rbx)\n\t"
	"mov %rax, %rsi\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"lock cmpxchg8b 0x38(%rbx)\n\t"
	"shl $32, %rdx\n\t"
	"or %rax, %rdx\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, xadd_cmpxchg)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&exchange_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(8, log->n);
	EXPECT_READ(log, 0, 0x20, 4);
	EXPECT_WRITE(log, 1, 0x20, 4, dev_value(MMIO_GPA + 0x20, 4) + 5);
	EXPECT_EQ(dev_value(MMIO_GPA + 0x20, 4), self->uc.args[0]);
	EXPECT_READ(log, 2, 0x28, 4);
	EXPECT_WRITE(log, 3, 0x28, 4, 0x77);
	EXPECT_READ(log, 4, 0x30, 4);
	EXPECT_WRITE(log, 5, 0x30, 4, dev_value(MMIO_GPA + 0x30, 4));
	EXPECT_EQ(dev_value(MMIO_GPA + 0x30, 4), self->uc.args[1]);
	EXPECT_READ(log, 6, 0x38, 8);
	EXPECT_WRITE(log, 7, 0x38, 8, dev_value(MMIO_GPA + 0x38, 8));
	EXPECT_EQ(dev_value(MMIO_GPA + 0x38, 8), self->uc.args[2]);
}

/* memmove() within a device's memory: each element a read, then a write. */
GUEST64(movs_mmio_mmio_guest,
	"mov $" MMIO " + 0x500, %esi\n\t"
	"mov $" MMIO " + 0x600, %edi\n\t"
	"mov $2, %ecx\n\t"
	"rep movsl\n\t"
	G_UCALL(UCALL_SYNC));

TEST_F(mmio, movs_mmio_to_mmio)
{
	struct mmio_log *log = &self->log;

	self->vcpu = vcpu_create_guest(&movs_mmio_mmio_guest);
	ASSERT_EQ(UCALL_SYNC, mmio_run(self->vcpu, log, &self->uc));
	ASSERT_EQ(4, log->n);
	EXPECT_READ(log, 0, 0x500, 4);
	EXPECT_WRITE(log, 1, 0x600, 4, dev_value(MMIO_GPA + 0x500, 4));
	EXPECT_READ(log, 2, 0x504, 4);
	EXPECT_WRITE(log, 3, 0x604, 4, dev_value(MMIO_GPA + 0x504, 4));
	EXPECT_EQ(MMIO_GPA + 0x608, self->uc.args[0]);
	EXPECT_EQ(MMIO_GPA + 0x508, self->uc.args[1]);
	EXPECT_EQ(0, self->uc.args[3]);
}

/*
 * An access that runs from one MMIO page into the next is one access; one
 * that runs from MMIO into RAM is refused, not sent to the device whole
 * with the RAM bytes lost.
 */
GUEST64(page_cross_guest,
	"mov $" MMIO " + 0xffe, %ebx\n\t"
	"movl $0x11223344, (%rbx)\n\t"
	"mov $" __stringify(HOLE_END) " - 2, %ebx\n\t"
	"movl $0x55667788, (%rbx)\n\t"
	G_UCALL(UCALL_DONE));

TEST_F(mmio, page_cross)
{
	struct vmctl_run *run;

	self->vcpu = vcpu_create_guest(&page_cross_guest);
	run = self->vcpu->run;
	punch_hole(self->vcpu->vm);
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(VMCTL_EXIT_MMIO, run->exit_reason);
	EXPECT_EQ(MMIO_GPA + 0xffe, run->mmio.phys_addr);
	EXPECT_EQ(4, run->mmio.len);
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(VMCTL_EXIT_INTERNAL_ERROR, run->exit_reason);
	EXPECT_EQ(VMCTL_INTERNAL_EMULATION, run->internal.suberror);
}

GUEST64(unsupported_guest,
	"mov $" MMIO ", %ebx\n\t"
	"adc %eax, (%rbx)\n\t"
	G_UCALL(UCALL_DONE));

TEST_F(mmio, unsupported_instruction_is_internal_error)
{
	struct vmctl_run *run;

	self->vcpu = vcpu_create_guest(&unsupported_guest);
	run = self->vcpu->run;
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(VMCTL_EXIT_INTERNAL_ERROR, run->exit_reason);
	EXPECT_EQ(VMCTL_INTERNAL_EMULATION, run->internal.suberror);
}

/* Reads MMIO_GPA and reports what it read, forever. */
GUEST64(reread_guest,
	"mov $" MMIO ", %ebx\n\t"
	"1: mov (%rbx), %rdi\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

static uint64_t hw_exits(struct vcpu *vcpu, unsigned int reason)
{
	struct vmctl_vcpu_stats st = { 0 };

	die_unless(ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, &st) == 0,
		   "VMCTL_GET_VCPU_STATS");
	return st.hw_exits[reason];
}

/* One read of MMIO_GPA exits as MMIO, answered with @val, and comes back. */
static void expect_mmio_read(struct __test_metadata *_metadata,
			     struct vcpu *vcpu, uint64_t val)
{
	struct vmctl_run *run = vcpu->run;
	struct ucall uc;

	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_MMIO, run->exit_reason);
	ASSERT_EQ(MMIO_GPA, run->mmio.phys_addr);
	ASSERT_EQ(8, run->mmio.len);
	ASSERT_EQ(0, run->mmio.is_write);
	memcpy(run->mmio.data, &val, 8);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(val, uc.args[0]);
}

/*
 * A page in no slot is marked MMIO in EPT once touched (its later
 * accesses are EPT misconfigurations); a slot added over it must see RAM
 * at once, and once the slot is gone the page is MMIO again.
 */
TEST_F(mmio, marker_follows_slot_changes)
{
	struct vmctl_mem_slot slot = {
		.slot = 1, .guest_phys = MMIO_GPA, .size = 0x1000,
	};
	struct vcpu *vcpu;
	uint64_t *page, misconfig;
	struct ucall uc;

	self->vcpu = vcpu = vcpu_create_guest(&reread_guest);
	vm_prefault_ram(vcpu->vm);
	page = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	page[0] = 0x1122334455667788ULL;
	slot.user_addr = (unsigned long)page;

	/* First touch: an EPT violation; then the marker answers. */
	expect_mmio_read(_metadata, vcpu, 1);
	misconfig = hw_exits(vcpu, VMCTL_HW_EXIT_EPT_MISCONFIG);
	expect_mmio_read(_metadata, vcpu, 2);
	EXPECT_EQ(misconfig + 1, hw_exits(vcpu, VMCTL_HW_EXIT_EPT_MISCONFIG));

	/* A slot over it: RAM, no MMIO exit. */
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &slot));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x1122334455667788ULL, uc.args[0]);
	page[0] = 0x99;
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x99, uc.args[0]);

	/* The slot gone: MMIO again, and marked again. */
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT, 1));
	expect_mmio_read(_metadata, vcpu, 3);
	misconfig = hw_exits(vcpu, VMCTL_HW_EXIT_EPT_MISCONFIG);
	expect_mmio_read(_metadata, vcpu, 4);
	EXPECT_EQ(misconfig + 1, hw_exits(vcpu, VMCTL_HW_EXIT_EPT_MISCONFIG));

	/* And RAM once more, through a marker made after the first slot. */
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &slot));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x99, uc.args[0]);
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT, 1));
	munmap(page, 0x1000);
}

TEST_HARNESS_MAIN
