/*
 * test_plugins_cpu_sum - the cpu_sum workload: exact sums, the closed-form
 * check, parameter limits, and the event-loop face on a mock loop.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugins_common.h"
#include "util.h"

typedef unsigned __int128 u128;

enum { COUNT, FIRST, STEP, SLICE };

static const struct plugin *cpu_sum(void)
{
	return tp_load("plugins/workload/cpu_sum.so");
}

static void cs_values(union concur_value *v, int64_t count, int64_t first,
		      int64_t step, int64_t slice)
{
	v[COUNT].i = count;
	v[FIRST].i = first;
	v[STEP].i = step;
	v[SLICE].i = slice;
}

static uint64_t digest(u128 sum)
{
	return (uint64_t)sum ^
	       (uint64_t)(sum >> 64) * UINT64_C(0x9E3779B97F4A7C15);
}

/* Sum of k^2 below n by Faulhaber's formula split differently: exact. */
static u128 sum_squares(uint64_t n)
{
	u128 m = n ? n - 1 : 0;	  /* sum over k <= m of k^2 = m(m+1)(2m+1)/6 */
	u128 p = m * (m + 1) / 2; /* fits: m < 2^32 */

	return p * (2 * m + 1) / 3;
}

static void *create(const union concur_value *v)
{
	char err[CONCUR_ERRLEN] = "";
	void *inst = NULL;
	int rc = cpu_sum()->workload.create(v, &inst, err, sizeof(err));

	if (rc != 0)
		fail_msg("create: %d %s", rc, err);
	return inst;
}

static uint64_t run_one(void *inst, size_t task)
{
	struct concur_task rec = { 0 };
	char err[CONCUR_ERRLEN] = "";

	assert_int_equal(cpu_sum()->workload.run_task(inst, NULL, task, &rec,
						      err, sizeof(err)),
			 0);
	assert_int_equal(rec.status, 0);
	assert_int_equal(rec.bytes, 0);
	return rec.result;
}

static void test_small_exact(void **state)
{
	/* n = 0, 1, 2, 3 then n = 10 */
	static const uint64_t want[] = { 0, 0, 1, 5 };
	union concur_value v[4];
	void *inst;
	size_t i;

	(void)state;
	cs_values(v, 4, 0, 1, 1000);
	inst = create(v);
	assert_int_equal(cpu_sum()->workload.task_count(inst), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(run_one(inst, i), want[i]);
	cpu_sum()->workload.destroy(inst);

	cs_values(v, 1, 10, 0, 1000);
	inst = create(v);
	assert_int_equal(run_one(inst, 0), 285);
	cpu_sum()->workload.destroy(inst);
}

static void test_large_matches_closed_form(void **state)
{
	const struct concur_workload_ops *ops = &cpu_sum()->workload;
	struct concur_task rec = { 0 };
	char err[CONCUR_ERRLEN] = "";
	union concur_value v[4];
	void *inst;

	(void)state;
	/* task 19 of the article's experiment: n = 5,000,019 */
	cs_values(v, 20, 5000000, 1, 1000000);
	inst = create(v);
	rec.result = run_one(inst, 19);
	assert_true(sum_squares(5000019) > ((u128)1 << 64)); /* hi half used */
	assert_int_equal(rec.result, digest(sum_squares(5000019)));
	assert_int_equal(ops->check_task(inst, 19, &rec, err, sizeof(err)), 0);
	ops->destroy(inst);
}

static void test_check_rejects_corrupt(void **state)
{
	const struct concur_workload_ops *ops = &cpu_sum()->workload;
	struct concur_task rec = { 0 };
	char err[CONCUR_ERRLEN] = "";
	union concur_value v[4];
	void *inst;

	(void)state;
	cs_values(v, 4, 5000000, 1, 1000000);
	inst = create(v);
	rec.result = digest(sum_squares(5000003)) ^ 1;
	assert_true(ops->check_task(inst, 3, &rec, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "sum of squares below 5000003"));
	/* the expected sum in decimal: 41666729166697500005 */
	assert_non_null(strstr(err, "41666729166697500005"));
	/* the same record claimed for another task is wrong too */
	rec.result ^= 1;
	assert_int_equal(ops->check_task(inst, 3, &rec, err, sizeof(err)), 0);
	assert_true(ops->check_task(inst, 2, &rec, err, sizeof(err)) < 0);
	ops->destroy(inst);
}

/* The largest n allowed, 2^32: the check's closed form stays exact. */
static void test_limit_and_overflow(void **state)
{
	const struct concur_workload_ops *ops = &cpu_sum()->workload;
	struct concur_task rec = { 0 };
	char err[CONCUR_ERRLEN] = "";
	union concur_value v[4];
	void *inst = NULL;

	(void)state;
	cs_values(v, 1, INT64_C(1) << 32, 0, 1);
	inst = create(v);
	rec.result = digest(sum_squares(UINT64_C(1) << 32));
	assert_int_equal(ops->check_task(inst, 0, &rec, err, sizeof(err)), 0);
	ops->destroy(inst);

	cs_values(v, 10, (INT64_C(1) << 32) - 5, 1, 1);
	assert_true(ops->create(v, &inst, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "2^32"));
	cs_values(v, 3, 1, INT64_MAX, 1);
	err[0] = '\0';
	assert_true(ops->create(v, &inst, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "2^32"));
	cs_values(v, INT64_C(1) << 40, 0, 1 << 20, 1);
	assert_true(ops->create(v, &inst, err, sizeof(err)) < 0);
	/* count = 0 is a valid, empty workload */
	cs_values(v, 0, INT64_MAX, INT64_MAX, 1);
	inst = create(v);
	assert_int_equal(ops->task_count(inst), 0);
	ops->destroy(inst);
}

/* ---- a minimal event loop: a FIFO of 0-delay timers ---- */

struct mock_loop {
	struct concur_loop loop; /* first: the workload sees this */
	struct concur_timer *queue[64];
	size_t head, tail;
	size_t fired;
	int completed[16];
	int status[16];
};

static int mock_watch(struct concur_loop *loop, int fd, unsigned events,
		      concur_fd_cb cb, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	(void)cb;
	(void)arg;
	return -ENOSYS;
}

static int mock_timer_arm(struct concur_loop *loop, struct concur_timer *timer,
			  int64_t delay_ns, concur_timer_cb cb, void *arg)
{
	struct mock_loop *m = (struct mock_loop *)loop;

	assert_int_equal(delay_ns, 0);
	assert_true(m->tail - m->head < 64);
	timer->cb = cb;
	timer->arg = arg;
	m->queue[m->tail++ % 64] = timer;
	return 0;
}

static void mock_timer_cancel(struct concur_loop *loop,
			      struct concur_timer *timer)
{
	(void)loop;
	(void)timer;
	fail_msg("cpu_sum never cancels");
}

static void mock_complete(struct concur_loop *loop, size_t task, int status,
			  const char *error)
{
	struct mock_loop *m = (struct mock_loop *)loop;

	(void)error;
	assert_true(task < 16);
	m->completed[task]++;
	m->status[task] = status;
}

static void mock_run(struct mock_loop *m)
{
	while (m->head != m->tail) {
		struct concur_timer *t = m->queue[m->head++ % 64];

		m->fired++;
		t->cb(&m->loop, t->arg);
	}
}

static void test_event_loop_face(void **state)
{
	const struct concur_workload_ops *ops = &cpu_sum()->workload;
	struct mock_loop m = {
		.loop = { .size = CONCUR_LOOP_SIZE,
			  .watch = mock_watch,
			  .timer_arm = mock_timer_arm,
			  .timer_cancel = mock_timer_cancel,
			  .complete = mock_complete,
			  .now_ns = mono_now_ns },
	};
	struct concur_task recs[6] = { 0 };
	char err[CONCUR_ERRLEN] = "";
	union concur_value v[4];
	void *inst, *worker = NULL;
	size_t i, slices = 0;

	(void)state;
	/* n = 0, 13, 26, 39, 52, 65 in slices of 7 iterations */
	cs_values(v, 6, 0, 13, 7);
	inst = create(v);
	assert_int_equal(
		ops->worker_init(inst, 0, &m.loop, &worker, err, sizeof(err)),
		0);
	assert_non_null(ops->start_task);
	for (i = 0; i < 6; i++) {
		assert_int_equal(ops->start_task(inst, worker, i, &recs[i],
						 &m.loop, err, sizeof(err)),
				 0);
		/* start_task returns at once: nothing completed yet */
		assert_int_equal(m.completed[i], 0);
		slices += (13 * i + 6) / 7 > 0 ? (13 * i + 6) / 7 : 1;
	}
	mock_run(&m);
	for (i = 0; i < 6; i++) {
		assert_int_equal(m.completed[i], 1);
		assert_int_equal(m.status[i], 0);
		assert_int_equal(recs[i].result, run_one(inst, i));
		assert_int_equal(
			ops->check_task(inst, i, &recs[i], err, sizeof(err)),
			0);
	}
	/* it yielded to the loop after every slice of 7 */
	assert_int_equal(m.fired, slices);
	ops->worker_fini(inst, worker);
	ops->destroy(inst);
}

/* A task in flight when the worker ends is freed, not leaked (ASan). */
static void test_event_loop_fini_frees_inflight(void **state)
{
	const struct concur_workload_ops *ops = &cpu_sum()->workload;
	struct mock_loop m = {
		.loop = { .size = CONCUR_LOOP_SIZE,
			  .watch = mock_watch,
			  .timer_arm = mock_timer_arm,
			  .timer_cancel = mock_timer_cancel,
			  .complete = mock_complete,
			  .now_ns = mono_now_ns },
	};
	struct concur_task rec = { 0 };
	char err[CONCUR_ERRLEN] = "";
	union concur_value v[4];
	void *inst, *worker = NULL;

	(void)state;
	cs_values(v, 2, 100, 0, 7);
	inst = create(v);
	assert_int_equal(
		ops->worker_init(inst, 0, &m.loop, &worker, err, sizeof(err)),
		0);
	assert_int_equal(ops->start_task(inst, worker, 0, &rec, &m.loop, err,
					 sizeof(err)),
			 0);
	assert_int_equal(ops->start_task(inst, worker, 1, &rec, &m.loop, err,
					 sizeof(err)),
			 0);
	ops->worker_fini(inst, worker);
	ops->destroy(inst);
	/* a blocking worker (loop NULL) cannot start tasks */
	inst = create(v);
	assert_int_equal(
		ops->worker_init(inst, 0, NULL, &worker, err, sizeof(err)), 0);
	assert_true(ops->start_task(inst, worker, 0, &rec, &m.loop, err,
				    sizeof(err)) < 0);
	ops->worker_fini(inst, worker);
	ops->destroy(inst);
}

/* Through the core: the sync strategy, check_task on every task. */
static void test_job_sync(void **state)
{
	const struct plugin *s = tp_load("plugins/strategy/sync.so");
	struct job_shared *sh;
	union concur_value v[4];
	size_t i;
	int rc;

	(void)state;
	cs_values(v, 5, 20000, 1000, 1000000);
	sh = tp_run(s, NULL, cpu_sum(), v, 5, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(sh->tasks[i].result,
				 digest(sum_squares(20000 + 1000 * i)));
	job_release(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_large_matches_closed_form),
		cmocka_unit_test(test_check_rejects_corrupt),
		cmocka_unit_test(test_limit_and_overflow),
		cmocka_unit_test(test_event_loop_face),
		cmocka_unit_test(test_event_loop_fini_frees_inflight),
		cmocka_unit_test(test_job_sync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
