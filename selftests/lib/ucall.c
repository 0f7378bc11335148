// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "ucall.h"

bool exit_is_ucall(const struct vmctl_run *run)
{
	return run->exit_reason == VMCTL_EXIT_IO &&
	       run->io.direction == VMCTL_IO_OUT &&
	       run->io.port == UCALL_PORT && run->io.size == 1 &&
	       run->io.count == 1;
}

int ucall_decode(struct vcpu *vcpu, struct ucall *uc)
{
	const struct vmctl_run *run = vcpu->run;
	struct vmctl_regs regs;
	char buf[128];

	memset(uc, 0, sizeof(*uc));
	if (!exit_is_ucall(run)) {
		fprintf(stderr, "# not a ucall: %s\n", exit_str(run, buf, sizeof(buf)));
		return UCALL_NONE;
	}
	vcpu_get_regs(vcpu, &regs);
	uc->type = *((const uint8_t *)run + run->io.data_offset);
	uc->args[0] = regs.rdi;
	uc->args[1] = regs.rsi;
	uc->args[2] = regs.rdx;
	uc->args[3] = regs.rcx;
	if (uc->type == UCALL_EXCEPTION)
		fprintf(stderr, "# guest exception: vector %llu error code %#llx rip %#llx\n",
		       (unsigned long long)uc->args[0],
		       (unsigned long long)uc->args[1],
		       (unsigned long long)uc->args[2]);
	return uc->type;
}

int vcpu_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	memset(uc, 0, sizeof(*uc));
	if (vcpu_run(vcpu)) {
		fprintf(stderr, "# VMCTL_RUN: %m\n");
		return UCALL_NONE;
	}
	return ucall_decode(vcpu, uc);
}
