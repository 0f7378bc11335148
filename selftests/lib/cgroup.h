/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memory cgroup (cgroup v2) of the test's own: tests that need what a
 * cgroup charges or limits move themselves into one and back out after.
 */
#ifndef SELFTEST_CGROUP_H
#define SELFTEST_CGROUP_H

#define CG_ROOT		"/sys/fs/cgroup"

/* Write string @s to file @dir/@name: 0 or -errno. */
int cg_put(const char *dir, const char *name, const char *s);

/* The number in @dir/@name, or -1. */
long cg_get(const char *dir, const char *name);

/*
 * cgroup v2 at CG_ROOT (mounted if nothing is) with the memory controller
 * for its children: NULL, or why not (needs root).
 */
const char *cg_memory(void);

/* A new cgroup at @path (limits go in before cg_join()): 0 or -errno. */
int cg_create(const char *path);

/* Move this process into @path: 0 or -errno. */
int cg_join(const char *path);

/* Back to CG_ROOT, and @path removed. */
void cg_leave(const char *path);

#endif /* SELFTEST_CGROUP_H */
