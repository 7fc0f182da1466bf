/*
 * test_abi - the growth rule of <concur/plugin.h>, proven with real plugins:
 * one pair built against a frozen copy of an older v1 header (shorter
 * tables, poison after them), one workload built with tables longer than
 * this core knows.  Each is loaded by the real loader and run by the real
 * job code with real strategies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "job.h"
#include "loader.h"
#include "test_plugins_common.h"
#include "util.h"

#define OLDER_WORKLOAD "tests/fixtures/abi/abi_older_workload.so"
#define OLDER_STRATEGY "tests/fixtures/abi/abi_older_strategy.so"
#define NEWER_WORKLOAD "tests/fixtures/abi/abi_newer_workload.so"

/* Run s x w; every task must succeed, and task i's result be result(i). */
static void run_and_check(const struct plugin *s, const union concur_value *sv,
			  const struct plugin *w, const union concur_value *wv,
			  size_t n, uint64_t (*result)(size_t))
{
	struct job_shared *sh = job_alloc(n);
	size_t i;

	assert_non_null(sh);
	assert_int_equal(job_run(s, sv, w, wv, NULL, sh, n, mono_now_ns), 0);
	assert_string_equal(sh->error_text, "");
	assert_int_equal(sh->n_tasks, n);
	assert_int_equal(sh->n_failed, 0);
	for (i = 0; i < n; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_int_equal(sh->tasks[i].status, 0);
		assert_int_equal(sh->tasks[i].result, result(i));
	}
	job_release(sh);
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
 * The older workload's tables end before check_task / needs / caps; poison
 * follows them.  The core's copies are whole tables of its own size, with
 * defaults where the plugin had nothing - never the poison.
 */
static void test_older_workload_loads_with_defaults(void **state)
{
	const struct plugin *p = tp_load(OLDER_WORKLOAD);

	(void)state;
	assert_int_equal(p->info.size, sizeof(struct concur_plugin));
	assert_int_equal(p->workload.size, sizeof(struct concur_workload_ops));
	assert_int_equal(p->info.needs, 0);
	assert_int_equal(p->info.caps, 0);
	assert_non_null(p->workload.check_task);
	assert_true((uintptr_t)p->workload.check_task != 0x5150u);
	assert_non_null(p->workload.needs);
	assert_true((uintptr_t)p->workload.needs != 0x5150u);
	assert_null(p->workload.start_task);
	assert_int_equal(p->n_params, 1);
}

static void test_older_plugins_run(void **state)
{
	const struct plugin *s = tp_load(OLDER_STRATEGY);
	const struct plugin *w = tp_load(OLDER_WORKLOAD);
	union concur_value wv[1] = { { .i = 7 } };

	(void)state;
	assert_int_equal(s->strategy.size, sizeof(struct concur_strategy_ops));
	assert_int_equal(s->info.needs, 0);
	run_and_check(s, NULL, w, wv, 7, square);
}

/* Older and current plugins mix both ways. */
static void test_older_and_current_plugins_mix(void **state)
{
	const struct plugin *older_w = tp_load(OLDER_WORKLOAD);
	const struct plugin *older_s = tp_load(OLDER_STRATEGY);
	const struct plugin *sync = tp_load("plugins/strategy/sync.so");
	const struct plugin *pthreads = tp_load("plugins/strategy/pthreads.so");
	union concur_value wv[1] = { { .i = 40 } };
	union concur_value pv[2] = { { .i = 3 }, { .i = 0 } };

	(void)state;
	run_and_check(sync, NULL, older_w, wv, 40, square);
	run_and_check(pthreads, pv, older_w, wv, 40, square);
	run_and_check(older_s, NULL,
		      tp_load("tests/fixtures/abi/abi_newer_workload.so"), NULL,
		      3, plus_100);
}

/*
 * A workload built against a newer header: the core reads its own prefix of
 * each table and nothing more (the strategy copy next to the workload copy
 * stays untouched), ignores the unknown capability, never calls the hooks
 * from the future.
 */
static void test_newer_workload_loads_ignoring_the_rest(void **state)
{
	const struct plugin *p = tp_load(NEWER_WORKLOAD);
	const struct concur_strategy_ops zero = { 0 };

	(void)state;
	assert_string_equal(p->name, "abi_newer_workload");
	assert_int_equal(p->info.size, sizeof(struct concur_plugin));
	assert_int_equal(p->workload.size, sizeof(struct concur_workload_ops));
	assert_int_equal(p->info.caps, UINT64_C(1) << 63);
	assert_memory_equal(&p->strategy, &zero, sizeof(zero));
	run_and_check(tp_load("plugins/strategy/sync.so"), NULL, p, NULL, 3,
		      plus_100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_older_workload_loads_with_defaults),
		cmocka_unit_test(test_older_plugins_run),
		cmocka_unit_test(test_older_and_current_plugins_mix),
		cmocka_unit_test(test_newer_workload_loads_ignoring_the_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
