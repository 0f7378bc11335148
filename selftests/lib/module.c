// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vmctl.h>

#include "module.h"

const char *vmctl_module_path(void)
{
	const char *p = getenv("VMCTL_KO");

	return p ? p : "/vmctl/kmod/vmctl.ko";
}

bool vmctl_module_loaded(void)
{
	return access("/sys/module/vmctl", F_OK) == 0;
}

static int shell(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int vmctl_unload(void)
{
	return shell("rmmod vmctl 2>/dev/null");
}

int vmctl_load(void)
{
	char cmd[512];
	int i, ret;

	snprintf(cmd, sizeof(cmd), "insmod %s", vmctl_module_path());
	ret = shell(cmd);
	if (ret)
		return ret;
	/* /dev/vmctl may appear a little after insmod returns (devtmpfs). */
	for (i = 0; i < 100; i++) {
		if (access("/dev/" VMCTL_DEVICE_NAME, F_OK) == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}
