/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The replies and events of the "vmctl" generic netlink family, parsed
 * into libvmctl's structs (netlink.c).  Separate from the socket code so
 * tests/test_netlink.c can feed them hand-built messages.
 */
#ifndef VMCTL_NETLINK_PARSE_H
#define VMCTL_NETLINK_PARSE_H

#include <netlink/msg.h>
#include <vmctl/libvmctl.h>

/* 0, or -EIO for a malformed attribute; unknown attributes are skipped. */
int vmctl_nl_parse_status(struct nl_msg *msg, struct vmctl_vm_status *st);
/* Also -ENOMEM; s->vcpus is allocated: vmctl_vm_stats_free() it. */
int vmctl_nl_parse_stats(struct nl_msg *msg, struct vmctl_vm_stats *s);
/* ev->type is 0 for an event this library does not know. */
int vmctl_nl_parse_event(struct nl_msg *msg, struct vmctl_event *ev);

#endif /* VMCTL_NETLINK_PARSE_H */
