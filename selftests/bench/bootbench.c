// SPDX-License-Identifier: GPL-2.0
/*
 * bootbench: how many L1 instructions a VMM takes to boot a Linux guest to
 * its /init, and what the VMM process and the kernel hold for that guest.
 *
 *   bootbench [-l LABEL] [-b BANNER] [-s STATS_CMD] [-o CONSOLE_FILE]
 *             [-i INPUT_FILE] -- VMM [ARG...]
 *
 * Runs VMM with its stdout and stderr on a pipe (the guest's serial console
 * on stdout: `vmctl run`, `qemu-system-x86_64 -serial stdio`) and stdin
 * from INPUT_FILE (default /dev/null: what the guest's console reads), and
 * reads that pipe line by line, copying it to CONSOLE_FILE a line at a
 * time (so that a script can follow the guest there).  Under Bochs with
 * `clock: sync=none` the TSC counts executed instructions, so:
 *  - to_init: TSC from just before fork() to the read() that returned the
 *    line holding BANNER (default "vmctl guest: Linux", the first line
 *    scripts/guest-initramfs.sh's /init prints);
 *  - total: TSC from fork() to the VMM's exit (the guest powers off).
 * When the banner arrives it also samples, before anything else runs:
 *  - the VMM's /proc/PID/status VmRSS, and from
 *    /proc/PID/smaps the resident part of its largest mapping (the guest's
 *    RAM for both vmctl and QEMU), so rss - ram is the VMM's own memory;
 *  - the machine's kernel memory (free pages minus user pages, kmem.c)
 *    against a sample taken before fork(): what the kernel holds for this
 *    VM and its VMM process.
 * The VMM's peak RSS (VmHWM) comes from wait4() at its exit.
 * Then, at the banner, it runs STATS_CMD (sh -c, with BOOTBENCH_PID set to the VMM's pid),
 * e.g. `vmctl stats NAME`, its output prefixed with "# ".
 *
 * Output, one line:
 *   boot label=L status=S to_init=N total=N rss_kib=N hwm_kib=N
 *        ram_rss_kib=N kernel_kib=N
 * status is the VMM's exit status (128+N for signal N); to_init=-1 when the
 * banner never came.  The exit status is 0 when the banner came and the
 * VMM exited 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>
#include "bench.h"
#include "kmem.h"

void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bootbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", err ? strerror(err) : "failed");
	exit(2);
}

/* A "Name: N kB" field of /proc/PID/status, -1 when missing. */
static long status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			kib = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kib;
}

/* Resident KiB of the largest mapping in /proc/PID/smaps (guest RAM). */
static long largest_mapping_rss_kib(pid_t pid)
{
	unsigned long long start, end, biggest = 0;
	long rss = -1, size_rss = -1;
	char path[64], line[512];
	int in_biggest = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in_biggest = end - start > biggest;
			if (in_biggest)
				biggest = end - start;
		} else if (in_biggest && sscanf(line, "Rss: %ld", &rss) == 1) {
			size_rss = rss;
		}
	}
	fclose(f);
	return size_rss;
}

static void run_stats(const char *cmd, pid_t pid)
{
	char buf[512], env[32];
	FILE *p;

	snprintf(env, sizeof(env), "%d", (int)pid);
	setenv("BOOTBENCH_PID", env, 1);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p) {
		printf("# stats: %s: %s\n", cmd, strerror(errno));
		return;
	}
	while (fgets(buf, sizeof(buf), p))
		printf("# %s", buf);
	pclose(p);
}

static void usage(void)
{
	fputs("usage: bootbench [-l LABEL] [-b BANNER] [-s STATS_CMD] [-o CONSOLE_FILE] [-i INPUT_FILE] -- VMM [ARG...]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *label = "boot", *banner = "vmctl guest: Linux";
	const char *stats = NULL, *console_path = NULL, *input = "/dev/null";
	long rss = -1, hwm, ram = -1, kernel_kib = 0;
	long long to_init = -1, total;
	struct kmem_sample before, at_banner;
	FILE *console = NULL, *in;
	unsigned long long t0;
	char line[4096];
	struct rusage ru;
	int fds[2], opt, wstatus, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+l:b:s:o:i:")) != -1) {
		switch (opt) {
		case 'l':
			label = optarg;
			break;
		case 'b':
			banner = optarg;
			break;
		case 's':
			stats = optarg;
			break;
		case 'o':
			console_path = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	if (console_path) {
		console = fopen(console_path, "we");
		if (!console)
			die("%s", console_path);
		setvbuf(console, NULL, _IOLBF, 0);
	}
	if (pipe2(fds, O_CLOEXEC))
		die("pipe");

	kmem_sample(&before);
	t0 = __rdtsc();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int in_fd = open(input, O_RDONLY);

		if (in_fd < 0 || dup2(in_fd, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(126);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	if (!in)
		die("fdopen");
	while (fgets(line, sizeof(line), in)) {
		if (to_init < 0 && strstr(line, banner)) {
			to_init = (long long)(__rdtsc() - t0);
			rss = status_kib(pid, "VmRSS");
			ram = largest_mapping_rss_kib(pid);
			kmem_sample(&at_banner);
			kernel_kib = kmem_kernel_delta(&before, &at_banner) / 1024;
			if (stats)
				run_stats(stats, pid);
		}
		if (console)
			fputs(line, console);
	}
	if (wait4(pid, &wstatus, 0, &ru) < 0)
		die("wait4");
	total = (long long)(__rdtsc() - t0);
	hwm = ru.ru_maxrss;	/* the process's peak RSS, its VmHWM */
	status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
		 128 + WTERMSIG(wstatus);
	if (console)
		fclose(console);
	printf("boot label=%s status=%d to_init=%lld total=%lld rss_kib=%ld hwm_kib=%ld ram_rss_kib=%ld kernel_kib=%ld\n",
	       label, status, to_init, total, rss, hwm, ram, kernel_kib);
	return to_init >= 0 && status == 0 ? 0 : 1;
}
