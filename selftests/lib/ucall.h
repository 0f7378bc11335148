/* SPDX-License-Identifier: GPL-2.0 */
/* Host side of the ucall (guest.h): what the guest reported. */
#ifndef SELFTEST_UCALL_H
#define SELFTEST_UCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

struct ucall {
	uint64_t type;		/* int */
	uint64_t args[4];	/* guest RDI, RSI, RDX, RCX */
};

/* Is the exit that just happened a ucall? */
bool exit_is_ucall(const struct vmctl_run *run);

/*
 * Decode the exit that just happened.  Returns the ucall type, or
 * UCALL_NONE (after printing the exit as a TAP comment) when it is not a
 * ucall.  A guest exception is printed as well, expected or not.
 */
int ucall_decode(struct vcpu *vcpu, struct ucall *uc);

/* VMCTL_RUN then ucall_decode(); UCALL_NONE if RUN itself failed. */
int vcpu_ucall(struct vcpu *vcpu, struct ucall *uc);

#endif /* SELFTEST_UCALL_H */
