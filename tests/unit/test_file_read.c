/*
 * test_file_read - the file_read workload: its pattern, digest and block
 * order (helper source), the plugin run by every real strategy through
 * job_run, a flipped byte on disk failing exactly its task, the page cache
 * as `cache` leaves it, nothing left in `dir`, and the event-loop face on a
 * mock loop with read_at (short reads, errors, depth) and without it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fr_data.h"
#include "test_http_common.h"
#include "util.h"

static const char *const strategies[] = { "sync", "pthreads", "epoll",
					  "forkpool", "io_uring" };

static char test_dir[] = "/tmp/concur-test-file_read.XXXXXX";

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(test_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(test_dir);
}

static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* ---- the helpers: pattern, digest, order ---- */

static void test_order_is_a_permutation(void **state)
{
	static const uint64_t sizes[] = { 1, 2, 3, 7, 8, 1000, 4097 };
	unsigned char *seen = calloc(4097, 1);
	struct fr_order o;
	size_t k;
	uint64_t p, moved;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		fr_order_init(&o, sizes[k], 1);
		memset(seen, 0, 4097);
		moved = 0;
		for (p = 0; p < sizes[k]; p++) {
			uint64_t b = fr_order_block(&o, p);

			assert_true(b < sizes[k]);
			assert_int_equal(seen[b], 0);
			seen[b] = 1;
			moved += b != p;
		}
		if (sizes[k] >= 1000) /* shuffled, not merely in place */
			assert_true(moved > sizes[k] / 2);
		fr_order_init(&o, sizes[k], 0);
		for (p = 0; p < sizes[k]; p++)
			assert_int_equal(fr_order_block(&o, p), p);
	}
	free(seen);
}

static void test_digest_sees_every_byte_and_place(void **state)
{
	unsigned char buf[1003];
	uint64_t d;
	size_t i;

	(void)state;
	fr_fill(3, 4096, buf, sizeof(buf));
	d = fr_digest(buf, sizeof(buf), 4096);
	assert_int_not_equal(d, fr_digest(buf, sizeof(buf), 8192));
	assert_int_not_equal(d, fr_digest(buf, sizeof(buf) - 1, 4096));
	for (i = 0; i < sizeof(buf); i += 97) {
		buf[i] ^= 0x01;
		assert_int_not_equal(d, fr_digest(buf, sizeof(buf), 4096));
		buf[i] ^= 0x01;
	}
	/* the same bytes of another file, or another place, differ */
	fr_fill(4, 4096, buf, sizeof(buf));
	assert_int_not_equal(d, fr_digest(buf, sizeof(buf), 4096));
	fr_fill(3, 4096, buf, sizeof(buf));
	assert_int_equal(d, fr_digest(buf, sizeof(buf), 4096));
}

/* ---- the plugin through the real strategies ---- */

static void fr_values(struct th_values *w)
{
	th_defaults(w, th_load("plugins/workload/file_read.so"));
	th_set(w, "dir", test_dir);
	th_set(w, "files", "3");
	th_set(w, "file_size", "100000"); /* a short last block */
	th_set(w, "block_size", "4k");
}

static const struct plugin *strategy(struct th_values *s, const char *name)
{
	char rel[128];
	const struct plugin *p;

	snprintf(rel, sizeof(rel), "plugins/strategy/%s.so", name);
	p = th_load_optional(rel);
	if (!p)
		return NULL;
	th_defaults(s, p);
	if (strcmp(name, "pthreads") == 0 || strcmp(name, "forkpool") == 0)
		th_set(s, "workers", "3");
	return p;
}

static void run_everywhere(const struct th_values *w, size_t n_tasks,
			   uint64_t bytes, unsigned detail)
{
	struct th_values s;
	size_t i, k;
	uint64_t sum;

	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		struct job_shared *sh;

		if (!strategy(&s, strategies[i])) {
			print_message("  %s: not built here\n", strategies[i]);
			continue;
		}
		sh = th_run(&s, w, n_tasks);
		print_message("  %s: %llu of %llu failed; %s\n", strategies[i],
			      (unsigned long long)sh->n_failed,
			      (unsigned long long)sh->n_tasks, sh->error_text);
		assert_int_equal(sh->n_failed, 0);
		for (k = 0, sum = 0; k < n_tasks; k++) {
			assert_int_equal(sh->tasks[k].detail, detail);
			sum += sh->tasks[k].bytes;
		}
		assert_int_equal(sum, bytes);
		job_release(sh);
		assert_int_equal(dir_entries(test_dir), 0);
	}
}

static void test_whole_files_every_strategy(void **state)
{
	struct th_values w;

	(void)state;
	fr_values(&w);
	run_everywhere(&w, 3, 300000, 0);
	th_set(&w, "pattern", "random");
	th_set(&w, "cache", "cold");
	run_everywhere(&w, 3, 300000, 1);
}

static void test_ranges_random_direct_depth(void **state)
{
	struct th_values w;

	(void)state;
	fr_values(&w);
	th_set(&w, "files", "2");
	th_set(&w, "ranges", "5");
	th_set(&w, "pattern", "random");
	th_set(&w, "cache", "direct");
	th_set(&w, "depth", "4");
	run_everywhere(&w, 10, 200000, 2);
	/* odd block sizes: words cut in two, one block per task */
	fr_values(&w);
	th_set(&w, "files", "1");
	th_set(&w, "file_size", "1000");
	th_set(&w, "block_size", "13");
	th_set(&w, "ranges", "77"); /* 76 blocks of 13 bytes, one of 12 */
	run_everywhere(&w, 77, 1000, 0);
}

/* ---- the plugin's hooks called directly ---- */

struct direct {
	const struct concur_workload_ops *ops;
	void *inst, *worker;
	char err[CONCUR_ERRLEN];
};

static void direct_open(struct direct *d, const struct th_values *w)
{
	memset(d, 0, sizeof(*d));
	d->ops = &w->plugin->workload;
	if (d->ops->create(w->v, &d->inst, d->err, sizeof(d->err)) ||
	    d->ops->prepare(d->inst, d->err, sizeof(d->err)) ||
	    d->ops->worker_init(d->inst, 0, NULL, &d->worker, d->err,
				sizeof(d->err)))
		fail_msg("file_read: %s", d->err);
}

static void direct_close(struct direct *d)
{
	d->ops->worker_fini(d->inst, d->worker);
	d->ops->destroy(d->inst);
}

/* The fds this process holds on the workload's files (no name left). */
static size_t workload_fds(int *fds, size_t cap)
{
	char link[300], target[4096];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;
	ssize_t len;

	assert_non_null(d);
	while ((e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strstr(target, "/concur-file_read.") &&
		    strstr(target, "(deleted)") && n < cap)
			fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	return n;
}

static void test_flipped_byte_fails_its_task(void **state)
{
	struct th_values w;
	struct direct d;
	struct concur_task rec[4];
	unsigned char c;
	int fds[16];
	size_t i, n;

	(void)state;
	fr_values(&w);
	th_set(&w, "files", "1");
	th_set(&w, "ranges", "4"); /* 25 blocks: 6, 6, 6, 7 */
	th_set(&w, "pattern", "random");
	direct_open(&d, &w);
	n = workload_fds(fds, ARRAY_SIZE(fds));
	assert_int_equal(n, 1);
	assert_int_equal(dir_entries(test_dir), 0); /* open, but unnamed */
	assert_int_equal(pread(fds[0], &c, 1, 77777), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fds[0], &c, 1, 77777), 1);
	n = 0;
	for (i = 0; i < 4; i++) {
		memset(&rec[i], 0, sizeof(rec[i]));
		assert_int_equal(d.ops->run_task(d.inst, d.worker, i, &rec[i],
						 d.err, sizeof(d.err)),
				 0);
		d.err[0] = '\0';
		if (d.ops->check_task(d.inst, i, &rec[i], d.err,
				      sizeof(d.err)) == 0)
			continue;
		n++;
		print_message("  task %zu: %s\n", i, d.err);
		assert_non_null(strstr(d.err, "the data read differs from the "
					      "data written"));
	}
	assert_int_equal(n, 1); /* the one task whose range holds it */
	direct_close(&d);
	assert_int_equal(workload_fds(fds, ARRAY_SIZE(fds)), 0);
}

/* Pages of fd's first `size` bytes in the page cache. */
static size_t resident_pages(int fd, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_pages = (size + (size_t)page - 1) / (size_t)page, i, n = 0;
	unsigned char *vec = calloc(n_pages, 1);
	void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, size, vec), 0);
	for (i = 0; i < n_pages; i++)
		n += vec[i] & 1;
	munmap(map, size);
	free(vec);
	return n;
}

static void test_cache_state_before_the_run(void **state)
{
	static const char *const modes[] = { "warm", "cold", "direct" };
	struct th_values w;
	struct direct d;
	int fds[16];
	size_t i, k, n, pages;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(modes); k++) {
		fr_values(&w);
		th_set(&w, "file_size", "1M");
		th_set(&w, "cache", modes[k]);
		direct_open(&d, &w);
		n = workload_fds(fds, ARRAY_SIZE(fds));
		assert_int_equal(n, k == 2 ? 6 : 3); /* direct: 2 per file */
		for (i = 0; i < n; i++) {
			pages = resident_pages(fds[i], 1 << 20);
			print_message("  %s: fd %d: %zu of 256 pages cached\n",
				      modes[k], fds[i], pages);
			assert_int_equal(pages, k == 0 ? 256 : 0);
		}
		direct_close(&d);
	}
}

/* Bytes this process has had fetched from storage (/proc/self/io). */
static long long storage_read_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long v = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "read_bytes:", 11) == 0)
			v = atoll(line + 11);
	fclose(f);
	assert_true(v >= 0);
	return v;
}

/*
 * A cold random pattern reads what it asks for and no more: the kernel is
 * told (POSIX_FADV_RANDOM, as fio does), so half the blocks in random order
 * fetch half the file; readahead would fetch all of it and make later
 * reads hits.
 */
static void test_cold_random_reads_only_its_blocks(void **state)
{
	struct th_values w;
	struct direct d;
	struct concur_task rec;
	long long before, fetched;
	size_t i;

	(void)state;
	fr_values(&w);
	th_set(&w, "files", "1");
	th_set(&w, "file_size", "16M");
	th_set(&w, "ranges", "4096"); /* a task per 4 KiB block */
	th_set(&w, "pattern", "random");
	th_set(&w, "cache", "cold");
	direct_open(&d, &w);
	before = storage_read_bytes();
	for (i = 0; i < 2048; i++) {
		memset(&rec, 0, sizeof(rec));
		assert_int_equal(d.ops->run_task(d.inst, d.worker, i, &rec,
						 d.err, sizeof(d.err)),
				 0);
	}
	fetched = storage_read_bytes() - before;
	print_message("  2048 random 4 KiB reads fetched %lld bytes\n",
		      fetched);
	assert_true(fetched <= 2048 * 4096 + 256 * 1024);
	direct_close(&d);
}

/* ---- the event-loop face on a mock loop ---- */

struct mock_loop {
	struct concur_loop loop;
	struct concur_io *queue[64];
	size_t queued, max_queued;
	size_t completed;
	int status;
	char error[CONCUR_ERRLEN];
	int fail_after; /* reads done before every later one fails; -1 never */
	bool short_reads;
};

static int mock_read_at(struct concur_loop *loop, struct concur_io *io, int fd,
			void *buf, uint64_t len, int64_t offset,
			concur_io_cb cb, void *arg)
{
	struct mock_loop *m = (struct mock_loop *)loop;

	assert_true(m->queued < ARRAY_SIZE(m->queue));
	*io = (struct concur_io){ .fd = fd,
				  .buf = buf,
				  .len = len,
				  .offset = offset,
				  .cb = cb,
				  .arg = arg };
	m->queue[m->queued++] = io;
	if (m->queued > m->max_queued)
		m->max_queued = m->queued;
	return 0;
}

static void mock_complete(struct concur_loop *loop, size_t task, int status,
			  const char *error)
{
	struct mock_loop *m = (struct mock_loop *)loop;

	(void)task;
	assert_int_equal(m->queued, 0); /* never with a read in flight */
	m->completed++;
	m->status = status;
	snprintf(m->error, sizeof(m->error), "%s", error ? error : "");
}

/* Run the queued reads, oldest first, until none is left. */
static void mock_drain(struct mock_loop *m)
{
	while (m->queued) {
		struct concur_io *io = m->queue[0];
		uint64_t len =
			m->short_reads && io->len > 100 ? io->len / 2 : io->len;
		ssize_t n;

		memmove(m->queue, m->queue + 1,
			--m->queued * sizeof(*m->queue));
		if (m->fail_after == 0) {
			io->cb(&m->loop, io, -EIO, io->arg);
			continue;
		}
		m->fail_after -= m->fail_after > 0;
		n = pread(io->fd, io->buf, len, io->offset);
		io->cb(&m->loop, io, n < 0 ? -errno : n, io->arg);
	}
}

static void mock_init(struct mock_loop *m, bool has_read_at)
{
	memset(m, 0, sizeof(*m));
	m->loop.size = has_read_at ? CONCUR_LOOP_SIZE
				   : offsetof(struct concur_loop, read_at);
	m->loop.complete = mock_complete;
	m->loop.read_at = mock_read_at;
	m->fail_after = -1;
}

/* Start task 0 on m and drain; returns start_task's value. */
static int mock_run(struct mock_loop *m, struct direct *d,
		    struct concur_task *rec)
{
	int rc;

	memset(rec, 0, sizeof(*rec));
	rc = d->ops->start_task(d->inst, d->worker, 0, rec, &m->loop, d->err,
				sizeof(d->err));
	mock_drain(m);
	return rc;
}

static void test_loop_face_read_at(void **state)
{
	struct th_values w;
	struct direct d;
	struct mock_loop m;
	struct concur_task rec;

	(void)state;
	fr_values(&w);
	th_set(&w, "files", "1");
	th_set(&w, "depth", "4");
	th_set(&w, "pattern", "random");
	direct_open(&d, &w);
	mock_init(&m, true);
	assert_int_equal(mock_run(&m, &d, &rec), 0);
	assert_int_equal(m.completed, 1);
	assert_int_equal(m.status, 0);
	assert_int_equal(m.max_queued, 4);
	assert_int_equal(
		d.ops->check_task(d.inst, 0, &rec, d.err, sizeof(d.err)), 0);
	/* short reads: the rest of each block is asked for again */
	mock_init(&m, true);
	m.short_reads = true;
	assert_int_equal(mock_run(&m, &d, &rec), 0);
	assert_int_equal(m.status, 0);
	assert_int_equal(rec.bytes, 100000);
	assert_int_equal(
		d.ops->check_task(d.inst, 0, &rec, d.err, sizeof(d.err)), 0);
	/* a failing read fails the task once the others in flight are back */
	mock_init(&m, true);
	m.fail_after = 6;
	assert_int_equal(mock_run(&m, &d, &rec), 0);
	assert_int_equal(m.completed, 1);
	assert_int_equal(m.status, -EIO);
	assert_int_equal(rec.status, -EIO);
	assert_non_null(strstr(m.error, "read: Input/output error"));
	/* a loop without read_at: pread inside start_task, completed there */
	mock_init(&m, false);
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(d.ops->start_task(d.inst, d.worker, 0, &rec, &m.loop,
					   d.err, sizeof(d.err)),
			 0);
	assert_int_equal(m.completed, 1);
	assert_int_equal(m.max_queued, 0);
	assert_int_equal(
		d.ops->check_task(d.inst, 0, &rec, d.err, sizeof(d.err)), 0);
	direct_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_is_a_permutation),
		cmocka_unit_test(test_digest_sees_every_byte_and_place),
		cmocka_unit_test(test_whole_files_every_strategy),
		cmocka_unit_test(test_ranges_random_direct_depth),
		cmocka_unit_test(test_flipped_byte_fails_its_task),
		cmocka_unit_test(test_cache_state_before_the_run),
		cmocka_unit_test(test_cold_random_reads_only_its_blocks),
		cmocka_unit_test(test_loop_face_read_at),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
