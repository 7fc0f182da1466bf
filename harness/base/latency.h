/*
 * latency.h - per-task latency over every task of every measured run of a
 * cell: quantiles (p50, p90, p99) and the maximum.
 *
 * Samples are kept exactly up to LATENCY_EXACT_MAX; the sample that goes
 * past it moves everything into a log-linear histogram (fio's scheme:
 * power-of-two groups, each split into LATENCY_SUB_BUCKETS linear buckets),
 * so memory stays bounded (about 60 KiB) however many tasks a cell runs,
 * and a reported quantile is within 0.4% of the exact one.
 *
 * Quantile definition (nearest rank): for count N and q in [0,1], the
 * q-quantile is the sample of rank max(1, ceil(q * N)) in ascending order,
 * i.e. the smallest sample that at least q * N samples are <= to.  So p50
 * of 1..100 is 50, p90 is 90, p99 is 99, q = 0 gives the minimum and q = 1
 * the maximum.  (q * N is taken with a 1e-12 relative tolerance so that
 * 0.07 * 100 is rank 7, not 8.)
 *
 * Not thread-safe: one owner adds and queries.
 */
#ifndef CONCUR_LATENCY_H
#define CONCUR_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_EXACT_MAX 1000000 /* up to this many samples kept exactly */
#define LATENCY_SUB_BITS 7	  /* 128 linear buckets per power of two */
#define LATENCY_SUB_BUCKETS (1u << LATENCY_SUB_BITS)

struct latency;

/* An empty collector; never NULL (allocation failure exits, util.h). */
struct latency *latency_create(void);
void latency_destroy(struct latency *l); /* NULL is a no-op */

/*
 * Record one task's latency in nanoseconds; negative values (a clock
 * step) count as 0.  O(1) amortised; the one switch to the histogram costs
 * O(LATENCY_EXACT_MAX) once.
 */
void latency_add(struct latency *l, int64_t ns);

uint64_t latency_count(const struct latency *l);

/*
 * The nearest-rank q-quantile in ns (see above): exact while count <=
 * LATENCY_EXACT_MAX, else the midpoint of the histogram bucket holding that
 * rank, clamped to [min, max] (relative error <= 1/256).  NaN when empty or
 * q is outside [0,1].  O(count) while exact (selection on a copy).
 */
double latency_quantile_ns(const struct latency *l, double q);

/*
 * Several quantiles at once, cheaper than one call each while exact (one
 * sorted copy).  ret[i] is latency_quantile_ns(l, q[i]).
 */
void latency_quantiles_ns(const struct latency *l, const double *q, size_t n,
			  double *ret);

int64_t latency_max_ns(const struct latency *l); /* exact always; 0 if empty */
int64_t latency_min_ns(const struct latency *l); /* exact always; 0 if empty */
double latency_mean_ns(const struct latency *l); /* exact sum; NaN if empty */

/* Whether samples are still kept exactly (count <= LATENCY_EXACT_MAX). */
int latency_is_exact(const struct latency *l);

/* Heap bytes held, for tests and diagnostics. */
size_t latency_memory_bytes(const struct latency *l);

#endif
