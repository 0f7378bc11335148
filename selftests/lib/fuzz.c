// SPDX-License-Identifier: GPL-2.0
/* The fuzzers' common part; see fuzz.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "fuzz.h"
#include "fuzz_rng.h"
#include "modes.h"
#include "stats.h"
#include "ucall.h"
#include "vm.h"

GUEST64(fuzz_hello_guest,
	G_UCALL(UCALL_DONE));

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const exit_names[FUZZ_NR_EXITS] = {
	"NONE", "IO", "MMIO", "HYPERCALL", "HLT", "SHUTDOWN", "FAIL_ENTRY",
	"INTERNAL_ERROR", "INTR",
};

static const char *const suberror_names[FUZZ_NR_SUBERRORS] = {
	"0", "EMULATION", "EPT_MISCONFIG", "UNHANDLED_EXIT", "VMX_FAILURE",
	"BAD_GUEST_MEMORY",
};

static const char *const hw_exit_names[VMCTL_NR_HW_EXIT_REASONS] = {
	VMCTL_HW_EXIT_NAMES
};

/* Kernel log lines that mean the host was hurt. */
static const char *const bad_log[] = {
	"WARNING:", "BUG:", "Oops", "general protection", "Call Trace",
	"VM-instruction error",
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t fuzz_rand(struct fuzz *f)
{
	return fuzz_rng_next(&f->rng);
}

uint64_t fuzz_below(struct fuzz *f, uint64_t n)
{
	return fuzz_rng_below(&f->rng, n);
}

bool fuzz_chance(struct fuzz *f, unsigned int percent)
{
	return fuzz_rng_chance(&f->rng, percent);
}

uint64_t fuzz_interesting(struct fuzz *f)
{
	return fuzz_rng_interesting(&f->rng);
}

void fuzz_fill(struct fuzz *f, void *buf, size_t len)
{
	fuzz_rng_fill(&f->rng, buf, len);
}

/* --name N on the command line, else $ENV, else @def. */
static uint64_t knob(int argc, char **argv, const char *arg, const char *env,
		     uint64_t def)
{
	const char *s = getenv(env);
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], arg))
			s = argv[i + 1];
	if (!s || !*s)
		return def;
	return strtoull(s, NULL, 0);
}

/* Copy a file of /proc to stdout with write(2): stdio may be locked. */
static void dump_file(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	dprintf(1, "# %s:\n", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, n) != n)
			break;
	close(fd);
}

/*
 * An iteration that does not end within FUZZ_HANG_SECONDS is a hang: say
 * which one and where every thread of ours is (kernel stacks), ask the
 * kernel for every CPU's and every blocked task's backtrace (sysrq l, w:
 * they go to the kernel log, on the test machine's console), then end
 * the run, since nothing after it could be trusted.  Only system calls
 * here: the stuck thread may hold the stdio lock.
 */
static void *watchdog(void *arg)
{
	struct fuzz *f = arg;
	uint64_t last = f->iter, since = now_ns();
	char path[64];
	struct dirent *d;
	DIR *dir;
	int fd;

	for (;;) {
		sleep(1);
		if (f->iter != last) {
			last = f->iter;
			since = now_ns();
			continue;
		}
		if (now_ns() - since < f->hang_seconds * 1000000000ULL)
			continue;
		dprintf(1, "# FAIL %s iteration %llu: no progress for %u s\n"
			"#   replay: FUZZ_SEED=%llu FUZZ_FIRST=%llu FUZZ_ITERATIONS=1 ./%s\n",
			f->name, (unsigned long long)f->iter, f->hang_seconds,
			(unsigned long long)f->seed,
			(unsigned long long)f->iter, f->name);
		dir = opendir("/proc/self/task");
		while (dir && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/self/task/%.16s/stack",
				 d->d_name);
			dump_file(path);
		}
		fd = open("/proc/sysrq-trigger", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "l", 1) != 1 || write(fd, "w", 1) != 1)
				dprintf(1, "# sysrq: %m\n");
			close(fd);
		}
		dprintf(1, "not ok 1 - %s: iteration %llu hangs # seed %llu\n",
			f->name, (unsigned long long)f->iter,
			(unsigned long long)f->seed);
		_exit(1);
	}
	return NULL;
}

void fuzz_init(struct fuzz *f, const char *name, int argc, char **argv)
{
	sigset_t mask, old;
	pthread_t t;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->seed = knob(argc, argv, "--seed", "FUZZ_SEED",
		       now_ns() ^ ((uint64_t)getpid() << 32));
	f->seconds = knob(argc, argv, "--seconds", "FUZZ_SECONDS", 60);
	f->iterations = knob(argc, argv, "--iterations", "FUZZ_ITERATIONS", 0);
	f->first = knob(argc, argv, "--first", "FUZZ_FIRST", 0);
	f->hang_seconds = knob(argc, argv, "--hang", "FUZZ_HANG_SECONDS", 60);
	f->verbose = knob(argc, argv, "--verbose", "FUZZ_VERBOSE", 0);
	f->iter = f->first - 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	printf("# %s: seed %llu (replay: FUZZ_SEED=%llu), %u s, %llu iterations from %llu\n",
	       name, (unsigned long long)f->seed, (unsigned long long)f->seed,
	       f->seconds, (unsigned long long)f->iterations,
	       (unsigned long long)f->first);

	f->sys_fd = vmctl_open();
	module_stats(f->sys_fd, &f->base);
	/* Only what is logged from now on is ours. */
	f->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->kmsg_fd >= 0)
		lseek(f->kmsg_fd, 0, SEEK_END);
	else
		printf("# /dev/kmsg: %m (kernel log not checked)\n");
	f->start_ns = now_ns();

	/* The watchdog takes none of the signals the fuzzers use. */
	sigfillset(&mask);
	pthread_sigmask(SIG_BLOCK, &mask, &old);
	pthread_create(&t, NULL, watchdog, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

bool fuzz_next(struct fuzz *f)
{
	uint64_t done = f->iter + 1 - f->first;

	fuzz_check_log(f);
	if (f->iterations && done >= f->iterations)
		return false;
	if (f->seconds && now_ns() - f->start_ns >= f->seconds * 1000000000ULL)
		return false;
	f->iter++;
	f->rng = fuzz_rng_iteration(f->seed, f->iter);
	return true;
}

void fuzz_fail(struct fuzz *f, const char *fmt, ...)
{
	va_list ap;

	printf("# FAIL %s iteration %llu: ", f->name,
	       (unsigned long long)f->iter);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n#   replay: FUZZ_SEED=%llu FUZZ_FIRST=%llu FUZZ_ITERATIONS=1 ./%s\n",
	       (unsigned long long)f->seed, (unsigned long long)f->iter,
	       f->name);
	f->failures++;
}

static void on_alarm(int sig)
{
	(void)sig;
}

void fuzz_timer(bool on)
{
	struct itimerval tick = { { 0, on ? 5000 : 0 }, { 0, on ? 5000 : 0 } };
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
}

void fuzz_log(struct fuzz *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->verbose)
		return;
	printf("# [%llu] ", (unsigned long long)f->iter);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void fuzz_count_exit(struct fuzz *f, const struct vmctl_run *run)
{
	uint32_t reason = run->exit_reason;

	if (reason < FUZZ_NR_EXITS)
		f->exits[reason]++;
	if (reason == VMCTL_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror < FUZZ_NR_SUBERRORS)
		f->internal[run->internal.suberror]++;
}

void fuzz_count_vcpu(struct fuzz *f, int vcpu_fd)
{
	struct vmctl_vcpu_stats stats;
	int i;

	memset(&stats, 0, sizeof(stats));
	if (ioctl(vcpu_fd, VMCTL_GET_VCPU_STATS, &stats))
		return;
	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		f->hw_exits[i] += stats.hw_exits[i];
}

int fuzz_load_guest(struct vcpu *vcpu, const struct guest_code *code,
		    bool apic_reset)
{
	struct vmctl_regs regs = { 0 };
	struct vmctl_sregs sregs;
	uint64_t apic_base;

	memcpy(gpa_to_hva(vcpu->vm, CODE_GPA), code->start,
	       code->end - code->start);
	if (ioctl(vcpu->fd, VMCTL_GET_SREGS, &sregs))
		return -1;
	sregs_for_mode(&sregs, code->mode);
	sregs.cr8 = 0;
	apic_base = sregs.apic_base;
	if (apic_reset)
		sregs.apic_base = VMCTL_APIC_BASE | (1 << 11) | (1 << 8);
	/* An x2APIC goes back to xAPIC mode only through disabled. */
	if (ioctl(vcpu->fd, VMCTL_SET_SREGS, &sregs)) {
		sregs.apic_base = apic_base;
		if (ioctl(vcpu->fd, VMCTL_SET_SREGS, &sregs))
			return -1;
	}
	regs.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IF;
	regs.rip = CODE_GPA;
	regs.rsp = STACK_TOP;
	return ioctl(vcpu->fd, VMCTL_SET_REGS, &regs);
}

/* VMX exits since @before and the vCPU's state, for a failure message. */
static void print_exits_since(struct vcpu *vcpu,
			      const struct vmctl_vcpu_stats *before)
{
	struct vmctl_vcpu_stats now;
	struct vmctl_sregs sregs;
	struct vmctl_regs regs;
	int i;

	if (!ioctl(vcpu->fd, VMCTL_GET_REGS, &regs) &&
	    !ioctl(vcpu->fd, VMCTL_GET_SREGS, &sregs))
		printf("#   rip %#llx rflags %#llx rsp %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx apic_base %#llx immediate_exit %u\n",
		       (unsigned long long)regs.rip,
		       (unsigned long long)regs.rflags,
		       (unsigned long long)regs.rsp,
		       (unsigned long long)sregs.cr0,
		       (unsigned long long)sregs.cr3,
		       (unsigned long long)sregs.cr4,
		       (unsigned long long)sregs.efer,
		       (unsigned long long)sregs.apic_base,
		       vcpu->run->immediate_exit);

	if (ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, &now))
		return;
	printf("#   VMX exits meanwhile:");
	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		if (now.hw_exits[i] != before->hw_exits[i])
			printf(" %s %llu", hw_exit_names[i] ? hw_exit_names[i] : "?",
			       (unsigned long long)(now.hw_exits[i] -
						    before->hw_exits[i]));
	printf("\n");
}

void fuzz_check_restart(struct fuzz *f, struct vcpu *vcpu, bool irqchip)
{
	struct vmctl_run *run = vcpu->run;
	struct vmctl_vcpu_stats before;
	char str[160];
	int i, intr = 0;

	run->immediate_exit = 0;
	vm_init_tables(vcpu->vm);
	f->calls += 8;
	memset(&before, 0, sizeof(before));
	ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, &before);
	if (fuzz_load_guest(vcpu, &fuzz_hello_guest, irqchip)) {
		fuzz_fail(f, "a valid long-mode state refused: %m");
		return;
	}
	for (i = 0; i < 8; i++) {
		f->calls++;
		if (vcpu_run(vcpu)) {
			if (errno == EINTR) {
				intr++;
				continue;
			}
			fuzz_fail(f, "RUN of a valid guest afterwards: %m");
			return;
		}
		fuzz_count_exit(f, run);
		if (exit_is_ucall(run))
			return;
		if (run->exit_reason != VMCTL_EXIT_HLT)
			break;
	}
	if ((i == 8 && intr == i && !irqchip) ||
	    run->exit_reason == VMCTL_EXIT_FAIL_ENTRY ||
	    (run->exit_reason == VMCTL_EXIT_INTERNAL_ERROR &&
	     (run->internal.suberror == VMCTL_INTERNAL_VMX_FAILURE ||
	      run->internal.suberror == VMCTL_INTERNAL_EPT_MISCONFIG))) {
		fuzz_fail(f, "the vCPU does not run a valid guest afterwards: %s",
			  i == 8 && intr == i ? "RUN interrupted every time" :
				      exit_str(run, str, sizeof(str)));
		print_exits_since(vcpu, &before);
		return;
	}
	f->not_restarted++;
}

void fuzz_check_baseline(struct fuzz *f, int ms)
{
	struct vmctl_module_stats now;

	if (stats_settle(f->sys_fd, &f->base, &now, ms))
		return;
	f->leaks++;
	fuzz_fail(f, "module counters not back to baseline: vms %llu/%llu vcpus %llu/%llu slots %llu/%llu mapped %llu/%llu ept %llu/%llu vmcs %llu/%llu bytes %llu/%llu",
		  (unsigned long long)now.nr_vms,
		  (unsigned long long)f->base.nr_vms,
		  (unsigned long long)now.nr_vcpus,
		  (unsigned long long)f->base.nr_vcpus,
		  (unsigned long long)now.nr_mem_slots,
		  (unsigned long long)f->base.nr_mem_slots,
		  (unsigned long long)now.mapped_pages,
		  (unsigned long long)f->base.mapped_pages,
		  (unsigned long long)now.ept_table_pages,
		  (unsigned long long)f->base.ept_table_pages,
		  (unsigned long long)now.vmcs_pages,
		  (unsigned long long)f->base.vmcs_pages,
		  (unsigned long long)now.kernel_bytes,
		  (unsigned long long)f->base.kernel_bytes);
	/* Judge the next rounds against what is left, not again this. */
	f->base = now;
}

/*
 * A /dev/kmsg record is "prio,seq,usec,flags;text\n" plus continuation
 * lines; prio's low 3 bits are the level (3: KERN_ERR).
 */
static bool bad_record(const char *rec)
{
	const char *text = strchr(rec, ';');
	unsigned int i;

	if (!text)
		return false;
	for (i = 0; i < ARRAY_SIZE(bad_log); i++)
		if (strstr(text, bad_log[i]))
			return true;
	/* The module logs errors only for what must not happen. */
	return (atoi(rec) & 7) <= 3 && strstr(text, "vmctl");
}

void fuzz_check_log(struct fuzz *f)
{
	char rec[8192];
	ssize_t n;

	if (f->kmsg_fd < 0)
		return;
	for (;;) {
		n = read(f->kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		if (bad_record(rec)) {
			f->log_lines++;
			fuzz_fail(f, "kernel log: %s", strchr(rec, ';') + 1);
		}
	}
}

static void print_counts(struct fuzz *f)
{
	uint64_t ran = f->iter + 1 - f->first;
	int i;

	printf("# %s: seed %llu, %llu iterations (%llu..%llu) in %.1f s\n",
	       f->name, (unsigned long long)f->seed, (unsigned long long)ran,
	       (unsigned long long)f->first, (unsigned long long)f->iter,
	       (now_ns() - f->start_ns) / 1e9);
	printf("# %s: calls %llu, guests %llu, races %llu, RUN errors %llu, not restarted %llu\n",
	       f->name, (unsigned long long)f->calls,
	       (unsigned long long)f->guests, (unsigned long long)f->races,
	       (unsigned long long)f->run_errors,
	       (unsigned long long)f->not_restarted);
	printf("# %s: exits:", f->name);
	for (i = 1; i < FUZZ_NR_EXITS; i++)
		if (f->exits[i])
			printf(" %s %llu", exit_names[i],
			       (unsigned long long)f->exits[i]);
	printf("\n# %s: internal errors:", f->name);
	for (i = 1; i < FUZZ_NR_SUBERRORS; i++)
		if (f->internal[i])
			printf(" %s %llu", suberror_names[i],
			       (unsigned long long)f->internal[i]);
	printf("\n# %s: VMX exits:", f->name);
	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		if (f->hw_exits[i])
			printf(" %s %llu", hw_exit_names[i] ? hw_exit_names[i] : "?",
			       (unsigned long long)f->hw_exits[i]);
	printf("\n");
}

int fuzz_finish(struct fuzz *f)
{
	uint64_t host;

	fuzz_check_baseline(f, 3000);
	fuzz_check_log(f);
	host = f->failures - f->leaks - f->log_lines;
	print_counts(f);
	printf("1..3\n");
	printf("%sok 1 - %s: no host failure (failed entry, VMX error, bad errno) # seed %llu\n",
	       host ? "not " : "", f->name, (unsigned long long)f->seed);
	printf("%sok 2 - %s: module counters back to baseline\n",
	       f->leaks ? "not " : "", f->name);
	printf("%sok 3 - %s: kernel log free of WARNING/BUG/Oops/VM-instruction error%s\n",
	       f->log_lines ? "not " : "", f->name,
	       f->kmsg_fd < 0 ? " # SKIP no /dev/kmsg" : "");
	close(f->sys_fd);
	return f->failures ? 1 : 0;
}
