/* SPDX-License-Identifier: GPL-2.0 */
/*
 * String I/O (INS/OUTS, with REP) may reach userspace in more than one
 * exit: one per element, or one per page.  This runs a vCPU through all of
 * them up to the guest's next ucall.
 */
#ifndef SELFTEST_STRING_IO_H
#define SELFTEST_STRING_IO_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/*
 * Run @vcpu until its next ucall, expecting only @dir (VMCTL_IO_IN/OUT)
 * accesses of @size bytes to @port on the way: OUT data is appended to
 * @buf, IN data is taken from @buf, at most @cap bytes; *@len says how
 * many moved.  Returns the number of I/O exits, or -1 when RUN failed, an
 * exit was something else or @cap was exceeded.
 */
int string_io(struct vcpu *vcpu, int dir, uint16_t port, uint8_t size,
	      uint8_t *buf, size_t cap, size_t *len);

#endif /* SELFTEST_STRING_IO_H */
