// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's transport (control.h): the runtime directory,
 * the server thread of `vmctl run`, and the client other commands use.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "json_in.h"
#include "vmctl.h"

#define IO_TIMEOUT_S	2	/* a peer that stops reading or writing */
#define SUN_PATH_LEN	sizeof(((struct sockaddr_un *)0)->sun_path)

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
	char dir[SUN_PATH_LEN];
	int ret = runtime_dir(dir, sizeof(dir), make), n;

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%u.sock", dir, id);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int control_socket_path(unsigned int id, char *buf, size_t len)
{
	return socket_path(id, buf, len, false);
}

static int unix_socket(const char *path, struct sockaddr_un *sun,
		       unsigned int timeout_s)
{
	struct timeval tv = { .tv_sec = timeout_s };
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

/* All of buf to fd; false when the peer went away. */
static bool send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		/* MSG_NOSIGNAL: a peer that went away is no reason to die. */
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

int control_fault(struct control_reply *reply, int status, const char *fmt,
		  ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("{\"fault_message\":", reply->body);
	json_string(reply->body, msg);
	fputs("}", reply->body);
	reply->content_type = "application/json";
	return status;
}

int control_check_body(const struct http_request *req,
		       const char *const *known, struct control_reply *reply)
{
	char why[128];

	if (!json_check_object(req->body, req->body_len, known, why,
			       sizeof(why)))
		return 0;
	return control_fault(reply, 400, "%s %s: %s", req->method, req->path,
			     why);
}

/* ---- vmctl run's side ---- */

struct control_server {
	struct control_vm *cv;
	int listen_fd;
	int stop[2];		/* a pipe: written to stop the thread */
	pthread_t thread;
	char path[SUN_PATH_LEN];
};

static bool send_progress(struct control_reply *reply, const char *line)
{
	char *out = NULL;
	bool sent;
	int n;

	n = asprintf(&out, "HTTP/1.1 102 %s\r\nVmctl-Progress: %s\r\n\r\n",
		     http_reason(102), line);
	/* Out of memory is no reason to give the request up. */
	sent = n < 0 || send_all(reply->fd, out, n);
	free(out);
	return sent;
}

/* One request answered on fd; false when the connection is to close. */
static bool answer(struct control_server *s, int fd,
		   const struct http_request *req)
{
	struct control_reply reply = { .content_type = "application/json",
				       .progress = send_progress, .fd = fd };
	char *body = NULL, *out = NULL;
	size_t body_len = 0, out_len = 0;
	FILE *f;
	bool ok = false;
	int status;

	reply.body = open_memstream(&body, &body_len);
	f = open_memstream(&out, &out_len);
	if (reply.body && f) {
		status = control_dispatch(s->cv, req, &reply);
		fflush(reply.body);
		http_write_response(f, status, reply.content_type, body,
				    body_len);
		fflush(f);
		ok = send_all(fd, out, out_len);
	}
	if (reply.body)
		fclose(reply.body);
	if (f)
		fclose(f);
	free(body);
	free(out);
	return ok && !req->close;
}

/* A malformed request's answer; the connection closes after it. */
static void refuse(int fd, long err)
{
	static const char *const why[] = {
		[EINVAL] = "malformed HTTP request",
		[E2BIG] = "request too large",
		[EOPNOTSUPP] = "HTTP/1.x without Transfer-Encoding only",
	};
	int status = err == -E2BIG ? 413 : err == -EOPNOTSUPP ? 501 : 400;
	char *body = NULL, *out = NULL;
	size_t body_len = 0, out_len = 0;
	struct control_reply reply;
	FILE *f;

	reply.body = open_memstream(&body, &body_len);
	if (!reply.body)
		return;
	control_fault(&reply, status, "%s", why[-err]);
	fclose(reply.body);
	f = open_memstream(&out, &out_len);
	if (f) {
		http_write_response(f, status, "application/json", body,
				    body_len);
		fclose(f);
		send_all(fd, out, out_len);
	}
	free(body);
	free(out);
}

/* Requests on one connection until it closes or goes wrong. */
static void serve_connection(struct control_server *s, int fd)
{
	static char buf[HTTP_MAX_HEAD + HTTP_MAX_BODY];
	struct http_request req;
	size_t have = 0;
	ssize_t n;
	long used;

	for (;;) {
		used = http_parse_request(buf, have, &req);
		if (used < 0) {
			refuse(fd, used);
			return;
		}
		if (used > 0) {
			if (!answer(s, fd, &req))
				return;
			memmove(buf, buf + used, have - used);
			have -= used;
			continue;
		}
		if (have == sizeof(buf))
			return;
		n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		have += n;
	}
}

static void *serve(void *arg)
{
	struct control_server *s = arg;
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
		serve_connection(s, fd);
		close(fd);
	}
	return NULL;
}

struct control_server *control_serve(struct control_vm *cv)
{
	struct control_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sun;
	int ret;

	if (!s)
		return NULL;
	s->cv = cv;
	s->listen_fd = s->stop[0] = s->stop[1] = -1;
	ret = socket_path(cv->id, s->path, sizeof(s->path), true);
	if (!ret) {
		s->listen_fd = unix_socket(s->path, &sun, IO_TIMEOUT_S);
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
	fprintf(stderr, "vmctl run: control socket: %s: %s\n",
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

void control_stop(struct control_server *s)
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

/* ---- the clients' side ---- */

/* Connected to VM id's socket: the fd, or -ENOENT when nobody serves. */
static int connect_vm(unsigned int id, unsigned int timeout_s)
{
	char path[SUN_PATH_LEN];
	struct sockaddr_un sun;
	int fd, ret;

	ret = control_socket_path(id, path, sizeof(path));
	if (ret)
		return ret == -ENOENT || ret == -EPERM ? -ENOENT : ret;
	fd = unix_socket(path, &sun, timeout_s);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = errno;
		close(fd);
		/* No socket, or one nobody listens on any more. */
		return ret == ENOENT || ret == ECONNREFUSED ? -ENOENT : -ret;
	}
	return fd;
}

/* An interim answer's Vmctl-Progress, a line on stderr. */
static void progress(const char *head, size_t len)
{
	char line[512];

	if (http_field(head, len, "Vmctl-Progress", line, sizeof(line)))
		fprintf(stderr, "%s\n", line);
}

/* The whole answer read from fd into a malloc'd buffer. */
static int read_reply(int fd, int *status, char **reply, size_t *reply_len)
{
	size_t have = 0, cap = 4096;
	char *buf = malloc(cap + 1), *p;
	const char *body;
	size_t body_len;
	bool eof = false;
	long used = 0;
	ssize_t n;

	while (buf && !used) {
		if (have == cap) {
			p = realloc(buf, 2 * cap + 1);
			if (!p)
				break;
			buf = p;
			cap *= 2;
		}
		if (!eof) {
			n = recv(fd, buf + have, cap - have, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				free(buf);
				return errno == EAGAIN ? -ETIMEDOUT : -errno;
			}
			eof = !n;
			have += n;
		}
		used = http_parse_response(buf, have, eof, status, &body,
					   &body_len);
		if (!used && eof)
			used = -EPROTO;
		if (used > 0 && *status / 100 == 1) {
			progress(buf, used);
			memmove(buf, buf + used, have - used);
			have -= used;
			used = 0;
		}
	}
	if (!buf || used < 0) {
		free(buf);
		return buf ? -EPROTO : -ENOMEM;
	}
	memmove(buf, body, body_len);
	buf[body_len] = '\0';
	*reply = buf;
	*reply_len = body_len;
	return 0;
}

int control_call(unsigned int id, const char *method, const char *path,
		 const char *body, unsigned int timeout_s, int *status,
		 char **reply, size_t *reply_len)
{
	size_t len = body ? strlen(body) : 0;
	char *req = NULL;
	int fd, n, ret;

	fd = connect_vm(id, timeout_s);
	if (fd < 0)
		return fd;
	n = asprintf(&req,
		     "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n%s",
		     method, path,
		     len ? "Content-Type: application/json\r\n" : "", len,
		     body ? body : "");
	if (n < 0) {
		close(fd);
		return -ENOMEM;
	}
	ret = send_all(fd, req, n) ? 0 : -EPIPE;
	free(req);
	if (!ret)
		ret = read_reply(fd, status, reply, reply_len);
	close(fd);
	return ret;
}
