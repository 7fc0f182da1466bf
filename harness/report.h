/*
 * report.h - what concur prints for people: a line per finished cell while
 * the experiment runs (stderr), and the results table at the end (stdout),
 * laid out like the article's table, with warnings where the numbers
 * deserve doubt.
 */
#ifndef CONCUR_REPORT_H
#define CONCUR_REPORT_H

#include <stdio.h>

#include "runner.h"

/* "[3/12] pthreads[workers=5]/sums  ok  median 1.234 s" */
void report_cell_done(FILE *out, const struct runner *r,
		      const struct cell_result *cr, size_t done, size_t total);

/* The table of every cell, grouped by workload cell, then the warnings. */
void report_table(FILE *out, const struct runner *r);

#endif
