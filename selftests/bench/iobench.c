// SPDX-License-Identifier: GPL-2.0
/*
 * iobench: the disk and network workloads of the I/O rows of
 * scripts/bench-boot.sh, timed by the TSC (under Bochs with
 * `clock: sync=none` one tick per emulated instruction, and a guest's TSC
 * is the test machine's plus an offset, so the guest's deltas are the
 * test machine's instructions).  Static, so the same binary runs in the
 * Linux guest and in the test machine.
 *
 *   iobench read|write DEV BS COUNT   COUNT sequential O_DIRECT requests
 *                                     of BS bytes from offset 0
 *   iobench randread DEV BS COUNT     COUNT O_DIRECT reads of BS bytes at
 *                                     BS-aligned offsets drawn from a fixed
 *                                     sequence, anywhere on DEV
 *   iobench send HOST PORT KIB        connect (retrying), KIB KiB over
 *                                     TCP, then wait for the peer's close
 *   iobench recv PORT                 accept one connection, read to its
 *                                     end, close
 *   iobench peer HOST RUNS KIB        RUNS times: recv 5001, then send
 *                                     KIB to HOST:5002 (the test machine's
 *                                     side of the guest's network rows)
 *   iobench hmp SOCKET COMMAND        one command to QEMU's human monitor
 *                                     on a unix socket (retrying the
 *                                     connection), its answer on stdout
 *   iobench dirty KIB                 the busy guest of the migration
 *                                     rows: a word in every page of a
 *                                     KIB buffer rewritten without pause,
 *                                     for ever (no deadline)
 *   iobench tsc                       the TSC now
 *
 * Each workload prints one line:
 *   op=OP bytes=N requests=N tsc=N
 * tsc covering the requests only (from the connection or accept to the
 * end for TCP).  Exit status 0 when the workload completed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <x86intrin.h>

#define NET_CHUNK (64 * 1024)
/* Nothing here may hang a bench run for good (virtual seconds). */
#define DEADLINE 1800
#define RETRY_US 100000

static int fail(const char *what)
{
	fprintf(stderr, "iobench: %s: %s\n", what, strerror(errno));
	return 1;
}

static void report(const char *op, unsigned long long bytes,
		   unsigned long long requests, unsigned long long tsc)
{
	printf("op=%s bytes=%llu requests=%llu tsc=%llu\n", op, bytes,
	       requests, tsc);
	fflush(stdout);
}

/* A fixed xorshift sequence: the same offsets under every VMM. */
static unsigned long long next_rand(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int disk(const char *op, const char *dev, long bs, long count)
{
	int writing = !strcmp(op, "write"), random = !strcmp(op, "randread");
	unsigned long long t0, seed = 88172645463325252ULL;
	off_t size, off = 0;
	void *buf;
	long i;
	int fd;

	if (bs <= 0 || bs % 4096 || count <= 0)
		return fprintf(stderr, "iobench: BS a multiple of 4096, COUNT > 0\n"), 2;
	fd = open(dev, (writing ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		return fail(dev);
	size = lseek(fd, 0, SEEK_END);
	if (size < bs || (!random && size < bs * count))
		return fprintf(stderr, "iobench: %s is too small\n", dev), 1;
	if (posix_memalign(&buf, 4096, bs))
		return fail("posix_memalign");
	memset(buf, 0x5a, bs);
	t0 = __rdtsc();
	for (i = 0; i < count; i++) {
		ssize_t n;

		if (random)
			off = (off_t)(next_rand(&seed) % (size / bs)) * bs;
		n = writing ? pwrite(fd, buf, bs, off) : pread(fd, buf, bs, off);
		if (n != bs)
			return fail(op);
		off += bs;
	}
	report(op, (unsigned long long)bs * count, count, __rdtsc() - t0);
	close(fd);
	return 0;
}

static int tcp_send(const char *host, int port, long kib)
{
	static char buf[NET_CHUNK];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long long t0, left = (unsigned long long)kib * 1024;
	int fd = -1;

	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return fprintf(stderr, "iobench: %s: not an IPv4 address\n", host), 2;
	/* The peer may still be booting: refused and unreachable are retried. */
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail("socket");
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (errno != ECONNREFUSED && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH && errno != ETIMEDOUT)
			return fail("connect");
		close(fd);
		usleep(RETRY_US);
	}
	memset(buf, 0xa5, sizeof(buf));
	t0 = __rdtsc();
	while (left) {
		ssize_t n = write(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n <= 0)
			return fail("write");
		left -= n;
	}
	/* Done when the peer has read it all and closed its side. */
	if (shutdown(fd, SHUT_WR))
		return fail("shutdown");
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	report("send", (unsigned long long)kib * 1024, 1, __rdtsc() - t0);
	close(fd);
	return 0;
}

static int tcp_recv(int port)
{
	static char buf[NET_CHUNK];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long long t0, bytes = 0;
	int one = 1, lfd, fd;
	ssize_t n;

	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return fail("socket");
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		return fail("bind");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept");
	close(lfd);
	t0 = __rdtsc();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		bytes += n;
	if (n < 0)
		return fail("read");
	report("recv", bytes, 1, __rdtsc() - t0);
	close(fd);
	return 0;
}

/* Read from fd until the text ends with the monitor's prompt. */
static int until_prompt(int fd, int echo)
{
	static const char prompt[] = "(qemu) ";
	const size_t plen = sizeof(prompt) - 1;
	size_t have = 0, size = 4096;
	char *buf = malloc(size), *grown;
	ssize_t n;

	while (buf && (n = read(fd, buf + have, size - have)) > 0) {
		have += n;
		if (have >= plen && !memcmp(buf + have - plen, prompt, plen)) {
			/* The monitor's echo of the command is its first line. */
			buf[have - plen] = '\0';
			if (echo && strchr(buf, '\n'))
				fputs(strchr(buf, '\n') + 1, stdout);
			free(buf);
			return 0;
		}
		if (have == size) {
			grown = realloc(buf, size *= 2);
			if (!grown)
				free(buf);
			buf = grown;
		}
	}
	free(buf);
	return -1;
}

static int hmp(const char *path, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fprintf(stderr, "iobench: %s: name too long\n", path), 2;
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail("socket");
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (errno != ENOENT && errno != ECONNREFUSED)
			return fail(path);
		close(fd);
		usleep(RETRY_US);
	}
	if (until_prompt(fd, 0))
		return fail("no monitor prompt");
	if (dprintf(fd, "%s\n", cmd) < 0)
		return fail("write");
	/* QEMU closes the monitor when it quits: no prompt comes. */
	if (until_prompt(fd, 1) && strcmp(cmd, "quit"))
		return fail("no monitor prompt after the command");
	close(fd);
	return 0;
}

/*
 * Keeps its vCPU busy and KIB of memory dirty: every round of a
 * migration finds those pages written again.  Never returns.
 */
static int dirty(long kib)
{
	volatile unsigned long *p;
	unsigned long n = 0;
	long i, pages = kib / 4;

	p = pages > 0 ? malloc(pages * 4096) : NULL;
	if (!p)
		return fail("dirty");
	for (;;)
		for (i = 0, n++; i < pages; i++)
			p[i * 4096 / sizeof(*p)] = n;
}

static int peer(const char *host, int runs, long kib)
{
	int i;

	for (i = 0; i < runs; i++)
		if (tcp_recv(5001) || tcp_send(host, 5002, kib))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	alarm(DEADLINE);
	if (!strcmp(op, "tsc") && argc == 2)
		return printf("%llu\n", __rdtsc()) < 0;
	if ((!strcmp(op, "read") || !strcmp(op, "write") ||
	     !strcmp(op, "randread")) && argc == 5)
		return disk(op, argv[2], atol(argv[3]), atol(argv[4]));
	if (!strcmp(op, "send") && argc == 5)
		return tcp_send(argv[2], atoi(argv[3]), atol(argv[4]));
	if (!strcmp(op, "recv") && argc == 3)
		return tcp_recv(atoi(argv[2]));
	if (!strcmp(op, "peer") && argc == 5)
		return peer(argv[2], atoi(argv[3]), atol(argv[4]));
	if (!strcmp(op, "dirty") && argc == 3) {
		alarm(0);	/* the guest is killed or migrated busy */
		return dirty(atol(argv[2]));
	}
	if (!strcmp(op, "hmp") && argc == 4) {
		alarm(0);	/* a migration takes as long as it takes */
		return hmp(argv[2], argv[3]);
	}
	fputs("usage: iobench read|write|randread DEV BS COUNT | send HOST PORT KIB |\n"
	      "       recv PORT | peer HOST RUNS KIB | hmp SOCKET COMMAND |\n"
	      "       dirty KIB | tsc\n",
	      stderr);
	return 2;
}
