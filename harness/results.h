/*
 * results.h - the four CSV files of SPEC §6, written as the experiment runs.
 *
 *   N.csv         one row per cell, appended + fsync'ed as each cell ends
 *   N-runs.csv    one row per measured run, appended with its cell
 *   N-matrix.csv  strategy cells x workload cells, median wall seconds;
 *                 rewritten atomically (tmp + rename) after each cell
 *   N-env.csv     key,value context, written once at the start
 *
 * A crash or kill -9 loses at most the cell in progress: every row on disk
 * is whole, and the files parse.
 */
#ifndef CONCUR_RESULTS_H
#define CONCUR_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "matrix.h"
#include "runner.h"
#include "shard.h"

enum results_mode {
	RESULTS_NEW,	/* refuse when the summary file exists */
	RESULTS_FORCE,	/* overwrite */
	RESULTS_RESUME, /* keep the rows there; skip their cells */
};

struct results;

/*
 * Open the files for `cfg`'s output path (creating its folder).  For
 * RESULTS_RESUME, cells whose rows exist are marked done in r->results and
 * their rows are kept; the experiment file must be unchanged (SHA-256 in
 * N-env.csv).  `argv` is recorded in N-env.csv.  With a shard (NULL or
 * n == 0: the whole experiment), N-env.csv also says which one, and
 * N-matrix.csv has only the shard's workload cells (r->results[i].skip
 * marks the others).  Errors: -EEXIST, -EINVAL...
 */
int results_open(const struct config *cfg, const struct matrix *m,
		 struct runner *r, const struct shard *shard,
		 enum results_mode mode, int argc, char **argv,
		 struct results **ret, char *err, size_t errlen);

/* Append cell cr's rows (and refresh the matrix file).  0 or -errno. */
int results_cell_done(struct results *res, const struct cell_result *cr);

/* Cells resumed from the existing file. */
size_t results_resumed(const struct results *res);

/* Path of the summary file. */
const char *results_path(const struct results *res);

void results_close(struct results *res);

/* The speedup of cell cr, NaN when its baseline has no median. */
double results_speedup(const struct runner *r, const struct cell_result *cr);

/* SHA-256 of a file as 64 hex digits; 0 or -errno. */
int results_sha256_file(const char *path, char hex[65]);

#endif
