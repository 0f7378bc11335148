// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error text and logging: the one place user-facing messages come from.
 * Codes are -errno or -VMCTL_E_*; the detail string (per thread) carries
 * the specifics the code cannot (which segment, which address).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const lib_messages[VMCTL_E_END - VMCTL_E_BASE] = {
	[VMCTL_E_NO_MODULE - VMCTL_E_BASE] =
		"the vmctl module is not loaded: sudo insmod kmod/vmctl.ko",
	[VMCTL_E_DEVICE_ACCESS - VMCTL_E_BASE] =
		"no permission to open /dev/vmctl: run as root or give your user access to the device",
	[VMCTL_E_API_VERSION - VMCTL_E_BASE] =
		"the loaded vmctl module speaks another API version than this library",
	[VMCTL_E_IMAGE_TRUNCATED - VMCTL_E_BASE] = "image file is truncated",
	[VMCTL_E_IMAGE_FORMAT - VMCTL_E_BASE] = "unsupported image format",
	[VMCTL_E_IMAGE_RANGE - VMCTL_E_BASE] =
		"image does not fit in guest memory",
	[VMCTL_E_IMAGE_OVERLAP - VMCTL_E_BASE] =
		"image segments overlap",
	[VMCTL_E_IMAGE_ENTRY - VMCTL_E_BASE] =
		"entry point lies outside the loaded image",
	[VMCTL_E_IMAGE_EMPTY - VMCTL_E_BASE] = "image has nothing to load",
	[VMCTL_E_NO_BOOT_ROOM - VMCTL_E_BASE] =
		"no free guest memory for the boot GDT, page tables and stack",
	[VMCTL_E_IO_OVERLAP - VMCTL_E_BASE] =
		"device I/O range overlaps a registered one",
	[VMCTL_E_VM_RUNNING - VMCTL_E_BASE] = "the VM is running",
	[VMCTL_E_DISK_LOCKED - VMCTL_E_BASE] =
		"disk image is in use by another VM (it is locked)",
	[VMCTL_E_DISK_SIZE - VMCTL_E_BASE] =
		"disk image size is not a non-zero multiple of 512 bytes",
};

const char *vmctl_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err > VMCTL_E_BASE && err < VMCTL_E_END)
		return lib_messages[err - VMCTL_E_BASE];
	if (err == 0)
		return "success";
	return strerror(err);
}

static __thread char detail[256];

const char *vmctl_error_detail(void)
{
	return detail;
}

void vmctl_clear_detail(void)
{
	detail[0] = '\0';
}

int vmctl_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return err;
}

static void log_stderr(void *opaque, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "libvmctl: %s\n", msg);
}

static void (*log_fn)(void *opaque, const char *msg) = log_stderr;
static void *log_opaque;

void vmctl_set_log(void (*fn)(void *opaque, const char *msg), void *opaque)
{
	log_fn = fn ? fn : log_stderr;
	log_opaque = fn ? opaque : NULL;
}

void vmctl_log(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fn(log_opaque, msg);
}
