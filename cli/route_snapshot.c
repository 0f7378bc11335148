// SPDX-License-Identifier: GPL-2.0
/*
 * PUT /snapshot/create {"snapshot_path", "mem_file_path",
 * "snapshot_type"}: Firecracker's full snapshot, into one file
 * (libvmctl/snapshot.h) that holds the memory too: mem_file_path, when
 * given, must name that same file, and snapshot_type can only be
 * "Full".  A running VM is paused for it and resumed after; a paused
 * one stays paused.  PUT /snapshot/load: refused, a running VM loads
 * nothing; `vmctl run --restore FILE` starts one from the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "json_in.h"
#include "run_config.h"
#include "vmctl.h"

#define PATH_MAX_LEN	4096

static int create(struct control_vm *cv, const struct http_request *req,
		  struct control_reply *reply)
{
	static const char *const fields[] = {
		"snapshot_path", "mem_file_path", "snapshot_type", "version",
		NULL
	};
	char path[PATH_MAX_LEN], mem[PATH_MAX_LEN], type[16];
	char *config;
	size_t len;
	bool paused;
	int ret;

	ret = control_check_body(req, fields, reply);
	if (ret)
		return ret;
	if (json_get_string(req->body, req->body_len, "snapshot_path", path,
			    sizeof(path)) || !path[0])
		return control_fault(reply, 400,
				     "PUT /snapshot/create: \"snapshot_path\" must be a file name");
	ret = json_get_string(req->body, req->body_len, "mem_file_path", mem,
			      sizeof(mem));
	if (ret != -ENOENT && (ret || strcmp(mem, path)))
		return control_fault(reply, 400,
				     "PUT /snapshot/create: vmctl keeps the memory in snapshot_path; give mem_file_path the same file or leave it out");
	ret = json_get_string(req->body, req->body_len, "snapshot_type", type,
			      sizeof(type));
	if (ret != -ENOENT && (ret || strcmp(type, "Full")))
		return control_fault(reply, 400,
				     "PUT /snapshot/create: only \"Full\" snapshots");
	ret = run_config_format(cv->opts, &config, &len);
	if (ret)
		return control_fault(reply, 400,
				     "the VM's options cannot go into a snapshot (a newline in a value)");
	paused = vmctl_vm_paused(cv->vm);
	ret = paused ? 0 : vmctl_vm_pause(cv->vm);
	if (!ret) {
		ret = vmctl_vm_snapshot(cv->vm, path, config, len);
		if (ret)
			control_fault(reply, 400, "%s: %s (%s)", path,
				      vmctl_strerror(ret),
				      vmctl_error_detail());
		if (!paused)
			vmctl_vm_resume(cv->vm);
	} else {
		control_fault(reply, 409, "the VM is ending");
	}
	free(config);
	return ret == -ESRCH ? 409 : ret ? 400 : 204;
}

int route_snapshot(struct control_vm *cv, const struct http_request *req,
		   struct control_reply *reply)
{
	if (strcmp(req->method, "PUT"))
		return control_fault(reply, 405, "%s %s: PUT only",
				     req->method, req->path);
	if (!strcmp(req->path, "/snapshot/create"))
		return create(cv, req, reply);
	if (!strcmp(req->path, "/snapshot/load"))
		return control_fault(reply, 400,
				     "a running VM loads no snapshot: start one with vmctl run --restore FILE");
	return control_fault(reply, 404, "no route %s", req->path);
}
