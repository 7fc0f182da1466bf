/*
 * repeat.h - when a cell has run often enough, for repetitions = auto
 * (docs/repetitions.md).
 *
 * After each measured run of a cell, from min_repetitions on, the cell
 * stops at the first of:
 *   target           the 95% confidence interval of the mean wall time
 *                    (Student's t, as in N.csv) has a half-width of at most
 *                    target_ci times the mean;
 *   max_repetitions  it has that many measured runs;
 *   max_time         the time spent on the cell so far (warm-up runs and
 *                    each run's start-up included) has reached max_time.
 * Before min_repetitions measured runs a cell never stops, whatever the
 * time spent: the minimum first, then the caps.
 * Fixed repetitions never stop early: the runner runs them all, and the
 * cell's stop reason stays REPEAT_FIXED (an empty stopped_by in N.csv).
 */
#ifndef CONCUR_REPEAT_H
#define CONCUR_REPEAT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "stats.h"

enum repeat_stop {
	REPEAT_FIXED,	/* fixed repetitions, or not stopped by the rule */
	REPEAT_RUNNING, /* auto: keep going */
	REPEAT_TARGET,
	REPEAT_MAX_REPETITIONS,
	REPEAT_MAX_TIME,
};

/* "" (fixed), "target", "max_repetitions", "max_time". */
const char *repeat_stop_name(enum repeat_stop s);

/*
 * The relative half-width of the 95% interval of the mean of w: (high -
 * low) / 2 / mean; NaN with fewer than 2 runs or a mean of 0.
 */
double repeat_precision(const struct sample_stats *w);

/*
 * Should a cell stop, with these n measured wall times and spent_ns spent
 * on it?  REPEAT_FIXED when cfg has fixed repetitions.
 */
enum repeat_stop repeat_check(const struct config *cfg, const double *wall,
			      size_t n, int64_t spent_ns);

#endif
