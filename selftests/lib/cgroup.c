// SPDX-License-Identifier: GPL-2.0
/* A memory cgroup of the test's own (cgroup.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "sysfile.h"

int cg_put(const char *dir, const char *name, const char *s)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

long cg_get(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_long(path);
}

const char *cg_memory(void)
{
	struct stat st;

	if (geteuid())
		return "needs root for a memory cgroup";
	if (stat(CG_ROOT "/cgroup.controllers", &st) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
		return "no cgroup v2 at " CG_ROOT;
	if (cg_put(CG_ROOT, "cgroup.subtree_control", "+memory"))
		return "no memory controller in cgroup v2";
	return NULL;
}

int cg_create(const char *path)
{
	return mkdir(path, 0755) ? -errno : 0;
}

int cg_join(const char *path)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	return cg_put(path, "cgroup.procs", pid);
}

void cg_leave(const char *path)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	cg_put(CG_ROOT, "cgroup.procs", pid);
	rmdir(path);
}
