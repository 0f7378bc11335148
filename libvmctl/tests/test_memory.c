// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest RAM as the library allocates it (memory.c), against the fake
 * module: mergeable by KSM by default (the VMA's "mg" flag in
 * /proc/self/smaps), not after vmctl_vm_set_mergeable(vm, 0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "fake_module.h"

#define RAM_SIZE	(4 << 20)

/* Whether the VMA holding @addr has VmFlags @flag; -1 if not found. */
static int vma_has_flag(const void *addr, const char *flag)
{
	unsigned long lo, hi, a = (unsigned long)addr;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512], want[8];
	int in = 0, ret = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			ret = strstr(line + 8, want) != NULL;
			break;
		}
	}
	fclose(f);
	return ret;
}

static void *ram_of_new_vm(struct vmctl *sys, struct vmctl_vm **vm,
			   int mergeable)
{
	assert_int_equal(vmctl_vm_create(sys, "t", vm), 0);
	if (mergeable >= 0)
		vmctl_vm_set_mergeable(*vm, mergeable);
	assert_true(vmctl_vm_add_memory(*vm, 0, RAM_SIZE, 0) >= 0);
	return vmctl_vm_gpa_to_hva(*vm, 0, RAM_SIZE);
}

static void test_ram_is_mergeable(void **state)
{
	struct vmctl_vm *vm;
	struct vmctl *sys;
	void *ram;

	(void)state;
	if (access("/sys/kernel/mm/ksm", F_OK))
		skip();	/* a kernel without KSM refuses MADV_MERGEABLE */
	assert_int_equal(vmctl_open(&sys), 0);
	ram = ram_of_new_vm(sys, &vm, -1);
	assert_non_null(ram);
	assert_int_equal(vma_has_flag(ram, "mg"), 1);
	vmctl_vm_destroy(vm);

	ram = ram_of_new_vm(sys, &vm, 1);
	assert_int_equal(vma_has_flag(ram, "mg"), 1);
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
}

static void test_ram_not_mergeable_when_asked(void **state)
{
	struct vmctl_vm *vm;
	struct vmctl *sys;
	void *ram;

	(void)state;
	assert_int_equal(vmctl_open(&sys), 0);
	ram = ram_of_new_vm(sys, &vm, 0);
	assert_non_null(ram);
	assert_int_equal(vma_has_flag(ram, "mg"), 0);
	/* Still huge pages advised: only merging is off. */
	assert_int_equal(vma_has_flag(ram, "hg"), 1);
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram_is_mergeable),
		cmocka_unit_test(test_ram_not_mergeable_when_asked),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
