/*
 * test_abi_v10 - plugins built against concur 0.1's header (ABI v1.0, no
 * `size` in any table; tests/fixtures/abi/v1.0) keep loading and running:
 *
 *  - legacy_ticker, a 0.1 workload, under every shipped strategy, through
 *    its blocking face (run_task) and its event-loop face (start_task on
 *    the 0.1 loop, callbacks completing through the loop they received);
 *  - legacy_loop, a 0.1 poll(2) event-loop strategy, running current
 *    workloads (cpu_sum, null, the newer and older ABI fixtures) and the
 *    0.1 workload;
 *  - a failing task's status and message cross the bridge both ways;
 *  - what the loader makes of a 0.1 description.
 *
 * Each plugin is loaded by the real loader and run by the real job code;
 * the core creates the instances (job_run, job_task_count).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "job.h"
#include "loader.h"
#include "test_plugins_common.h"
#include "matrix.h"
#include "util.h"

#define TICKER "tests/fixtures/abi/v1.0/legacy_ticker.so"
#define LEGACY_LOOP "tests/fixtures/abi/v1.0/legacy_loop.so"
#define OLDER_STRATEGY "tests/fixtures/abi/abi_older_strategy.so"
#define OLDER_WORKLOAD "tests/fixtures/abi/abi_older_workload.so"
#define NEWER_WORKLOAD "tests/fixtures/abi/abi_newer_workload.so"

#define MS INT64_C(1000000)

/* legacy_ticker's parameters, in its table's order. */
enum { T_COUNT, T_DELAY, T_URL, T_FAIL_TASK, T_SEED, T_N };

static void ticker_values(union concur_value v[T_N], int64_t count,
			  int64_t delay_ns, const char *url, int64_t fail_task)
{
	memset(v, 0, T_N * sizeof(*v));
	v[T_COUNT].i = count;
	v[T_DELAY].ns = delay_ns;
	v[T_URL].s = url;
	v[T_FAIL_TASK].i = fail_task;
}

/* legacy_loop's parameters: concurrency, blocking. */
static void loop_values(union concur_value v[2], int64_t concurrency,
			bool blocking)
{
	memset(v, 0, 2 * sizeof(*v));
	v[0].i = concurrency;
	v[1].b = blocking;
}

static uint64_t ticker_result(size_t i)
{
	return (uint64_t)i * i + 7;
}

static uint64_t square(size_t i)
{
	return (uint64_t)i * i;
}

static uint64_t plus_100(size_t i)
{
	return i + 100;
}

/*
 * Run s x w, which must have n tasks (job_task_count says so first); the
 * run must happen.  The caller checks the tasks and releases the mapping.
 */
static struct job_shared *run_job(const struct plugin *s,
				  const union concur_value *sv,
				  const struct plugin *w,
				  const union concur_value *wv, size_t n)
{
	char err[CONCUR_ERRLEN] = "";
	struct job_shared *sh;

	assert_int_equal(job_task_count(w, wv, NULL, err, sizeof(err)),
			 (int64_t)n);
	sh = job_alloc(n);
	assert_non_null(sh);
	if (job_run(s, sv, w, wv, NULL, sh, n, mono_now_ns) != 0)
		fail_msg("%s x %s: the run failed: %s", s->name, w->name,
			 sh->error_text);
	assert_int_equal(sh->n_tasks, n);
	return sh;
}

/*
 * Every task done and successful; task i's result is result(i) (NULL:
 * check_task was the judge) and its detail `detail` (-1: any).
 */
static void expect_all_ok(const struct job_shared *sh, size_t n,
			  uint64_t (*result)(size_t), int detail)
{
	size_t i;

	if (sh->n_failed != 0 || sh->error_text[0])
		fail_msg("%llu task(s) failed: %s",
			 (unsigned long long)sh->n_failed, sh->error_text);
	for (i = 0; i < n; i++) {
		const struct concur_task *t = &sh->tasks[i];

		assert_true(t->flags & CONCUR_TASK_DONE);
		assert_int_equal(t->status, 0);
		assert_true(t->end_ns >= t->start_ns);
		if (result)
			assert_int_equal(t->result, result(i));
		if (detail >= 0)
			assert_int_equal(t->detail, detail);
	}
}

static void run_and_check(const struct plugin *s, const union concur_value *sv,
			  const struct plugin *w, const union concur_value *wv,
			  size_t n, uint64_t (*result)(size_t), int detail)
{
	struct job_shared *sh = run_job(s, sv, w, wv, n);

	expect_all_ok(sh, n, result, detail);
	job_release(sh);
}

/*
 * Did the tasks overlap?  On an event loop with every task in flight at
 * once, each starts before any ends; run one after the other, none does.
 */
static bool all_in_flight_together(const struct job_shared *sh, size_t n)
{
	int64_t last_start = INT64_MIN, first_end = INT64_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		if (sh->tasks[i].start_ns > last_start)
			last_start = sh->tasks[i].start_ns;
		if (sh->tasks[i].end_ns < first_end)
			first_end = sh->tasks[i].end_ns;
	}
	return last_start < first_end;
}

/* ---- the 0.1 workload under every shipped strategy ---- */

static void test_ticker_under_shipped_strategies(void **state)
{
	const struct plugin *w = tp_load(TICKER);
	union concur_value wv[T_N];
	/* pthreads, forkpool: workers, chunk; epoll: max_inflight, threads */
	union concur_value pool[2] = { { .i = 3 }, { .i = 0 } };
	union concur_value two_loops[2] = { { .i = 6 }, { .i = 2 } };

	(void)state;
	ticker_values(wv, 20, 1 * MS, "", -1);
	run_and_check(tp_load("plugins/strategy/sync.so"), NULL, w, wv, 20,
		      ticker_result, 200);
	run_and_check(tp_load("plugins/strategy/pthreads.so"), pool, w, wv, 20,
		      ticker_result, 200);
	run_and_check(tp_load("plugins/strategy/forkpool.so"), pool, w, wv, 20,
		      ticker_result, 200);
	run_and_check(tp_load("plugins/strategy/epoll.so"), two_loops, w, wv,
		      20, ticker_result, 200);
	run_and_check(tp_load("plugins/strategy/io_uring.so"), two_loops, w, wv,
		      20, ticker_result, 200);
	/* a strategy built against an earlier header with sizes */
	run_and_check(tp_load(OLDER_STRATEGY), NULL, w, wv, 20, ticker_result,
		      200);
}

/*
 * epoll drives the 0.1 workload through start_task, on the 0.1 face of
 * its loop: with every task in flight at once (max_inflight = 0) all 12
 * are started before the first one's 20 ms are up.
 */
static void test_ticker_on_epoll_uses_start_task(void **state)
{
	const struct plugin *w = tp_load(TICKER);
	const struct plugin *epoll = tp_load("plugins/strategy/epoll.so");
	union concur_value wv[T_N];
	union concur_value ev[2] = { { .i = 0 }, { .i = 1 } };
	struct job_shared *sh;

	(void)state;
	assert_non_null(w->workload.start_task);
	ticker_values(wv, 12, 20 * MS, "", -1);
	sh = run_job(epoll, ev, w, wv, 12);
	expect_all_ok(sh, 12, ticker_result, 200);
	assert_true(all_in_flight_together(sh, 12));
	job_release(sh);
	/* delay 0: each timer fires on the next loop pass */
	ticker_values(wv, 30, 0, "", -1);
	run_and_check(epoll, ev, w, wv, 30, ticker_result, 200);
}

/* ---- the 0.1 strategy running current workloads, and the 0.1 one ---- */

static void test_current_workloads_under_legacy_loop(void **state)
{
	const struct plugin *s = tp_load(LEGACY_LOOP);
	const struct plugin *cpu_sum = tp_load("plugins/workload/cpu_sum.so");
	/* cpu_sum: count, first, step, slice (several slices a task) */
	union concur_value cv[4] = {
		{ .i = 12 }, { .i = 1000 }, { .i = 100 }, { .i = 300 }
	};
	union concur_value null_count[1] = { { .i = 50 } };
	union concur_value older_count[1] = { { .i = 7 } };
	union concur_value lv[2];

	(void)state;
	loop_values(lv, 4, false);
	/* cpu_sum's start_task re-arms a 0-delay timer per slice */
	run_and_check(s, lv, cpu_sum, cv, 12, NULL, -1);
	/* null completes from inside start_task */
	run_and_check(s, lv, tp_load("plugins/workload/null.so"), null_count,
		      50, NULL, -1);
	/* no start_task: run_task, blocking */
	run_and_check(s, lv, tp_load(NEWER_WORKLOAD), NULL, 3, plus_100, -1);
	run_and_check(s, lv, tp_load(OLDER_WORKLOAD), older_count, 7, square,
		      -1);
	loop_values(lv, 8, true);
	run_and_check(s, lv, cpu_sum, cv, 12, NULL, -1);
}

static void test_ticker_under_legacy_loop(void **state)
{
	const struct plugin *s = tp_load(LEGACY_LOOP);
	const struct plugin *w = tp_load(TICKER);
	union concur_value wv[T_N], lv[2];
	struct job_shared *sh;

	(void)state;
	/* start_task on the 0.1 loop, 8 in flight, all 8 at once */
	ticker_values(wv, 8, 20 * MS, "", -1);
	loop_values(lv, 8, false);
	sh = run_job(s, lv, w, wv, 8);
	expect_all_ok(sh, 8, ticker_result, 200);
	assert_true(all_in_flight_together(sh, 8));
	job_release(sh);
	/* blocking = true: run_task, one after the other */
	ticker_values(wv, 8, 2 * MS, "", -1);
	loop_values(lv, 8, true);
	sh = run_job(s, lv, w, wv, 8);
	expect_all_ok(sh, 8, ticker_result, 200);
	assert_false(all_in_flight_together(sh, 8));
	job_release(sh);
	/* the defaults' shape: 20 tasks of 1 ms, 8 in flight, and 0 ms */
	ticker_values(wv, 20, 1 * MS, "", -1);
	loop_values(lv, 8, false);
	run_and_check(s, lv, w, wv, 20, ticker_result, 200);
	ticker_values(wv, 20, 0, "", -1);
	loop_values(lv, 1, false);
	run_and_check(s, lv, w, wv, 20, ticker_result, 200);
}

/* ---- failures cross the bridge ---- */

/* Task 3 failed with -EIO and its message; every other task succeeded. */
static void expect_task_3_failed(const struct plugin *s,
				 const union concur_value *sv,
				 const struct plugin *w)
{
	union concur_value wv[T_N];
	struct job_shared *sh;
	size_t i;

	ticker_values(wv, 10, 1 * MS, "", 3);
	sh = run_job(s, sv, w, wv, 10);
	print_message("  %s: %s\n", s->name, sh->error_text);
	assert_int_equal(sh->n_failed, 1);
	assert_int_equal(sh->error_task, 3);
	assert_non_null(strstr(sh->error_text, "task 3"));
	assert_non_null(strstr(sh->error_text, "fail_task = 3"));
	for (i = 0; i < 10; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_int_equal(sh->tasks[i].status, i == 3 ? -EIO : 0);
	}
	job_release(sh);
}

static void test_failing_task_is_reported(void **state)
{
	const struct plugin *w = tp_load(TICKER);
	union concur_value lv[2];
	union concur_value pool[2] = { { .i = 3 }, { .i = 0 } };
	union concur_value ev[2] = { { .i = 4 }, { .i = 1 } };

	(void)state;
	loop_values(lv, 4, false);
	expect_task_3_failed(tp_load(LEGACY_LOOP), lv, w);
	loop_values(lv, 4, true);
	expect_task_3_failed(tp_load(LEGACY_LOOP), lv, w);
	expect_task_3_failed(tp_load("plugins/strategy/pthreads.so"), pool, w);
	expect_task_3_failed(tp_load("plugins/strategy/epoll.so"), ev, w);
	expect_task_3_failed(tp_load("plugins/strategy/io_uring.so"), ev, w);
}

/*
 * url = builtin: the 0.1 workload's create checks CONCUR_BUILTIN_URL (the
 * runner starts the server; job_run alone does not).  Its message reaches
 * the run's error; with the variable set it runs.
 */
static void test_builtin_url_checked_by_create(void **state)
{
	const struct plugin *w = tp_load(TICKER);
	const struct plugin *s = tp_load("plugins/strategy/sync.so");
	const char *saved = getenv(CONCUR_BUILTIN_URL_ENV);
	char *keep = saved ? strdup(saved) : NULL;
	union concur_value wv[T_N];
	struct job_shared *sh = job_alloc(4);

	(void)state;
	ticker_values(wv, 4, 0, "builtin", -1);
	unsetenv(CONCUR_BUILTIN_URL_ENV);
	assert_non_null(sh);
	assert_int_not_equal(job_run(s, NULL, w, wv, NULL, sh, 4, mono_now_ns),
			     0);
	print_message("  %s\n", sh->error_text);
	assert_non_null(strstr(sh->error_text, "legacy_ticker"));
	assert_non_null(strstr(sh->error_text, "the core did not start"));
	job_release(sh);
	setenv(CONCUR_BUILTIN_URL_ENV, "http://127.0.0.1:9/", 1);
	run_and_check(s, NULL, w, wv, 4, ticker_result, 200);
	if (keep)
		setenv(CONCUR_BUILTIN_URL_ENV, keep, 1);
	else
		unsetenv(CONCUR_BUILTIN_URL_ENV);
	free(keep);
}

/* ---- what the loader makes of a 0.1 description ---- */

static void test_loader_reads_legacy_workload(void **state)
{
	const struct plugin *p = tp_load(TICKER);
	char err[CONCUR_ERRLEN] = "";
	union concur_value values[T_N];

	(void)state;
	assert_int_equal(p->desc->kind, CONCUR_KIND_WORKLOAD);
	assert_string_equal(p->name, "legacy_ticker");
	assert_string_equal(p->desc->version, "0.1");
	assert_int_equal(p->n_params, 5);
	assert_string_equal(p->desc->params[T_URL].name, "url");
	assert_int_equal(p->info.size, sizeof(struct concur_plugin));
	assert_int_equal(p->workload.size, sizeof(struct concur_workload_ops));
	assert_int_equal(p->desc->caps, 0);
	assert_non_null(p->desc->libraries);
	/* all eight 0.1 hooks are there, start_task among them */
	assert_non_null(p->workload_given.create);
	assert_non_null(p->workload_given.destroy);
	assert_non_null(p->workload_given.task_count);
	assert_non_null(p->workload_given.worker_init);
	assert_non_null(p->workload_given.worker_fini);
	assert_non_null(p->workload_given.run_task);
	assert_non_null(p->workload_given.start_task);
	assert_non_null(p->workload_given.check_task);
	assert_non_null(p->workload.needs);
	/* a STRING parameter `url`: the embedded test server, as 0.1 decided
	 * it, for a cell whose url is builtin and for no other */
	assert_true(p->desc->needs & CONCUR_NEED_HTTP_SERVER);
	ticker_values(values, 1, 0, "builtin", -1);
	assert_true(plugin_needs(p, values) & CONCUR_NEED_HTTP_SERVER);
	ticker_values(values, 1, 0, "http://example.invalid/", -1);
	assert_false(plugin_needs(p, values) & CONCUR_NEED_HTTP_SERVER);
	ticker_values(values, 1, 0, "", -1);
	assert_false(plugin_needs(p, values) & CONCUR_NEED_HTTP_SERVER);
	ticker_values(values, 17, 0, "", -1);
	assert_int_equal(job_task_count(p, values, NULL, err, sizeof(err)), 17);
}

static void test_loader_reads_legacy_strategy(void **state)
{
	const struct plugin *p = tp_load(LEGACY_LOOP);

	(void)state;
	assert_int_equal(p->desc->kind, CONCUR_KIND_STRATEGY);
	assert_string_equal(p->name, "legacy_loop");
	assert_int_equal(p->n_params, 2);
	assert_string_equal(p->desc->params[0].name, "concurrency");
	assert_string_equal(p->desc->params[1].name, "blocking");
	assert_int_equal(p->info.size, sizeof(struct concur_plugin));
	assert_int_equal(p->strategy.size, sizeof(struct concur_strategy_ops));
	assert_non_null(p->strategy.create);
	assert_non_null(p->strategy.destroy);
	assert_non_null(p->strategy.run);
	/* 0.1 knew no needs and no capabilities: no open loop */
	assert_int_equal(p->desc->needs, 0);
	assert_int_equal(plugin_needs(p, NULL), 0);
	assert_int_equal(p->desc->caps, 0);
}

/*
 * 0.1 left `seed` free and the core reserves it today: in the ticker's
 * section the key is the plugin's (its value reaches create), the core's
 * seed keeps its default and the experiment does not turn open-loop.
 */
static void test_legacy_seed_is_the_plugins_own(void **state)
{
	static const char text[] = "[experiment]\n"
				   "[strategy sync]\n"
				   "[workload t]\nplugin = legacy_ticker\n"
				   "seed = 5, 6\n";
	struct loader *l = loader_create();
	struct config *cfg = NULL;
	struct matrix *m = NULL;
	const struct matrix_section *ms;
	char err[2 * CONCUR_ERRLEN] = "", dir[4096];
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/abi/v1.0",
		 getenv("CONCUR_TEST_BUILD_DIR"));
	loader_add_path(l, dir);
	loader_add_defaults(l);
	assert_int_equal(config_load_string("v10.ini", text, strlen(text), NULL,
					    0, &cfg, err, sizeof(err)),
			 0);
	if (matrix_build(cfg, l, &m, err, sizeof(err)) != 0)
		fail_msg("matrix: %s", err);
	assert_false(m->open_loop);
	assert_int_equal(m->n_cells, 2);
	for (i = 0; i < 2; i++) {
		ms = matrix_cell_workload(m, &m->cells[i]);
		assert_string_equal(ms->plugin->name, "legacy_ticker");
		assert_int_equal(m->cells[i].wvals[T_SEED].i, 5 + (int64_t)i);
		assert_int_equal(
			m->cells[i]
				.wvals[ms->plugin->n_params + MATRIX_CORE_SEED]
				.i,
			1);
	}
	assert_string_equal(m->cells[1].id, "sync/t[seed=6]");
	matrix_free(m);
	config_free(cfg);
	loader_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_reads_legacy_workload),
		cmocka_unit_test(test_loader_reads_legacy_strategy),
		cmocka_unit_test(test_ticker_under_shipped_strategies),
		cmocka_unit_test(test_ticker_on_epoll_uses_start_task),
		cmocka_unit_test(test_current_workloads_under_legacy_loop),
		cmocka_unit_test(test_ticker_under_legacy_loop),
		cmocka_unit_test(test_failing_task_is_reported),
		cmocka_unit_test(test_builtin_url_checked_by_create),
		cmocka_unit_test(test_legacy_seed_is_the_plugins_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
