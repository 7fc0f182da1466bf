/*
 * Unit tests for harness/report.c: the results table and its warnings.
 *
 * A real matrix is built from an experiment in memory (sync and pthreads
 * with two worker counts on the null workload); the measured runs are then
 * made up, so every warning can be provoked, or shown to stay quiet, with
 * exact numbers.
 */
#include <math.h>
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
#include "report.h"
#include "runner.h"
#include "stats.h"
#include "util.h"

/* Cells, in matrix order: one workload cell, so cell i is strategy cell i. */
enum { SYNC, PT2, PT4, N_CELLS };

static const char experiment[] = "[experiment]\n"
				 "name = report\n"
				 "repetitions = 5\n"
				 "warmup = 0\n"
				 "baseline = sync\n"
				 "[strategy sync]\n"
				 "[strategy pthreads]\n"
				 "workers = 2, 4\n"
				 "[workload nothing]\n"
				 "plugin = null\n"
				 "count = 10\n";

struct fixture {
	struct config *cfg;
	struct loader *loader;
	struct matrix *m;
	struct runner r;
	char *text; /* what the report printed */
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char err[1024];

	if (config_load_string("report.ini", experiment, strlen(experiment),
			       NULL, 0, &f->cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	f->loader = loader_create();
	loader_add_defaults(f->loader);
	if (matrix_build(f->cfg, f->loader, &f->m, err, sizeof(err)) < 0)
		fail_msg("matrix: %s", err);
	assert_int_equal(f->m->n_cells, N_CELLS);
	if (runner_prepare(&f->r, f->cfg, f->m, false, err, sizeof(err)) < 0)
		fail_msg("runner: %s", err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->text);
	runner_cleanup(&f->r);
	matrix_free(f->m);
	loader_destroy(f->loader);
	config_free(f->cfg);
	free(f);
	return 0;
}

/* Give cell i these measured wall times (seconds); cpu seconds per run. */
static void set_runs(struct fixture *f, size_t i, const double *wall, size_t n,
		     double cpu)
{
	struct cell_result *cr = &f->r.results[i];
	size_t k;

	free(cr->runs);
	cr->runs = xcalloc(n, sizeof(*cr->runs));
	for (k = 0; k < n; k++) {
		cr->runs[k].run = (unsigned)k + 1;
		cr->runs[k].measured = true;
		cr->runs[k].wall_s = wall[k];
		cr->runs[k].user_s = cpu;
	}
	cr->n_runs = cr->n_records = n;
	cr->user_s = cpu;
	stats_summarise(wall, n, &cr->wall);
	cr->done = true;
}

/* Three calm, clearly separated cells: 1 s, 0.5 s and 0.25 s. */
static void calm_cells(struct fixture *f)
{
	static const double s[] = { 1.000, 1.001, 0.999, 1.000, 1.0005 };
	static const double p2[] = { 0.500, 0.501, 0.499, 0.500, 0.5005 };
	static const double p4[] = { 0.250, 0.251, 0.249, 0.250, 0.2505 };

	set_runs(f, SYNC, s, 5, 1.0);
	set_runs(f, PT2, p2, 5, 1.0);
	set_runs(f, PT4, p4, 5, 0.5);
}

/* Print the table into f->text; returns the warning count. */
static int render(struct fixture *f, const struct report_context *ctx)
{
	FILE *out;
	int n;

	free(f->text);
	f->text = NULL;
	out = open_memstream(&f->text, &f->len);
	assert_non_null(out);
	n = report_table_ctx(out, &f->r, ctx);
	fclose(out);
	return n;
}

static void assert_printed(const struct fixture *f, const char *needle)
{
	if (!strstr(f->text, needle))
		fail_msg("expected \"%s\" in the report:\n%s", needle, f->text);
}

static void assert_not_printed(const struct fixture *f, const char *needle)
{
	if (strstr(f->text, needle))
		fail_msg("did not expect \"%s\" in the report:\n%s", needle,
			 f->text);
}

static void test_calm_table_has_no_warnings(void **state)
{
	struct fixture *f = *state;
	struct report_context quiet = { .load_known = true,
					.load1 = 0.1,
					.ncpus = 2 };

	calm_cells(f);
	assert_int_equal(render(f, &quiet), 0);
	assert_not_printed(f, "warning");
	/* the article's columns: strategy + parameters, median ± stddev,
	 * speedup, CPU use */
	assert_printed(f, "workload nothing");
	assert_printed(f, "pthreads[workers=4]");
	assert_printed(f, "1.0000 s ± 741.62 us");
	assert_printed(f, "2.00x");
	assert_printed(f, "4.00x");
	assert_printed(f, "2.00  ok"); /* 0.5 CPU s per 0.25 wall s */
	assert_printed(f, "[strategy sync]");
}

static void test_cv_over_ten_percent(void **state)
{
	struct fixture *f = *state;
	static const double noisy[] = { 0.40, 0.52, 0.61, 0.45, 0.58 };

	calm_cells(f);
	set_runs(f, PT2, noisy, 5, 1.0);
	assert_true(f->r.results[PT2].wall.cv > 0.10);
	assert_true(render(f, NULL) >= 1);
	assert_printed(f,
		       "warning: pthreads[workers=2]: run times vary by 17%");
	assert_not_printed(f, "warning: sync: run times vary");
}

static void test_cv_just_under_threshold_is_quiet(void **state)
{
	struct fixture *f = *state;
	/* mean 1, sample stddev 0.08: CV 8% */
	static const double x[] = { 0.92, 1.08, 0.92, 1.08, 1.0 };

	calm_cells(f);
	set_runs(f, SYNC, x, 5, 1.0);
	assert_true(f->r.results[SYNC].wall.cv < 0.10);
	render(f, NULL);
	assert_not_printed(f, "run times vary");
}

static void test_run_shorter_than_a_millisecond(void **state)
{
	struct fixture *f = *state;
	/* the median is above 1 ms, but one run is not */
	static const double x[] = { 0.0012, 0.0012, 0.0009, 0.0012, 0.0012 };

	calm_cells(f);
	set_runs(f, PT4, x, 5, 0.001);
	render(f, NULL);
	assert_printed(
		f,
		"warning: runs under 1 ms in pthreads[workers=4] (shortest 900.00 us)");
	assert_not_printed(f, "under 1 ms in sync");
}

static void test_outliers_are_named_not_dropped(void **state)
{
	struct fixture *f = *state;
	static const double x[] = { 1.000, 1.001, 0.999, 1.000, 3.000 };

	calm_cells(f);
	set_runs(f, SYNC, x, 5, 1.0);
	assert_int_equal(f->r.results[SYNC].wall.n_outliers, 1);
	render(f, NULL);
	assert_printed(
		f,
		"warning: sync: outlier runs (modified z-score > 3.5), kept in every figure: run 5 (3.0000 s); median 1.0000 s");
	assert_not_printed(f, "pthreads[workers=2]: outlier");
}

/* A run that crashed keeps its record (NaN wall) but has no figures. */
static void test_outliers_skip_runs_without_figures(void **state)
{
	struct fixture *f = *state;
	static const double measured[] = { 1.000, 1.001, 0.999, 1.000, 3.000 };
	struct cell_result *cr = &f->r.results[SYNC];
	size_t k, m = 0;

	calm_cells(f);
	free(cr->runs);
	cr->runs = xcalloc(6, sizeof(*cr->runs));
	for (k = 0; k < 6; k++) {
		cr->runs[k].run = (unsigned)k + 1;
		cr->runs[k].measured = k != 1;
		cr->runs[k].wall_s = k == 1 ? NAN : measured[m++];
	}
	cr->n_runs = 5;
	cr->n_records = 6;
	stats_summarise(measured, 5, &cr->wall);
	render(f, NULL);
	assert_printed(
		f, "kept in every figure: run 6 (3.0000 s); median 1.0000 s");
}

static void test_overlapping_intervals_are_not_distinguishable(void **state)
{
	struct fixture *f = *state;
	static const double a[] = { 0.50, 0.52, 0.48, 0.51, 0.49 };
	static const double b[] = { 0.51, 0.53, 0.49, 0.50, 0.50 };

	calm_cells(f);
	set_runs(f, PT2, a, 5, 1.0);
	set_runs(f, PT4, b, 5, 1.0);
	render(f, NULL);
	assert_printed(
		f,
		"warning: pthreads[workers=2] and pthreads[workers=4] are not distinguishable");
	/* sync (1 s) is far from both: no pair with it */
	assert_not_printed(f, "sync and");
	assert_not_printed(f, "and sync");
}

static void test_separated_intervals_stay_quiet(void **state)
{
	struct fixture *f = *state;

	calm_cells(f);
	render(f, NULL);
	assert_not_printed(f, "not distinguishable");
	/* the speedup's interval is printed and brackets the speedup */
	assert_printed(f, "2.00-2.00x");
}

static void test_high_load_average_at_start(void **state)
{
	struct fixture *f = *state;
	struct report_context busy = { .load_known = true,
				       .load1 = 3.5,
				       .ncpus = 2 };
	struct report_context unknown = { .load_known = false,
					  .load1 = 99,
					  .ncpus = 2 };

	calm_cells(f);
	assert_int_equal(render(f, &busy), 1);
	assert_printed(
		f,
		"warning: the load average was 3.50 on 2 CPUs when the runs started");
	assert_int_equal(render(f, &unknown), 0);
	assert_int_equal(render(f, NULL), 0);
}

static void test_failed_cell_says_why(void **state)
{
	struct fixture *f = *state;

	calm_cells(f);
	f->r.results[PT4].status = CELL_CRASHED;
	f->r.results[PT4].error = xstrdup("run 2 killed by SIGSEGV");
	render(f, NULL);
	assert_printed(
		f,
		"warning: pthreads[workers=4]: crashed: run 2 killed by SIGSEGV");
}

static void test_cell_without_runs_prints_dashes(void **state)
{
	struct fixture *f = *state;

	calm_cells(f);
	set_runs(f, PT2, NULL, 0, 0);
	f->r.results[PT2].status = CELL_TIMEOUT;
	f->r.results[PT2].error =
		xstrdup("run 1 timed out after 1.000 s and was killed");
	render(f, NULL);
	assert_printed(f, "timeout");
	assert_printed(f, "run 1 timed out");
	assert_not_printed(f, "nan");
}

static void test_unfinished_cells_are_left_out(void **state)
{
	struct fixture *f = *state;

	calm_cells(f);
	f->r.results[PT4].done = false;
	render(f, NULL);
	assert_not_printed(f, "pthreads[workers=4]");
	assert_printed(f, "pthreads[workers=2]");
}

static void test_context_capture_reads_the_machine(void **state)
{
	struct report_context ctx;

	(void)state;
	report_context_capture(&ctx);
	assert_true(ctx.ncpus >= 1);
	assert_true(ctx.load_known); /* Linux: /proc/loadavg */
	assert_true(ctx.load1 >= 0 && isfinite(ctx.load1));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_calm_table_has_no_warnings),
		T(test_cv_over_ten_percent),
		T(test_cv_just_under_threshold_is_quiet),
		T(test_run_shorter_than_a_millisecond),
		T(test_outliers_are_named_not_dropped),
		T(test_outliers_skip_runs_without_figures),
		T(test_overlapping_intervals_are_not_distinguishable),
		T(test_separated_intervals_stay_quiet),
		T(test_high_load_average_at_start),
		T(test_failed_cell_says_why),
		T(test_cell_without_runs_prints_dashes),
		T(test_unfinished_cells_are_left_out),
		cmocka_unit_test(test_context_capture_reads_the_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
