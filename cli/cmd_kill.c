// SPDX-License-Identifier: GPL-2.0
/* vmctl kill: end the process running a VM at once. */
#include <signal.h>

#include "vmview.h"

#define KILL_TIMEOUT	10.0

static const char kill_usage[] =
"usage: vmctl kill [--timeout SECONDS | --no-wait] NAME|ID\n"
"\n"
"Send SIGKILL to the process that owns a VM (see 'vmctl ps'): the guest\n"
"ends without any chance to clean up, and the module frees everything the\n"
"VM held as the process's file descriptors close.  Then wait for that\n"
"process to exit.  NAME|ID is the VM's id when a VM has that id, else its\n"
"name.  You may kill the VMs you created; root may kill any.  Prefer\n"
"'vmctl stop', which lets the owner end the guest cleanly.\n"
"\n"
"Options:\n"
"  -t, --timeout SECONDS  how long to wait for the owner to exit\n"
"                         (default 10, decimals allowed)\n"
"  -n, --no-wait          return once the signal is sent\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 the owner exited (or the VM was already gone), 1 no such\n"
"VM, not permitted, module not loaded, or the owner still there at the\n"
"timeout, 2 bad command line.\n";

int cmd_kill(int argc, char **argv)
{
	struct signal_opts o;

	switch (signal_parse("kill", argc, argv, KILL_TIMEOUT, &o)) {
	case PARSE_HELP:
		fputs(kill_usage, stdout);
		return EXIT_OK;
	case PARSE_ERROR:
		return EXIT_USAGE;
	case PARSE_OK:
		break;
	}
	return signal_vm("kill", &o, SIGKILL);
}
