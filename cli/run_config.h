/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How `vmctl run` made a VM, as the text a snapshot carries in its
 * CONFIG section, so that `vmctl run --restore` makes the same VM again:
 * a first line "vmctl-run 1", then one "key=value" line per option
 * (name, mem, mem-prealloc, no-merge, cpus, image, load, entry, elf, kernel,
 * initrd, cmdline, no-reboot; each disk, then its disk-ro, disk-direct
 * and disk-serial; each net (its tap's name, empty for one made for the
 * VM), then its net-mac; rng; with --balloon, balloon (its size) then
 * balloon-no-deflate-on-oom, balloon-no-report and balloon-no-stats).
 * Paths are absolute.  Pure functions.
 */
#ifndef VMCTL_RUN_CONFIG_H
#define VMCTL_RUN_CONFIG_H

#include <stddef.h>

struct run_opts;

/*
 * o's options as text into *buf (malloc'd), its length in *len: 0, or
 * -EINVAL when a value holds a newline.
 */
int run_config_format(const struct run_opts *o, char **buf, size_t *len);
/*
 * The text back into o (strings malloc'd; leaked with o, as the
 * options of one run are): 0, or -EINVAL with a message in why.
 */
int run_config_parse(const char *buf, size_t len, struct run_opts *o,
		     char *why, size_t why_len);
/*
 * `vmctl run --restore` or `--incoming`: the text's options into *o but
 * what o has of its own: restore, incoming, console, the name if given,
 * and the taps of this host when --net was given once per card (each
 * card's MAC stays the text's).  0, or -EINVAL with a message in why.
 */
int run_config_take(struct run_opts *o, const char *buf, size_t len,
		    char *why, size_t why_len);

#endif /* VMCTL_RUN_CONFIG_H */
