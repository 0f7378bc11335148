// SPDX-License-Identifier: GPL-2.0
/* vmctl stop: ask the process running a VM to end it cleanly. */
#include <signal.h>

#include "vmview.h"

#define STOP_TIMEOUT	10.0

static const char stop_usage[] =
"usage: vmctl stop [--timeout SECONDS | --no-wait] NAME|ID\n"
"\n"
"Ask the process that owns a VM (see 'vmctl ps') to end the guest\n"
"cleanly: it gets SIGTERM, on which 'vmctl run' stops its vCPUs, tears\n"
"the VM down and exits with status 6 (stopped).  Then wait for that\n"
"process to exit.  NAME|ID is the VM's id when a VM has that id, else its\n"
"name.  You may stop the VMs you created; root may stop any.\n"
"\n"
"Options:\n"
"  -t, --timeout SECONDS  how long to wait for the owner to exit\n"
"                         (default 10, decimals allowed)\n"
"  -n, --no-wait          return once the signal is sent\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 the owner exited (or the VM was already gone), 1 no such\n"
"VM, not permitted, module not loaded, or still running at the timeout\n"
"(then try 'vmctl kill'), 2 bad command line.\n";

int cmd_stop(int argc, char **argv)
{
	struct signal_opts o;

	switch (signal_parse("stop", argc, argv, STOP_TIMEOUT, &o)) {
	case PARSE_HELP:
		fputs(stop_usage, stdout);
		return EXIT_OK;
	case PARSE_ERROR:
		return EXIT_USAGE;
	case PARSE_OK:
		break;
	}
	return signal_vm("stop", &o, SIGTERM);
}
