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
 *
 * N-env.csv is not a table of columns but "key,value" rows, one fact each
 * about where and how the results were made.  Its keys are named here the
 * same way (ENV_*), used by its writers (results, merge) and by every
 * reader (merge, compare, the exports), and listed in schema.c in the
 * order each writer writes them:
 *   a run:     schema_env_run_head, one NAME_version row per library the
 *              plugins reported, schema_env_run_tail, and for a shard
 *              schema_env_shard;
 *   a merge:   schema_env_merged, then one schema_env_merged_host block per
 *              host the shards ran on.
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

/* N-env.csv: its header row. */
#define ENV_KEY "key"
#define ENV_VALUE "value"
/* N-env.csv of a run: the build and the machine. */
#define ENV_CONCUR_VERSION "concur_version"
#define ENV_GIT_REVISION "git_revision"
#define ENV_START_TIME_UTC "start_time_utc"
#define ENV_HOST "host"
#define ENV_KERNEL "kernel"
#define ENV_CPU_MODEL "cpu_model"
#define ENV_CPU_COUNT "cpu_count"
#define ENV_CPU_MHZ "cpu_mhz"
#define ENV_CPU_SCALING "cpu_scaling"
#define ENV_LOAD_AVERAGE "load_average"
#define ENV_COMPILER "compiler"
#define ENV_BUILD_TYPE "build_type"
/* A library's row is its name and this suffix; merge carries these two. */
#define ENV_LIBRARY_SUFFIX "_version"
#define ENV_LIBCURL_VERSION "libcurl" ENV_LIBRARY_SUFFIX
#define ENV_LIBMICROHTTPD_VERSION "libmicrohttpd" ENV_LIBRARY_SUFFIX
/* N-env.csv of a run: the experiment. */
#define ENV_EXPERIMENT_FILE "experiment_file"
#define ENV_EXPERIMENT_SHA256 "experiment_sha256"
#define ENV_COMMAND_LINE "command_line"
#define ENV_ORDER "order"
/* N-env.csv of a shard's run: which part of which split (merge needs it). */
#define ENV_SHARD "shard"
#define ENV_SHARD_SOURCE "shard_source"
#define ENV_SHARD_CELLS "shard_cells"
#define ENV_EXPERIMENT_CELLS "experiment_cells"
#define ENV_WORKLOAD_CELLS "workload_cells"
#define ENV_BASELINE "baseline"
#define ENV_OVERRIDES "overrides"
/* N-env.csv written by merge. */
#define ENV_SHARDS "shards"
#define ENV_SHARDS_MERGED "shards_merged"
#define ENV_SHARDS_MISSING "shards_missing"
#define ENV_MERGE_TIME_UTC "merge_time_utc"
#define ENV_HOST_SHARDS "host_shards"

extern const char *const schema_summary_head[];
extern const size_t schema_summary_head_n;
extern const char *const schema_summary_tail[];
extern const size_t schema_summary_tail_n;
extern const char *const schema_runs[];
extern const size_t schema_runs_n;
extern const char *const schema_env_run_head[];
extern const size_t schema_env_run_head_n;
extern const char *const schema_env_run_tail[];
extern const size_t schema_env_run_tail_n;
extern const char *const schema_env_shard[];
extern const size_t schema_env_shard_n;
extern const char *const schema_env_merged[];
extern const size_t schema_env_merged_n;
extern const char *const schema_env_merged_host[];
extern const size_t schema_env_merged_host_n;

#endif
