// SPDX-License-Identifier: GPL-2.0
/*
 * vmbench: VM-exit cost, VM creation cost and kernel memory per VM of one
 * hypervisor backend (vmctl.ko or kvm-intel), measured the same way.
 *
 *   vmbench vmctl|kvm [-b BATCHES] [-v VMS]
 *
 * Method (see also guest.S).  Under Bochs with `clock: sync=none` the TSC
 * of the L1 machine counts executed instructions, so TSC deltas are path
 * lengths, deterministic and independent of the host's load.
 *  - Exit cost: the guest loops N times around one exiting instruction and
 *    reads the TSC before and after; the per-iteration cost of the same
 *    loop around a NOP is subtracted.  N is sized so a batch is about
 *    BATCH_TICKS, a fraction of a timer tick; the median of the batches is
 *    reported, which leaves out the batches a timer interrupt landed in.
 *  - Creation: this program reads the TSC before VM creation and after the
 *    first exit of the new VM (an OUT at its first instruction): create
 *    the VM, add the two RAM slots, create the vCPU, map its run page, set
 *    SREGS and REGS, run.  The RAM is populated beforehand, so page zeroing
 *    is not counted; both map it for the guest on demand.
 *    Where a path sleeps (KVM waits for SRCU grace periods when memory
 *    slots change) the TSC counts the L1 machine's idle time too.
 *    The same with every page mapped for the guest before the first RUN
 *    (vmctl's VMCTL_MEM_PREFAULT, `vmctl run --mem-prealloc`; KVM has no
 *    such thing).
 *  - Kernel memory: free pages (with the per-CPU lists) and AnonPages
 *    before and after creating VMS VMs up to their first exit, divided by
 *    VMS; Slab alone, and the module's own count where it has one.
 *  - First-touch EPT faults: a fresh VM per batch with a third slot the
 *    guest has not touched, populated on the host (so host page faults
 *    are not counted), in 4 KiB pages or in transparent huge pages; the
 *    guest writes one byte per 4 KiB or 2 MiB, then again over the same
 *    pages (no exits); the difference per page is the fault's cost.
 *
 * Output: one "bench backend=... case=... key=value" line per figure, which
 * scripts/bench.sh gathers into one table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>
#include "bench.h"
#include "kmem.h"
#include "layout.h"

#define BATCH_TICKS	100000	/* L1 instructions per batch, about */
#define DEFAULT_BATCHES	51
#define DEFAULT_VMS	4
#define MAX_VMS		8
#define MSR_IA32_APICBASE 0x1b	/* both hypervisors read it in the kernel */

void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vmbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", err ? strerror(err) : "failed");
	exit(1);
}

struct bench_case {
	const char *name;
	const char *entry;
	uint32_t eax, ecx, edx;		/* PARAM_* for every iteration */
};

struct guest {
	struct bench_vm *vm;
	uint8_t *low, *high;		/* its RAM */
};

static const struct bench_backend *backend;

static uint64_t guest_gpa(const char *label)
{
	return CODE_GPA + (uint64_t)(label - bench_guest_start);
}

static void *populated_ram(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu bytes of guest RAM", size);
	return p;
}

static void guest_ram(struct guest *g)
{
	g->low = populated_ram(LOW_RAM_SIZE);
	g->high = populated_ram(HIGH_RAM_SIZE);
	memcpy(g->low + CODE_GPA, bench_guest_start,
	       bench_guest_end - bench_guest_start);
}

static void free_guest_ram(struct guest *g)
{
	munmap(g->low, LOW_RAM_SIZE);
	munmap(g->high, HIGH_RAM_SIZE);
}

static void __noreturn bad_exit(const struct bench_exit *e)
{
	errno = 0;
	die("%s: unexpected exit (reason %u, port %#x)", backend->name,
	    e->raw_reason, e->kind == BENCH_EXIT_IO_OUT ? e->port : 0);
}

/*
 * Run the guest until it reports on DONE_PORT, serving the OUT and MMIO
 * round trips of the loop on the way.  This is the userspace half of
 * those cases' cost: kept to the minimum a VMM does.
 */
static void run_to_done(struct bench_vm *vm)
{
	struct bench_exit e;

	for (;;) {
		backend->run(vm, &e);
		if (e.kind == BENCH_EXIT_IO_OUT && e.port == DONE_PORT)
			return;
		if (e.kind == BENCH_EXIT_IO_OUT && e.port == BENCH_PORT)
			continue;
		if (e.kind == BENCH_EXIT_MMIO_READ && e.addr == MMIO_GPA &&
		    e.len <= 8) {
			memset(e.data, 0, e.len);
			continue;
		}
		bad_exit(&e);
	}
}

/* TSC ticks of one batch of @n iterations of @c. */
static uint64_t batch(struct guest *g, const struct bench_case *c, uint64_t n)
{
	uint64_t delta;

	memcpy(g->low + PARAM_EAX, &c->eax, 4);
	memcpy(g->low + PARAM_ECX, &c->ecx, 4);
	memcpy(g->low + PARAM_EDX, &c->edx, 4);
	backend->enter_at(g->vm, guest_gpa(c->entry), n);
	run_to_done(g->vm);
	memcpy(&delta, g->low + RESULT_TSC, sizeof(delta));
	return delta;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stat3 {
	double median, min, max;
};

static struct stat3 summarize(double *v, int n)
{
	struct stat3 s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

/* Ticks per iteration of @c: median over @batches batches. */
static struct stat3 per_iteration(struct guest *g, const struct bench_case *c,
				  int batches)
{
	double *v = calloc(batches, sizeof(*v));
	uint64_t n, one;
	struct stat3 s;
	int i;

	if (!v)
		die("calloc");
	/* Warm up (first-touch paths: KVM's MMIO SPTE, ...) and size N. */
	batch(g, c, 1);
	one = batch(g, c, 1);
	n = BATCH_TICKS / (one ? one : 1);
	n = n < 4 ? 4 : n;
	batch(g, c, n);
	for (i = 0; i < batches; i++)
		v[i] = (double)batch(g, c, n) / n;
	s = summarize(v, batches);
	free(v);
	return s;
}

static void print_exit_cost(const char *name, struct stat3 s, double base)
{
	printf("bench backend=%s case=%s per_exit=%.1f min=%.1f max=%.1f\n",
	       backend->name, name, s.median - base, s.min - base,
	       s.max - base);
}

/*
 * The OUT case's loop to a port with a doorbell (ioeventfd): the exit
 * ends in the kernel, which signals an eventfd nobody reads (the count
 * cannot fill up in a run this short).
 */
static void doorbell_cost(struct guest *g, int batches, double base)
{
	const struct bench_case c = {
		.name = "doorbell", .entry = bench_case_out,
		.edx = DOORBELL_PORT,
	};

	if (!backend->add_doorbell(g->vm, DOORBELL_PORT)) {
		printf("bench backend=%s doorbell unavailable: %s\n",
		       backend->name, strerror(errno));
		return;
	}
	print_exit_cost(c.name, per_iteration(g, &c, batches), base);
}

/* Returns the baseline's ticks per iteration. */
static double exit_costs(struct guest *g, int batches)
{
	const struct bench_case cases[] = {
		{ .name = "baseline", .entry = bench_case_baseline },
		{ .name = "cpuid", .entry = bench_case_cpuid, .eax = 0 },
		{ .name = "vmcall", .entry = bench_case_vmcall,
		  .eax = backend->in_kernel_hypercall },
		{ .name = "rdmsr", .entry = bench_case_rdmsr,
		  .ecx = MSR_IA32_APICBASE },
		{ .name = "out", .entry = bench_case_out, .edx = BENCH_PORT },
		{ .name = "mmio", .entry = bench_case_mmio },
	};
	struct stat3 base = per_iteration(g, &cases[0], batches);
	size_t i;

	printf("bench backend=%s case=baseline per_iter=%.1f\n",
	       backend->name, base.median);
	for (i = 1; i < ARRAY_SIZE(cases); i++)
		print_exit_cost(cases[i].name,
				per_iteration(g, &cases[i], batches),
				base.median);
	doorbell_cost(g, batches, base.median);
	return base.median;
}

/*
 * The IPI cases (guest.S) on the timer case's VM, after it: a self-IPI
 * ended by the EOI register, then with PV EOI, then sent by hypercall.
 */
static void ipi_costs(struct guest *g, double base, int batches)
{
	const uint32_t pv_eoi_on = PV_EOI_FLAG | 1;
	const struct bench_case cases[] = {
		{ .name = "ipi", .entry = bench_case_ipi },
		{ .name = "ipi_pveoi", .entry = bench_case_ipi,
		  .eax = pv_eoi_on },
		{ .name = "pvipi", .entry = bench_case_pvipi,
		  .eax = pv_eoi_on },
	};
	uint16_t ivt[2] = { guest_gpa(bench_ipi_irq), 0 };	/* IP, CS */
	size_t i, n = ARRAY_SIZE(cases);

	memcpy(g->low + IVT_IPI, ivt, sizeof(ivt));
	if (!backend->has_pv_ipi(g->vm)) {
		printf("bench backend=%s ipi_pveoi pvipi unavailable: no PV EOI or PV send-IPI\n",
		       backend->name);
		n = 1;
	}
	for (i = 0; i < n; i++)
		print_exit_cost(cases[i].name,
				per_iteration(g, &cases[i], batches), base);
}

/*
 * The timer and IPI cases on a VM of their own, the only one with the
 * in-kernel interrupt controllers, so they cost the other figures nothing.
 */
static void apic_costs(double base, int batches)
{
	const struct bench_case c = { .name = "hlt", .entry = bench_case_hlt };
	uint16_t ivt[2] = { guest_gpa(bench_timer_irq), 0 };	/* IP, CS */
	struct guest g;

	guest_ram(&g);
	memcpy(g.low + IVT_TIMER, ivt, sizeof(ivt));
	g.vm = backend->create(g.low, g.high, BENCH_VM_IRQCHIP);
	if (!g.vm) {
		/* No "case=": the table shows n/a for it. */
		printf("bench backend=%s hlt unavailable: no in-kernel irqchip: %s\n",
		       backend->name, strerror(errno));
	} else {
		print_exit_cost(c.name, per_iteration(&g, &c, batches), base);
		ipi_costs(&g, base, batches);
		backend->destroy(g.vm);
	}
	free_guest_ram(&g);
}

/* Create @nvms VMs, each run to its first exit: time and memory. */
static void creation(struct guest *g, int nvms)
{
	struct kmem_sample before, after;
	double ticks[MAX_VMS];
	int64_t mod_before, mod_after;
	struct stat3 t;
	int i;

	for (i = 0; i < nvms; i++)
		guest_ram(&g[i]);
	kmem_sample(&before);
	mod_before = backend->module_kernel_bytes();
	for (i = 0; i < nvms; i++) {
		uint64_t t0 = __rdtsc();

		g[i].vm = backend->create(g[i].low, g[i].high, 0);
		if (!g[i].vm)
			die("%s: creating a VM", backend->name);
		backend->enter_at(g[i].vm, guest_gpa(bench_first_out), 0);
		run_to_done(g[i].vm);
		ticks[i] = (double)(__rdtsc() - t0);
	}
	mod_after = backend->module_kernel_bytes();
	kmem_sample(&after);
	t = summarize(ticks, nvms);
	printf("bench backend=%s case=create per_vm=%.0f min=%.0f max=%.0f\n",
	       backend->name, t.median, t.min, t.max);
	printf("bench backend=%s case=memory vms=%d kernel_bytes=%lld slab_bytes=%lld module_bytes=%lld\n",
	       backend->name, nvms,
	       (long long)(kmem_kernel_delta(&before, &after) / nvms),
	       (long long)((after.slab_bytes - before.slab_bytes) / nvms),
	       mod_before < 0 ? -1LL :
	       (long long)((mod_after - mod_before) / nvms));
}

/*
 * Creation as above with every page mapped at once (vmctl's
 * VMCTL_MEM_PREFAULT), on the VMs' RAM again: median of @nvms.
 */
static void creation_prefaulted(struct guest *g, int nvms)
{
	double ticks[MAX_VMS];
	struct guest p;
	struct stat3 t;
	int i;

	for (i = 0; i < nvms; i++) {
		uint64_t t0 = __rdtsc();

		p = g[i];
		p.vm = backend->create(p.low, p.high, BENCH_VM_PREFAULT);
		if (!p.vm) {
			printf("bench backend=%s create_prealloc unavailable: %s\n",
			       backend->name, strerror(errno));
			return;
		}
		backend->enter_at(p.vm, guest_gpa(bench_first_out), 0);
		run_to_done(p.vm);
		ticks[i] = (double)(__rdtsc() - t0);
		backend->destroy(p.vm);
	}
	t = summarize(ticks, nvms);
	printf("bench backend=%s case=create_prealloc per_vm=%.0f min=%.0f max=%.0f\n",
	       backend->name, t.median, t.min, t.max);
}

#define SZ_2M		(2UL << 20)
#define FAULT_PAGES	16	/* touched per batch, 4 KiB or 2 MiB each */

/*
 * @size bytes for the fault slot, 2 MiB aligned, populated: with
 * transparent huge pages (@huge; NULL when the kernel gave none) or in
 * 4 KiB pages.
 */
static void *fault_memory(size_t size, bool huge)
{
	char *raw = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int64_t thp0 = kmem_meminfo_kib("AnonHugePages");
	char *p;

	if (raw == MAP_FAILED)
		die("mmap %zu bytes for the fault cases", size);
	p = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (!madvise(p, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) || !huge)
		memset(p, 1, size);
	if (huge && kmem_meminfo_kib("AnonHugePages") - thp0 < (int64_t)(size >> 10)) {
		munmap(raw, size + SZ_2M);
		return NULL;
	}
	return p;
}

/*
 * Instructions per first-touch EPT fault, with pages of @stride bytes:
 * median over @batches fresh VMs (on @g's RAM) of (first pass - second
 * pass) / FAULT_PAGES.
 */
static void fault_cost(struct guest *g, const char *name, size_t stride,
		       int batches)
{
	const struct bench_case c = {
		.entry = bench_case_touch, .ecx = (uint32_t)stride,
	};
	size_t size = FAULT_PAGES * stride;
	void *mem = fault_memory(size, stride == SZ_2M);
	double *v = calloc(batches, sizeof(*v));
	struct guest f = *g;
	struct stat3 s;
	int i;

	if (!v)
		die("calloc");
	if (!mem) {
		printf("bench backend=%s %s unavailable: no transparent huge pages\n",
		       backend->name, name);
		free(v);
		return;
	}
	for (i = 0; i < batches; i++) {
		f.vm = backend->create(f.low, f.high, 0);
		if (!f.vm)
			die("%s: creating a VM", backend->name);
		backend->add_slot(f.vm, FAULT_SLOT, FAULT_GPA, size, mem);
		backend->big_gs(f.vm, FAULT_GPA);
		v[i] = (double)batch(&f, &c, FAULT_PAGES);
		v[i] = (v[i] - (double)batch(&f, &c, FAULT_PAGES)) / FAULT_PAGES;
		backend->destroy(f.vm);
	}
	s = summarize(v, batches);
	printf("bench backend=%s case=%s per_fault=%.1f min=%.1f max=%.1f\n",
	       backend->name, name, s.median, s.min, s.max);
	free(v);
	munmap((char *)mem - ((uintptr_t)mem & (SZ_2M - 1)), size + SZ_2M);
}

/* Stay on one CPU: no migrations inside a measurement. */
static void pin_to_last_cpu(void)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(ncpus > 0 ? ncpus - 1 : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void __noreturn print_usage(void)
{
	fprintf(stderr,
		"usage: vmbench vmctl|kvm [-b BATCHES] [-v VMS]\n"
		"  -b  batches per exit case (default %d), median reported\n"
		"  -v  VMs created for the creation and memory figures (1..%d, default %d)\n",
		DEFAULT_BATCHES, MAX_VMS, DEFAULT_VMS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct guest guests[MAX_VMS] = { 0 };
	int batches = DEFAULT_BATCHES, nvms = DEFAULT_VMS, opt, i;

	while ((opt = getopt(argc, argv, "b:v:h")) != -1) {
		switch (opt) {
		case 'b':
			batches = atoi(optarg);
			break;
		case 'v':
			nvms = atoi(optarg);
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc - 1 || batches < 1 || nvms < 1 || nvms > MAX_VMS)
		print_usage();
	if (!strcmp(argv[optind], "vmctl"))
		backend = &bench_vmctl;
	else if (!strcmp(argv[optind], "kvm"))
		backend = &bench_kvm;
	else
		print_usage();

	if (!backend->open()) {
		printf("bench backend=%s unavailable: %s\n", backend->name,
		       strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_last_cpu();
	creation(guests, nvms);
	creation_prefaulted(guests, nvms);
	apic_costs(exit_costs(&guests[0], batches), batches);
	fault_cost(&guests[0], "fault4k", 4096, batches);
	fault_cost(&guests[0], "fault2m", SZ_2M, batches);
	for (i = 0; i < nvms; i++) {
		backend->destroy(guests[i].vm);
		free_guest_ram(&guests[i]);
	}
	return 0;
}
