// SPDX-License-Identifier: GPL-2.0
/*
 * PATCH /vm {"state": "Paused" | "Resumed"}: Firecracker's pause and
 * resume (vmctl_vm_pause(): every vCPU out of the guest with its exit
 * served, the devices' threads stopped).  204, also when the VM was in
 * that state already.
 */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "json_in.h"
#include "vmctl.h"

int route_vm(struct control_vm *cv, const struct http_request *req,
	     struct control_reply *reply)
{
	static const char *const fields[] = { "state", NULL };
	char state[16];
	int ret;

	if (strcmp(req->path, "/vm"))
		return control_fault(reply, 404, "no route %s", req->path);
	if (strcmp(req->method, "PATCH"))
		return control_fault(reply, 405, "%s /vm: PATCH only",
				     req->method);
	ret = control_check_body(req, fields, reply);
	if (ret)
		return ret;
	if (json_get_string(req->body, req->body_len, "state", state,
			    sizeof(state)) ||
	    (strcmp(state, "Paused") && strcmp(state, "Resumed")))
		return control_fault(reply, 400,
				     "PATCH /vm: \"state\" must be \"Paused\" or \"Resumed\"");
	ret = state[0] == 'P' ? vmctl_vm_pause(cv->vm) :
				vmctl_vm_resume(cv->vm);
	if (ret == -ESRCH)
		return control_fault(reply, 409, "the VM is ending");
	if (ret)
		return control_fault(reply, 500, "%s: %s",
				     state[0] == 'P' ? "pause" : "resume",
				     vmctl_strerror(ret));
	return 204;
}
