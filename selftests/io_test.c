// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits: IN and OUT of each size with the value going both ways,
 * and string I/O (REP OUTS/INS) moving guest memory through the run
 * structure; string I/O on guest memory that does not translate raises
 * the guest's #PF before any port is touched.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "string_io.h"
#include "ucall.h"

#define TEST_PORT	0x1234

static const uint8_t *io_data(const struct vmctl_run *run)
{
	return (const uint8_t *)run + run->io.data_offset;
}

/* Run to the next exit and require it to be a single @dir access. */
#define ASSERT_IO_EXIT(vcpu, dir, sz, p) do {				\
	ASSERT_EQ(0, vcpu_run(vcpu));					\
	ASSERT_EQ(VMCTL_EXIT_IO, (vcpu)->run->exit_reason);		\
	ASSERT_EQ(dir, (vcpu)->run->io.direction);			\
	ASSERT_EQ(sz, (vcpu)->run->io.size);				\
	ASSERT_EQ(p, (vcpu)->run->io.port);				\
	ASSERT_EQ(1, (vcpu)->run->io.count);				\
} while (0)

GUEST64(out_guest,
	"mov $0xab, %al\n\t"
	"out %al, $0x80\n\t"
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"mov $0xbeef, %ax\n\t"
	"out %ax, %dx\n\t"
	"mov $0xdeadbeef, %eax\n\t"
	"out %eax, %dx\n\t"
	G_UCALL(UCALL_DONE));

TEST(out_sizes)
{
	struct vcpu *vcpu = vcpu_create_guest(&out_guest);
	struct ucall uc;
	uint32_t val = 0;

	ASSERT_IO_EXIT(vcpu, VMCTL_IO_OUT, 1, 0x80);
	EXPECT_EQ(0xab, io_data(vcpu->run)[0]);
	ASSERT_IO_EXIT(vcpu, VMCTL_IO_OUT, 2, TEST_PORT);
	memcpy(&val, io_data(vcpu->run), 2);
	EXPECT_EQ(0xbeef, val);
	ASSERT_IO_EXIT(vcpu, VMCTL_IO_OUT, 4, TEST_PORT);
	memcpy(&val, io_data(vcpu->run), 4);
	EXPECT_EQ(0xdeadbeef, val);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/*
 * IN writes AL, AX or EAX: the first two keep the rest of RAX, the 32-bit
 * one zero-extends like every 32-bit register write.  The guest sends each
 * value back incremented: the round trip.
 */
GUEST64(in_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"in $0x81, %al\n\t"
	"mov %rax, %rdi\n\t"
	"inc %al\n\t"
	"out %al, $0x81\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"in %dx, %ax\n\t"
	"mov %rax, %rsi\n\t"
	"inc %ax\n\t"
	"out %ax, %dx\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"in %dx, %eax\n\t"
	"mov %rax, %rcx\n\t"
	"inc %eax\n\t"
	"out %eax, %dx\n\t"
	G_UCALL(UCALL_SYNC));

TEST(in_sizes_round_trip)
{
	struct vcpu *vcpu = vcpu_create_guest(&in_guest);
	struct vmctl_run *run = vcpu->run;
	const uint32_t in32 = 0x89abcdef;
	struct ucall uc;
	uint32_t val = 0;

	ASSERT_IO_EXIT(vcpu, VMCTL_IO_IN, 1, 0x81);
	memcpy((uint8_t *)run + run->io.data_offset, &in32, 1);
	ASSERT_IO_EXIT(vcpu, VMCTL_IO_OUT, 1, 0x81);
	EXPECT_EQ(0xf0, io_data(run)[0]);

	ASSERT_IO_EXIT(vcpu, VMCTL_IO_IN, 2, TEST_PORT);
	memcpy((uint8_t *)run + run->io.data_offset, &in32, 2);
	ASSERT_IO_EXIT(vcpu, VMCTL_IO_OUT, 2, TEST_PORT);
	memcpy(&val, io_data(run), 2);
	EXPECT_EQ(0xcdf0, val);

	ASSERT_IO_EXIT(vcpu, VMCTL_IO_IN, 4, TEST_PORT);
	memcpy((uint8_t *)run + run->io.data_offset, &in32, 4);
	ASSERT_IO_EXIT(vcpu, VMCTL_IO_OUT, 4, TEST_PORT);
	memcpy(&val, io_data(run), 4);
	EXPECT_EQ(in32 + 1, val);

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x11223344556677efULL, uc.args[0]);
	EXPECT_EQ(0x112233445566cdefULL, uc.args[1]);
	EXPECT_EQ(0x0000000089abcdefULL, uc.args[3]);
	guest_destroy(vcpu);
}

/* string_io() on TEST_PORT with @buf an array (IN only reads it). */
#define STRING_IO(vcpu, dir, size, buf, len) \
	string_io(vcpu, dir, TEST_PORT, size, (uint8_t *)(buf), sizeof(buf), len)

/* REP OUTSB then REP OUTSL; each reports the final RSI and RCX. */
GUEST64(outs_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"lea outs_msg(%rip), %rsi\n\t"
	"mov $11, %ecx\n\t"
	"rep outsb\n\t"
	"mov %rsi, %rdi\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"lea outs_msg(%rip), %rsi\n\t"
	"mov $3, %ecx\n\t"
	"rep outsl\n\t"
	"mov %rsi, %rdi\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"
	"outs_msg: .ascii \"hello world!\"\n");

GUEST_LABEL(outs_msg);

TEST(rep_outs)
{
	struct vcpu *vcpu = vcpu_create_guest(&outs_guest);
	unsigned long msg = guest_addr(&outs_guest, outs_msg);
	uint8_t buf[64];
	struct ucall uc;
	size_t len;
	int exits;

	exits = STRING_IO(vcpu, VMCTL_IO_OUT, 1, buf, &len);
	ASSERT_GE(exits, 1);
	ASSERT_EQ(11, len);
	EXPECT_EQ(0, memcmp(buf, "hello world", 11));
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(msg + 11, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	TH_LOG("rep outsb: 11 bytes in %d exit(s)", exits);

	exits = STRING_IO(vcpu, VMCTL_IO_OUT, 4, buf, &len);
	ASSERT_GE(exits, 1);
	ASSERT_EQ(12, len);
	EXPECT_EQ(0, memcmp(buf, "hello world!", 12));
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(msg + 12, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	guest_destroy(vcpu);
}

/* REP INSB then REP INSW into DATA_GPA; each reports RDI and RCX. */
GUEST64(ins_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"mov $" __stringify(DATA_GPA) ", %edi\n\t"
	"mov $8, %ecx\n\t"
	"rep insb\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(DATA_GPA) " + 0x100, %edi\n\t"
	"mov $5, %ecx\n\t"
	"rep insw\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n");

TEST(rep_ins)
{
	static const uint8_t src[] = "0123456789abcdefghij";
	struct vcpu *vcpu = vcpu_create_guest(&ins_guest);
	uint8_t *data = gpa_to_hva(vcpu->vm, DATA_GPA);
	struct ucall uc;
	size_t len;

	ASSERT_GE(STRING_IO(vcpu, VMCTL_IO_IN, 1, src, &len), 1);
	ASSERT_EQ(8, len);
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(DATA_GPA + 8, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(0, memcmp(data, src, 8));
	EXPECT_EQ(0, data[8]);

	ASSERT_GE(STRING_IO(vcpu, VMCTL_IO_IN, 2, src, &len), 1);
	ASSERT_EQ(10, len);
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(DATA_GPA + 0x100 + 10, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(0, memcmp(data + 0x100, src, 10));
	EXPECT_EQ(0, data[0x100 + 10]);
	guest_destroy(vcpu);
}

/*
 * REP OUTSB crossing a guest page boundary (the kernel may split it at
 * the page), then the same bytes backwards with EFLAGS.DF set.
 */
GUEST64(outs_cross_page_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"mov $" __stringify(DATA_GPA) " + 0xff0, %esi\n\t"
	"mov $32, %ecx\n\t"
	"rep outsb\n\t"
	"mov %rsi, %rdi\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(DATA_GPA) " + 0x100f, %esi\n\t"
	"mov $32, %ecx\n\t"
	"std\n\t"
	"rep outsb\n\t"
	"cld\n\t"
	"mov %rsi, %rdi\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n");

TEST(rep_outs_across_pages_and_backwards)
{
	struct vcpu *vcpu = vcpu_create_guest(&outs_cross_page_guest);
	uint8_t *src = gpa_to_hva(vcpu->vm, DATA_GPA + 0xff0);
	uint8_t buf[64];
	struct ucall uc;
	size_t len;
	int i, exits;

	for (i = 0; i < 32; i++)
		src[i] = 0x40 + i;
	exits = STRING_IO(vcpu, VMCTL_IO_OUT, 1, buf, &len);
	ASSERT_GE(exits, 1);
	ASSERT_EQ(32, len);
	EXPECT_EQ(0, memcmp(buf, src, 32));
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(DATA_GPA + 0x1010, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	TH_LOG("32 bytes across a page boundary in %d exit(s)", exits);

	ASSERT_GE(STRING_IO(vcpu, VMCTL_IO_OUT, 1, buf, &len), 1);
	ASSERT_EQ(32, len);
	for (i = 0; i < 32; i++)
		EXPECT_EQ(src[31 - i], buf[i]) TH_LOG("byte %d", i);
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(DATA_GPA + 0xfef, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	guest_destroy(vcpu);
}

/*
 * REP INSB to a page the guest's tables do not map (past the 4 GiB the
 * library maps), REP OUTSB from there, then, with CR0.WP set (no exit:
 * the guest owns that bit), REP INSB into a page the host made read-only
 * in the guest's page directory.  Each raises #PF at the instruction; the
 * host moves the exception frame's RIP on to the next label.
 */
#define UNMAPPED_GVA	0x100000000ULL
#define RO_GVA		0x200000ULL	/* PD entry 1: made read-only */
#define X86_CR0_WP_BIT	0x10000

GUEST64(string_fault_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"mov $4, %ecx\n\t"
	"movabs $" __stringify(UNMAPPED_GVA) ", %rdi\n"
	"string_fault_ins:\n\t"
	"rep insb\n"
	"string_fault_ins_next:\n\t"
	"movabs $" __stringify(UNMAPPED_GVA) " + 0x10, %rsi\n"
	"string_fault_outs:\n\t"
	"rep outsb\n"
	"string_fault_outs_next:\n\t"
	"mov %cr0, %rax\n\t"
	"or $" __stringify(X86_CR0_WP_BIT) ", %eax\n\t"
	"mov %rax, %cr0\n\t"
	"mov $" __stringify(RO_GVA) " + 0x20, %edi\n"
	"string_fault_ro:\n\t"
	"rep insb\n"
	"string_fault_ro_next:\n\t"
	"mov %rcx, %rdi\n\t"
	G_UCALL(UCALL_DONE)
	"hlt\n");

GUEST_LABEL(string_fault_ins);
GUEST_LABEL(string_fault_ins_next);
GUEST_LABEL(string_fault_outs);
GUEST_LABEL(string_fault_outs_next);
GUEST_LABEL(string_fault_ro);
GUEST_LABEL(string_fault_ro_next);

/*
 * The next exit is the guest's #PF at @insn with @err and CR2 @cr2 (no
 * I/O exit before it); its handler will return to @next.
 */
static bool page_fault_at(struct vcpu *vcpu, unsigned long insn,
			  uint64_t err, uint64_t cr2, unsigned long next)
{
	struct vmctl_sregs sregs;
	struct vmctl_regs regs;
	struct ucall uc;

	if (vcpu_ucall(vcpu, &uc) != UCALL_EXCEPTION || uc.args[0] != 14 ||
	    uc.args[1] != err || uc.args[2] != insn)
		return false;
	vcpu_get_sregs(vcpu, &sregs);
	vcpu_get_regs(vcpu, &regs);
	*(uint64_t *)gpa_to_hva(vcpu->vm, regs.rsp + 48) = next;
	return sregs.cr2 == cr2;
}

TEST(string_io_page_faults)
{
	struct vcpu *vcpu = vcpu_create_guest(&string_fault_guest);
	const struct guest_code *g = &string_fault_guest;
	uint64_t *pd = gpa_to_hva(vcpu->vm, PD_GPA);
	struct ucall uc;

	pd[1] &= ~2ULL;			/* RW clear: 2-4 MiB read-only */
	/* Not present: W for INS, nothing for OUTS' read. */
	EXPECT_TRUE(page_fault_at(vcpu, guest_addr(g, string_fault_ins), 2,
				  UNMAPPED_GVA,
				  guest_addr(g, string_fault_ins_next)));
	EXPECT_TRUE(page_fault_at(vcpu, guest_addr(g, string_fault_outs), 0,
				  UNMAPPED_GVA + 0x10,
				  guest_addr(g, string_fault_outs_next)));
	/* Present but read-only: P and W. */
	EXPECT_TRUE(page_fault_at(vcpu, guest_addr(g, string_fault_ro), 3,
				  RO_GVA + 0x20,
				  guest_addr(g, string_fault_ro_next)));
	/* Nothing was counted down. */
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(4, uc.args[0]);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
