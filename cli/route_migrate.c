// SPDX-License-Identifier: GPL-2.0
/*
 * PUT /vmctl/migrate {"destination_url": "[tcp:]HOST:PORT",
 * "max_downtime_ms", "timeout_s", "auto_converge", "max_rounds",
 * "max_final_pages", "max_bandwidth", "progress"}: live migration of this VM to a `vmctl
 * run --incoming` there (libvmctl's vmctl_vm_migrate()).  With
 * "progress": true, a "102 Processing" interim answer after each round
 * (and each second of a long one) carries a Vmctl-Progress line for
 * `vmctl migrate` to print: the control socket serves nothing else while
 * the migration runs, so the progress comes on the request's own
 * connection.
 * Firecracker has no migration; the field is Cloud Hypervisor's
 * (vm.send-migration).  The request is answered once it is over: 200
 * with what was sent, and this `vmctl run` then ends with status 0 (the
 * guest runs there); or an error, and the VM runs on here.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "json_in.h"
#include "run_config.h"
#include "tcp.h"
#include "vmctl.h"

static void report(FILE *f, const struct vmctl_migrate_stats *st)
{
	unsigned int i;

	fprintf(f, "{\"rounds\":%u,\"round_pages\":[", st->rounds);
	for (i = 0; i <= st->rounds && i <= VMCTL_MIGRATE_MAX_ROUNDS; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", st->round_pages[i]);
	fprintf(f, "],\"final_pages\":%" PRIu64 ",\"bytes\":%" PRIu64
		",\"total_ms\":%" PRIu64 ",\"downtime_ms\":%" PRIu64
		".%03u,\"expected_downtime_ms\":%" PRIu64 ".%03u"
		",\"max_throttle_pct\":%u}",
		st->final_pages, st->bytes, st->elapsed_ms,
		st->downtime_us / 1000, (unsigned int)(st->downtime_us % 1000),
		st->expected_downtime_us / 1000,
		(unsigned int)(st->expected_downtime_us % 1000),
		st->max_throttle_pct);
}

#define MIB(bytes)	((double)(bytes) / (1 << 20))

/*
 * libvmctl's progress call: one interim answer.  A client that has gone
 * (vmctl migrate interrupted) cancels the migration, as QEMU's
 * migrate_cancel does.
 */
static int progress(void *ctx, const struct vmctl_migrate_stats *st)
{
	struct control_reply *reply = ctx;
	char line[256], round[32] = "first copy";

	if (st->rounds)
		snprintf(round, sizeof(round), "round %u", st->rounds);
	snprintf(line, sizeof(line),
		 "migrate: %s: %.1f MiB sent, %.1f MiB to go, dirtying %.1f MiB/s, link %.1f MiB/s, downtime foreseen %" PRIu64 " ms, throttle %u%%, %" PRIu64 " s",
		 round,
		 MIB(st->bytes), MIB(st->remaining_pages * 4096),
		 MIB(st->dirty_rate), MIB(st->bandwidth),
		 st->expected_downtime_us / 1000, st->throttle_pct,
		 st->elapsed_ms / 1000);
	return !reply->progress(reply, line);
}

static int migrate(struct control_vm *cv, const char *url,
		   const struct vmctl_migrate_opts *opts,
		   struct control_reply *reply)
{
	struct vmctl_migrate_stats st;
	const char *why;
	char *config;
	size_t len;
	int fd, ret;

	if (run_config_format(cv->opts, &config, &len))
		return control_fault(reply, 400,
				     "the VM's options cannot travel (a newline in a value)");
	fd = tcp_connect(url, &why);
	if (fd < 0) {
		free(config);
		return control_fault(reply, fd == -EINVAL ? 400 : 502,
				     "%s: %s", url, why);
	}
	ret = vmctl_vm_migrate(cv->vm, fd, config, len, opts, &st);
	close(fd);
	free(config);
	if (ret == -ESRCH)
		return control_fault(reply, 409, "the VM is ending");
	if (ret)
		return control_fault(reply, 500, "%s", vmctl_error_detail());
	/* The guest runs there now: this one ends (cmd_run.c). */
	cv->migrated = true;
	vmctl_vm_stop(cv->vm);
	report(reply->body, &st);
	return 200;
}

/* An optional unsigned field of at most max into *out (0 when absent). */
static int get_uint(const struct http_request *req, const char *key,
		    uint64_t max, const char *what, uint64_t *out,
		    struct control_reply *reply)
{
	int ret = json_get_u64(req->body, req->body_len, key, out);

	if (ret == -ENOENT) {
		*out = 0;
		return 0;
	}
	if (ret || *out > max)
		return control_fault(reply, 400,
				     "PUT /vmctl/migrate: \"%s\" must be %s",
				     key, what);
	return 0;
}

/* An optional boolean field into *out (left as it is when absent). */
static int get_bool(const struct http_request *req, const char *key,
		    bool *out, struct control_reply *reply)
{
	int ret = json_get_bool(req->body, req->body_len, key, out);

	if (ret && ret != -ENOENT)
		return control_fault(reply, 400,
				     "PUT /vmctl/migrate: \"%s\" must be true or false",
				     key);
	return 0;
}

int route_migrate(struct control_vm *cv, const struct http_request *req,
		  struct control_reply *reply)
{
	static const char *const fields[] = {
		"destination_url", "max_downtime_ms", "timeout_s",
		"auto_converge", "max_rounds", "max_final_pages", "progress",
		"max_bandwidth", NULL
	};
	struct vmctl_migrate_opts opts = { 0 };
	uint64_t rounds, pages, downtime, timeout, bandwidth;
	bool converge = true, tell = false;
	char url[300];
	int ret;

	if (strcmp(req->path, "/vmctl/migrate"))
		return control_fault(reply, 404, "no route %s", req->path);
	if (strcmp(req->method, "PUT"))
		return control_fault(reply, 405, "%s %s: PUT only",
				     req->method, req->path);
	ret = control_check_body(req, fields, reply);
	if (ret)
		return ret;
	if (json_get_string(req->body, req->body_len, "destination_url", url,
			    sizeof(url)))
		return control_fault(reply, 400,
				     "PUT /vmctl/migrate: \"destination_url\" must be \"tcp:HOST:PORT\"");
	ret = get_uint(req, "max_rounds", VMCTL_MIGRATE_MAX_ROUNDS,
		       "0 to 64", &rounds, reply);
	if (!ret)
		ret = get_uint(req, "max_final_pages", UINT64_MAX,
			       "a number of pages", &pages, reply);
	if (!ret)
		ret = get_uint(req, "max_downtime_ms", UINT_MAX,
			       "a number of milliseconds", &downtime, reply);
	if (!ret)
		ret = get_uint(req, "timeout_s", UINT_MAX,
			       "a number of seconds", &timeout, reply);
	if (!ret)
		ret = get_uint(req, "max_bandwidth", UINT64_MAX,
			       "a number of bytes a second", &bandwidth, reply);
	if (!ret)
		ret = get_bool(req, "auto_converge", &converge, reply);
	if (!ret)
		ret = get_bool(req, "progress", &tell, reply);
	if (ret)
		return ret;
	opts = (struct vmctl_migrate_opts){
		.max_rounds = rounds, .max_final_pages = pages,
		.max_downtime_ms = downtime, .timeout_s = timeout,
		.no_auto_converge = !converge, .max_bandwidth = bandwidth,
	};
	if (tell && reply->progress) {
		opts.progress = progress;
		opts.progress_ctx = reply;
	}
	return migrate(cv, url, &opts, reply);
}
