#include "ranktest.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Counts of U's permutation distribution: freq[u] arrangements of m x's
 * and n y's give U = u.  Its generating function is the Gaussian binomial
 * coefficient [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
 * built factor by factor; every coefficient of degree <= mn depends only on
 * lower ones, so arrays of mn + 1 suffice.  The counts reach C(98, 49) =
 * 2.5e28 for 49 and 49 values, beyond 64 bits and exact doubles, so they
 * are kept in 128-bit integers: the tails a p-value needs stay exact.
 */
static __int128 *exact_freq(size_t m, size_t n)
{
	size_t len = m * n + 1, i, k;
	__int128 *c = xcalloc(len, sizeof(*c));

	c[0] = 1;
	for (i = 1; i <= m; i++) {
		size_t up = n + i;

		for (k = len; k-- > up;)
			c[k] -= c[k - up];
		for (k = i; k < len; k++)
			c[k] += c[k - i];
	}
	return c;
}

/* P(U <= u) from the counts; u < 0 gives 0. */
static double freq_cdf(const __int128 *c, size_t m, size_t n, double u)
{
	__int128 below = 0, total = 0;
	size_t k;

	for (k = 0; k <= m * n; k++) {
		total += c[k];
		if ((double)k <= u)
			below += c[k];
	}
	return (double)((long double)below / (long double)total);
}

double ranktest_exact_cdf(size_t m, size_t n, double u)
{
	__int128 *c;
	double p;

	if (m == 0 || n == 0 || m >= RANKTEST_EXACT_MAX ||
	    n >= RANKTEST_EXACT_MAX)
		return NAN;
	c = exact_freq(m, n);
	p = freq_cdf(c, m, n, u);
	free(c);
	return p;
}

double ranktest_min_p(size_t m, size_t n)
{
	double c =
		1; /* C(m + n, m), in floating point: only its size matters */
	size_t i;

	for (i = 1; i <= m && c < 1e300; i++)
		c = c * (double)(n + i) / (double)i;
	return 2 / c < 1 ? 2 / c : 1;
}

size_t ranktest_runs_needed(double alpha)
{
	size_t k = 1;

	while (ranktest_min_p(k, k) > alpha && k < RANKTEST_MAX_N)
		k++;
	return k;
}

/* The standard normal's upper tail P(Z > z). */
static double normal_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* The standard normal quantile of p in (0, 1), by bisection on erfc: slow
 * but simple, exact to double precision, called once per test. */
static double normal_quantile(double p)
{
	double lo = -40, hi = 40;
	int i;

	for (i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (1 - normal_sf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sum of t^3 - t over the groups of equal values in the pooled sample. */
static double tie_sum(const double *x, size_t m, const double *y, size_t n)
{
	double *all = xmalloc((m + n) * sizeof(*all)), sum = 0;
	size_t i = 0, j;

	memcpy(all, x, m * sizeof(*x));
	memcpy(all + m, y, n * sizeof(*y));
	qsort(all, m + n, sizeof(*all), cmp_double);
	while (i < m + n) {
		double t;

		for (j = i + 1; j < m + n && all[j] == all[i]; j++)
			;
		t = (double)(j - i);
		sum += t * t * t - t;
		i = j;
	}
	free(all);
	return sum;
}

/* Standard deviation of U under the null, with the tie correction. */
static double u_sigma(size_t m, size_t n, double ties)
{
	double mn = (double)m * (double)n, big = (double)(m + n);

	return sqrt(mn / 12 * ((big + 1) - ties / (big * (big - 1))));
}

/* Normal approximation, continuity-corrected as R's wilcox.test. */
static double normal_p(double u, double mn, double sigma)
{
	double d = u - mn / 2, z;

	if (!(sigma > 0))
		return 1; /* every value equal: nothing tells them apart */
	z = (fabs(d) - (d != 0 ? 0.5 : 0)) / sigma;
	return z > 0 ? fmin(1, 2 * normal_sf(z)) : 1;
}

/* The interval's order-statistic index k (1-based; 0 = none) and its
 * coverage, from the exact counts c or, when c is NULL, the normal law. */
static size_t interval_index(const __int128 *c, size_t m, size_t n,
			     double sigma, double level, double *ret_coverage)
{
	double tail = (1 - level) / 2, mn = (double)m * (double)n;
	size_t k = 0;

	if (c) {
		while ((double)k <= mn / 2 &&
		       freq_cdf(c, m, n, (double)k) <= tail)
			k++;
		*ret_coverage =
			1 - 2 * (k ? freq_cdf(c, m, n, (double)k - 1) : 0);
		return k;
	}
	if (sigma > 0) {
		double kk = floor(mn / 2 - normal_quantile(1 - tail) * sigma);

		k = kk >= 1 ? (size_t)kk : 0;
	}
	*ret_coverage =
		k ? 1 - 2 * normal_sf((mn / 2 - ((double)k - 0.5)) / sigma) : 1;
	return k;
}

static bool all_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* The mn differences y_j - x_i, sorted; U counted on the way. */
static double *differences(const double *x, size_t m, const double *y, size_t n,
			   double *ret_u)
{
	double *d = xmalloc(m * n * sizeof(*d)), u = 0;
	size_t i, j;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			u += y[j] > x[i] ? 1 : y[j] == x[i] ? 0.5 : 0;
			d[i * n + j] = y[j] - x[i];
		}
	qsort(d, m * n, sizeof(*d), cmp_double);
	*ret_u = u;
	return d;
}

int ranktest_run(const double *x, size_t m, const double *y, size_t n,
		 double level, struct ranktest *ret)
{
	size_t mn = m * n, k;
	double ties, sigma, u, *d;
	__int128 *c = NULL;

	if (m == 0 || n == 0 || m > RANKTEST_MAX_N || n > RANKTEST_MAX_N ||
	    !all_finite(x, m) || !all_finite(y, n) || !(level > 0) ||
	    !(level < 1))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->m = m;
	ret->n = n;
	d = differences(x, m, y, n, &u);
	ties = tie_sum(x, m, y, n);
	sigma = u_sigma(m, n, ties);
	ret->u = u;
	ret->ties = ties > 0;
	ret->exact =
		!ret->ties && m < RANKTEST_EXACT_MAX && n < RANKTEST_EXACT_MAX;
	ret->min_p = ranktest_min_p(m, n);
	if (ret->exact) {
		c = exact_freq(m, n);
		ret->p =
			fmin(1, 2 * freq_cdf(c, m, n, fmin(u, (double)mn - u)));
	} else {
		ret->p = normal_p(u, (double)mn, sigma);
	}
	ret->shift = mn % 2 ? d[mn / 2] : (d[mn / 2 - 1] + d[mn / 2]) / 2;
	k = interval_index(c, m, n, sigma, level, &ret->coverage);
	ret->shift_low = k ? d[k - 1] : NAN;
	ret->shift_high = k ? d[mn - k] : NAN;
	free(c);
	free(d);
	return 0;
}
