/*
 * stats.h - summary statistics over the measured runs of a cell (wall
 * seconds): centre, spread, a 95% confidence interval of the mean and an
 * outlier count, the figures hyperfine and Google Benchmark users expect.
 *
 * Inputs are plain arrays owned by the caller and never modified; values
 * are expected to be finite.
 */
#ifndef CONCUR_STATS_H
#define CONCUR_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct sample_stats {
	size_t n;
	double median, mean, stddev; /* stddev: sample (n-1); NaN when n < 2 */
	double min, max;
	double cv; /* stddev / mean; NaN when undefined */
	double ci95_low,
		ci95_high; /* mean -/+ t(0.975, n-1) * stddev / sqrt(n);
				       NaN when n < 2 */
	size_t n_outliers; /* stats_is_outlier(); MAD == 0 -> none */
};

/*
 * The outlier rule, in one place: the modified z-score of Iglewicz and
 * Hoaglin ("How to Detect and Handle Outliers", 1993),
 *     M = 0.6745 (x - median) / MAD,
 * MAD the unscaled median absolute deviation (0.6745 makes it estimate the
 * standard deviation of normal data); |M| > 3.5 marks x an outlier.
 * hyperfine warns by the same rule.  Never an outlier when MAD is not > 0.
 */
#define STATS_OUTLIER_Z 3.5
bool stats_is_outlier(double x, double median, double mad);

/*
 * Summarise x[0..n).  n == 0 gives n = 0, n_outliers = 0 and NaN in every
 * other field; n == 1 gives median = mean = min = max = x[0] and NaN for
 * stddev, cv and the interval.
 */
void stats_summarise(const double *x, size_t n, struct sample_stats *ret);

/*
 * Student's t two-sided 95% quantile t(0.975, df): exact (to 9 digits) for
 * df 1..30, a Cornish-Fisher expansion around the normal quantile beyond
 * (relative error below 1e-6 there).  NaN for df == 0.
 */
double stats_t975(size_t df);

/* Median of x[0..n) (mean of the two middle values when n is even); NaN
 * when n == 0.  x is unchanged. */
double stats_median(const double *x, size_t n);

/* Median absolute deviation from the median (unscaled); NaN when n == 0. */
double stats_mad(const double *x, size_t n);

#endif
