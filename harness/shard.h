/*
 * shard.h - split one experiment over the tasks of a batch job (a Slurm job
 * array, a Kubernetes Indexed Job, or any N machines given --shard K/N) and
 * say which part this process runs.  docs/cluster.md.
 *
 * The unit of a shard is a workload cell with ALL its strategy cells, so
 * every speedup compares runs made on one machine.  Workload cell w (its
 * position among the experiment's workload cells, in file order) goes to
 * shard w mod N: the assignment depends on the experiment only (never on
 * the host, the time or a hash seed), every shard gets the same number of
 * workload cells give or take one, and since every workload cell has the
 * same number of strategy cells, the same number of cells give or take one
 * workload cell's worth.
 */
#ifndef CONCUR_SHARD_H
#define CONCUR_SHARD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "matrix.h"

/* Most shards one experiment may be split into. */
#define SHARD_MAX 100000

/* Kubernetes gives the index but not the count: this variable may. */
#define SHARD_COUNT_ENV "CONCUR_SHARDS"

struct shard {
	unsigned k, n; /* shard k (0-based) of n; n == 0: the whole run */
	/* Where k and n came from, for the log and N-env.csv:
	 * "--shard", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX". */
	char source[128];
};

/*
 * Parse "K/N" (0 <= K < N <= SHARD_MAX, decimal).  0, or -EINVAL with what
 * is allowed in err.
 */
int shard_parse(const char *text, struct shard *ret, char *err, size_t errlen);

/*
 * Parse the N of --shards N (1..SHARD_MAX).  0 or -EINVAL.
 */
int shard_parse_count(const char *text, unsigned *ret, char *err,
		      size_t errlen);

/*
 * The shard this process runs when no --shard was given, from the
 * environment as read through get (getenv, or a fake in tests):
 *   Slurm: SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (0 if unset) of
 *     SLURM_ARRAY_TASK_COUNT, or of MAX - MIN + 1 when COUNT is unset; the
 *     array must be a dense range (step 1).
 *   Kubernetes: JOB_COMPLETION_INDEX of `shards` (--shards N; 0 = not
 *     given), or of $CONCUR_SHARDS.
 * `shards`, when given, must agree with what Slurm says.
 * Returns 1 with *ret filled when a shard was found, 0 when this is not an
 * array task (ret->n = 0), or -EINVAL with the variables named in err.
 */
int shard_detect(const char *(*get)(const char *name), unsigned shards,
		 struct shard *ret, char *err, size_t errlen);

/*
 * The shard a run is: `given` (--shard K/N; n == 0: none given), else,
 * unless `all` (--shard all), an array task's environment through get
 * (shard_detect), else the whole experiment (ret->n == 0).  `shards`
 * (--shards N; 0: none) must agree with the shard; without one it only
 * means something with `dry_run` (print the split).  ret may be given.
 * 0, or -EINVAL with the reason in err.
 */
int shard_choose(const struct shard *given, bool all, unsigned shards,
		 bool dry_run, const char *(*get)(const char *name),
		 struct shard *ret, char *err, size_t errlen);

/* Position of cell c's workload cell among the workload cells. */
size_t shard_workload_cell(const struct matrix *m, size_t cell);

/* Number of workload cells (each one a unit of assignment). */
size_t shard_workload_cells(const struct matrix *m);

/* The shard (0..n-1) cell `cell` of m belongs to when split n ways. */
unsigned shard_of_cell(const struct matrix *m, size_t cell, unsigned n);

/* Does shard s include cell `cell`?  (Always, for the whole run.) */
bool shard_has_cell(const struct shard *s, const struct matrix *m, size_t cell);

/* Cells of m in shard k of n. */
size_t shard_cell_count(const struct matrix *m, unsigned k, unsigned n);

/*
 * `--dry-run` with shards: which cells shard `only` of n runs (every shard's
 * when only is SHARD_ALL), by their 1-based numbers in the experiment and
 * ids, with the count of cells and runs per shard.
 */
#define SHARD_ALL UINT_MAX
void shard_print_plan(FILE *out, const struct matrix *m, unsigned only,
		      unsigned n, long long runs_per_cell);

/*
 * The summary path of shard s for output path `output`:
 * "results/seeds.csv" -> "results/seeds.shard-2-of-4.csv".  Malloc'd.
 */
char *shard_output_path(const char *output, const struct shard *s);

#endif
