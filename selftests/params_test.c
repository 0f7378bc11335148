// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameters that switch optional features off (vpid=0,
 * ept_2m=0, pml=0; selftests/reload_test.sh loads the module with each):
 * the capabilities VMCTL_CAP_VPID, VMCTL_CAP_EPT_2M and
 * VMCTL_CAP_DIRTY_LOG_PML read 0 when the parameter is off.  With vpid on
 * the capability must read 1, since the module refuses to load without
 * VPID unless vpid=0; 2 MiB pages and PML may be missing from a CPU, so
 * ept_2m and pml on only allow the capability (PML's reads 512, the
 * entries of a log).
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vm.h"

#define PARAMS	"/sys/module/vmctl/parameters/"

/* 1 for Y, 0 for N, -1 when the parameter cannot be read. */
static int param(const char *name)
{
	char path[128], c = 0;
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

FIXTURE(params) {
	int sys_fd;
};

FIXTURE_SETUP(params)
{
	self->sys_fd = vmctl_open();
}

FIXTURE_TEARDOWN(params)
{
	close(self->sys_fd);
}

/*
 * Parameter @name off: capability @cap reads 0.  On: it reads @on_val, or
 * 0 as well when the CPU may lack the feature (@may_lack).
 */
static void check_param(struct __test_metadata *_metadata, int sys_fd,
			const char *name, unsigned int cap, bool may_lack,
			long on_val)
{
	int on = param(name);
	long val = ioctl(sys_fd, VMCTL_CHECK_CAP, cap);

	if (on < 0)
		SKIP(return, "no " PARAMS "%s (built in?)", name);
	TH_LOG("%s=%c, capability %u reads %ld", name, on ? 'Y' : 'N', cap,
	       val);
	EXPECT_TRUE(on ? val == on_val || (may_lack && val == 0) : val == 0);
}

TEST_F(params, vpid_cap_follows_parameter)
{
	check_param(_metadata, self->sys_fd, "vpid", VMCTL_CAP_VPID, false, 1);
}

TEST_F(params, ept_2m_cap_follows_parameter)
{
	check_param(_metadata, self->sys_fd, "ept_2m", VMCTL_CAP_EPT_2M, true,
		    1);
}

TEST_F(params, pml_cap_follows_parameter)
{
	check_param(_metadata, self->sys_fd, "pml", VMCTL_CAP_DIRTY_LOG_PML,
		    true, 512);
}

TEST_HARNESS_MAIN
