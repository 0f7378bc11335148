// SPDX-License-Identifier: GPL-2.0
/*
 * load_module FILE [PARAMS]: one finit_module() of FILE with the parameter
 * string PARAMS, for reload_test.sh.  busybox insmod retries a failed
 * finit_module() with init_module(), so a module whose init refuses to
 * load would run it (and log its refusal) twice; this tries exactly once
 * and tells why it failed.
 *
 * Exit status: 0 loaded; 1 refused, with the errno name (EBUSY...) on
 * stdout; 2 bad usage or FILE unreadable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd, ret;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE [PARAMS]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	ret = syscall(SYS_finit_module, fd, argc > 2 ? argv[2] : "", 0);
	close(fd);
	if (ret) {
		const char *name = strerrorname_np(errno);

		printf("%s\n", name ? name : "unknown errno");
		return 1;
	}
	return 0;
}
