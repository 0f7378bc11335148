// SPDX-License-Identifier: GPL-2.0
/*
 * The NAME|ID argument of stats, stop and kill.  A number is an id when a
 * VM has that id, else a name like any other: VM names are free text and
 * need not be unique, so a name two VMs share is refused (use the id).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmview.h"

enum vm_target_result vm_target_find(const struct vmctl_vm_status *vms,
				     size_t nr, const char *arg, size_t *idx)
{
	enum vm_target_result r = TARGET_NONE;
	uint64_t id;
	size_t i;

	if (!parse_u64(arg, &id)) {
		for (i = 0; i < nr; i++) {
			if (vms[i].id == id) {
				*idx = i;
				return TARGET_FOUND;
			}
		}
	}
	for (i = 0; i < nr; i++) {
		if (strcmp(vms[i].name, arg))
			continue;
		if (r == TARGET_FOUND)
			return TARGET_AMBIGUOUS;
		*idx = i;
		r = TARGET_FOUND;
	}
	return r;
}

static FILE *err_stream(void)
{
	return cli_err ? cli_err : stderr;
}

int vm_target_lookup(const char *cmd, const char *arg,
		     struct vmctl_vm_status *vm)
{
	struct vmctl_vm_status *vms;
	size_t nr, idx = 0;
	int ret;

	ret = vmctl_list_vms(&vms, &nr);
	if (ret)
		return lib_error(cmd, NULL, ret);
	switch (vm_target_find(vms, nr, arg, &idx)) {
	case TARGET_FOUND:
		*vm = vms[idx];
		ret = EXIT_OK;
		break;
	case TARGET_NONE:
		fprintf(err_stream(),
			"vmctl %s: no such VM: '%s'%s\n", cmd, arg,
			geteuid() ? " (you see only the VMs you created)" : "");
		ret = EXIT_ERROR;
		break;
	case TARGET_AMBIGUOUS:
		fprintf(err_stream(),
			"vmctl %s: several VMs are named '%s': give the id (see 'vmctl ps')\n",
			cmd, arg);
		ret = EXIT_ERROR;
		break;
	}
	free(vms);
	return ret;
}
