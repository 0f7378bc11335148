/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket of a running VM: `vmctl run` serves a subset of
 * Firecracker's HTTP API (README, "The control socket") on a unix socket
 * named after the VM's id in the runtime directory, and the commands
 * that act on a running VM (stats, pause, resume, snapshot) are its
 * clients.  One socket per VM, owned by the process holding the VM, as
 * Firecracker's API socket and QEMU's QMP socket are.
 *
 * The runtime directory: $VMCTL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/vmctl,
 * else /run/vmctl for root (when /run exists) and /tmp/vmctl-UID
 * otherwise; made mode 0700, so only its owner reaches the sockets.  A
 * socket left by a `vmctl run` that was killed is replaced by the next
 * VM of that id.
 *
 * Routes: one file each, route_<name>.c with its handler route_<name>(),
 * and one line in control_routes.c's table (and the handler's name in
 * the declaration above it).  Requests are served one at
 * a time on one thread, so handlers need no lock among themselves; they
 * run while the vCPUs run.
 */
#ifndef VMCTL_CONTROL_H
#define VMCTL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "http.h"

struct vmctl_vm;
struct run_opts;

/* What the routes act on: the VM that `vmctl run` holds. */
struct control_vm {
	struct vmctl_vm *vm;
	unsigned int id;
	const char *name;
	const struct run_opts *opts;	/* how it was started */
	bool migrated;			/* handed over: vmctl run ends, 0 */
};

/* What a handler answers besides its status: a body, and its type. */
struct control_reply {
	FILE *body;			/* empty for 204 */
	const char *content_type;	/* "application/json" unless changed */
	/*
	 * An interim answer before it, "102 Processing" with the field
	 * "Vmctl-Progress: line", for a long request (a migration) whose
	 * client asked for its progress; NULL where there is no client
	 * to tell (the unit tests).  False: the client has gone.
	 */
	bool (*progress)(struct control_reply *reply, const char *line);
	int fd;				/* the client's, for progress */
};

/* A route's handler: returns the HTTP status. */
typedef int control_route_fn(struct control_vm *cv,
			     const struct http_request *req,
			     struct control_reply *reply);

/*
 * Firecracker's error body, {"fault_message": "..."}, into reply;
 * returns status.
 */
int control_fault(struct control_reply *reply, int status, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));
/*
 * The request's body is a JSON object with only fields among known
 * (NULL-terminated): 0, else the 400 reply made and its status.
 */
int control_check_body(const struct http_request *req,
		       const char *const *known, struct control_reply *reply);

/* control_routes.c: the route for req's path, or a 404 reply. */
int control_dispatch(struct control_vm *cv, const struct http_request *req,
		     struct control_reply *reply);

/* The socket of VM id into buf: 0, -ENAMETOOLONG, -errno of the dir. */
int control_socket_path(unsigned int id, char *buf, size_t len);

/*
 * vmctl run: serve cv's VM at its socket on a thread of its own until
 * control_stop().  NULL (with a warning on stderr) when the socket
 * cannot be made: the VM runs all the same.
 */
struct control_server;
struct control_server *control_serve(struct control_vm *cv);
void control_stop(struct control_server *s);

/*
 * A client's request to VM id's socket: the reply's status and body
 * (malloc'd, NUL-terminated; free it).  body may be NULL.  timeout_s:
 * how long to wait for the answer (0: as long as it takes).  The
 * Vmctl-Progress field of each interim answer (102) before it is
 * printed on stderr, a line each.  -ENOENT
 * when nobody serves that VM (another program holds it, or an older
 * vmctl), -EPROTO for an answer that is not HTTP, else -errno.
 */
int control_call(unsigned int id, const char *method, const char *path,
		 const char *body, unsigned int timeout_s, int *status,
		 char **reply, size_t *reply_len);

#endif /* VMCTL_CONTROL_H */
