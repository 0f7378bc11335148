// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * When pre-copy switches over, gives up or slows the guest down
 * (struct mig_policy, migrate.h): arithmetic on what each round found,
 * sent and took, with the time given, so the unit tests drive it with
 * a fake clock.  The numbers are QEMU's, so that its users find what
 * they know: downtime-limit 300 ms; auto-converge starts at 20%, adds
 * 10% a round, stops at 99%.
 */
#include "migrate.h"

#define NS_PER_S		1000000000ULL
#define NS_PER_MS		1000000ULL
#define DEFAULT_DOWNTIME_MS	300
#define DEFAULT_TIMEOUT_S	600
#define THROTTLE_FIRST		20
#define THROTTLE_STEP		10
#define THROTTLE_MAX		99

void mig_policy_init(struct mig_policy *p,
		     const struct vmctl_migrate_opts *opts, uint64_t now_ns)
{
	unsigned int downtime = opts->max_downtime_ms;

	*p = (struct mig_policy){ 0 };
	/* max_final_pages alone keeps the page count of old. */
	if (downtime || !opts->max_final_pages)
		p->max_downtime_ns = (downtime ? downtime :
				      DEFAULT_DOWNTIME_MS) * NS_PER_MS;
	p->max_final_pages = opts->max_final_pages;
	p->max_rounds = opts->max_rounds < VMCTL_MIGRATE_MAX_ROUNDS ?
			opts->max_rounds : VMCTL_MIGRATE_MAX_ROUNDS;
	p->deadline_ns = now_ns + (opts->timeout_s ? opts->timeout_s :
				   DEFAULT_TIMEOUT_S) * NS_PER_S;
	p->auto_converge = !opts->no_auto_converge;
}

/* a * b / c without overflow (c not 0), saturated. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 r = (unsigned __int128)a * b / c;

	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

/*
 * The guest dirtied more than half of what the link carried meanwhile
 * (QEMU's throttle-trigger-threshold, 50%): the pages this round found
 * were written while the last round's went out.
 */
static bool not_shrinking(const struct mig_policy *p, uint64_t pages)
{
	return p->rounds && pages * 2 > p->last_pages;
}

static void slow_down(struct mig_policy *p)
{
	if (!p->throttle)
		p->throttle = THROTTLE_FIRST;
	else if (p->throttle + THROTTLE_STEP < THROTTLE_MAX)
		p->throttle += THROTTLE_STEP;
	else
		p->throttle = THROTTLE_MAX;
}

enum mig_next mig_policy_round(struct mig_policy *p, uint64_t pages,
			       uint64_t bytes, uint64_t ns, uint64_t now_ns)
{
	bool slow = not_shrinking(p, pages);
	bool first = !p->rounds++;

	if (!ns)
		ns = 1;
	p->bandwidth = mul_div(bytes, NS_PER_S, ns);
	p->dirty_rate = first ? 0 : mul_div(pages * SNAP_PAGE, NS_PER_S,
					    p->last_ns ? p->last_ns : 1);
	/* Sent as fast as these were, the same pages again: the pause. */
	p->downtime_ns = bytes ? mul_div(pages * SNAP_PAGE, ns, bytes) : 0;
	p->last_pages = pages;
	p->last_ns = ns;
	if (!first) {
		if (p->max_downtime_ns && p->downtime_ns <= p->max_downtime_ns)
			return MIG_SWITCH_OVER;
		if (p->max_final_pages && pages <= p->max_final_pages)
			return MIG_SWITCH_OVER;
		if (p->max_rounds && p->rounds > p->max_rounds)
			return MIG_SWITCH_OVER;
	}
	if (now_ns >= p->deadline_ns)
		return MIG_GIVE_UP;
	if (slow && p->auto_converge)
		slow_down(p);
	return MIG_NEXT_ROUND;
}
