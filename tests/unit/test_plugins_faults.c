/*
 * test_plugins_faults - a task that crashes, exits, aborts or fails never
 * stops the others: forkpool survives dying workers and names the signal
 * and the task; sync, pthreads and forkpool report returned errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugins_common.h"

#define SYNC "plugins/strategy/sync.so"
#define PTHREADS "plugins/strategy/pthreads.so"
#define FORKPOOL "plugins/strategy/forkpool.so"
#define CRASHY "tests/fixtures/workloads/crashy.so"

struct fault {
	const char *strategy;
	int64_t workers, chunk;
	int64_t count, crash_task;
	const char *mode;
	bool every;
};

static struct job_shared *run_fault(const struct fault *f, int *ret_rc)
{
	union concur_value sv[2] = { { .i = f->workers }, { .i = f->chunk } };
	union concur_value wv[5] = { { .i = f->count },
				     { .i = f->crash_task },
				     { .s = f->mode },
				     { .b = f->every },
				     { .i = 3 } };

	return tp_run(tp_load(f->strategy), sv, tp_load(CRASHY), wv,
		      (size_t)f->count, ret_rc);
}

/* Exactly task `bad` failed with `status`; the error names `reason`. */
static void expect_one_failed(const struct fault *f, int status,
			      const char *reason)
{
	struct job_shared *sh;
	int64_t i;
	int rc;

	sh = run_fault(f, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, 1);
	for (i = 0; i < f->count; i++) {
		const struct concur_task *t = &sh->tasks[i];

		assert_true(t->flags & CONCUR_TASK_DONE);
		assert_true(t->end_ns >= t->start_ns);
		if (i == f->crash_task) {
			assert_int_equal(t->status, status);
		} else {
			assert_int_equal(t->status, 0);
			assert_int_equal(t->result, (uint64_t)i);
		}
	}
	assert_int_equal(sh->error_task, (uint64_t)f->crash_task);
	if (!strstr(sh->error_text, reason))
		fail_msg("error '%s' does not say '%s'", sh->error_text,
			 reason);
	job_release(sh);
}

static void test_forkpool_segv(void **state)
{
	struct fault f = { FORKPOOL, 2, 1, 10, 3, "segv", false };

	(void)state;
	expect_one_failed(&f, -ECHILD, "killed by SIGSEGV during task 3");
	f.workers = 1; /* the only worker dies: its replacement goes on */
	expect_one_failed(&f, -ECHILD, "killed by SIGSEGV during task 3");
}

static void test_forkpool_exit_abort(void **state)
{
	struct fault f = { FORKPOOL, 2, 1, 10, 5, "exit", false };

	(void)state;
	expect_one_failed(&f, -ECHILD, "exited with status 3 during task 5");
	f.mode = "abort";
	expect_one_failed(&f, -ECHILD, "killed by SIGABRT during task 5");
}

/* Tasks claimed in the dead worker's chunk still run (swept up). */
static void test_forkpool_chunk_orphans(void **state)
{
	struct fault f = { FORKPOOL, 2, 4, 13, 1, "segv", false };

	(void)state;
	expect_one_failed(&f, -ECHILD, "killed by SIGSEGV during task 1");
	f.crash_task = 12;
	expect_one_failed(&f, -ECHILD, "killed by SIGSEGV during task 12");
}

static void test_error_every_strategy(void **state)
{
	static const char *const strategies[] = { SYNC, PTHREADS, FORKPOOL };
	struct fault f = { NULL, 3, 1, 10, 4, "error", false };
	size_t s;

	(void)state;
	for (s = 0; s < 3; s++) {
		f.strategy = strategies[s];
		expect_one_failed(&f, -EIO, "injected error in task 4");
	}
}

/* Every task crashes: every task fails, and the pool still ends. */
static void crash_every_task(int64_t workers, int64_t chunk, int64_t count)
{
	struct fault f = { FORKPOOL, workers, chunk, count, -1, "segv", true };
	struct job_shared *sh;
	int64_t i;
	int rc;

	sh = run_fault(&f, &rc);
	if (rc != 0)
		fail_msg("workers %lld chunk %lld: %s", (long long)workers,
			 (long long)chunk, sh->error_text);
	assert_int_equal(sh->n_failed, count);
	for (i = 0; i < count; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_int_equal(sh->tasks[i].status, -ECHILD);
	}
	job_release(sh);
}

static void test_forkpool_crash_every_task(void **state)
{
	(void)state;
	crash_every_task(2, 1, 7);
	/* chunks of 4: three of every four claimed tasks are orphaned */
	crash_every_task(2, 4, 13);
	crash_every_task(5, 3, 11);
	/* more workers than tasks */
	crash_every_task(6, 1, 2);
}

/* A worker that crashes in worker_init cannot hang the pool either. */
static void test_forkpool_crash_in_init(void **state)
{
	struct fault f = { FORKPOOL, 2, 1, 5, -1, "init_segv", false };
	struct job_shared *sh;
	int rc;

	(void)state;
	sh = run_fault(&f, &rc);
	assert_true(rc < 0);
	if (!strstr(sh->error_text,
		    "killed by SIGSEGV outside any task (in worker_init)"))
		fail_msg("unexpected error '%s'", sh->error_text);
	job_release(sh);
}

/* worker_init returning an error fails the run with its message. */
static void test_init_error(void **state)
{
	static const char *const strategies[] = { SYNC, PTHREADS, FORKPOOL };
	struct fault f = { NULL, 2, 1, 5, -1, "init_error", false };
	struct job_shared *sh;
	size_t s;
	int rc;

	(void)state;
	for (s = 0; s < 3; s++) {
		f.strategy = strategies[s];
		sh = run_fault(&f, &rc);
		assert_int_equal(rc, -EIO);
		if (!strstr(sh->error_text,
			    "init failed: injected init error in worker"))
			fail_msg("%s: unexpected error '%s'", strategies[s],
				 sh->error_text);
		job_release(sh);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forkpool_segv),
		cmocka_unit_test(test_forkpool_exit_abort),
		cmocka_unit_test(test_forkpool_chunk_orphans),
		cmocka_unit_test(test_error_every_strategy),
		cmocka_unit_test(test_forkpool_crash_every_task),
		cmocka_unit_test(test_forkpool_crash_in_init),
		cmocka_unit_test(test_init_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
