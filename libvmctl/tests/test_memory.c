// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest RAM as the library allocates it (memory.c), against the fake
 * module: mergeable by KSM by default (the VMA's "mg" flag in
 * /proc/self/smaps), not after vmctl_vm_set_mergeable(vm, 0); dirty
 * logging turned on and off and its ioctls, as the module is asked.
 */
#include <errno.h>
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

/* Logging on and off sets the slot again, the rest of it unchanged. */
static void test_log_dirty_sets_slot_flag(void **state)
{
	struct vmctl_vm *vm;
	struct vmctl *sys;
	unsigned int calls;
	void *ram;
	int slot;

	(void)state;
	assert_int_equal(vmctl_open(&sys), 0);
	assert_int_equal(vmctl_vm_create(sys, "t", &vm), 0);
	slot = vmctl_vm_add_memory(vm, 0x100000, RAM_SIZE, VMCTL_MEM_PREFAULT);
	assert_true(slot >= 0);
	ram = vmctl_vm_gpa_to_hva(vm, 0x100000, RAM_SIZE);

	assert_int_equal(vmctl_vm_log_dirty(vm, slot, 1), 0);
	assert_int_equal(fake_last_slot.slot, slot);
	assert_int_equal(fake_last_slot.flags,
			 VMCTL_MEM_PREFAULT | VMCTL_MEM_LOG_DIRTY);
	assert_int_equal(fake_last_slot.guest_phys, 0x100000);
	assert_int_equal(fake_last_slot.size, RAM_SIZE);
	assert_ptr_equal((void *)(uintptr_t)fake_last_slot.user_addr, ram);
	/* Already on: nothing to ask the module. */
	calls = fake_slot_calls;
	assert_int_equal(vmctl_vm_log_dirty(vm, slot, 1), 0);
	assert_int_equal(fake_slot_calls, calls);
	assert_int_equal(vmctl_vm_log_dirty(vm, slot, 0), 0);
	assert_int_equal(fake_last_slot.flags, VMCTL_MEM_PREFAULT);
	assert_int_equal(vmctl_vm_log_dirty(vm, slot + 1, 1), -EINVAL);
	assert_int_equal(vmctl_vm_log_dirty(vm, -1, 1), -EINVAL);
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
}

static void test_dirty_log_ioctls(void **state)
{
	uint64_t bitmap[2] = { 0 };
	struct vmctl_vm *vm;
	struct vmctl *sys;

	(void)state;
	assert_int_equal(vmctl_open(&sys), 0);
	assert_int_equal(vmctl_vm_create(sys, "t", &vm), 0);
	assert_int_equal(vmctl_vm_get_dirty_log(vm, 3, 64, 128, bitmap), 0);
	assert_int_equal(fake_last_log_cmd, VMCTL_GET_DIRTY_LOG);
	assert_int_equal(fake_last_log.slot, 3);
	assert_int_equal(fake_last_log.flags, 0);
	assert_int_equal(fake_last_log.first_page, 64);
	assert_int_equal(fake_last_log.num_pages, 128);
	assert_ptr_equal((void *)(uintptr_t)fake_last_log.bitmap, bitmap);
	assert_int_equal(vmctl_vm_clear_dirty_log(vm, 4, 0, 64, bitmap), 0);
	assert_int_equal(fake_last_log_cmd, VMCTL_CLEAR_DIRTY_LOG);
	assert_int_equal(fake_last_log.slot, 4);
	assert_int_equal(fake_last_log.num_pages, 64);
	assert_int_equal(vmctl_vm_get_dirty_log(vm, VMCTL_MAX_MEM_SLOTS, 0, 64,
						bitmap), -EINVAL);
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram_is_mergeable),
		cmocka_unit_test(test_ram_not_mergeable_when_asked),
		cmocka_unit_test(test_log_dirty_sets_slot_flag),
		cmocka_unit_test(test_dirty_log_ioctls),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
