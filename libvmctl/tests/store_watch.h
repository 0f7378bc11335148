/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Watch every store to one page of guest RAM, as a driver running
 * alongside the device could see it: the page is made read-only, a store
 * faults, the SIGSEGV handler lets that one store through (write access
 * and the trap flag: one instruction), and the SIGTRAP handler that
 * follows calls stored(addr) and protects the page again.  So a test
 * sees the ring after each store, and may act like a driver in between
 * (add buffers, read indices), deterministically.  x86-64 Linux; static
 * functions, for one test program at a time.
 */
#ifndef VMCTL_TESTS_STORE_WATCH_H
#define VMCTL_TESTS_STORE_WATCH_H

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

#define EFLAGS_TF	0x100
#define WATCH_PAGE	4096

static uint8_t *watched_page;
static void *watched_addr;
static void (*watched_store)(void *addr);
static struct sigaction watch_old_segv, watch_old_trap;

static void watch_on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	if ((uint8_t *)si->si_addr < watched_page ||
	    (uint8_t *)si->si_addr >= watched_page + WATCH_PAGE)
		abort();	/* a real crash: not ours to hide */
	watched_addr = si->si_addr;
	mprotect(watched_page, WATCH_PAGE, PROT_READ | PROT_WRITE);
	uc->uc_mcontext.gregs[REG_EFL] |= EFLAGS_TF;
}

static void watch_on_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_EFL] &= ~EFLAGS_TF;
	watched_store(watched_addr);
	mprotect(watched_page, WATCH_PAGE, PROT_READ);
}

/* Call stored(addr) after each store to the page (page-aligned) at page. */
static inline void watch_stores(void *page, void (*stored)(void *addr))
{
	struct sigaction segv = { .sa_sigaction = watch_on_fault,
				  .sa_flags = SA_SIGINFO };
	struct sigaction trap = { .sa_sigaction = watch_on_trap,
				  .sa_flags = SA_SIGINFO };

	watched_page = page;
	watched_store = stored;
	sigaction(SIGSEGV, &segv, &watch_old_segv);
	sigaction(SIGTRAP, &trap, &watch_old_trap);
	mprotect(watched_page, WATCH_PAGE, PROT_READ);
}

static inline void unwatch_stores(void)
{
	mprotect(watched_page, WATCH_PAGE, PROT_READ | PROT_WRITE);
	sigaction(SIGSEGV, &watch_old_segv, NULL);
	sigaction(SIGTRAP, &watch_old_trap, NULL);
}

#endif /* VMCTL_TESTS_STORE_WATCH_H */
