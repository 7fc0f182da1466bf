/*
 * test_async_io.c - the loop's asynchronous read_at / write_at (ABI v1.3)
 * on every loop that has them: epoll and the bridge for 0.1 event loops
 * (the portable thread pool and readiness), io_uring (native requests).
 * Through the real job path with the async_io fixture workload: blocks of
 * a regular file written and read back at their offsets, a read and a
 * write on a pipe (offset -1), end of file, -EBADF, 2,000 operations in
 * flight at once, and tasks that complete with operations still in flight
 * (the run ends, and no callback of theirs runs).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_plugins_common.h"

#define AIO "tests/fixtures/workloads/async_io.so"
#define LEGACY_LOOP "tests/fixtures/abi/v1.0/legacy_loop.so"
#define BLOCK 4096

struct loop_kind {
	const char *rel;
	union concur_value sv[2];
};

/* max_inflight 0 (all at once) / threads, or legacy_loop's concurrency. */
static const struct loop_kind loops[] = {
	{ "plugins/strategy/epoll.so", { { .i = 0 }, { .i = 1 } } },
	{ "plugins/strategy/epoll.so", { { .i = 0 }, { .i = 2 } } },
	{ "plugins/strategy/io_uring.so", { { .i = 0 }, { .i = 1 } } },
	{ "plugins/strategy/io_uring.so", { { .i = 0 }, { .i = 2 } } },
	{ LEGACY_LOOP, { { .i = 100000 }, { .b = false } } },
};

/* A fresh empty file for the run; the caller unlinks and frees it. */
static char *temp_file(void)
{
	char *path = strdup("/tmp/concur-async-io-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return path;
}

static void run_mode(const struct loop_kind *k, const char *mode, int64_t count)
{
	char *path = temp_file();
	union concur_value wv[3] = { { .i = count },
				     { .s = mode },
				     { .s = path } };
	int rc;
	struct job_shared *sh = tp_run(tp_load(k->rel), k->sv, tp_load(AIO), wv,
				       (size_t)count, &rc);

	if (rc != 0 || sh->n_failed != 0)
		fail_msg("%s (parameters %lld, %lld), mode %s: rc %d, %llu "
			 "of %lld tasks failed: %s",
			 k->rel, (long long)k->sv[0].i, (long long)k->sv[1].i,
			 mode, rc, (unsigned long long)sh->n_failed,
			 (long long)count, sh->error_text);
	job_unmap(sh, (size_t)count);
	unlink(path);
	free(path);
}

static void each_loop(const char *mode, int64_t count)
{
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		run_mode(&loops[i], mode, count);
}

static void test_file_blocks_at_offsets(void **state)
{
	(void)state;
	each_loop("file", 64);
}

static void test_pipe_read_and_write(void **state)
{
	(void)state;
	each_loop("pipe", 20);
}

static void test_end_of_file_reads_zero(void **state)
{
	(void)state;
	each_loop("eof", 5);
}

static void test_bad_fd_is_ebadf(void **state)
{
	(void)state;
	each_loop("ebadf", 3);
}

static void test_many_in_flight(void **state)
{
	(void)state;
	each_loop("file", 2000);
}

static void test_in_flight_at_completion(void **state)
{
	(void)state;
	each_loop("abandon", 10);
}

/* The file really holds what write_at wrote (not only what read_at saw). */
static void file_content_after_run(const struct loop_kind *k)
{
	char *path = temp_file();
	union concur_value wv[3] = { { .i = 8 },
				     { .s = "file" },
				     { .s = path } };
	unsigned char b[BLOCK];
	int rc, fd;
	struct job_shared *sh =
		tp_run(tp_load(k->rel), k->sv, tp_load(AIO), wv, 8, &rc);

	assert_int_equal(rc, 0);
	job_unmap(sh, 8);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(pread(fd, b, BLOCK, (off_t)(i * BLOCK)),
				 BLOCK);
		for (size_t j = 0; j < BLOCK; j++)
			assert_int_equal(b[j], (unsigned char)(i * 7 + j));
	}
	close(fd);
	unlink(path);
	free(path);
}

static void test_file_content_after_run(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		file_content_after_run(&loops[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_blocks_at_offsets),
		cmocka_unit_test(test_pipe_read_and_write),
		cmocka_unit_test(test_end_of_file_reads_zero),
		cmocka_unit_test(test_bad_fd_is_ebadf),
		cmocka_unit_test(test_many_in_flight),
		cmocka_unit_test(test_in_flight_at_completion),
		cmocka_unit_test(test_file_content_after_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
