// SPDX-License-Identifier: GPL-2.0
/*
 * The device models' counters between `vmctl run` and `vmctl stats`: a
 * unix socket per VM in the runtime directory (see device_stats.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "device_stats.h"
#include "vmctl.h"

#define IO_TIMEOUT_S	2	/* a peer that stops reading or writing */

/* The runtime directory into buf, made if missing; 0 or -errno. */
static int runtime_dir(char *buf, size_t len, bool make)
{
	const char *env = getenv("VMCTL_RUNTIME_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (env && env[0])
		n = snprintf(buf, len, "%s", env);
	else if (xdg && xdg[0])
		n = snprintf(buf, len, "%s/vmctl", xdg);
	else if (!geteuid() && !stat("/run", &st) && S_ISDIR(st.st_mode))
		n = snprintf(buf, len, "/run/vmctl");
	else	/* a user, or a system without /run (an initramfs) */
		n = snprintf(buf, len, "/tmp/vmctl-%u", (unsigned int)geteuid());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (make && mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* Ours, and a directory: not someone else's planted in /tmp. */
	if (lstat(buf, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return -EPERM;
	return 0;
}

static int socket_path(unsigned int id, char *buf, size_t len, bool make)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int ret = runtime_dir(dir, sizeof(dir), make), n;

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%u.sock", dir, id);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int device_stats_path(unsigned int id, char *buf, size_t len)
{
	return socket_path(id, buf, len, false);
}

static int unix_socket(const char *path, struct sockaddr_un *sun)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* ---- vmctl run's side ---- */

struct device_stats_server {
	struct vmctl_vm *vm;
	int listen_fd;
	int stop[2];		/* a pipe: written to stop the thread */
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void put_counter(void *ctx, const struct vmctl_device_counter *c)
{
	fprintf(ctx, "%s\t%s\t%s\t%" PRIu64 "\n", c->device, c->queue,
		c->name, c->value);
}

/* One answer: every counter, then the connection closes. */
static void answer(struct device_stats_server *s, int fd)
{
	char *text = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&text, &len);
	ssize_t n;

	if (!f)
		return;
	vmctl_vm_device_counters(s->vm, put_counter, f);
	fclose(f);
	/* MSG_NOSIGNAL: a reader that went away is no reason to die. */
	while (off < len &&
	       ((n = send(fd, text + off, len - off, MSG_NOSIGNAL)) > 0 ||
		(n < 0 && errno == EINTR)))
		off += n > 0 ? n : 0;
	free(text);
}

static void *serve(void *arg)
{
	struct device_stats_server *s = arg;
	struct pollfd pfd[2] = {
		{ .fd = s->listen_fd, .events = POLLIN },
		{ .fd = s->stop[0], .events = POLLIN },
	};
	int fd;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		answer(s, fd);
		close(fd);
	}
	return NULL;
}

struct device_stats_server *device_stats_serve(struct vmctl_vm *vm,
					       unsigned int id)
{
	struct device_stats_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sun;
	int ret;

	if (!s)
		return NULL;
	s->vm = vm;
	s->listen_fd = s->stop[0] = s->stop[1] = -1;
	ret = socket_path(id, s->path, sizeof(s->path), true);
	if (!ret) {
		s->listen_fd = unix_socket(s->path, &sun);
		ret = s->listen_fd < 0 ? s->listen_fd : 0;
	}
	/* A socket of a VM with this id whose vmctl run was killed. */
	if (!ret)
		unlink(s->path);
	if (!ret && (bind(s->listen_fd, (struct sockaddr *)&sun,
			  sizeof(sun)) < 0 || listen(s->listen_fd, 4) < 0 ||
		     pipe2(s->stop, O_CLOEXEC) < 0))
		ret = -errno;
	if (!ret)
		ret = -pthread_create(&s->thread, NULL, serve, s);
	if (!ret)
		return s;
	fprintf(stderr, "vmctl run: device counters for vmctl stats: %s: %s\n",
		s->path[0] ? s->path : "runtime directory", strerror(-ret));
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	if (s->stop[0] >= 0) {
		close(s->stop[0]);
		close(s->stop[1]);
	}
	free(s);
	return NULL;
}

void device_stats_stop(struct device_stats_server *s)
{
	if (!s)
		return;
	while (write(s->stop[1], "", 1) < 0 && errno == EINTR)
		;
	pthread_join(s->thread, NULL);
	unlink(s->path);
	close(s->listen_fd);
	close(s->stop[0]);
	close(s->stop[1]);
	free(s);
}

/* ---- vmctl stats' side ---- */

bool device_stats_parse_line(const char *line, struct device_counter *c)
{
	const char *f[4];
	size_t len[4];
	unsigned int i;
	char *end;

	for (i = 0; i < 4; i++) {
		const char *tab = strchr(line, i < 3 ? '\t' : '\n');

		f[i] = line;
		len[i] = tab ? (size_t)(tab - line) : strlen(line);
		if (i < 3 && !tab)
			return false;
		line += len[i] + 1;
	}
	if (!len[0] || !len[2] || len[0] >= sizeof(c->device) ||
	    len[1] >= sizeof(c->queue) || len[2] >= sizeof(c->name) ||
	    !len[3] || f[3][0] < '0' || f[3][0] > '9')
		return false;
	memcpy(c->device, f[0], len[0]);
	c->device[len[0]] = 0;
	memcpy(c->queue, f[1], len[1]);
	c->queue[len[1]] = 0;
	memcpy(c->name, f[2], len[2]);
	c->name[len[2]] = 0;
	errno = 0;
	c->value = strtoull(f[3], &end, 10);
	return !errno && (size_t)(end - f[3]) == len[3];
}

int device_stats_fetch(unsigned int id, struct device_counters *out)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)], line[160];
	struct sockaddr_un sun;
	FILE *f;
	int fd, ret;

	out->n = 0;
	ret = device_stats_path(id, path, sizeof(path));
	if (ret)
		return ret == -ENOENT || ret == -EPERM ? -ENOENT : ret;
	fd = unix_socket(path, &sun);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = errno;
		close(fd);
		/* No socket, or one nobody listens on any more. */
		return ret == ENOENT || ret == ECONNREFUSED ? -ENOENT : -ret;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (out->n < DEVICE_STATS_MAX && fgets(line, sizeof(line), f))
		if (device_stats_parse_line(line, &out->c[out->n]))
			out->n++;
	fclose(f);
	return 0;
}

void device_stats_print_text(FILE *f, const struct device_counters *dc)
{
	unsigned int i;

	if (!dc || !dc->n)
		return;
	fprintf(f, "\n%-20s %-6s %-24s %12s\n", "DEVICE", "QUEUE", "COUNTER",
		"VALUE");
	for (i = 0; i < dc->n; i++)
		fprintf(f, "%-20s %-6s %-24s %12" PRIu64 "\n", dc->c[i].device,
			dc->c[i].queue[0] ? dc->c[i].queue : "-",
			dc->c[i].name, dc->c[i].value);
}

void device_stats_print_json(FILE *f, const struct device_counters *dc)
{
	unsigned int i;

	for (i = 0; dc && i < dc->n; i++) {
		fputs(i ? ",{\"device\":" : "{\"device\":", f);
		json_string(f, dc->c[i].device);
		fputs(",\"queue\":", f);
		json_string(f, dc->c[i].queue);
		fputs(",\"counter\":", f);
		json_string(f, dc->c[i].name);
		fprintf(f, ",\"value\":%" PRIu64 "}", dc->c[i].value);
	}
}
