#include "ranktest.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
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

/* A sorted copy of v[0..n). */
static double *sorted_copy(const double *v, size_t n)
{
	double *s = xmalloc((n ? n : 1) * sizeof(*s));

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/* U of ys over xs (both sorted): pairs with y > x, a tie one half. */
static double u_of(const double *xs, size_t m, const double *ys, size_t n)
{
	size_t below = 0, equal = 0, lt = 0, le = 0, j;

	for (j = 0; j < n; j++) {
		while (lt < m && xs[lt] < ys[j])
			lt++;
		if (le < lt)
			le = lt;
		while (le < m && xs[le] <= ys[j])
			le++;
		below += lt;
		equal += le - lt;
	}
	return (double)below + 0.5 * (double)equal;
}

/*
 * The differences y_j - x_i as a matrix with xs and ys sorted: row i rises
 * with j and falls with i (floating-point subtraction is monotonic, so this
 * holds for the computed differences too).  Selecting from it never forms
 * the mn values: the randomized selection of Monahan (ACM Algorithm 616,
 * 1984), each row keeping the range [lo, hi) of its entries that may still
 * be the one sought.  A pivot drawn from those ranges is counted against
 * every row in O(m + n) (the count of entries below a value never falls
 * from one row to the next), and the ranges shrink past it; about
 * log(mn) rounds are expected, so a selection takes O((m + n) log(mn))
 * time and O(m) memory.  The value found is the one sorting all mn
 * computed differences would put at that place, to the bit.
 */
struct diffs {
	const double *xs, *ys;
	size_t m, n;
	size_t *lo, *hi, *lt, *le; /* per row */
	uint64_t rng;
};

/* splitmix64: the pivot's place only changes the time, never the value. */
static uint64_t diffs_random(struct diffs *d)
{
	uint64_t z = (d->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Entries of each row below v (into lt) and at most v (into le); the
 * totals in *ret_lt and *ret_le. */
static void diffs_count(struct diffs *d, double v, size_t *ret_lt,
			size_t *ret_le)
{
	size_t i, a = 0, b = 0, tl = 0, te = 0;

	for (i = 0; i < d->m; i++) {
		while (a < d->n && d->ys[a] - d->xs[i] < v)
			a++;
		if (b < a)
			b = a;
		while (b < d->n && d->ys[b] - d->xs[i] <= v)
			b++;
		d->lt[i] = a;
		d->le[i] = b;
		tl += a;
		te += b;
	}
	*ret_lt = tl;
	*ret_le = te;
}

/* A pivot drawn uniformly from the entries still in play. */
static double diffs_pivot(struct diffs *d, size_t active)
{
	size_t r = (size_t)(diffs_random(d) % active), i;

	for (i = 0; r >= d->hi[i] - d->lo[i]; i++)
		r -= d->hi[i] - d->lo[i];
	return d->ys[d->lo[i] + r] - d->xs[i];
}

/* The k-th smallest (from 0) of the mn differences. */
static double diffs_select(struct diffs *d, size_t k)
{
	size_t i, active = d->m * d->n, below, upto;
	double v;

	for (i = 0; i < d->m; i++) {
		d->lo[i] = 0;
		d->hi[i] = d->n;
	}
	for (;;) {
		v = diffs_pivot(d, active);
		diffs_count(d, v, &below, &upto);
		if (k >= below && k < upto)
			return v;
		active = 0;
		for (i = 0; i < d->m; i++) {
			if (k < below && d->lt[i] < d->hi[i])
				d->hi[i] = d->lt[i];
			else if (k >= upto && d->le[i] > d->lo[i])
				d->lo[i] = d->le[i];
			active += d->hi[i] - d->lo[i];
		}
	}
}

static void diffs_init(struct diffs *d, const double *xs, size_t m,
		       const double *ys, size_t n)
{
	d->xs = xs;
	d->ys = ys;
	d->m = m;
	d->n = n;
	d->lo = xcalloc(m, sizeof(size_t));
	d->hi = xcalloc(m, sizeof(size_t));
	d->lt = xcalloc(m, sizeof(size_t));
	d->le = xcalloc(m, sizeof(size_t));
	d->rng = (uint64_t)m * 0x100000001b3ull ^ (uint64_t)n;
}

static void diffs_free(struct diffs *d)
{
	free(d->lo);
	free(d->hi);
	free(d->lt);
	free(d->le);
}

int ranktest_run(const double *x, size_t m, const double *y, size_t n,
		 double level, struct ranktest *ret)
{
	size_t mn = m * n, k;
	double ties, sigma, *xs, *ys;
	__int128 *c = NULL;
	struct diffs d;

	if (m == 0 || n == 0 || m > RANKTEST_MAX_N || n > RANKTEST_MAX_N ||
	    !all_finite(x, m) || !all_finite(y, n) || !(level > 0) ||
	    !(level < 1))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->m = m;
	ret->n = n;
	xs = sorted_copy(x, m);
	ys = sorted_copy(y, n);
	ties = tie_sum(x, m, y, n);
	sigma = u_sigma(m, n, ties);
	ret->u = u_of(xs, m, ys, n);
	ret->ties = ties > 0;
	ret->exact =
		!ret->ties && m < RANKTEST_EXACT_MAX && n < RANKTEST_EXACT_MAX;
	ret->min_p = ranktest_min_p(m, n);
	if (ret->exact) {
		c = exact_freq(m, n);
		ret->p = fmin(1,
			      2 * freq_cdf(c, m, n,
					   fmin(ret->u, (double)mn - ret->u)));
	} else {
		ret->p = normal_p(ret->u, (double)mn, sigma);
	}
	diffs_init(&d, xs, m, ys, n);
	ret->shift = mn % 2 ? diffs_select(&d, mn / 2)
			    : (diffs_select(&d, mn / 2 - 1) +
			       diffs_select(&d, mn / 2)) /
				      2;
	k = interval_index(c, m, n, sigma, level, &ret->coverage);
	ret->interval_rank = k;
	ret->shift_low = k ? diffs_select(&d, k - 1) : NAN;
	ret->shift_high = k ? diffs_select(&d, mn - k) : NAN;
	diffs_free(&d);
	free(c);
	free(xs);
	free(ys);
	return 0;
}
