/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmctl: the generic netlink family "vmctl" - a host-wide view of the VMs
 * that vmctl.ko runs, for `vmctl ps`, `vmctl stats` and monitoring tools.
 *
 * Requests (generic netlink header version VMCTL_GENL_VERSION):
 *   VMCTL_CMD_GET_VM    dump: every VM the caller may see, one message each;
 *                       do: the VM named by VMCTL_A_VM_ID.
 *                       Replies carry the VMCTL_A_VM_* attributes.
 *   VMCTL_CMD_GET_STATS do: the VM named by VMCTL_A_VM_ID, its VMCTL_A_VM_*
 *                       attributes plus one VMCTL_A_VCPU_STATS nest per vCPU
 *                       and a VMCTL_A_TOTAL_STATS nest summing them, and
 *                       a VMCTL_A_MEM_STATS nest (struct vmctl_mem_stats).
 * A VM the caller may not see is reported exactly like a missing one
 * (ENOENT).  Visibility: CAP_SYS_ADMIN in the initial user namespace sees
 * every VM; anyone else sees the VMs created under their effective uid.
 *
 * Events: the multicast group VMCTL_GENL_MCGRP_EVENTS carries one message
 * per event, its command saying which (VMCTL_CMD_EVENT_*), with VMCTL_A_VM_ID,
 * _NAME, _OWNER_PID, _OWNER_UID and, for vCPU events, VMCTL_A_VCPU_ID.
 * Joining the group needs CAP_SYS_ADMIN (events describe every user's VMs).
 * Pids and uids in events are those of the initial namespaces; in replies
 * they are translated into the requester's namespaces (0 / overflow uid
 * when not visible there).
 */
#ifndef _UAPI_LINUX_VMCTL_NETLINK_H
#define _UAPI_LINUX_VMCTL_NETLINK_H

#define VMCTL_GENL_NAME		"vmctl"
#define VMCTL_GENL_VERSION	1
#define VMCTL_GENL_MCGRP_EVENTS	"events"

enum vmctl_genl_cmd {
	VMCTL_CMD_UNSPEC,
	VMCTL_CMD_GET_VM,
	VMCTL_CMD_GET_STATS,
	VMCTL_CMD_EVENT_VM_CREATED,
	VMCTL_CMD_EVENT_VM_DESTROYED,
	VMCTL_CMD_EVENT_VCPU_SHUTDOWN,	/* triple fault */
	VMCTL_CMD_EVENT_VCPU_FAIL_ENTRY,	/* VM entry failed */

	__VMCTL_CMD_MAX,
	VMCTL_CMD_MAX = __VMCTL_CMD_MAX - 1
};

/* VMCTL_A_VM_STATE */
enum vmctl_genl_vm_state {
	VMCTL_GENL_VM_IDLE,	/* no vCPU ran guest code in the last second */
	VMCTL_GENL_VM_RUNNING,	/* a vCPU is in VMCTL_RUN or left it < 1 s ago */
};

enum vmctl_genl_attr {
	VMCTL_A_UNSPEC,
	VMCTL_A_PAD,
	VMCTL_A_VM_ID,		/* u32 (request and reply) */
	VMCTL_A_VM_NAME,	/* string */
	VMCTL_A_VM_OWNER_PID,	/* u32: tgid of the creating process */
	VMCTL_A_VM_OWNER_UID,	/* u32: its effective uid at creation */
	VMCTL_A_VM_NR_VCPUS,	/* u32 */
	VMCTL_A_VM_MEM_BYTES,	/* u64: guest RAM in memory slots */
	VMCTL_A_VM_STATE,	/* u32: enum vmctl_genl_vm_state */
	VMCTL_A_VM_CREATED,	/* u64: CLOCK_REALTIME seconds */
	VMCTL_A_VM_UPTIME,	/* u64: seconds since creation */
	VMCTL_A_VCPU_STATS,	/* nest: enum vmctl_genl_stats_attr, per vCPU */
	VMCTL_A_TOTAL_STATS,	/* nest: enum vmctl_genl_stats_attr, all vCPUs */
	VMCTL_A_VCPU_ID,	/* u32: the vCPU of a vCPU event */
	VMCTL_A_HW_REASON,	/* u64: FAIL_ENTRY event: VMX exit reason */
	VMCTL_A_MEM_STATS,	/* nest: enum vmctl_genl_memstat_attr */

	__VMCTL_A_MAX,
	VMCTL_A_MAX = __VMCTL_A_MAX - 1
};

/* Inside VMCTL_A_VCPU_STATS and VMCTL_A_TOTAL_STATS. */
enum vmctl_genl_stats_attr {
	VMCTL_STATS_UNSPEC,
	VMCTL_STATS_PAD,
	VMCTL_STATS_VCPU_ID,	/* u32, only in VMCTL_A_VCPU_STATS */
	VMCTL_STATS_RUNS,	/* u64: VMCTL_RUN calls */
	VMCTL_STATS_EXITS,	/* u64: all VM exits */
	VMCTL_STATS_USER_EXITS,	/* u64: exits that went to userspace */
	/* nest of enum vmctl_genl_reason_attr, one per exit reason seen */
	VMCTL_STATS_EXIT_REASON,

	__VMCTL_STATS_MAX,
	VMCTL_STATS_MAX = __VMCTL_STATS_MAX - 1
};

/* Inside VMCTL_A_MEM_STATS: struct vmctl_mem_stats's fields, all u64. */
enum vmctl_genl_memstat_attr {
	VMCTL_MEMSTAT_UNSPEC,
	VMCTL_MEMSTAT_PAD,
	VMCTL_MEMSTAT_MAPPED_PAGES,	/* guest RAM mapped in EPT now, 4 KiB pages */
	VMCTL_MEMSTAT_FAULTS_4K,
	VMCTL_MEMSTAT_FAULTS_2M,
	VMCTL_MEMSTAT_INVALIDATIONS,

	__VMCTL_MEMSTAT_MAX,
	VMCTL_MEMSTAT_MAX = __VMCTL_MEMSTAT_MAX - 1
};

/* Inside VMCTL_STATS_EXIT_REASON. */
enum vmctl_genl_reason_attr {
	VMCTL_REASON_UNSPEC,
	VMCTL_REASON_PAD,
	VMCTL_REASON_ID,	/* u32: VMX basic exit reason (< 65536) */
	VMCTL_REASON_COUNT,	/* u64: exits for that reason */

	__VMCTL_REASON_MAX,
	VMCTL_REASON_MAX = __VMCTL_REASON_MAX - 1
};

#endif /* _UAPI_LINUX_VMCTL_NETLINK_H */
