/*
 * progress.h - what `concur run` shows on stderr while it works.
 *
 * Three modes, picked by progress_mode_for:
 *  - PROGRESS_LIVE (stderr is a terminal, TERM is not "dumb"): one status
 *    line redrawn in place before every run - the cell i of N with its id,
 *    run r of R (warm-up or measured), the time elapsed and an ETA from the
 *    runs done so far - and above it one permanent line per finished cell
 *    (report_cell_done's), its status in colour unless NO_COLOR is set;
 *  - PROGRESS_LINES (not a terminal: a log file, CI, a pipe): only the
 *    plain line per finished cell, no escape sequences at all;
 *  - PROGRESS_QUIET (--quiet): nothing.
 */
#ifndef CONCUR_PROGRESS_H
#define CONCUR_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "matrix.h"
#include "runner.h"

enum progress_mode {
	PROGRESS_QUIET,
	PROGRESS_LINES,
	PROGRESS_LIVE,
};

/* The mode for stream out: LIVE on a capable terminal, else LINES. */
enum progress_mode progress_mode_for(FILE *out, bool quiet);

/*
 * Colour on out: only on a terminal, and only when NO_COLOR is unset or
 * empty (https://no-color.org).
 */
bool progress_use_colour(FILE *out);

struct progress;

/*
 * A progress display for a matrix of which `done_before` cells are already
 * finished (--resume) and each of the others takes `runs_per_cell` runs
 * (warm-up + measured).  Freed with progress_destroy.
 */
struct progress *progress_create(FILE *out, enum progress_mode mode,
				 const struct matrix *m, size_t done_before,
				 unsigned runs_per_cell);

/* Before each run (runner_hooks.run_start): redraw the status line. */
void progress_run_start(struct progress *p, const struct cell *c, unsigned run,
			unsigned runs, bool warmup);

/*
 * After each cell (runner_hooks.cell_done): the permanent line of the
 * finished cell; `done` cells of `total` are now finished.
 */
void progress_cell_done(struct progress *p, const struct runner *r,
			const struct cell_result *cr, size_t done,
			size_t total);

/* Erase the status line (before the results table); safe to repeat. */
void progress_clear(struct progress *p);

void progress_destroy(struct progress *p);

#endif
