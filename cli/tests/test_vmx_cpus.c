// SPDX-License-Identifier: GPL-2.0
/* What vmctl info prints about VMX per CPU: CPU ranges, off CPUs, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/vmctl.h>

#include "vmctl.h"
#include "output.h"

static struct vmctl_vmx_cpus cpus;

static int setup(void **state)
{
	memset(&cpus, 0, sizeof(cpus));
	return open_out(state);
}

static void set(__u64 *mask, unsigned int cpu)
{
	mask[cpu / 64] |= 1ULL << (cpu % 64);
}

/* CPUs first..last online, and in VMX operation when vmx. */
static void cpus_up(unsigned int first, unsigned int last, bool vmx)
{
	for (; first <= last; first++) {
		set(cpus.online, first);
		if (vmx)
			set(cpus.vmx_on, first);
	}
}

static void test_all_on(void **state)
{
	(void)state;
	cpus.nr_cpus = 2;
	cpus_up(0, 1, true);
	vmx_cpus_print_text(f, &cpus);
	assert_string_equal(output(),
			    "VMX on:       CPUs 0-1 (2 of 2 online)\n");
}

/* An offline CPU is neither counted nor named as off. */
static void test_cpu_offline(void **state)
{
	(void)state;
	cpus.nr_cpus = 4;
	cpus_up(0, 0, true);
	cpus_up(2, 3, true);
	vmx_cpus_print_text(f, &cpus);
	assert_string_equal(output(),
			    "VMX on:       CPUs 0,2-3 (3 of 3 online)\n");
}

static void test_online_cpus_off(void **state)
{
	(void)state;
	cpus.nr_cpus = 130;
	cpus_up(0, 63, true);
	cpus_up(64, 65, false);
	cpus_up(66, 128, true);
	cpus_up(129, 129, false);
	vmx_cpus_print_text(f, &cpus);
	assert_string_equal(output(),
			    "VMX on:       CPUs 0-63,66-128 (127 of 130 online)\n"
			    "VMX off:      online CPUs 64-65,129\n");
}

static void test_none_on(void **state)
{
	(void)state;
	cpus.nr_cpus = 1;
	cpus_up(0, 0, false);
	vmx_cpus_print_text(f, &cpus);
	assert_string_equal(output(),
			    "VMX on:       CPUs none (0 of 1 online)\n"
			    "VMX off:      online CPUs 0\n");
}

/* Bits past nr_cpus are not the module's: ignored. */
static void test_bits_past_nr_cpus(void **state)
{
	(void)state;
	cpus.nr_cpus = 1;
	cpus_up(0, 2, true);
	vmx_cpus_print_text(f, &cpus);
	vmx_cpus_print_json(f, &cpus);
	assert_string_equal(output(),
			    "VMX on:       CPUs 0 (1 of 1 online)\n\"cpus\":[{\"cpu\":0,\"online\":true,\"vmx\":true}]");
}

static void test_json(void **state)
{
	(void)state;
	cpus.nr_cpus = 3;
	cpus_up(0, 0, true);
	cpus_up(2, 2, false);
	vmx_cpus_print_json(f, &cpus);
	assert_string_equal(output(), "\"cpus\":[{\"cpu\":0,\"online\":true,\"vmx\":true},{\"cpu\":1,\"online\":false,\"vmx\":false},{\"cpu\":2,\"online\":true,\"vmx\":false}]");
}

static void test_json_empty(void **state)
{
	(void)state;
	vmx_cpus_print_json(f, &cpus);
	assert_string_equal(output(), "\"cpus\":[]");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, close_out)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_all_on),
		T(test_cpu_offline),
		T(test_online_cpus_off),
		T(test_none_on),
		T(test_bits_past_nr_cpus),
		T(test_json),
		T(test_json_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
