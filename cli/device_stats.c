// SPDX-License-Identifier: GPL-2.0
/*
 * The device models' counters for `vmctl stats`, read through the VM's
 * control socket (see device_stats.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "device_stats.h"
#include "vmctl.h"

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
	char *reply, *line, *next;
	size_t len;
	int status, ret;

	out->n = 0;
	ret = control_call(id, "GET", "/vmctl/device-counters", NULL,
			   DEVICE_STATS_TIMEOUT_S, &status, &reply, &len);
	if (ret)
		return ret;
	for (line = reply; status == 200 && *line && out->n < DEVICE_STATS_MAX;
	     line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			next++;
		if (device_stats_parse_line(line, &out->c[out->n]))
			out->n++;
	}
	free(reply);
	return status == 200 ? 0 : -EPROTO;
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
