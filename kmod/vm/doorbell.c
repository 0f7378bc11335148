// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbells (VMCTL_DOORBELL; KVM's ioeventfd is the model, the code is
 * our own): the port I/O and EPT-violation handlers ask
 * vmk_doorbell_ring() before sending a guest write to userspace; a
 * doorbell that matches signals its eventfd and the guest goes on.
 *
 * The VM's doorbells are one array, read by the vCPUs under RCU and
 * never changed in place: an assign or deassign (under
 * vm->doorbell_lock) builds a new array, publishes it and frees the old
 * one after a grace period, and only then drops the eventfd reference a
 * deassigned doorbell held.
 * A VM without doorbells has none (NULL): one load on the exit path.
 * The linear walk is fine for the few doorbells a VM's devices register
 * (one per virtqueue or device).
 */
#include <linux/err.h>
#include <linux/rcupdate.h>
#include "stats.h"
#include "vm/doorbell.h"
#include "vm/eventfd.h"
#include "vm/vm.h"

struct vmk_doorbell {
	u64 addr;
	u64 data;
	u32 len;
	u32 flags;	/* VMCTL_DOORBELL_PIO, _DATAMATCH */
	struct eventfd_ctx *ctx;
};

struct vmk_doorbells {
	u32 nr;
	struct vmk_doorbell db[];
};

static size_t dbs_size(u32 nr)
{
	return sizeof(struct vmk_doorbells) + nr * sizeof(struct vmk_doorbell);
}

static bool db_takes(const struct vmk_doorbell *db, bool pio, u64 addr,
		     u32 len, u64 val)
{
	return db->addr == addr && db->len == len &&
	       !!(db->flags & VMCTL_DOORBELL_PIO) == pio &&
	       (!(db->flags & VMCTL_DOORBELL_DATAMATCH) || db->data == val);
}

bool vmk_doorbell_ring(struct vmk_vm *vm, bool pio, u64 addr, u32 len,
		       u64 val)
{
	struct vmk_doorbells *dbs;
	bool rang = false;
	u32 i;

	if (!rcu_access_pointer(vm->doorbells))
		return false;
	rcu_read_lock();
	dbs = rcu_dereference(vm->doorbells);
	for (i = 0; dbs && i < dbs->nr; i++) {
		if (db_takes(&dbs->db[i], pio, addr, len, val)) {
			vmk_eventfd_signal(dbs->db[i].ctx);
			rang = true;
			break;
		}
	}
	rcu_read_unlock();
	return rang;
}

static int db_check(const struct vmctl_doorbell *a)
{
	bool pio = a->flags & VMCTL_DOORBELL_PIO;

	if ((a->flags & ~VMCTL_DOORBELL_VALID_FLAGS) || a->padding)
		return -EINVAL;
	if (a->len != 1 && a->len != 2 && a->len != 4 && a->len != 8)
		return -EINVAL;
	if (pio && (a->len == 8 || a->addr > 0x10000 - a->len))
		return -EINVAL;
	if (a->addr + a->len < a->addr)
		return -EINVAL;
	if (!(a->flags & VMCTL_DOORBELL_DATAMATCH))
		return a->data ? -EINVAL : 0;
	if (a->len < 8 && a->data >> (8 * a->len))
		return -EINVAL;
	return 0;
}

/* Would @a and @b both take one write? */
static bool db_collide(const struct vmk_doorbell *a,
		       const struct vmk_doorbell *b)
{
	u32 space = VMCTL_DOORBELL_PIO;

	return a->addr == b->addr && a->len == b->len &&
	       (a->flags & space) == (b->flags & space) &&
	       (!(a->flags & VMCTL_DOORBELL_DATAMATCH) ||
		!(b->flags & VMCTL_DOORBELL_DATAMATCH) || a->data == b->data);
}

static bool db_same(const struct vmk_doorbell *a,
		    const struct vmk_doorbell *b)
{
	return a->addr == b->addr && a->len == b->len &&
	       a->flags == b->flags && a->data == b->data && a->ctx == b->ctx;
}

/*
 * Publish a copy of the array with @add appended or entry @del left out
 * (-1: none); the old array is freed after a grace period.
 * vm->doorbell_lock held.
 */
static int db_publish(struct vmk_vm *vm, const struct vmk_doorbell *add,
		      int del)
{
	struct vmk_doorbells *old, *new = NULL;
	u32 nr, i, j = 0;

	old = rcu_dereference_protected(vm->doorbells,
					lockdep_is_held(&vm->doorbell_lock));
	nr = (old ? old->nr : 0) + (add ? 1 : 0) - (del >= 0 ? 1 : 0);
	if (nr) {
		new = vmctl_zalloc(dbs_size(nr));
		if (!new)
			return -ENOMEM;
		for (i = 0; old && i < old->nr; i++)
			if (i != del)
				new->db[j++] = old->db[i];
		if (add)
			new->db[j++] = *add;
		new->nr = nr;
	}
	rcu_assign_pointer(vm->doorbells, new);
	/* Rare, and DEASSIGN must not return while a vCPU may still ring. */
	synchronize_rcu_expedited();
	if (old)
		vmctl_free(old, dbs_size(old->nr));
	return 0;
}

static int db_assign(struct vmk_vm *vm, struct vmk_doorbell *db)
{
	struct vmk_doorbells *dbs;
	u32 i;

	dbs = rcu_dereference_protected(vm->doorbells,
					lockdep_is_held(&vm->doorbell_lock));
	if (dbs && dbs->nr >= VMCTL_MAX_DOORBELLS)
		return -ENOSPC;
	for (i = 0; dbs && i < dbs->nr; i++)
		if (db_collide(&dbs->db[i], db))
			return -EEXIST;
	return db_publish(vm, db, -1);
}

static int db_deassign(struct vmk_vm *vm, const struct vmk_doorbell *db)
{
	struct vmk_doorbells *dbs;
	struct eventfd_ctx *ctx;
	u32 i;
	int ret;

	dbs = rcu_dereference_protected(vm->doorbells,
					lockdep_is_held(&vm->doorbell_lock));
	for (i = 0; dbs && i < dbs->nr; i++)
		if (db_same(&dbs->db[i], db))
			break;
	if (!dbs || i == dbs->nr)
		return -ENOENT;
	ctx = dbs->db[i].ctx;
	ret = db_publish(vm, NULL, i);
	/* No vCPU can see it any more: its reference goes. */
	if (!ret)
		eventfd_ctx_put(ctx);
	return ret;
}

int vmk_doorbell(struct vmk_vm *vm, const struct vmctl_doorbell *a)
{
	struct vmk_doorbell db = {
		.addr = a->addr,
		.data = a->data,
		.len = a->len,
		.flags = a->flags & ~VMCTL_DOORBELL_DEASSIGN,
	};
	int ret = db_check(a);

	if (ret)
		return ret;
	db.ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(db.ctx))
		return PTR_ERR(db.ctx);
	mutex_lock(&vm->doorbell_lock);
	if (a->flags & VMCTL_DOORBELL_DEASSIGN)
		ret = db_deassign(vm, &db);
	else
		ret = db_assign(vm, &db);
	mutex_unlock(&vm->doorbell_lock);
	/* Deassign: this call's own reference; assign: the new one's. */
	if (ret || (a->flags & VMCTL_DOORBELL_DEASSIGN))
		eventfd_ctx_put(db.ctx);
	return ret;
}

void vmk_doorbells_free(struct vmk_vm *vm)
{
	struct vmk_doorbells *dbs = rcu_dereference_protected(vm->doorbells, 1);
	u32 i;

	if (!dbs)
		return;
	for (i = 0; i < dbs->nr; i++)
		eventfd_ctx_put(dbs->db[i].ctx);
	vmctl_free(dbs, dbs_size(dbs->nr));
	RCU_INIT_POINTER(vm->doorbells, NULL);
}
