/*
 * test_matrix.c - typing plugin keys against parameter tables and crossing
 * them into cells: Cartesian order, deterministic ids, defaults ($ncpus),
 * list parameters, CSV columns, the baseline cell, and each error with its
 * FILE:LINE.  Uses the real plugins of the build.
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
#include "loader.h"
#include "matrix.h"
#include "util.h"

static char err[2048];

struct fixture {
	struct config *cfg;
	struct loader *loader;
	struct matrix *m;
};

/* Build text into f; returns matrix_build's code (err holds the message). */
static int build(struct fixture *f, const char *text)
{
	int rc;

	memset(f, 0, sizeof(*f));
	err[0] = '\0';
	rc = config_load_string("m.ini", text, strlen(text), NULL, 0, &f->cfg,
				err, sizeof(err));
	if (rc != 0)
		fail_msg("config error: %s", err);
	f->loader = loader_create();
	loader_add_defaults(f->loader);
	return matrix_build(f->cfg, f->loader, &f->m, err, sizeof(err));
}

static void teardown(struct fixture *f)
{
	matrix_free(f->m);
	loader_destroy(f->loader);
	config_free(f->cfg);
}

static void expect_error(const char *text, const char *where,
			 const char *needle)
{
	struct fixture f;

	assert_int_not_equal(build(&f, text), 0);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, where));
	assert_non_null(strstr(err, needle));
	assert_null(f.m);
	teardown(&f);
}

static void test_cartesian_order_and_ids(void **state)
{
	static const char *const want[] = {
		"sync/sums[first=10]",
		"sync/sums[first=20]",
		"sync/nothing",
		"pthreads[workers=1,chunk=1]/sums[first=10]",
		"pthreads[workers=1,chunk=1]/sums[first=20]",
		"pthreads[workers=1,chunk=1]/nothing",
		"pthreads[workers=1,chunk=8]/sums[first=10]",
		"pthreads[workers=1,chunk=8]/sums[first=20]",
		"pthreads[workers=1,chunk=8]/nothing",
		"pthreads[workers=2,chunk=1]/sums[first=10]",
		"pthreads[workers=2,chunk=1]/sums[first=20]",
		"pthreads[workers=2,chunk=1]/nothing",
		"pthreads[workers=2,chunk=8]/sums[first=10]",
		"pthreads[workers=2,chunk=8]/sums[first=20]",
		"pthreads[workers=2,chunk=8]/nothing",
	};
	struct fixture f;
	size_t i;

	(void)state;
	assert_int_equal(
		build(&f, "[experiment]\n"
			  "[strategy sync]\n"
			  "[strategy pthreads]\nworkers = 1..2\nchunk = 1, 8\n"
			  "[workload sums]\nplugin = cpu_sum\nfirst = 10, 20\n"
			  "[workload nothing]\nplugin = null\n"),
		0);
	assert_int_equal(f.m->n_cells, ARRAY_SIZE(want));
	for (i = 0; i < f.m->n_cells; i++) {
		assert_string_equal(f.m->cells[i].id, want[i]);
		assert_int_equal(f.m->cells[i].index, i);
	}
	/* the values handed to plugins follow the ids */
	assert_int_equal(f.m->cells[10].svals[0].i, 2);	 /* workers */
	assert_int_equal(f.m->cells[10].svals[1].i, 1);	 /* chunk */
	assert_int_equal(f.m->cells[10].wvals[1].i, 20); /* first */
	teardown(&f);
}

static void test_baseline_cell(void **state)
{
	struct fixture f;
	size_t i;

	(void)state;
	assert_int_equal(
		build(&f, "[experiment]\nbaseline = one\n"
			  "[strategy many]\nplugin = pthreads\nworkers = 2, 4\n"
			  "[strategy one]\nplugin = pthreads\nworkers = 1, 3\n"
			  "[workload w]\nplugin = null\ncount = 5, 6\n"),
		0);
	assert_int_equal(f.m->n_cells, 8);
	for (i = 0; i < f.m->n_cells; i++) {
		const struct cell *c = &f.m->cells[i];
		const struct cell *b =
			&f.m->cells[matrix_baseline_cell(f.m, c)];

		/* the baseline's first combination, same workload cell */
		assert_string_equal(matrix_cell_strategy(f.m, b)->sec->label,
				    "one");
		assert_int_equal(b->svals[0].i, 1);
		assert_int_equal(b->wvals[0].i, c->wvals[0].i);
	}
	teardown(&f);
}

static void test_defaults_and_ncpus(void **state)
{
	struct fixture f;

	(void)state;
	assert_int_equal(build(&f, "[experiment]\n[strategy pthreads]\n"
				   "[workload sums]\nplugin = cpu_sum\n"),
			 0);
	assert_int_equal(f.m->n_cells, 1);
	assert_int_equal(f.m->cells[0].svals[0].i, (int64_t)cpu_count());
	assert_int_equal(f.m->cells[0].wvals[0].i, 20);	     /* count */
	assert_int_equal(f.m->cells[0].wvals[1].i, 5000000); /* first */
	assert_string_equal(f.m->cells[0].id, "pthreads/sums");
	assert_int_equal(f.m->strategies[0].params[0].line, -1); /* default */
	teardown(&f);
}

static void test_columns_union_in_order(void **state)
{
	static const char *const want[] = {
		"strategy.workers", "strategy.chunk", "workload.count",
		"workload.first",   "workload.step",  "workload.slice",
	};
	struct fixture f;
	const struct matrix_column *count;
	size_t i;

	(void)state;
	assert_int_equal(build(&f, "[experiment]\n[strategy sync]\n"
				   "[strategy pthreads]\nworkers = 3\n"
				   "[workload nothing]\nplugin = null\n"
				   "[workload sums]\nplugin = cpu_sum\n"),
			 0);
	assert_int_equal(f.m->n_columns, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(f.m->columns[i].header, want[i]);
	/* sync has no workers: empty; pthreads has its value as text */
	assert_null(matrix_cell_text(f.m, &f.m->cells[0], &f.m->columns[0]));
	assert_string_equal(
		matrix_cell_text(f.m, &f.m->cells[2], &f.m->columns[0]), "3");
	/* count is shared by both workloads: one column, each cell's value */
	count = &f.m->columns[2];
	assert_string_equal(matrix_cell_text(f.m, &f.m->cells[0], count),
			    "1000");
	assert_string_equal(matrix_cell_text(f.m, &f.m->cells[1], count), "20");
	teardown(&f);
}

static void test_list_parameter_does_not_cross(void **state)
{
	struct fixture f;
	const struct concur_list *urls;

	(void)state;
	assert_int_equal(build(&f, "[experiment]\n[strategy sync]\n"
				   "[workload d]\nplugin = http_download\n"
				   "url = http://127.0.0.1:1/a,b\n"
				   "url = http://127.0.0.1:1/c\n"),
			 0);
	assert_int_equal(f.m->n_cells, 1);
	urls = &f.m->cells[0].wvals[0].list;
	assert_int_equal(urls->count, 2);
	assert_string_equal(urls->items[0], "http://127.0.0.1:1/a,b");
	assert_string_equal(urls->items[1], "http://127.0.0.1:1/c");
	assert_string_equal(f.m->cells[0].id, "sync/d");
	teardown(&f);
}

/*
 * A workload declaring CONCUR_CAP_EXTRA_KEYS (exec) takes keys its table
 * does not name: they cross like STRING parameters, name cells and CSV
 * columns, and reach each cell's extras; others still refuse them.
 */
static void test_extra_keys_cross_and_name_cells(void **state)
{
	struct fixture f;
	const struct cell *c;
	size_t i, threads = SIZE_MAX, env = SIZE_MAX;

	(void)state;
	assert_int_equal(build(&f, "[experiment]\n[strategy sync]\n"
				   "[workload x]\nplugin = exec\n"
				   "command = echo {threads}\n"
				   "threads = 1, 2, 4\nenv.LANG = C\n"),
			 0);
	assert_int_equal(f.m->n_cells, 3);
	assert_string_equal(f.m->cells[0].id, "sync/x[threads=1]");
	assert_string_equal(f.m->cells[2].id, "sync/x[threads=4]");
	for (i = 0; i < f.m->n_columns; i++) {
		if (!strcmp(f.m->columns[i].header, "workload.threads"))
			threads = i;
		if (!strcmp(f.m->columns[i].header, "workload.env.LANG"))
			env = i;
	}
	assert_true(threads < env && env < f.m->n_columns);
	/* the core's open-loop keys stay without a column */
	for (i = 0; i < f.m->n_columns; i++)
		assert_string_not_equal(f.m->columns[i].header,
					"workload.rate");
	c = &f.m->cells[1];
	assert_string_equal(matrix_cell_text(f.m, c, &f.m->columns[threads]),
			    "2");
	assert_int_equal(c->extras.n, 2);
	assert_string_equal(c->extras.keys[0].name, "threads");
	assert_string_equal(c->extras.keys[0].value, "2");
	assert_string_equal(c->extras.keys[1].name, "env.LANG");
	assert_string_equal(c->extras.keys[1].value, "C");
	assert_false(f.m->open_loop);
	teardown(&f);
	/* without the cap the key is still unknown; bad names are refused */
	expect_error("[experiment]\n[strategy sync]\n[workload w]\n"
		     "plugin = null\nthreads = 2\n",
		     "m.ini:5:", "unknown key 'threads'");
	expect_error("[experiment]\n[strategy sync]\n[workload w]\n"
		     "plugin = exec\ncommand = true\n9lives = 2\n",
		     "m.ini:6:", "bad key '9lives'");
}

static void test_errors_name_file_line_and_key(void **state)
{
	(void)state;
	expect_error(
		"[experiment]\n[strategy pthreads]\nworkrs = 2\n[workload w]\nplugin = null\n",
		"m.ini:3:", "did you mean 'workers'");
	expect_error(
		"[experiment]\n[strategy pthreads]\nworkers = 0\n[workload w]\nplugin = null\n",
		"m.ini:3:", "out of range: allowed 1 .. 4096");
	expect_error(
		"[experiment]\n[strategy pthreads]\nworkers = two\n[workload w]\nplugin = null\n",
		"m.ini:3:", "integer");
	expect_error(
		"[experiment]\n[strategy pthreads]\nworkers = 1\nworkers = 2\n[workload w]\nplugin = null\n",
		"m.ini:3:", "comma list");
	expect_error(
		"[experiment]\n[strategy sync]\n[workload w]\nplugin = http_download\nlatency = 1..5\n",
		"m.ini:5:", "latency");
	expect_error(
		"[experiment]\n[strategy nope]\n[workload w]\nplugin = null\n",
		"m.ini:2:", "no strategy plugin 'nope'");
	/* a workload plugin named where a strategy is needed */
	expect_error(
		"[experiment]\n[strategy s]\nplugin = cpu_sum\n[workload w]\nplugin = null\n",
		"m.ini:3:",
		"cpu_sum.so is a workload plugin, but a strategy is needed here");
}

static void test_cell_cap(void **state)
{
	(void)state;
	/* 1000 x 1000 workload combinations: over the cap, refused before any
	 * cell is allocated */
	expect_error(
		"[experiment]\n[strategy sync]\n[workload w]\nplugin = cpu_sum\n"
		"first = 1..1000\nstep = 1..1000\n",
		"m.ini", "100000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cartesian_order_and_ids),
		cmocka_unit_test(test_baseline_cell),
		cmocka_unit_test(test_defaults_and_ncpus),
		cmocka_unit_test(test_columns_union_in_order),
		cmocka_unit_test(test_list_parameter_does_not_cross),
		cmocka_unit_test(test_extra_keys_cross_and_name_cells),
		cmocka_unit_test(test_errors_name_file_line_and_key),
		cmocka_unit_test(test_cell_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
