/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CMOS real-time clock's insides (rtc.c), for its unit test. */
#ifndef VMCTL_RTC_H
#define VMCTL_RTC_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "internal.h"

#define VMCTL_RTC_PORT		0x70
#define VMCTL_RTC_NVRAM		128

struct vmctl_rtc {
	struct vmctl_device dev;
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t nvram[VMCTL_RTC_NVRAM];	/* every register but the clock's */
	time_t (*now)(time_t *t);	/* time(), replaceable in tests */
};

extern const struct vmctl_io_ops vmctl_rtc_ops;
void vmctl_rtc_init(struct vmctl_rtc *rtc);

#endif /* VMCTL_RTC_H */
