/* Unit tests for harness/base/stats.c against hand-computed values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assert_near.h"
#include "stats.h"

static void check_nan(double got, const char *expr, int line)
{
	if (!isnan(got))
		fail_msg("line %d: %s = %.12g, want NaN", line, expr, got);
}

#define assert_nan(got) check_nan((got), #got, __LINE__)

/* x = {1,2,3,4,100}: sum of squared deviations 7610, variance 1902.5. */
static void test_summary_with_outlier(void **state)
{
	const double x[] = { 4, 100, 1, 3, 2 };
	double copy[5];
	double sd = sqrt(1902.5), half = 2.776445105 * sd / sqrt(5);
	struct sample_stats s;

	(void)state;
	memcpy(copy, x, sizeof(x));
	stats_summarise(copy, 5, &s);
	assert_memory_equal(copy, x, sizeof(x)); /* input unchanged */
	assert_int_equal(s.n, 5);
	assert_near(s.median, 3, 0);
	assert_near(s.mean, 22, 1e-12);
	assert_near(s.stddev, 43.617656975128774, 1e-9);
	assert_near(s.stddev, sd, 1e-12);
	assert_near(s.min, 1, 0);
	assert_near(s.max, 100, 0);
	assert_near(s.cv, sd / 22, 1e-12);
	assert_near(s.ci95_low, 22 - half, 1e-9);
	assert_near(s.ci95_high, 22 + half, 1e-9);
	assert_near(s.ci95_low, -32.15847434816046, 1e-6);
	assert_near(s.ci95_high, 76.15847434816047, 1e-6);
	/* MAD = median{2,1,0,1,97} = 1; only 100 has |0.6745*97| > 3.5. */
	assert_int_equal(s.n_outliers, 1);
}

static void test_outliers_both_sides(void **state)
{
	/* median 10, MAD 0.1: 0 and 50 are outliers, 9.9 (z 0.67) is not. */
	const double x[] = { 10, 10.1, 9.9, 10.05, 9.95, 0, 50 };
	struct sample_stats s;

	(void)state;
	stats_summarise(x, 7, &s);
	assert_near(s.median, 10, 0);
	assert_near(stats_mad(x, 7), 0.1, 1e-12);
	assert_int_equal(s.n_outliers, 2);
}

static void test_outlier_threshold(void **state)
{
	/* median 0, MAD 1, so z = 0.6745 x: 5.18 -> 3.494 (kept),
	 * 5.19 -> 3.501 (outlier). */
	const double below[] = { -1, -1, 0, 0, 1, 1, 5.18 };
	const double above[] = { -1, -1, 0, 0, 1, 1, 5.19 };
	struct sample_stats s;

	(void)state;
	assert_near(stats_mad(below, 7), 1, 0);
	stats_summarise(below, 7, &s);
	assert_near(s.median, 0, 0);
	assert_int_equal(s.n_outliers, 0);
	stats_summarise(above, 7, &s);
	assert_int_equal(s.n_outliers, 1);
}

static void test_even_median(void **state)
{
	const double x[] = { 4, 1, 3, 2 };

	(void)state;
	assert_near(stats_median(x, 4), 2.5, 0);
	assert_near(x[0], 4, 0); /* unchanged */
	assert_nan(stats_median(x, 0));
	assert_near(stats_median(x, 1), 4, 0);
}

static void test_single_sample(void **state)
{
	const double x[] = { 7.25 };
	struct sample_stats s;

	(void)state;
	stats_summarise(x, 1, &s);
	assert_int_equal(s.n, 1);
	assert_near(s.median, 7.25, 0);
	assert_near(s.mean, 7.25, 0);
	assert_near(s.min, 7.25, 0);
	assert_near(s.max, 7.25, 0);
	assert_nan(s.stddev);
	assert_nan(s.cv);
	assert_nan(s.ci95_low);
	assert_nan(s.ci95_high);
	assert_int_equal(s.n_outliers, 0);
}

static void test_no_samples(void **state)
{
	struct sample_stats s;

	(void)state;
	memset(&s, 0x5a, sizeof(s));
	stats_summarise(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_outliers, 0);
	assert_nan(s.median);
	assert_nan(s.mean);
	assert_nan(s.stddev);
	assert_nan(s.min);
	assert_nan(s.max);
	assert_nan(s.cv);
	assert_nan(s.ci95_low);
	assert_nan(s.ci95_high);
}

static void test_constant_samples(void **state)
{
	const double x[] = { 5, 5, 5, 5 };
	struct sample_stats s;

	(void)state;
	stats_summarise(x, 4, &s);
	assert_near(s.median, 5, 0);
	assert_near(s.stddev, 0, 0);
	assert_near(s.cv, 0, 0);
	assert_near(s.ci95_low, 5, 0);
	assert_near(s.ci95_high, 5, 0);
	assert_int_equal(s.n_outliers, 0); /* MAD 0: no outliers */
	/* 0.1 * 3 / 3 rounds to 0.10000000000000002: still exactly 0.1, sd 0 */
	{
		const double y[] = { 0.1, 0.1, 0.1 };

		stats_summarise(y, 3, &s);
		assert_true(s.mean == 0.1);
		assert_true(s.stddev == 0);
	}
}

static void test_mad_zero_with_spread(void **state)
{
	/* More than half equal: MAD 0, so even 1000 is not flagged. */
	const double x[] = { 2, 2, 2, 2, 1000 };
	struct sample_stats s;

	(void)state;
	stats_summarise(x, 5, &s);
	assert_near(stats_mad(x, 5), 0, 0);
	assert_int_equal(s.n_outliers, 0);
}

static void test_cv_undefined_for_zero_mean(void **state)
{
	const double x[] = { -1, 1 };
	struct sample_stats s;

	(void)state;
	stats_summarise(x, 2, &s);
	assert_near(s.stddev, sqrt(2), 1e-15);
	assert_nan(s.cv);
	/* df 1: mean 0 -/+ 12.7062 * sqrt(2) / sqrt(2) */
	assert_near(s.ci95_high, 12.706204736, 1e-9);
	assert_near(s.ci95_low, -12.706204736, 1e-9);
}

static void test_t_table(void **state)
{
	size_t df;

	(void)state;
	assert_nan(stats_t975(0));
	assert_near(stats_t975(1), 12.7062, 5e-5);
	assert_near(stats_t975(4), 2.776445, 5e-7);
	assert_near(stats_t975(10), 2.2281, 5e-5);
	assert_near(stats_t975(30), 2.0423, 5e-5);
	/* Beyond the table: reference values from qt(0.975, df). */
	assert_near(stats_t975(31), 2.039513446, 1e-6);
	assert_near(stats_t975(40), 2.021075390, 1e-6);
	assert_near(stats_t975(60), 2.000297822, 1e-6);
	assert_near(stats_t975(120), 1.979930405, 1e-6);
	assert_near(stats_t975(1000), 1.9623, 5e-5);
	assert_near(stats_t975(1000), 1.962339081, 1e-8);
	/* Strictly decreasing towards the normal quantile. */
	for (df = 1; df < 5000; df++)
		if (!(stats_t975(df) > stats_t975(df + 1)))
			fail_msg("t975 not decreasing at df %zu", df);
	assert_true(stats_t975(SIZE_MAX / 2) > 1.959963984);
	assert_near(stats_t975(SIZE_MAX / 2), 1.959963985, 1e-8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_with_outlier),
		cmocka_unit_test(test_outliers_both_sides),
		cmocka_unit_test(test_outlier_threshold),
		cmocka_unit_test(test_even_median),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_no_samples),
		cmocka_unit_test(test_constant_samples),
		cmocka_unit_test(test_mad_zero_with_spread),
		cmocka_unit_test(test_cv_undefined_for_zero_mean),
		cmocka_unit_test(test_t_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
