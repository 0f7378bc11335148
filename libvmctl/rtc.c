// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PC's CMOS real-time clock (an MC146818) at ports 0x70 (index) and
 * 0x71 (data).  Linux reads the wall clock from it at boot and spins
 * while register A's update-in-progress bit is set: here an update is
 * never in progress, the time is the host's (UTC), in BCD or binary and
 * 12 or 24-hour form as register B asks.  Writes to the clock registers
 * are ignored (the guest cannot move the host's clock); the other
 * registers and the NVRAM keep what the guest writes.  No alarm or
 * periodic interrupt: register C never flags one.  Every PC guest gets
 * one (pc.c); it needs no thread and no interrupt line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtc.h"

enum {
	RTC_SECONDS = 0x00, RTC_MINUTES = 0x02, RTC_HOURS = 0x04,
	RTC_WEEKDAY = 0x06, RTC_DAY = 0x07, RTC_MONTH = 0x08, RTC_YEAR = 0x09,
	RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,
};

#define A_UIP		0x80	/* update in progress */
#define A_DEFAULT	0x26	/* 32.768 kHz time base, 1024 Hz rate */
#define B_24H		0x02
#define B_BINARY	0x04	/* DM: binary, not BCD */
#define D_VRT		0x80	/* valid RAM and time: the battery is fine */
#define HOUR_PM		0x80	/* 12-hour mode */
#define INDEX_MASK	0x7f	/* bit 7 of port 0x70 masks NMI */

/* The time and date; the alarm registers between them are plain RAM. */
static bool is_clock_reg(uint8_t reg)
{
	switch (reg) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS:
	case RTC_WEEKDAY: case RTC_DAY: case RTC_MONTH: case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	default:
		return false;
	}
}

static uint8_t encode(const struct vmctl_rtc *rtc, unsigned int v)
{
	return (rtc->nvram[RTC_REG_B] & B_BINARY) ? v : (v / 10) << 4 | v % 10;
}

static uint8_t hours(const struct vmctl_rtc *rtc, unsigned int h)
{
	unsigned int h12;

	if (rtc->nvram[RTC_REG_B] & B_24H)
		return encode(rtc, h);
	h12 = h % 12 ? h % 12 : 12;
	return encode(rtc, h12) | (h >= 12 ? HOUR_PM : 0);
}

static uint8_t clock_reg(const struct vmctl_rtc *rtc, uint8_t reg)
{
	time_t t = rtc->now(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return encode(rtc, tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case RTC_MINUTES:
		return encode(rtc, tm.tm_min);
	case RTC_HOURS:
		return hours(rtc, tm.tm_hour);
	case RTC_WEEKDAY:
		return encode(rtc, tm.tm_wday + 1);
	case RTC_DAY:
		return encode(rtc, tm.tm_mday);
	case RTC_MONTH:
		return encode(rtc, tm.tm_mon + 1);
	case RTC_YEAR:
		return encode(rtc, tm.tm_year % 100);
	default:
		return encode(rtc, (tm.tm_year + 1900) / 100);
	}
}

static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct vmctl_rtc *rtc = opaque;
	uint8_t reg, v;

	(void)size;
	pthread_mutex_lock(&rtc->lock);
	reg = rtc->index;
	if (offset == 0)
		v = reg;
	else if (is_clock_reg(reg))
		v = clock_reg(rtc, reg);
	else if (reg == RTC_REG_A)
		v = rtc->nvram[reg] & ~A_UIP;
	else if (reg == RTC_REG_C)
		v = 0;
	else if (reg == RTC_REG_D)
		v = D_VRT;
	else
		v = rtc->nvram[reg];
	pthread_mutex_unlock(&rtc->lock);
	return v;
}

static void rtc_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	struct vmctl_rtc *rtc = opaque;
	uint8_t reg;

	(void)size;
	pthread_mutex_lock(&rtc->lock);
	if (offset == 0) {
		rtc->index = value & INDEX_MASK;
	} else {
		reg = rtc->index;
		/* C and D are read-only; the clock is the host's. */
		if (reg != RTC_REG_C && reg != RTC_REG_D && !is_clock_reg(reg))
			rtc->nvram[reg] = value;
	}
	pthread_mutex_unlock(&rtc->lock);
}

const struct vmctl_io_ops vmctl_rtc_ops = {
	.read = rtc_read,
	.write = rtc_write,
};

void vmctl_rtc_init(struct vmctl_rtc *rtc)
{
	*rtc = (struct vmctl_rtc){ .now = time };
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->nvram[RTC_REG_A] = A_DEFAULT;
	rtc->nvram[RTC_REG_B] = B_24H;
}

static void rtc_free(struct vmctl_device *dev)
{
	struct vmctl_rtc *rtc = container_of(dev, struct vmctl_rtc, dev);

	pthread_mutex_destroy(&rtc->lock);
	free(rtc);
}

/* The index register and the NVRAM; the clock reads the host's time. */
static int rtc_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	struct vmctl_rtc *rtc = container_of(dev, struct vmctl_rtc, dev);
	uint8_t st[1 + VMCTL_RTC_NVRAM];

	pthread_mutex_lock(&rtc->lock);
	st[0] = rtc->index;
	memcpy(st + 1, rtc->nvram, VMCTL_RTC_NVRAM);
	pthread_mutex_unlock(&rtc->lock);
	return vmctl_state_put(w, st, sizeof(st));
}

static int rtc_restore(struct vmctl_device *dev, struct vmctl_state_reader *r)
{
	struct vmctl_rtc *rtc = container_of(dev, struct vmctl_rtc, dev);
	uint8_t st[1 + VMCTL_RTC_NVRAM];
	int ret = vmctl_state_get(r, st, sizeof(st));

	if (ret)
		return ret;
	pthread_mutex_lock(&rtc->lock);
	rtc->index = st[0] & INDEX_MASK;
	memcpy(rtc->nvram, st + 1, VMCTL_RTC_NVRAM);
	pthread_mutex_unlock(&rtc->lock);
	return 0;
}

static const struct vmctl_device_ops rtc_device_ops = {
	.name = "cmos",
	.destroy = rtc_free,
	.save = rtc_save,
	.restore = rtc_restore,
};

int vmctl_rtc_create(struct vmctl_vm *vm)
{
	struct vmctl_rtc *rtc = malloc(sizeof(*rtc));
	int ret;

	if (!rtc)
		return -ENOMEM;
	vmctl_rtc_init(rtc);
	ret = vmctl_vm_register_pio(vm, VMCTL_RTC_PORT, 2, &vmctl_rtc_ops, rtc);
	if (ret) {
		rtc_free(&rtc->dev);
		return ret;
	}
	vmctl_device_add(vm, &rtc->dev, &rtc_device_ops);
	return 0;
}
