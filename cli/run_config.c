// SPDX-License-Identifier: GPL-2.0
/* vmctl run's options in a snapshot (see run_config.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vmctl.h>

#include "run_config.h"
#include "vmctl.h"

#define CONFIG_MAGIC	"vmctl-run 1\n"

static int put_str(FILE *f, const char *key, const char *v)
{
	if (!v)
		return 0;
	if (strchr(v, '\n'))
		return -EINVAL;
	fprintf(f, "%s=%s\n", key, v);
	return 0;
}

/* A file name made absolute (the restoring process may run elsewhere). */
static char *absolute(const char *path)
{
	char *abs = path ? realpath(path, NULL) : NULL;

	return abs ? abs : path ? strdup(path) : NULL;
}

/* The disks and network cards, each a line and its options' lines. */
static int put_devices(FILE *f, const struct run_opts *o)
{
	unsigned int i;
	char *path;
	int ret = 0;

	for (i = 0; i < o->nr_disks && !ret; i++) {
		const struct vmctl_disk *d = &o->disks[i];

		path = absolute(d->path);
		ret = path ? put_str(f, "disk", path) : -ENOMEM;
		free(path);
		fprintf(f, "disk-ro=%d\ndisk-direct=%d\n", !!d->read_only,
			!!d->direct);
		if (!ret)
			ret = put_str(f, "disk-serial", d->serial);
	}
	for (i = 0; i < o->nr_nets && !ret; i++) {
		const unsigned char *m = o->nets[i].mac;

		ret = put_str(f, "net", o->nets[i].tap ? o->nets[i].tap : "");
		if (m)
			fprintf(f, "net-mac=%02x:%02x:%02x:%02x:%02x:%02x\n",
				m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	fprintf(f, "rng=%d\n", o->rng);
	if (o->has_balloon)
		fprintf(f, "balloon=%" PRIu64 "\nballoon-no-deflate-on-oom=%d\n"
			"balloon-no-report=%d\nballoon-no-stats=%d\n",
			o->balloon.size, !!o->balloon.no_deflate_on_oom,
			!!o->balloon.no_free_page_reporting,
			!!o->balloon.no_stats);
	return ret;
}

int run_config_format(const struct run_opts *o, char **buf, size_t *len)
{
	char *image = absolute(o->image), *elf = absolute(o->elf);
	char *kernel = absolute(o->kernel), *initrd = absolute(o->initrd);
	FILE *f;
	int ret = 0;

	f = open_memstream(buf, len);
	if (!ret && !f)
		ret = -ENOMEM;
	if (f) {
		fputs(CONFIG_MAGIC, f);
		ret = put_str(f, "name", o->name);
		fprintf(f, "mem=%" PRIu64 "\nmem-prealloc=%d\nno-merge=%d\ncpus=%u\n",
			o->mem, o->mem_prealloc, o->no_merge, o->cpus);
		ret = ret ? ret : put_str(f, "image", image);
		if (o->image)
			fprintf(f, "load=%" PRIu64 "\nentry=%" PRIu64 "\n",
				o->load, o->entry);
		ret = ret ? ret : put_str(f, "elf", elf);
		ret = ret ? ret : put_str(f, "kernel", kernel);
		ret = ret ? ret : put_str(f, "initrd", initrd);
		ret = ret ? ret : put_str(f, "cmdline", o->cmdline);
		fprintf(f, "no-reboot=%d\nno-paravirt=%d\npic-pit=%d\n",
			o->no_reboot, o->no_paravirt, o->pic_pit);
		ret = ret ? ret : put_devices(f, o);
		if (fclose(f))
			ret = ret ? ret : -ENOMEM;
		if (ret) {
			free(*buf);
			*buf = NULL;
		}
	}
	free(image);
	free(elf);
	free(kernel);
	free(initrd);
	return ret;
}

static int number(const char *v, uint64_t max, uint64_t *out)
{
	return parse_u64(v, out) || *out > max ? -EINVAL : 0;
}

/* The balloon's line, or one of its options after it. */
static int take_balloon(struct run_opts *o, const char *key, const char *v)
{
	struct vmctl_balloon *b = &o->balloon;
	int *flag;
	uint64_t n;

	if (!strcmp(key, "balloon")) {
		if (o->has_balloon || number(v, VMCTL_MAX_MEM_SIZE, &n) ||
		    n % 4096)
			return -EINVAL;
		o->has_balloon = true;
		b->size = n;
		return 0;
	}
	flag = !strcmp(key, "balloon-no-deflate-on-oom") ? &b->no_deflate_on_oom :
	       !strcmp(key, "balloon-no-report") ? &b->no_free_page_reporting :
	       !strcmp(key, "balloon-no-stats") ? &b->no_stats : NULL;
	if (!flag || !o->has_balloon || number(v, 1, &n))
		return -EINVAL;
	*flag = n;
	return 0;
}

/*
 * A string option into *field, which a config gives once: a second one
 * is damage (and would leak the first).
 */
static int set_once(const char **field, const char *v)
{
	if (*field)
		return -EINVAL;
	*field = strdup(v);
	return *field ? 0 : -ENOMEM;
}

/* A disk's or a network card's line, or one of their options. */
static int take_device(struct run_opts *o, const char *key, const char *v)
{
	struct vmctl_disk *d = o->nr_disks ? &o->disks[o->nr_disks - 1] : NULL;
	uint64_t n;

	if (!strcmp(key, "disk")) {
		if (o->nr_disks == RUN_MAX_DISKS || !v[0])
			return -EINVAL;
		o->disks[o->nr_disks++] = (struct vmctl_disk){ .path = strdup(v) };
	} else if (!strcmp(key, "disk-ro") || !strcmp(key, "disk-direct")) {
		if (!d || number(v, 1, &n))
			return -EINVAL;
		*(key[5] == 'r' ? &d->read_only : &d->direct) = n;
	} else if (!strcmp(key, "disk-serial")) {
		if (!d || strlen(v) > 20)
			return -EINVAL;
		return set_once(&d->serial, v);
	} else if (!strcmp(key, "net")) {
		if (o->nr_nets == RUN_MAX_NETS || strlen(v) >= 16)
			return -EINVAL;
		o->nets[o->nr_nets++] = (struct vmctl_net){
			.tap = v[0] ? strdup(v) : NULL,
		};
	} else if (!strcmp(key, "net-mac")) {
		unsigned char *m;
		int end = 0;

		if (!o->nr_nets)
			return -EINVAL;
		m = o->macs[o->nr_nets - 1];
		if (sscanf(v, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &m[0],
			   &m[1], &m[2], &m[3], &m[4], &m[5], &end) != 6 ||
		    end != 17 || v[end])
			return -EINVAL;
		o->nets[o->nr_nets - 1].mac = m;
	} else if (!strcmp(key, "rng")) {
		if (number(v, 1, &n))
			return -EINVAL;
		o->rng = n;
	} else {
		return take_balloon(o, key, v);
	}
	return 0;
}

/* One "key=value" into o. */
static int take(struct run_opts *o, const char *key, char *v)
{
	uint64_t n;

	if (!strcmp(key, "name")) {
		if (strlen(v) >= VMCTL_NAME_LEN)
			return -EINVAL;
		return set_once(&o->name, v);
	} else if (!strcmp(key, "mem")) {
		if (number(v, VMCTL_MAX_MEM_SIZE, &o->mem) || !o->mem ||
		    o->mem % 4096)
			return -EINVAL;
	} else if (!strcmp(key, "cpus")) {
		if (number(v, VMCTL_MAX_VCPUS, &n) || !n)
			return -EINVAL;
		o->cpus = n;
	} else if (!strcmp(key, "mem-prealloc")) {
		if (number(v, 1, &n))
			return -EINVAL;
		o->mem_prealloc = n;
	} else if (!strcmp(key, "no-reboot") || !strcmp(key, "no-merge")) {
		if (number(v, 1, &n))
			return -EINVAL;
		*(key[3] == 'r' ? &o->no_reboot : &o->no_merge) = n;
	} else if (!strcmp(key, "no-paravirt") || !strcmp(key, "pic-pit")) {
		if (number(v, 1, &n))
			return -EINVAL;
		*(key[0] == 'n' ? &o->no_paravirt : &o->pic_pit) = n;
	} else if (!strcmp(key, "load") || !strcmp(key, "entry")) {
		if (parse_u64(v, key[0] == 'l' ? &o->load : &o->entry))
			return -EINVAL;
	} else if (!strcmp(key, "image")) {
		return set_once(&o->image, v);
	} else if (!strcmp(key, "elf")) {
		return set_once(&o->elf, v);
	} else if (!strcmp(key, "kernel")) {
		return set_once(&o->kernel, v);
	} else if (!strcmp(key, "initrd")) {
		return set_once(&o->initrd, v);
	} else if (!strcmp(key, "cmdline")) {
		return set_once(&o->cmdline, v);
	} else {
		return take_device(o, key, v);
	}
	return 0;
}

int run_config_parse(const char *buf, size_t len, struct run_opts *o,
		     char *why, size_t why_len)
{
	char *text, *line, *next, *eq;
	int ret = 0;

	*o = (struct run_opts){
		.cpus = 1,
		.load = VMCTL_ENTRY_DEFAULT, .entry = VMCTL_ENTRY_DEFAULT,
	};
	if (len < strlen(CONFIG_MAGIC) ||
	    memcmp(buf, CONFIG_MAGIC, strlen(CONFIG_MAGIC)) ||
	    memchr(buf, '\0', len) || buf[len - 1] != '\n') {
		snprintf(why, why_len, "not a snapshot of vmctl run");
		return -EINVAL;
	}
	text = strndup(buf + strlen(CONFIG_MAGIC), len - strlen(CONFIG_MAGIC));
	if (!text)
		return -ENOMEM;
	for (line = text; *line && !ret; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		eq = strchr(line, '=');
		if (eq)
			*eq = '\0';
		if (!eq || take(o, line, eq + 1)) {
			snprintf(why, why_len, "bad line in the snapshot's run options: '%s'",
				 line);
			ret = -EINVAL;
		}
	}
	free(text);
	if (!ret && !!o->image + !!o->elf + !!o->kernel != 1) {
		snprintf(why, why_len, "the snapshot's run options name no image");
		ret = -EINVAL;
	}
	if (!ret && !o->mem) {
		snprintf(why, why_len, "the snapshot's run options give no memory size");
		ret = -EINVAL;
	}
	return ret;
}

int run_config_take(struct run_opts *o, const char *buf, size_t len,
		    char *why, size_t why_len)
{
	struct run_opts saved;
	unsigned int i;
	int ret = run_config_parse(buf, len, &saved, why, why_len);

	if (ret)
		return ret;
	if (o->nr_nets && o->nr_nets != saved.nr_nets) {
		snprintf(why, why_len, "--net given %u times, for a VM with %u network cards",
			 o->nr_nets, saved.nr_nets);
		return -EINVAL;
	}
	for (i = 0; i < o->nr_nets; i++)
		saved.nets[i].tap = o->nets[i].tap;
	saved.restore = o->restore;
	saved.incoming = o->incoming;
	saved.console = o->console;
	if (o->name)
		saved.name = o->name;
	*o = saved;
	/* A card's MAC points into its struct's macs: now o's. */
	for (i = 0; i < o->nr_nets; i++)
		if (o->nets[i].mac)
			o->nets[i].mac = o->macs[i];
	return 0;
}
