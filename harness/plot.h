/*
 * plot.h - charts of a summary results file (`concur plot`), written
 * as one self-contained SVG file: no plotting tool to install, the same
 * picture on every machine, and it opens in any browser or office suite.
 *
 * The SVG holds, top to bottom:
 *  - a grouped bar chart: one group per workload cell, one bar per strategy
 *    cell (same colour across groups, named in the legend), the bar's height
 *    the median wall time, the whiskers the 95% confidence interval; the
 *    time axis turns logarithmic when the values span more than two decades;
 *    a cell that did not finish ok gets a red cross instead of a bar;
 *  - when a numeric strategy parameter (workers, max_inflight, ...) takes two
 *    or more values within one strategy section, a line chart of speedup
 *    against that parameter, one line per strategy section, parameter and
 *    workload cell.
 * Every bar and point carries a <title> with its exact figures (a tooltip).
 */
#ifndef CONCUR_PLOT_H
#define CONCUR_PLOT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Read the summary CSV at csv_path (the N.csv of docs/results.md: columns are
 * found by name, so older or newer files with extra columns work) and write the
 * chart to svg_path, through a temporary file renamed into place so a
 * failure never leaves half a chart.  Returns 0, or a negative errno code
 * with a message: -ENOENT/-EACCES etc. for the files, -EINVAL for a file
 * that is not a concur summary, -ENODATA when no cell has a median to plot.
 */
int plot_file(const char *csv_path, const char *svg_path, char *err,
	      size_t errlen);

struct plot_data;

/*
 * The bar and speedup charts of d (plot_data.h), without the open-loop
 * chart, as a whole SVG document on out: for the reader's fuzz target.
 */
void plot_svg_write(FILE *out, const struct plot_data *d);

/* The chart's default path: "dir/N.csv" -> "dir/N.svg" (malloc'd). */
char *plot_default_path(const char *csv_path);

#endif
