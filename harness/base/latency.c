#include "latency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Histogram layout: group 0 holds 0..LATENCY_SUB_BUCKETS-1 one value per
 * bucket; group g >= 1 holds [2^(g+SUB_BITS-1), 2^(g+SUB_BITS)) in
 * LATENCY_SUB_BUCKETS buckets of width 2^(g-1).  A bucket is thus at most
 * 1/128 of its lower bound wide, and its midpoint within 1/256 of any value
 * in it.  int64 values have their top bit at most at 62.
 */
#define LATENCY_GROUPS (62 - LATENCY_SUB_BITS + 2)
#define LATENCY_BUCKETS (LATENCY_GROUPS * LATENCY_SUB_BUCKETS)

struct latency {
	uint64_t count;
	int64_t min, max;
	__int128 sum;
	/* Exact phase: every sample, unordered. */
	int64_t *samples;
	size_t cap;
	/* Histogram phase (samples == NULL, hist != NULL). */
	uint64_t *hist;
};

struct latency *latency_create(void)
{
	return xcalloc(1, sizeof(struct latency));
}

void latency_destroy(struct latency *l)
{
	if (!l)
		return;
	free(l->samples);
	free(l->hist);
	free(l);
}

static size_t bucket_of(uint64_t v)
{
	unsigned msb, shift;

	if (v < LATENCY_SUB_BUCKETS)
		return (size_t)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	shift = msb - LATENCY_SUB_BITS;
	return (size_t)(shift + 1) * LATENCY_SUB_BUCKETS +
	       (size_t)((v >> shift) - LATENCY_SUB_BUCKETS);
}

/* Midpoint of bucket b's value range [lo, lo + width - 1]. */
static double bucket_mid(size_t b)
{
	size_t group = b / LATENCY_SUB_BUCKETS, sub = b % LATENCY_SUB_BUCKETS;
	uint64_t width, lo;

	if (group == 0)
		return (double)sub;
	width = (uint64_t)1 << (group - 1);
	lo = (uint64_t)(LATENCY_SUB_BUCKETS + sub) << (group - 1);
	return (double)lo + (double)(width - 1) / 2;
}

/* Past LATENCY_EXACT_MAX: fold the exact samples into the histogram. */
static void latency_to_histogram(struct latency *l)
{
	size_t i;

	l->hist = xcalloc(LATENCY_BUCKETS, sizeof(*l->hist));
	for (i = 0; i < l->count; i++)
		l->hist[bucket_of((uint64_t)l->samples[i])]++;
	free(l->samples);
	l->samples = NULL;
	l->cap = 0;
}

void latency_add(struct latency *l, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	if (l->count == 0 || ns < l->min)
		l->min = ns;
	if (l->count == 0 || ns > l->max)
		l->max = ns;
	l->sum += ns;
	if (!l->hist && l->count == LATENCY_EXACT_MAX)
		latency_to_histogram(l);
	if (l->hist) {
		l->hist[bucket_of((uint64_t)ns)]++;
	} else {
		xgrow((void **)&l->samples, &l->cap, l->count + 1,
		      sizeof(*l->samples));
		l->samples[l->count] = ns;
	}
	l->count++;
}

uint64_t latency_count(const struct latency *l)
{
	return l->count;
}

int64_t latency_max_ns(const struct latency *l)
{
	return l->count ? l->max : 0;
}

int64_t latency_min_ns(const struct latency *l)
{
	return l->count ? l->min : 0;
}

double latency_mean_ns(const struct latency *l)
{
	return l->count ? (double)l->sum / (double)l->count : NAN;
}

int latency_is_exact(const struct latency *l)
{
	return l->hist == NULL;
}

size_t latency_memory_bytes(const struct latency *l)
{
	return sizeof(*l) + l->cap * sizeof(*l->samples) +
	       (l->hist ? LATENCY_BUCKETS * sizeof(*l->hist) : 0);
}

/* Nearest rank, 1-based, of quantile q among n samples (see latency.h). */
static uint64_t rank_of(double q, uint64_t n)
{
	double r = q * (double)n;

	r = ceil(r - r * 1e-12);
	if (r < 1)
		return 1;
	if (r > (double)n)
		return n;
	return (uint64_t)r;
}

static int64_t median3(int64_t a, int64_t b, int64_t c)
{
	if (a > b) {
		int64_t t = a;

		a = b;
		b = t;
	}
	if (b > c)
		b = c;
	return a > b ? a : b;
}

static void swap_i64(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/* A cheap deterministic generator for pivot positions. */
static size_t pivot_pos(uint64_t *seed, size_t lo, size_t hi)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	return lo + (size_t)(*seed % (hi - lo));
}

/*
 * The k-th smallest (0-based) of a[0..n), reordering a so that a[k] holds
 * it, everything before is <= and everything after >=.  Quickselect with
 * the median of three random positions as pivot (earlier selections leave
 * the array partitioned, which defeats fixed positions) and a three-way
 * partition, so runs of equal latencies (coarse clocks) cost nothing extra.
 */
static int64_t select_kth(int64_t *a, size_t n, size_t k)
{
	uint64_t seed = 0x2545f4914f6cdd1dull;
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		int64_t p = median3(a[pivot_pos(&seed, lo, hi)],
				    a[pivot_pos(&seed, lo, hi)],
				    a[pivot_pos(&seed, lo, hi)]);
		size_t lt = lo, i = lo, gt = hi;

		while (i < gt) {
			if (a[i] < p)
				swap_i64(&a[lt++], &a[i++]);
			else if (a[i] > p)
				swap_i64(&a[i], &a[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return a[lo];
}

static double histogram_quantile(const struct latency *l, uint64_t rank)
{
	uint64_t seen = 0;
	size_t b;
	double mid;

	for (b = 0; b < LATENCY_BUCKETS; b++) {
		seen += l->hist[b];
		if (seen >= rank)
			break;
	}
	mid = bucket_mid(b < LATENCY_BUCKETS ? b : LATENCY_BUCKETS - 1);
	if (mid < (double)l->min)
		return (double)l->min;
	if (mid > (double)l->max)
		return (double)l->max;
	return mid;
}

static int q_valid(double q)
{
	return q >= 0 && q <= 1; /* false for NaN */
}

void latency_quantiles_ns(const struct latency *l, const double *q, size_t n,
			  double *ret)
{
	int64_t *copy = NULL;
	size_t i;

	if (l->count && !l->hist) {
		copy = xmalloc(l->count * sizeof(*copy));
		memcpy(copy, l->samples, l->count * sizeof(*copy));
	}
	for (i = 0; i < n; i++) {
		uint64_t rank;

		if (!l->count || !q_valid(q[i])) {
			ret[i] = NAN;
			continue;
		}
		rank = rank_of(q[i], l->count);
		if (copy)
			ret[i] = (double)select_kth(copy, l->count, rank - 1);
		else
			ret[i] = histogram_quantile(l, rank);
	}
	free(copy);
}

double latency_quantile_ns(const struct latency *l, double q)
{
	double v;

	latency_quantiles_ns(l, &q, 1, &v);
	return v;
}
