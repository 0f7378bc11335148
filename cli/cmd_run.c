// SPDX-License-Identifier: GPL-2.0
/* vmctl run: boot an image with its serial console on this terminal. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmctl/libvmctl.h>
#include <linux/vmctl.h>

#include "console.h"
#include "control.h"
#include "run_config.h"
#include "tcp.h"
#include "vmctl.h"

static const char run_usage[] =
"usage: vmctl run [--name N] [--mem SIZE] [--mem-prealloc] [--no-merge]\n"
"                 [--cpus N]\n"
"                 (--image FILE [--load ADDR] [--entry ADDR] | --elf FILE |\n"
"                  --kernel FILE [--initrd FILE] [--cmdline STR] [--no-reboot]\n"
"                  [--no-paravirt] [--pic-pit])\n"
"                 [--console FILE] [--disk FILE[,ro][,direct][,serial=S]]...\n"
"                 [--rng] [--net tap[=NAME][,mac=MAC]]...\n"
"                 [--balloon SIZE[,no-deflate-on-oom][,no-report][,no-stats]]\n"
"       vmctl run --restore FILE [--name N] [--console FILE]\n"
"                 [--net tap[=NAME]]...\n"
"       vmctl run --incoming [tcp:][HOST:]PORT [--name N] [--console FILE]\n"
"                 [--net tap[=NAME]]...\n"
"\n"
"Run a guest until it powers off.  Its serial console, a 16550A UART at\n"
"port 0x3f8, is this terminal: keyboard input goes to the guest (raw mode\n"
"when stdin is a terminal), Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A,\n"
"Ctrl-A h lists the keys.\n"
"\n"
"Options:\n"
"  -n, --name N        VM name, at most 31 characters (default: vm<id>)\n"
"  -m, --mem SIZE      guest RAM at address 0: a multiple of 4K, with an\n"
"                      optional K, M, G or T suffix (default: 16M, 256M\n"
"                      with --kernel; at most 16G); a Linux guest's RAM\n"
"                      beyond 3G continues at 4G\n"
"      --mem-prealloc  allocate and map all guest RAM before the guest\n"
"                      starts (default: each page when first touched)\n"
"      --no-merge      keep guest RAM out of the host's KSM (default: marked\n"
"                      mergeable, so identical pages of guests are shared\n"
"                      when the host runs ksmd)\n"
"  -c, --cpus N        number of vCPUs, 1-64 (default: 1); with --image and\n"
"                      --elf every vCPU starts at the entry point with its\n"
"                      id in RDI, a Linux kernel starts the others itself\n"
"  -i, --image FILE    flat binary, started in 16-bit real mode\n"
"  -l, --load ADDR     where the flat binary goes (default: 0x7c00)\n"
"  -e, --entry ADDR    where it starts (default: the load address), below\n"
"                      1M; CS:IP is 0:ADDR below 64K, else ADDR's 64K segment\n"
"  -E, --elf FILE      static ELF executable: ELF32 starts in 32-bit\n"
"                      protected mode, ELF64 in 64-bit long mode with memory\n"
"                      identity-mapped; both get a GDT and a 16K stack\n"
"  -k, --kernel FILE   Linux bzImage (boot protocol 2.06 or later), booted\n"
"                      through its 64-bit entry with an e820 map, ACPI,\n"
"                      SMBIOS and MP tables; its console is ttyS0; when\n"
"                      it resets the machine (ACPI reset register, triple\n"
"                      fault) it boots again\n"
"  -r, --initrd FILE   initramfs for --kernel\n"
"  -a, --cmdline STR   kernel command line for --kernel (default:\n"
"                      \"%s\")\n"
"  -R, --no-reboot     with --kernel: end at the guest's reset (status 3)\n"
"                      instead of booting it again\n"
"      --no-paravirt   with --kernel: hide KVM's signature and paravirtual\n"
"                      features (kvmclock, PV EOI, PV IPIs, steal time, PV\n"
"                      spinlocks...) from the guest, which then sees the\n"
"                      bare platform: TSC, local APIC and their exits\n"
"      --pic-pit       with --kernel: give the guest 8259 PICs and an 8254\n"
"                      PIT (in the module) and full ACPI; on by itself\n"
"                      when --cmdline has nosmp, maxcpus=0, noapic,\n"
"                      nolapic or disableapic; no snapshot or migration\n"
"  -o, --console FILE  write the guest's console output to FILE instead\n"
"  -d, --disk FILE[,ro][,direct][,serial=S]\n"
"                      a virtio-blk disk on a raw image file or block device\n"
"                      (its size a multiple of 512), locked against other\n"
"                      VMs; ro: read-only (opened read-only, the guest sees\n"
"                      a read-only disk), direct: O_DIRECT, serial: the ID\n"
"                      the guest reads (at most 20 bytes); repeatable, up\n"
"                      to %d; Linux names them vda, vdb, ... in this order\n"
"      --rng           a virtio-rng entropy source fed by the host\n"
"      --net tap[=NAME][,mac=MAC]\n"
"                      a virtio-net card on the existing tap NAME, or on a\n"
"                      tap made for the VM (vmctl0, vmctl1, ...: up, no\n"
"                      address; removed when the VM ends; needs\n"
"                      CAP_NET_ADMIN); mac: its address as\n"
"                      xx:xx:xx:xx:xx:xx (default: a locally administered\n"
"                      one derived from the VM's name and the card's\n"
"                      index); repeatable, up to %d\n"
"      --balloon SIZE[,no-deflate-on-oom][,no-report][,no-stats]\n"
"                      a virtio-balloon asking SIZE of the guest's RAM back\n"
"                      at boot (0: nothing yet; vmctl balloon changes it):\n"
"                      what the guest gives back leaves this process's\n"
"                      memory; the guest's driver deflates by itself when\n"
"                      short of memory, reports its free memory to be\n"
"                      given back too, and sends statistics (vmctl stats),\n"
"                      unless turned off (default: no balloon)\n"
"      --restore FILE  start the VM a snapshot holds ('vmctl snapshot'),\n"
"                      made as it was made and going on from where it\n"
"                      was; its memory is read from FILE as the guest\n"
"                      touches it, so leave FILE in place while it runs\n"
"      --incoming [tcp:][HOST:]PORT\n"
"                      wait for one 'vmctl migrate' to this address (HOST\n"
"                      left out: every address), make the VM as the source\n"
"                      made it (its options come with it), receive it and\n"
"                      run it; a failed migration ends this with status 1\n"
"                      and leaves the VM running at the source\n"
"                      With either, disks open by the path they had, each\n"
"                      network card on the tap it had (by name, or a new\n"
"                      one made for it), unless --net is given once per\n"
"                      card, in order, to name this host's taps; a card\n"
"                      keeps its MAC, and the tap must take the offloads\n"
"                      its guest's driver accepted.  A source on this\n"
"                      host lets its tap go at the switch-over\n"
"  -h, --help          show this help\n"
"Numbers are decimal or 0x-prefixed hex.  While the VM runs, its control\n"
"socket serves pause, resume, snapshot, migrate and stats (see 'vmctl ps').\n"
"\n"
"Exit status:\n"
"  0  the guest powered off: ACPI S5, VMCALL with RAX = 0x10000, or every\n"
"     vCPU executed HLT with interrupts disabled (Linux's poweroff\n"
"     without ACPI)\n"
"  1  vmctl failed: module not loaded, unreadable file, bad image, ...\n"
"  2  bad command line\n"
"  3  the guest shut down (triple fault) or, with --no-reboot, reset\n"
"  4  VM entry failed\n"
"  5  the vmctl module reported an internal error\n"
"  6  stopped by Ctrl-A x or by SIGINT, SIGTERM or SIGHUP\n"
"  0 too when 'vmctl migrate' handed the guest over to another vmctl\n"
"The last line on stderr says how the guest ended.\n";

/* A Linux guest's RAM above this continues at 4G (see add_memory()). */
#define LINUX_LOW_RAM_MAX	(3ULL << 30)

/*
 * Linux on the serial console: ttyS0 from the start (earlyprintk shows
 * the decompressor and early boot too); reboot at once on a panic (which
 * boots the kernel again, or ends the VM with --no-reboot); no port 0x80
 * delays (each would be an exit for nothing).  Reboot takes Linux's
 * default way, the ACPI reset register.
 */
const char run_default_cmdline[] =
	"console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 panic=-1 io_delay=none";

static enum parse_result parse_number(const char *opt, const char *arg,
				      uint64_t *v)
{
	int ret = parse_u64(arg, v);

	if (ret == -ERANGE)
		return usage_error("run", "%s: '%s' is too large", opt, arg);
	if (ret)
		return usage_error("run", "%s: '%s' is not a number", opt, arg);
	return PARSE_OK;
}

/* Long options without a short form. */
enum { OPT_RNG = 0x100, OPT_NET, OPT_MEM_PREALLOC, OPT_BALLOON, OPT_NO_MERGE,
	OPT_RESTORE, OPT_INCOMING, OPT_NO_PARAVIRT, OPT_PIC_PIT };

/* --disk FILE[,ro][,direct][,serial=S]: a file name holds no comma. */
static enum parse_result parse_disk(const char *arg, struct run_opts *o)
{
	const char *p = strchr(arg, ','), *opt, *end;
	struct vmctl_disk *d;
	size_t len;

	if (o->nr_disks == RUN_MAX_DISKS)
		return usage_error("run", "--disk: at most %d disks",
				   RUN_MAX_DISKS);
	d = &o->disks[o->nr_disks];
	*d = (struct vmctl_disk){ 0 };
	len = p ? (size_t)(p - arg) : strlen(arg);
	if (!len)
		return usage_error("run", "--disk: '%s' names no file", arg);
	d->path = strndup(arg, len);
	for (opt = p; opt; opt = end) {
		opt++;
		end = strchr(opt, ',');
		len = end ? (size_t)(end - opt) : strlen(opt);
		if (len == 2 && !strncmp(opt, "ro", 2)) {
			d->read_only = 1;
		} else if (len == 6 && !strncmp(opt, "direct", 6)) {
			d->direct = 1;
		} else if (len >= 7 && !strncmp(opt, "serial=", 7)) {
			if (len - 7 > 20)
				return usage_error("run",
						   "--disk: serial '%.*s' is longer than 20 bytes",
						   (int)(len - 7), opt + 7);
			free((char *)d->serial);
			d->serial = strndup(opt + 7, len - 7);
		} else {
			return usage_error("run",
					   "--disk: unknown option '%.*s' in '%s' (ro, direct, serial=S)",
					   (int)len, opt, arg);
		}
	}
	o->nr_disks++;
	return PARSE_OK;
}

/* A unicast MAC address as six hex pairs joined by ':'. */
static bool parse_mac(const char *s, size_t len, unsigned char mac[6])
{
	char pair[3] = "";
	unsigned int i;

	if (len != 17)
		return false;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			return false;
		memcpy(pair, p, 2);
		mac[i] = strtoul(pair, NULL, 16);
	}
	return true;
}

/* --net tap[=NAME][,mac=MAC]: an interface name holds no comma. */
static enum parse_result parse_net(const char *arg, struct run_opts *o)
{
	static const unsigned char zero[6];
	const char *opt, *end;
	struct vmctl_net *n;
	size_t len;

	if (o->nr_nets == RUN_MAX_NETS)
		return usage_error("run", "--net: at most %d cards",
				   RUN_MAX_NETS);
	n = &o->nets[o->nr_nets];
	*n = (struct vmctl_net){ 0 };
	if (strncmp(arg, "tap", 3) || (arg[3] && arg[3] != '=' && arg[3] != ','))
		return usage_error("run",
				   "--net: '%s' is not tap[=NAME][,mac=MAC]",
				   arg);
	opt = strchr(arg, ',');
	if (arg[3] == '=') {
		len = opt ? (size_t)(opt - arg - 4) : strlen(arg + 4);
		if (!len || len >= 16)
			return usage_error("run",
					   "--net: '%.*s' is not an interface name (1 to 15 characters)",
					   (int)len, arg + 4);
		n->tap = strndup(arg + 4, len);
	}
	for (; opt; opt = end) {
		opt++;
		end = strchr(opt, ',');
		len = end ? (size_t)(end - opt) : strlen(opt);
		if (len < 4 || strncmp(opt, "mac=", 4))
			return usage_error("run",
					   "--net: unknown option '%.*s' in '%s' (mac=MAC)",
					   (int)len, opt, arg);
		if (!parse_mac(opt + 4, len - 4, o->macs[o->nr_nets]))
			return usage_error("run",
					   "--net: '%.*s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
					   (int)len - 4, opt + 4);
		if (o->macs[o->nr_nets][0] & 1 ||
		    !memcmp(o->macs[o->nr_nets], zero, 6))
			return usage_error("run",
					   "--net: '%.*s' is not a unicast address",
					   (int)len - 4, opt + 4);
		n->mac = o->macs[o->nr_nets];
	}
	o->nr_nets++;
	return PARSE_OK;
}

static enum parse_result parse_mem(const char *arg, uint64_t *mem)
{
	int ret = parse_size(arg, mem);

	if (ret == -ERANGE)
		return usage_error("run", "--mem: '%s' is too large", arg);
	if (ret)
		return usage_error("run",
				   "--mem: '%s' is not a size (a number with an optional K, M, G or T suffix)",
				   arg);
	if (!*mem || *mem % 4096)
		return usage_error("run",
				   "--mem: '%s' is not a non-zero multiple of 4K",
				   arg);
	if (*mem > VMCTL_MAX_MEM_SIZE)
		return usage_error("run", "--mem: '%s' is above the 16G limit",
				   arg);
	return PARSE_OK;
}

/*
 * --restore and --incoming: the snapshot or the source says how the VM
 * is made; a name, a log, and the taps of this host (take_config()).
 */
static enum parse_result restore_only(const struct run_opts *o)
{
	const char *what = o->restore ? "--restore" : "--incoming";
	unsigned int i;

	if (o->restore && o->incoming)
		return usage_error("run",
				   "give --restore or --incoming, not both");
	if (o->image || o->elf || o->kernel || o->initrd || o->cmdline ||
	    o->mem || o->mem_prealloc || o->cpus != 1 || o->no_reboot ||
	    o->no_paravirt || o->pic_pit ||
	    o->nr_disks || o->rng || o->has_balloon ||
	    o->no_merge ||
	    o->load != VMCTL_ENTRY_DEFAULT || o->entry != VMCTL_ENTRY_DEFAULT)
		return usage_error("run",
				   "%s takes only --name, --console and --net: the %s says how the VM is made",
				   what, o->restore ? "snapshot" : "source");
	for (i = 0; i < o->nr_nets; i++)
		if (o->nets[i].mac)
			return usage_error("run",
					   "--net with %s takes tap[=NAME] only: a card keeps the MAC its guest knows",
					   what);
	return PARSE_OK;
}

enum parse_result run_parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "mem", required_argument, NULL, 'm' },
		{ "mem-prealloc", no_argument, NULL, OPT_MEM_PREALLOC },
		{ "cpus", required_argument, NULL, 'c' },
		{ "image", required_argument, NULL, 'i' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "elf", required_argument, NULL, 'E' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'a' },
		{ "console", required_argument, NULL, 'o' },
		{ "no-reboot", no_argument, NULL, 'R' },
		{ "no-paravirt", no_argument, NULL, OPT_NO_PARAVIRT },
		{ "pic-pit", no_argument, NULL, OPT_PIC_PIT },
		{ "disk", required_argument, NULL, 'd' },
		{ "rng", no_argument, NULL, OPT_RNG },
		{ "net", required_argument, NULL, OPT_NET },
		{ "balloon", required_argument, NULL, OPT_BALLOON },
		{ "no-merge", no_argument, NULL, OPT_NO_MERGE },
		{ "restore", required_argument, NULL, OPT_RESTORE },
		{ "incoming", required_argument, NULL, OPT_INCOMING },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum parse_result r = PARSE_OK;
	uint64_t v;
	int opt;

	*o = (struct run_opts){
		.cpus = 1,
		.load = VMCTL_ENTRY_DEFAULT, .entry = VMCTL_ENTRY_DEFAULT,
	};
	optind = 0;
	while (r == PARSE_OK &&
	       (opt = getopt_long(argc, argv, "+:n:m:c:i:l:e:E:k:r:a:o:d:Rh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			o->name = optarg;
			if (strlen(optarg) >= VMCTL_NAME_LEN)
				r = usage_error("run",
						"--name: '%s' is longer than %d characters",
						optarg, VMCTL_NAME_LEN - 1);
			break;
		case 'm':
			r = parse_mem(optarg, &o->mem);
			break;
		case OPT_MEM_PREALLOC:
			o->mem_prealloc = true;
			break;
		case 'c':
			r = parse_number("--cpus", optarg, &v);
			if (r == PARSE_OK && (v < 1 || v > VMCTL_MAX_VCPUS))
				r = usage_error("run", "--cpus: '%s' is not between 1 and %d",
						optarg, VMCTL_MAX_VCPUS);
			o->cpus = v;
			break;
		case 'i':
			o->image = optarg;
			break;
		case 'E':
			o->elf = optarg;
			break;
		case 'k':
			o->kernel = optarg;
			break;
		case 'r':
			o->initrd = optarg;
			break;
		case 'a':
			o->cmdline = optarg;
			break;
		case 'l':
			r = parse_number("--load", optarg, &o->load);
			break;
		case 'e':
			r = parse_number("--entry", optarg, &o->entry);
			break;
		case 'o':
			o->console = optarg;
			break;
		case 'R':
			o->no_reboot = true;
			break;
		case 'd':
			r = parse_disk(optarg, o);
			break;
		case OPT_RNG:
			o->rng = true;
			break;
		case OPT_NET:
			r = parse_net(optarg, o);
			break;
		case OPT_BALLOON:
			r = parse_balloon(optarg, o);
			break;
		case OPT_NO_MERGE:
			o->no_merge = true;
			break;
		case OPT_NO_PARAVIRT:
			o->no_paravirt = true;
			break;
		case OPT_PIC_PIT:
			o->pic_pit = true;
			break;
		case OPT_RESTORE:
			o->restore = optarg;
			break;
		case OPT_INCOMING:
			o->incoming = optarg;
			break;
		case 'h':
			return PARSE_HELP;
		default:
			r = getopt_error("run", opt, argv);
			break;
		}
	}
	if (r != PARSE_OK)
		return r;
	if (optind < argc)
		return usage_error("run", "unexpected argument '%s'",
				   argv[optind]);
	if (o->restore || o->incoming)
		return restore_only(o);
	if (!!o->image + !!o->elf + !!o->kernel != 1)
		return usage_error("run",
				   "give exactly one of --image, --elf and --kernel");
	if (!o->image && (o->load != VMCTL_ENTRY_DEFAULT ||
			  o->entry != VMCTL_ENTRY_DEFAULT))
		return usage_error("run", o->elf ?
				   "--load and --entry are for --image; an ELF file says where it goes" :
				   "--load and --entry are for --image; a Linux kernel says where it goes");
	if (!o->kernel && (o->initrd || o->cmdline || o->no_reboot ||
			   o->no_paravirt || o->pic_pit))
		return usage_error("run",
				   "--initrd, --cmdline, --no-reboot, --no-paravirt and --pic-pit are for --kernel");
	o->pic_pit_word = o->kernel ? run_cmdline_pic_pit(o->cmdline) : NULL;
	o->pic_pit |= !!o->pic_pit_word;
	if (!o->mem)
		o->mem = o->kernel ? RUN_DEFAULT_LINUX_MEM : RUN_DEFAULT_MEM;
	return PARSE_OK;
}

/* The exit status for how the VM ended. */
static int end_status(const struct vmctl_vm_end *end)
{
	switch (end->reason) {
	case VMCTL_END_POWEROFF:
	case VMCTL_END_ACPI_POWEROFF:
	case VMCTL_END_HALT:
		return EXIT_OK;
	case VMCTL_END_SHUTDOWN:
	case VMCTL_END_RESET:
		return EXIT_GUEST_SHUTDOWN;
	case VMCTL_END_FAIL_ENTRY:
		return EXIT_ENTRY_FAILED;
	case VMCTL_END_INTERNAL:
		return EXIT_MODULE_ERROR;
	case VMCTL_END_STOPPED:
		return EXIT_STOPPED;
	default:
		return EXIT_ERROR;
	}
}

bool run_boots_again(const struct run_opts *o, const struct vmctl_vm_end *end)
{
	return o->kernel && !o->no_reboot &&
	       (end->reason == VMCTL_END_RESET ||
		end->reason == VMCTL_END_SHUTDOWN);
}

/*
 * One boot, everything set up: run until the end and put how it went in
 * line (len bytes; left empty on an error already reported).
 * *again: the guest reset the machine and boots again.
 */
static int run_once(struct vmctl_vm *vm, const char *name,
		    struct vmctl_snapshot *snap, struct vmctl_incoming *inc,
		    struct console *con,
		    int out_fd, const struct run_opts *o, bool *again,
		    char *line, size_t len)
{
	struct control_vm cv = { .vm = vm, .name = name, .opts = o };
	struct control_server *control = NULL;
	struct vmctl_uart *uart;
	struct vmctl_vm_end end;
	enum console_end why;
	int sig = 0, ret;

	ret = vmctl_uart_create(vm, VMCTL_COM1_BASE, console_input_fd(con),
				out_fd, &uart);
	if (!ret && snap) {
		ret = vmctl_snapshot_restore(snap, vm);
		if (ret)
			return lib_error("run", o->restore, ret);
	}
	if (!ret && inc) {
		ret = vmctl_incoming_receive(inc, vm);
		if (ret)
			return lib_error("run", "migration", ret);
	}
	if (!ret)
		ret = vmctl_vm_start(vm);
	if (ret)
		return lib_error("run", "starting the VM", ret);
	/* The control socket, while the VM runs. */
	if (!vmctl_vm_id(vm, &cv.id, NULL, 0))
		control = control_serve(&cv);
	why = console_loop(con, vm, uart, &sig);
	vmctl_vm_wait(vm, &end);
	control_stop(control);

	if (cv.migrated) {
		snprintf(line, len, "handed over by vmctl migrate");
		*again = false;
		return EXIT_OK;
	}
	if (why == CONSOLE_QUIT)
		snprintf(line, len, "stopped by Ctrl-A x");
	else if (why == CONSOLE_SIGNAL)
		snprintf(line, len, "stopped by SIG%s",
			 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	else
		vmctl_vm_end_describe(&end, line, len);
	*again = why == CONSOLE_VM_DONE && run_boots_again(o, &end);
	return end_status(&end);
}

/*
 * Guest RAM from 0.  A PC leaves 3G-4G to devices (the I/O APIC and local
 * APIC pages among them), so a Linux guest's RAM beyond 3G continues at
 * 4G.  --mem-prealloc has the module fault it all in and map it now.
 */
static int add_memory(struct vmctl_vm *vm, const struct run_opts *o)
{
	uint32_t flags = o->mem_prealloc ? VMCTL_MEM_PREFAULT : 0;
	uint64_t low = o->mem;
	int ret;

	if (o->kernel && low > LINUX_LOW_RAM_MAX)
		low = LINUX_LOW_RAM_MAX;
	vmctl_vm_set_mergeable(vm, !o->no_merge);
	ret = vmctl_vm_add_memory(vm, 0, low, flags);
	if (ret >= 0 && low < o->mem)
		ret = vmctl_vm_add_memory(vm, 4ULL << 30, o->mem - low, flags);
	return ret;
}

/*
 * The virtio devices, before the image: a refused disk fails fast.
 * incoming: a migration's destination, whose disks and taps the source
 * still holds (locked and attached when the state comes).
 */
static int add_devices(struct vmctl_vm *vm, const struct run_opts *o,
		       bool incoming)
{
	unsigned int i;
	int ret;

	for (i = 0; i < o->nr_disks; i++) {
		struct vmctl_disk d = o->disks[i];

		d.incoming = incoming;
		ret = vmctl_disk_create(vm, &d);
		if (ret)
			return lib_error("run", o->disks[i].path, ret);
	}
	if (o->rng) {
		ret = vmctl_rng_create(vm);
		if (ret)
			return lib_error("run", "--rng", ret);
	}
	if (o->has_balloon) {
		ret = vmctl_balloon_create(vm, &o->balloon);
		if (ret)
			return lib_error("run", "--balloon", ret);
	}
	for (i = 0; i < o->nr_nets; i++) {
		struct vmctl_net n = o->nets[i];
		char what[32], ifname[16];

		snprintf(what, sizeof(what), "--net tap%s%s",
			 o->nets[i].tap ? "=" : "",
			 o->nets[i].tap ? o->nets[i].tap : "");
		n.incoming = incoming;
		ret = vmctl_net_create(vm, &n, ifname);
		if (ret)
			return lib_error("run", what, ret);
		/* The user configures the host side: say what it is called. */
		if (!o->nets[i].tap)
			fprintf(stderr, "vmctl run: %s: made tap %s\n", what,
				ifname);
	}
	return 0;
}

/* The image the options name. */
static const char *run_file(const struct run_opts *o)
{
	return o->image ? o->image : o->elf ? o->elf : o->kernel;
}

/*
 * A VM with the options' memory, image and vCPUs, ready to start, in
 * *vm (also on failure, for the caller to destroy).  name: the VM's
 * name to ask for (NULL: the module picks one), then the name it got.
 * restore: for a snapshot or a migration; incoming: a migration.
 */
static int build_vm(struct vmctl *sys, const struct run_opts *o,
		    bool restore, bool incoming, const char *want, char *name,
		    struct vmctl_vm **vm)
{
	const char *file = run_file(o);
	unsigned int i;
	int ret;

	ret = vmctl_vm_create(sys, want, vm);
	if (ret)
		return lib_error("run", "creating the VM", ret);
	/* The module's name for it ("vm<id>" when none was given). */
	if (vmctl_vm_id(*vm, NULL, name, VMCTL_NAME_LEN) || !name[0])
		snprintf(name, VMCTL_NAME_LEN, "%s", want ? want : "vm");
	ret = add_memory(*vm, o);
	if (ret < 0)
		return lib_error("run", "adding guest memory", ret);
	ret = add_devices(*vm, o, incoming);
	if (ret)
		return ret;
	/* The snapshot has the memory and makes the vCPUs (run_once). */
	if (restore) {
		ret = o->kernel ? vmctl_vm_create_pc(*vm) : 0;
		if (!ret && o->pic_pit)
			ret = vmctl_vm_create_pic_pit(*vm);
		return ret ? lib_error("run", "creating the VM", ret) : 0;
	}
	if (o->kernel) {
		struct vmctl_linux_boot boot = {
			.kernel = o->kernel, .initrd = o->initrd,
			.cmdline = o->cmdline ? o->cmdline : run_default_cmdline,
			.nr_cpus = o->cpus, .pic_pit = o->pic_pit,
		};

		ret = vmctl_load_linux(*vm, &boot);
	} else if (o->image) {
		ret = vmctl_load_flat(*vm, file, o->load, o->entry);
	} else {
		ret = vmctl_load_elf(*vm, file);
	}
	if (ret)
		return lib_error("run", file, ret);
	for (i = 0; i < o->cpus; i++) {
		struct vmctl_vcpu *vcpu;

		ret = vmctl_vcpu_create(*vm, i, &vcpu);
		if (!ret && o->no_paravirt)
			ret = vmctl_vcpu_hide_kvm(vcpu);
		if (ret)
			return lib_error("run", "creating a vCPU", ret);
	}
	return 0;
}

/*
 * Boot, and boot again while the guest resets the machine: each boot is
 * a new VM of the same name (the module's vCPU and interrupt controller
 * state starts afresh, the kernel and initrd are loaded anew), on the
 * same console.
 */
static int run_vm(const struct run_opts *o, struct vmctl_snapshot *snap,
		  struct vmctl_incoming *inc, int out_fd)
{
	char name[VMCTL_NAME_LEN] = "", line[256];
	struct vmctl *sys;
	struct vmctl_vm *vm;
	struct console con;
	bool console_up = false, again = false;
	int ret;

	ret = vmctl_open(&sys);
	if (ret)
		return lib_error("run", NULL, ret);
	do {
		vm = NULL;
		ret = build_vm(sys, o, snap || inc, inc != NULL, again ? name : o->name,
			       name, &vm);
		if (!ret && !console_up) {
			ret = console_open(&con);
			if (ret) {
				console_close(&con);
				ret = lib_error("run", "setting up the terminal",
						ret);
			}
			console_up = !ret;
		}
		again = false;
		line[0] = '\0';
		if (!ret)
			ret = run_once(vm, name, snap, inc, &con, out_fd, o,
				       &again, line, sizeof(line));
		else if (inc)
			vmctl_incoming_refuse(inc, -EINVAL,
					      "the destination cannot make the VM (its vmctl run says why)");
		/* Booting again boots the image the snapshot names. */
		snap = NULL;
		inc = NULL;
		if (again)
			fprintf(stderr, "vmctl run: %s: %s; booting again\n",
				name, line);
		vmctl_vm_destroy(vm);
	} while (again);
	/* The terminal is cooked again before the last word is said. */
	if (console_up)
		console_close(&con);
	if (line[0])
		fprintf(stderr, "vmctl run: %s: %s\n", name, line);
	vmctl_close(sys);
	return ret;
}

/* The options a snapshot or a source gave (config) into *o. */
static int take_config(struct run_opts *o, const char *what,
		       const void *config, size_t len)
{
	char why[160];

	if (!config || run_config_take(o, config, len, why, sizeof(why)))
		return cli_error("run", "%s: %s", what,
				 config ? why : "no run options came with it");
	return 0;
}

/* --restore: the snapshot checked whole, and the options it was made with. */
static int open_snapshot(struct run_opts *o, struct vmctl_snapshot **snap)
{
	const void *config;
	size_t len;
	int ret;

	ret = vmctl_snapshot_open(o->restore, snap);
	if (ret == -EPROTO)
		return cli_error("run", "%s: %s", o->restore,
				 vmctl_error_detail());
	if (ret)
		return lib_error("run", o->restore, ret);
	config = vmctl_snapshot_config(*snap, &len);
	ret = take_config(o, o->restore, config, len);
	if (ret)
		vmctl_snapshot_close(*snap);
	return ret;
}

/* --incoming: one source connected, its stream's header and options. */
static int open_incoming(struct run_opts *o, int *fd,
			 struct vmctl_incoming **inc)
{
	const void *config;
	const char *why;
	size_t len;
	int ret;

	fprintf(stderr, "vmctl run: waiting for a migration on %s\n",
		o->incoming);
	*fd = tcp_accept_one(o->incoming, &why);
	if (*fd < 0)
		return cli_error("run", "--incoming %s: %s", o->incoming, why);
	ret = vmctl_incoming_open(*fd, inc);
	if (ret) {
		close(*fd);
		return lib_error("run", "migration", ret);
	}
	config = vmctl_incoming_config(*inc, &len);
	ret = take_config(o, "migration", config, len);
	if (ret) {
		vmctl_incoming_refuse(*inc, -EINVAL,
				      "the destination cannot read the VM's options");
		vmctl_incoming_close(*inc);
		close(*fd);
	}
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct vmctl_snapshot *snap = NULL;
	struct vmctl_incoming *inc = NULL;
	const char *file;
	struct run_opts o;
	int out_fd = STDOUT_FILENO, in_fd = -1, ret;

	switch (run_parse(argc, argv, &o)) {
	case PARSE_HELP:
		printf(run_usage, run_default_cmdline, RUN_MAX_DISKS,
		       RUN_MAX_NETS);
		return EXIT_OK;
	case PARSE_ERROR:
		return EXIT_USAGE;
	case PARSE_OK:
		break;
	}
	if (o.restore) {
		ret = open_snapshot(&o, &snap);
		if (ret)
			return ret;
	}
	if (o.incoming) {
		ret = open_incoming(&o, &in_fd, &inc);
		if (ret)
			return ret;
	}
	if (o.pic_pit_word)
		fprintf(stderr,
			"vmctl run: '%s' on the command line: the guest gets 8259 PICs and an 8254 PIT (as with --pic-pit)\n",
			o.pic_pit_word);
	/* Name a missing file before anything else can go wrong. */
	file = run_file(&o);
	if (!snap && !inc && access(file, R_OK) < 0)
		return cli_error("run", "cannot read '%s': %s", file,
				 strerror(errno));
	if (!snap && !inc && o.initrd && access(o.initrd, R_OK) < 0)
		return cli_error("run", "cannot read '%s': %s", o.initrd,
				 strerror(errno));
	if (o.console) {
		out_fd = open(o.console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);
		if (out_fd < 0) {
			ret = cli_error("run", "cannot write console log '%s': %s",
					o.console, strerror(errno));
			vmctl_snapshot_close(snap);
			if (inc)
				vmctl_incoming_refuse(inc, -EIO,
						      "the destination cannot write its console log");
			vmctl_incoming_close(inc);
			return ret;
		}
	}
	ret = run_vm(&o, snap, inc, out_fd);
	vmctl_snapshot_close(snap);
	vmctl_incoming_close(inc);
	if (in_fd >= 0)
		close(in_fd);
	if (o.console)
		close(out_fd);
	return ret;
}
