// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's routes: one line each in routes[], whose handler
 * route_<name>() is in route_<name>.c (the Makefile builds every
 * route_*.c) and named in the declaration above the table.  A route's path takes the requests for that path and for
 * the paths under it ("/snapshot" takes "/snapshot/create"); the longest
 * route that matches wins.  README's "The control socket" lists them
 * next to Firecracker's.
 */
#include <string.h>

#include "control.h"
#include "vmctl.h"

/* The handlers, each in its route_<name>.c. */
control_route_fn route_instance, route_machine_config, route_snapshot,
	route_vm, route_device_counters, route_balloon, route_migrate;

static const struct {
	const char *path;
	control_route_fn *fn;
} routes[] = {
	{ "/", route_instance },
	{ "/balloon", route_balloon },
	{ "/machine-config", route_machine_config },
	{ "/snapshot", route_snapshot },
	{ "/vm", route_vm },
	{ "/vmctl/device-counters", route_device_counters },
	{ "/vmctl/migrate", route_migrate },
};

/* How much of path the route takes: its length, or 0 when none of it. */
static size_t matches(const char *route, const char *path)
{
	size_t n = strlen(route);

	if (!strcmp(route, path))
		return n;
	if (n > 1 && !strncmp(route, path, n) && path[n] == '/')
		return n;
	return 0;
}

int control_dispatch(struct control_vm *cv, const struct http_request *req,
		     struct control_reply *reply)
{
	size_t i, best = 0, best_len = 0, n;

	for (i = 0; i < ARRAY_SIZE(routes); i++) {
		n = matches(routes[i].path, req->path);
		if (n > best_len) {
			best = i;
			best_len = n;
		}
	}
	if (!best_len)
		return control_fault(reply, 404, "no route %s", req->path);
	return routes[best].fn(cv, req, reply);
}
