// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmctl" generic netlink family: a host-wide, read-only view of the
 * VMs (list, exit counters by reason) and a multicast group of VM events.
 * The message layout is documented in <linux/vmctl_netlink.h>.
 *
 * Who sees what: CAP_SYS_ADMIN in the initial user namespace (checked with
 * netlink_capable(): the socket's opener and the sender both need it) sees
 * every VM; anyone else only the VMs created under their effective uid.  A
 * VM one may not see answers exactly like a missing one (-ENOENT), so its
 * existence does not leak.  The decision is taken once per request, from
 * the sender, and kept for every part of a dump.
 *
 * Events: joining the "events" group needs CAP_SYS_ADMIN
 * (GENL_MCAST_CAP_SYS_ADMIN, enforced by the genetlink core of both 6.1
 * and 6.12).  A multicast cannot be filtered per receiver, and events
 * name every user's VMs and their owners; id-only events would still leak
 * other users' activity while being of little use to a monitor.  Users
 * follow their own VMs by polling VMCTL_CMD_GET_VM.
 *
 * It observes the VM layer and calls nothing that changes it: the VMs'
 * events come through the one-way hook of vm.c (vmk_vm_set_watcher()),
 * the running state from the counters the run loop keeps in the VM.
 *
 * Locking: vmctl_vm_list_lock, then vm->lock.  A VM on the list is not
 * freed while vmctl_vm_list_lock is held (its destructor takes the lock to
 * unlink it first), so replies are built from a snapshot taken under the
 * locks, and sent after.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include "netlink.h"
#include "stats.h"
#include "vm/mmu.h"
#include "vm/vcpu.h"
#include "vm/vm.h"

/* A vCPU thread that left VMCTL_RUN this recently is still running it. */
#define RUNNING_GRACE	HZ

enum { MCGRP_EVENTS };

static struct genl_family vmctl_nl_family;

/* Who asked: decides which VMs exist for them and how pids/uids read. */
struct viewer {
	bool admin;
	kuid_t euid;
	struct user_namespace *user_ns;
	struct pid_namespace *pid_ns;
};

/* Called in the sender's context: a doit, or a dump's start. */
static void viewer_get(struct viewer *v, const struct sk_buff *skb)
{
	v->admin = netlink_capable(skb, CAP_SYS_ADMIN);
	v->euid = current_euid();
	v->user_ns = get_user_ns(current_user_ns());
	v->pid_ns = get_pid_ns(task_active_pid_ns(current));
}

static void viewer_put(struct viewer *v)
{
	put_pid_ns(v->pid_ns);
	put_user_ns(v->user_ns);
}

static bool viewer_sees(const struct viewer *v, const struct vmk_vm *vm)
{
	return v->admin || uid_eq(v->euid, vm->owner_uid);
}

/* The owner's pid as the viewer knows it; 0 when not in their namespace. */
static u32 viewer_pid(const struct viewer *v, pid_t owner)
{
	u32 nr;

	rcu_read_lock();
	nr = pid_nr_ns(find_pid_ns(owner, &init_pid_ns), v->pid_ns);
	rcu_read_unlock();
	return nr;
}

/* What a reply says about a VM: copied under the locks, sent after. */
struct vm_snap {
	u32 id;
	char name[VMCTL_NAME_LEN];
	pid_t owner;
	kuid_t uid;
	u32 nr_vcpus;
	u64 mem_bytes;
	u32 state;
	time64_t created;
};

struct vcpu_snap {
	u32 id;
	struct vmctl_vcpu_stats st;
};

struct stats_snap {
	u32 nr;
	struct vcpu_snap vcpu[VMCTL_MAX_VCPUS];
	struct vmctl_vcpu_stats total;
	struct vmctl_mem_stats mem;
};

static u32 vm_state(struct vmk_vm *vm)
{
	unsigned long last = READ_ONCE(vm->last_run);

	if (atomic_read(&vm->vcpus_in_run) ||
	    (last && time_before(jiffies, last + RUNNING_GRACE)))
		return VMCTL_GENL_VM_RUNNING;
	return VMCTL_GENL_VM_IDLE;
}

static void stats_add(struct vmctl_vcpu_stats *sum,
		      const struct vmctl_vcpu_stats *st)
{
	int i;

	sum->runs += st->runs;
	sum->exits += st->exits;
	sum->user_exits += st->user_exits;
	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		sum->hw_exits[i] += st->hw_exits[i];
}

/* Called with vmctl_vm_list_lock held; @stats may be NULL. */
static void vm_snapshot(struct vmk_vm *vm, struct vm_snap *snap,
			struct stats_snap *stats)
{
	struct vcpu_snap *vs;
	int i;

	snap->id = vm->id;
	memcpy(snap->name, vm->name, sizeof(snap->name));
	snap->owner = vm->owner;
	snap->uid = vm->owner_uid;
	snap->created = vm->created;
	snap->state = vm_state(vm);
	mutex_lock(&vm->lock);
	snap->nr_vcpus = vm->nr_vcpus;
	snap->mem_bytes = vm->mem_bytes;
	for (i = 0; stats && i < VMCTL_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		vs = &stats->vcpu[stats->nr++];
		vs->id = i;
		vmk_vcpu_get_stats(vm->vcpus[i], &vs->st);
		stats_add(&stats->total, &vs->st);
	}
	if (stats)
		vmk_mmu_stats(vm, &stats->mem);
	mutex_unlock(&vm->lock);
}

/* Snapshot VM @id if @v may see it; -ENOENT otherwise. */
static int vm_find_snapshot(const struct viewer *v, u32 id,
			    struct vm_snap *snap, struct stats_snap *stats)
{
	struct vmk_vm *vm;
	int ret = -ENOENT;

	mutex_lock(&vmctl_vm_list_lock);
	list_for_each_entry(vm, &vmctl_vm_list, node) {
		if (vm->id == id && viewer_sees(v, vm)) {
			vm_snapshot(vm, snap, stats);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&vmctl_vm_list_lock);
	return ret;
}

/* ---- message building ---- */

static size_t vm_attrs_size(void)
{
	return 4 * nla_total_size(sizeof(u32)) +	/* id pid uid vcpus */
	       nla_total_size(VMCTL_NAME_LEN) +
	       nla_total_size(sizeof(u32)) +		/* state */
	       3 * nla_total_size_64bit(sizeof(u64));	/* mem created up */
}

static size_t stats_size(const struct vmctl_vcpu_stats *st)
{
	size_t n = nla_total_size(0) + nla_total_size(sizeof(u32)) +
		   3 * nla_total_size_64bit(sizeof(u64));
	int i;

	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		if (st->hw_exits[i])
			n += nla_total_size(0) + nla_total_size(sizeof(u32)) +
			     nla_total_size_64bit(sizeof(u64));
	return n;
}

static size_t stats_snap_size(const struct stats_snap *stats)
{
	size_t n = stats_size(&stats->total) + nla_total_size(0) +
		   4 * nla_total_size_64bit(sizeof(u64));	/* mem */
	u32 i;

	for (i = 0; i < stats->nr; i++)
		n += stats_size(&stats->vcpu[i].st);
	return n;
}

/* The identity every message about a VM starts with. */
static int put_identity(struct sk_buff *skb, u32 id, const char *name,
			u32 pid, u32 uid)
{
	if (nla_put_u32(skb, VMCTL_A_VM_ID, id) ||
	    nla_put_string(skb, VMCTL_A_VM_NAME, name) ||
	    nla_put_u32(skb, VMCTL_A_VM_OWNER_PID, pid) ||
	    nla_put_u32(skb, VMCTL_A_VM_OWNER_UID, uid))
		return -EMSGSIZE;
	return 0;
}

static int put_vm(struct sk_buff *skb, const struct vm_snap *snap,
		  const struct viewer *v)
{
	time64_t up = ktime_get_real_seconds() - snap->created;

	if (put_identity(skb, snap->id, snap->name,
			 viewer_pid(v, snap->owner),
			 from_kuid_munged(v->user_ns, snap->uid)) ||
	    nla_put_u32(skb, VMCTL_A_VM_NR_VCPUS, snap->nr_vcpus) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VM_MEM_BYTES, snap->mem_bytes,
			      VMCTL_A_PAD) ||
	    nla_put_u32(skb, VMCTL_A_VM_STATE, snap->state) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VM_CREATED, snap->created,
			      VMCTL_A_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VM_UPTIME, max_t(time64_t, up, 0),
			      VMCTL_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int put_reason(struct sk_buff *skb, u32 reason, u64 count)
{
	struct nlattr *nest = nla_nest_start(skb, VMCTL_STATS_EXIT_REASON);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VMCTL_REASON_ID, reason) ||
	    nla_put_u64_64bit(skb, VMCTL_REASON_COUNT, count,
			      VMCTL_REASON_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One counters nest: @type VMCTL_A_VCPU_STATS (with @vcpu) or _TOTAL. */
static int put_stats(struct sk_buff *skb, int type, u32 vcpu,
		     const struct vmctl_vcpu_stats *st)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	if ((type == VMCTL_A_VCPU_STATS &&
	     nla_put_u32(skb, VMCTL_STATS_VCPU_ID, vcpu)) ||
	    nla_put_u64_64bit(skb, VMCTL_STATS_RUNS, st->runs,
			      VMCTL_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_STATS_EXITS, st->exits,
			      VMCTL_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_STATS_USER_EXITS, st->user_exits,
			      VMCTL_STATS_PAD))
		goto cancel;
	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		if (st->hw_exits[i] && put_reason(skb, i, st->hw_exits[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int put_mem_stats(struct sk_buff *skb, const struct vmctl_mem_stats *m)
{
	struct nlattr *nest = nla_nest_start(skb, VMCTL_A_MEM_STATS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, VMCTL_MEMSTAT_MAPPED_PAGES, m->mapped_pages,
			      VMCTL_MEMSTAT_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_MEMSTAT_FAULTS_4K, m->faults_4k,
			      VMCTL_MEMSTAT_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_MEMSTAT_FAULTS_2M, m->faults_2m,
			      VMCTL_MEMSTAT_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_MEMSTAT_INVALIDATIONS,
			      m->invalidations, VMCTL_MEMSTAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_all_stats(struct sk_buff *skb, const struct stats_snap *stats)
{
	u32 i;

	for (i = 0; i < stats->nr; i++)
		if (put_stats(skb, VMCTL_A_VCPU_STATS, stats->vcpu[i].id,
			      &stats->vcpu[i].st))
			return -EMSGSIZE;
	if (put_stats(skb, VMCTL_A_TOTAL_STATS, 0, &stats->total))
		return -EMSGSIZE;
	return put_mem_stats(skb, &stats->mem);
}

/* A whole reply message; @stats may be NULL. */
static int put_vm_msg(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		      u8 cmd, const struct vm_snap *snap,
		      const struct stats_snap *stats, const struct viewer *v)
{
	void *hdr = genlmsg_put(skb, portid, seq, &vmctl_nl_family, flags,
				cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (put_vm(skb, snap, v) || (stats && put_all_stats(skb, stats))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ---- requests ---- */

/* VMCTL_CMD_GET_VM and VMCTL_CMD_GET_STATS for one VM. */
static int vm_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct stats_snap *stats = NULL;
	struct vm_snap snap;
	struct sk_buff *msg;
	struct viewer v;
	size_t size;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VMCTL_A_VM_ID))
		return -EINVAL;
	if (cmd == VMCTL_CMD_GET_STATS) {
		stats = vmctl_zalloc(sizeof(*stats));
		if (!stats)
			return -ENOMEM;
	}
	viewer_get(&v, skb);
	ret = vm_find_snapshot(&v, nla_get_u32(info->attrs[VMCTL_A_VM_ID]),
			       &snap, stats);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMCTL_A_VM_ID],
				    "no such VM");
		goto out;
	}
	size = vm_attrs_size() + (stats ? stats_snap_size(stats) : 0);
	ret = -ENOMEM;
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = put_vm_msg(msg, info->snd_portid, info->snd_seq, 0, cmd, &snap,
			 stats, &v);
	if (ret) {
		/* The size above is exact: this is a bug, not a user error. */
		WARN_ON_ONCE(1);
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	viewer_put(&v);
	vmctl_free(stats, sizeof(*stats));
	return ret;
}

/* The dump keeps its viewer in args[0] and its list position in args[1]. */
static int vm_dump_start(struct netlink_callback *cb)
{
	struct viewer *v = kmalloc(sizeof(*v), GFP_KERNEL);

	if (!v)
		return -ENOMEM;
	viewer_get(v, cb->skb);
	cb->args[0] = (long)v;
	return 0;
}

static int vm_dump_done(struct netlink_callback *cb)
{
	struct viewer *v = (struct viewer *)cb->args[0];

	if (v) {
		viewer_put(v);
		kfree(v);
	}
	return 0;
}

static int vm_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct viewer *v = (const struct viewer *)cb->args[0];
	long pos = 0, skip = cb->args[1];
	struct vm_snap snap;
	struct vmk_vm *vm;

	mutex_lock(&vmctl_vm_list_lock);
	list_for_each_entry(vm, &vmctl_vm_list, node) {
		if (pos++ < skip || !viewer_sees(v, vm))
			continue;
		vm_snapshot(vm, &snap, NULL);
		if (put_vm_msg(skb, NETLINK_CB(cb->skb).portid,
			       cb->nlh->nlmsg_seq, NLM_F_MULTI,
			       VMCTL_CMD_GET_VM, &snap, NULL, v)) {
			pos--;	/* full: this VM opens the next part */
			break;
		}
	}
	mutex_unlock(&vmctl_vm_list_lock);
	cb->args[1] = pos;
	return skb->len;
}

/* ---- events ---- */

static void send_event(struct vmk_vm *vm, u8 cmd,
		       const struct vmk_vcpu *vcpu, u32 hw_reason)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&vmctl_nl_family, &init_net, MCGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &vmctl_nl_family, 0, cmd);
	if (!hdr ||
	    put_identity(skb, vm->id, vm->name, vm->owner,
			 from_kuid_munged(&init_user_ns, vm->owner_uid)) ||
	    (vcpu && nla_put_u32(skb, VMCTL_A_VCPU_ID, vcpu->id)) ||
	    (cmd == VMCTL_CMD_EVENT_VCPU_FAIL_ENTRY &&
	     nla_put_u64_64bit(skb, VMCTL_A_HW_REASON, hw_reason,
			       VMCTL_A_PAD))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&vmctl_nl_family, skb, 0, MCGRP_EVENTS, GFP_KERNEL);
}

/* The VM layer's hook (vm.c): which event each of its events is. */
static void vm_event(struct vmk_vm *vm, const struct vmk_vcpu *vcpu,
		     enum vmctl_vm_event ev, u32 hw_reason)
{
	static const u8 cmds[] = {
		[VMCTL_VM_CREATED] = VMCTL_CMD_EVENT_VM_CREATED,
		[VMCTL_VM_DESTROYED] = VMCTL_CMD_EVENT_VM_DESTROYED,
		[VMCTL_VCPU_SHUTDOWN] = VMCTL_CMD_EVENT_VCPU_SHUTDOWN,
		[VMCTL_VCPU_FAIL_ENTRY] = VMCTL_CMD_EVENT_VCPU_FAIL_ENTRY,
	};

	if (ev < ARRAY_SIZE(cmds) && cmds[ev])
		send_event(vm, cmds[ev], vcpu, hw_reason);
}

static const struct vmk_vm_watcher nl_watcher = {
	.event = vm_event,
};

/* ---- the family ---- */

static const struct nla_policy vmctl_nl_policy[VMCTL_A_MAX + 1] = {
	[VMCTL_A_VM_ID] = { .type = NLA_U32 },
};

static const struct genl_ops vmctl_nl_ops[] = {
	{
		.cmd = VMCTL_CMD_GET_VM,
		.doit = vm_doit,
		.start = vm_dump_start,
		.dumpit = vm_dumpit,
		.done = vm_dump_done,
	},
	{
		.cmd = VMCTL_CMD_GET_STATS,
		.doit = vm_doit,
	},
};

static const struct genl_multicast_group vmctl_nl_mcgrps[] = {
	[MCGRP_EVENTS] = {
		.name = VMCTL_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family vmctl_nl_family __ro_after_init = {
	.name = VMCTL_GENL_NAME,
	.version = VMCTL_GENL_VERSION,
	.maxattr = VMCTL_A_MAX,
	.policy = vmctl_nl_policy,
	.module = THIS_MODULE,
	.ops = vmctl_nl_ops,
	.n_ops = ARRAY_SIZE(vmctl_nl_ops),
	/* .resv_start_op 0: strict header and attribute checks everywhere. */
	.mcgrps = vmctl_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vmctl_nl_mcgrps),
};

int vmctl_nl_init(void)
{
	int ret = genl_register_family(&vmctl_nl_family);

	if (ret) {
		pr_err("vmctl: cannot register generic netlink family \"%s\" (%d)\n",
		       VMCTL_GENL_NAME, ret);
		return ret;
	}
	vmk_vm_set_watcher(&nl_watcher);
	return 0;
}

void vmctl_nl_exit(void)
{
	vmk_vm_set_watcher(NULL);
	genl_unregister_family(&vmctl_nl_family);
}
