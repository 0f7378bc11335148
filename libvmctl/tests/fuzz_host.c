// SPDX-License-Identifier: LGPL-2.1-or-later
/* The host-side fuzzers' harness: see fuzz_host.h. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_host.h"

/* The run a sanitizer report or a hang interrupts. */
static struct fuzz_host *current;

/* The sanitizers' runtime, when linked in (weak: absent otherwise). */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t knob(const char *env, uint64_t def)
{
	const char *s = getenv(env);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* Only write(2): stdio may be in any state when this runs. */
static void say_replay(const char *what)
{
	struct fuzz_host *f = current;

	if (!f)
		return;
	dprintf(2, "# FAIL %s iteration %llu: %s\n"
		"#   replay: FUZZ_SEED=%llu FUZZ_FIRST=%llu FUZZ_ITERATIONS=1 %s\n",
		f->name, (unsigned long long)f->iter, what,
		(unsigned long long)f->seed, (unsigned long long)f->iter,
		f->name);
}

/* AddressSanitizer, UBSan or LeakSanitizer end the process. */
static void on_death(void)
{
	say_replay("the sanitizer report above");
}

static void on_hang(int sig)
{
	(void)sig;
	say_replay("no end (a hang)");
	abort();
}

void fuzz_host_init(struct fuzz_host *f, const char *name,
		    uint64_t def_seed, uint64_t def_iterations)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->seed = knob("FUZZ_SEED", def_seed);
	f->first = knob("FUZZ_FIRST", 0);
	f->iterations = knob("FUZZ_ITERATIONS",
			     getenv("FUZZ_SECONDS") ? 0 : def_iterations);
	f->seconds = knob("FUZZ_SECONDS", 0);
	f->hang_seconds = knob("FUZZ_HANG_SECONDS", 20);
	f->iter = f->first - 1;
	f->start_ns = now_ns();
	current = f;
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_death);
	signal(SIGALRM, on_hang);
	printf("# %s: seed %llu (replay: FUZZ_SEED=%llu), %llu iterations from %llu%s\n",
	       name, (unsigned long long)f->seed, (unsigned long long)f->seed,
	       (unsigned long long)f->iterations,
	       (unsigned long long)f->first,
	       f->iterations ? "" : " (no limit)");
}

bool fuzz_host_next(struct fuzz_host *f)
{
	if (f->iterations && f->done >= f->iterations)
		return false;
	if (f->seconds &&
	    now_ns() - f->start_ns >= f->seconds * 1000000000ULL)
		return false;
	f->iter++;
	f->done++;
	f->rng = fuzz_rng_iteration(f->seed, f->iter);
	alarm(f->hang_seconds);
	return true;
}

void fuzz_host_fail(struct fuzz_host *f, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	say_replay(what);
	f->failures++;
}

void fuzz_host_done(struct fuzz_host *f)
{
	alarm(0);
	printf("# %s: seed %llu, %lu iterations (%llu..%llu) in %.1f s, %lu failed\n",
	       f->name, (unsigned long long)f->seed, f->done,
	       (unsigned long long)f->first, (unsigned long long)f->iter,
	       (now_ns() - f->start_ns) / 1e9, f->failures);
	current = NULL;
}
