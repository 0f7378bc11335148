// SPDX-License-Identifier: GPL-2.0
/* vmctl info: which CPUs are in VMX operation (VMCTL_GET_VMX_CPUS). */
#include <linux/vmctl.h>

#include "vmctl.h"

static bool cpu_bit(const __u64 *mask, unsigned int cpu)
{
	return mask[cpu / 64] >> (cpu % 64) & 1;
}

/* Does CPU n count: on (want_on) or online and off (!want_on)? */
static bool cpu_selected(const struct vmctl_vmx_cpus *c, unsigned int cpu,
			 bool want_on)
{
	if (want_on)
		return cpu_bit(c->vmx_on, cpu);
	return cpu_bit(c->online, cpu) && !cpu_bit(c->vmx_on, cpu);
}

/* The selected CPUs as "0-3,6", or "none". */
static void print_cpu_list(FILE *f, const struct vmctl_vmx_cpus *c,
			   bool want_on)
{
	unsigned int cpu = 0, first, n = 0;

	while (cpu < c->nr_cpus) {
		if (!cpu_selected(c, cpu, want_on)) {
			cpu++;
			continue;
		}
		first = cpu;
		while (cpu + 1 < c->nr_cpus && cpu_selected(c, cpu + 1, want_on))
			cpu++;
		fprintf(f, "%s%u", n++ ? "," : "", first);
		if (cpu > first)
			fprintf(f, "-%u", cpu);
		cpu++;
	}
	if (!n)
		fputs("none", f);
}

static unsigned int count_bits(const __u64 *mask, unsigned int nr_cpus)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++)
		n += cpu_bit(mask, cpu);
	return n;
}

static bool any_online_cpu_off(const struct vmctl_vmx_cpus *c)
{
	unsigned int cpu;

	for (cpu = 0; cpu < c->nr_cpus; cpu++)
		if (cpu_selected(c, cpu, false))
			return true;
	return false;
}

void vmx_cpus_print_text(FILE *f, const struct vmctl_vmx_cpus *c)
{
	fputs("VMX on:       CPUs ", f);
	print_cpu_list(f, c, true);
	fprintf(f, " (%u of %u online)\n", count_bits(c->vmx_on, c->nr_cpus),
		count_bits(c->online, c->nr_cpus));
	/* Only mid-hotplug: the module enters VMX as a CPU comes online. */
	if (any_online_cpu_off(c)) {
		fputs("VMX off:      online CPUs ", f);
		print_cpu_list(f, c, false);
		fputc('\n', f);
	}
}

void vmx_cpus_print_json(FILE *f, const struct vmctl_vmx_cpus *c)
{
	unsigned int cpu;

	/* Every CPU number the module covers, offline ones too. */
	fputs("\"cpus\":[", f);
	for (cpu = 0; cpu < c->nr_cpus; cpu++) {
		fprintf(f, "%s{\"cpu\":%u,\"online\":%s,\"vmx\":%s}",
			cpu ? "," : "", cpu,
			cpu_bit(c->online, cpu) ? "true" : "false",
			cpu_bit(c->vmx_on, cpu) ? "true" : "false");
	}
	fputc(']', f);
}
