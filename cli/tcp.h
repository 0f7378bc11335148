/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration's TCP ends: an address "[tcp:]HOST:PORT" (HOST a name, an
 * IPv4 address or a bracketed IPv6 one; empty or left out for the
 * destination: every address), connected to or listened on.
 */
#ifndef VMCTL_TCP_H
#define VMCTL_TCP_H

#include <stddef.h>

/*
 * addr into host (NUL: none given) and port: 0, or -EINVAL when it is
 * not [tcp:][HOST:]PORT (need_host: HOST required).  Pure.
 */
int tcp_addr_parse(const char *addr, int need_host, char *host,
		   size_t host_len, char *port, size_t port_len);
/* A connected socket (fd) or -errno, with *why saying what failed. */
int tcp_connect(const char *addr, const char **why);
/* The one connection accepted on addr (fd) or -errno, *why set. */
int tcp_accept_one(const char *addr, const char **why);

#endif /* VMCTL_TCP_H */
