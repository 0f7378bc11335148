// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The migration stream without a VM (migrate_pages.c, migrate.c's
 * destination handshake): a fake guest dirties pages between the
 * rounds the sender takes; the pages go over a socketpair to the
 * receiver, whose RAM must end equal to the sender's.  Pre-copy stops
 * when a round is small enough or at the round cap; zero pages are not
 * sent first, and dirty pages that read zeros go as their number, given
 * back at the destination.  The fake guest's clock lets the link carry one page a
 * millisecond: pre-copy switches over once a round's pages would take
 * at most --max-downtime, slows down a guest that dirties faster than
 * that (20%, then 10% more a round) until it does, and without
 * auto-converge gives up at the timeout; the caller's progress call
 * can cancel it.  A bandwidth limit holds pre-copy's bytes back, not
 * the last pages'.  A stream cut anywhere, with a flipped bit, with pages
 * outside the RAM, of another magic or version is refused with a
 * message, and the destination tells the source why.  A destination
 * that hangs up makes the sender fail with EPIPE, not die of SIGPIPE.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "migrate.h"

#define PAGES	64
#define PG	SNAP_PAGE

#define PAGE_NS	1000000ULL	/* the link's time for one page */

/*
 * The fake guest: plan[n] pages written before take_dirty call n (or,
 * past the plan, steady pages every call, fewer as it is throttled);
 * its clock advances by the link's time for the pages each call finds.
 */
struct guest {
	struct vmctl_mem_region mem[VMCTL_MAX_MEM_SLOTS];
	const unsigned int *plan;
	unsigned int nr_plan, call, written, steady;
	uint64_t dirty[PAGES / 64];
	uint64_t ns;
	unsigned int throttle, throttle_calls;
	uint64_t slept_ns;
	bool paused;		/* pre-copy is over */
	unsigned int balloon;	/* pages given back before the 1st round */
};

static void write_pages(struct guest *g, unsigned int n)
{
	uint8_t *ram = g->mem[1].hva;
	unsigned int i, page;

	for (i = 0; i < n; i++) {
		page = (g->written++ * 7) % PAGES;
		memset(ram + page * PG, 0x40 + g->call, PG / 2);
		g->dirty[page / 64] |= 1ULL << (page % 64);
	}
}

static int take_dirty(void *ctx, unsigned int slot, uint64_t pages,
		      uint64_t *bitmap)
{
	struct guest *g = ctx;

	unsigned int n = g->call < g->nr_plan ? g->plan[g->call] :
			 g->steady * (100 - g->throttle) / 100;

	assert_int_equal(slot, 1);
	assert_int_equal(pages, PAGES);
	/* As the balloon does: the pages read zeros, and are marked. */
	if (!g->call && g->balloon) {
		memset(g->mem[1].hva, 0, g->balloon * PG);
		memset(g->dirty, 0xff, g->balloon / 8);
	}
	write_pages(g, n);
	g->ns += n * PAGE_NS;
	g->call++;
	memcpy(bitmap, g->dirty, sizeof(g->dirty));
	memset(g->dirty, 0, sizeof(g->dirty));
	return 0;
}

static uint64_t now(void *ctx)
{
	return ((struct guest *)ctx)->ns;
}

/* The bandwidth limit's wait: only in pre-copy, on the fake clock. */
static void fake_sleep(void *ctx, uint64_t ns)
{
	struct guest *g = ctx;

	assert_false(g->paused);
	g->ns += ns;
	g->slept_ns += ns;
}

static void throttle(void *ctx, unsigned int pct)
{
	struct guest *g = ctx;

	/* Only up while pre-copy runs: the caller ends it. */
	assert_true(pct > g->throttle);
	g->throttle = pct;
	g->throttle_calls++;
}

/* Slot 1 at 1 MiB: the even pages hold data, the odd ones zeros. */
static void guest_init(struct guest *g, const unsigned int *plan,
		       unsigned int nr)
{
	uint8_t *ram = calloc(PAGES, PG);
	unsigned int i;

	assert_non_null(ram);
	memset(g, 0, sizeof(*g));
	for (i = 0; i < PAGES; i += 2)
		memset(ram + i * PG + 100, i + 1, 8);
	g->mem[1] = (struct vmctl_mem_region){ .used = true, .gpa = 1 << 20,
					       .size = PAGES * PG, .hva = ram };
	g->plan = plan;
	g->nr_plan = nr;
}

struct sender {
	int fd;
	struct guest *g;
	struct vmctl_migrate_opts opts;
	struct vmctl_migrate_stats st;
	int ret;
};

/* The source's memory part: header-less, from offset 0. */
static void *send_thread(void *arg)
{
	struct sender *s = arg;
	struct snap_out o = { .fd = s->fd, .write = mig_stream_write };
	struct mig_ram ram = { .mem = s->g->mem, .take_dirty = take_dirty,
			       .now = now, .sleep = fake_sleep,
			       .throttle = throttle, .ctx = s->g };

	s->ret = mig_send_precopy(&o, &ram, &s->opts, &s->st);
	s->g->paused = true;
	if (!s->ret)
		s->ret = mig_send_dirty(&o, &ram, &s->st.final_pages);
	if (!s->ret)
		s->ret = snap_put(&o, SNAP_END, 0, 0, NULL, 0, NULL, 0);
	close(s->fd);
	return NULL;
}

/* Send g's RAM through a socketpair into ram, zeroed. */
static void send_into(struct guest *g, struct sender *s, uint8_t *ram)
{
	struct vmctl_mem_region dst[VMCTL_MAX_MEM_SLOTS] = { 0 };
	struct snap_in in = { .size = UINT64_MAX, .read = mig_stream_read };
	struct vmctl_snapshot *state = calloc(1, sizeof(*state));
	uint64_t pos = 0;
	pthread_t t;
	int sv[2];

	assert_non_null(state);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s->fd = sv[0];
	s->g = g;
	dst[1] = g->mem[1];
	dst[1].hva = ram;
	in.fd = sv[1];
	assert_int_equal(pthread_create(&t, NULL, send_thread, s), 0);
	assert_int_equal(mig_recv_sections(&in, &pos, dst, state), 0);
	pthread_join(t, NULL);
	assert_int_equal(s->ret, 0);
	assert_int_equal(state->nr, 1);
	assert_int_equal(state->s[0].h.type, SNAP_END);
	free(state->s[0].data);
	free(state);
	close(sv[1]);
}

/* Send g's RAM into a zeroed copy; compare. */
static void migrate(struct guest *g, struct sender *s)
{
	uint8_t *ram = calloc(PAGES, PG);

	assert_non_null(ram);
	send_into(g, s, ram);
	assert_memory_equal(ram, g->mem[1].hva, PAGES * PG);
	free(ram);
}

static void test_converges(void **state)
{
	static const unsigned int plan[] = { 16, 8, 4, 2, 1 };
	struct sender s = { .opts = { .max_final_pages = 2 } };
	struct guest g;

	(void)state;
	guest_init(&g, plan, 5);
	migrate(&g, &s);
	/* The zero pages stay out of the first copy. */
	assert_int_equal(s.st.round_pages[0], PAGES / 2);
	assert_int_equal(s.st.rounds, 4);
	assert_int_equal(s.st.round_pages[1], 16);
	assert_int_equal(s.st.round_pages[2], 8);
	assert_int_equal(s.st.round_pages[3], 4);
	assert_int_equal(s.st.round_pages[4], 2);
	assert_int_equal(s.st.final_pages, 1);
	free(g.mem[1].hva);
}

/*
 * --max-bandwidth at half the link's page a millisecond: pre-copy's
 * bytes wait for their time (on the fake clock), about 125 ms for the
 * 62 pages of test_converges' rounds instead of the 30 ms of the guest's
 * writes; the same rounds, and no wait once paused (fake_sleep).
 */
static void test_bandwidth(void **state)
{
	static const unsigned int plan[] = { 16, 8, 4, 2, 1 };
	struct sender s = { .opts = { .max_final_pages = 2,
				      .max_bandwidth = PG * 1000 / 2 } };
	struct guest g;
	uint64_t due_ms;

	(void)state;
	guest_init(&g, plan, 5);
	migrate(&g, &s);
	assert_int_equal(s.st.rounds, 4);
	assert_int_equal(s.st.final_pages, 1);
	assert_true(g.slept_ns > 0);
	/* Never ahead of the limit, and held to it (the writes overlap). */
	due_ms = s.st.bytes * 1000 / s.opts.max_bandwidth;
	assert_true(s.st.bytes > 62 * PG);
	assert_true(s.st.elapsed_ms + 1 >= due_ms);
	assert_true(s.st.elapsed_ms <= due_ms + 30);
	free(g.mem[1].hva);
}

/*
 * The balloon takes pages 0-15 (8 of them held data, sent in the first
 * copy) while pre-copy runs: the round that finds them sends their
 * number, not their bytes, and the destination gives them back (not
 * resident after the move: only the other data pages are), as the
 * source did.
 */
static void test_zero_pages(void **state)
{
	static const unsigned int plan[] = { 0 };
	struct sender s = { .opts = { .max_final_pages = 1 } };
	uint8_t *ram = mmap(NULL, PAGES * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char resident[PAGES];
	struct guest g;
	unsigned int i;

	(void)state;
	assert_true(ram != MAP_FAILED);
	guest_init(&g, plan, 1);
	g.balloon = 16;
	send_into(&g, &s, ram);
	assert_int_equal(s.st.round_pages[0], PAGES / 2);
	assert_int_equal(s.st.rounds, 2);
	assert_int_equal(s.st.round_pages[1], 16);
	/*
	 * The first copy's 32 pages, each with its section header, and
	 * less than a page more: a ZEROS section and END.
	 */
	assert_true(s.st.bytes < PAGES / 2 * (PG + 40) + PG);
	assert_int_equal(mincore(ram, PAGES * PG, resident), 0);
	for (i = 0; i < PAGES; i++)
		if ((resident[i] & 1) != (i >= 16 && i % 2 == 0))
			fail_msg("page %u: resident %d", i, resident[i] & 1);
	assert_memory_equal(ram, g.mem[1].hva, PAGES * PG);
	munmap(ram, PAGES * PG);
	free(g.mem[1].hva);
}

static void test_round_cap(void **state)
{
	static const unsigned int plan[] = { 20, 20, 20, 20, 20, 20 };
	struct sender s = { .opts = { .max_rounds = 3,
				      .max_final_pages = 5 } };
	struct guest g;

	(void)state;
	guest_init(&g, plan, 6);
	migrate(&g, &s);
	assert_int_equal(s.st.rounds, 3);
	assert_int_equal(s.st.round_pages[3], 20);
	assert_int_equal(s.st.final_pages, 20);
	free(g.mem[1].hva);
}

static int progress(void *ctx, const struct vmctl_migrate_stats *now)
{
	struct vmctl_migrate_stats *last = ctx;

	/* Each call after a round, with more sent. */
	assert_true(now->bytes > last->bytes);
	assert_true(now->rounds >= last->rounds);
	*last = *now;
	return 0;
}

/* The caller's progress call says stop after the second dirty round. */
static int stop_at_2(void *ctx, const struct vmctl_migrate_stats *now)
{
	(void)ctx;
	return now->rounds == 2;
}

/*
 * The guest paused once a round's pages, at the link's speed, take at
 * most --max-downtime: 16 pages (16 ms), 8, then 4 (4 ms) under 5 ms.
 */
static void test_downtime(void **state)
{
	static const unsigned int plan[] = { 16, 8, 4, 2, 1 };
	struct vmctl_migrate_stats seen = { 0 };
	struct sender s = { .opts = { .max_downtime_ms = 5,
				      .progress = progress,
				      .progress_ctx = &seen } };
	struct guest g;

	(void)state;
	guest_init(&g, plan, 5);
	migrate(&g, &s);
	assert_int_equal(s.st.rounds, 3);
	assert_int_equal(s.st.round_pages[3], 4);
	assert_int_equal(s.st.final_pages, 2);
	/* 4 pages of 4 KiB and their 4 section headers in 4 ms. */
	assert_int_equal(s.st.bandwidth, 4 * (PG + 40) * 1000 / 4);
	assert_int_equal(s.st.expected_downtime_us, 4 * PG * 4000 / (4 * (PG + 40)));
	/* 4 pages found after 8 were sent in 8 ms. */
	assert_int_equal(s.st.dirty_rate, 4 * PG * 1000 / 8);
	assert_int_equal(s.st.remaining_pages, 4);
	/* Shrinking by half each round: never slowed down. */
	assert_int_equal(g.throttle_calls, 0);
	assert_int_equal(seen.rounds, 3);
	assert_int_equal(seen.expected_downtime_us,
			 s.st.expected_downtime_us);
	free(g.mem[1].hva);
}

/*
 * 40 pages a round (40 ms) while 5 ms is asked: only slowed down does
 * the guest fit, 20% first, then 10% more a round: at 90% it writes 4.
 */
static void test_auto_converge(void **state)
{
	struct sender s = { .opts = { .max_downtime_ms = 5 } };
	struct guest g;

	(void)state;
	guest_init(&g, NULL, 0);
	g.steady = 40;
	migrate(&g, &s);
	assert_int_equal(g.throttle, 90);
	assert_int_equal(g.throttle_calls, 8);
	assert_int_equal(s.st.max_throttle_pct, 90);
	assert_int_equal(s.st.rounds, 9);
	assert_int_equal(s.st.round_pages[1], 40);
	assert_int_equal(s.st.round_pages[2], 32);
	assert_int_equal(s.st.round_pages[9], 4);
	free(g.mem[1].hva);
}

/* The throttle stops at 99%. */
static void test_throttle_cap(void **state)
{
	struct mig_policy p;
	unsigned int i;

	(void)state;
	mig_policy_init(&p, &(struct vmctl_migrate_opts){ .max_downtime_ms = 1 },
			0);
	assert_int_equal(mig_policy_round(&p, 64, 64 * PG, 64 * PAGE_NS, 0),
			 MIG_NEXT_ROUND);
	assert_int_equal(p.throttle, 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(mig_policy_round(&p, 64, 64 * PG,
						  64 * PAGE_NS, 0),
				 MIG_NEXT_ROUND);
	assert_int_equal(p.throttle, 99);
	/* A round of nothing: the pause foreseen is none. */
	assert_int_equal(mig_policy_round(&p, 0, 0, PAGE_NS, 0),
			 MIG_SWITCH_OVER);
	/* Past the timeout, a round that does not fit gives up. */
	mig_policy_init(&p, &(struct vmctl_migrate_opts){ .timeout_s = 2 },
			1);
	assert_int_equal(mig_policy_round(&p, 1, PG, 1, 2000000001ULL),
			 MIG_GIVE_UP);
}

/* The destination's end of a stream nobody checks: read to its end. */
static void *drain(void *arg)
{
	static char buf[64 << 10];

	while (read(*(int *)arg, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

/*
 * Without auto-converge that guest never fits: pre-copy gives up at
 * the timeout, saying so, and the destination sees the stream end.
 */
static void test_timeout(void **state)
{
	struct snap_out o = { .write = mig_stream_write };
	struct sender s = { .opts = { .max_downtime_ms = 5, .timeout_s = 1,
				      .no_auto_converge = 1 } };
	struct guest g;
	struct mig_ram ram = { .take_dirty = take_dirty, .now = now,
			       .throttle = throttle };
	pthread_t t;
	int sv[2];

	(void)state;
	guest_init(&g, NULL, 0);
	g.steady = 40;
	ram.mem = g.mem;
	ram.ctx = &g;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	o.fd = sv[0];
	assert_int_equal(pthread_create(&t, NULL, drain, &sv[1]), 0);
	assert_int_equal(mig_send_precopy(&o, &ram, &s.opts, &s.st),
			 -ETIMEDOUT);
	assert_non_null(strstr(vmctl_error_detail(),
			       "did not converge in time"));
	/* 40 ms a round: the 25th ends at 1 s. */
	assert_int_equal(s.st.rounds, 25);
	assert_int_equal(g.throttle_calls, 0);

	/* Cancelled by the caller: at once, saying so. */
	s.opts = (struct vmctl_migrate_opts){ .max_downtime_ms = 5,
					      .progress = stop_at_2 };
	s.st = (struct vmctl_migrate_stats){ 0 };
	assert_int_equal(mig_send_precopy(&o, &ram, &s.opts, &s.st),
			 -ECANCELED);
	assert_string_equal(vmctl_error_detail(), "migration cancelled");
	assert_int_equal(s.st.rounds, 2);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
	free(g.mem[1].hva);
}

/* A stream made in memory (o first), fed to a socket by a thread. */
struct buf {
	struct snap_out o;
	uint8_t *b;
	size_t len;
	int fd;
};

static int buf_write(struct snap_out *o, const void *p, size_t len,
		     uint64_t off)
{
	struct buf *b = (struct buf *)o;

	b->b = realloc(b->b, off + len);
	if (off > b->len)
		memset(b->b + b->len, 0, off - b->len);
	memcpy(b->b + off, p, len);
	b->len = off + len;
	return 0;
}

static void *feed_thread(void *arg)
{
	struct buf *b = arg;

	if (b->len)
		assert_int_equal(write(b->fd, b->b, b->len), b->len);
	close(b->fd);
	return NULL;
}

/* mig_recv_sections on len bytes of b, from pos 0: its error. */
static int receive(const struct buf *b, size_t len, const char **why)
{
	struct vmctl_mem_region dst[VMCTL_MAX_MEM_SLOTS] = { 0 };
	struct snap_in in = { .size = UINT64_MAX, .read = mig_stream_read };
	struct vmctl_snapshot *state = calloc(1, sizeof(*state));
	struct buf feed = { .b = b->b, .len = len };
	uint64_t pos = 0;
	unsigned int i;
	pthread_t t;
	int sv[2], ret;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	feed.fd = sv[0];
	in.fd = sv[1];
	dst[0] = (struct vmctl_mem_region){ .used = true, .size = 4 * PG,
					    .hva = calloc(4, PG) };
	assert_int_equal(pthread_create(&t, NULL, feed_thread, &feed), 0);
	ret = mig_recv_sections(&in, &pos, dst, state);
	*why = vmctl_error_detail();
	pthread_join(t, NULL);
	close(sv[1]);
	for (i = 0; i < state->nr; i++)
		free(state->s[i].data);
	free(state);
	free(dst[0].hva);
	return ret;
}

static void refused(const struct buf *b, size_t len, const char *text)
{
	const char *why;

	assert_int_equal(receive(b, len, &why), -EPROTO);
	if (!strstr(why, text))
		fail_msg("'%s' does not say '%s'", why, text);
}

/* Two pages at gpa into slot 0, a clock, END. */
static void make(struct buf *b, uint64_t gpa)
{
	static uint8_t pages[2 * PG] = { 7 };
	uint64_t clock = 42;

	memset(b, 0, sizeof(*b));
	b->o.write = buf_write;
	snap_put(&b->o, SNAP_PAGES, 0, gpa, pages, sizeof(pages), NULL, 0);
	snap_put(&b->o, SNAP_CLOCK, 0, 0, &clock, sizeof(clock), NULL, 0);
	snap_put(&b->o, SNAP_END, 0, 0, NULL, 0, NULL, 0);
}

/* n zero pages at gpa into slot 0 (a payload of size bytes), END. */
static void zeros(struct buf *b, uint64_t gpa, uint64_t n, size_t size)
{
	memset(b, 0, sizeof(*b));
	b->o.write = buf_write;
	snap_put(&b->o, SNAP_ZEROS, 0, gpa, &n, size, NULL, 0);
	snap_put(&b->o, SNAP_END, 0, 0, NULL, 0, NULL, 0);
}

static void test_bad_stream(void **state)
{
	struct buf b;
	const char *why;
	size_t cut;

	(void)state;
	make(&b, PG);
	assert_int_equal(receive(&b, b.len, &why), 0);
	for (cut = 0; cut < b.len; cut += 8)
		refused(&b, cut, "truncated");
	b.b[40 + PG + 5] ^= 1;			/* in the pages */
	refused(&b, b.len, "corrupt (CRC)");
	b.b[40 + PG + 5] ^= 1;
	b.b[8] ^= 1;				/* the section's arg */
	refused(&b, b.len, "corrupt (CRC)");
	free(b.b);
	make(&b, 3 * PG);			/* runs past the slot */
	refused(&b, b.len, "not in this VM's RAM");
	free(b.b);
	make(&b, 1ULL << 40);
	refused(&b, b.len, "not in this VM's RAM");
	free(b.b);
	zeros(&b, 0, 4, sizeof(uint64_t));
	assert_int_equal(receive(&b, b.len, &why), 0);
	free(b.b);
	zeros(&b, PG, 4, sizeof(uint64_t));	/* runs past the slot */
	refused(&b, b.len, "not in this VM's RAM");
	free(b.b);
	zeros(&b, 0, 0, sizeof(uint64_t));
	refused(&b, b.len, "not in this VM's RAM");
	free(b.b);
	zeros(&b, 0, ~0ULL, sizeof(uint64_t));
	refused(&b, b.len, "not in this VM's RAM");
	free(b.b);
	zeros(&b, 0, 1, 4);			/* not a count */
	refused(&b, b.len, "not in this VM's RAM");
	free(b.b);
}

/* The destination's handshake: another magic or version refused. */
static void test_incoming_header(void **state)
{
	struct snap_header h = { .magic = MIG_MAGIC, .version = MIG_VERSION };
	struct vmctl_incoming *inc;
	struct mig_reply r;
	int sv[2];

	(void)state;
	h.version = 2;
	h.crc = vmctl_crc32(0, &h, sizeof(h));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(vmctl_incoming_open(sv[1], &inc), -EPROTO);
	assert_non_null(strstr(vmctl_error_detail(),
			       "version 2; this vmctl takes version 1"));
	/* The source hears why. */
	assert_int_equal(read(sv[0], &r, sizeof(r)), sizeof(r));
	assert_int_equal(r.status, -EPROTO);
	assert_non_null(strstr(r.message, "version 2"));
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "VMCTLSNP", 8), 8);
	close(sv[0]);
	assert_int_equal(vmctl_incoming_open(sv[1], &inc), -EPROTO);
	assert_non_null(strstr(vmctl_error_detail(), "truncated"));
	close(sv[1]);
}

/* The destination hung up: EPIPE, and this process lives on. */
static void test_peer_gone(void **state)
{
	static const unsigned int plan[] = { 1 };
	struct vmctl_migrate_opts opts = { 0 };
	struct vmctl_migrate_stats st;
	struct guest g;
	struct snap_out o = { .write = mig_stream_write };
	struct mig_ram ram = { .take_dirty = take_dirty, .now = now };
	int sv[2];

	(void)state;
	guest_init(&g, plan, 1);
	ram.mem = g.mem;
	ram.ctx = &g;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	o.fd = sv[0];
	assert_int_equal(mig_send_precopy(&o, &ram, &opts, &st), -EPIPE);
	assert_non_null(strstr(vmctl_error_detail(),
			       "sending the migration stream"));
	close(sv[0]);
	free(g.mem[1].hva);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converges),
		cmocka_unit_test(test_bandwidth),
		cmocka_unit_test(test_zero_pages),
		cmocka_unit_test(test_round_cap),
		cmocka_unit_test(test_downtime),
		cmocka_unit_test(test_auto_converge),
		cmocka_unit_test(test_throttle_cap),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_bad_stream),
		cmocka_unit_test(test_incoming_header),
		cmocka_unit_test(test_peer_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
