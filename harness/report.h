/*
 * report.h - what concur prints for people: a line per finished cell while
 * the experiment runs (stderr), and the results table at the end (stdout),
 * laid out like the article's table, with warnings where the numbers
 * deserve doubt.
 *
 * The table has one block per workload cell: each strategy cell with its
 * crossed parameters, median wall time ± sample standard deviation, speedup
 * against the baseline with its 95% interval, CPU use (CPU seconds per wall
 * second) and status.  Under each block come its doubts:
 *   - run times that vary by more than 10% (coefficient of variation);
 *   - runs shorter than 1 ms (timer and start-up noise dominate);
 *   - outliers (modified z-score over the MAD > 3.5), named by run number;
 *   - neighbours in speed whose 95% confidence intervals overlap: "these two
 *     are not distinguishable";
 *   - cells that failed, crashed or timed out, with the first reason.
 * After the blocks: a high load average when the runs started.
 */
#ifndef CONCUR_REPORT_H
#define CONCUR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "runner.h"

/* Warning thresholds. */
#define REPORT_WARN_CV 0.10	      /* coefficient of variation */
#define REPORT_WARN_SHORT_RUN_S 0.001 /* shortest measured run */
#define REPORT_OUTLIER_Z 3.5	      /* modified z-score (stats.h) */
/* Load average (1 min) per CPU above which the machine counts as busy. */
#define REPORT_WARN_LOAD_PER_CPU 0.5

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
