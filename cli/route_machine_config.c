// SPDX-License-Identifier: GPL-2.0
/*
 * GET /machine-config: Firecracker's MachineConfiguration of the running
 * VM.  PUT and PATCH, which configure a VM before it boots, are not
 * served: `vmctl run`'s options did that.
 */
#include <inttypes.h>
#include <string.h>

#include "control.h"
#include "vmctl.h"

int route_machine_config(struct control_vm *cv,
			 const struct http_request *req,
			 struct control_reply *reply)
{
	if (strcmp(req->method, "GET"))
		return control_fault(reply, 405,
				     "%s /machine-config: GET only (the VM runs already)",
				     req->method);
	fprintf(reply->body,
		"{\"vcpu_count\":%u,\"mem_size_mib\":%" PRIu64
		",\"smt\":false,\"track_dirty_pages\":false}",
		cv->opts->cpus, cv->opts->mem >> 20);
	return 200;
}
