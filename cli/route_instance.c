// SPDX-License-Identifier: GPL-2.0
/*
 * GET /: Firecracker's InstanceInfo, {"app_name", "id", "state",
 * "vmm_version"}, with vmctl's name, the VM's name and "Running" or
 * "Paused".
 */
#include <string.h>

#include "control.h"
#include "vmctl.h"

int route_instance(struct control_vm *cv, const struct http_request *req,
		   struct control_reply *reply)
{
	if (strcmp(req->method, "GET"))
		return control_fault(reply, 405, "%s /: GET only",
				     req->method);
	fputs("{\"app_name\":\"vmctl\",\"id\":", reply->body);
	json_string(reply->body, cv->name);
	fprintf(reply->body,
		",\"state\":\"%s\",\"vmm_version\":\"%s\"}",
		vmctl_vm_paused(cv->vm) ? "Paused" : "Running",
		VMCTL_CLI_VERSION);
	return 200;
}
