// SPDX-License-Identifier: LGPL-2.1-or-later
/* The system device /dev/vmctl: open it and ask what the module offers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

const char *vmctl_lib_version(void)
{
	return VMCTL_LIB_VERSION;
}

int vmctl_open(struct vmctl **out)
{
	const char *path = secure_getenv("VMCTL_DEVICE");
	struct vmctl *sys;
	int fd, ver, err;

	vmctl_clear_detail();
	if (!path || !*path)
		path = "/dev/" VMCTL_DEVICE_NAME;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENODEV || err == ENXIO)
			return vmctl_fail(-VMCTL_E_NO_MODULE, "%s: %s", path,
					  strerror(err));
		if (err == EACCES || err == EPERM)
			return vmctl_fail(-VMCTL_E_DEVICE_ACCESS, "%s: %s",
					  path, strerror(err));
		return vmctl_fail(-err, "%s", path);
	}
	ver = ioctl(fd, VMCTL_GET_API_VERSION, 0);
	if (ver < 0) {
		err = -errno;
		close(fd);
		return vmctl_fail(err, "%s: VMCTL_GET_API_VERSION", path);
	}
	sys = calloc(1, sizeof(*sys));
	if (!sys) {
		close(fd);
		return -ENOMEM;
	}
	sys->fd = fd;
	sys->api_version = ver;
	*out = sys;
	return 0;
}

void vmctl_close(struct vmctl *sys)
{
	if (!sys)
		return;
	close(sys->fd);
	free(sys);
}

int vmctl_api_version(struct vmctl *sys)
{
	return sys->api_version;
}

long vmctl_check_cap(struct vmctl *sys, unsigned int cap)
{
	long ret = ioctl(sys->fd, VMCTL_CHECK_CAP, (unsigned long)cap);

	return ret < 0 ? -errno : ret;
}

int vmctl_module_stats(struct vmctl *sys, struct vmctl_module_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	return ioctl(sys->fd, VMCTL_GET_MODULE_STATS, stats) < 0 ? -errno : 0;
}

int vmctl_vmx_cpus(struct vmctl *sys, struct vmctl_vmx_cpus *cpus)
{
	memset(cpus, 0, sizeof(*cpus));
	if (ioctl(sys->fd, VMCTL_GET_VMX_CPUS, cpus) < 0)
		return -errno;
	/* Callers index the masks by nr_cpus: never past their end. */
	if (cpus->nr_cpus > VMCTL_MAX_CPU_REPORT)
		cpus->nr_cpus = VMCTL_MAX_CPU_REPORT;
	return 0;
}
