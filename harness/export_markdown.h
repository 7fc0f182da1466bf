/*
 * export_markdown.h - the summary table as GitHub-flavoured Markdown, to
 * paste into a pull-request comment (or post with `gh pr comment
 * --body-file`).  docs/results.md "Exports".
 *
 * A heading with the experiment, then one row per cell of N.csv: cell,
 * status, runs, median wall time (with its unit), cv, speedup, tasks/s,
 * p99 task latency, CPU use and the error, then a line with the host,
 * the concur version and git revision and the start time.  Every value
 * comes from the results files and is escaped (mdtext.h); only the table
 * skeleton is Markdown.
 */
#ifndef CONCUR_EXPORT_MARKDOWN_H
#define CONCUR_EXPORT_MARKDOWN_H

#include <stdio.h>

#include "export.h"

/* Write the document for src (a struct export_source); 0 or -errno. */
int export_markdown_fill(FILE *out, const void *src);

#endif
