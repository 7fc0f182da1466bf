/*
 * plot_load.h - the latency-throughput chart of an open-loop experiment
 * (docs/open-loop.md), drawn by `concur plot` below its other charts.
 *
 * When a results file has open-loop cells (an offered_rate) and some
 * strategy cell was run at two or more rates, the chart shows offered rate
 * on a logarithmic x axis against latency on a logarithmic y axis: one
 * colour per strategy cell (and workload, when there are several), a solid
 * line for p50 and a dashed one for p99.  A point whose cell achieved less
 * than 95% of the rate offered is drawn hollow: past that knee the queue
 * grows for the whole run and latency climbs by orders of magnitude.
 * Every point carries a <title> tooltip with its figures.
 */
#ifndef CONCUR_PLOT_LOAD_H
#define CONCUR_PLOT_LOAD_H

#include <stdio.h>

/* Files larger than this are not read for the chart (as plot.c). */
#define PLOT_LOAD_MAX_FILE (256u << 20)

struct plot_load;

/*
 * Read the chart's data from the results file csv_path: NULL when the file
 * has no open-loop cell run at two or more rates (or cannot be read: plot.c
 * reports that itself).  Free with plot_load_free.
 */
struct plot_load *plot_load_read(const char *csv_path);
void plot_load_free(struct plot_load *pl); /* NULL is a no-op */

/* The height the chart takes in a picture `width` wide (the SVG is
 * streamed, so its size is known before the first byte). */
double plot_load_height(const struct plot_load *pl, double width);

/*
 * The colour ("#RRGGBB") of a strategy cell ("pthreads[workers=5]"), so the
 * chart matches the others of the picture; NULL for the chart's own.
 */
typedef const char *(*plot_load_colour_fn)(void *arg, const char *scell);

/* Draw it as SVG elements whose top is at y0; colour may be NULL. */
void plot_load_draw(FILE *out, const struct plot_load *pl, double y0,
		    double width, plot_load_colour_fn colour, void *arg);

#endif
