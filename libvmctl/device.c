// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM's device list, the lifecycle calls over it (device.h) and its
 * counters (vmctl_vm_device_counters): start in the order the devices
 * were added, stop and destroy in reverse, as kvmtool runs its dev_init
 * and dev_exit lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int vmctl_state_put(struct vmctl_state_writer *w, const void *p, size_t len)
{
	size_t cap = w->cap ? w->cap : 256;
	uint8_t *buf;

	while (cap < w->len + len)
		cap *= 2;
	if (cap != w->cap) {
		buf = realloc(w->buf, cap);
		if (!buf)
			return -ENOMEM;
		w->buf = buf;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, len);
	w->len += len;
	return 0;
}

int vmctl_state_get(struct vmctl_state_reader *r, void *p, size_t len)
{
	if (r->left < len)
		return vmctl_fail(-EPROTO,
				  "device state of %zu bytes where %zu are needed",
				  r->left, len);
	memcpy(p, r->p, len);
	r->p += len;
	r->left -= len;
	return 0;
}

void vmctl_device_add(struct vmctl_vm *vm, struct vmctl_device *dev,
		      const struct vmctl_device_ops *ops)
{
	struct vmctl_device_list *list = &vm->devices;

	dev->ops = ops;
	dev->vm = vm;
	dev->started = false;
	dev->next = NULL;
	dev->prev = list->last;
	if (list->last)
		list->last->next = dev;
	else
		list->first = dev;
	list->last = dev;
	if (vm->irqchip && ops->connect_irqchip)
		ops->connect_irqchip(dev);
}

void vmctl_devices_stop(struct vmctl_device_list *list)
{
	struct vmctl_device *dev;

	for (dev = list->last; dev; dev = dev->prev) {
		if (dev->started && dev->ops->stop)
			dev->ops->stop(dev);
		dev->started = false;
	}
}

int vmctl_devices_start(struct vmctl_device_list *list)
{
	struct vmctl_device *dev;
	int ret;

	for (dev = list->first; dev; dev = dev->next) {
		ret = dev->ops->start ? dev->ops->start(dev) : 0;
		if (ret) {
			vmctl_devices_stop(list);
			return ret;
		}
		dev->started = true;
	}
	return 0;
}

void vmctl_devices_destroy(struct vmctl_device_list *list)
{
	struct vmctl_device *dev = list->last, *prev;

	vmctl_devices_stop(list);
	for (; dev; dev = prev) {
		prev = dev->prev;
		dev->ops->destroy(dev);
	}
	list->first = list->last = NULL;
}

void vmctl_devices_connect_irqchip(struct vmctl_device_list *list)
{
	struct vmctl_device *dev;

	for (dev = list->first; dev; dev = dev->next)
		if (dev->ops->connect_irqchip)
			dev->ops->connect_irqchip(dev);
}

void vmctl_vm_device_counters(struct vmctl_vm *vm,
			      void (*fn)(void *ctx,
					 const struct vmctl_device_counter *c),
			      void *ctx)
{
	struct vmctl_device *dev;

	for (dev = vm->devices.first; dev; dev = dev->next)
		if (dev->ops->counters)
			dev->ops->counters(dev, fn, ctx);
}
