// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzzing the readers of untrusted state (fuzz_host.h for the knobs):
 * the snapshot file (snapshot_load.c and the vCPU and device state
 * parsers behind it: vcpu_snapshot.c, cpuid_check.c, virtio_state.c,
 * virtio_balloon_state.c, the UART's, CMOS's and PCI host's) and the
 * migration stream's receiver (migrate.c, migrate_pages.c).  Valid input
 * comes from the real writers, vmctl_vm_snapshot() and
 * vmctl_vm_migrate(), on a VM of the fake module (fake_state) with two
 * vCPUs, the irqchip, the 8259s and PIT, the PC devices, virtio-blk, -rng and
 * -balloon; then it is cut at every boundary, and mutated
 * (fuzz_snap.h): sections duplicated, dropped, swapped, header fields
 * and payload bytes changed, lengths and counts made huge, CRCs made
 * right again or not.  Each case must end in a valid load or a refusal
 * with an errno the API documents and a detail saying why; the build's
 * AddressSanitizer and UBSan turn any out-of-bounds access, leak or
 * undefined behaviour into a failure, and a hang is one too.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_module.h"
#include "fuzz_host.h"
#include "fuzz_snap.h"
#include "migrate.h"
#include "tmp_file.h"

#define RAM		(256 << 10)
#define SEED		1
#define FILE_RUNS	200	/* make check's bounded runs */
#define STREAM_RUNS	200

static char snap_path[] = "/tmp/vmctl-fuzz-snap.XXXXXX";
static char disk_path[] = "/tmp/vmctl-fuzz-disk.XXXXXX";
static struct vmctl *sys;
static const char *self;

/* The outcomes, by errno, for the summary. */
struct tally {
	unsigned long loaded, refused[134];
};

/*
 * The VM both sides are made as: RAM, the irqchip, 8259s, PIT and PC devices, a
 * virtio-blk disk, virtio-rng and a virtio-balloon, nr vCPUs.  The fake
 * module holds one VM at a time: the last one's vCPUs are let go.
 */
static struct vmctl_vm *make_vm(unsigned int nr)
{
	struct vmctl_balloon balloon = { .size = RAM / 2 };
	struct vmctl_disk disk = { .path = disk_path };
	struct vmctl_vm *vm;
	unsigned int i;

	for (i = 0; i < nr_fake_vcpus; i++)
		munmap(fv[i].run, 4096);
	nr_fake_vcpus = 0;
	assert_int_equal(vmctl_vm_create(sys, "fuzz", &vm), 0);
	assert_true(vmctl_vm_add_memory(vm, 0, RAM, 0) >= 0);
	assert_int_equal(vmctl_vm_create_pc(vm), 0);
	assert_int_equal(vmctl_vm_create_pic_pit(vm), 0);
	assert_int_equal(vmctl_disk_create(vm, &disk), 0);
	assert_int_equal(vmctl_rng_create(vm), 0);
	assert_int_equal(vmctl_balloon_create(vm, &balloon), 0);
	for (i = 0; i < nr; i++)
		assert_int_equal(vmctl_vcpu_create(vm, i, NULL), 0);
	return vm;
}

/*
 * Some pages that are not zeros, so that memory has something to carry:
 * one run of two pages, then single ones (a PAGES section each).
 */
static void scribble(struct vmctl_vm *vm)
{
	uint8_t *ram = vmctl_vm_gpa_to_hva(vm, 0, RAM);
	unsigned int i;

	for (i = 1; i < RAM / 4096; i += i < 2 ? 1 : 16)
		memset(ram + i * 4096 + i % 512, i, 64);
}

/*
 * A refusal: an errno of the API's and a detail saying why.  ENOSPC:
 * the fake module's four vCPUs, for a snapshot that names more.
 */
static void judge(struct fuzz_host *f, struct tally *t, const char *what,
		  int ret)
{
	const char *why = vmctl_error_detail();

	if (getenv("FUZZ_VERBOSE"))
		printf("# iteration %llu: %s: %d %s\n",
		       (unsigned long long)f->iter, what, ret, why);
	if (!ret) {
		t->loaded++;
		return;
	}
	if (ret != -EPROTO && ret != -EINVAL && ret != -EOPNOTSUPP &&
	    ret != -ENOSPC)
		fuzz_host_fail(f, "%s: %d (%s)", what, ret, why);
	else if (!why[0])
		fuzz_host_fail(f, "%s: %d without a detail", what, ret);
	t->refused[-ret]++;
}

static void summary(const char *what, const struct tally *t)
{
	unsigned int e;

	printf("# %s: %lu loaded", what, t->loaded);
	for (e = 0; e < 134; e++)
		if (t->refused[e])
			printf(", %lu %s", t->refused[e], strerror(e));
	printf("\n");
}

/* ---- the snapshot file ---- */

static uint8_t *file;		/* vmctl_vm_snapshot()'s */
static size_t file_len;

static void write_file(const uint8_t *buf, size_t len)
{
	int fd = open(snap_path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), len);
	close(fd);
}

static uint8_t *read_file(size_t *len)
{
	int fd = open(snap_path, O_RDONLY);
	off_t n = lseek(fd, 0, SEEK_END);
	uint8_t *b = malloc(n);

	assert_non_null(b);
	assert_int_equal(pread(fd, b, n, 0), n);
	close(fd);
	*len = n;
	return b;
}

/* Open buf as a snapshot and restore it into a new VM: the error. */
static int load_file(const uint8_t *buf, size_t len, const char **stage)
{
	struct vmctl_snapshot *s;
	struct vmctl_vm *vm;
	const uint8_t *cfg;
	size_t cfg_len, i;
	unsigned int sum = 0;
	int ret;

	write_file(buf, len);
	*stage = "open";
	ret = vmctl_snapshot_open(snap_path, &s);
	if (ret)
		return ret;
	/* Every byte of the config is the caller's to read. */
	cfg = vmctl_snapshot_config(s, &cfg_len);
	for (i = 0; i < cfg_len; i++)
		sum += cfg[i];
	(void)sum;
	*stage = "restore";
	vm = make_vm(0);
	ret = vmctl_snapshot_restore(s, vm);
	vmctl_vm_destroy(vm);
	vmctl_snapshot_close(s);
	return ret;
}

static int file_setup(void **state)
{
	struct vmctl_vm *vm;
	int ret;

	(void)state;
	vm = make_vm(2);
	scribble(vm);
	ret = vmctl_vm_snapshot(vm, snap_path, "config", 6);
	vmctl_vm_destroy(vm);
	if (ret) {
		fprintf(stderr, "snapshot: %s\n", vmctl_error_detail());
		return -1;
	}
	file = read_file(&file_len);
	return 0;
}

static int file_teardown(void **state)
{
	(void)state;
	free(file);
	return 0;
}

/* ---- the migration stream ---- */

static uint8_t *stream;		/* vmctl_vm_migrate()'s */
static size_t stream_len;

struct source {
	struct vmctl_vm *vm;
	int fd, ret;
};

static void *source_thread(void *arg)
{
	struct source *s = arg;

	s->ret = vmctl_vm_migrate(s->vm, s->fd, "config", 6, NULL, NULL);
	/* A refusal ends the recording (it fails) instead of hanging it. */
	if (s->ret)
		shutdown(s->fd, SHUT_RDWR);
	return NULL;
}

static void reply(int fd, enum mig_reply_kind kind)
{
	struct mig_reply r = { .magic = MIG_REPLY_MAGIC, .kind = kind };

	r.crc = vmctl_crc32(0, &r, sizeof(r));
	assert_int_equal(send(fd, &r, sizeof(r), MSG_NOSIGNAL), sizeof(r));
}

/* The destination's part, recording: the stream's sections into m. */
static void record(int fd, struct fsnap *m)
{
	struct snap_in in = { .fd = fd, .size = UINT64_MAX,
			      .read = mig_stream_read };
	struct snap_data sec;
	uint64_t pos = sizeof(m->h);

	memset(m, 0, sizeof(*m));
	m->stream = true;
	assert_int_equal(mig_stream_read(&in, &m->h, sizeof(m->h), 0), 0);
	do {
		sec.data = NULL;
		assert_int_equal(snap_read_section(&in, &sec, &pos), 0);
		fsnap_add(m, &sec.h, sec.data, sec.h.size);
		free(sec.data);
		if (sec.h.type == SNAP_CONFIG)
			reply(fd, MIG_READY);
	} while (sec.h.type != SNAP_END);
	reply(fd, MIG_DONE);
}

static int stream_setup(void **state)
{
	static const struct step spin[] = { { S_BLOCK, 0, 0 } };
	struct source src;
	struct fsnap m;
	pthread_t t;
	int sv[2];

	(void)state;
	scripts[0] = scripts[1] = spin;
	script_len[0] = script_len[1] = 1;
	src.vm = make_vm(2);
	scribble(src.vm);
	if (vmctl_vm_start(src.vm) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	src.fd = sv[0];
	pthread_create(&t, NULL, source_thread, &src);
	record(sv[1], &m);
	pthread_join(t, NULL);
	close(sv[0]);
	close(sv[1]);
	vmctl_vm_stop(src.vm);
	vmctl_vm_wait(src.vm, NULL);
	vmctl_vm_destroy(src.vm);
	scripts[0] = scripts[1] = NULL;
	script_len[0] = script_len[1] = 0;
	if (src.ret) {
		fprintf(stderr, "migrate: %s\n", vmctl_error_detail());
		return -1;
	}
	stream_len = fsnap_write(&m, &stream);
	fsnap_free(&m);
	return 0;
}

static int stream_teardown(void **state)
{
	(void)state;
	free(stream);
	return 0;
}

struct feed {
	int fd;
	const uint8_t *buf;
	size_t len;
};

/* The source's bytes, then its end; it stops when the other side closes. */
static void *feed_thread(void *arg)
{
	struct feed *f = arg;
	size_t done = 0;
	ssize_t n;

	while (done < f->len) {
		n = send(f->fd, f->buf + done, f->len - done, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		done += n;
	}
	shutdown(f->fd, SHUT_WR);
	return NULL;
}

/* Receive buf as a migration into a new VM: the error. */
static int receive(const uint8_t *buf, size_t len, const char **stage)
{
	struct feed feed = { .buf = buf, .len = len };
	struct vmctl_incoming *inc;
	struct vmctl_vm *vm;
	const uint8_t *cfg;
	size_t cfg_len, i;
	unsigned int sum = 0;
	pthread_t t;
	int sv[2], ret;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	feed.fd = sv[0];
	assert_int_equal(pthread_create(&t, NULL, feed_thread, &feed), 0);
	*stage = "open";
	ret = vmctl_incoming_open(sv[1], &inc);
	if (!ret) {
		cfg = vmctl_incoming_config(inc, &cfg_len);
		for (i = 0; i < cfg_len; i++)
			sum += cfg[i];
		(void)sum;
		*stage = "receive";
		vm = make_vm(0);
		ret = vmctl_incoming_receive(inc, vm);
		vmctl_incoming_close(inc);
		vmctl_vm_destroy(vm);
	}
	close(sv[1]);
	pthread_join(t, NULL);
	close(sv[0]);
	return ret;
}

/* ---- both ---- */

/* What is fuzzed: a format, its valid bytes, and the reader of them. */
struct target {
	const char *name;
	bool stream;
	uint8_t **valid;
	size_t *len;
	/* The reader's error on buf; *stage: where it stopped. */
	int (*load)(const uint8_t *buf, size_t len, const char **stage);
	unsigned int runs;	/* make check's bounded run */
};

static const struct target file_target = {
	"snapshot file", false, &file, &file_len, load_file, FILE_RUNS,
};
static const struct target stream_target = {
	"migration stream", true, &stream, &stream_len, receive, STREAM_RUNS,
};

/* The valid bytes load; cut at any boundary, they are refused. */
static void cuts(const struct target *t)
{
	const char *stage;
	struct fsnap m;
	size_t *cut, n, i;

	assert_int_equal(t->load(*t->valid, *t->len, &stage), 0);
	assert_int_equal(fsnap_parse(&m, *t->valid, *t->len, t->stream), 0);
	n = fsnap_boundaries(&m, &cut);
	for (i = 0; i < n; i++)
		if (cut[i] < *t->len &&
		    t->load(*t->valid, cut[i], &stage) != -EPROTO)
			fail_msg("%s cut at %zu: %s: %s", t->name, cut[i],
				 stage, vmctl_error_detail());
	free(cut);
	fsnap_free(&m);
}

static void fuzz(const struct target *t)
{
	struct fuzz_host f;
	struct tally tally = { 0 };
	const char *stage;
	char what[64];
	struct fsnap m;
	uint8_t *buf;
	size_t len;
	int ret;

	fuzz_host_init(&f, self, SEED, t->runs);
	while (fuzz_host_next(&f)) {
		assert_int_equal(fsnap_parse(&m, *t->valid, *t->len,
					     t->stream), 0);
		fsnap_mutate(&m, &f.rng);
		len = fsnap_write(&m, &buf);
		fsnap_free(&m);
		if (fz_chance(&f, 15))
			fsnap_mutate_bytes(&buf, &len, &f.rng);
		ret = t->load(buf, len, &stage);
		snprintf(what, sizeof(what), "%s, %s", t->name, stage);
		judge(&f, &tally, what, ret);
		free(buf);
	}
	fuzz_host_done(&f);
	summary(t->name, &tally);
	assert_int_equal(f.failures, 0);
}

/*
 * A VCPU section twice (found by the fuzzer: EEXIST, and no word of
 * why): refused as a damaged snapshot, in a file and in a stream.
 */
static void vcpu_twice(const struct target *t)
{
	struct snap_section h;
	const char *stage;
	struct fsec end;
	struct fsnap m;
	uint8_t *buf;
	size_t len;
	unsigned int i;

	assert_int_equal(fsnap_parse(&m, *t->valid, *t->len, t->stream), 0);
	for (i = 0; m.s[i].h.type != SNAP_VCPU; i++)
		;
	h = m.s[i].h;
	fsnap_add(&m, &h, m.s[i].data, m.s[i].len);
	/* The copy before END, which stays last. */
	end = m.s[m.nr - 2];
	m.s[m.nr - 2] = m.s[m.nr - 1];
	m.s[m.nr - 1] = end;
	len = fsnap_write(&m, &buf);
	assert_int_equal(t->load(buf, len, &stage), -EPROTO);
	assert_non_null(strstr(vmctl_error_detail(), "vCPU 0 twice"));
	free(buf);
	fsnap_free(&m);
}

static void test_file_cuts(void **state)
{
	(void)state;
	cuts(&file_target);
}

static void test_file_fuzz(void **state)
{
	(void)state;
	fuzz(&file_target);
}

static void test_stream_cuts(void **state)
{
	(void)state;
	cuts(&stream_target);
}

static void test_vcpu_twice(void **state)
{
	(void)state;
	vcpu_twice(&file_target);
}

static void test_stream_vcpu_twice(void **state)
{
	(void)state;
	vcpu_twice(&stream_target);
}

static void test_stream_fuzz(void **state)
{
	(void)state;
	fuzz(&stream_target);
}

static int setup(void **state)
{
	int fd;

	if (fake_device_setup(state) || tmp_file_make(snap_path) ||
	    tmp_file_make(disk_path))
		return -1;
	fd = open(disk_path, O_WRONLY);
	if (fd < 0 || ftruncate(fd, 1 << 20))
		return -1;
	close(fd);
	fake_state = true;
	fake_irqchip_cap = true;
	return vmctl_open(&sys);
}

static int teardown(void **state)
{
	vmctl_close(sys);
	unlink(snap_path);
	unlink(disk_path);
	return fake_device_teardown(state);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_cuts, file_setup,
						file_teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_twice, file_setup,
						file_teardown),
		cmocka_unit_test_setup_teardown(test_file_fuzz, file_setup,
						file_teardown),
		cmocka_unit_test_setup_teardown(test_stream_cuts, stream_setup,
						stream_teardown),
		cmocka_unit_test_setup_teardown(test_stream_vcpu_twice,
						stream_setup, stream_teardown),
		cmocka_unit_test_setup_teardown(test_stream_fuzz,
						stream_setup, stream_teardown),
	};

	(void)argc;
	self = argv[0];
	return cmocka_run_group_tests(tests, setup, teardown);
}
