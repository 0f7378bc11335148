/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checking that a call fails the way the ABI says: include after
 * kselftest_harness.h (it uses the harness's assertions).
 */
#ifndef SELFTEST_ASSERT_ERRNO_H
#define SELFTEST_ASSERT_ERRNO_H

#include <errno.h>

/* @call must fail with @err. */
#define ASSERT_ERRNO(err, call) do {					\
	long __ret = (call);						\
	int __err = errno;						\
	ASSERT_EQ(-1, __ret) TH_LOG("%s", #call);			\
	ASSERT_EQ(err, __err) TH_LOG("%s", #call);			\
} while (0)

#endif /* SELFTEST_ASSERT_ERRNO_H */
