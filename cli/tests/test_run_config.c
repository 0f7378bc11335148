// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl run's options in a snapshot (run_config.c): a Linux VM's and a
 * flat image's options round-trip, file names made absolute, disks,
 * network cards and the rng with theirs; values with newlines are
 * refused; bad text is refused with a message.  And vmctl snapshot's and run --restore's
 * command lines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "run_config.h"
#include "vmview.h"

#define S(s) s, strlen(s)

static void test_round_trip(void **state)
{
	struct run_opts o = {
		.name = "web", .mem = 256 << 20, .cpus = 2,
		.kernel = "/boot/vmlinuz", .initrd = "/nonexistent/initrd",
		.cmdline = "console=ttyS0 quiet", .no_reboot = true,
		.no_merge = true, .no_paravirt = true, .pic_pit = true,
		.load = VMCTL_ENTRY_DEFAULT, .entry = VMCTL_ENTRY_DEFAULT,
	}, back;
	char *buf, *cwd, why[128], want[4200];
	size_t len;

	(void)state;
	assert_int_equal(run_config_format(&o, &buf, &len), 0);
	assert_string_equal(buf,
			    "vmctl-run 1\nname=web\nmem=268435456\nmem-prealloc=0\n"
			    "no-merge=1\ncpus=2\nkernel=/boot/vmlinuz\ninitrd=/nonexistent/initrd\n"
			    "cmdline=console=ttyS0 quiet\nno-reboot=1\nno-paravirt=1\npic-pit=1\n"
			    "rng=0\n");
	assert_int_equal(run_config_parse(buf, len, &back, why, sizeof(why)),
			 0);
	assert_string_equal(back.name, "web");
	assert_true(back.mem == 256 << 20);
	assert_int_equal(back.cpus, 2);
	assert_string_equal(back.kernel, "/boot/vmlinuz");
	assert_string_equal(back.cmdline, "console=ttyS0 quiet");
	assert_true(back.no_reboot);
	assert_true(back.no_merge);
	assert_true(back.no_paravirt);
	assert_true(back.pic_pit);
	assert_false(back.mem_prealloc);
	assert_null(back.image);
	free(buf);

	/* A flat image, named relative to the cwd: absolute in the file. */
	o = (struct run_opts){ .mem = 1 << 20, .cpus = 1, .image = ".",
			       .load = 0x7c00, .entry = 0x7c00 };
	assert_int_equal(run_config_format(&o, &buf, &len), 0);
	cwd = getcwd(NULL, 0);
	snprintf(want, sizeof(want), "\nimage=%s\nload=31744\nentry=31744\n",
		 cwd);
	free(cwd);
	assert_non_null(strstr(buf, want));
	assert_int_equal(run_config_parse(buf, len, &back, why, sizeof(why)),
			 0);
	assert_true(back.load == 0x7c00 && back.entry == 0x7c00);
	assert_null(back.name);
	free(buf);
}

/* Disks, network cards and the rng, with their options. */
static void test_devices(void **state)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 0x2a };
	struct run_opts o = {
		.mem = 1 << 20, .cpus = 1, .kernel = "/k", .rng = true,
		.nr_disks = 2, .nr_nets = 2,
	}, back;
	char *buf, why[128];
	size_t len;

	(void)state;
	o.disks[0] = (struct vmctl_disk){ .path = "/img/root", .read_only = 1,
					  .serial = "root" };
	o.disks[1] = (struct vmctl_disk){ .path = "/img/data", .direct = 1 };
	o.nets[0] = (struct vmctl_net){ .tap = "tap0", .mac = mac };
	o.nets[1] = (struct vmctl_net){ 0 };
	assert_int_equal(run_config_format(&o, &buf, &len), 0);
	assert_non_null(strstr(buf,
			       "disk=/img/root\ndisk-ro=1\ndisk-direct=0\ndisk-serial=root\n"
			       "disk=/img/data\ndisk-ro=0\ndisk-direct=1\n"
			       "net=tap0\nnet-mac=02:00:00:00:00:2a\nnet=\nrng=1\n"));
	assert_int_equal(run_config_parse(buf, len, &back, why, sizeof(why)),
			 0);
	free(buf);
	assert_int_equal(back.nr_disks, 2);
	assert_string_equal(back.disks[0].path, "/img/root");
	assert_int_equal(back.disks[0].read_only, 1);
	assert_string_equal(back.disks[0].serial, "root");
	assert_int_equal(back.disks[1].direct, 1);
	assert_null(back.disks[1].serial);
	assert_int_equal(back.nr_nets, 2);
	assert_string_equal(back.nets[0].tap, "tap0");
	assert_memory_equal(back.nets[0].mac, mac, 6);
	assert_null(back.nets[1].tap);
	assert_null(back.nets[1].mac);
	assert_true(back.rng);

	/* Taken for a restore: this host's taps, the MACs kept. */
	assert_int_equal(run_config_format(&o, &buf, &len), 0);
	back = (struct run_opts){ .restore = "f", .nr_nets = 2 };
	back.nets[0].tap = "here0";
	assert_int_equal(run_config_take(&back, buf, len, why, sizeof(why)),
			 0);
	assert_string_equal(back.restore, "f");
	assert_int_equal(back.nr_disks, 2);
	assert_string_equal(back.nets[0].tap, "here0");
	assert_null(back.nets[1].tap);
	assert_ptr_equal(back.nets[0].mac, back.macs[0]);
	assert_memory_equal(back.nets[0].mac, mac, 6);
	back = (struct run_opts){ .restore = "f", .nr_nets = 1 };
	assert_int_equal(run_config_take(&back, buf, len, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "--net given 1 times, for a VM with 2 network cards");
	free(buf);
	/* Options before their device, a bad MAC. */
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\ndisk-ro=1\n"),
					  &back, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\nnet-mac=02:00:00:00:00:01\n"),
					  &back, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\nnet=\nnet-mac=02:00:00:00:00:01x\n"),
					  &back, why, sizeof(why)), -EINVAL);
}

/* --balloon's size and options; none without it. */
static void test_balloon(void **state)
{
	struct run_opts o = {
		.mem = 1 << 30, .cpus = 1, .kernel = "/k", .has_balloon = true,
		.balloon = { .size = 8 << 20, .no_deflate_on_oom = 1,
			     .no_stats = 1 },
	}, back;
	static const char *const bad[] = {
		"vmctl-run 1\nmem=4096\nkernel=/k\nballoon-no-stats=1\n",
		"vmctl-run 1\nmem=4096\nkernel=/k\nballoon=0\nballoon=0\n",
		"vmctl-run 1\nmem=4096\nkernel=/k\nballoon=100\n",
		"vmctl-run 1\nmem=4096\nkernel=/k\nballoon=0\nballoon-no-report=2\n",
	};
	char *buf, why[128];
	size_t len, i;

	(void)state;
	assert_int_equal(run_config_format(&o, &buf, &len), 0);
	assert_non_null(strstr(buf,
			       "rng=0\nballoon=8388608\nballoon-no-deflate-on-oom=1\n"
			       "balloon-no-report=0\nballoon-no-stats=1\n"));
	assert_int_equal(run_config_parse(buf, len, &back, why, sizeof(why)),
			 0);
	free(buf);
	assert_true(back.has_balloon);
	assert_true(back.balloon.size == 8 << 20);
	assert_int_equal(back.balloon.no_deflate_on_oom, 1);
	assert_int_equal(back.balloon.no_free_page_reporting, 0);
	assert_int_equal(back.balloon.no_stats, 1);
	o.has_balloon = false;
	assert_int_equal(run_config_format(&o, &buf, &len), 0);
	assert_null(strstr(buf, "balloon"));
	free(buf);
	/* An option before the balloon, two, a size not in 4K, a flag 2. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(run_config_parse(S(bad[i]), &back, why,
						  sizeof(why)), -EINVAL);
}

static void test_refused(void **state)
{
	struct run_opts o = { .mem = 1 << 20, .cpus = 1, .kernel = "/k" };
	char *buf, why[128];
	size_t len;

	(void)state;
	o.cmdline = "a\nb";
	assert_int_equal(run_config_format(&o, &buf, &len), -EINVAL);

	assert_int_equal(run_config_parse(S("vmctl-run 2\nmem=4096\n"), &o,
					  why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "not a snapshot of vmctl run");
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nfloppy=/x\nkernel=/k\n"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad line in the snapshot's run options: 'floppy'");
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4097\nkernel=/k\n"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\ncpus=65\nmem=4096\nkernel=/k\n"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\n"), &o,
					  why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "the snapshot's run options name no image");
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\nelf=/e\n"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\nkernel=/k\n"), &o,
					  why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "the snapshot's run options give no memory size");
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\nno-reboot=2\n"),
					  &o, why, sizeof(why)), -EINVAL);
	/* A string given twice: damage, not the last one kept. */
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\nkernel=/j\n"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad line in the snapshot's run options: 'kernel'");
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\nname=a\nname=b\n"),
					  &o, why, sizeof(why)), -EINVAL);
	assert_int_equal(run_config_parse(S("vmctl-run 1\nmem=4096\nkernel=/k\ndisk=/d\n"
					    "disk-serial=a\ndisk-serial=b\n"),
					  &o, why, sizeof(why)), -EINVAL);
}

static void test_command_lines(void **state)
{
	struct snapshot_opts so;
	struct run_opts o;

	capture(state);
	assert_int_equal(snapshot_parse(ARGC("snapshot", "--stop", "vm1", "f"),
					ARGV("snapshot", "--stop", "vm1", "f"),
					&so), PARSE_OK);
	assert_true(so.stop);
	assert_string_equal(so.target, "vm1");
	assert_string_equal(so.file, "f");
	assert_int_equal(snapshot_parse(ARGC("snapshot", "vm1", "f"),
					ARGV("snapshot", "vm1", "f"), &so),
			 PARSE_OK);
	assert_false(so.stop);
	assert_int_equal(snapshot_parse(ARGC("snapshot", "vm1"),
					ARGV("snapshot", "vm1"), &so),
			 PARSE_ERROR);
	assert_int_equal(snapshot_parse(ARGC("snapshot", "-x", "vm1", "f"),
					ARGV("snapshot", "-x", "vm1", "f"),
					&so), PARSE_ERROR);
	assert_int_equal(snapshot_parse(ARGC("snapshot", "-h"),
					ARGV("snapshot", "-h"), &so),
			 PARSE_HELP);

	assert_int_equal(run_parse(ARGC("run", "--restore", "f", "--name", "n",
					"--console", "log"),
				   ARGV("run", "--restore", "f", "--name", "n",
					"--console", "log"), &o), PARSE_OK);
	assert_string_equal(o.restore, "f");
	assert_int_equal(run_parse(ARGC("run", "--restore", "f", "--mem", "1M"),
				   ARGV("run", "--restore", "f", "--mem", "1M"),
				   &o), PARSE_ERROR);
	assert_non_null(strstr(errors(), "--restore takes only --name, --console and --net"));
	/* This host's taps for the cards, but not another MAC. */
	assert_int_equal(run_parse(ARGC("run", "--restore", "f", "--net",
					"tap=t0", "--net", "tap"),
				   ARGV("run", "--restore", "f", "--net",
					"tap=t0", "--net", "tap"), &o), PARSE_OK);
	assert_int_equal(o.nr_nets, 2);
	assert_string_equal(o.nets[0].tap, "t0");
	assert_null(o.nets[1].tap);
	assert_int_equal(run_parse(ARGC("run", "--restore", "f", "--net",
					"tap,mac=02:00:00:00:00:01"),
				   ARGV("run", "--restore", "f", "--net",
					"tap,mac=02:00:00:00:00:01"), &o),
			 PARSE_ERROR);
	assert_non_null(strstr(errors(), "a card keeps the MAC its guest knows"));
	assert_int_equal(run_parse(ARGC("run", "--restore", "f", "--kernel", "k"),
				   ARGV("run", "--restore", "f", "--kernel", "k"),
				   &o), PARSE_ERROR);
	release(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_balloon),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_command_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
