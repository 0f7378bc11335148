// SPDX-License-Identifier: GPL-2.0
/*
 * The commands that ask a VM's `vmctl run` to do something through its
 * control socket (control.h): pause, resume, snapshot, migrate.  The VM
 * is found by NAME|ID (vm_target.c) and must be one a `vmctl run` serves.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "json_in.h"
#include "vmview.h"

enum parse_result target_parse(const char *cmd, int argc, char **argv,
			       const char **target, const char **arg)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, want = arg ? 2 : 1;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (opt == 'h')
			return PARSE_HELP;
		return getopt_error(cmd, opt, argv);
	}
	if (optind == argc)
		return usage_error(cmd, "which VM? Give its name or id");
	if (arg && argc - optind == 1)
		return usage_error(cmd, "which file? Give its path");
	if (argc - optind > want)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind + want]);
	*target = argv[optind];
	if (arg)
		*arg = argv[optind + 1];
	return PARSE_OK;
}

int vm_control(const char *cmd, const char *target, const char *method,
	       const char *path, const char *body, unsigned int timeout_s)
{
	return vm_control_answer(cmd, target, method, path, body, timeout_s,
				 NULL);
}

int vm_control_answer(const char *cmd, const char *target,
		      const char *method, const char *path, const char *body,
		      unsigned int timeout_s, char **answer)
{
	struct vmctl_vm_status vm;
	char *reply = NULL, msg[512];
	size_t len;
	int ret, status;

	ret = vm_target_lookup(cmd, target, &vm);
	if (ret)
		return ret;
	ret = control_call(vm.id, method, path, body, timeout_s, &status,
			   &reply, &len);
	if (ret == -ENOENT)
		return cli_error(cmd, "VM %u (%s) has no control socket: it is not run by 'vmctl run', or you are not its owner",
				 vm.id, vm.name);
	if (ret)
		return cli_error(cmd, "VM %u (%s): control socket: %s", vm.id,
				 vm.name, strerror(-ret));
	if (status / 100 != 2) {
		if (json_get_string(reply, len, "fault_message", msg,
				    sizeof(msg)))
			snprintf(msg, sizeof(msg), "HTTP status %d", status);
		ret = cli_error(cmd, "VM %u (%s): %s", vm.id, vm.name, msg);
	}
	if (!ret && answer)
		*answer = reply;
	else
		free(reply);
	return ret;
}
