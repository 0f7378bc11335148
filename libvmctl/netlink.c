// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host-wide view: the "vmctl" generic netlink family through
 * libnl-genl-3 (list VMs, exit counters, events).  Each query opens its
 * own socket, so the functions need no handle and are thread-safe; the
 * module decides what the caller may see (<linux/vmctl_netlink.h>).
 *
 * Replies are parsed into the plain structs of <vmctl/libvmctl.h>; an
 * attribute of the wrong size fails the query with -EIO rather than
 * yielding half a VM.  Unknown attributes are skipped, so a newer module
 * works with this library.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/vmctl_netlink.h>

#include "internal.h"
#include "netlink_parse.h"

_Static_assert(VMCTL_COUNTED_EXIT_REASONS == VMCTL_NR_HW_EXIT_REASONS,
	       "libvmctl.h and the ABI disagree on the exit reasons counted");

/* A libnl error as -errno: the few that mean something to a caller. */
static int nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	default:
		return -EIO;
	}
}

/* A connected socket and the family's id. */
static int nl_open(struct nl_sock **out, int *family)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0) {
		ret = vmctl_fail(nl_errno(ret), "generic netlink: %s",
				 nl_geterror(ret));
		goto err;
	}
	*family = genl_ctrl_resolve(sk, VMCTL_GENL_NAME);
	if (*family < 0) {
		ret = *family == -NLE_OBJ_NOTFOUND ?
		      vmctl_fail(-VMCTL_E_NO_MODULE,
				 "no generic netlink family \"%s\"",
				 VMCTL_GENL_NAME) :
		      vmctl_fail(nl_errno(*family), "resolving \"%s\": %s",
				 VMCTL_GENL_NAME, nl_geterror(*family));
		goto err;
	}
	*out = sk;
	return 0;
err:
	nl_socket_free(sk);
	return ret;
}

/* ---- attributes ---- */

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) != sizeof(*v))
		return -EIO;
	*v = nla_get_u32(a);
	return 0;
}

static int get_u64(const struct nlattr *a, uint64_t *v)
{
	if (nla_len(a) != sizeof(*v))
		return -EIO;
	*v = nla_get_u64(a);
	return 0;
}

static int get_string(const struct nlattr *a, char *buf, size_t len)
{
	if (nla_len(a) < 1 || ((const char *)nla_data(a))[nla_len(a) - 1])
		return -EIO;
	nla_strlcpy(buf, a, len);
	return 0;
}

/* The VM attributes of a reply, in any order, among others. */
static int parse_vm_attr(const struct nlattr *a, struct vmctl_vm_status *st)
{
	uint32_t v32 = 0;
	uint64_t v64 = 0;
	int ret = 0;

	switch (nla_type(a)) {
	case VMCTL_A_VM_ID:
		ret = get_u32(a, &v32);
		st->id = v32;
		break;
	case VMCTL_A_VM_NAME:
		ret = get_string(a, st->name, sizeof(st->name));
		break;
	case VMCTL_A_VM_OWNER_PID:
		ret = get_u32(a, &v32);
		st->owner_pid = v32;
		break;
	case VMCTL_A_VM_OWNER_UID:
		ret = get_u32(a, &v32);
		st->owner_uid = v32;
		break;
	case VMCTL_A_VM_NR_VCPUS:
		ret = get_u32(a, &v32);
		st->nr_vcpus = v32;
		break;
	case VMCTL_A_VM_MEM_BYTES:
		ret = get_u64(a, &st->mem_bytes);
		break;
	case VMCTL_A_VM_STATE:
		ret = get_u32(a, &v32);
		st->state = v32 == VMCTL_GENL_VM_RUNNING ? VMCTL_VM_RUNNING :
							   VMCTL_VM_IDLE;
		break;
	case VMCTL_A_VM_CREATED:
		ret = get_u64(a, &v64);
		st->created = (int64_t)v64;
		break;
	case VMCTL_A_VM_UPTIME:
		ret = get_u64(a, &st->uptime);
		break;
	}
	return ret;
}

static int parse_reason(const struct nlattr *nest,
			struct vmctl_exit_counters *c)
{
	uint32_t id = UINT32_MAX;
	uint64_t count = 0;
	struct nlattr *a;
	int rem, ret = 0;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == VMCTL_REASON_ID)
			ret = get_u32(a, &id);
		else if (nla_type(a) == VMCTL_REASON_COUNT)
			ret = get_u64(a, &count);
		if (ret)
			return ret;
	}
	/* Reasons this library has no slot for are left out. */
	if (id < VMCTL_COUNTED_EXIT_REASONS)
		c->by_reason[id] = count;
	return 0;
}

static int parse_counters(const struct nlattr *nest,
			  struct vmctl_exit_counters *c)
{
	struct nlattr *a;
	uint32_t vcpu = 0;
	int rem, ret = 0;

	memset(c, 0, sizeof(*c));
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case VMCTL_STATS_VCPU_ID:
			ret = get_u32(a, &vcpu);
			c->vcpu = vcpu;
			break;
		case VMCTL_STATS_RUNS:
			ret = get_u64(a, &c->runs);
			break;
		case VMCTL_STATS_EXITS:
			ret = get_u64(a, &c->exits);
			break;
		case VMCTL_STATS_USER_EXITS:
			ret = get_u64(a, &c->user_exits);
			break;
		case VMCTL_STATS_EXIT_REASON:
			ret = parse_reason(a, c);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- requests ---- */

/* One request in flight: what to do with each reply message. */
struct request {
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
	int err;		/* first failure: the kernel's or parse's */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int ret;

	if (req->err)
		return NL_SKIP;
	ret = req->parse(msg, req->arg);
	if (ret)
		req->err = ret;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	(void)who;
	if (!req->err)
		req->err = e->error < 0 ? e->error : -EIO;
	return NL_STOP;
}

/*
 * Send cmd (a dump when flags has NLM_F_DUMP), for VM id unless id is
 * negative, and feed each reply to req->parse.
 */
static int request(uint8_t cmd, int flags, long id, struct request *req)
{
	struct nl_msg *msg = NULL;
	struct nl_sock *sk;
	int family, ret;

	ret = nl_open(&sk, &family);
	if (ret)
		return ret;
	ret = -ENOMEM;
	msg = nlmsg_alloc();
	if (!msg)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, VMCTL_GENL_VERSION) ||
	    (id >= 0 && nla_put_u32(msg, VMCTL_A_VM_ID, id) < 0))
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, req);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, req);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	if (req->err)
		ret = req->err;
	else if (ret < 0)
		ret = vmctl_fail(nl_errno(ret), "generic netlink: %s",
				 nl_geterror(ret));
	else
		ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

int vmctl_nl_parse_status(struct nl_msg *msg, struct vmctl_vm_status *st)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a;
	int rem, ret;

	memset(st, 0, sizeof(*st));
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		ret = parse_vm_attr(a, st);
		if (ret)
			return ret;
	}
	return 0;
}

struct vm_list {
	struct vmctl_vm_status *vms;
	size_t nr, room;
};

static int add_to_list(struct nl_msg *msg, void *arg)
{
	struct vm_list *l = arg;

	if (l->nr == l->room) {
		size_t room = l->room ? 2 * l->room : 16;
		struct vmctl_vm_status *vms;

		vms = realloc(l->vms, room * sizeof(*vms));
		if (!vms)
			return -ENOMEM;
		l->vms = vms;
		l->room = room;
	}
	return vmctl_nl_parse_status(msg, &l->vms[l->nr++]);
}

static int by_id(const void *a, const void *b)
{
	const struct vmctl_vm_status *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int vmctl_list_vms(struct vmctl_vm_status **list, size_t *nr)
{
	struct vm_list l = { 0 };
	struct request req = { .parse = add_to_list, .arg = &l };
	int ret;

	vmctl_clear_detail();
	ret = request(VMCTL_CMD_GET_VM, NLM_F_DUMP, -1, &req);
	if (ret) {
		free(l.vms);
		return ret;
	}
	if (l.nr)
		qsort(l.vms, l.nr, sizeof(*l.vms), by_id);
	*list = l.vms;
	*nr = l.nr;
	return 0;
}

static int parse_one_status(struct nl_msg *msg, void *arg)
{
	return vmctl_nl_parse_status(msg, arg);
}

int vmctl_get_vm_status(unsigned int id, struct vmctl_vm_status *status)
{
	struct request req = { .parse = parse_one_status, .arg = status };

	vmctl_clear_detail();
	return request(VMCTL_CMD_GET_VM, 0, id, &req);
}

static int parse_mem(const struct nlattr *nest, struct vmctl_mem_counters *m)
{
	struct nlattr *a;
	int rem, ret = 0;

	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case VMCTL_MEMSTAT_MAPPED_PAGES:
			ret = get_u64(a, &m->mapped_pages);
			break;
		case VMCTL_MEMSTAT_FAULTS_4K:
			ret = get_u64(a, &m->faults_4k);
			break;
		case VMCTL_MEMSTAT_FAULTS_2M:
			ret = get_u64(a, &m->faults_2m);
			break;
		case VMCTL_MEMSTAT_INVALIDATIONS:
			ret = get_u64(a, &m->invalidations);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

int vmctl_nl_parse_stats(struct nl_msg *msg, struct vmctl_vm_stats *s)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct vmctl_exit_counters *c;
	struct nlattr *a;
	size_t n = 0;
	int rem, ret;

	ret = vmctl_nl_parse_status(msg, &s->vm);
	if (ret)
		return ret;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem)
		n += nla_type(a) == VMCTL_A_VCPU_STATS;
	s->vcpus = calloc(n ? n : 1, sizeof(*s->vcpus));
	if (!s->vcpus)
		return -ENOMEM;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		if (nla_type(a) == VMCTL_A_MEM_STATS) {
			ret = parse_mem(a, &s->mem);
			if (ret)
				return ret;
			continue;
		}
		if (nla_type(a) == VMCTL_A_VCPU_STATS)
			c = &s->vcpus[s->nr_vcpus++];
		else if (nla_type(a) == VMCTL_A_TOTAL_STATS)
			c = &s->total;
		else
			continue;
		ret = parse_counters(a, c);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_one_stats(struct nl_msg *msg, void *arg)
{
	return vmctl_nl_parse_stats(msg, arg);
}

int vmctl_get_vm_stats(unsigned int id, struct vmctl_vm_stats *stats)
{
	struct request req = { .parse = parse_one_stats, .arg = stats };
	int ret;

	vmctl_clear_detail();
	memset(stats, 0, sizeof(*stats));
	ret = request(VMCTL_CMD_GET_STATS, 0, id, &req);
	if (ret)
		vmctl_vm_stats_free(stats);
	return ret;
}

void vmctl_vm_stats_free(struct vmctl_vm_stats *stats)
{
	free(stats->vcpus);
	stats->vcpus = NULL;
	stats->nr_vcpus = 0;
}

/* ---- events ---- */

#define EVENT_QUEUE	16

struct vmctl_events {
	struct nl_sock *sk;
	struct vmctl_event queue[EVENT_QUEUE];	/* parsed, not yet taken */
	unsigned int head, count;
	int err;
};

static const char *const event_names[] = {
	[VMCTL_EVENT_VM_CREATED] = "vm-created",
	[VMCTL_EVENT_VM_DESTROYED] = "vm-destroyed",
	[VMCTL_EVENT_VCPU_SHUTDOWN] = "vcpu-shutdown",
	[VMCTL_EVENT_VCPU_FAIL_ENTRY] = "vcpu-fail-entry",
};

const char *vmctl_event_name(enum vmctl_event_type type)
{
	if ((unsigned int)type < ARRAY_SIZE(event_names) &&
	    event_names[type])
		return event_names[type];
	return "unknown";
}

static int event_type(uint8_t cmd)
{
	switch (cmd) {
	case VMCTL_CMD_EVENT_VM_CREATED:
		return VMCTL_EVENT_VM_CREATED;
	case VMCTL_CMD_EVENT_VM_DESTROYED:
		return VMCTL_EVENT_VM_DESTROYED;
	case VMCTL_CMD_EVENT_VCPU_SHUTDOWN:
		return VMCTL_EVENT_VCPU_SHUTDOWN;
	case VMCTL_CMD_EVENT_VCPU_FAIL_ENTRY:
		return VMCTL_EVENT_VCPU_FAIL_ENTRY;
	default:
		return 0;	/* from a newer module: skipped */
	}
}

int vmctl_nl_parse_event(struct nl_msg *msg, struct vmctl_event *ev)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct vmctl_vm_status st;
	struct nlattr *a;
	uint32_t vcpu = 0;
	int rem, ret;

	memset(ev, 0, sizeof(*ev));
	ev->type = event_type(gh->cmd);
	ev->vcpu = -1;
	ret = vmctl_nl_parse_status(msg, &st);
	if (ret)
		return ret;
	ev->vm_id = st.id;
	memcpy(ev->vm_name, st.name, sizeof(ev->vm_name));
	ev->owner_pid = st.owner_pid;
	ev->owner_uid = st.owner_uid;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		if (nla_type(a) == VMCTL_A_VCPU_ID) {
			ret = get_u32(a, &vcpu);
			ev->vcpu = vcpu;
		} else if (nla_type(a) == VMCTL_A_HW_REASON) {
			ret = get_u64(a, &ev->hw_reason);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct vmctl_events *ev = arg;
	struct vmctl_event e;
	int ret = vmctl_nl_parse_event(msg, &e);

	if (ret) {
		ev->err = ret;
		return NL_SKIP;
	}
	if (!e.type)
		return NL_SKIP;
	if (ev->count == EVENT_QUEUE) {
		ev->err = -ENOBUFS;
		return NL_SKIP;
	}
	ev->queue[(ev->head + ev->count++) % EVENT_QUEUE] = e;
	return NL_OK;
}

int vmctl_events_open(struct vmctl_events **out)
{
	struct vmctl_events *ev;
	int family, group, ret;

	vmctl_clear_detail();
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ret = nl_open(&ev->sk, &family);
	if (ret) {
		free(ev);
		return ret;
	}
	group = genl_ctrl_resolve_grp(ev->sk, VMCTL_GENL_NAME,
				      VMCTL_GENL_MCGRP_EVENTS);
	if (group < 0) {
		ret = vmctl_fail(nl_errno(group), "multicast group \"%s\": %s",
				 VMCTL_GENL_MCGRP_EVENTS, nl_geterror(group));
		goto err;
	}
	/* Events are not replies: no sequence numbers to check. */
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_modify_cb(ev->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, ev);
	ret = nl_socket_add_membership(ev->sk, group);
	if (ret < 0) {
		ret = nl_errno(ret);
		ret = vmctl_fail(ret, ret == -EPERM ?
				 "subscribing to vmctl events needs CAP_SYS_ADMIN" :
				 "joining the \"%s\" group", VMCTL_GENL_MCGRP_EVENTS);
		goto err;
	}
	ret = nl_socket_set_nonblocking(ev->sk);
	if (ret < 0) {
		ret = vmctl_fail(nl_errno(ret), "generic netlink: %s",
				 nl_geterror(ret));
		goto err;
	}
	*out = ev;
	return 0;
err:
	nl_socket_free(ev->sk);
	free(ev);
	return ret;
}

int vmctl_events_fd(struct vmctl_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int vmctl_events_next(struct vmctl_events *ev, struct vmctl_event *event,
		      int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = vmctl_events_fd(ev), .events = POLLIN };
	int ret, wait;

	for (;;) {
		if (ev->err) {
			ret = ev->err;
			ev->err = 0;
			return ret;
		}
		if (ev->count) {
			*event = ev->queue[ev->head];
			ev->head = (ev->head + 1) % EVENT_QUEUE;
			ev->count--;
			return 1;
		}
		wait = timeout_ms < 0 ? -1 : (int)(deadline - now_ms());
		if (timeout_ms >= 0 && wait < 0)
			wait = 0;
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret < 0)
			return -EINTR;
		if (ret == 0)
			return 0;
		ret = nl_recvmsgs_default(ev->sk);
		/* ENOBUFS (overflow) reaches libnl as NLE_NOMEM. */
		if (ret == -NLE_NOMEM)
			ev->err = vmctl_fail(-ENOBUFS, "vmctl events were lost");
		else if (ret < 0 && ret != -NLE_AGAIN && ret != -NLE_INTR)
			return vmctl_fail(nl_errno(ret), "generic netlink: %s",
					  nl_geterror(ret));
	}
}

void vmctl_events_close(struct vmctl_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}
