// SPDX-License-Identifier: GPL-2.0
/*
 * /balloon: Firecracker's balloon API on the VM's virtio-balloon (vmctl
 * run --balloon; libvmctl's vmctl_vm_balloon_*):
 *   PATCH /balloon {"amount_mib": N}      the balloon's size: 204
 *   GET /balloon                          {"amount_mib", "deflate_on_oom",
 *                                          "stats_polling_interval_s"}
 *   GET /balloon/statistics               sizes asked and held (pages and
 *                                          MiB), the guest's figures
 * PUT /balloon, which adds one before boot, is refused: `vmctl run
 * --balloon` did that, and a VM without a balloon answers 400.  The
 * statistics are those the driver sent after the previous read (reading
 * asks it for fresh ones), not polled at an interval: 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "control.h"
#include "json_in.h"
#include "vmctl.h"

static int no_balloon(struct control_reply *reply)
{
	return control_fault(reply, 400,
			     "the VM has no balloon (vmctl run --balloon)");
}

static int patch(struct control_vm *cv, const struct http_request *req,
		 struct control_reply *reply)
{
	static const char *const fields[] = { "amount_mib", NULL };
	uint64_t mib;
	int ret;

	ret = control_check_body(req, fields, reply);
	if (ret)
		return ret;
	if (json_get_u64(req->body, req->body_len, "amount_mib", &mib) ||
	    mib > UINT64_MAX >> 20)
		return control_fault(reply, 400,
				     "PATCH /balloon: \"amount_mib\" must be a number of MiB");
	ret = vmctl_vm_balloon_set(cv->vm, mib << 20);
	if (ret == -ENODEV)
		return no_balloon(reply);
	if (ret)
		return control_fault(reply, 400,
				     "PATCH /balloon: %" PRIu64 " MiB is more than the VM's RAM",
				     mib);
	return 204;
}

int route_balloon(struct control_vm *cv, const struct http_request *req,
		  struct control_reply *reply)
{
	bool stats = !strcmp(req->path, "/balloon/statistics");
	struct vmctl_balloon_info info;

	if (!stats && strcmp(req->path, "/balloon"))
		return control_fault(reply, 404, "no route %s", req->path);
	if (!stats && !strcmp(req->method, "PATCH"))
		return patch(cv, req, reply);
	if (strcmp(req->method, "GET"))
		return control_fault(reply, 405, "%s %s: %s", req->method,
				     req->path, stats ? "GET only" :
				     "GET or PATCH (vmctl run --balloon adds the device)");
	if (vmctl_vm_balloon_info(cv->vm, &info))
		return no_balloon(reply);
	if (!stats) {
		fprintf(reply->body,
			"{\"amount_mib\":%" PRIu64 ",\"deflate_on_oom\":%s,\"stats_polling_interval_s\":0}",
			info.target >> 20,
			cv->opts->balloon.no_deflate_on_oom ? "false" : "true");
		return 200;
	}
	fprintf(reply->body,
		"{\"target_pages\":%" PRIu64 ",\"actual_pages\":%" PRIu64
		",\"target_mib\":%" PRIu64 ",\"actual_mib\":%" PRIu64
		",\"free_memory\":%" PRIu64 ",\"total_memory\":%" PRIu64
		",\"available_memory\":%" PRIu64 "}",
		info.target >> 12, info.actual >> 12, info.target >> 20,
		info.actual >> 20, info.guest_free, info.guest_total,
		info.guest_available);
	return 200;
}
