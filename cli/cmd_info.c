// SPDX-License-Identifier: GPL-2.0
/* vmctl info: is the module loaded, what can it do, what does it hold. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <vmctl/libvmctl.h>
#include <linux/vmctl.h>

#include "vmctl.h"

static const char info_usage[] =
"usage: vmctl info [--json]\n"
"\n"
"Show whether the vmctl module is loaded, its API version, its capabilities\n"
"(VMCTL_CHECK_CAP), which CPUs are in VMX operation (VMCTL_GET_VMX_CPUS) and\n"
"its module-wide statistics (VMCTL_GET_MODULE_STATS).\n"
"\n"
"Options:\n"
"  -j, --json   one JSON object instead of text\n"
"  -h, --help   show this help\n"
"\n"
"Exit status: 0 when the module is loaded, 1 when it is not (or cannot be\n"
"queried), 2 for a bad command line.\n";

static const struct {
	unsigned int cap;
	const char *name;
	bool is_bool;
} caps[] = {
	{ VMCTL_CAP_MAX_VCPUS, "max_vcpus", false },
	{ VMCTL_CAP_MAX_MEM_SLOTS, "max_mem_slots", false },
	{ VMCTL_CAP_MAX_MEM_SIZE_MB, "max_mem_size_mb", false },
	{ VMCTL_CAP_READONLY_MEM, "readonly_mem", true },
	{ VMCTL_CAP_EPT_2M, "ept_2m", true },
	{ VMCTL_CAP_VPID, "vpid", true },
	{ VMCTL_CAP_UNRESTRICTED_GUEST, "unrestricted_guest", true },
	{ VMCTL_CAP_IMMEDIATE_EXIT, "immediate_exit", true },
	{ VMCTL_CAP_NR_CPUS_VMX_ON, "nr_cpus_vmx_on", false },
};

#define NR_CAPS ARRAY_SIZE(caps)

enum parse_result info_parse(int argc, char **argv, struct info_opts *o)
{
	*o = (struct info_opts){ 0 };
	return json_only_parse("info", argc, argv, &o->json);
}

static int not_loaded(bool json, int err)
{
	if (!json)
		return lib_error("info", NULL, err);
	printf("{\"module_loaded\":false,\"error\":");
	json_string(stdout, vmctl_strerror(err));
	printf("}\n");
	return EXIT_ERROR;
}

/* cpus is NULL when the module predates VMCTL_GET_VMX_CPUS. */
static void print_text(struct vmctl *sys, const long *values,
		       const struct vmctl_vmx_cpus *cpus,
		       const struct vmctl_module_stats *st)
{
	size_t i;

	printf("module:       loaded\n");
	printf("api version:  %d\n", vmctl_api_version(sys));
	printf("capabilities:\n");
	for (i = 0; i < NR_CAPS; i++) {
		if (caps[i].is_bool)
			printf("  %-20s %s\n", caps[i].name,
			       values[i] > 0 ? "yes" : "no");
		else
			printf("  %-20s %ld\n", caps[i].name, values[i]);
	}
	if (cpus)
		vmx_cpus_print_text(stdout, cpus);
	printf("module stats:\n"
	       "  %-20s %" PRIu64 "\n  %-20s %" PRIu64 "\n  %-20s %" PRIu64 "\n"
	       "  %-20s %" PRIu64 "\n  %-20s %" PRIu64 "\n  %-20s %" PRIu64 "\n"
	       "  %-20s %" PRIu64 "\n",
	       "vms", (uint64_t)st->nr_vms, "vcpus", (uint64_t)st->nr_vcpus,
	       "mem_slots", (uint64_t)st->nr_mem_slots,
	       "mapped_pages", (uint64_t)st->mapped_pages,
	       "ept_table_pages", (uint64_t)st->ept_table_pages,
	       "vmcs_pages", (uint64_t)st->vmcs_pages,
	       "kernel_bytes", (uint64_t)st->kernel_bytes);
}

static void print_json(struct vmctl *sys, const long *values,
		       const struct vmctl_vmx_cpus *cpus,
		       const struct vmctl_module_stats *st)
{
	size_t i;

	printf("{\"module_loaded\":true,\"api_version\":%d,\"capabilities\":{",
	       vmctl_api_version(sys));
	for (i = 0; i < NR_CAPS; i++) {
		printf("%s\"%s\":", i ? "," : "", caps[i].name);
		if (caps[i].is_bool)
			printf("%s", values[i] > 0 ? "true" : "false");
		else
			printf("%ld", values[i]);
	}
	putchar('}');
	if (cpus) {
		putchar(',');
		vmx_cpus_print_json(stdout, cpus);
	}
	printf(",\"stats\":{\"vms\":%" PRIu64 ",\"vcpus\":%" PRIu64
	       ",\"mem_slots\":%" PRIu64 ",\"mapped_pages\":%" PRIu64
	       ",\"ept_table_pages\":%" PRIu64 ",\"vmcs_pages\":%" PRIu64
	       ",\"kernel_bytes\":%" PRIu64 "}}\n",
	       (uint64_t)st->nr_vms, (uint64_t)st->nr_vcpus,
	       (uint64_t)st->nr_mem_slots, (uint64_t)st->mapped_pages,
	       (uint64_t)st->ept_table_pages, (uint64_t)st->vmcs_pages,
	       (uint64_t)st->kernel_bytes);
}

int cmd_info(int argc, char **argv)
{
	struct vmctl_vmx_cpus cpus, *have_cpus = &cpus;
	struct vmctl_module_stats st;
	long values[NR_CAPS];
	struct info_opts o;
	struct vmctl *sys;
	size_t i;
	int ret;

	ret = parse_exit(info_parse(argc, argv, &o), info_usage);
	if (ret >= 0)
		return ret;
	ret = vmctl_open(&sys);
	if (ret)
		return not_loaded(o.json, ret);
	for (i = 0; i < NR_CAPS; i++) {
		values[i] = vmctl_check_cap(sys, caps[i].cap);
		if (values[i] < 0) {
			ret = lib_error("info", "VMCTL_CHECK_CAP", values[i]);
			goto out;
		}
	}
	ret = vmctl_vmx_cpus(sys, &cpus);
	if (ret == -ENOTTY) {
		have_cpus = NULL;
	} else if (ret) {
		ret = lib_error("info", "VMCTL_GET_VMX_CPUS", ret);
		goto out;
	}
	ret = vmctl_module_stats(sys, &st);
	if (ret) {
		ret = lib_error("info", "VMCTL_GET_MODULE_STATS", ret);
		goto out;
	}
	if (o.json)
		print_json(sys, values, have_cpus, &st);
	else
		print_text(sys, values, have_cpus, &st);
	ret = EXIT_OK;
out:
	vmctl_close(sys);
	return ret;
}
