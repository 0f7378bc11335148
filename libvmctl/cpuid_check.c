// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whether this host can run a guest that saw a given CPUID table: every
 * feature bit the saved table shows must be in the table the module
 * gives a new vCPU here (its features derived from this host's CPU).  A
 * guest that found AVX2 at boot and lands on a host without it would
 * fault on the next instruction that uses it, far from the cause.  The
 * registers compared are the feature flags; bits that mirror guest
 * state (OSXSAVE, OSPKE: CR4 bits) are left out.
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"

static const struct {
	uint32_t function, index;
	uint8_t reg;		/* 0 eax, 1 ebx, 2 ecx, 3 edx */
	uint32_t ignore;
	const char *name;
} features[] = {
	{ 0x1, 0, 2, 1U << 27, "1 ecx" },		/* OSXSAVE */
	{ 0x1, 0, 3, 0, "1 edx" },
	{ 0x7, 0, 1, 0, "7 ebx" },
	{ 0x7, 0, 2, 1U << 4, "7 ecx" },		/* OSPKE */
	{ 0x7, 0, 3, 0, "7 edx" },
	{ 0xd, 1, 0, 0, "0xd.1 eax" },
	{ 0x80000001, 0, 2, 0, "0x80000001 ecx" },
	{ 0x80000001, 0, 3, 0, "0x80000001 edx" },
};

static uint32_t reg_of(const struct vmctl_cpuid *t, uint32_t function,
		       uint32_t index, unsigned int reg)
{
	uint32_t i;

	for (i = 0; i < t->nent; i++) {
		const struct vmctl_cpuid_entry *e = &t->entries[i];

		if (e->function != function ||
		    ((e->flags & VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX) &&
		     e->index != index))
			continue;
		return reg == 0 ? e->eax : reg == 1 ? e->ebx :
		       reg == 2 ? e->ecx : e->edx;
	}
	return 0;	/* a leaf absent from the table reads as zeros */
}

int vmctl_cpuid_check(const struct vmctl_cpuid *saved,
		      const struct vmctl_cpuid *host)
{
	uint32_t missing;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(features); i++) {
		missing = reg_of(saved, features[i].function,
				 features[i].index, features[i].reg) &
			  ~reg_of(host, features[i].function,
				  features[i].index, features[i].reg) &
			  ~features[i].ignore;
		if (missing)
			return vmctl_fail(-EOPNOTSUPP,
					  "the guest saw CPU features this host lacks: CPUID leaf %s bits %#x",
					  features[i].name, missing);
	}
	return 0;
}
