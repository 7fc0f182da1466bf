/*
 * Unit tests for harness/report/report.c: the results table and its warnings.
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
	assert_printed(
		f,
		"warning: run times vary by more than 10% (CV): pthreads[workers=2] 17%; more repetitions");
	assert_not_printed(f, "sync 0%");
}

/* Several noisy cells share one line, not one line each. */
static void test_cv_warnings_share_one_line(void **state)
{
	struct fixture *f = *state;
	static const double noisy[] = { 0.40, 0.52, 0.61, 0.45, 0.58 };
	static const double noisier[] = { 0.20, 0.31, 0.22, 0.29, 0.18 };

	calm_cells(f);
	set_runs(f, PT2, noisy, 5, 1.0);
	set_runs(f, PT4, noisier, 5, 1.0);
	assert_int_equal(render(f, NULL), 1);
	assert_printed(
		f,
		"warning: run times vary by more than 10% (CV): pthreads[workers=2] 17%, pthreads[workers=4] 24%; more");
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
		"warning: sync: outlier runs (modified z-score > 3.5 and over 1% from the median), kept in every figure: run 5 (3.0000 s); median 1.0000 s");
	assert_not_printed(f, "pthreads[workers=2]: outlier");
}

/*
 * The seeds experiment's case: runs a few ms apart at 3.27 s have a tiny
 * MAD, so a run 25 ms off has a modified z-score near 17, yet it is 0.76%
 * of the median: not worth a warning.  2% off is.
 */
static void test_outlier_needs_to_be_large_too(void **state)
{
	struct fixture *f = *state;
	static const double near[] = { 3.2956, 3.2707, 3.2700, 3.2710, 3.2705 };
	static const double far[] = { 3.3360, 3.2707, 3.2700, 3.2710, 3.2705 };

	calm_cells(f);
	set_runs(f, SYNC, near, 5, 1.0);
	assert_int_equal(f->r.results[SYNC].wall.n_outliers, 1); /* N.csv's */
	assert_int_equal(render(f, NULL), 0);
	assert_not_printed(f, "outlier");
	set_runs(f, SYNC, far, 5, 1.0);
	render(f, NULL);
	assert_printed(f, "sync: outlier runs");
	assert_printed(f, "run 1 (3.3360 s); median 3.2707 s");
}

/* Fewer than five runs: no outlier analysis, however far a run is. */
static void test_no_outliers_below_five_runs(void **state)
{
	struct fixture *f = *state;
	static const double x[] = { 1.000, 1.001, 0.999, 3.000 };

	calm_cells(f);
	set_runs(f, SYNC, x, 4, 1.0);
	render(f, NULL);
	assert_not_printed(f, "outlier");
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
	assert_int_equal(render(f, NULL), 1);
	assert_printed(
		f,
		"warning: not distinguishable, their 95% intervals of the mean overlap: {pthreads[workers");
	assert_printed(f, "pthreads[workers=2]");
	/* sync (1 s) is far from both: not in the group */
	assert_not_printed(f, ", sync}");
	assert_not_printed(f, "{sync");
}

/*
 * A chain: workers=4 (0.391..0.409) and sync (0.441..0.459) do not overlap,
 * but workers=2 (0.381..0.459) overlaps both: one group, in median order,
 * in one line.
 */
static void test_overlap_chain_is_one_group(void **state)
{
	struct fixture *f = *state;
	static const double p4[] = { 0.40, 0.41, 0.39, 0.40, 0.40 };
	static const double p2[] = { 0.40, 0.44, 0.42, 0.46, 0.38 };
	static const double s[] = { 0.45, 0.46, 0.44, 0.45, 0.45 };

	calm_cells(f);
	set_runs(f, PT4, p4, 5, 1.0);
	set_runs(f, PT2, p2, 5, 1.0);
	set_runs(f, SYNC, s, 5, 1.0);
	assert_true(f->r.results[PT4].wall.ci95_high <
		    f->r.results[SYNC].wall.ci95_low);
	assert_int_equal(render(f, NULL), 1);
	assert_printed(
		f,
		"overlap: {pthreads[workers=4], pthreads[workers=2], sync}\n");
}

/* repetitions = auto: each row says its runs and why it stopped, and the
 * cells that hit a cap are named once. */
static void test_auto_repetitions_say_how_they_stopped(void **state)
{
	struct fixture *f = *state;
	static const double noisy[] = { 0.40, 0.52, 0.61, 0.45, 0.58 };

	calm_cells(f);
	set_runs(f, PT2, noisy, 5, 1.0);
	f->cfg->repetitions_auto = true;
	f->cfg->min_repetitions = 5;
	f->cfg->max_repetitions = 5;
	f->cfg->target_ci = 0.02;
	f->r.results[SYNC].stopped_by = REPEAT_TARGET;
	f->r.results[PT2].stopped_by = REPEAT_MAX_REPETITIONS;
	f->r.results[PT4].stopped_by = REPEAT_TARGET;
	render(f, NULL);
	assert_printed(
		f,
		"repetitions = auto: 5 to 5 measured runs per cell, until the 95% CI is within 2% of the mean)");
	assert_printed(f, "ok      5 runs, target\n");
	assert_printed(f, "ok      5 runs, max_repetitions\n");
	assert_printed(
		f,
		"warning: did not converge: pthreads[workers=2] (max_repetitions after 5 runs, within 21.2%); target_ci is 2%");
	assert_not_printed(f, "did not converge: sync");
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
		T(test_outlier_needs_to_be_large_too),
		T(test_no_outliers_below_five_runs),
		T(test_cv_warnings_share_one_line),
		T(test_overlap_chain_is_one_group),
		T(test_auto_repetitions_say_how_they_stopped),
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
