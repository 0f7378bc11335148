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
#include "ucall.h"

GUEST64(hello_guest,
	G_UCALL(UCALL_DONE));

static const char *module_path(void)
{
	const char *p = getenv("VMCTL_KO");

	return p ? p : "/vmctl/kmod/vmctl.ko";
}

static int shell(const char *fmt, const char *arg)
{
	char cmd[512];
	int status;

	snprintf(cmd, sizeof(cmd), fmt, arg);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int module_loaded(void)
{
	return access("/sys/module/vmctl", F_OK) == 0;
}

/* /dev/vmctl may appear a little after insmod returns (devtmpfs/mdev). */
static int wait_for_device(void)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (access("/dev/" VMCTL_DEVICE_NAME, F_OK) == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

TEST(rmmod_refused_while_vm_open_then_reload)
{
	struct vmctl_vm_config cfg = { 0 };
	struct vcpu *vcpu;
	struct ucall uc;
	int sys_fd, vm_fd;

	if (geteuid())
		SKIP(return, "needs root");
	if (!module_loaded())
		SKIP(return, "vmctl is not loaded as a module");
	if (access(module_path(), R_OK))
		SKIP(return, "%s not found: set VMCTL_KO", module_path());

	sys_fd = vmctl_open();
	vm_fd = ioctl(sys_fd, VMCTL_CREATE_VM, &cfg);
	ASSERT_GE(vm_fd, 0);
	close(sys_fd);

	/* Only the VM fd holds the module now. */
	EXPECT_NE(0, shell("rmmod %s 2>/dev/null", "vmctl"));
	EXPECT_TRUE(module_loaded());

	close(vm_fd);
	ASSERT_EQ(0, shell("rmmod %s", "vmctl"));
	EXPECT_FALSE(module_loaded());
	EXPECT_NE(0, access("/dev/" VMCTL_DEVICE_NAME, F_OK));

	ASSERT_EQ(0, shell("insmod %s", module_path()));
	ASSERT_TRUE(module_loaded());
	ASSERT_EQ(0, wait_for_device());

	vcpu = vcpu_create_guest(&hello_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
