// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The snapshot file's checks (snapshot_load.c, layout in snapshot.h): a
 * well-formed file opens and gives its config back; a truncated or
 * lengthened file, another magic, another version, a damaged header, a
 * payload or section header that fails its CRC, a section that runs
 * past the end, memory off a page boundary and a file without END are
 * each refused with a message saying so.  And CRC-32's check value.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "snapshot.h"
#include "tmp_file.h"

static char path[] = "/tmp/vmctl-test-snapshot.XXXXXX";

/* A file: CONFIG "hello", a MEMORY section of one page, END. */
struct file {
	uint8_t b[3 * 4096];
	size_t len;
};

static void section(struct file *f, uint32_t type, const void *data,
		    size_t size, uint64_t align)
{
	struct snap_section *h = (void *)(f->b + f->len);

	memset(h, 0, sizeof(*h));
	h->type = type;
	h->offset = (f->len + sizeof(*h) + align - 1) & ~(align - 1);
	h->size = size;
	memcpy(f->b + h->offset, data, size);
	h->crc = vmctl_crc32(0, h, sizeof(*h));
	if (type != SNAP_MEMORY)
		h->crc = vmctl_crc32(h->crc, data, size);
	f->len = (h->offset + size + 7) & ~7ULL;
}

static void finish(struct file *f, uint32_t nr)
{
	struct snap_header *h = (void *)f->b;

	memcpy(h->magic, SNAP_MAGIC, 8);
	h->version = SNAP_VERSION;
	h->nr_sections = nr;
	h->file_size = f->len;
	h->crc = 0;
	h->crc = vmctl_crc32(0, h, sizeof(*h));
}

static void make(struct file *f)
{
	static uint8_t page[4096] = { 1, 2, 3 };

	memset(f, 0, sizeof(*f));
	f->len = sizeof(struct snap_header);
	section(f, SNAP_CONFIG, "hello", 5, 8);
	section(f, SNAP_MEMORY, page, sizeof(page), 4096);
	section(f, SNAP_END, NULL, 0, 8);
	finish(f, 3);
}

/* Write f (len bytes) and open it: the error, the detail in *why. */
static int try_open(const struct file *f, size_t len, const char **why)
{
	struct vmctl_snapshot *s;
	int fd = open(path, O_WRONLY | O_TRUNC);
	int ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->b, len), len);
	close(fd);
	ret = vmctl_snapshot_open(path, &s);
	*why = vmctl_error_detail();
	if (!ret)
		vmctl_snapshot_close(s);
	return ret;
}

static void refused(const struct file *f, size_t len, const char *text)
{
	const char *why;

	assert_int_equal(try_open(f, len, &why), -EPROTO);
	if (!strstr(why, text))
		fail_msg("'%s' does not say '%s'", why, text);
}

static void test_good(void **state)
{
	struct vmctl_snapshot *s;
	struct file f;
	const char *why;
	const void *cfg;
	size_t len;

	(void)state;
	make(&f);
	assert_int_equal(try_open(&f, f.len, &why), 0);
	assert_int_equal(vmctl_snapshot_open(path, &s), 0);
	cfg = vmctl_snapshot_config(s, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(cfg, "hello", 5);
	vmctl_snapshot_close(s);
	assert_int_equal(vmctl_snapshot_open("/nonexistent/x", &s), -ENOENT);
}

static void test_bad(void **state)
{
	struct file f;
	struct snap_header *h = (void *)f.b;
	struct snap_section *cfg = (void *)(f.b + sizeof(*h));

	(void)state;
	make(&f);
	refused(&f, f.len - 1, "truncated");
	refused(&f, 40, "not a vmctl snapshot (40 bytes)");
	make(&f);
	f.len += 8;
	refused(&f, f.len, "truncated or damaged");
	make(&f);
	memcpy(h->magic, "QEVM\0\0\0\3", 8);
	refused(&f, f.len, "no VMCTLSNP magic");
	make(&f);
	h->version = 2;
	refused(&f, f.len, "version 2; this vmctl reads version 1");
	make(&f);
	h->nr_sections = 4;
	refused(&f, f.len, "header is corrupt (CRC)");
	make(&f);
	f.b[cfg->offset + 1] ^= 1;		/* "hfllo" */
	refused(&f, f.len, "section 0 is corrupt (CRC)");
	make(&f);
	cfg->size = 1 << 20;			/* past the end */
	cfg->crc = 0;
	cfg->crc = vmctl_crc32(0, cfg, sizeof(*cfg));
	refused(&f, f.len, "section 0 is corrupt");
	/* Memory off a page boundary. */
	memset(&f, 0, sizeof(f));
	f.len = sizeof(struct snap_header);
	section(&f, SNAP_MEMORY, "x", 1, 8);
	section(&f, SNAP_END, NULL, 0, 8);
	finish(&f, 2);
	refused(&f, f.len, "section 0 is corrupt");
	/* No END: the last section is the config. */
	memset(&f, 0, sizeof(f));
	f.len = sizeof(struct snap_header);
	section(&f, SNAP_CONFIG, "hello", 5, 8);
	finish(&f, 1);
	refused(&f, f.len, "does not end where its header says");
}

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(vmctl_crc32(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(vmctl_crc32(vmctl_crc32(0, "1234", 4), "56789", 5),
			 0xcbf43926);
	assert_int_equal(vmctl_crc32(0, NULL, 0), 0);
	/* Nothing more (a section without payload) leaves it as it was. */
	assert_int_equal(vmctl_crc32(0xcbf43926, NULL, 0), 0xcbf43926);
}

/* The CRC by its definition, a bit at a time: the stream's format. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t len)
{
	uint32_t c = ~0U;
	int k;

	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

/*
 * Pages, unaligned starts and odd lengths, in one call and in pieces:
 * the library's several-bytes-per-step paths give the definition's CRC,
 * so streams and snapshot files written before still check.
 */
static void test_crc32_pages(void **state)
{
	static uint8_t buf[3 * 4096 + 8];
	size_t i, off, len;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 2654435761U >> 13);
	for (off = 0; off < 8; off += 3)
		for (len = 4096 - 5; len <= 3 * 4096; len += 4096 + 3) {
			uint32_t want = crc32_bitwise(buf + off, len);

			assert_int_equal(vmctl_crc32(0, buf + off, len), want);
			assert_int_equal(vmctl_crc32(vmctl_crc32(0, buf + off, 7),
						     buf + off + 7, len - 7),
					 want);
		}
}

static int setup(void **state)
{
	(void)state;
	return tmp_file_make(path);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_crc32_pages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
