// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The migration stream's memory (format: migrate.h): the sender's
 * pre-copy rounds over the dirty log and the receiver's loop that puts
 * pages into guest RAM, on the snapshot's section writer and reader
 * with a socket under them.  No VM here: the dirty log is a callback,
 * so the unit tests drive it with a fake guest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "migrate.h"

#define NS_PER_S		1000000000ULL
#define NS_PER_MS		1000000ULL
#define NS_PER_US		1000ULL
#define PROGRESS_NS		(1000 * NS_PER_MS)	/* in a long round */

/*
 * A pre-copy under way: the clock for its timeout and its progress
 * calls, the first copy's pages not yet looked at.
 */
struct precopy {
	const struct vmctl_migrate_opts *opts;
	struct vmctl_migrate_stats *st;
	struct mig_policy policy;
	uint64_t start_ns, next_report_ns, first_left;
	uint64_t start_bytes;		/* the stream's before pre-copy */
};

void mig_stream_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = MIG_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int mig_stream_write(struct snap_out *o, const void *buf, size_t len,
		     uint64_t off)
{
	static const uint8_t zeros[8];
	const uint8_t *p = buf;
	ssize_t n;
	int ret;

	if (off < o->done || off - o->done > sizeof(zeros))
		return vmctl_fail(-EINVAL, "migration stream out of order");
	/* The padding to the 8-byte boundary the section starts at. */
	if (off > o->done) {
		ret = mig_stream_write(o, zeros, off - o->done, o->done);
		if (ret)
			return ret;
	}
	while (len) {
		n = send(o->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return vmctl_fail(-ETIMEDOUT,
					  "the destination stopped reading (%d s)",
					  MIG_TIMEOUT_S);
		if (n < 0)
			return vmctl_fail(-errno,
					  "sending the migration stream: %s",
					  strerror(errno));
		p += n;
		len -= n;
		o->done += n;
	}
	return 0;
}

int mig_stream_read(struct snap_in *in, void *buf, size_t len, uint64_t off)
{
	uint8_t pad[8], *p = buf;
	ssize_t n;
	int ret;

	if (off < in->done || off - in->done > sizeof(pad))
		return vmctl_fail(-EPROTO, "corrupt (out of order)");
	if (off > in->done) {
		ret = mig_stream_read(in, pad, off - in->done, in->done);
		if (ret)
			return ret;
	}
	while (len) {
		n = recv(in->fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return vmctl_fail(-ETIMEDOUT,
					  "the other side stopped sending (%d s)",
					  MIG_TIMEOUT_S);
		if (n < 0)
			return vmctl_fail(-errno,
					  "receiving the migration stream: %s",
					  strerror(errno));
		if (!n)
			return vmctl_fail(-EPROTO, "truncated");
		p += n;
		len -= n;
		in->done += n;
	}
	return 0;
}

/* The detail of a section read's -EPROTO ("truncated") as a sentence. */
int mig_stream_error(int ret)
{
	char why[64];

	if (ret != -EPROTO)
		return ret;
	snprintf(why, sizeof(why), "%s", vmctl_error_detail());
	return vmctl_fail(ret, "the migration stream is %s", why);
}

/*
 * Pages [first, first + n) of slot as one section.  Copied first: the
 * guest may write them while they go out, and the CRC must match what
 * is sent (such a write is in the dirty log, so the page goes again).
 */
static int send_run(struct snap_out *o, unsigned int slot,
		    const struct vmctl_mem_region *m, uint64_t first,
		    uint64_t n, uint8_t *buf)
{
	memcpy(buf, (uint8_t *)m->hva + first * SNAP_PAGE, n * SNAP_PAGE);
	return snap_put(o, SNAP_PAGES, slot, m->gpa + first * SNAP_PAGE, buf,
			n * SNAP_PAGE, NULL, 0);
}

/*
 * Dirty pages that read zeros, n of them from first: a ZEROS section,
 * their count its payload.  Pages the balloon gave back while pre-copy
 * ran are such pages (and so are pages the guest cleared).
 */
static int send_zeros(struct snap_out *o, unsigned int slot,
		      const struct vmctl_mem_region *m, uint64_t first,
		      uint64_t n)
{
	return snap_put(o, SNAP_ZEROS, slot, m->gpa + first * SNAP_PAGE, &n,
			sizeof(n), NULL, 0);
}

static bool bit(const uint64_t *bitmap, uint64_t i)
{
	return bitmap[i / 64] >> (i % 64) & 1;
}

static bool zero(const struct vmctl_mem_region *m, uint64_t i)
{
	return snap_zero_page((const uint8_t *)m->hva + i * SNAP_PAGE);
}

/* The caller's progress call: 0, or -ECANCELED when it says to stop. */
static int report(struct precopy *pc, const struct snap_out *o,
		  uint64_t now)
{
	struct vmctl_migrate_stats *st = pc->st;

	st->bytes = o->done;
	st->elapsed_ms = (now - pc->start_ns) / NS_PER_MS;
	pc->next_report_ns = now + PROGRESS_NS;
	if (pc->opts->progress &&
	    pc->opts->progress(pc->opts->progress_ctx, st))
		return vmctl_fail(-ECANCELED, "migration cancelled");
	return 0;
}

/*
 * The bandwidth limit: what pre-copy sent since it began may not be
 * ahead of max_bandwidth over that time; a wait makes up the difference
 * (never past the deadline, whose check comes next).  On the average
 * since the start, as QEMU's rate limit: a stretch where the link was
 * slower lets the next go faster until it has caught up, not beyond.
 */
static uint64_t keep_to_bandwidth(const struct precopy *pc,
				  const struct mig_ram *ram,
				  const struct snap_out *o, uint64_t now)
{
	uint64_t bw = pc->opts->max_bandwidth, sent, due_ns, wait;

	if (!bw)
		return now;
	sent = o->done - pc->start_bytes;
	/* When the bytes sent are due at bw, from pre-copy's start. */
	due_ns = pc->start_ns + (uint64_t)((__uint128_t)sent *
					   NS_PER_S / bw);
	if (due_ns <= now)
		return now;
	wait = due_ns - now;
	if (now + wait > pc->policy.deadline_ns)
		wait = pc->policy.deadline_ns > now ?
		       pc->policy.deadline_ns - now : 0;
	ram->sleep(ram->ctx, wait);
	return ram->now(ram->ctx);
}

/*
 * Between two runs of pages of a pre-copy round: the bandwidth limit,
 * the timeout, and the progress of a long round.
 */
static int tick(struct precopy *pc, const struct mig_ram *ram,
		const struct snap_out *o)
{
	uint64_t now = keep_to_bandwidth(pc, ram, o, ram->now(ram->ctx));

	if (now >= pc->policy.deadline_ns)
		return vmctl_fail(-ETIMEDOUT,
				  "pre-copy did not converge in time: timed out in round %u, %llu bytes sent",
				  pc->st->rounds,
				  (unsigned long long)o->done);
	return now >= pc->next_report_ns ? report(pc, o, now) : 0;
}

/*
 * The pages of slot that bitmap marks, or, bitmap NULL, every page that
 * is not zeros, in runs; their number added to *pages.  Marked pages
 * that read zeros go as ZEROS, without their bytes.  pc: a pre-copy's
 * round (else the guest is paused).
 */
static int send_slot(struct snap_out *o, unsigned int slot,
		     const struct vmctl_mem_region *m, const uint64_t *bitmap,
		     uint8_t *buf, uint64_t *pages, const struct mig_ram *ram,
		     struct precopy *pc)
{
	uint64_t nr = m->size / SNAP_PAGE, i, n;
	bool zeros;
	int ret = 0;

	for (i = 0; i < nr && !ret; i += n) {
		zeros = bitmap && bit(bitmap, i) && zero(m, i);
		for (n = 0; i + n < nr && n < MIG_RUN_PAGES; n++)
			if (bitmap ? !bit(bitmap, i + n) ||
				     zero(m, i + n) != zeros :
				     zero(m, i + n))
				break;
		if (n) {
			ret = zeros ? send_zeros(o, slot, m, i, n) :
				      send_run(o, slot, m, i, n, buf);
			*pages += n;
			if (!ret && pc)
				ret = tick(pc, ram, o);
		} else {
			n = 1;
		}
		if (pc && !bitmap)
			pc->st->remaining_pages = pc->first_left -= n;
	}
	return ret;
}

/* Every slot: its dirty pages (take_dirty), or bitmap-less all of it. */
static int send_slots(struct snap_out *o, const struct mig_ram *ram,
		      bool dirty, uint64_t *pages, struct precopy *pc)
{
	uint64_t *bitmap = NULL;
	uint8_t *buf = malloc(MIG_RUN_PAGES * SNAP_PAGE);
	unsigned int slot;
	int ret = buf ? 0 : -ENOMEM;

	*pages = 0;
	for (slot = 0; slot < VMCTL_MAX_MEM_SLOTS && !ret; slot++) {
		const struct vmctl_mem_region *m = &ram->mem[slot];
		uint64_t nr = m->size / SNAP_PAGE;

		if (!m->used)
			continue;
		if (dirty) {
			free(bitmap);
			bitmap = calloc((nr + 63) / 64, sizeof(*bitmap));
			if (!bitmap) {
				ret = -ENOMEM;
				break;
			}
			ret = ram->take_dirty(ram->ctx, slot, nr, bitmap);
		}
		if (!ret)
			ret = send_slot(o, slot, m, bitmap, buf, pages, ram,
					pc);
	}
	free(bitmap);
	free(buf);
	return ret;
}

int mig_send_dirty(struct snap_out *o, const struct mig_ram *ram,
		   uint64_t *pages)
{
	return send_slots(o, ram, true, pages, NULL);
}

/* The policy's measures into the stats, its throttle into the vCPUs. */
static void measured(struct precopy *pc, const struct mig_ram *ram,
		     uint64_t pages)
{
	const struct mig_policy *p = &pc->policy;
	struct vmctl_migrate_stats *st = pc->st;

	st->bandwidth = p->bandwidth;
	st->dirty_rate = p->dirty_rate;
	st->expected_downtime_us = p->downtime_ns / NS_PER_US;
	if (st->rounds)
		st->remaining_pages = pages;
	if (p->throttle != st->throttle_pct && ram->throttle)
		ram->throttle(ram->ctx, p->throttle);
	st->throttle_pct = p->throttle;
	if (p->throttle > st->max_throttle_pct)
		st->max_throttle_pct = p->throttle;
}

/* One round (0: the first copy) sent and judged. */
static int one_round(struct snap_out *o, const struct mig_ram *ram,
		 struct precopy *pc, enum mig_next *next)
{
	struct vmctl_migrate_stats *st = pc->st;
	uint64_t start = ram->now(ram->ctx), bytes = o->done, pages = 0;
	unsigned int r = st->rounds;
	uint64_t now;
	int ret;

	ret = send_slots(o, ram, r, &pages, pc);
	if (ret)
		return ret;
	if (r <= VMCTL_MIGRATE_MAX_ROUNDS)
		st->round_pages[r] = pages;
	now = ram->now(ram->ctx);
	*next = mig_policy_round(&pc->policy, pages, o->done - bytes,
				 now - start, now);
	measured(pc, ram, pages);
	return report(pc, o, now);
}

int mig_send_precopy(struct snap_out *o, const struct mig_ram *ram,
		     const struct vmctl_migrate_opts *opts,
		     struct vmctl_migrate_stats *stats)
{
	struct precopy pc = { .opts = opts, .st = stats };
	enum mig_next next = MIG_NEXT_ROUND;
	unsigned int i;
	int ret = 0;

	pc.start_ns = ram->now(ram->ctx);
	pc.start_bytes = o->done;
	pc.next_report_ns = pc.start_ns + PROGRESS_NS;
	mig_policy_init(&pc.policy, opts, pc.start_ns);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		if (ram->mem[i].used)
			pc.first_left += ram->mem[i].size / SNAP_PAGE;
	for (stats->rounds = 0;; stats->rounds++) {
		ret = one_round(o, ram, &pc, &next);
		if (ret || next != MIG_NEXT_ROUND)
			break;
	}
	if (!ret && next == MIG_GIVE_UP)
		ret = vmctl_fail(-ETIMEDOUT,
				 "pre-copy did not converge in time: %u rounds, the last would have paused the guest %llu ms",
				 stats->rounds,
				 (unsigned long long)stats->expected_downtime_us / 1000);
	return ret;
}

/*
 * Where len bytes of the slot sec names, from the guest-physical
 * address in its arg, are here, when they lie inside it: 1 to
 * MIG_RUN_PAGES whole pages.
 */
static uint8_t *pages_at(const struct snap_data *sec,
			 const struct vmctl_mem_region *mem, uint64_t len)
{
	const struct vmctl_mem_region *m = sec->h.index < VMCTL_MAX_MEM_SLOTS ?
					   &mem[sec->h.index] : NULL;

	if (!m || !m->used || !len || len % SNAP_PAGE ||
	    len > MIG_RUN_PAGES * SNAP_PAGE || sec->h.arg % SNAP_PAGE ||
	    sec->h.arg < m->gpa || sec->h.arg - m->gpa > m->size ||
	    len > m->size - (sec->h.arg - m->gpa)) {
		vmctl_fail(-EPROTO,
			   "pages at 0x%llx (%llu bytes) are not in this VM's RAM",
			   (unsigned long long)sec->h.arg,
			   (unsigned long long)len);
		return NULL;
	}
	return (uint8_t *)m->hva + (sec->h.arg - m->gpa);
}

/* A PAGES section into the slot it names. */
static int put_pages(const struct snap_data *sec,
		     const struct vmctl_mem_region *mem)
{
	uint8_t *hva = pages_at(sec, mem, sec->h.size);

	if (!hva)
		return -EPROTO;
	memcpy(hva, sec->data, sec->h.size);
	return 0;
}

/*
 * A ZEROS section: its pages given back (the destination's RAM is
 * anonymous: it reads zeros after MADV_DONTNEED, and takes no memory
 * until the guest writes it, as after the balloon took it); where
 * madvise fails (RAM not page-aligned: the unit tests'), zeroed.
 */
static int put_zeros(const struct snap_data *sec,
		     const struct vmctl_mem_region *mem)
{
	uint64_t n = 0;
	uint8_t *hva;

	if (sec->h.size == sizeof(n))
		memcpy(&n, sec->data, sizeof(n));
	hva = n <= MIG_RUN_PAGES ? pages_at(sec, mem, n * SNAP_PAGE) : NULL;
	if (!hva)
		return vmctl_fail(-EPROTO,
				  "zero pages at 0x%llx (%llu of them) are not in this VM's RAM",
				  (unsigned long long)sec->h.arg,
				  (unsigned long long)n);
	if (madvise(hva, n * SNAP_PAGE, MADV_DONTNEED))
		memset(hva, 0, n * SNAP_PAGE);
	return 0;
}

int mig_recv_sections(struct snap_in *in, uint64_t *pos,
		      const struct vmctl_mem_region *mem,
		      struct vmctl_snapshot *state)
{
	struct snap_data sec;
	int ret;

	for (;;) {
		sec.data = NULL;
		ret = snap_read_section(in, &sec, pos);
		if (ret) {
			free(sec.data);
			return mig_stream_error(ret);
		}
		switch (sec.h.type) {
		case SNAP_PAGES:
		case SNAP_ZEROS:
			ret = sec.h.type == SNAP_PAGES ? put_pages(&sec, mem) :
							 put_zeros(&sec, mem);
			free(sec.data);
			if (ret)
				return ret;
			continue;
		case SNAP_CLOCK:
		case SNAP_VCPU:
		case SNAP_IOAPIC:
		case SNAP_PIC_PIT:
		case SNAP_DEVICE:
		case SNAP_END:
			if (state->nr == SNAP_MAX_SECTIONS)
				break;
			state->s[state->nr++] = sec;
			if (sec.h.type == SNAP_END)
				return 0;
			continue;
		default:
			break;
		}
		free(sec.data);
		return vmctl_fail(-EPROTO,
				  "the migration stream is corrupt (a section of type %u here)",
				  sec.h.type);
	}
}
