/*
 * plot_series.h - the lines of the speedup chart, found in O(n log n).
 *
 * A strategy parameter column k (workers, max_inflight, ...) makes lines
 * for a strategy when it is numeric and takes at least two values among
 * that strategy's rows.  A line is one (strategy, column k, workload cell,
 * values of the strategy's other varying columns); its points are the rows
 * that finished ok with a positive speedup, at x = the row's value of k.
 *
 * Built by sorting row indices (one 32-bit index per point) per column,
 * never by comparing each row with every other: a 100,000-row file takes a
 * fraction of a second.
 */
#ifndef CONCUR_PLOT_SERIES_H
#define CONCUR_PLOT_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "plot_data.h"

struct plot_line {
	uint32_t col;	 /* the x column, an index into d->scols */
	uint32_t first;	 /* its first row in the file: names the line */
	size_t start, n; /* its points: lines->points[start .. start + n) */
};

struct plot_lines {
	uint32_t *points;	/* row indices, sorted by x within each line */
	struct plot_line *line; /* in file order of their first rows */
	size_t n_lines;
	uint32_t *cols; /* the x columns with at least one line */
	size_t n_cols, cap_cols;
	/* Bit (strategy * n_scols + col): column col varies for strategy. */
	uint8_t *varies;
};

/* Every line of d; free with plot_lines_free. */
void plot_lines_build(const struct plot_data *d, struct plot_lines *ret);

/* x of point i (a row index) of a line on column col. */
double plot_line_x(const struct plot_data *d, uint32_t col, uint32_t row);

/*
 * The legend label of a line: "pthreads workers (max_inflight=4) /
 * sums[count=10]" (malloc'd).
 */
char *plot_line_label(const struct plot_data *d, const struct plot_lines *l,
		      const struct plot_line *line);

void plot_lines_free(struct plot_lines *l);

#endif
