/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake vmctl module in userspace, for testing libvmctl and vmctl without
 * VT-x: fake_module.c defines ioctl(), so calls on the device, VM and vCPU
 * fds land there instead of in a kernel.  Linked into test_run, and built
 * as fake_module.so for LD_PRELOAD under the vmctl binary.
 *
 * The fds are real temporary files (the run page is a real shared mapping
 * of one); VMCTL_RUN plays a scripted guest, one script per vCPU.
 */
#ifndef VMCTL_FAKE_MODULE_H
#define VMCTL_FAKE_MODULE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/vmctl.h>

#define MAX_FAKE_VCPUS	4

/* One step of a scripted guest: the exit VMCTL_RUN reports. */
struct step {
	enum { S_OUT, S_IN, S_HC, S_HLT, S_EXIT, S_BLOCK, S_MMIO_RD } kind;
	uint16_t port;		/* HLT: hlt.vm_stopped */
	uint64_t value;		/* OUT: byte; HC: number; EXIT: reason;
				 * HLT: RFLAGS.IF */
};

struct fake_vcpu {
	int fd;
	struct vmctl_run *run;
	const struct step *script;
	unsigned int pc, nsteps;
	struct vmctl_regs regs;
	struct vmctl_sregs sregs;
	uint64_t last_in;	/* what the library answered to the last IN */
	uint64_t last_hc_ret;
	bool sregs_set;
	unsigned int runs;	/* VMCTL_RUN calls (atomic) */
	sigset_t entry_mask;	/* the thread's mask while "in the guest" */
};

/*
 * The irqchip, and the 8259s and PIT after it: offered when
 * fake_irqchip_cap is set (before the VM).
 */
extern bool fake_irqchip_cap;
extern bool fake_irqchip_created;
extern bool fake_pic_pit_created;
extern unsigned int fake_irq_pin;	/* the last VMCTL_IRQ_LINE */
extern int fake_irq_level;		/* -1: none yet */
extern unsigned int fake_irq_calls;
extern unsigned int fake_doorbells;	/* VMCTL_DOORBELLs in place */
extern unsigned int fake_msis;		/* VMCTL_SIGNAL_MSI calls */
#define MAX_FAKE_DOORBELLS	16
/*
 * The eventfd of the doorbell in place at addr, or -1: a test writes it
 * where the module would on the guest's write to addr.
 */
int fake_doorbell_fd(uint64_t addr);

/*
 * Taps are real, but TUNSETOFFLOAD asking for any of fake_tun_refused's
 * bits fails with EINVAL, as a kernel without them would refuse it;
 * fake_tun_offloads is the last one that was not refused.
 */
extern unsigned int fake_tun_refused;
extern unsigned int fake_tun_offloads;

/* Memory: the last VMCTL_SET_MEM_SLOT and dirty-log ioctl, as passed. */
extern struct vmctl_mem_slot fake_last_slot;
extern unsigned int fake_slot_calls;
extern struct vmctl_dirty_log fake_last_log;
extern unsigned long fake_last_log_cmd;

/*
 * Set: the VM's and vCPUs' saved state (clock, I/O APIC, XSAVE, MSRs,
 * CPUID, events...) reads as zeros (two MSRs, one CPUID leaf) and any
 * is taken, so that snapshots and migrations of a fake VM go through.
 * Clear (the default): those ioctls fail with ENOTTY.
 */
extern bool fake_state;

/* The vCPUs created so far, and the scripts the next ones will play. */
extern struct fake_vcpu fv[MAX_FAKE_VCPUS];
extern unsigned int nr_fake_vcpus;
extern const struct step *scripts[MAX_FAKE_VCPUS];
extern unsigned int script_len[MAX_FAKE_VCPUS];

/*
 * cmocka group setup and teardown: a temporary file stands for
 * /dev/vmctl ($VMCTL_DEVICE), so vmctl_open() lands here.
 */
int fake_device_setup(void **state);
int fake_device_teardown(void **state);

#endif /* VMCTL_FAKE_MODULE_H */
