// SPDX-License-Identifier: GPL-2.0
/*
 * GET /vmctl/device-counters: the device models' counters, for vmctl
 * stats, one line each, "DEVICE<TAB>QUEUE<TAB>COUNTER<TAB>VALUE"
 * (text/tab-separated-values; device_stats.h parses it).  vmctl's own:
 * Firecracker's metrics go to a file, not to the API socket.
 */
#include <inttypes.h>
#include <string.h>

#include "control.h"
#include "vmctl.h"

static void put_counter(void *ctx, const struct vmctl_device_counter *c)
{
	fprintf(ctx, "%s\t%s\t%s\t%" PRIu64 "\n", c->device, c->queue,
		c->name, c->value);
}

int route_device_counters(struct control_vm *cv,
			  const struct http_request *req,
			  struct control_reply *reply)
{
	if (strcmp(req->method, "GET"))
		return control_fault(reply, 405,
				     "%s /vmctl/device-counters: GET only",
				     req->method);
	vmctl_vm_device_counters(cv->vm, put_counter, reply->body);
	reply->content_type = "text/tab-separated-values";
	return 200;
}
