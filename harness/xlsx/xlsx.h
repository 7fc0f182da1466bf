/*
 * xlsx.h - the results as one native workbook, N.xlsx beside the CSV files,
 * so they open right in every spreadsheet under every locale: numbers are
 * numbers, labels are text (0012, 1.2.3 and =x stay what they are, with no
 * formula guard), and charts are live.
 *
 * Sheets: summary, charts, runs, matrix, env.  The four data sheets have
 * the columns of N.csv, N-runs.csv, N-matrix.csv and N-env.csv (units are in
 * the column names), a bold frozen header row, an autofilter and fitted
 * column widths.  charts: for each workload cell, the median wall time of
 * every strategy cell (columns with 95% CI whiskers, the cell's own axis,
 * logarithmic when its medians span more than two decades) and, for each
 * numeric strategy parameter that
 * takes two or more values within one strategy section, speedup against it
 * (lines with markers, one per strategy section, other crossed parameters
 * and workload cell), with the tables the charts read beside them.
 *
 * The workbook is built from the four files read back as results tables
 * (results.h struct results_table, parsed from the very bytes written to
 * them): every number in the workbook is the value its CSV field reads as,
 * exactly, and a resumed run rebuilds the same workbook from the files on
 * disk.  A field is a number when its column holds numbers and
 * the field is a plain number ("", NaN: an empty cell); the label columns
 * (experiment, cell, strategy, workload, status, error) and every env value
 * are always text, without the CSV's formula guard; a parameter value is a
 * number when it is a decimal without a leading zero, else text.  Text
 * past the 32,767 characters a cell holds is cut there, with a marker that
 * says so.
 *
 * Written with libxlsxwriter (Debian's libxlsxwriter-dev); see docs/tests.md
 * "Dependencies and why".  The data sheets' rows are the exception, streamed
 * into the package by xlsx_sheet.c: a number cell holds its field's text.
 */
#ifndef CONCUR_XLSX_H
#define CONCUR_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* The four results files, read back (NULL: an empty file).  The caller
 * keeps them; the workbook only reads them. */
struct xlsx_source {
	const struct results_table *summary, *runs, *matrix, *env;
};

/*
 * Write the workbook to path, atomically (fileio_replace: a temporary file
 * in the same folder, fsync'ed, renamed over path), so an interruption
 * leaves the previous complete workbook.  The package is put together in
 * anonymous memory files, named nowhere: nothing to plant a link in
 * advance, nothing left behind by a kill.  Returns 0, or a negative errno
 * code with a message in err.
 */
int xlsx_write(const char *path, const struct xlsx_source *src, char *err,
	       size_t errlen);

/* "dir/N.csv" -> "dir/N.xlsx" (malloc'd). */
char *xlsx_default_path(const char *csv_path);

/*
 * The live workbook of a run (xlsx_book.c), a watcher of the results
 * files (results.h) for a run with [experiment] xlsx = true: a copy of the
 * four files' bytes as they are written, and N.xlsx rewritten from it.
 * Rebuilding is linear in the results, so an update that is not "now"
 * skips the rewrite when the last one took over a tenth of the time since
 * (a huge matrix does not turn quadratic); closing writes the last state.
 * A failure to write is a warning on stderr, once: the CSV files are the
 * record.
 */
extern const struct results_watch xlsx_book_watch;

#endif
