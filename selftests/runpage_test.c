// SPDX-License-Identifier: GPL-2.0
/*
 * The run page is userspace's to rewrite at any time: between an exit and
 * the next RUN, or from another thread while RUN is in the kernel.  The
 * kernel must complete every exit from what it saved when the exit
 * happened (I/O size, count, direction; MMIO length and direction) and
 * take only the data bytes from the run page.  Each test here rewrites
 * the exit's description to absurd values and checks the guest sees the
 * correct completion (run_all.sh and vm-run check the kernel log stays
 * free of WARN/BUG lines).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define TEST_PORT	0x1234
#define MMIO		__stringify(MMIO_GPA)
#define PAGE		4096

static uint8_t *io_data(struct vmctl_run *run)
{
	return (uint8_t *)run + PAGE;
}

/* An I/O exit's description turned into nonsense; the data page kept. */
static void scribble_io(struct vmctl_run *run)
{
	run->exit_reason = 0xdeadbeef;
	run->flags = ~0ULL;
	run->io.direction = run->io.direction == VMCTL_IO_IN ? VMCTL_IO_OUT :
							      VMCTL_IO_IN;
	run->io.size = 255;
	run->io.port = 0xffff;
	run->io.count = 0xffffffff;
	run->io.data_offset = ~0ULL;
}

/* The same for an MMIO exit, keeping mmio.data. */
static void scribble_mmio(struct vmctl_run *run)
{
	run->exit_reason = 0xdeadbeef;
	run->mmio.phys_addr = ~0ULL;
	run->mmio.len = 0xffffffff;
	run->mmio.is_write = !run->mmio.is_write;
	memset(run->mmio.padding, 0xff, sizeof(run->mmio.padding));
}

#define ASSERT_EXIT(vcpu, reason) do {					\
	ASSERT_EQ(0, vcpu_run(vcpu));					\
	ASSERT_EQ(reason, (vcpu)->run->exit_reason);			\
} while (0)

/* IN of each size; RDI, RSI, RDX report RAX after each. */
GUEST64(in_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"in %dx, %al\n\t"
	"mov %rax, %rdi\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"in %dx, %ax\n\t"
	"mov %rax, %rsi\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"in %dx, %eax\n\t"
	"mov %rax, %rdx\n\t"
	G_UCALL(UCALL_SYNC));

TEST(in_size_from_the_exit_not_the_run_page)
{
	struct vcpu *vcpu = vcpu_create_guest(&in_guest);
	struct vmctl_run *run = vcpu->run;
	struct ucall uc;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EXIT(vcpu, VMCTL_EXIT_IO);
		ASSERT_EQ(VMCTL_IO_IN, run->io.direction);
		memset(io_data(run), 0xa5, PAGE);
		scribble_io(run);
		/* The 32-bit IN is told it is a 1-byte one. */
		if (i == 2)
			run->io.size = 1;
	}
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x11223344556677a5ULL, uc.args[0]);
	EXPECT_EQ(0x112233445566a5a5ULL, uc.args[1]);
	EXPECT_EQ(0xa5a5a5a5ULL, uc.args[2]);
	guest_destroy(vcpu);
}

/* REP INSB of 16 bytes into DATA_GPA; then REP OUTSB of them. */
GUEST64(string_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"mov $" __stringify(DATA_GPA) ", %edi\n\t"
	"mov $16, %ecx\n\t"
	"rep insb\n\t"
	"mov %rdi, %rsi\n\t"
	"mov %rcx, %rdx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(DATA_GPA) ", %esi\n\t"
	"mov $16, %ecx\n\t"
	"rep outsb\n\t"
	"mov %rsi, %rdi\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC));

/*
 * INS told it moves 0xffffffff elements of 255 bytes writes exactly the
 * elements the kernel offered; OUTS told it is an IN writes no guest
 * memory.
 */
TEST(string_io_count_and_direction_from_the_exit)
{
	struct vcpu *vcpu = vcpu_create_guest(&string_guest);
	uint8_t *data = gpa_to_hva(vcpu->vm, DATA_GPA);
	struct vmctl_run *run = vcpu->run;
	uint8_t expect[16];
	uint32_t moved = 0;
	struct ucall uc;
	int i;

	memset(data, 0x11, 64);
	for (;;) {
		uint32_t count;

		ASSERT_EQ(0, vcpu_run(vcpu));
		if (exit_is_ucall(run))
			break;
		ASSERT_EQ(VMCTL_EXIT_IO, run->exit_reason);
		ASSERT_EQ(VMCTL_IO_IN, run->io.direction);
		count = run->io.count;
		ASSERT_LE(moved + count, 16);
		for (i = 0; i < PAGE; i++)
			io_data(run)[i] = i < (int)count ? 0x40 + moved + i :
							   0xee;
		moved += count;
		scribble_io(run);
	}
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(16, moved);
	EXPECT_EQ(DATA_GPA + 16, uc.args[1]);
	EXPECT_EQ(0, uc.args[2]);
	for (i = 0; i < 16; i++)
		expect[i] = 0x40 + i;
	EXPECT_EQ(0, memcmp(data, expect, 16));
	for (i = 16; i < 64; i++)
		EXPECT_EQ(0x11, data[i]) TH_LOG("byte %d past the INS", i);

	moved = 0;
	for (;;) {
		ASSERT_EQ(0, vcpu_run(vcpu));
		if (exit_is_ucall(run))
			break;
		ASSERT_EQ(VMCTL_EXIT_IO, run->exit_reason);
		ASSERT_EQ(VMCTL_IO_OUT, run->io.direction);
		ASSERT_EQ(0, memcmp(io_data(run), expect + moved,
				    run->io.count));
		moved += run->io.count;
		memset(io_data(run), 0xee, PAGE);
		scribble_io(run);
	}
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	EXPECT_EQ(16, moved);
	EXPECT_EQ(DATA_GPA + 16, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(0, memcmp(data, expect, 16));
	for (i = 16; i < 64; i++)
		EXPECT_EQ(0x11, data[i]) TH_LOG("byte %d past the OUTS", i);
	guest_destroy(vcpu);
}

/* MMIO loads of 1 and 4 bytes, a 4-byte store; RDI, RSI, RDX report. */
GUEST64(mmio_guest,
	"mov $" MMIO ", %ebx\n\t"
	"mov $-1, %rax\n\t"
	"mov (%rbx), %al\n\t"
	"mov %rax, %rdi\n\t"
	"mov $-1, %rax\n\t"
	"mov 8(%rbx), %eax\n\t"
	"mov %rax, %rsi\n\t"
	"movabs $0x7766554433221100, %rax\n\t"
	"movl $0x12345678, 16(%rbx)\n\t"
	"mov %rax, %rdx\n\t"
	G_UCALL(UCALL_SYNC));

TEST(mmio_length_and_direction_from_the_exit)
{
	static const uint8_t bytes[8] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
	};
	struct vcpu *vcpu = vcpu_create_guest(&mmio_guest);
	struct vmctl_run *run = vcpu->run;
	struct ucall uc;

	ASSERT_EXIT(vcpu, VMCTL_EXIT_MMIO);
	ASSERT_EQ(1, run->mmio.len);
	ASSERT_EQ(0, run->mmio.is_write);
	memcpy(run->mmio.data, bytes, 8);
	scribble_mmio(run);

	ASSERT_EXIT(vcpu, VMCTL_EXIT_MMIO);
	ASSERT_EQ(4, run->mmio.len);
	memcpy(run->mmio.data, bytes, 8);
	scribble_mmio(run);
	run->mmio.len = 1;

	/* A store turned into an 8-byte load: RAX must not change. */
	ASSERT_EXIT(vcpu, VMCTL_EXIT_MMIO);
	ASSERT_EQ(4, run->mmio.len);
	ASSERT_EQ(1, run->mmio.is_write);
	memcpy(run->mmio.data, bytes, 8);
	scribble_mmio(run);
	run->mmio.len = 8;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0xffffffffffffff11ULL, uc.args[0]);
	EXPECT_EQ(0x44332211ULL, uc.args[1]);
	EXPECT_EQ(0x7766554433221100ULL, uc.args[2]);
	guest_destroy(vcpu);
}

/* ROUNDS times: IN of 1, 2 and 4 bytes, summed in RBX; RDI reports it. */
#define ROUNDS 200
GUEST64(in_loop_guest,
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"xor %ebx, %ebx\n\t"
	"mov $" __stringify(ROUNDS) ", %ecx\n"
	"1:\n\t"
	"xor %eax, %eax\n\t"
	"in %dx, %al\n\t"
	"add %rax, %rbx\n\t"
	"xor %eax, %eax\n\t"
	"in %dx, %ax\n\t"
	"add %rax, %rbx\n\t"
	"in %dx, %eax\n\t"
	"add %rax, %rbx\n\t"
	"loop 1b\n\t"
	"mov %rbx, %rdi\n\t"
	G_UCALL(UCALL_SYNC));

struct scribbler {
	struct vmctl_run *run;
	volatile int stop;
};

/* Rewrites the exit description (never the data page) as fast as it can. */
static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	uint32_t x = 1;

	while (!s->stop) {
		x = x * 1103515245 + 12345;
		s->run->exit_reason = x;
		s->run->io.direction = x >> 8;
		s->run->io.size = x >> 16;
		s->run->io.count = x;
		s->run->io.port = x >> 4;
		s->run->io.data_offset = (uint64_t)x << 20;
	}
	return NULL;
}

/*
 * Another thread rewrites the run page while RUN is in the kernel.  The
 * guest's INs follow a fixed sequence, so the host need not read the
 * (scribbled) exit: it fills the data page and runs, 3 * ROUNDS times.
 */
TEST(run_page_rewritten_during_run)
{
	struct vcpu *vcpu = vcpu_create_guest(&in_loop_guest);
	struct scribbler s = { .run = vcpu->run };
	const uint32_t in = 0x01020304;
	struct ucall uc;
	pthread_t t;
	int i;

	memcpy(io_data(vcpu->run), &in, 4);
	ASSERT_EQ(0, pthread_create(&t, NULL, scribble, &s));
	for (i = 0; i < 3 * ROUNDS; i++)
		if (vcpu_run(vcpu))
			break;
	s.stop = 1;
	pthread_join(t, NULL);
	ASSERT_EQ(3 * ROUNDS, i);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ((uint64_t)ROUNDS * (0x04 + 0x0304 + in), uc.args[0]);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
