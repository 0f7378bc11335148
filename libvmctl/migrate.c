// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live migration of a VM (the stream: migrate.h).  The source logs
 * every slot's dirty pages while pre-copy runs (migrate_pages.c), pauses
 * for the last pages and the state, and hands over only on the
 * destination's DONE: until then every failure puts its VM back as it
 * was.  The destination makes its VM from the config, receives the RAM
 * into it and loads the state as a snapshot restore does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "device.h"
#include "migrate.h"

struct vmctl_incoming {
	struct snap_in in;
	uint64_t pos;
	struct snap_data config;
	bool replied;		/* a final reply (refusal or DONE) sent */
	struct vmctl_snapshot state;
};

static void reply_crc(struct mig_reply *r)
{
	r->crc = 0;
	r->crc = vmctl_crc32(0, r, sizeof(*r));
}

static int send_reply(int fd, enum mig_reply_kind kind, int status,
		      const char *why)
{
	struct mig_reply r = { .magic = MIG_REPLY_MAGIC, .kind = kind,
			       .status = status };
	struct snap_out o = { .fd = fd };

	snprintf(r.message, sizeof(r.message), "%s", why ? why : "");
	reply_crc(&r);
	return mig_stream_write(&o, &r, sizeof(r), 0);
}

/* The destination's reply of kind: 0, or why it is not a yes. */
static int wait_reply(int fd, enum mig_reply_kind kind)
{
	struct snap_in in = { .fd = fd, .size = UINT64_MAX };
	struct mig_reply r;
	uint32_t crc;
	int ret;

	ret = mig_stream_read(&in, &r, sizeof(r), 0);
	if (ret == -EPROTO)
		return vmctl_fail(-ECONNRESET,
				  "the destination closed the connection");
	if (ret)
		return ret;
	crc = r.crc;
	reply_crc(&r);
	if (memcmp(r.magic, MIG_REPLY_MAGIC, 8) || r.crc != crc)
		return vmctl_fail(-EPROTO, "the destination is not vmctl");
	r.message[sizeof(r.message) - 1] = '\0';
	/* A refusal comes whenever the destination gives up. */
	if (r.status < 0)
		return vmctl_fail(r.status, "the destination refused: %s",
				  r.message);
	if (r.kind != kind || r.status)
		return vmctl_fail(-EPROTO,
				  "the destination answered out of turn");
	return 0;
}

/*
 * The source's take_dirty: the module's log, got then cleared, and the
 * pages the devices' threads wrote (dirty.c), which it does not see.
 */
static int take_dirty(void *ctx, unsigned int slot, uint64_t pages,
		      uint64_t *bitmap)
{
	struct vmctl_vm *vm = ctx;
	int ret;

	ret = vmctl_vm_get_dirty_log(vm, slot, 0, pages, bitmap);
	if (!ret)
		ret = vmctl_vm_clear_dirty_log(vm, slot, 0, pages, bitmap);
	if (ret)
		return vmctl_fail(ret, "the dirty log of slot %u: %s", slot,
				  strerror(-ret));
	vmctl_vm_user_dirty_take(vm, slot, bitmap);
	return 0;
}

static uint64_t now_ns(void *ctx)
{
	struct timespec t;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void sleep_ns(void *ctx, uint64_t ns)
{
	struct timespec t = { .tv_sec = ns / 1000000000ULL,
			      .tv_nsec = ns % 1000000000ULL };

	(void)ctx;
	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* Auto-converge (throttle.c); one that cannot start slows nothing. */
static void throttle(void *ctx, unsigned int pct)
{
	if (vmctl_vm_throttle(ctx, pct))
		vmctl_log("cannot slow the vCPUs down to converge");
}

static void log_dirty_off(struct vmctl_vm *vm)
{
	unsigned int i;

	vmctl_vm_user_dirty_stop(vm);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		if (vm->mem[i].used)
			vmctl_vm_log_dirty(vm, i, 0);
}

static int check_devices(struct vmctl_vm *vm)
{
	struct vmctl_device *dev;

	for (dev = vm->devices.first; dev; dev = dev->next)
		if (!dev->ops->save)
			return vmctl_fail(-EOPNOTSUPP,
					  "the %s device cannot migrate: its state cannot be saved",
					  dev->ops->name);
	return 0;
}

/* Every device's hand_over; out false undoes what out true did. */
static int hand_over(struct vmctl_vm *vm, bool out)
{
	struct vmctl_device *dev;
	int ret = 0;

	for (dev = vm->devices.first; dev && !ret; dev = dev->next)
		if (dev->ops->hand_over)
			ret = dev->ops->hand_over(dev, out);
	return ret;
}

/* Everything but the last reply; *paused: this paused the guest. */
static int send_vm(struct vmctl_vm *vm, struct snap_out *o,
		   const void *config, size_t config_len,
		   const struct vmctl_migrate_opts *opts,
		   struct vmctl_migrate_stats *st, bool *paused,
		   uint64_t *paused_ns)
{
	struct snap_header h = { .magic = MIG_MAGIC, .version = MIG_VERSION };
	struct mig_ram ram = { .mem = vm->mem, .take_dirty = take_dirty,
			       .now = now_ns, .sleep = sleep_ns,
			       .throttle = throttle,
			       .ctx = vm };
	unsigned int i;
	int ret;

	h.crc = vmctl_crc32(0, &h, sizeof(h));
	ret = o->write(o, &h, sizeof(h), 0);
	if (!ret)
		ret = snap_put(o, SNAP_CONFIG, 0, 0, config, config_len, NULL,
			       0);
	if (!ret)
		ret = wait_reply(o->fd, MIG_READY);
	/* Logging from before the first copy: nothing written is missed. */
	if (!ret)
		ret = vmctl_vm_user_dirty_start(vm);
	for (i = 0; !ret && i < VMCTL_MAX_MEM_SLOTS; i++)
		if (vm->mem[i].used)
			ret = vmctl_vm_log_dirty(vm, i, 1);
	if (!ret)
		ret = mig_send_precopy(o, &ram, opts, st);
	/* The guest's full speed back, whatever comes next. */
	vmctl_vm_throttle(vm, 0);
	st->throttle_pct = 0;
	/*
	 * The pause stops the devices' threads once each has finished the
	 * request it serves: none is left in flight, and what they wrote
	 * is in the userspace log.
	 */
	if (!ret && !vmctl_vm_paused(vm)) {
		ret = vmctl_vm_pause(vm);
		*paused = !ret;
	}
	if (!ret) {
		st->pause_tsc = __rdtsc();
		*paused_ns = now_ns(NULL);
		ret = snap_put_state(o, vm);
	}
	/*
	 * The last pages after the state: reading a vCPU's state completes
	 * the exit it took, which may write guest RAM.
	 */
	if (!ret)
		ret = mig_send_dirty(o, &ram, &st->final_pages);
	/* The destination locks the disks when END has come. */
	if (!ret)
		ret = hand_over(vm, true);
	if (!ret)
		ret = snap_put(o, SNAP_END, 0, 0, NULL, 0, NULL, 0);
	return ret;
}

int vmctl_vm_migrate(struct vmctl_vm *vm, int fd, const void *config,
		     size_t config_len, const struct vmctl_migrate_opts *opts,
		     struct vmctl_migrate_stats *stats)
{
	struct snap_out o = { .fd = fd, .pos = sizeof(struct snap_header),
			      .write = mig_stream_write };
	struct vmctl_migrate_opts no_opts = { 0 };
	struct vmctl_migrate_stats st = { 0 };
	char why[sizeof(((struct mig_reply *)0)->message) + 64];
	uint64_t start = now_ns(NULL), paused_ns = 0;
	bool paused = false;
	int ret;

	vmctl_clear_detail();
	if (!vm->running)
		return vmctl_fail(-ESRCH, "the VM is not running");
	if (config_len > SNAP_MAX_STATE)
		return -EINVAL;
	ret = check_devices(vm);
	mig_stream_timeouts(fd);
	if (!ret)
		ret = send_vm(vm, &o, config, config_len, opts ? opts : &no_opts,
			      &st, &paused, &paused_ns);
	if (!ret)
		ret = wait_reply(fd, MIG_DONE);
	if (paused_ns)
		st.downtime_us = (now_ns(NULL) - paused_ns) / 1000;
	st.elapsed_ms = (now_ns(NULL) - start) / 1000000;
	st.bytes = o.done;
	if (stats)
		*stats = st;
	snprintf(why, sizeof(why), "%s", vmctl_error_detail());
	/* The destination may have said why it dropped the stream. */
	if ((ret == -EPIPE || ret == -ECONNRESET) &&
	    wait_reply(fd, MIG_READY) != -EPROTO)
		snprintf(why, sizeof(why), "%s", vmctl_error_detail());
	/* These clear the detail: why holds it. */
	log_dirty_off(vm);
	if (!ret)
		return 0;
	hand_over(vm, false);
	if (paused)
		vmctl_vm_resume(vm);
	vmctl_fail(ret, "%s; the VM stays here", why);
	return ret;
}

static const struct snap_format stream_format = {
	.magic = MIG_MAGIC,
	.version = MIG_VERSION,
	.not_magic = "not a vmctl migration stream",
	.version_name = "migration stream version",
	.verb = "takes",
	.bad_crc = "the migration stream's header is corrupt",
	.corrupt = "the migration stream's header is corrupt",
};

int vmctl_incoming_open(int fd, struct vmctl_incoming **out)
{
	struct vmctl_incoming *inc = calloc(1, sizeof(*inc));
	struct snap_header h;
	int ret;

	vmctl_clear_detail();
	if (!inc)
		return -ENOMEM;
	inc->in = (struct snap_in){ .fd = fd, .size = UINT64_MAX,
				    .read = mig_stream_read };
	inc->pos = sizeof(h);
	mig_stream_timeouts(fd);
	ret = mig_stream_error(mig_stream_read(&inc->in, &h, sizeof(h), 0));
	if (!ret)
		ret = snap_check_header(&h, &stream_format);
	if (!ret)
		ret = mig_stream_error(snap_read_section(&inc->in, &inc->config,
						     &inc->pos));
	if (!ret && inc->config.h.type != SNAP_CONFIG)
		ret = vmctl_fail(-EPROTO,
				 "the migration stream is corrupt (no config first)");
	if (ret) {
		if (ret == -EPROTO)
			vmctl_incoming_refuse(inc, ret, vmctl_error_detail());
		vmctl_incoming_close(inc);
		return ret;
	}
	*out = inc;
	return 0;
}

const void *vmctl_incoming_config(const struct vmctl_incoming *in,
				  size_t *len)
{
	*len = in->config.h.size;
	return in->config.data;
}

void vmctl_incoming_refuse(struct vmctl_incoming *in, int err,
			   const char *why)
{
	char keep[256];

	if (in->replied)
		return;
	in->replied = true;
	/* Best effort, and the caller's detail kept: the source may be gone. */
	snprintf(keep, sizeof(keep), "%s", vmctl_error_detail());
	send_reply(in->in.fd, MIG_READY, err < 0 ? err : -EINVAL, why);
	vmctl_fail(0, "%s", keep);
}

int vmctl_incoming_receive(struct vmctl_incoming *in, struct vmctl_vm *vm)
{
	char why[sizeof(((struct mig_reply *)0)->message)];
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	ret = send_reply(in->in.fd, MIG_READY, 0, NULL);
	if (!ret)
		ret = mig_recv_sections(&in->in, &in->pos, vm->mem, &in->state);
	if (!ret)
		ret = snap_restore(&in->state, vm, false);
	if (!ret) {
		in->replied = true;
		return send_reply(in->in.fd, MIG_DONE, 0, NULL);
	}
	snprintf(why, sizeof(why), "%s", vmctl_error_detail());
	vmctl_incoming_refuse(in, ret, why);
	return ret;
}

void vmctl_incoming_close(struct vmctl_incoming *in)
{
	unsigned int i;

	if (!in)
		return;
	for (i = 0; i < in->state.nr; i++)
		free(in->state.s[i].data);
	free(in->config.data);
	free(in);
}
