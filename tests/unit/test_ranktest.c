/*
 * Unit tests for harness/compare/ranktest.c: the Mann-Whitney U test against
 * published exact critical values and worked examples, the normal
 * approximation with ties against hand-computed values, and the
 * Hodges-Lehmann interval against its closed form and a large simulation.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_near.h"
#include "ranktest.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The largest U whose two-sided exact p is at most alpha: the critical
 * value printed in the classic tables (e.g. Mann & Whitney 1947; Siegel &
 * Castellan, Nonparametric Statistics, table J).  -1 = "no value".
 */
static int critical_u(size_t m, size_t n, double alpha)
{
	int u, crit = -1;

	for (u = 0; u <= (int)(m * n / 2); u++)
		if (2 * ranktest_exact_cdf(m, n, u) <= alpha + 1e-12)
			crit = u;
	return crit;
}

static void test_published_critical_values(void **state)
{
	/* m, n, critical U at alpha = .05 and .01 two-sided ("-" = -1) */
	static const int table[][4] = {
		{ 3, 3, -1, -1 },   { 4, 4, 0, -1 },	  { 5, 5, 2, 0 },
		{ 6, 6, 5, 2 },	    { 7, 7, 8, 4 },	  { 8, 8, 13, 7 },
		{ 9, 9, 17, 11 },   { 10, 10, 23, 16 },	  { 3, 5, 0, -1 },
		{ 3, 10, 3, 0 },    { 4, 10, 5, 2 },	  { 5, 10, 8, 4 },
		{ 6, 10, 11, 6 },   { 8, 10, 17, 11 },	  { 15, 15, 64, 51 },
		{ 10, 20, 55, 42 }, { 20, 20, 127, 105 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t m = (size_t)table[i][0], n = (size_t)table[i][1];

		if (critical_u(m, n, 0.05) != table[i][2] ||
		    critical_u(m, n, 0.01) != table[i][3])
			fail_msg("m=%zu n=%zu: critical U %d/%d, want %d/%d", m,
				 n, critical_u(m, n, 0.05),
				 critical_u(m, n, 0.01), table[i][2],
				 table[i][3]);
	}
}

/* Small exact tails by counting: m = n = 5 has C(10,5) = 252 arrangements,
 * with 1, 1, 2, 3 of them at U = 0, 1, 2, 3. */
static void test_exact_cdf_counts(void **state)
{
	(void)state;
	assert_near(ranktest_exact_cdf(5, 5, 0), 1.0 / 252, 1e-15);
	assert_near(ranktest_exact_cdf(5, 5, 2), 4.0 / 252, 1e-15);
	assert_near(ranktest_exact_cdf(5, 5, 3), 7.0 / 252, 1e-15);
	assert_near(ranktest_exact_cdf(5, 5, 25), 1, 1e-15);
	assert_near(ranktest_exact_cdf(3, 3, 0), 0.05, 1e-15);
	/* 49 and 49: C(98,49) = 2.5e28 arrangements, 1 of them at U = 0 */
	assert_near(ranktest_exact_cdf(49, 49, 0) * 2.547761225898086e28, 1,
		    1e-12);
	/* symmetric: P(U <= mn/2 - 1/2) = 1/2 when mn is odd */
	assert_near(ranktest_exact_cdf(7, 9, 31), 0.5, 1e-15);
	assert_true(isnan(ranktest_exact_cdf(50, 3, 1)));
}

/*
 * R's documentation example for wilcox.test (Hollander & Wolfe 1973, p. 69):
 * x = permeability after, y = before; W = 35 for x over y, exact
 * one-sided p 0.1272, so the two-sided p is 0.2544 (U of y over x = 15).
 */
static void test_r_example_exact(void **state)
{
	const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45,
			     1.38, 1.91, 1.64, 0.73, 1.46 };
	const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct ranktest t;

	(void)state;
	assert_int_equal(ranktest_run(x, 10, y, 5, 0.95, &t), 0);
	assert_near(t.u, 15, 0);
	assert_true(t.exact);
	assert_false(t.ties);
	assert_near(t.p, 0.25441225441225446, 1e-12);
	/* swapping the samples swaps U and keeps p */
	assert_int_equal(ranktest_run(y, 5, x, 10, 0.95, &t), 0);
	assert_near(t.u, 35, 0);
	assert_near(t.p, 0.25441225441225446, 1e-12);
}

/* SciPy's mannwhitneyu example: males vs females, U = 3 of the second
 * over the first (17 the other way), exact two-sided p = 1/9. */
static void test_scipy_example_exact(void **state)
{
	const double males[] = { 19, 22, 16, 29, 24 };
	const double females[] = { 20, 11, 17, 12 };
	struct ranktest t;

	(void)state;
	assert_int_equal(ranktest_run(males, 5, females, 4, 0.95, &t), 0);
	assert_near(t.u, 3, 0);
	assert_near(t.p, 1.0 / 9, 1e-14);
}

/*
 * Ties force the normal approximation.  x = {1,2,2,3}, y = {2,3,4,5}:
 * pooled 1 2 2 2 3 3 4 5, tie groups of 3 and 2 give sum(t^3 - t) = 30;
 * U = 2 + 3.5 + 4 + 4 = 13.5, mean 8, variance 16/12 (9 - 30/56) =
 * 11.2857, z = (5.5 - 0.5) / 3.35942 = 1.48835, p = 0.136658 (R's
 * wilcox.test gives W = 13.5, p-value = 0.1367 with its ties warning).
 */
static void test_ties_normal(void **state)
{
	const double x[] = { 1, 2, 2, 3 };
	const double y[] = { 2, 3, 4, 5 };
	const double a[] = { 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 5 };
	const double b[] = { 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8, 8 };
	struct ranktest t;

	(void)state;
	assert_int_equal(ranktest_run(x, 4, y, 4, 0.95, &t), 0);
	assert_true(t.ties);
	assert_false(t.exact);
	assert_near(t.u, 13.5, 0);
	assert_near(t.p, 0.13665824773814753, 1e-12);
	/* more ties: groups 2,3,3,3,4,2,1,2 -> sum 408; U = 118 of 156 */
	assert_int_equal(ranktest_run(a, 12, b, 13, 0.95, &t), 0);
	assert_near(t.u, 118, 0);
	assert_near(t.p, 0.029467426845018255, 1e-12);
}

/* All values equal: no evidence at all, p = 1; the shift is 0. */
static void test_all_equal(void **state)
{
	const double x[] = { 7, 7, 7, 7, 7 };
	struct ranktest t;

	(void)state;
	assert_int_equal(ranktest_run(x, 5, x, 5, 0.95, &t), 0);
	assert_near(t.p, 1, 0);
	assert_near(t.shift, 0, 0);
	assert_near(t.u, 12.5, 0);
}

/*
 * Large samples use the normal law even without ties: 50 and 50 values
 * 0..49 and 10..59 (40 values tied across) give U = 1700, sigma 145.04,
 * p = 0.00194081 (hand-computed with the formula).
 */
static void test_large_normal(void **state)
{
	double x[50], y[50];
	struct ranktest t;
	size_t i;

	(void)state;
	for (i = 0; i < 50; i++) {
		x[i] = (double)i;
		y[i] = (double)i + 10;
	}
	assert_int_equal(ranktest_run(x, 50, y, 50, 0.95, &t), 0);
	assert_false(t.exact);
	assert_near(t.u, 1700, 0);
	assert_near(t.p, 0.0019408067072591562, 1e-12);
	assert_near(t.shift, 10, 0);
	assert_true(t.shift_low <= 10 && t.shift_high >= 10);
}

static void test_min_p_and_runs_needed(void **state)
{
	(void)state;
	assert_near(ranktest_min_p(3, 3), 0.1, 1e-15);
	assert_near(ranktest_min_p(4, 4), 2.0 / 70, 1e-15);
	assert_near(ranktest_min_p(1, 1), 1, 0);
	assert_near(ranktest_min_p(2, 3), 0.2, 1e-15);
	assert_int_equal(ranktest_runs_needed(0.05), 4);
	assert_int_equal(ranktest_runs_needed(0.1), 3);
	assert_int_equal(ranktest_runs_needed(0.01), 5);
	assert_int_equal(ranktest_runs_needed(0.001), 7);
}

/*
 * The interval's closed form for m = n = 5: P(U <= 2) = 4/252 <= 0.025 <
 * P(U <= 3), so it runs from the 3rd to the 23rd of the 25 sorted
 * differences, with coverage 1 - 8/252 = 0.968 (the "96.8%" of the tables).
 * With y = x + 100 the differences are 100 + (x_j - x_i).
 */
static void test_interval_closed_form(void **state)
{
	const double x[] = { 1, 2, 4, 8, 16 };
	double y[5];
	struct ranktest t;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++)
		y[i] = x[i] + 100;
	assert_int_equal(ranktest_run(x, 5, y, 5, 0.95, &t), 0);
	assert_near(t.shift, 100, 0);
	/* differences x_j - x_i sorted: -15 -14 -12 -8 -7 -6 ...; 3rd = -12 */
	assert_near(t.shift_low, 100 - 12, 0);
	assert_near(t.shift_high, 100 + 12, 0);
	assert_near(t.coverage, 1 - 8.0 / 252, 1e-12);
	assert_near(t.p, 2.0 / 252, 1e-15); /* every y above every x */
}

/* Three runs a side: no finite interval reaches 95% (P(U = 0) = 0.05). */
static void test_interval_too_few(void **state)
{
	const double x[] = { 1, 2, 3 };
	const double y[] = { 4, 5, 6 };
	struct ranktest t;

	(void)state;
	assert_int_equal(ranktest_run(x, 3, y, 3, 0.95, &t), 0);
	assert_true(isnan(t.shift_low) && isnan(t.shift_high));
	assert_near(t.shift, 3, 0);
	assert_near(t.p, 0.1, 1e-15); /* the smallest it can be */
	assert_near(t.min_p, 0.1, 1e-15);
}

static void test_bad_input(void **state)
{
	const double x[] = { 1, NAN, 3 };
	const double y[] = { 1, 2, 3 };
	struct ranktest t;

	(void)state;
	assert_int_equal(ranktest_run(x, 3, y, 3, 0.95, &t), -EINVAL);
	assert_int_equal(ranktest_run(y, 0, y, 3, 0.95, &t), -EINVAL);
	assert_int_equal(ranktest_run(y, 3, y, 3, 1.0, &t), -EINVAL);
	assert_int_equal(ranktest_run(y, 3, y, 3, 0, &t), -EINVAL);
	assert_int_equal(ranktest_run(y, RANKTEST_MAX_N + 1, y, 3, 0.95, &t),
			 -EINVAL); /* refused before anything is read */
}

/* A fixed-seed generator (splitmix64) and normal deviates (Box-Muller). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double uniform01(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal01(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

/*
 * Log run times shifted by log(1.1), with noise: the interval of the shift
 * must hold the true shift in (about) its stated share of trials, and the
 * test must reject at 5% about as often as its size under the null.
 * 4,000 trials: the binomial standard error of a 95% share is 0.0034, so
 * 0.015 is over four of them.
 */
static void coverage_trial(size_t m, size_t n, int trials)
{
	double x[64], y[64], covered = 0, coverage = 0, rejected = 0;
	const double shift = log(1.1);
	struct ranktest t;
	int k;
	size_t i;

	for (k = 0; k < trials; k++) {
		for (i = 0; i < m; i++)
			x[i] = 0.05 * normal01();
		for (i = 0; i < n; i++)
			y[i] = shift + 0.05 * normal01();
		assert_int_equal(ranktest_run(x, m, y, n, 0.95, &t), 0);
		covered += t.shift_low <= shift && shift <= t.shift_high;
		coverage += t.coverage;
		for (i = 0; i < n; i++)
			y[i] = 0.05 * normal01();
		assert_int_equal(ranktest_run(x, m, y, n, 0.95, &t), 0);
		rejected += t.p <= 0.05;
	}
	assert_near(covered / trials, coverage / trials, 0.015);
	assert_true(coverage / trials >= 0.945);
	assert_near(rejected / trials, 0.05, 0.015);
}

static void test_interval_coverage_exact(void **state)
{
	(void)state;
	coverage_trial(10, 10, 4000);
}

static void test_interval_coverage_normal(void **state)
{
	(void)state;
	coverage_trial(60, 55, 2000);
}

/*
 * The definitions, in O(mn log mn): every one of the mn differences formed
 * and sorted, U counted pair by pair.  k is the interval's rank.
 */
static void reference(const double *x, size_t m, const double *y, size_t n,
		      size_t k, double ret[4])
{
	double *d = malloc(m * n * sizeof(*d)), u = 0;
	size_t i, j, mn = m * n;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			u += y[j] > x[i] ? 1 : y[j] == x[i] ? 0.5 : 0;
			d[i * n + j] = y[j] - x[i];
		}
	qsort(d, mn, sizeof(*d), cmp_double);
	ret[0] = u;
	ret[1] = mn % 2 ? d[mn / 2] : (d[mn / 2 - 1] + d[mn / 2]) / 2;
	ret[2] = k ? d[k - 1] : NAN;
	ret[3] = k ? d[mn - k] : NAN;
	free(d);
}

/* log run times of 1 to 10 units, shifted, on a grid of `grain` (0: none)
 * so that ties come and go */
static void draw(double *v, size_t n, double shift, double grain)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i] = shift + log(1 + 9 * uniform01());
		if (grain > 0)
			v[i] = round(v[i] / grain) * grain;
	}
}

/*
 * The estimate and its interval select from the differences without
 * forming them all: the values must be the very ones sorting them all
 * gives, to the bit, for every size and any ties.
 */
static void test_matches_all_pairs_sorted(void **state)
{
	static const double grains[] = { 0, 0.5, 0.05, 1e-3 };
	double x[120], y[120], want[4];
	struct ranktest t;
	int trial;

	(void)state;
	for (trial = 0; trial < 400; trial++) {
		size_t m = 1 + (size_t)(uniform01() * 119);
		size_t n = 1 + (size_t)(uniform01() * 119);
		double grain = grains[trial % 4];

		draw(x, m, 0, grain);
		draw(y, n, 0.1 * (trial % 3), grain);
		assert_int_equal(ranktest_run(x, m, y, n, 0.95, &t), 0);
		reference(x, m, y, n, t.interval_rank, want);
		assert_true(t.u == want[0]);
		assert_true(t.shift == want[1]);
		assert_true(t.shift_low == want[2] ||
			    (isnan(t.shift_low) && isnan(want[2])));
		assert_true(t.shift_high == want[3] ||
			    (isnan(t.shift_high) && isnan(want[3])));
	}
}

/*
 * Samples far past what all mn pairs could hold (10^10 of them, 80 GB):
 * 100,000 integers a side, y = x + 10, so every
 * difference is an exact integer and the estimate is exactly 10, inside a
 * symmetric interval.
 */
static void test_large_samples(void **state)
{
	const size_t m = 100000, n = 100000;
	double *x = malloc(m * sizeof(*x)), *y = malloc(n * sizeof(*y));
	struct ranktest t;
	size_t i;

	(void)state;
	for (i = 0; i < m; i++)
		x[m - 1 - i] = (double)i; /* unsorted on purpose */
	for (i = 0; i < n; i++)
		y[i] = (double)i + 10;
	assert_int_equal(ranktest_run(x, m, y, n, 0.95, &t), 0);
	assert_false(t.exact);
	assert_near(t.shift, 10, 0);
	assert_true(t.shift_low < 10 && t.shift_high > 10);
	assert_near(t.shift_low + t.shift_high, 20, 0);
	/* y_j > x_i for i <= j + 9, tied for i = j + 10 (99,990 ties) */
	assert_near(t.u, 5000949955.0 + 0.5 * 99990, 0);
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_critical_values),
		cmocka_unit_test(test_exact_cdf_counts),
		cmocka_unit_test(test_r_example_exact),
		cmocka_unit_test(test_scipy_example_exact),
		cmocka_unit_test(test_ties_normal),
		cmocka_unit_test(test_all_equal),
		cmocka_unit_test(test_large_normal),
		cmocka_unit_test(test_min_p_and_runs_needed),
		cmocka_unit_test(test_interval_closed_form),
		cmocka_unit_test(test_interval_too_few),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_interval_coverage_exact),
		cmocka_unit_test(test_interval_coverage_normal),
		cmocka_unit_test(test_matches_all_pairs_sorted),
		cmocka_unit_test(test_large_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
