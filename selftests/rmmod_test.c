// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading: while a VM fd is open the module cannot be removed; once it
 * is closed `rmmod vmctl` succeeds; the module loads again and works.
 * Runs last (run_all.sh) and leaves the module loaded.  The module file
 * is $VMCTL_KO, by default /vmctl/kmod/vmctl.ko (the test machine's path).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "module.h"
#include "ucall.h"

GUEST64(hello_guest,
	G_UCALL(UCALL_DONE));

TEST(rmmod_refused_while_vm_open_then_reload)
{
	struct vmctl_vm_config cfg = { 0 };
	struct vcpu *vcpu;
	struct ucall uc;
	int sys_fd, vm_fd;

	if (geteuid())
		SKIP(return, "needs root");
	if (!vmctl_module_loaded())
		SKIP(return, "vmctl is not loaded as a module");
	if (access(vmctl_module_path(), R_OK))
		SKIP(return, "%s not found: set VMCTL_KO", vmctl_module_path());

	sys_fd = vmctl_open();
	vm_fd = ioctl(sys_fd, VMCTL_CREATE_VM, &cfg);
	ASSERT_GE(vm_fd, 0);
	close(sys_fd);

	/* Only the VM fd holds the module now. */
	EXPECT_NE(0, vmctl_unload());
	EXPECT_TRUE(vmctl_module_loaded());

	close(vm_fd);
	ASSERT_EQ(0, vmctl_unload());
	EXPECT_FALSE(vmctl_module_loaded());
	EXPECT_NE(0, access("/dev/" VMCTL_DEVICE_NAME, F_OK));

	ASSERT_EQ(0, vmctl_load());
	ASSERT_TRUE(vmctl_module_loaded());

	vcpu = vcpu_create_guest(&hello_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
