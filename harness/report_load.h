/*
 * report_load.h - the open-loop part of the results table (docs/open-loop.md):
 * under a workload block whose cells have a rate, one
 * line per strategy cell with the rate offered and the rate achieved, the
 * latency (from the intended start) at p50 and p99, the service time at
 * p50 and the start lag at p99; and a warning for every cell that could
 * not keep up, achieving less than REPORT_KEEP_UP of the offered rate.
 */
#ifndef CONCUR_REPORT_LOAD_H
#define CONCUR_REPORT_LOAD_H

#include <stddef.h>
#include <stdio.h>

#include "runner.h"

/* Below this fraction of the offered rate a cell "could not keep up". */
#define REPORT_KEEP_UP 0.95

struct report_load_row {
	const char *label; /* strategy label and crossed parameters */
	const struct cell_result *cr;
};

/* Whether a finished cell fell behind its schedule (NaN rates: no). */
int report_load_behind(const struct cell_result *cr);

/*
 * Print the open-loop lines of one workload block (nothing when its cells
 * are closed-loop), labels padded to `width`.  Returns the warnings.
 */
int report_load_block(FILE *out, const struct report_load_row *rows, size_t n,
		      int width);

#endif
