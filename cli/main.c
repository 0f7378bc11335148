// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl: command dispatch, git/perf style.  A command is one line in the
 * table below plus its cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "vmctl.h"
#include "vmview.h"

static const struct cmd commands[] = {
	{ "run", cmd_run, "run a guest image with its serial console here" },
	{ "info", cmd_info, "show the module's state, capabilities and stats" },
	{ "version", cmd_version, "show the vmctl, libvmctl and module versions" },
	{ "ps", cmd_ps, "list every VM on this host" },
	{ "stats", cmd_stats, "show a VM's exit counters by reason" },
	{ "stop", cmd_stop, "ask a VM's owner to end it cleanly (SIGTERM)" },
	{ "kill", cmd_kill, "end a VM's owner at once (SIGKILL)" },
	{ "events", cmd_events, "follow VM events host-wide (root)" },
	{ "pause", cmd_state, "hold a VM's vCPUs and devices (vmctl run's VMs)" },
	{ "resume", cmd_state, "let a paused VM run again" },
	{ "balloon", cmd_balloon, "set a running VM's balloon size (vmctl run --balloon)" },
	{ "snapshot", cmd_snapshot, "save a running VM into a file (vmctl run --restore)" },
	{ "migrate", cmd_migrate, "move a running VM to vmctl run --incoming, live" },
};

#define NR_COMMANDS ARRAY_SIZE(commands)

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: vmctl [--help | --version] <command> [<options>]\n\n"
		   "Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\n'vmctl <command> --help' (or 'vmctl help <command>') "
		   "describes a command.\nSee vmctl(1).\n");
}

static const struct cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		cmd = find_command(argv[2]);
		if (!cmd) {
			fprintf(stderr, "vmctl: unknown command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		/* "vmctl help CMD" is "vmctl CMD --help" */
		argv[1] = argv[2];
		argv[2] = "--help";
		return cmd->run(2, argv + 1);
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "vmctl: unknown command '%s'\n"
				"Try 'vmctl --help' for the list of commands.\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
