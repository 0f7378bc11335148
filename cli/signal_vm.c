// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl stop and kill: signal the process that owns a VM, then wait for it
 * to exit.  The owner's pid comes from the module over netlink; a pidfd
 * taken before checking that the VM still names that pid makes sure a
 * recycled pid is never signalled.  An exited owner has closed its fds, so
 * by then the module has freed the VM (unless the fds live on elsewhere).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "vmview.h"

enum parse_result signal_parse(const char *cmd, int argc, char **argv,
			       struct signal_opts *o)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct signal_opts){ .wait = true,
				    .timeout = SIGNAL_DEFAULT_TIMEOUT };
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:t:nh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (seconds_option(cmd, "--timeout", optarg,
					   &o->timeout))
				return PARSE_ERROR;
			break;
		case 'n':
			o->wait = false;
			break;
		case 'h':
			return PARSE_HELP;
		default:
			return getopt_error(cmd, opt, argv);
		}
	}
	if (optind == argc)
		return usage_error(cmd, "which VM? Give its name or id");
	if (argc - optind > 1)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind + 1]);
	o->target = argv[optind];
	return PARSE_OK;
}

/* Is VM id still there, owned by pid? */
static bool still_owned(unsigned int id, int pid)
{
	struct vmctl_vm_status now;

	return !vmctl_get_vm_status(id, &now) && now.owner_pid == pid;
}

/* Wait for the owner behind pidfd to exit: 1 exited, 0 timed out. */
static int wait_exit(int pidfd, double timeout)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int ret;

	do
		ret = poll(&p, 1, (int)(timeout * 1000));
	while (ret < 0 && errno == EINTR);
	return ret > 0;
}

int signal_vm(const char *cmd, const struct signal_opts *o, int sig)
{
	struct vmctl_vm_status vm;
	int pidfd, ret;

	ret = vm_target_lookup(cmd, o->target, &vm);
	if (ret)
		return ret;
	if (vm.owner_pid <= 0)
		return cli_error(cmd, "the owner of VM '%s' is not in this pid namespace",
				 vm.name);
	pidfd = pidfd_open(vm.owner_pid, 0);
	if (pidfd < 0 || !still_owned(vm.id, vm.owner_pid)) {
		if (pidfd >= 0)
			close(pidfd);
		if (pidfd >= 0 || errno == ESRCH) {
			cli_error(cmd, "VM '%s' ended meanwhile", vm.name);
			return EXIT_OK;
		}
		return cli_error(cmd, "pid %d, the owner of VM '%s': %s",
				 vm.owner_pid, vm.name, strerror(errno));
	}
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
		ret = errno;
		close(pidfd);
		return cli_error(cmd, "%s pid %d, the owner of VM '%s': %s",
				 ret == EPERM ? "not permitted to signal" :
						"cannot signal",
				 vm.owner_pid, vm.name, strerror(ret));
	}
	if (!o->wait) {
		close(pidfd);
		return EXIT_OK;
	}
	ret = wait_exit(pidfd, o->timeout);
	close(pidfd);
	if (!ret)
		return cli_error(cmd, "pid %d, the owner of VM '%s', still runs %g s after SIG%s%s",
				 vm.owner_pid, vm.name, o->timeout,
				 sigabbrev_np(sig),
				 sig == SIGKILL ? "" : "; 'vmctl kill' ends it");
	if (still_owned(vm.id, vm.owner_pid))
		return cli_error(cmd, "the owner exited, but VM '%s' lives on: another process holds its file descriptors",
				 vm.name);
	return EXIT_OK;
}

int signal_command(const char *cmd, const char *usage, int sig, int argc,
		   char **argv)
{
	struct signal_opts o;
	int ret;

	ret = parse_exit(signal_parse(cmd, argc, argv, &o), usage);
	if (ret >= 0)
		return ret;
	return signal_vm(cmd, &o, sig);
}
