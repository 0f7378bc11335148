/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the three fuzzers (fuzz_ioctl, fuzz_guest, fuzz_race) share: the
 * seed and the budget, a random-number generator per iteration, the
 * counts, and the checks that decide a run (module counters back to the
 * baseline, a kernel log free of WARNING/BUG/Oops and of "VM-instruction
 * error").
 *
 * Reproducible: iteration i draws from its own generator, seeded from the
 * run's seed and i, so one iteration replays alone with
 *   FUZZ_SEED=s FUZZ_FIRST=i FUZZ_ITERATIONS=1 ./fuzz_x
 * (what a failure prints).  Knobs, from the command line or the
 * environment (the command line wins):
 *   --seed N        FUZZ_SEED        default: from the clock, printed
 *   --seconds N     FUZZ_SECONDS     stop after N s (default 60)
 *   --iterations N  FUZZ_ITERATIONS  stop after N iterations (0: no limit)
 *   --first N       FUZZ_FIRST       index of the first iteration (0)
 *   --verbose 1     FUZZ_VERBOSE     print every call (for a replay)
 *   --hang N        FUZZ_HANG_SECONDS  an iteration longer than N s (60)
 *                                    is a hang: kernel stacks printed, the
 *                                    run ends there
 * Output is TAP: "#" lines with the seed and the counts, then one
 * "ok"/"not ok" line per check; exit status 0 when every check passed.
 */
#ifndef SELFTEST_FUZZ_H
#define SELFTEST_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vmctl.h>

#define FUZZ_NR_EXITS		(VMCTL_EXIT_INTR + 1)
#define FUZZ_NR_SUBERRORS	(VMCTL_INTERNAL_BAD_GUEST_MEMORY + 1)

struct fuzz {
	const char *name;
	uint64_t seed;
	uint64_t first, iterations;	/* iterations 0: no limit */
	unsigned int seconds, hang_seconds;
	bool verbose;
	uint64_t iter;			/* the current iteration */
	uint64_t rng;			/* its generator's state */
	uint64_t start_ns;
	int sys_fd;			/* /dev/vmctl, for the stats */
	int kmsg_fd;			/* /dev/kmsg, read from the start */
	struct vmctl_module_stats base;

	/* The counts printed at the end. */
	uint64_t calls;			/* ioctls and other system calls */
	uint64_t guests;		/* guests run */
	uint64_t races;			/* race rounds */
	uint64_t exits[FUZZ_NR_EXITS];	/* by enum vmctl_exit_reason */
	uint64_t internal[FUZZ_NR_SUBERRORS];	/* INTERNAL_ERROR suberrors */
	uint64_t run_errors;		/* RUN returning -1 (not EINTR) */
	uint64_t hw_exits[VMCTL_NR_HW_EXIT_REASONS];	/* VMX, all vCPUs */
	uint64_t failures;		/* host problems found */
	uint64_t log_lines;		/* bad kernel log lines */
	uint64_t leaks;			/* rounds that left counters raised */
	uint64_t not_restarted;		/* see fuzz_check_restart() */
};

struct vcpu;
struct guest_code;

/*
 * Like vcpu_load_guest(), but a refused state is returned (-1, errno),
 * not fatal; CR8 cleared and, with @apic_reset, the APIC back at its
 * default base where the current mode allows it.
 */
int fuzz_load_guest(struct vcpu *vcpu, const struct guest_code *code,
		    bool apic_reset);

/* Parse the knobs, open /dev/vmctl and /dev/kmsg, take the baseline. */
void fuzz_init(struct fuzz *f, const char *name, int argc, char **argv);

/*
 * Start the next iteration (seed its generator) unless the budget is
 * spent; also reads the kernel log the previous iteration left.
 */
bool fuzz_next(struct fuzz *f);

uint64_t fuzz_rand(struct fuzz *f);
/* Uniform in [0, n), n > 0. */
uint64_t fuzz_below(struct fuzz *f, uint64_t n);
/* True with probability @percent / 100. */
bool fuzz_chance(struct fuzz *f, unsigned int percent);
/* One of @n elements of @array, by value. */
#define fuzz_pick(f, array) \
	((array)[fuzz_below(f, sizeof(array) / sizeof((array)[0]))])
/* A number a validator is likely to get wrong: 0, 1, -1, powers of 2 +-1, ... */
uint64_t fuzz_interesting(struct fuzz *f);
void fuzz_fill(struct fuzz *f, void *buf, size_t len);

/*
 * A host problem in the current iteration: printed with the line that
 * replays the iteration, and counted; the run fails.
 */
void fuzz_fail(struct fuzz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* With FUZZ_VERBOSE: a "#" line saying what is being done. */
void fuzz_log(struct fuzz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A SIGALRM every 5 ms while on, so that every RUN ends whatever the
 * guest does; off around the library's setup calls, which die on EINTR.
 */
void fuzz_timer(bool on);

/* Count the exit RUN just reported (by kind and INTERNAL_ERROR suberror). */
void fuzz_count_exit(struct fuzz *f, const struct vmctl_run *run);
/* Add a vCPU's VMX exits (VMCTL_GET_VCPU_STATS) before it is closed. */
void fuzz_count_vcpu(struct fuzz *f, int vcpu_fd);

/*
 * Whatever was done to @vcpu (of a VM with the library's slot 0), given a
 * valid long-mode state and a guest that only reports, it must run: a
 * failed VM entry, a VMX failure, an EPT misconfiguration, a RUN error
 * or (without an irqchip) a RUN that never gets into the guest is a host
 * problem.  Any ucall counts (an interrupt or #DB the guest armed may
 * come first, through the stubs).  A guest that left an INIT or SIPI
 * pending in its APIC, which SET_REGS does not cancel (as on hardware),
 * may end elsewhere: counted in not_restarted, not a failure.
 */
void fuzz_check_restart(struct fuzz *f, struct vcpu *vcpu, bool irqchip);

/*
 * Every fd of the iteration is closed (children reaped): the module's
 * counters must come back to the baseline within @ms; a leak is a failure.
 */
void fuzz_check_baseline(struct fuzz *f, int ms);

/* Read the kernel log gained so far; bad lines are failures. */
void fuzz_check_log(struct fuzz *f);

/* Final checks, the counts and the TAP lines; returns the exit status. */
int fuzz_finish(struct fuzz *f);

#endif /* SELFTEST_FUZZ_H */
