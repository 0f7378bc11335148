/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One number in a file of /proc or /sys (a module parameter,
 * /proc/sys/vm/nr_hugepages): tests read it, change it and put it back.
 */
#ifndef SELFTEST_SYSFILE_H
#define SELFTEST_SYSFILE_H

/* The number in @path, or -1 when it cannot be read. */
long read_long(const char *path);

/* Write @v to @path: 0, or -1 when it cannot be written. */
int write_long(const char *path, long v);

#endif /* SELFTEST_SYSFILE_H */
