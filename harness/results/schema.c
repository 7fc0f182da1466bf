/*
 * schema.c - the columns of each results file and the keys of N-env.csv,
 * in the order they are written (schema.h).
 */
#include "schema.h"

#include "util.h"

const char *const schema_summary_head[] = {
	COLUMN_EXPERIMENT,
	COLUMN_CELL,
	COLUMN_STRATEGY,
	COLUMN_WORKLOAD,
};
const size_t schema_summary_head_n = ARRAY_SIZE(schema_summary_head);

const char *const schema_summary_tail[] = {
	COLUMN_STATUS,
	COLUMN_RUNS,
	COLUMN_TASKS,
	COLUMN_TASKS_FAILED,
	COLUMN_WALL_MEDIAN_S,
	COLUMN_WALL_MEAN_S,
	COLUMN_WALL_STDDEV_S,
	COLUMN_WALL_MIN_S,
	COLUMN_WALL_MAX_S,
	COLUMN_WALL_CV,
	COLUMN_WALL_CI95_LOW_S,
	COLUMN_WALL_CI95_HIGH_S,
	COLUMN_SPEEDUP,
	COLUMN_TASKS_PER_S,
	COLUMN_TASK_P50_MS,
	COLUMN_TASK_P90_MS,
	COLUMN_TASK_P99_MS,
	COLUMN_TASK_MAX_MS,
	COLUMN_SERVICE_P50_MS,
	COLUMN_SERVICE_P99_MS,
	COLUMN_OFFERED_RATE,
	COLUMN_ACHIEVED_RATE,
	COLUMN_START_LAG_P99_MS,
	COLUMN_CPU_USER_S,
	COLUMN_CPU_SYS_S,
	COLUMN_CPU_UTIL,
	COLUMN_MAX_RSS_KIB,
	COLUMN_CTX_VOLUNTARY,
	COLUMN_CTX_INVOLUNTARY,
	COLUMN_ERROR,
	COLUMN_STOPPED_BY,
};
const size_t schema_summary_tail_n = ARRAY_SIZE(schema_summary_tail);

const char *const schema_runs[] = {
	COLUMN_EXPERIMENT,    COLUMN_CELL,
	COLUMN_STRATEGY,      COLUMN_WORKLOAD,
	COLUMN_RUN,	      COLUMN_STATUS,
	COLUMN_WALL_S,	      COLUMN_TASKS,
	COLUMN_TASKS_FAILED,  COLUMN_CPU_USER_S,
	COLUMN_CPU_SYS_S,     COLUMN_MAX_RSS_KIB,
	COLUMN_CTX_VOLUNTARY, COLUMN_CTX_INVOLUNTARY,
	COLUMN_ERROR,
};
const size_t schema_runs_n = ARRAY_SIZE(schema_runs);

/* The rows after the header ENV_KEY,ENV_VALUE. */
const char *const schema_env_run_head[] = {
	ENV_CONCUR_VERSION, ENV_GIT_REVISION, ENV_START_TIME_UTC,
	ENV_HOST,	    ENV_KERNEL,	      ENV_CPU_MODEL,
	ENV_CPU_COUNT,	    ENV_CPU_MHZ,      ENV_CPU_SCALING,
	ENV_LOAD_AVERAGE,   ENV_COMPILER,     ENV_BUILD_TYPE,
};
const size_t schema_env_run_head_n = ARRAY_SIZE(schema_env_run_head);

const char *const schema_env_run_tail[] = {
	ENV_EXPERIMENT_FILE,
	ENV_EXPERIMENT_SHA256,
	ENV_COMMAND_LINE,
	ENV_ORDER,
};
const size_t schema_env_run_tail_n = ARRAY_SIZE(schema_env_run_tail);

const char *const schema_env_shard[] = {
	ENV_SHARD,	    ENV_SHARD_SOURCE,
	ENV_SHARD_CELLS,    ENV_EXPERIMENT_CELLS,
	ENV_WORKLOAD_CELLS, ENV_BASELINE,
	ENV_OVERRIDES,
};
const size_t schema_env_shard_n = ARRAY_SIZE(schema_env_shard);

const char *const schema_env_merged[] = {
	ENV_CONCUR_VERSION, ENV_EXPERIMENT_FILE, ENV_EXPERIMENT_SHA256,
	ENV_ORDER,	    ENV_BASELINE,	 ENV_OVERRIDES,
	ENV_SHARDS,	    ENV_SHARDS_MERGED,	 ENV_SHARDS_MISSING,
	ENV_MERGE_TIME_UTC, ENV_COMMAND_LINE,
};
const size_t schema_env_merged_n = ARRAY_SIZE(schema_env_merged);

const char *const schema_env_merged_host[] = {
	ENV_HOST,
	ENV_HOST_SHARDS,
	ENV_START_TIME_UTC,
	ENV_CPU_MODEL,
	ENV_CPU_COUNT,
	ENV_KERNEL,
	ENV_GIT_REVISION,
	ENV_COMPILER,
	ENV_BUILD_TYPE,
	ENV_LIBCURL_VERSION,
	ENV_LIBMICROHTTPD_VERSION,
	ENV_CPU_MHZ,
	ENV_CPU_SCALING,
	ENV_LOAD_AVERAGE,
};
const size_t schema_env_merged_host_n = ARRAY_SIZE(schema_env_merged_host);
