/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signalling an eventfd from the kernel (doorbells, irqfd resampling):
 * one count, in any context.  Linux 6.8 dropped the count argument;
 * Kbuild defines VMCTL_EVENTFD_SIGNAL_COUNT for the kernels before.
 */
#ifndef VMCTL_VM_EVENTFD_H
#define VMCTL_VM_EVENTFD_H

#include <linux/eventfd.h>

static inline void vmk_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef VMCTL_EVENTFD_SIGNAL_COUNT
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

#endif /* VMCTL_VM_EVENTFD_H */
