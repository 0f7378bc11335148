/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit tests' stand-in for the module.  ioctl() is defined once, in
 * ioctl_shim.c, and hands each call with its one argument to the test's
 * own fake_ioctl(); a test passes the fds it does not fake to the kernel
 * with real_ioctl().  Linked into every test that fakes /dev/vmctl and
 * into fake_module.so.
 */
#ifndef VMCTL_TESTS_IOCTL_SHIM_H
#define VMCTL_TESTS_IOCTL_SHIM_H

/* Defined by the test: what ioctl(fd, req, arg) returns. */
int fake_ioctl(int fd, unsigned long req, void *arg);

/* The kernel's ioctl, for fds the test does not fake. */
int real_ioctl(int fd, unsigned long req, void *arg);

#endif
