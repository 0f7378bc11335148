// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions in the guest: one queued with INJECT_EXCEPTION reaches the
 * guest's handler (with its error code) before the next instruction, and
 * the guest continues after the handler returns; VMX instructions, which
 * the guest must not see, raise #UD.
 */
#include <stdint.h>
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

TEST_HARNESS_MAIN
