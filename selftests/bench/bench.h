/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmbench: one measuring program, two hypervisor backends (vmctl.ko and
 * kvm-intel) that share the guest code (guest.S), the measurement loop and
 * the report (bench.c).  A backend only translates "create a VM with this
 * memory", "enter here", "run once" into its own ioctls.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The guest code (guest.S) and its entry points. */
extern const char bench_guest_start[], bench_guest_end[];
extern const char bench_case_baseline[], bench_case_cpuid[],
	bench_case_vmcall[], bench_case_rdmsr[], bench_case_out[],
	bench_case_mmio[], bench_case_hlt[], bench_timer_irq[],
	bench_case_ipi[], bench_case_pvipi[], bench_ipi_irq[],
	bench_case_touch[], bench_first_out[];

/* Why a run returned, in the terms the measurement loop needs. */
enum bench_exit_kind {
	BENCH_EXIT_IO_OUT,
	BENCH_EXIT_MMIO_READ,
	BENCH_EXIT_OTHER,	/* anything else ends the benchmark */
};

struct bench_exit {
	enum bench_exit_kind kind;
	uint16_t port;		/* IO_OUT */
	uint64_t addr;		/* MMIO_READ */
	uint8_t *data;		/* MMIO_READ: fill before the next run */
	uint32_t len;
	uint32_t raw_reason;	/* the backend's own exit reason, for errors */
};

struct bench_vm;		/* a backend's VM with its one vCPU */

/* create()'s flags. */
#define BENCH_VM_IRQCHIP	1	/* in-kernel interrupt controllers */
#define BENCH_VM_PREFAULT	2	/* RAM mapped before the first RUN */

struct bench_backend {
	const char *name;
	/* VMCALL number the kernel answers without going to userspace. */
	uint32_t in_kernel_hypercall;
	/* Opens the device; false (with a message) when unavailable. */
	bool (*open)(void);
	/*
	 * A VM with RAM low/high (layout.h), one vCPU in real mode, CS=0.
	 * BENCH_VM_IRQCHIP: the in-kernel interrupt controllers too, and
	 * GS based at APIC_GPA.  BENCH_VM_PREFAULT: every page of the RAM
	 * mapped for the guest when the slots are made.  NULL (errno set)
	 * when the hypervisor has no such thing.
	 */
	struct bench_vm *(*create)(void *low_ram, void *high_ram,
				   unsigned int flags);
	/* One more RAM slot, from @mem (not touched by the guest yet). */
	void (*add_slot)(struct bench_vm *vm, uint32_t slot, uint64_t gpa,
			 uint64_t size, void *mem);
	/* GS based at @base with a 4 GiB limit (big real mode). */
	void (*big_gs)(struct bench_vm *vm, uint64_t base);
	/* Set RIP and RBP (iteration count); RFLAGS = 2 (interrupts off). */
	void (*enter_at)(struct bench_vm *vm, uint64_t rip, uint64_t rbp);
	/*
	 * A doorbell (vmctl) or ioeventfd (KVM) on @port: an OUT there
	 * signals an eventfd in the kernel and the guest goes on.  False
	 * (errno set) when the hypervisor has none.
	 */
	bool (*add_doorbell)(struct bench_vm *vm, uint16_t port);
	/* Does @vm's guest have KVM's PV EOI and send-IPI hypercall? */
	bool (*has_pv_ipi)(struct bench_vm *vm);
	/* One RUN ioctl, decoded. */
	void (*run)(struct bench_vm *vm, struct bench_exit *exit);
	void (*destroy)(struct bench_vm *vm);
	/* Module-wide kernel bytes as the module counts them; -1: unknown. */
	int64_t (*module_kernel_bytes)(void);
};

extern const struct bench_backend bench_kvm, bench_vmctl;

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Fatal error with errno's text, from any backend. */
void __noreturn __printf(1, 2) die(const char *fmt, ...);

#endif /* BENCH_H */
