/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Failures of the test library itself (a setup ioctl that must succeed,
 * out of memory): print one TAP comment line and abort, which the harness
 * reports as the running test failing.
 */
#ifndef SELFTEST_DIE_H
#define SELFTEST_DIE_H

#include <errno.h>

void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* die() with @what and strerror(errno) unless @ok. */
#define die_unless(ok, what) \
	do { if (!(ok)) die("%s:%d: %s: %m", __FILE__, __LINE__, what); } while (0)

#endif /* SELFTEST_DIE_H */
