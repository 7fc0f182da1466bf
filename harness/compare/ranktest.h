/*
 * ranktest.h - the two-sample rank statistics `concur compare` decides with:
 * the Mann-Whitney U test and the Hodges-Lehmann estimate of a shift with
 * its distribution-free confidence interval.  No normality is assumed: run
 * times are skewed and have a hard floor, so a t-test would mislead.
 *
 * Conventions.  x is the first sample (BASE, m values), y the second (NEW,
 * n values).  U counts the pairs (x_i, y_j) with y_j > x_i, a tie counting
 * one half; U runs from 0 to mn, mn/2 under the null hypothesis that both
 * samples come from one distribution.
 *
 * p-value (two-sided):
 *   - exact when m < 50, n < 50 and no value of x equals one of y or of x
 *     (no ties at all): twice the smaller tail of U's permutation
 *     distribution, computed in integers (no rounding);
 *   - otherwise the normal approximation with the tie correction of the
 *     variance and a continuity correction of 1/2 (as R's wilcox.test).
 *
 * Shift (Hodges-Lehmann): the median of the mn differences y_j - x_i; its
 * interval is [D(k), D(mn + 1 - k)] over the sorted differences (values
 * selected from them without sorting them, see ranktest.c), with k
 * the largest integer such that P(U <= k - 1) <= (1 - level) / 2 (exact
 * distribution when the p-value is exact, else the normal approximation,
 * rounded down so the interval errs on the wide side).  When no such k >= 1
 * exists (too few values) the bounds are NaN: no finite interval has the
 * level.
 *
 * Inputs are caller-owned, finite, and never modified.
 */
#ifndef CONCUR_RANKTEST_H
#define CONCUR_RANKTEST_H

#include <stdbool.h>
#include <stddef.h>

/* Exact p-values below this many values per sample (R's rule). */
#define RANKTEST_EXACT_MAX 50
/*
 * Most values per sample ranktest_run accepts.  The mn differences are
 * never formed: the estimate and its bounds are selected from them in
 * O((m + n) log(mn)) time and O(m + n) memory, so this only bounds the
 * memory (about 60 bytes a value) and keeps mn and U exact in doubles.
 */
#define RANKTEST_MAX_N 1000000

struct ranktest {
	size_t m, n;
	double u;     /* U of y over x, see above */
	double p;     /* two-sided; 1 when every value is equal */
	bool exact;   /* p and interval from the exact distribution */
	bool ties;    /* some values are equal */
	double min_p; /* smallest two-sided p these sizes allow (no ties) */
	double shift; /* Hodges-Lehmann estimate of y - x */
	double shift_low, shift_high; /* its interval; NaN when none exists */
	size_t interval_rank; /* k: the interval is [D(k), D(mn + 1 - k)]; 0 */
	double coverage; /* the interval's actual level (exact: >= level) */
};

/*
 * Test x[0..m) against y[0..n) and estimate the shift y - x with an
 * interval of the given level (0.95).  Returns 0, or -EINVAL when m or n is
 * 0 or above RANKTEST_MAX_N, a value is not finite, or level is not in
 * (0, 1); ret is then untouched.
 */
int ranktest_run(const double *x, size_t m, const double *y, size_t n,
		 double level, struct ranktest *ret);

/* P(U <= u) under the null hypothesis, exact, for m, n < RANKTEST_EXACT_MAX
 * (NaN beyond). */
double ranktest_exact_cdf(size_t m, size_t n, double u);

/*
 * The smallest two-sided p-value samples of m and n values can give (all
 * of one sample below all of the other, no ties): 2 / C(m + n, m), capped
 * at 1.  3 and 3 values: 0.1.
 */
double ranktest_min_p(size_t m, size_t n);

/* The fewest values per sample (equal sizes) whose ranktest_min_p is at
 * most alpha: 4 for alpha = 0.05. */
size_t ranktest_runs_needed(double alpha);

#endif
