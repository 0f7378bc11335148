// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt eventfds (VMCTL_IRQFD; KVM's irqfd is the model, the code is
 * our own).  An irqfd sits on its eventfd's wait queue; the eventfd's
 * wake-up (a write from any thread, or a doorbell in the kernel) calls
 * irqfd_wakeup() with the eventfd's lock held and interrupts off, which
 * consumes the count and raises the pin or sends the MSI right there:
 * everything on that path (irqchip.c, apic.c) takes only spinlocks with
 * interrupts off, so no work item is needed to inject.
 *
 * Teardown is what needs care, because three parties may end an irqfd:
 * its eventfd's release (EPOLLHUP, in that same atomic wake-up), the
 * DEASSIGN ioctl and the VM's end.  Each of them only deactivates it:
 * under fds->lock, takes it off the VM's list (list_empty() then says
 * "inactive", so it happens once) and queues its shutdown on our
 * workqueue.  The shutdown, in process context, takes it off the
 * eventfd's wait queue under the eventfd's lock, after which no wake-up
 * runs or will run, drops its EOI notifier and waits out the RCU readers
 * of it, then drops the eventfd references and frees it.  DEASSIGN and
 * the VM's end flush the workqueue, so when they return the irqfd is
 * gone; the VM frees vCPUs and irqchip only after that.
 *
 * Registration holds fds->assign from putting an irqfd on the list until
 * it is on the eventfd's wait queue, so a DEASSIGN never shuts down an
 * irqfd half registered; its eventfd cannot be released meanwhile (we
 * hold the file), and the VM cannot end (the ioctl holds the VM fd).
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "irqchip/irqchip.h"
#include "irqchip/irqfd.h"
#include "model/msi.h"
#include "stats.h"
#include "vm/eventfd.h"
#include "vm/vm.h"

struct vmk_irqfd {
	struct vmk_vm *vm;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;	/* on the eventfd's wait queue */
	poll_table pt;			/* vfs_poll() puts it there */
	struct list_head node;		/* vm->irqfds.items; empty: inactive */
	struct work_struct shutdown;
	bool msi;
	bool msi_silent;		/* a level de-assert MSI: nothing */
	struct vmctl_apic_irq irq;	/* the MSI, decoded */
	u32 pin;
	struct eventfd_ctx *resample;	/* RESAMPLE: signalled on EOI */
	struct vmctl_irq_ack ack;
};

static struct workqueue_struct *irqfd_wq;

int vmk_irqfd_init(void)
{
	irqfd_wq = alloc_workqueue("vmctl-irqfd", 0, 0);
	return irqfd_wq ? 0 : -ENOMEM;
}

void vmk_irqfd_exit(void)
{
	destroy_workqueue(irqfd_wq);
}

void vmk_irqfds_init(struct vmk_irqfds *fds)
{
	mutex_init(&fds->assign);
	spin_lock_init(&fds->lock);
	INIT_LIST_HEAD(&fds->items);
	fds->nr = 0;
}

static void irqfd_inject(struct vmk_irqfd *irqfd)
{
	if (!irqfd->msi)
		vmctl_irqchip_raise(irqfd->vm, irqfd->pin, irqfd->resample);
	else if (!irqfd->msi_silent)
		vmctl_irqchip_deliver(irqfd->vm, &irqfd->irq);
}

/* Under fds->lock, once per irqfd (it is on the list). */
static void irqfd_deactivate(struct vmk_irqfd *irqfd)
{
	list_del_init(&irqfd->node);
	irqfd->vm->irqfds.nr--;
	queue_work(irqfd_wq, &irqfd->shutdown);
}

static void irqfd_shutdown(struct work_struct *work)
{
	struct vmk_irqfd *irqfd = container_of(work, struct vmk_irqfd,
					       shutdown);
	u64 cnt;

	/* Under the eventfd's lock: no wake-up of ours runs after this. */
	eventfd_ctx_remove_wait_queue(irqfd->ctx, &irqfd->wait, &cnt);
	if (irqfd->resample) {
		vmctl_irqchip_del_ack(irqfd->vm, &irqfd->ack);
		/* An EOI may still be calling irqfd_acked(). */
		synchronize_rcu();
		eventfd_ctx_put(irqfd->resample);
	}
	eventfd_ctx_put(irqfd->ctx);
	vmctl_free(irqfd, sizeof(*irqfd));
}

/* The eventfd's wake-up: its wqh lock held, interrupts off. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key)
{
	struct vmk_irqfd *irqfd = container_of(wait, struct vmk_irqfd, wait);
	__poll_t events = key_to_poll(key);
	struct vmk_irqfds *fds = &irqfd->vm->irqfds;
	unsigned long flags;
	u64 cnt;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->ctx, &cnt);
		irqfd_inject(irqfd);
	}
	if (events & EPOLLHUP) {
		/* The eventfd is being released. */
		spin_lock_irqsave(&fds->lock, flags);
		if (!list_empty(&irqfd->node))
			irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&fds->lock, flags);
	}
	return 0;
}

static void irqfd_queue(struct file *file, wait_queue_head_t *wqh,
			poll_table *pt)
{
	struct vmk_irqfd *irqfd = container_of(pt, struct vmk_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

/* The guest's EOI of the pin's level interrupt (irqchip.c lowered it). */
static void irqfd_acked(struct vmctl_irq_ack *ack)
{
	struct vmk_irqfd *irqfd = container_of(ack, struct vmk_irqfd, ack);

	vmk_eventfd_signal(irqfd->resample);
}

/* What the arguments ask for, into @irqfd; the eventfds come later. */
static int irqfd_parse(struct vmk_irqfd *irqfd, const struct vmctl_irqfd *a)
{
	int ret;

	if (a->flags & VMCTL_IRQFD_MSI) {
		if ((a->flags & VMCTL_IRQFD_RESAMPLE) || a->pin ||
		    a->resamplefd || a->msi.flags)
			return -EINVAL;
		ret = vmctl_msi_decode(a->msi.address, a->msi.data,
				       &irqfd->irq);
		if (ret < 0)
			return ret;
		irqfd->msi = true;
		irqfd->msi_silent = ret;
		return 0;
	}
	if (a->pin >= VMCTL_IOAPIC_PINS || a->msi.address || a->msi.data ||
	    a->msi.flags ||
	    (!(a->flags & VMCTL_IRQFD_RESAMPLE) && a->resamplefd))
		return -EINVAL;
	irqfd->pin = a->pin;
	return 0;
}

/* Put @irqfd on the list and on @file's wait queue; fds->assign held. */
static int irqfd_register(struct vmk_vm *vm, struct vmk_irqfd *irqfd,
			  struct file *file)
{
	struct vmk_irqfds *fds = &vm->irqfds;
	struct vmk_irqfd *other;
	__poll_t events;
	int ret = 0;

	spin_lock_irq(&fds->lock);
	list_for_each_entry(other, &fds->items, node)
		if (other->ctx == irqfd->ctx)
			ret = -EEXIST;
	if (!ret && fds->nr >= VMCTL_MAX_IRQFDS)
		ret = -ENOSPC;
	if (!ret) {
		list_add_tail(&irqfd->node, &fds->items);
		fds->nr++;
	}
	spin_unlock_irq(&fds->lock);
	if (ret)
		return ret;
	if (irqfd->resample)
		vmctl_irqchip_add_ack(vm, &irqfd->ack);
	events = vfs_poll(file, &irqfd->pt);
	/* Written before we listened: inject as if we had heard it. */
	if (events & EPOLLIN)
		irqfd_inject(irqfd);
	return 0;
}

static int irqfd_assign(struct vmk_vm *vm, const struct vmctl_irqfd *a)
{
	struct vmk_irqfd *irqfd;
	struct file *file;
	int ret;

	irqfd = vmctl_zalloc(sizeof(*irqfd));
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	ret = irqfd_parse(irqfd, a);
	if (ret)
		goto free;
	file = fget(a->fd);
	if (!file) {
		ret = -EBADF;
		goto free;
	}
	irqfd->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(irqfd->ctx)) {
		ret = PTR_ERR(irqfd->ctx);
		goto put_file;
	}
	if (a->flags & VMCTL_IRQFD_RESAMPLE) {
		irqfd->resample = eventfd_ctx_fdget(a->resamplefd);
		if (IS_ERR(irqfd->resample)) {
			ret = PTR_ERR(irqfd->resample);
			irqfd->resample = NULL;
			goto put_ctx;
		}
		irqfd->ack.pin = irqfd->pin;
		irqfd->ack.acked = irqfd_acked;
	}
	INIT_LIST_HEAD(&irqfd->node);
	INIT_WORK(&irqfd->shutdown, irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, irqfd_queue);

	mutex_lock(&vm->irqfds.assign);
	ret = irqfd_register(vm, irqfd, file);
	mutex_unlock(&vm->irqfds.assign);
	if (!ret) {
		fput(file);
		return 0;
	}
	if (irqfd->resample)
		eventfd_ctx_put(irqfd->resample);
put_ctx:
	eventfd_ctx_put(irqfd->ctx);
put_file:
	fput(file);
free:
	vmctl_free(irqfd, sizeof(*irqfd));
	return ret;
}

static int irqfd_deassign(struct vmk_vm *vm, const struct vmctl_irqfd *a)
{
	struct vmk_irqfds *fds = &vm->irqfds;
	struct vmk_irqfd *irqfd;
	struct eventfd_ctx *ctx;
	int ret = -ENOENT;

	if (a->flags != VMCTL_IRQFD_DEASSIGN || a->resamplefd || a->pin ||
	    a->msi.address || a->msi.data || a->msi.flags)
		return -EINVAL;
	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&fds->assign);
	spin_lock_irq(&fds->lock);
	list_for_each_entry(irqfd, &fds->items, node) {
		if (irqfd->ctx == ctx) {
			irqfd_deactivate(irqfd);
			ret = 0;
			break;
		}
	}
	spin_unlock_irq(&fds->lock);
	mutex_unlock(&fds->assign);
	eventfd_ctx_put(ctx);
	/* No interrupt comes from it once we return. */
	if (!ret)
		flush_workqueue(irqfd_wq);
	return ret;
}

int vmk_irqfd(struct vmk_vm *vm, const struct vmctl_irqfd *args)
{
	/* Pairs with the release in vmctl_create_irqchip(). */
	if (!smp_load_acquire(&vm->irqchip))
		return -ENXIO;
	if (args->flags & ~VMCTL_IRQFD_VALID_FLAGS)
		return -EINVAL;
	if (args->flags & VMCTL_IRQFD_DEASSIGN)
		return irqfd_deassign(vm, args);
	return irqfd_assign(vm, args);
}

void vmk_irqfds_release(struct vmk_vm *vm)
{
	struct vmk_irqfds *fds = &vm->irqfds;
	struct vmk_irqfd *irqfd, *tmp;

	spin_lock_irq(&fds->lock);
	list_for_each_entry_safe(irqfd, tmp, &fds->items, node)
		irqfd_deactivate(irqfd);
	spin_unlock_irq(&fds->lock);
	flush_workqueue(irqfd_wq);
	mutex_destroy(&fds->assign);
}
