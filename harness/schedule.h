/*
 * schedule.h - the open-loop schedule: when each task of a run is meant to
 * start, computed before the run from a workload cell's core-reserved keys
 * `rate`, `arrival` and `seed` (docs/open-loop.md).
 *
 *   uniform  task i starts at i / rate seconds: evenly spaced, the load of
 *            wrk2 or of a constant-arrival-rate executor;
 *   poisson  task 0 starts at 0, then the gaps are independent exponential
 *            draws of mean 1 / rate: a Poisson process, the M in M/D/1.
 *
 * The schedule is a pure function of (rate, arrival, seed, n): the same
 * inputs give the same offsets on every machine and in every process, so
 * the run's child computes it for the strategy and the parent recomputes
 * it to measure each task's latency from its intended start.
 */
#ifndef CONCUR_SCHEDULE_H
#define CONCUR_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum schedule_arrival {
	SCHEDULE_UNIFORM = 0,
	SCHEDULE_POISSON = 1,
};

/* A workload cell's load; rate 0 = closed loop (no schedule). */
struct schedule_spec {
	int64_t rate;	 /* tasks per second */
	int32_t arrival; /* enum schedule_arrival */
	uint64_t seed;	 /* poisson only */
};

/* The workload keys the core reserves for the schedule, in this order. */
#define SCHEDULE_N_KEYS 3
extern const char *const schedule_keys[SCHEDULE_N_KEYS];

/*
 * Whether `name` is one of schedule_keys: a workload plugin built against
 * the current header may not declare it.
 */
bool schedule_key_reserved(const char *name);

/* "uniform" / "poisson" -> *ret; 0, or -EINVAL for anything else. */
int schedule_arrival_parse(const char *text, enum schedule_arrival *ret);
const char *schedule_arrival_name(enum schedule_arrival a);

/*
 * Fill offsets[0..n) with each task's intended start in nanoseconds after
 * the first (offsets[0] == 0, nondecreasing).  spec->rate must be > 0.
 */
void schedule_fill(const struct schedule_spec *spec, int64_t *offsets,
		   size_t n);

/*
 * The rate the schedule actually offers: (n - 1) tasks over the span from
 * the first intended start to the last, in tasks per second; for uniform
 * this is spec->rate, for poisson the realised rate of this draw.  With
 * fewer than two tasks (no span) it is spec->rate.
 */
double schedule_offered_rate(const struct schedule_spec *spec,
			     const int64_t *offsets, size_t n);

#endif
