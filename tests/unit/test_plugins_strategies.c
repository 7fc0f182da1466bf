/*
 * test_plugins_strategies - sync, null, pthreads and forkpool run every
 * task exactly once, call worker_init/worker_fini exactly once per worker,
 * stamp and mark every task, and agree on cpu_sum's results.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_plugins_common.h"

#define SYNC "plugins/strategy/sync.so"
#define NULLS "plugins/strategy/null.so"
#define PTHREADS "plugins/strategy/pthreads.so"
#define FORKPOOL "plugins/strategy/forkpool.so"
#define COUNTING "tests/fixtures/workloads/counting.so"
#define CPU_SUM "plugins/workload/cpu_sum.so"
#define NULLW "plugins/workload/null.so"

/* Every task once, DONE, status 0, sane times, chained per worker. */
static void check_tasks(const struct job_shared *sh, size_t n)
{
	size_t i;

	assert_int_equal(sh->n_tasks, n);
	assert_int_equal(sh->n_failed, 0);
	for (i = 0; i < n; i++) {
		const struct concur_task *t = &sh->tasks[i];

		assert_true(t->flags & CONCUR_TASK_DONE);
		assert_int_equal(t->status, 0);
		assert_true(t->start_ns > 0);
		assert_true(t->end_ns >= t->start_ns);
		assert_int_equal(t->result, i);
	}
}

/*
 * Run counting with n tasks on strategy rel with `workers` workers (0 for
 * sync: one worker, values NULL) and check the board.  Returns the board
 * for extra checks by the caller (free it).
 */
static struct counting_board *run_counting(const char *rel, unsigned workers,
					   int64_t chunk, size_t n,
					   int64_t spin)
{
	struct counting_board *b = tp_board_new();
	union concur_value sv[2] = { { .i = workers }, { .i = chunk } };
	union concur_value wv[3] = { { .i = (int64_t)n },
				     { .i = (int64_t)(uintptr_t)b },
				     { .i = spin } };
	unsigned w, nw = workers ? workers : 1, total = 0;
	struct job_shared *sh;
	size_t i;
	int rc;

	sh = tp_run(tp_load(rel), workers ? sv : NULL, tp_load(COUNTING), wv, n,
		    &rc);
	assert_int_equal(rc, 0);
	check_tasks(sh, n);
	assert_int_equal(b->violations, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(b->runs[i], 1);
		assert_true(b->ran_by[i] >= 0 && (unsigned)b->ran_by[i] < nw);
	}
	for (w = 0; w < COUNTING_MAX_WORKERS; w++) {
		unsigned want = w < nw;

		assert_int_equal(b->init_calls[w], want);
		assert_int_equal(b->fini_calls[w], want);
		total += b->tasks_of[w];
	}
	assert_int_equal(total, n);
	job_release(sh);
	return b;
}

static void test_sync_counting(void **state)
{
	struct counting_board *b = run_counting(SYNC, 0, 0, 50, 0);

	(void)state;
	assert_int_equal(b->pid_of[0], getpid());
	tp_board_free(b);
}

/* sync's timestamps are chained: a task ends where the next one starts. */
static void test_sync_chained(void **state)
{
	union concur_value wv[1] = { { .i = 1000 } };
	struct job_shared *sh;
	size_t i;
	int rc;

	(void)state;
	sh = tp_run(tp_load(SYNC), NULL, tp_load(NULLW), wv, 1000, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, 0);
	for (i = 0; i + 1 < 1000; i++)
		assert_int_equal(sh->tasks[i].end_ns,
				 sh->tasks[i + 1].start_ns);
	assert_true(sh->tasks[999].flags & CONCUR_TASK_DONE);
	job_release(sh);
}

/* The null strategy completes tasks without touching the workload. */
static void test_null_strategy(void **state)
{
	struct counting_board *b = tp_board_new();
	union concur_value wv[3] = { { .i = 20 },
				     { .i = (int64_t)(uintptr_t)b },
				     { .i = 0 } };
	union concur_value cv[4] = {
		{ .i = 3 }, { .i = 1000 }, { .i = 1 }, { .i = 1000 }
	};
	struct job_shared *sh;
	size_t i;
	int rc;

	(void)state;
	sh = tp_run(tp_load(NULLS), NULL, tp_load(COUNTING), wv, 20, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(b->init_calls[0], 0);
	assert_int_equal(b->fini_calls[0], 0);
	for (i = 0; i < 20; i++) {
		assert_int_equal(b->runs[i], 0);
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_true(sh->tasks[i].end_ns >= sh->tasks[i].start_ns);
		if (i)
			assert_int_equal(sh->tasks[i].start_ns,
					 sh->tasks[i - 1].end_ns);
	}
	/* counting's check sees results that were never computed (task 0's
	 * zero result happens to be right) */
	assert_int_equal(sh->n_failed, 19);
	job_release(sh);
	tp_board_free(b);

	/* with cpu_sum every check fails, honestly */
	sh = tp_run(tp_load(NULLS), NULL, tp_load(CPU_SUM), cv, 3, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, 3);
	assert_non_null(strstr(sh->error_text, "sum of squares below 1000"));
	job_release(sh);
}

static void test_pthreads_counting(void **state)
{
	static const unsigned workers[] = { 1, 2, 5 };
	static const int64_t chunks[] = { 0, 1, 3 };
	struct counting_board *b;
	size_t wi, ci;

	(void)state;
	for (wi = 0; wi < 3; wi++) {
		for (ci = 0; ci < 3; ci++) {
			b = run_counting(PTHREADS, workers[wi], chunks[ci], 200,
					 1000);
			assert_int_equal(b->pid_of[0], getpid());
			tp_board_free(b);
		}
	}
	/* more workers than tasks, and no tasks at all */
	tp_board_free(run_counting(PTHREADS, 8, 0, 3, 0));
	tp_board_free(run_counting(PTHREADS, 3, 1, 0, 0));
}

/* workers = 1 is sync on one thread: chained times, in task order. */
static void test_pthreads_one_worker_is_sync(void **state)
{
	union concur_value sv[2] = { { .i = 1 }, { .i = 7 } };
	union concur_value wv[1] = { { .i = 100 } };
	struct job_shared *sh;
	size_t i;
	int rc;

	(void)state;
	sh = tp_run(tp_load(PTHREADS), sv, tp_load(NULLW), wv, 100, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, 0);
	for (i = 0; i + 1 < 100; i++)
		assert_int_equal(sh->tasks[i].end_ns,
				 sh->tasks[i + 1].start_ns);
	job_release(sh);
}

static void test_forkpool_counting(void **state)
{
	static const unsigned workers[] = { 1, 2, 5 };
	static const int64_t chunks[] = { 0, 1, 3 };
	struct counting_board *b;
	size_t wi, ci;
	unsigned w;

	(void)state;
	for (wi = 0; wi < 3; wi++) {
		for (ci = 0; ci < 3; ci++) {
			b = run_counting(FORKPOOL, workers[wi], chunks[ci], 200,
					 1000);
			for (w = 0; w < workers[wi]; w++) {
				assert_true(b->pid_of[w] > 0);
				assert_int_not_equal(b->pid_of[w], getpid());
			}
			tp_board_free(b);
		}
	}
	tp_board_free(run_counting(FORKPOOL, 8, 0, 3, 0));
	tp_board_free(run_counting(FORKPOOL, 3, 1, 0, 0));
}

/* Same cpu_sum results from every strategy, all passing check_task. */
static void test_cpu_sum_agrees(void **state)
{
	static const char *const strategies[] = { PTHREADS, FORKPOOL };
	union concur_value cv[4] = {
		{ .i = 12 }, { .i = 200000 }, { .i = 7 }, { .i = 1000000 }
	};
	union concur_value sv[2] = { { .i = 3 }, { .i = 1 } };
	uint64_t want[12];
	struct job_shared *sh;
	size_t i, s;
	int rc;

	(void)state;
	sh = tp_run(tp_load(SYNC), NULL, tp_load(CPU_SUM), cv, 12, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, 0);
	for (i = 0; i < 12; i++)
		want[i] = sh->tasks[i].result;
	job_release(sh);
	for (s = 0; s < 2; s++) {
		sh = tp_run(tp_load(strategies[s]), sv, tp_load(CPU_SUM), cv,
			    12, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(sh->n_failed, 0);
		for (i = 0; i < 12; i++) {
			assert_int_equal(sh->tasks[i].result, want[i]);
			assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		}
		job_release(sh);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_counting),
		cmocka_unit_test(test_sync_chained),
		cmocka_unit_test(test_null_strategy),
		cmocka_unit_test(test_pthreads_counting),
		cmocka_unit_test(test_pthreads_one_worker_is_sync),
		cmocka_unit_test(test_forkpool_counting),
		cmocka_unit_test(test_cpu_sum_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
