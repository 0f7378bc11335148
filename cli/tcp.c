// SPDX-License-Identifier: GPL-2.0
/* Migration's TCP ends (tcp.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcp.h"

int tcp_addr_parse(const char *addr, int need_host, char *host,
		   size_t host_len, char *port, size_t port_len)
{
	const char *colon, *h = addr, *hend;

	if (!strncmp(addr, "tcp:", 4))
		h = addr + 4;
	colon = strrchr(h, ':');
	if (!colon && need_host)
		return -EINVAL;
	if (!colon)
		colon = h - 1;
	hend = colon;
	/* [v6]:port */
	if (colon >= h && *h == '[') {
		if (colon == h || colon[-1] != ']')
			return -EINVAL;
		h++;
		hend = colon - 1;
	}
	if (hend < h)
		hend = h;
	if ((size_t)(hend - h) >= host_len || strlen(colon + 1) >= port_len ||
	    !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    (need_host && hend == h))
		return -EINVAL;
	snprintf(host, host_len, "%.*s", (int)(hend - h), h);
	snprintf(port, port_len, "%s", colon + 1);
	return 0;
}

static int lookup(const char *addr, int passive, struct addrinfo **res,
		  const char **why)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = passive ? AI_PASSIVE : 0 };
	char host[256], port[8];
	int ret;

	if (tcp_addr_parse(addr, !passive, host, sizeof(host), port,
			   sizeof(port))) {
		*why = passive ? "not [tcp:][HOST:]PORT" : "not [tcp:]HOST:PORT";
		return -EINVAL;
	}
	ret = getaddrinfo(host[0] ? host : NULL, port, &hints, res);
	if (ret) {
		*why = gai_strerror(ret);
		return -EHOSTUNREACH;
	}
	return 0;
}

int tcp_connect(const char *addr, const char **why)
{
	struct addrinfo *res, *ai;
	int fd = -1, ret, one = 1;

	ret = lookup(addr, 0, &res, why);
	if (ret)
		return ret;
	ret = -EHOSTUNREACH;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			ret = -errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*why = strerror(-ret);
		return ret;
	}
	/* The replies are small and awaited: no Nagle delay on them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int tcp_accept_one(const char *addr, const char **why)
{
	struct addrinfo *res;
	int lfd, fd, ret, one = 1;

	ret = lookup(addr, 1, &res, why);
	if (ret)
		return ret;
	lfd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				  sizeof(one)) < 0 ||
	    bind(lfd, res->ai_addr, res->ai_addrlen) < 0 || listen(lfd, 1) < 0) {
		ret = -errno;
		*why = strerror(errno);
		freeaddrinfo(res);
		if (lfd >= 0)
			close(lfd);
		return ret;
	}
	freeaddrinfo(res);
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	ret = fd < 0 ? -errno : fd;
	if (fd < 0)
		*why = strerror(errno);
	else
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(lfd);
	return ret;
}
