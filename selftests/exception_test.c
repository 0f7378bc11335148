// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions in the guest: one queued with INJECT_EXCEPTION reaches the
 * guest's handler (with its error code) before the next instruction, and
 * the guest continues after the handler returns; VMX instructions, which
 * the guest must not see, raise #UD.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define X86_VECTOR_DE	0
#define X86_VECTOR_UD	6
#define X86_VECTOR_GP	13
#define X86_VECTOR_AC	17

GUEST64(inject_guest,
	G_UCALL(UCALL_SYNC)
	"inject_resume:\n\t"
	"mov $0x77, %edi\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(inject_resume);

FIXTURE(inject) {
	struct vcpu *vcpu;
};

FIXTURE_VARIANT(inject) {
	uint8_t vector;
	uint8_t has_error_code;
	uint32_t error_code;
};

FIXTURE_VARIANT_ADD(inject, de) { .vector = X86_VECTOR_DE };
FIXTURE_VARIANT_ADD(inject, ud) { .vector = X86_VECTOR_UD };
FIXTURE_VARIANT_ADD(inject, gp_error_code) {
	.vector = X86_VECTOR_GP, .has_error_code = 1, .error_code = 0x1238,
};
FIXTURE_VARIANT_ADD(inject, ac_error_code) {
	.vector = X86_VECTOR_AC, .has_error_code = 1, .error_code = 0,
};

FIXTURE_SETUP(inject)
{
	self->vcpu = vcpu_create_guest(&inject_guest);
}

FIXTURE_TEARDOWN(inject)
{
	guest_destroy(self->vcpu);
}

TEST_F(inject, reaches_guest_handler)
{
	struct vmctl_exception ex = {
		.vector = variant->vector,
		.has_error_code = variant->has_error_code,
		.error_code = variant->error_code,
	};
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	ASSERT_EQ(0, ioctl(self->vcpu->fd, VMCTL_INJECT_EXCEPTION, &ex));

	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(variant->vector, uc.args[0]);
	EXPECT_EQ(variant->error_code, uc.args[1]);
	EXPECT_EQ(guest_addr(&inject_guest, inject_resume), uc.args[2]);

	/* The handler IRETs; the guest goes on where it was. */
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(0x77, uc.args[0]);
}

GUEST16(real_done_guest,
	G_UCALL(UCALL_DONE));

/*
 * fuzz_ioctl (seed 7, iteration 358): a #GP with its error code queued
 * by INJECT_EXCEPTION went with an entry that failed on guest state
 * SET_SREGS had let in (here: a TR that is no busy TSS).  An exit for a
 * failed entry leaves the event in the VMCS, and the next entry, into a
 * valid real-mode state, delivered it there with its error code: VMRESUME
 * failed with VM-instruction error 7.  The failed entry is reported and
 * the event dropped with it; the state loaded next runs as it is.
 */
TEST(failed_entry_drops_event)
{
	struct vmctl_exception gp = {
		.vector = X86_VECTOR_GP, .has_error_code = 1,
		.error_code = 0x18,
	};
	struct vcpu *vcpu = vcpu_add(vm_create(""), 0);
	struct vmctl_sregs reset, sregs;
	struct ucall uc;

	vcpu_get_sregs(vcpu, &reset);
	vcpu_load_guest(vcpu, &inject_guest);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_INJECT_EXCEPTION, &gp));
	vcpu_get_sregs(vcpu, &sregs);
	sregs.tr.type = 0;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_SREGS, &sregs));
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_FAIL_ENTRY, vcpu->run->exit_reason);
	EXPECT_EQ(VMCTL_HW_EXIT_FAILED_ENTRY |
		  VMCTL_HW_EXIT_INVALID_GUEST_STATE,
		  vcpu->run->fail_entry.hardware_reason);

	/* Real mode as from reset: a valid state, and no error codes. */
	vcpu_set_sregs(vcpu, &reset);
	vcpu_load_guest(vcpu, &real_done_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/* Each VMX instruction runs at label vmx_insn: #UD there. */
FIXTURE(vmx_insn) {
	struct vcpu *vcpu;
};

FIXTURE_SETUP(vmx_insn) { }

FIXTURE_TEARDOWN(vmx_insn)
{
	if (self->vcpu)
		guest_destroy(self->vcpu);
}

GUEST64(vmxon_guest,
	"mov $" __stringify(DATA_GPA) ", %eax\n"
	"vmxon_insn:\n\t"
	"vmxon (%rax)\n\t"
	G_UCALL(UCALL_DONE));

GUEST64(vmlaunch_guest,
	"vmlaunch_insn:\n\t"
	"vmlaunch\n\t"
	G_UCALL(UCALL_DONE));

GUEST64(vmread_guest,
	"xor %eax, %eax\n"
	"vmread_insn:\n\t"
	"vmread %rax, %rbx\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(vmxon_insn);
GUEST_LABEL(vmlaunch_insn);
GUEST_LABEL(vmread_insn);

static int expect_ud(struct vcpu *vcpu, unsigned long rip)
{
	struct ucall uc;

	return vcpu_ucall(vcpu, &uc) == UCALL_EXCEPTION &&
	       uc.args[0] == X86_VECTOR_UD && uc.args[2] == rip;
}

TEST_F(vmx_insn, vmxon_is_ud)
{
	self->vcpu = vcpu_create_guest(&vmxon_guest);
	EXPECT_TRUE(expect_ud(self->vcpu,
			      guest_addr(&vmxon_guest, vmxon_insn)));
}

TEST_F(vmx_insn, vmlaunch_is_ud)
{
	self->vcpu = vcpu_create_guest(&vmlaunch_guest);
	EXPECT_TRUE(expect_ud(self->vcpu,
			      guest_addr(&vmlaunch_guest, vmlaunch_insn)));
}

TEST_F(vmx_insn, vmread_is_ud)
{
	self->vcpu = vcpu_create_guest(&vmread_guest);
	EXPECT_TRUE(expect_ud(self->vcpu,
			      guest_addr(&vmread_guest, vmread_insn)));
}

/*
 * Clearing CR0.PE changes no bit of the CR0 guest/host mask, so it does
 * not exit: the module must read PE from the VMCS, or it queues the #GP
 * of a real-mode RDMSR with an error code, which VM entry refuses
 * (VM-instruction error 7).  CS keeps its 32-bit cache after the switch;
 * the handler is bytes that mean the same in 16- and 32-bit code.
 */
#define RM_IVT_GPA	DATA_GPA
#define RM_IDTR_GPA	(DATA_GPA + 0x400)
#define RM_CS		0x1000		/* the handler's segment: CODE_GPA */
#define UNKNOWN_MSR	0x2fff		/* beyond the MSR bitmap: exits */
#define X86_CR0_PE_BIT	1

GUEST32(leave_pe_guest,
	"lidt " __stringify(RM_IDTR_GPA) "\n\t"
	"mov %cr0, %eax\n\t"
	"and $~" __stringify(X86_CR0_PE_BIT) ", %eax\n\t"
	"mov %eax, %cr0\n\t"
	G_UCALL(UCALL_SYNC)
	"leave_pe_after_sync:\n\t"
	"mov $" __stringify(UNKNOWN_MSR) ", %ecx\n"
	"leave_pe_rdmsr:\n\t"
	"rdmsr\n\t"
	G_UCALL(UCALL_SYNC)
	"leave_pe_handler:\n\t"
	G_UCALL(UCALL_DONE)
	"leave_pe_handler_end:\n\t"
	"hlt\n\t");

GUEST_LABEL(leave_pe_after_sync);
GUEST_LABEL(leave_pe_rdmsr);
GUEST_LABEL(leave_pe_handler);
GUEST_LABEL(leave_pe_handler_end);

FIXTURE(leave_pe) {
	struct vcpu *vcpu;
};

FIXTURE_SETUP(leave_pe)
{
	struct vm *vm;
	uint16_t ivt_gp[2], idtr_limit = 0x3ff;
	uint32_t idtr_base = RM_IVT_GPA;
	struct ucall uc;

	self->vcpu = vcpu_create_guest(&leave_pe_guest);
	vm = self->vcpu->vm;
	/* IVT entry 13: offset, then segment; the 6-byte IDTR for LIDT. */
	ivt_gp[0] = guest_addr(&leave_pe_guest, leave_pe_handler) -
		    RM_CS * 16;
	ivt_gp[1] = RM_CS;
	memcpy(gpa_to_hva(vm, RM_IVT_GPA + X86_VECTOR_GP * 4), ivt_gp, 4);
	memcpy(gpa_to_hva(vm, RM_IDTR_GPA), &idtr_limit, 2);
	memcpy(gpa_to_hva(vm, RM_IDTR_GPA + 2), &idtr_base, 4);
	/* In real mode now, by its own MOV to CR0. */
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
}

FIXTURE_TEARDOWN(leave_pe)
{
	guest_destroy(self->vcpu);
}

/*
 * The guest's handler reports with the real-mode frame on its stack: IP
 * of @ip (a 16-bit push of the old EIP, CS base 0), the old CS, no
 * error code in between.
 */
static bool in_real_mode_handler(struct vcpu *vcpu, unsigned long ip)
{
	struct vmctl_regs regs;
	uint16_t frame[2];
	struct ucall uc;

	if (vcpu_ucall(vcpu, &uc) != UCALL_DONE)
		return false;
	vcpu_get_regs(vcpu, &regs);
	if (regs.rip != guest_addr(&leave_pe_guest, leave_pe_handler_end) -
			RM_CS * 16)
		return false;
	memcpy(frame, gpa_to_hva(vcpu->vm, regs.rsp & 0xffff), sizeof(frame));
	return frame[0] == (uint16_t)ip && frame[1] == SEL_CODE32;
}

TEST_F(leave_pe, sregs_see_real_mode)
{
	struct vmctl_sregs sregs;

	vcpu_get_sregs(self->vcpu, &sregs);
	EXPECT_EQ(0, sregs.cr0 & X86_CR0_PE_BIT);
}

/* The guest alone: RDMSR of an MSR nobody models raises #GP. */
TEST_F(leave_pe, rdmsr_gp_without_error_code)
{
	EXPECT_TRUE(in_real_mode_handler(self->vcpu,
		guest_addr(&leave_pe_guest, leave_pe_rdmsr)));
}

/* INJECT_EXCEPTION judges the error code by the mode the guest is in. */
TEST_F(leave_pe, inject_gp_without_error_code)
{
	struct vmctl_exception with = {
		.vector = X86_VECTOR_GP, .has_error_code = 1,
	};
	struct vmctl_exception without = { .vector = X86_VECTOR_GP };

	EXPECT_EQ(-1, ioctl(self->vcpu->fd, VMCTL_INJECT_EXCEPTION, &with));
	ASSERT_EQ(0, ioctl(self->vcpu->fd, VMCTL_INJECT_EXCEPTION, &without));
	EXPECT_TRUE(in_real_mode_handler(self->vcpu,
		guest_addr(&leave_pe_guest, leave_pe_after_sync)));
}

TEST_HARNESS_MAIN
