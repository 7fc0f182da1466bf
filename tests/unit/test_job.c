/*
 * Unit tests for job_read_back (harness/engine/job.c): everything a run's plugins
 * can write in the shared mapping is checked against what the parent kept,
 * and text_sanitize (harness/base/util.c), which makes plugin text printable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "job.h"
#include "util.h"

#define N 16

/* A mapping as a healthy run leaves it: every task done, 10 ns each. */
static struct job_shared *healthy(void)
{
	struct job_shared *sh = job_alloc(N);
	size_t i;

	assert_non_null(sh);
	sh->n_tasks = N;
	sh->wall_ns = 1000;
	for (i = 0; i < N; i++) {
		sh->tasks[i].start_ns = (int64_t)i * 10;
		sh->tasks[i].end_ns = (int64_t)i * 10 + 10;
		sh->tasks[i].flags = CONCUR_TASK_DONE;
	}
	return sh;
}

static int read_back(struct job_shared *sh, struct job_outcome *out, char *why)
{
	return job_read_back(sh, N, out, why, CONCUR_ERRLEN);
}

static void test_healthy_run_reads_back(void **state)
{
	struct job_shared *sh = healthy();
	struct job_outcome out;
	char why[CONCUR_ERRLEN] = "";

	(void)state;
	snprintf(sh->error_text, sizeof(sh->error_text), "task 3: refused");
	sh->n_failed = 1;
	assert_int_equal(read_back(sh, &out, why), 0);
	assert_int_equal(out.n_tasks, N);
	assert_int_equal(out.n_failed, 1);
	assert_int_equal(out.wall_ns, 1000);
	assert_string_equal(out.error_text, "task 3: refused");
	job_unmap(sh, N);
}

static void expect_refused(struct job_shared *sh, const char *reason)
{
	struct job_outcome out;
	char why[CONCUR_ERRLEN] = "";

	assert_int_equal(read_back(sh, &out, why), -EPROTO);
	if (!strstr(why, reason))
		fail_msg("why = '%s', want '%s' in it", why, reason);
	assert_true(out.n_tasks <= N || strstr(why, "header"));
	job_unmap(sh, N);
}

static void test_header_claims_are_bounded(void **state)
{
	struct job_shared *sh = healthy();

	(void)state;
	sh->n_tasks = N + 1;
	expect_refused(sh, "claims 17 tasks");
	sh = healthy();
	sh->n_failed = N + 1;
	expect_refused(sh, "17 failed");
	sh = healthy();
	sh->capacity = UINT64_MAX;
	expect_refused(sh, "room for 18446744073709551615; 16 were mapped");
	sh = healthy();
	sh->magic = 0;
	expect_refused(sh, "corrupted concur's run header");
	sh = healthy();
	sh->wall_ns = -1;
	expect_refused(sh, "corrupted concur's run header");
}

static void test_writes_outside_the_records_are_seen(void **state)
{
	struct job_shared *sh = healthy();

	(void)state;
	sh->guard[sizeof(sh->guard) - 1] = 0; /* the byte below task 0 */
	expect_refused(sh, "wrote below its task records");
	sh = healthy();
	((unsigned char *)&sh->tasks[N])[0] ^= 1; /* one byte past the last */
	expect_refused(sh, "wrote past its task records");
}

static void test_impossible_times_are_refused(void **state)
{
	struct job_shared *sh = healthy();

	(void)state;
	sh->tasks[5].start_ns = INT64_MIN;
	sh->tasks[5].end_ns = INT64_MAX;
	expect_refused(sh, "stamped task 5 with impossible times");
	/* a task that never ran is not judged by its times */
	sh = healthy();
	sh->tasks[5].start_ns = INT64_MIN;
	sh->tasks[5].end_ns = INT64_MAX;
	sh->tasks[5].flags = 0;
	{
		struct job_outcome out;
		char why[CONCUR_ERRLEN];

		assert_int_equal(read_back(sh, &out, why), 0);
	}
	job_unmap(sh, N);
}

static void test_error_text_is_terminated_and_printable(void **state)
{
	struct job_shared *sh = healthy();
	struct job_outcome out;
	char why[CONCUR_ERRLEN];

	(void)state;
	memset(sh->error_text, '\033', sizeof(sh->error_text)); /* no NUL */
	assert_int_equal(read_back(sh, &out, why), 0);
	assert_int_equal(strlen(out.error_text), CONCUR_ERRLEN - 1);
	assert_null(strchr(out.error_text, '\033'));
	job_unmap(sh, N);
}

static void test_sanitize(void **state)
{
	char s[64];

	(void)state;
	snprintf(s, sizeof(s), "a\033[2Jb\r\n\t\x7f");
	text_sanitize(s);
	assert_string_equal(s, "a?[2Jb????");
	snprintf(s, sizeof(s), "caf\xc3\xa9 \xe2\x82\xac ok");
	text_sanitize(s);
	assert_string_equal(s, "caf\xc3\xa9 \xe2\x82\xac ok"); /* UTF-8 kept */
	snprintf(s, sizeof(s), "x\xc2\x9by\x9bz\xff\xc3");
	text_sanitize(s); /* C1 CSI, a lone CSI byte, junk, a cut sequence */
	assert_string_equal(s, "x?y?z??");
	snprintf(s, sizeof(s), "\xed\xa0\x80|\xe0\x80\xaf");
	text_sanitize(s); /* a surrogate, an overlong '/' */
	assert_string_equal(s, "???|???");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_run_reads_back),
		cmocka_unit_test(test_header_claims_are_bounded),
		cmocka_unit_test(test_writes_outside_the_records_are_seen),
		cmocka_unit_test(test_impossible_times_are_refused),
		cmocka_unit_test(test_error_text_is_terminated_and_printable),
		cmocka_unit_test(test_sanitize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
