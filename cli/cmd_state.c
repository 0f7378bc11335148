// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl pause and vmctl resume: one command, PATCH /vm (route_vm.c) with
 * the state its name asks for; only the help differs.
 */
#include <stdio.h>
#include <string.h>

#include "vmview.h"

static const struct {
	const char *name, *state, *done;
	const char *what;	/* the help's first paragraph */
} states[] = {
	{ "pause", "Paused", "paused",
"Pause a VM that 'vmctl run' runs, through its control socket: every\n"
"vCPU leaves the guest with the instruction it was at completed, and is\n"
"held; the devices finish the requests in flight and stop.  The guest's\n"
"clock stands still for it until 'vmctl resume'.  A VM paused already\n"
"stays paused." },
	{ "resume", "Resumed", "running",
"Resume a VM paused by 'vmctl pause' (or by PATCH /vm on its control\n"
"socket): its devices start again, then its vCPUs.  A running VM stays\n"
"running." },
};

int cmd_state(int argc, char **argv)
{
	char usage[1024], body[48];
	const char *target;
	size_t i;
	int ret;

	/* main.c runs it under one of these names only. */
	for (i = 0; i + 1 < ARRAY_SIZE(states) &&
		    strcmp(argv[0], states[i].name); i++)
		;
	snprintf(usage, sizeof(usage),
		 "usage: vmctl %s NAME|ID\n\n%s\nNAME|ID is the VM's id when a VM has that id, else its name.\n\n"
		 "Options:\n  -h, --help  show this help\n\n"
		 "Exit status: 0 %s, 1 no such VM, no control socket or it failed,\n2 bad command line.\n",
		 states[i].name, states[i].what, states[i].done);
	ret = parse_exit(target_parse(argv[0], argc, argv, &target, NULL),
			 usage);
	if (ret >= 0)
		return ret;
	snprintf(body, sizeof(body), "{\"state\":\"%s\"}", states[i].state);
	return vm_control(argv[0], target, "PATCH", "/vm", body,
			  STATE_TIMEOUT_S);
}
