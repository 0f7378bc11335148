// SPDX-License-Identifier: GPL-2.0
/* Option parsing of every command, good values and bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmctl/libvmctl.h>

#include "vmctl.h"
#include "capture.h"

#define RUN(o, ...) run_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

static void expect_run_error(int argc, char **argv, const char *msg)
{
	struct run_opts o;

	assert_int_equal(run_parse(argc, argv, &o), PARSE_ERROR);
	if (!strstr(errors(), msg))
		fail_msg("\"%s\" not in \"%s\"", msg, errors());
	assert_non_null(strstr(errors(), "Try 'vmctl run --help'"));
}

#define RUN_ERROR(msg, ...) \
	expect_run_error(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), msg)

static void test_run_defaults(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--image", "g.bin"), PARSE_OK);
	assert_string_equal(o.image, "g.bin");
	assert_null(o.elf);
	assert_null(o.name);
	assert_null(o.console);
	assert_true(o.mem == RUN_DEFAULT_MEM);
	assert_false(o.mem_prealloc);
	assert_int_equal(o.cpus, 1);
	assert_true(o.load == VMCTL_ENTRY_DEFAULT);
	assert_true(o.entry == VMCTL_ENTRY_DEFAULT);
}

static void test_run_mem_prealloc(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--mem", "64M", "--mem-prealloc",
			     "--image", "g.bin"), PARSE_OK);
	assert_true(o.mem_prealloc);
	assert_true(o.mem == 64ULL << 20);
	RUN_ERROR("mem-prealloc", "run", "--mem-prealloc=yes", "--image",
		  "g.bin");
}

static void test_run_balloon_merge(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--kernel", "bz"), PARSE_OK);
	assert_false(o.has_balloon);
	assert_false(o.no_merge);
	assert_int_equal(RUN(&o, "run", "--kernel", "bz", "--balloon", "0",
			     "--no-merge"), PARSE_OK);
	assert_true(o.has_balloon);
	assert_true(o.no_merge);
	assert_true(o.balloon.size == 0);
	assert_false(o.balloon.no_deflate_on_oom);
	assert_false(o.balloon.no_free_page_reporting);
	assert_false(o.balloon.no_stats);
	assert_int_equal(RUN(&o, "run", "--kernel", "bz", "--balloon",
			     "64M,no-report,no-stats,no-deflate-on-oom"),
			 PARSE_OK);
	assert_true(o.balloon.size == 64ULL << 20);
	assert_true(o.balloon.no_deflate_on_oom);
	assert_true(o.balloon.no_free_page_reporting);
	assert_true(o.balloon.no_stats);
	RUN_ERROR("--balloon: 'lots' is not a size (a number with an optional K, M, G or T suffix)",
		  "run", "--kernel", "bz", "--balloon", "lots");
	RUN_ERROR("--balloon: '1000' is not a multiple of 4K", "run",
		  "--kernel", "bz", "--balloon", "1000,no-report");
	RUN_ERROR("--balloon: unknown option 'report' in '4K,report' (no-deflate-on-oom, no-report, no-stats)",
		  "run", "--kernel", "bz", "--balloon", "4K,report");
	RUN_ERROR("--balloon: ',no-report' gives no size",
		  "run", "--kernel", "bz", "--balloon", ",no-report");
}

static void test_run_disks(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--kernel", "bz", "--disk", "a.img",
			     "-d", "/dev/sdb,ro,direct,serial=abc,def",
			     "--disk", "c.img,serial=", "--rng"), PARSE_ERROR);
	assert_int_equal(RUN(&o, "run", "--kernel", "bz", "--disk", "a.img",
			     "-d", "/dev/sdb,ro,direct,serial=abc",
			     "--disk", "c.img,serial=", "--rng"), PARSE_OK);
	assert_int_equal(o.nr_disks, 3);
	assert_string_equal(o.disks[0].path, "a.img");
	assert_false(o.disks[0].read_only);
	assert_false(o.disks[0].direct);
	assert_null(o.disks[0].serial);
	assert_string_equal(o.disks[1].path, "/dev/sdb");
	assert_true(o.disks[1].read_only);
	assert_true(o.disks[1].direct);
	assert_string_equal(o.disks[1].serial, "abc");
	assert_string_equal(o.disks[2].serial, "");
	assert_true(o.rng);
	assert_int_equal(RUN(&o, "run", "--kernel", "bz"), PARSE_OK);
	assert_int_equal(o.nr_disks, 0);
	assert_false(o.rng);
}

static void test_run_disk_errors(void **state)
{
	(void)state;
	RUN_ERROR("--disk: ',ro' names no file", "run", "--kernel", "bz",
		  "--disk", ",ro");
	RUN_ERROR("--disk: unknown option 'rw' in 'a.img,rw' (ro, direct, serial=S)",
		  "run", "--kernel", "bz", "--disk", "a.img,rw");
	RUN_ERROR("--disk: unknown option '' in 'a.img,'", "run", "--kernel",
		  "bz", "--disk", "a.img,");
	RUN_ERROR("--disk: serial '123456789012345678901' is longer than 20 bytes",
		  "run", "--kernel", "bz", "--disk",
		  "a.img,serial=123456789012345678901");
	RUN_ERROR("--disk: at most 16 disks", "run", "--kernel", "bz",
		  "-d", "a", "-d", "a", "-d", "a", "-d", "a", "-d", "a", "-d", "a",
		  "-d", "a", "-d", "a", "-d", "a", "-d", "a", "-d", "a", "-d", "a",
		  "-d", "a", "-d", "a", "-d", "a", "-d", "a", "-d", "a");
	RUN_ERROR("option '--disk' needs a value", "run", "--kernel",
		  "bz", "--disk");
}

static void test_run_nets(void **state)
{
	static const unsigned char mac[6] = { 0x02, 0xab, 0, 0, 0, 0x15 };
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--kernel", "bz", "--net", "tap",
			     "--net", "tap=tap0", "--net", "tap,mac=02:AB:00:00:00:15",
			     "--net", "tap=br-tap.1,mac=02:00:00:00:00:01"),
			 PARSE_OK);
	assert_int_equal(o.nr_nets, 4);
	assert_null(o.nets[0].tap);
	assert_null(o.nets[0].mac);
	assert_string_equal(o.nets[1].tap, "tap0");
	assert_null(o.nets[1].mac);
	assert_null(o.nets[2].tap);
	assert_memory_equal(o.nets[2].mac, mac, 6);
	assert_string_equal(o.nets[3].tap, "br-tap.1");
	assert_int_equal(o.nets[3].mac[5], 1);
	assert_int_equal(RUN(&o, "run", "--kernel", "bz"), PARSE_OK);
	assert_int_equal(o.nr_nets, 0);
}

static void test_run_net_errors(void **state)
{
	(void)state;
	RUN_ERROR("--net: 'user' is not tap[=NAME][,mac=MAC]", "run",
		  "--kernel", "bz", "--net", "user");
	RUN_ERROR("--net: 'tapx' is not tap[=NAME][,mac=MAC]", "run",
		  "--kernel", "bz", "--net", "tapx");
	RUN_ERROR("--net: '' is not an interface name (1 to 15 characters)",
		  "run", "--kernel", "bz", "--net", "tap=");
	RUN_ERROR("--net: '0123456789abcdef' is not an interface name",
		  "run", "--kernel", "bz", "--net", "tap=0123456789abcdef");
	RUN_ERROR("--net: unknown option 'model=e1000' in 'tap,model=e1000' (mac=MAC)",
		  "run", "--kernel", "bz", "--net", "tap,model=e1000");
	RUN_ERROR("--net: '02:00:00:00:00' is not a MAC address", "run",
		  "--kernel", "bz", "--net", "tap,mac=02:00:00:00:00");
	RUN_ERROR("--net: '02-00-00-00-00-01' is not a MAC address", "run",
		  "--kernel", "bz", "--net", "tap,mac=02-00-00-00-00-01");
	RUN_ERROR("--net: '0g:00:00:00:00:01' is not a MAC address", "run",
		  "--kernel", "bz", "--net", "tap,mac=0g:00:00:00:00:01");
	RUN_ERROR("--net: '01:00:5e:00:00:01' is not a unicast address", "run",
		  "--kernel", "bz", "--net", "tap,mac=01:00:5e:00:00:01");
	RUN_ERROR("--net: '00:00:00:00:00:00' is not a unicast address", "run",
		  "--kernel", "bz", "--net", "tap,mac=00:00:00:00:00:00");
	RUN_ERROR("--net: at most 8 cards", "run", "--kernel", "bz",
		  "--net", "tap", "--net", "tap", "--net", "tap", "--net", "tap",
		  "--net", "tap", "--net", "tap", "--net", "tap", "--net", "tap",
		  "--net", "tap");
	RUN_ERROR("option '--net' needs a value", "run", "--kernel", "bz",
		  "--net");
}

static void test_run_all_options(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--name", "demo", "--mem", "2M",
			     "--cpus", "4", "--image", "hello.bin", "--load",
			     "0x1000", "--entry", "4100", "--console", "log"),
			 PARSE_OK);
	assert_string_equal(o.name, "demo");
	assert_int_equal(o.mem, 2 << 20);
	assert_int_equal(o.cpus, 4);
	assert_int_equal(o.load, 0x1000);
	assert_int_equal(o.entry, 4100);
	assert_string_equal(o.console, "log");

	/* short forms and --opt=value */
	assert_int_equal(RUN(&o, "run", "-n", "x", "-m", "0x200000", "-c",
			     "0x2", "-E", "k.elf", "-o", "f"), PARSE_OK);
	assert_string_equal(o.elf, "k.elf");
	assert_int_equal(o.mem, 0x200000);
	assert_int_equal(o.cpus, 2);
	assert_int_equal(RUN(&o, "run", "--elf=k.elf", "--mem=1G"), PARSE_OK);
	assert_true(o.mem == 1ULL << 30);
}

static void test_run_help(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--help"), PARSE_HELP);
	assert_int_equal(RUN(&o, "run", "--image", "x", "-h"), PARSE_HELP);
}

static void test_run_bad_mem(void **state)
{
	(void)state;
	RUN_ERROR("--mem: 'lots' is not a size", "run", "--image", "x",
		  "--mem", "lots");
	RUN_ERROR("--mem: '0' is not a non-zero multiple of 4K", "run",
		  "--image", "x", "--mem", "0");
	RUN_ERROR("not a non-zero multiple of 4K", "run", "--image", "x",
		  "--mem", "1000");
	RUN_ERROR("above the 16G limit", "run", "--image", "x", "--mem", "17G");
	RUN_ERROR("'99999999999T' is too large", "run", "--image", "x",
		  "--mem", "99999999999T");
	RUN_ERROR("option '--mem' needs a value", "run", "--image", "x",
		  "--mem");
}

static void test_run_bad_cpus(void **state)
{
	(void)state;
	RUN_ERROR("--cpus: '0' is not between 1 and 64", "run", "--image", "x",
		  "--cpus", "0");
	RUN_ERROR("not between 1 and 64", "run", "--image", "x", "--cpus",
		  "65");
	RUN_ERROR("--cpus: 'two' is not a number", "run", "--image", "x",
		  "--cpus", "two");
	RUN_ERROR("is too large", "run", "--image", "x", "--cpus",
		  "123456789012345678901234");
}

static void test_run_bad_addresses(void **state)
{
	(void)state;
	RUN_ERROR("--load: '7c00' is not a number", "run", "--image", "x",
		  "--load", "7c00");
	RUN_ERROR("--entry: '-1' is not a number", "run", "--image", "x",
		  "--entry", "-1");
	RUN_ERROR("--load and --entry are for --image", "run", "--elf", "x",
		  "--load", "0x1000");
	RUN_ERROR("--load and --entry are for --image", "run", "--elf", "x",
		  "--entry", "0x1000");
}

static void test_run_image_choice(void **state)
{
	(void)state;
	RUN_ERROR("exactly one of --image, --elf and --kernel", "run");
	RUN_ERROR("exactly one of --image, --elf and --kernel", "run", "--mem",
		  "2M");
	RUN_ERROR("exactly one of --image, --elf and --kernel", "run",
		  "--image", "a", "--elf", "b");
	RUN_ERROR("exactly one of --image, --elf and --kernel", "run",
		  "--kernel", "a", "--elf", "b");
	RUN_ERROR("exactly one of --image, --elf and --kernel", "run",
		  "--image", "a", "--kernel", "b");
}

static void test_run_kernel(void **state)
{
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--kernel", "bzImage"), PARSE_OK);
	assert_string_equal(o.kernel, "bzImage");
	assert_null(o.initrd);
	assert_null(o.cmdline);		/* run_default_cmdline */
	assert_true(o.mem == RUN_DEFAULT_LINUX_MEM);
	assert_int_equal(o.cpus, 1);
	assert_non_null(strstr(run_default_cmdline, "console=ttyS0"));

	assert_int_equal(RUN(&o, "run", "-k", "bz", "-r", "rd.gz", "-a",
			     "quiet", "-c", "2", "-m", "1G"), PARSE_OK);
	assert_string_equal(o.kernel, "bz");
	assert_string_equal(o.initrd, "rd.gz");
	assert_string_equal(o.cmdline, "quiet");
	assert_int_equal(o.cpus, 2);
	assert_true(o.mem == 1ULL << 30);
	assert_int_equal(RUN(&o, "run", "--kernel=bz", "--initrd=rd",
			     "--cmdline="), PARSE_OK);
	assert_string_equal(o.cmdline, "");	/* empty is not the default */
}

/* A Linux guest's reset boots it again unless --no-reboot. */
static void test_run_reboot(void **state)
{
	struct vmctl_vm_end reset = { .reason = VMCTL_END_RESET };
	struct vmctl_vm_end triple = { .reason = VMCTL_END_SHUTDOWN };
	struct vmctl_vm_end acpi_off = { .reason = VMCTL_END_ACPI_POWEROFF };
	struct vmctl_vm_end halt = { .reason = VMCTL_END_HALT };
	struct run_opts o;

	(void)state;
	assert_int_equal(RUN(&o, "run", "--kernel", "bz"), PARSE_OK);
	assert_false(o.no_reboot);
	assert_true(run_boots_again(&o, &reset));
	assert_true(run_boots_again(&o, &triple));
	assert_false(run_boots_again(&o, &acpi_off));
	assert_false(run_boots_again(&o, &halt));

	assert_int_equal(RUN(&o, "run", "--kernel", "bz", "--no-reboot"),
			 PARSE_OK);
	assert_true(o.no_reboot);
	assert_false(run_boots_again(&o, &reset));
	assert_false(run_boots_again(&o, &triple));
	assert_int_equal(RUN(&o, "run", "-k", "bz", "-R"), PARSE_OK);
	assert_true(o.no_reboot);
	assert_false(o.no_paravirt);
	assert_int_equal(RUN(&o, "run", "-k", "bz", "--no-paravirt"), PARSE_OK);
	assert_true(o.no_paravirt);

	/* a flat image has no firmware to boot again: its triple fault ends */
	assert_int_equal(RUN(&o, "run", "--image", "g.bin"), PARSE_OK);
	assert_false(run_boots_again(&o, &triple));
	/* the default command line leaves reboot to ACPI */
	assert_null(strstr(run_default_cmdline, "reboot="));
}

/*
 * Words that ask for the 8259 PICs and 8254 PIT (whole words only) turn
 * them on, as --pic-pit does.
 */
static void test_run_pic_pit(void **state)
{
	struct run_opts o;

	(void)state;
	assert_null(run_cmdline_pic_pit(NULL));
	assert_null(run_cmdline_pic_pit(run_default_cmdline));
	assert_null(run_cmdline_pic_pit("maxcpus=1 acpi=off nosmpx"));
	assert_string_equal(run_cmdline_pic_pit("quiet nosmp"), "nosmp");
	assert_string_equal(run_cmdline_pic_pit("noapic\tquiet"), "noapic");
	assert_string_equal(run_cmdline_pic_pit(" nolapic"), "nolapic");
	assert_string_equal(run_cmdline_pic_pit("maxcpus=0"), "maxcpus=0");
	assert_string_equal(run_cmdline_pic_pit("disableapic"), "disableapic");
	assert_int_equal(RUN(&o, "run", "-k", "bz"), PARSE_OK);
	assert_false(o.pic_pit);
	assert_int_equal(RUN(&o, "run", "-k", "bz", "--pic-pit"), PARSE_OK);
	assert_true(o.pic_pit);
	assert_null(o.pic_pit_word);
	assert_int_equal(RUN(&o, "run", "-k", "bz", "-a", "quiet nolapic"),
			 PARSE_OK);
	assert_true(o.pic_pit);
	assert_string_equal(o.pic_pit_word, "nolapic");
}

static void test_run_kernel_only_options(void **state)
{
	(void)state;
	RUN_ERROR("--initrd, --cmdline, --no-reboot, --no-paravirt and --pic-pit are for --kernel", "run",
		  "--image", "x", "--initrd", "rd");
	RUN_ERROR("--initrd, --cmdline, --no-reboot, --no-paravirt and --pic-pit are for --kernel", "run",
		  "--elf", "x", "--cmdline", "quiet");
	RUN_ERROR("--initrd, --cmdline, --no-reboot, --no-paravirt and --pic-pit are for --kernel", "run",
		  "--image", "x", "--no-reboot");
	RUN_ERROR("--initrd, --cmdline, --no-reboot, --no-paravirt and --pic-pit are for --kernel",
		  "run", "--elf", "x", "--no-paravirt");
	RUN_ERROR("--initrd, --cmdline, --no-reboot, --no-paravirt and --pic-pit are for --kernel",
		  "run", "--image", "x", "--pic-pit");
	RUN_ERROR("a Linux kernel says where it goes", "run", "--kernel", "x",
		  "--load", "0x1000");
	RUN_ERROR("option '--cmdline' needs a value", "run", "--kernel", "x",
		  "--cmdline");
}

static void test_run_bad_words(void **state)
{
	(void)state;
	RUN_ERROR("unknown option '--bogus'", "run", "--bogus");
	RUN_ERROR("unknown option '-z'", "run", "-z");
	RUN_ERROR("unexpected argument 'extra'", "run", "--image", "x",
		  "extra");
	RUN_ERROR("longer than 31 characters", "run", "--image", "x", "--name",
		  "abcdefghijklmnopqrstuvwxyz0123456");
}

static void test_info_options(void **state)
{
	struct info_opts o;

	(void)state;
	assert_int_equal(info_parse(ARGC("info"), ARGV("info"), &o), PARSE_OK);
	assert_false(o.json);
	assert_int_equal(info_parse(ARGC("info", "--json"),
				    ARGV("info", "--json"), &o), PARSE_OK);
	assert_true(o.json);
	assert_int_equal(info_parse(ARGC("info", "-j"), ARGV("info", "-j"), &o),
			 PARSE_OK);
	assert_true(o.json);
	assert_int_equal(info_parse(ARGC("info", "--help"),
				    ARGV("info", "--help"), &o), PARSE_HELP);
	assert_int_equal(info_parse(ARGC("info", "--xml"),
				    ARGV("info", "--xml"), &o), PARSE_ERROR);
	assert_non_null(strstr(errors(), "vmctl info: unknown option '--xml'"));
	assert_int_equal(info_parse(ARGC("info", "vm0"), ARGV("info", "vm0"),
				    &o), PARSE_ERROR);
	assert_non_null(strstr(errors(), "unexpected argument 'vm0'"));
	assert_int_equal(info_parse(ARGC("info", "--json=1"),
				    ARGV("info", "--json=1"), &o), PARSE_ERROR);
}

static void test_version_options(void **state)
{
	(void)state;
	assert_int_equal(version_parse(ARGC("version"), ARGV("version")),
			 PARSE_OK);
	assert_int_equal(version_parse(ARGC("version", "--help"),
				       ARGV("version", "--help")), PARSE_HELP);
	assert_int_equal(version_parse(ARGC("version", "-v"),
				       ARGV("version", "-v")), PARSE_ERROR);
	assert_non_null(strstr(errors(), "vmctl version: unknown option '-v'"));
	assert_int_equal(version_parse(ARGC("version", "x"),
				       ARGV("version", "x")), PARSE_ERROR);
}

/* Commands exit 2 on a usage error and 0 on --help. */
static void test_exit_statuses(void **state)
{
	(void)state;
	assert_int_equal(cmd_run(ARGC("run", "--cpus", "0", "--image", "x"),
				 ARGV("run", "--cpus", "0", "--image", "x")),
			 EXIT_USAGE);
	assert_int_equal(cmd_info(ARGC("info", "--nope"),
				  ARGV("info", "--nope")), EXIT_USAGE);
	assert_int_equal(cmd_version(ARGC("version", "extra"),
				     ARGV("version", "extra")), EXIT_USAGE);
	/* A missing file is a plain error, found before the module is asked. */
	assert_int_equal(cmd_run(ARGC("run", "--image", "/nonexistent.bin"),
				 ARGV("run", "--image", "/nonexistent.bin")),
			 EXIT_ERROR);
	assert_non_null(strstr(errors(),
			       "vmctl run: cannot read '/nonexistent.bin': No such file"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, capture, release)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_run_defaults),
		T(test_run_all_options),
		T(test_run_mem_prealloc),
		T(test_run_balloon_merge),
		T(test_run_disks),
		T(test_run_disk_errors),
		T(test_run_nets),
		T(test_run_net_errors),
		T(test_run_help),
		T(test_run_bad_mem),
		T(test_run_bad_cpus),
		T(test_run_bad_addresses),
		T(test_run_image_choice),
		T(test_run_kernel),
		T(test_run_reboot),
		T(test_run_pic_pit),
		T(test_run_kernel_only_options),
		T(test_run_bad_words),
		T(test_info_options),
		T(test_version_options),
		T(test_exit_statuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
