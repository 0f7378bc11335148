// SPDX-License-Identifier: GPL-2.0
/*
 * Events at VM entry versus state userspace replaces.  VM entry refuses
 * an event that does not fit the guest state (an exception's error code
 * must be pushed exactly in protected mode, an interrupt needs IF=1), and
 * a refused entry used to leave the event in place, failing every RUN
 * after it.  So: INJECT_EXCEPTION takes only what the architecture
 * allows in the guest's mode; an exception queued before a mode change
 * is delivered as the new mode asks; an event whose delivery an exit
 * interrupted does not survive SET_SREGS, and after SET_REGS goes in
 * with the new registers; a vCPU halted with IF=0 under the in-kernel
 * irqchip runs again after SET_REGS or SET_SREGS.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "irqchip.h"
#include "kick.h"
#include "modes.h"
#include "ucall.h"

#define X86_VECTOR_UD	6
#define X86_VECTOR_GP	13

GUEST64(sync_guest,
	G_UCALL(UCALL_SYNC)
	"sync_resume:\n\t"
	G_UCALL(UCALL_DONE)
	"hlt\n");

GUEST_LABEL(sync_resume);

static int inject(struct vcpu *vcpu, uint8_t vector, uint8_t has_error_code,
		  uint32_t error_code)
{
	struct vmctl_exception e = {
		.vector = vector,
		.has_error_code = has_error_code,
		.error_code = error_code,
	};

	return ioctl(vcpu->fd, VMCTL_INJECT_EXCEPTION, &e);
}

#define EXPECT_EINVAL(expr) do {					\
	errno = 0;							\
	EXPECT_EQ(-1, expr);						\
	EXPECT_EQ(EINVAL, errno);					\
} while (0)

/*
 * Protected mode: #DF, #TS, #NP, #SS, #GP, #PF and #AC need an error
 * code, of 16 bits.  None of the refused ones may wedge the vCPU.
 */
TEST(inject_error_code_as_the_mode_asks)
{
	static const uint8_t with_code[] = { 8, 10, 11, 12, 13, 14, 17 };
	struct vcpu *vcpu = vcpu_create_guest(&sync_guest);
	struct ucall uc;
	unsigned int i;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	for (i = 0; i < sizeof(with_code); i++) {
		errno = 0;
		EXPECT_EQ(-1, inject(vcpu, with_code[i], 0, 0))
			TH_LOG("vector %u without an error code", with_code[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EINVAL(inject(vcpu, X86_VECTOR_GP, 1, 0x10000));
	EXPECT_EINVAL(inject(vcpu, X86_VECTOR_UD, 1, 0));

	EXPECT_EQ(0, inject(vcpu, X86_VECTOR_GP, 1, 0xfff8));
	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	EXPECT_EQ(0xfff8, uc.args[1]);
	EXPECT_EQ(guest_addr(&sync_guest, sync_resume), uc.args[2]);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/*
 * Real mode: the handler at IVT vector 13 reports its SP; the CPU pushed
 * FLAGS, CS and IP there, no error code.
 */
GUEST16(real_gp_guest,
	G_UCALL(UCALL_DONE)
	"hlt\n"
	"real_gp_isr:\n\t"
	"mov $0x1313, %di\n\t"
	"mov %sp, %si\n\t"
	G_UCALL(UCALL_SYNC)
	"iret\n");

GUEST_LABEL(real_gp_isr);

#define REAL_SP		0xfff0	/* vcpu_set_mode() */

static void real_mode_gp_handler(struct vcpu *vcpu)
{
	uint16_t *ivt = gpa_to_hva(vcpu->vm, 0);

	ivt[2 * X86_VECTOR_GP] = guest_addr(&real_gp_guest, real_gp_isr) -
				 CODE_GPA;
	ivt[2 * X86_VECTOR_GP + 1] = CODE_GPA >> 4;
}

TEST(inject_real_mode_takes_no_error_code)
{
	struct vcpu *vcpu = vcpu_create_guest(&real_gp_guest);
	struct ucall uc;

	real_mode_gp_handler(vcpu);
	EXPECT_EINVAL(inject(vcpu, X86_VECTOR_GP, 1, 0));
	ASSERT_EQ(0, inject(vcpu, X86_VECTOR_GP, 0, 0));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x1313, uc.args[0]);
	EXPECT_EQ(REAL_SP - 6, uc.args[1]);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/* #GP(code) queued in long mode, then the guest is put in real mode. */
TEST(exception_queued_before_a_mode_change)
{
	struct vcpu *vcpu = vcpu_create_guest(&sync_guest);
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	ASSERT_EQ(0, inject(vcpu, X86_VECTOR_GP, 1, 0x20));
	vcpu_load_guest(vcpu, &real_gp_guest);
	real_mode_gp_handler(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x1313, uc.args[0]);
	EXPECT_EQ(REAL_SP - 6, uc.args[1]);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/*
 * A #GP(0) (non-canonical address) delivered onto a stack in MMIO: the
 * exit interrupts the delivery and RUN reports an internal error.
 */
GUEST64(gp_on_mmio_stack_guest,
	"mov $" __stringify(MMIO_GPA) " + 0x1000, %esp\n\t"
	"movabs $0x8000000000000000, %rax\n"
	"gp_insn:\n\t"
	"mov (%rax), %rax\n\t"
	G_UCALL(UCALL_DONE)
	"hlt\n");

GUEST_LABEL(gp_insn);

GUEST16(real_done_guest,
	G_UCALL(UCALL_DONE)
	"hlt\n");

static struct vcpu *gp_in_delivery(struct __test_metadata *_metadata)
{
	struct vcpu *vcpu = vcpu_create_guest(&gp_on_mmio_stack_guest);

	EXPECT_EQ(0, vcpu_run(vcpu));
	EXPECT_EQ(VMCTL_EXIT_INTERNAL_ERROR, vcpu->run->exit_reason);
	return vcpu;
}

/* New segments and CR0: the interrupted #GP belonged to the old context. */
TEST(interrupted_event_dropped_by_set_sregs)
{
	struct vcpu *vcpu = gp_in_delivery(_metadata);
	struct ucall uc;

	vcpu_load_guest(vcpu, &real_done_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	/* And the vCPU is not wedged: once more. */
	vcpu_load_guest(vcpu, &real_done_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/* Only a usable stack: the #GP is delivered again, with it. */
TEST(interrupted_event_redelivered_after_set_regs)
{
	struct vcpu *vcpu = gp_in_delivery(_metadata);
	struct vmctl_regs regs;
	struct ucall uc;

	vcpu_get_regs(vcpu, &regs);
	regs.rsp = STACK_TOP;
	vcpu_set_regs(vcpu, &regs);
	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(guest_addr(&gp_on_mmio_stack_guest, gp_insn), uc.args[2]);
	guest_destroy(vcpu);
}

/* HLT with IF=0 sleeps for good under the irqchip: until new registers. */
GUEST64(hlt_if0_guest,
	"cli\n\t"
	"hlt\n\t"
	G_UCALL(UCALL_DONE)
	"ud2\n");

FIXTURE(halted) {
	struct vm *vm;
	struct vcpu *vcpu;
};

FIXTURE_VARIANT(halted) {
	int sregs;		/* SET_SREGS instead of SET_REGS */
};

FIXTURE_VARIANT_ADD(halted, set_regs) { .sregs = 0 };
FIXTURE_VARIANT_ADD(halted, set_sregs) { .sregs = 1 };

FIXTURE_SETUP(halted)
{
	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	self->vm = irqchip_vm_create();
	self->vcpu = vcpu_add(self->vm, 0);
}

FIXTURE_TEARDOWN(halted)
{
	if (!self->vm)
		return;
	vcpu_destroy(self->vcpu);
	vm_destroy(self->vm);
}

TEST_F(halted, with_if_clear_restarts_after_new_registers)
{
	struct vmctl_sregs sregs;
	struct vmctl_regs regs;
	struct kicked_run r;
	struct ucall uc;

	vcpu_load_guest(self->vcpu, &hlt_if0_guest);
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(VMCTL_EXIT_HLT, self->vcpu->run->exit_reason);
	if (variant->sregs) {
		vcpu_get_sregs(self->vcpu, &sregs);
		vcpu_set_sregs(self->vcpu, &sregs);
	} else {
		vcpu_get_regs(self->vcpu, &regs);
		vcpu_set_regs(self->vcpu, &regs);
	}
	/* Kicked, so a vCPU that sleeps on fails instead of hanging. */
	vcpu_run_kicked(self->vcpu, 10, &r);
	ASSERT_EQ(0, r.ret) TH_LOG("RUN: errno %d after %d kicks", r.err,
				   r.kicks);
	EXPECT_EQ(UCALL_DONE, ucall_decode(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
