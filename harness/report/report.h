/*
 * report.h - what concur prints for people: a line per finished cell while
 * the experiment runs (stderr), and the results table at the end (stdout),
 * laid out like the article's table, with warnings where the numbers
 * deserve doubt.
 *
 * The table has one block per workload cell: each strategy cell with its
 * crossed parameters, median wall time ± sample standard deviation, speedup
 * against the baseline with its 95% interval, CPU use (CPU seconds per wall
 * second) and status.  Under each block come its doubts, each said once
 * per block so the one that matters is not buried:
 *   - cells that failed, crashed or timed out, with the first reason;
 *   - the cells whose run times vary by more than 10% (coefficient of
 *     variation), in one line;
 *   - outliers, named by run number, only where they matter: a run is one
 *     when its modified z-score (Iglewicz-Hoaglin, over the MAD) is above
 *     3.5 AND it lies more than 1% of the median from the median, and only
 *     cells with 5 or more runs are examined (with fewer the MAD says
 *     little: three runs 4 ms apart at 3.3 s are not an outlier story);
 *   - runs shorter than 1 ms (timer and start-up noise dominate);
 *   - cells that cannot be ranked: groups of cells linked by overlapping
 *     95% confidence intervals of the mean, all groups in one line;
 *   - with repetitions = auto, the cells that stopped at a cap before
 *     their interval reached target_ci.
 * After the blocks: a high load average when the runs started.
 * Warnings never change a figure: every run stays in every number.
 */
#ifndef CONCUR_REPORT_H
#define CONCUR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cell.h"

struct runner;

/* Warning thresholds. */
#define REPORT_WARN_CV 0.10	      /* coefficient of variation */
#define REPORT_WARN_SHORT_RUN_S 0.001 /* shortest measured run */
#define REPORT_OUTLIER_FLOOR                                                   \
	0.01 /* stats_is_outlier, and this far from the median */
#define REPORT_OUTLIER_MIN_RUNS 5 /* fewer runs: no outlier analysis */

/* What the machine was like when the runs started. */
struct report_context {
	bool load_known;
	double load1;	/* 1-minute load average */
	unsigned ncpus; /* online CPUs */
};

/*
 * Fill ctx from /proc/loadavg and the CPU count.  Call it just before
 * runner_run, so the load is the one the first runs met (concur's own runs
 * are not in it yet).  load_known is false when /proc/loadavg is unreadable.
 */
void report_context_capture(struct report_context *ret);

/* "[3/12] pthreads[workers=5]/sums  ok  median 1.234 s" */
void report_cell_done(FILE *out, const struct runner *r,
		      const struct cell_result *cr, size_t done, size_t total);

/*
 * The table of every finished cell, one block per workload cell, each
 * followed by its warnings; then the machine-wide warnings from ctx (NULL:
 * none).  Returns the number of warnings printed.
 */
int report_table_ctx(FILE *out, const struct runner *r,
		     const struct report_context *ctx);

#endif
