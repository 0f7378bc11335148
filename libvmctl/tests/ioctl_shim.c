// SPDX-License-Identifier: LGPL-2.1-or-later
/* ioctl() for the unit tests: see ioctl_shim.h. */
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ioctl_shim.h"

/* Every vmctl request takes at most one argument, a pointer or a value. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fake_ioctl(fd, req, arg);
}

int real_ioctl(int fd, unsigned long req, void *arg)
{
	return syscall(SYS_ioctl, fd, req, arg);
}
