/*
 * results.h - the four CSV files of docs/results.md, written as the
 * experiment runs.
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

#include "cell.h"

struct config;
struct matrix;
struct runner;
struct shard;

/* The four files, as a watcher of the writes names them. */
enum results_file {
	RESULTS_SUMMARY,
	RESULTS_RUNS,
	RESULTS_MATRIX,
	RESULTS_ENV
};

/*
 * A watcher of the results as they are written (the live workbook is one),
 * so what is built from the files needs no hook in the writer: opened once
 * the files are there (a resumed run's rows on disk) and the state it
 * returns handed to every later call; told the bytes appended to a file or
 * (replace) a file's whole new text; updated after each cell (now: do not
 * defer) and closed with the results.  open may return NULL: then nothing.
 */
struct results_watch {
	void *(*open)(const char *summary_path, const char *runs_path,
		      const char *env_path);
	void (*keep)(void *state, enum results_file which, const char *buf,
		     size_t len, bool replace);
	void (*update)(void *state, bool now);
	void (*close)(void *state);
};

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
 * marks the others).  watch (NULL: none) sees every write.  Errors:
 * -EEXIST, -EINVAL...
 */
int results_open(const struct config *cfg, const struct matrix *m,
		 struct runner *r, const struct shard *shard,
		 enum results_mode mode, const struct results_watch *watch,
		 int argc, char **argv, struct results **ret, char *err,
		 size_t errlen);

/* Append cell cr's rows (and refresh the matrix file).  0 or -errno. */
int results_cell_done(struct results *res, const struct cell_result *cr);

/*
 * The descriptors the results hold open (for run children to close):
 * stored in fds[0..cap), the count returned.
 */
size_t results_fds(const struct results *res, int *fds, size_t cap);

/* Cells resumed from the existing file. */
size_t results_resumed(const struct results *res);

/* Path of the summary file. */
const char *results_path(const struct results *res);

void results_close(struct results *res);

/* The speedup of cell cr, NaN when its baseline has no median. */
double results_speedup(const struct runner *r, const struct cell_result *cr);

/* SHA-256 of a file as 64 hex digits; 0 or -errno. */
int results_sha256_file(const char *path, char hex[65]);

/*
 * A results file read back whole (N.csv, N-runs.csv, or a file of the same
 * shape): the header, then every row, each a field array as the writer put
 * it down with the formula guard taken off again.  Rows are checked as the
 * reader of --resume checks them: every row is whole and has the header's
 * field count; an incomplete last row (the torn tail an interrupted run can
 * leave) is dropped and counted in dropped_tail; anything else is an error
 * naming FILE:LINE.  Columns are found by name, so files with more columns
 * (newer versions) read the same.
 */
struct results_row {
	char **f;      /* n_columns fields */
	unsigned line; /* 1-based line where the row starts */
};

/* Largest results file read back (by --resume and compare): a 100,000-cell
 * run with 100 runs per cell fits. */
#define RESULTS_MAX_FILE ((size_t)1 << 30)

struct results_table {
	char *path;
	char *text; /* the file un-quoted in place, the fields in it; NULL when
		    * only some columns were read (each row a block of its own) */
	char **header;
	size_t n_columns;
	struct results_row *rows;
	size_t n_rows;
	bool dropped_tail;
	size_t size; /* bytes of the file's text */
};

/*
 * Read path into *ret (free with results_table_free).  Returns 0, or a
 * negative errno code with a message: -ENOENT etc. for the file, -EFBIG
 * for one too big to be a results file, -EINVAL for an empty file or a
 * damaged row.
 */
int results_table_read(const char *path, struct results_table **ret, char *err,
		       size_t errlen);

/*
 * The same, holding only the columns called names[0..n_names) that the
 * file has, in that order (the header is those names): every row is still
 * checked whole, but a reader of two columns of a million rows does not
 * hold the other fields.  names == NULL: every column.
 */
int results_table_read_columns(const char *path, const char *const *names,
			       size_t n_names, struct results_table **ret,
			       char *err, size_t errlen);

/*
 * The same reading of a file's text in memory (text[0..len), no NUL
 * needed); name stands for the path in messages and t->path.  What
 * results_table_read does once it has the file.
 */
int results_table_parse(const char *name, const char *text, size_t len,
			struct results_table **ret, char *err, size_t errlen);

/*
 * results_table_parse of a text the table takes over instead of copying:
 * text is malloc'd with room for len + 1 bytes, read (and un-quoted) in
 * place and freed with the table, or at once on an error.  For a writer
 * that hands the text it wrote to a reader (merge to the workbook).
 */
int results_table_adopt(const char *name, char *text, size_t len,
			struct results_table **ret, char *err, size_t errlen);

/* The index of the column called name; SIZE_MAX when there is none. */
size_t results_table_column(const struct results_table *t, const char *name);

void results_table_free(struct results_table *t);

/* "dir/N.csv" -> "dir/N-SUFFIX.csv", the name of a sibling (malloc'd). */
char *results_sibling(const char *path, const char *suffix);

/* Create the folders of path (not path itself), as a run does for its
 * output.  0 or -errno. */
int results_make_folder(const char *path);

#endif
