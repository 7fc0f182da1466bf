/*
 * export_json.h - the results in Google Benchmark's JSON format, so its
 * tools/compare.py and the dashboards that read it (github-action-benchmark's
 * `googlecpp` tool, Bencher) take concur's results unchanged.  docs/results.md
 * "Exports" documents the mapping; in short:
 *
 *   context     date, host_name, executable, num_cpus, mhz_per_cpu,
 *               cpu_scaling_enabled, caches, load_avg, library_build_type,
 *               json_schema_version (from N-env.csv), then every other
 *               N-env.csv key as a string (git_revision, concur_version...)
 *               and experiment
 *   benchmarks  per cell, in N.csv's order: one "iteration" entry per
 *               measured run (N-runs.csv), then, with two runs or more,
 *               the "aggregate" entries mean, median, stddev and cv
 *
 * name and run_name are the cell id ("pthreads[workers=5]/download"),
 * aggregates "ID_mean" and so on.  One iteration is one whole run of the
 * cell's tasks: iterations = 1, real_time the run's wall time, cpu_time its
 * user + system CPU time, time_unit "us" for every entry (a fixed unit, so
 * compare.py pairs every cell across files; its integer columns keep the
 * digits of runs from microseconds to hours).  The numeric columns of
 * N-runs.csv (an iteration) and of N.csv (an aggregate) are user counters
 * under their column names; items_per_second is tasks per second.  A run
 * or cell whose status is not ok has "error_occurred": true and
 * "error_message": "STATUS: ERROR TEXT", as Google Benchmark marks a
 * skipped run.  No NaN or infinity is ever written: an empty field is left
 * out, and a cv with a mean of 0 is 0.
 */
#ifndef CONCUR_EXPORT_JSON_H
#define CONCUR_EXPORT_JSON_H

#include <stdio.h>

#include "export.h"

/* Write the document for src (a struct export_source); 0 or -errno. */
int export_json_fill(FILE *out, const void *src);

#endif
