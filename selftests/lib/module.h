/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unloading and loading vmctl.ko from a test (root, on the test machine):
 * the module file is $VMCTL_KO, by default /vmctl/kmod/vmctl.ko.
 */
#ifndef SELFTEST_MODULE_H
#define SELFTEST_MODULE_H

#include <stdbool.h>

const char *vmctl_module_path(void);
bool vmctl_module_loaded(void);

/* `rmmod vmctl`: its exit status (its messages go to /dev/null). */
int vmctl_unload(void);

/* insmod, then wait for /dev/vmctl: 0, or nonzero on failure. */
int vmctl_load(void);

#endif /* SELFTEST_MODULE_H */
