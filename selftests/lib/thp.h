/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transparent huge pages for MADV_HUGEPAGE memory.  Kernels turn THP off
 * ("never") on machines with less than 512 MiB, as the test machine:
 * tests that need huge pages turn it on for MADV_HUGEPAGE memory (root)
 * and off again after.
 */
#ifndef SELFTEST_THP_H
#define SELFTEST_THP_H

#include <stdbool.h>

/* THP "never" -> "madvise" (enabled and defrag); true when switched. */
bool thp_madvise_on(void);

/* Back to "never" (after thp_madvise_on() returned true). */
void thp_never_again(void);

#endif /* SELFTEST_THP_H */
