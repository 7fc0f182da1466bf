/*
 * schema.h - the columns of the results files, named once.  Every writer
 * and reader of N.csv and N-runs.csv (results, merge, plot, compare,
 * report, the exports, the workbook) names a column through these macros,
 * so a column is renamed or added here and nowhere else; the lists in
 * schema.c give each file's columns in the order they are written
 * (docs/results.md describes them).  Renaming one changes the files
 * users have: the golden tests catch it.
 *
 * N.csv: schema_summary_head, then one column per experiment parameter
 * (its "section.key" header), then schema_summary_tail.
 * N-runs.csv: schema_runs.
 */
#ifndef CONCUR_SCHEMA_H
#define CONCUR_SCHEMA_H

#include <stddef.h>

/* Which cell: both files. */
#define COLUMN_EXPERIMENT "experiment"
#define COLUMN_CELL "cell"
#define COLUMN_STRATEGY "strategy"
#define COLUMN_WORKLOAD "workload"
/* What happened: both files. */
#define COLUMN_STATUS "status"
#define COLUMN_TASKS "tasks"
#define COLUMN_TASKS_FAILED "tasks_failed"
#define COLUMN_CPU_USER_S "cpu_user_s"
#define COLUMN_CPU_SYS_S "cpu_sys_s"
#define COLUMN_MAX_RSS_KIB "max_rss_kib"
#define COLUMN_CTX_VOLUNTARY "ctx_voluntary"
#define COLUMN_CTX_INVOLUNTARY "ctx_involuntary"
#define COLUMN_ERROR "error"
/* N.csv only: a cell over its runs. */
#define COLUMN_RUNS "runs"
#define COLUMN_WALL_MEDIAN_S "wall_median_s"
#define COLUMN_WALL_MEAN_S "wall_mean_s"
#define COLUMN_WALL_STDDEV_S "wall_stddev_s"
#define COLUMN_WALL_MIN_S "wall_min_s"
#define COLUMN_WALL_MAX_S "wall_max_s"
#define COLUMN_WALL_CV "wall_cv"
#define COLUMN_WALL_CI95_LOW_S "wall_ci95_low_s"
#define COLUMN_WALL_CI95_HIGH_S "wall_ci95_high_s"
#define COLUMN_SPEEDUP "speedup"
#define COLUMN_TASKS_PER_S "tasks_per_s"
#define COLUMN_TASK_P50_MS "task_p50_ms"
#define COLUMN_TASK_P90_MS "task_p90_ms"
#define COLUMN_TASK_P99_MS "task_p99_ms"
#define COLUMN_TASK_MAX_MS "task_max_ms"
#define COLUMN_SERVICE_P50_MS "service_p50_ms"
#define COLUMN_SERVICE_P99_MS "service_p99_ms"
#define COLUMN_OFFERED_RATE "offered_rate"
#define COLUMN_ACHIEVED_RATE "achieved_rate"
#define COLUMN_START_LAG_P99_MS "start_lag_p99_ms"
#define COLUMN_CPU_UTIL "cpu_util"
#define COLUMN_STOPPED_BY "stopped_by" /* repetitions = auto: why it stopped */
/* N-runs.csv only: one run. */
#define COLUMN_RUN "run"
#define COLUMN_WALL_S "wall_s"

extern const char *const schema_summary_head[];
extern const size_t schema_summary_head_n;
extern const char *const schema_summary_tail[];
extern const size_t schema_summary_tail_n;
extern const char *const schema_runs[];
extern const size_t schema_runs_n;

#endif
