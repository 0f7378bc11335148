// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold CMD [ARG...]: run CMD while a KVM VM exists, for
 * reload_test.sh.  Where kvm turns VMX on only while it has a VM (Linux
 * before 6.12, or kvm.enable_virt_at_load=0), creating one makes
 * kvm_intel take VMX on every CPU: the "VMX already in use" case that a
 * user meets when a KVM guest runs.
 *
 * Exit status: CMD's; 125 when no KVM VM could be created or CMD could
 * not be started.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

int main(int argc, char **argv)
{
	int kvm, vm, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CMD [ARG...]\n", argv[0]);
		return 125;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("/dev/kvm");
		return 125;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 125;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 125;
	close(vm);
	close(kvm);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
