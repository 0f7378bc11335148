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
#include <sys/socket.h>
#include <sys/time.h>

#include "migrate.h"

#define DEFAULT_ROUNDS		16
#define DEFAULT_FINAL_PAGES	256

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

static bool bit(const uint64_t *bitmap, uint64_t i)
{
	return bitmap[i / 64] >> (i % 64) & 1;
}

/*
 * The pages of slot that bitmap marks, or, bitmap NULL, every page that
 * is not zeros, in runs; their number added to *pages.
 */
static int send_slot(struct snap_out *o, unsigned int slot,
		     const struct vmctl_mem_region *m, const uint64_t *bitmap,
		     uint8_t *buf, uint64_t *pages)
{
	uint64_t nr = m->size / SNAP_PAGE, i, n;
	const uint8_t *mem = m->hva;
	int ret = 0;

	for (i = 0; i < nr && !ret; i += n) {
		for (n = 0; i + n < nr && n < MIG_RUN_PAGES; n++)
			if (bitmap ? !bit(bitmap, i + n) :
				     snap_zero_page(mem + (i + n) * SNAP_PAGE))
				break;
		if (n) {
			ret = send_run(o, slot, m, i, n, buf);
			*pages += n;
		} else {
			n = 1;
		}
	}
	return ret;
}

/* Every slot: its dirty pages (take_dirty), or bitmap-less all of it. */
static int send_slots(struct snap_out *o, const struct mig_ram *ram,
		      bool dirty, uint64_t *pages)
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
			ret = send_slot(o, slot, m, bitmap, buf, pages);
	}
	free(bitmap);
	free(buf);
	return ret;
}

int mig_send_dirty(struct snap_out *o, const struct mig_ram *ram,
		   uint64_t *pages)
{
	return send_slots(o, ram, true, pages);
}

int mig_send_precopy(struct snap_out *o, const struct mig_ram *ram,
		     const struct vmctl_migrate_opts *opts,
		     struct vmctl_migrate_stats *stats)
{
	unsigned int rounds = opts->max_rounds ? opts->max_rounds :
			      DEFAULT_ROUNDS;
	uint64_t final = opts->max_final_pages ? opts->max_final_pages :
			 DEFAULT_FINAL_PAGES;
	int ret;

	if (rounds > VMCTL_MIGRATE_MAX_ROUNDS)
		rounds = VMCTL_MIGRATE_MAX_ROUNDS;
	ret = send_slots(o, ram, false, &stats->round_pages[0]);
	for (stats->rounds = 0; !ret && stats->rounds < rounds;) {
		uint64_t *n = &stats->round_pages[++stats->rounds];

		ret = mig_send_dirty(o, ram, n);
		if (*n <= final)
			break;
	}
	return ret;
}

/* A PAGES section into the slot it names, when it lies inside it. */
static int put_pages(const struct snap_data *sec,
		     const struct vmctl_mem_region *mem)
{
	const struct vmctl_mem_region *m = sec->h.index < VMCTL_MAX_MEM_SLOTS ?
					   &mem[sec->h.index] : NULL;

	if (!m || !m->used || !sec->h.size || sec->h.size % SNAP_PAGE ||
	    sec->h.size > MIG_RUN_PAGES * SNAP_PAGE || sec->h.arg % SNAP_PAGE ||
	    sec->h.arg < m->gpa || sec->h.arg - m->gpa > m->size ||
	    sec->h.size > m->size - (sec->h.arg - m->gpa))
		return vmctl_fail(-EPROTO,
				  "pages at 0x%llx (%llu bytes) are not in this VM's RAM",
				  (unsigned long long)sec->h.arg,
				  (unsigned long long)sec->h.size);
	memcpy((uint8_t *)m->hva + (sec->h.arg - m->gpa), sec->data,
	       sec->h.size);
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
			ret = put_pages(&sec, mem);
			free(sec.data);
			if (ret)
				return ret;
			continue;
		case SNAP_CLOCK:
		case SNAP_VCPU:
		case SNAP_IOAPIC:
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
