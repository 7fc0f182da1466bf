#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* t(0.975, df) for df = 1..30, to 9 decimals (R's qt(0.975, df)). */
static const double t975_table[30] = {
	12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
	2.446911851,  2.364624252, 2.306004135, 2.262157163, 2.228138852,
	2.200985160,  2.178812830, 2.160368656, 2.144786688, 2.131449546,
	2.119905299,  2.109815578, 2.100922040, 2.093024054, 2.085963447,
	2.079613845,  2.073873068, 2.068657610, 2.063898562, 2.059538553,
	2.055529439,  2.051830516, 2.048407142, 2.045229642, 2.042272456,
};

/* The standard normal's 0.975 quantile. */
#define Z975 1.959963984540054

/*
 * Cornish-Fisher expansion of Student's t quantile in powers of 1/df
 * (Abramowitz & Stegun 26.7.5); the first omitted term is O(df^-5), so past
 * df 30 the error is far below the precision anyone reports.
 */
static double t_cornish_fisher(double z, double df)
{
	double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2,
	       z9 = z7 * z2;
	double g1 = (z3 + z) / 4;
	double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
	double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
	double g4 =
		(79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;

	return z + g1 / df + g2 / (df * df) + g3 / (df * df * df) +
	       g4 / (df * df * df * df);
}

double stats_t975(size_t df)
{
	if (df == 0)
		return NAN;
	if (df <= ARRAY_SIZE(t975_table))
		return t975_table[df - 1];
	return t_cornish_fisher(Z975, (double)df);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of an array the caller lets us sort. */
static double median_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

double stats_median(const double *x, size_t n)
{
	double *v, m;

	if (n == 0)
		return NAN;
	v = xmalloc(n * sizeof(*v));
	memcpy(v, x, n * sizeof(*v));
	m = median_sort(v, n);
	free(v);
	return m;
}

/* MAD around a known median. */
static double mad_around(const double *x, size_t n, double median)
{
	double *v = xmalloc(n * sizeof(*v)), m;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = fabs(x[i] - median);
	m = median_sort(v, n);
	free(v);
	return m;
}

double stats_mad(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	return mad_around(x, n, stats_median(x, n));
}

bool stats_is_outlier(double x, double median, double mad)
{
	return mad > 0 && fabs(0.6745 * (x - median) / mad) > STATS_OUTLIER_Z;
}

static size_t count_outliers(const double *x, size_t n, double median)
{
	double mad = mad_around(x, n, median);
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		count += stats_is_outlier(x[i], median, mad);
	return count;
}

/*
 * Mean, min and max in one pass; the deviations in a second for accuracy.
 * The mean is accumulated as offsets from x[0], so identical samples give
 * exactly x[0] and a standard deviation of exactly 0 (sum / n of equal
 * values can round away from them).
 */
static void summarise_moments(const double *x, size_t n,
			      struct sample_stats *ret)
{
	double sum = 0, ss = 0;
	size_t i;

	ret->min = ret->max = x[0];
	for (i = 0; i < n; i++) {
		sum += x[i] - x[0];
		if (x[i] < ret->min)
			ret->min = x[i];
		if (x[i] > ret->max)
			ret->max = x[i];
	}
	ret->mean = x[0] + sum / (double)n;
	for (i = 0; i < n; i++)
		ss += (x[i] - ret->mean) * (x[i] - ret->mean);
	ret->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

void stats_summarise(const double *x, size_t n, struct sample_stats *ret)
{
	double half;

	ret->n = n;
	ret->n_outliers = 0;
	ret->median = ret->mean = ret->stddev = ret->min = ret->max = NAN;
	ret->cv = ret->ci95_low = ret->ci95_high = NAN;
	if (n == 0)
		return;
	summarise_moments(x, n, ret);
	ret->median = stats_median(x, n);
	ret->n_outliers = count_outliers(x, n, ret->median);
	if (n < 2)
		return;
	if (ret->mean != 0)
		ret->cv = ret->stddev / ret->mean;
	half = stats_t975(n - 1) * ret->stddev / sqrt((double)n);
	ret->ci95_low = ret->mean - half;
	ret->ci95_high = ret->mean + half;
}
